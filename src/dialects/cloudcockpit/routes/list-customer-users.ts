/** GET /v1/customer/{customerId}/users — every user of the customer, as a bare array sorted by name. */
import { z } from "@hono/zod-openapi";
import { queryUsers } from "../../../core/users/query-users";
import { coreCtx } from "../../../http/context";
import { jsonArrayStream } from "../../../http/stream";
import { cockpitRoute, CustomerPath, namedTenant, ResellerQuery } from "../route";
import { userToWire, UserSchema } from "../wire";

/**
 * The list has no paging by contract; this bound keeps one response within a Worker's memory
 * (docs/decisions/cloudcockpit-paging.md).
 */
export const MAX_CUSTOMER_USERS = 50_000;

export const { route, register } = cockpitRoute("get /customer/{customerId}/users", "cloudcockpit.listCustomerUsers", "users:read", {
  summary: "Get the Users of a Customer",
  description: "Every user of the customer, sorted by last name, first name, then id.",
  request: {
    params: CustomerPath,
    query: ResellerQuery,
  },
  responses: {
    200: { description: "OK", content: { "application/json": { schema: z.array(UserSchema) } } },
  },
}, async (c) => {
  const { customerId } = c.req.valid("param");
  const { resellerId } = c.req.valid("query");
  const result = await queryUsers(coreCtx(c), {
    scope: { customerId: customerId.toLowerCase(), resellerId: resellerId?.toLowerCase(), tenant: namedTenant(c) },
    where: [],
    sort: [
      { field: "lastName", dir: "asc" },
      { field: "firstName", dir: "asc" },
    ],
    page: { kind: "after", limit: MAX_CUSTOMER_USERS },
  });
  // Streamed: serialised as the client reads, never one 1.5 MB string (docs/performance.md).
  return c.body(jsonArrayStream(result.users, userToWire), 200, { "Content-Type": "application/json" }) as never;
});
