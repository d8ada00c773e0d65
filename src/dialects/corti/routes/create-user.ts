/** POST /projects/{projectId}/customers/{customerId}/users — seed 003. */
import { projectRef } from "../../../core/project-scope";
import { createUser, type PlannedUser } from "../../../core/users/create-user";
import { tagged } from "../../../http/etag";
import { coreCtx, passwordDeps } from "../../../http/context";
import { once } from "../../../http/idempotency";
import { cortiConflict } from "../errors";
import { createInput, CustomerParams, UserCreate, UserSchema, userToWire } from "../wire";
import { cortiRoute, json, jsonBody } from "./common";

export const { route, register } = cortiRoute("post /projects/{projectId}/customers/{customerId}/users", "corti.createUser", "users:write", {
  summary: "Create a new user and add it to the customer",
  description: "With a password (16–64 Unicode code points, NFKC-normalised, never truncated) the user can log in at POST /auth/token at once.",
  versioned: "create",
  request: { params: CustomerParams, body: jsonBody(UserCreate) },
  responses: {
    201: json(UserSchema, "User created successfully"),
    ...cortiConflict("Another user of the tenant has this e-mail"),
  },
}, async (c) => {
  const { projectId, customerId } = c.req.valid("param");
  const body = c.req.valid("json");
  const ctx = coreCtx(c);
  const input = { owner: { customerId, project: projectRef(ctx.principal, projectId) }, ...createInput(body) };
  return once(c, (receipt) => createUser(ctx, input, passwordDeps(c), receipt), (user: PlannedUser) => tagged(c.json(userToWire(user), 201), user));
});
