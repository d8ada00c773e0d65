/** PATCH /v1/users/{email} — changes a user of the tenant; every body field optional; 204. */
import { z } from "@hono/zod-openapi";
import { updateUser } from "../../../core/users/update-user";
import { preconditions, tagged } from "../../../http/etag";
import { coreCtx, passwordDeps } from "../../../http/context";
import { cockpitRoute, namedTenant } from "../route";
import { EmailParam, givenId, patchInput, UserPatchBody } from "../wire";

export const { route, register } = cockpitRoute("patch /users/{email}", "cloudcockpit.updateUser", "users:write", {
  summary: "Update a User",
  description:
    "Changes the user the e-mail names (case-insensitively) in the X-Tenant tenant. Absent fields are kept; `groups` replaces the " +
    "user's groups; a new `email` must be free. Answers 204.",
  versioned: "write",
  request: {
    params: z.object({ email: EmailParam }),
    body: { required: true, description: "The fields to change.", content: { "application/json": { schema: UserPatchBody } } },
  },
  responses: {
    204: { description: "No Content: updated" },
  },
}, async (c) => {
  const { email } = c.req.valid("param");
  const body = c.req.valid("json");

  const userId = givenId(body.id);
  const user = await updateUser(coreCtx(c), { email, tenant: namedTenant(c), ...(userId !== undefined ? { userId } : {}) }, patchInput(body), passwordDeps(c), preconditions(c));
  return tagged(c.body(null, 204), user);
});
