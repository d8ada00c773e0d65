/** DELETE /projects/{projectId}/customers/{customerId}/users/{userId} — soft delete; a second one is 404. */
import { projectRef } from "../../../core/project-scope";
import { deleteUser } from "../../../core/users/delete-user";
import { preconditions } from "../../../http/etag";
import { coreCtx } from "../../../http/context";
import { UserParams } from "../wire";
import { cortiRoute } from "./common";

export const { route, register } = cortiRoute("delete /projects/{projectId}/customers/{customerId}/users/{userId}", "corti.deleteUser", "users:write", {
  summary: "Delete a user",
  description: "Soft delete: the user leaves every list and can no longer log in; its e-mail is free again.",
  versioned: "write",
  request: { params: UserParams },
  responses: { 204: { description: "The user was deleted" } },
}, async (c) => {
  const { projectId, customerId, userId } = c.req.valid("param");
  const ctx = coreCtx(c);
  await deleteUser(ctx, { userId, customerId, project: projectRef(ctx.principal, projectId) }, preconditions(c));
  return c.body(null, 204);
});
