/** GET /projects/{projectId}/customers/{customerId}/users?page=&pageSize= — through the one list engine. */
import { projectRef } from "../../../core/project-scope";
import { queryUsers } from "../../../core/users/query-users";
import { coreCtx } from "../../../http/context";
import { CustomerParams, PageQuery, pageWindow, UserList, userToWire } from "../wire";
import { cortiRoute, json } from "./common";

export const { route, register } = cortiRoute("get /projects/{projectId}/customers/{customerId}/users", "corti.listUsers", "users:read", {
  summary: "List the customer's users",
  description: "Oldest first.",
  request: { params: CustomerParams, query: PageQuery },
  responses: { 200: json(UserList, "A page of the customer's users") },
}, async (c) => {
  const { projectId, customerId } = c.req.valid("param");
  const q = c.req.valid("query");
  const ctx = coreCtx(c);
  const result = await queryUsers(ctx, {
    scope: { customerId, project: projectRef(ctx.principal, projectId) },
    where: [],
    sort: [{ field: "createdAt", dir: "asc" }],
    page: { kind: "offset", ...pageWindow(q), withTotal: false },
  });
  return c.json({ users: result.users.map(userToWire), pagination: { page: q.page, pageSize: q.pageSize, hasNextPage: result.hasMore } }, 200);
});
