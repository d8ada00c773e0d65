/** POST /v1/customer/{customerId}/users — seed 004: creates a customer user, answers its id. */
import { createUser, type PlannedUser } from "../../../core/users/create-user";
import { coreCtx, passwordDeps } from "../../../http/context";
import { once } from "../../../http/idempotency";
import { cockpitRoute, created, createdResponse, CustomerPath, namedTenant, ResellerQuery } from "../route";
import { createInput, UserCreate } from "../wire";

export const { route, register } = cockpitRoute("post /customer/{customerId}/users", "cloudcockpit.createCustomerUser", "users:write", {
  summary: "Create a Customer User",
  description:
    "Creates a new User with the provided UserViewModel. Answers 201 with the new user's id as a JSON string and a Location header " +
    "(the user's PATCH/DELETE address). A duplicate e-mail or a taken id is a 400 naming `email` or `id`.",
  versioned: "create",
  request: {
    params: CustomerPath,
    query: ResellerQuery,
    body: { required: true, description: "The user info to create the user.", content: { "application/json": { schema: UserCreate } } },
  },
  responses: {
    ...createdResponse,
  },
}, async (c) => {
  const { customerId } = c.req.valid("param");
  const { resellerId } = c.req.valid("query");
  const owner = { customerId: customerId.toLowerCase(), resellerId: resellerId?.toLowerCase() };
  const input = { ...createInput(owner, c.req.valid("json")), tenant: namedTenant(c) };
  return once(c, (receipt) => createUser(coreCtx(c), input, passwordDeps(c), receipt), (user: PlannedUser) => created(c, user));
});
