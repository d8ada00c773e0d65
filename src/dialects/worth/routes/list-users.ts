/** GET /customers/{customerID}/users — seed 001, with the query language of docs/api/worth.md#list-query. */
import { z } from "@hono/zod-openapi";
import { queryUsers } from "../../../core/users/query-users";
import { coreCtx } from "../../../http/context";
import { worthRoute } from "../route";
import { json } from "../../../http/openapi";
import { ListQuery, ListResponse, listQueryFromWire, userToWire, UuidParam } from "../wire";

export const { route, register } = worthRoute("get /customers/{customerID}/users", "worth.listCustomerUsers", "users:read", {
  summary: "Get Customer Users",
  description:
    "A page of the customer's users, newest first unless sorted otherwise (ties broken by id, so pages never overlap). " +
    "`total_items` counts every user matching the filters.",
  request: { params: z.object({ customerID: UuidParam("customerID") }), query: ListQuery },
  responses: {
    200: json(ListResponse, "OK"),
  },
}, async (c) => {
  const { customerID } = c.req.valid("param");
  const order = [...new URL(c.req.url).searchParams.keys()];
  const q = listQueryFromWire(customerID, c.req.valid("query"), order);
  const result = await queryUsers(coreCtx(c), q);
  const total = result.total ?? 0;
  const perPage = q.page.limit;
  return c.json(
    {
      status: "success" as const,
      message: "Success",
      data: { records: result.users.map(userToWire), total_pages: Math.ceil(total / perPage), total_items: String(total) },
    },
    200,
  );
});
