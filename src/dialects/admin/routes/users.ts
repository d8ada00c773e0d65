import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { getUser } from "../../../core/users/get-user";
import { listTenantUsers } from "../../../core/users/list-users";
import { USER_STATUSES } from "../../../db/schema";
import { coreCtx } from "../../../http/context";
import { conditionalGet, ETAG_HEADER, IfNoneMatchHeaders } from "../../../http/etag";
import { BEARER, json } from "../../../http/openapi";
import type { AppEnv } from "../../../http/types";
import { adminErrors } from "../errors";
import { ListQuery, listOf, UserSchema, userToWire, Uuid } from "../wire";

const TenantParam = z.object({ tenantId: Uuid.openapi({ param: { name: "tenantId", in: "path" } }) });

export function registerUserRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/tenants/{tenantId}/users",
      operationId: "admin.listUsers",
      tags: ["Users"],
      summary: "List the tenant's users (every customer, every dialect)",
      security: BEARER,
      request: {
        params: TenantParam,
        query: ListQuery.extend({
          customerId: Uuid.optional(),
          resellerId: Uuid.optional(),
          status: z.enum(USER_STATUSES).optional(),
          email: z.string().max(255).optional(),
        }),
      },
      responses: { 200: json(listOf(UserSchema, "UserList"), "A page of users, oldest first"), ...adminErrors },
    }),
    async (c) => {
      const { tenantId } = c.req.valid("param");
      const { limit, cursor, ...filter } = c.req.valid("query");
      const page = await listTenantUsers(coreCtx(c), tenantId, filter, { limit, cursor });
      return c.json({ data: page.data.map(userToWire), nextCursor: page.nextCursor }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/tenants/{tenantId}/users/{userId}",
      operationId: "admin.getUser",
      tags: ["Users"],
      summary: "Get a user",
      security: BEARER,
      request: { headers: IfNoneMatchHeaders, params: TenantParam.extend({ userId: Uuid.openapi({ param: { name: "userId", in: "path" } }) }) },
      responses: {
        200: { ...json(UserSchema, "The user"), headers: { ETag: ETAG_HEADER } },
        304: { description: "Not Modified: the user is as the If-None-Match tag names it (no body)", headers: { ETag: ETAG_HEADER } },
        ...adminErrors,
      },
    }),
    async (c) => {
      const { tenantId, userId } = c.req.valid("param");
      const user = await getUser(coreCtx(c), { userId, tenant: { id: tenantId } });
      return conditionalGet(c, user, () => c.json(userToWire(user), 200));
    },
  );
}
