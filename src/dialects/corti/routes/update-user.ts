/** PATCH /projects/{projectId}/customers/{customerId}/users/{userId} — names, `enabled`, password; never the e-mail. */
import { projectRef } from "../../../core/project-scope";
import { updateUser } from "../../../core/users/update-user";
import { preconditions, tagged } from "../../../http/etag";
import { coreCtx, passwordDeps } from "../../../http/context";
import { patchInput, UserParams, UserPatch, UserSchema, userToWire } from "../wire";
import { cortiRoute, json, jsonBody } from "./common";

export const { route, register } = cortiRoute("patch /projects/{projectId}/customers/{customerId}/users/{userId}", "corti.updateUser", "users:write", {
  summary: "Update a user",
  description: "firstName, lastName, enabled (false: the user can no longer log in) and password. The e-mail cannot be changed here.",
  versioned: "write",
  request: { params: UserParams, body: jsonBody(UserPatch) },
  responses: { 200: json(UserSchema, "The user as updated") },
}, async (c) => {
  const { projectId, customerId, userId } = c.req.valid("param");
  const body = c.req.valid("json");
  const ctx = coreCtx(c);
  const user = await updateUser(
    ctx,
    { userId, customerId, project: projectRef(ctx.principal, projectId) },
    patchInput(body),
    passwordDeps(c),
    preconditions(c),
  );
  return tagged(c.json(userToWire(user), 200), user);
});
