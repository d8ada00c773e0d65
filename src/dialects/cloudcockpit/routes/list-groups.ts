/** GET /v1/users/groups — the tenant's groups, in the paged envelope of docs/api/cloudcockpit.md#paging. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { listTenantGroups, type GroupPage } from "../../../core/groups-list";
import { coreCtx } from "../../../http/context";
import type { AppEnv } from "../../../http/types";
import { makeToken, PagingQuery, readToken } from "../paging";
import { ccErrors, CcHeaders, ccRoute, cockpitRoute, namedTenant } from "../route";
import { GroupSchema, pageOf } from "../wire";

export const route = cockpitRoute("get /users/groups", "cloudcockpit.listGroups", "users:read", {
  summary: "Get the User Groups of the Tenant",
  description: "The groups users may be put in, sorted by name then id.",
  request: { headers: CcHeaders, query: PagingQuery },
  responses: {
    200: { description: "OK", content: { "application/json": { schema: pageOf(GroupSchema, "CloudCockpit_GroupPage") } } },
    ...ccErrors,
  },
});

export function register(app: OpenAPIHono<AppEnv>): void {
  ccRoute(app, route, async (c) => {
    const q = c.req.valid("query");
    const tenant = namedTenant(c);
    const fp = { tenantDomain: tenant.domain };
    let pageNumber = q.pageNumber;
    let page: GroupPage;
    if (q.continuationToken !== undefined) {
      const t = readToken(q.continuationToken, "groups", fp, 2);
      pageNumber = t.pageNumber + 1;
      page = { kind: "after", after: [t.key[0] as string, t.key[1] as string], limit: q.pageSize };
    } else {
      page = { kind: "offset", offset: (pageNumber - 1) * q.pageSize, limit: q.pageSize };
    }
    const result = await listTenantGroups(coreCtx(c), tenant, page);
    return c.json(
      {
        items: result.groups,
        paginationParameters: { pageNumber, pageSize: q.pageSize },
        totalPages: Math.ceil(result.total / q.pageSize),
        totalCount: result.total,
        hasPreviousPage: pageNumber > 1,
        hasNextPage: result.hasMore,
        continuationToken: result.hasMore && result.lastKey ? makeToken("groups", fp, pageNumber, result.lastKey) : null,
      },
      200,
    );
  });
}
