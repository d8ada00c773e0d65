/** DELETE /v1/users/{email} — soft delete: the user leaves every list of every dialect; again → 404. */
import { z } from "@hono/zod-openapi";
import { deleteUser } from "../../../core/users/delete-user";
import { preconditions } from "../../../http/etag";
import { coreCtx } from "../../../http/context";
import { cockpitRoute, namedTenant } from "../route";
import { EmailParam } from "../wire";

export const { route, register } = cockpitRoute("delete /users/{email}", "cloudcockpit.deleteUser", "users:write", {
  summary: "Delete a User",
  description:
    "Removes the user the e-mail names (case-insensitively) in the X-Tenant tenant. The record is kept for the audit trail; the " +
    "user leaves every list and its e-mail is free again. Answers 204; a second delete is 404.",
  versioned: "write",
  request: { params: z.object({ email: EmailParam }) },
  responses: {
    204: { description: "No Content: deleted" },
  },
}, async (c) => {
  const { email } = c.req.valid("param");
  await deleteUser(coreCtx(c), { email, tenant: namedTenant(c) }, preconditions(c));
  return c.body(null, 204);
});
