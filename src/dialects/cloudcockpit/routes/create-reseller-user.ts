/** POST /v1/reseller/{resellerId}/users — a reseller-level user (no customer), same body as seed 004. */
import { z } from "@hono/zod-openapi";
import { createUser, type PlannedUser } from "../../../core/users/create-user";
import { coreCtx, passwordDeps } from "../../../http/context";
import { once } from "../../../http/idempotency";
import { cockpitRoute, created, createdResponse, namedTenant } from "../route";
import { createInput, UserCreate, Uuid } from "../wire";

export const { route, register } = cockpitRoute("post /reseller/{resellerId}/users", "cloudcockpit.createResellerUser", "users:write", {
  summary: "Create a Reseller User",
  description:
    "Creates a reseller-level user (it belongs to no customer). `role.name` must be a tenant-wide subrole code. Answers 201 with the new " +
    "user's id as a JSON string and a Location header. A reseller token may only name its own reseller.",
  versioned: "create",
  request: {
    params: z.object({
      resellerId: Uuid.openapi({ param: { name: "resellerId", in: "path", required: true, description: "GUID Unique identifier for the reseller." } }),
    }),
    body: { required: true, description: "The user info to create the user.", content: { "application/json": { schema: UserCreate } } },
  },
  responses: {
    ...createdResponse,
  },
}, async (c) => {
  const { resellerId } = c.req.valid("param");
  const input = { ...createInput({ resellerId: resellerId.toLowerCase() }, c.req.valid("json")), tenant: namedTenant(c) };
  return once(c, (receipt) => createUser(coreCtx(c), input, passwordDeps(c), receipt), (user: PlannedUser) => created(c, user));
});
