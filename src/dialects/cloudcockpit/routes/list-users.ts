/** GET /v1/users — the tenant's users, paged as docs/api/cloudcockpit.md#paging says (page numbers or a continuation token). */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { queryUsers, type UserCondition, type UserPage, type UserSort } from "../../../core/users/query-users";
import { coreCtx } from "../../../http/context";
import type { AppEnv } from "../../../http/types";
import { makeToken, readToken, UsersQuery } from "../paging";
import { ccErrors, CcHeaders, ccRoute, cockpitRoute, namedTenant } from "../route";
import { pageOf, userToWire, UserSchema } from "../wire";

export const route = cockpitRoute("get /users", "cloudcockpit.listUsers", "users:read", {
  summary: "Get the Users of the Tenant",
  description:
    "The users of the X-Tenant tenant within the token's reach (a reseller token sees its reseller's users only), sorted by " +
    "`sortPropertyName` with the id as the last key. `continuationToken` resumes right after the last item of the page it came " +
    "with, even when users are added in between.",
  request: { headers: CcHeaders, query: UsersQuery },
  responses: {
    200: { description: "OK", content: { "application/json": { schema: pageOf(UserSchema, "CloudCockpit_UserPage") } } },
    ...ccErrors,
  },
});

export function register(app: OpenAPIHono<AppEnv>): void {
  ccRoute(app, route, async (c) => {
    const q = c.req.valid("query");
    const tenant = namedTenant(c);
    const tenantDomain = tenant.domain;
    const dir = q.ascending ? "asc" : "desc";
    const sort: UserSort[] =
      q.sortPropertyName === "Email"
        ? [{ field: "email", dir }]
        : [
            { field: "lastName", dir },
            { field: "firstName", dir },
          ];
    const search = q.search?.trim() ?? "";
    const groups = (q.groups ?? []).map((g) => g.toLowerCase());
    const resellerId = q.resellerId?.toLowerCase();
    const where: UserCondition[] = [];
    if (search !== "") where.push({ op: "anyContains", fields: ["firstName", "lastName", "email"], value: search });
    if (groups.length > 0) where.push({ op: "inGroups", groupIds: groups });

    // A token belongs to this query: same tenant, sort, direction, search and filters.
    const kind = `users:${q.sortPropertyName}`;
    const fp = { tenantDomain, ascending: q.ascending, search, groups: [...groups].sort(), resellerId: resellerId ?? null };
    let pageNumber = q.pageNumber;
    let page: UserPage;
    if (q.continuationToken !== undefined) {
      const t = readToken(q.continuationToken, kind, fp, sort.length + 1);
      pageNumber = t.pageNumber + 1;
      page = { kind: "after", after: t.key, limit: q.pageSize, withTotal: true };
    } else {
      page = { kind: "offset", offset: (pageNumber - 1) * q.pageSize, limit: q.pageSize, withTotal: true };
    }

    const result = await queryUsers(coreCtx(c), { scope: { tenant, resellerId }, where, sort, page });
    const total = result.total ?? 0;
    return c.json(
      {
        items: result.users.map(userToWire),
        paginationParameters: { pageNumber, pageSize: q.pageSize },
        totalPages: Math.ceil(total / q.pageSize),
        totalCount: total,
        hasPreviousPage: pageNumber > 1,
        hasNextPage: result.hasMore,
        continuationToken: result.hasMore && result.lastKey ? makeToken(kind, fp, pageNumber, result.lastKey) : null,
      },
      200,
    );
  });
}
