/** POST /customers/{customerID}/users — seed 000. */
import { z } from "@hono/zod-openapi";
import { createUser, type PlannedUser } from "../../../core/users/create-user";
import { tagged } from "../../../http/etag";
import { coreCtx, passwordDeps } from "../../../http/context";
import { once } from "../../../http/idempotency";
import { worthRoute } from "../route";
import { json } from "../../../http/openapi";
import { CreateBody, CreatedResponse, createInput, UuidParam } from "../wire";

export const { route, register } = worthRoute("post /customers/{customerID}/users", "worth.createCustomerUser", "users:write", {
  summary: "Create Customer User",
  description:
    "Creates a user under the customer. The subrole must be one of the customer's own or a tenant-wide one, with id and code agreeing. " +
    "A duplicate e-mail (case-insensitive, tenant-wide) is a 400 INVALID.",
  versioned: "create",
  request: {
    params: z.object({ customerID: UuidParam("customerID") }),
    body: { required: true, content: { "application/json": { schema: CreateBody } } },
  },
  responses: {
    200: json(CreatedResponse, "OK"),
  },
}, async (c) => {
  const { customerID } = c.req.valid("param");
  const input = createInput(customerID, c.req.valid("json"));
  return once(
    c,
    (receipt) => createUser(coreCtx(c), input, passwordDeps(c), receipt),
    (user: PlannedUser) => tagged(c.json({ status: "success" as const, message: "Customer user created.", data: { user_id: user.id } }, 200), user),
  );
});
