/** DELETE /scim/v2/Users/{id} — deprovisions the user (a soft delete, as everywhere): 204. */
import { scimCustomer } from "../../../core/scim/users";
import { deleteUser } from "../../../core/users/delete-user";
import { coreCtx } from "../../../http/context";
import { preconditions } from "../../../http/etag";
import { scimRoute } from "../route";
import { IdParam } from "./get-user";

export const { route, register } = scimRoute("delete /Users/{id}", "scim.deleteUser", "users:write", {
  summary: "Delete a user",
  description: "Removes the user from every surface (kept for the audit trail); a later GET is 404.",
  versioned: "write",
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" } },
}, async (c) => {
  const ctx = coreCtx(c);
  const { id } = c.req.valid("param");
  await deleteUser(ctx, { userId: id.toLowerCase(), customerId: scimCustomer(ctx).customerId }, preconditions(c));
  return c.body(null, 204);
});
