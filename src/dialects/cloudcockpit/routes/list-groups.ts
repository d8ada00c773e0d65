/** GET /v1/users/groups — the tenant's groups, in the paged envelope of docs/api/cloudcockpit.md#paging. */
import { listTenantGroups, type GroupPage } from "../../../core/groups-list";
import { coreCtx } from "../../../http/context";
import { pagedEnvelope, pageStart, PagingQuery } from "../paging";
import { cockpitRoute, namedTenant } from "../route";
import { GroupSchema, pageOf } from "../wire";

export const { route, register } = cockpitRoute("get /users/groups", "cloudcockpit.listGroups", "users:read", {
  summary: "Get the User Groups of the Tenant",
  description: "The groups users may be put in, sorted by name then id.",
  request: { query: PagingQuery },
  responses: {
    200: { description: "OK", content: { "application/json": { schema: pageOf(GroupSchema, "CloudCockpit_GroupPage") } } },
  },
}, async (c) => {
  const q = c.req.valid("query");
  const tenant = namedTenant(c);
  const scope = { kind: "groups", fingerprint: { tenantDomain: tenant.domain }, keyLength: 2 };
  const { pageNumber, page } = pageStart(q, scope);
  const result = await listTenantGroups(coreCtx(c), tenant, page as GroupPage);
  return c.json(pagedEnvelope(result.groups, { pageNumber, pageSize: q.pageSize }, result, scope), 200);
});
