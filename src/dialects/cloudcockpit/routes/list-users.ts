/** GET /v1/users — the tenant's users, paged as docs/api/cloudcockpit.md#paging says (page numbers or a continuation token). */
import { queryUsers, type UserCondition, type UserPage, type UserSort } from "../../../core/users/query-users";
import { coreCtx } from "../../../http/context";
import { pagedEnvelope, pageStart, UsersQuery } from "../paging";
import { cockpitRoute, namedTenant } from "../route";
import { pageOf, userToWire, UserSchema } from "../wire";

export const { route, register } = cockpitRoute("get /users", "cloudcockpit.listUsers", "users:read", {
  summary: "Get the Users of the Tenant",
  description:
    "The users of the X-Tenant tenant within the token's reach (a reseller token sees its reseller's users only), sorted by " +
    "`sortPropertyName` with the id as the last key. `continuationToken` resumes right after the last item of the page it came " +
    "with, even when users are added in between.",
  request: { query: UsersQuery },
  responses: {
    200: { description: "OK", content: { "application/json": { schema: pageOf(UserSchema, "CloudCockpit_UserPage") } } },
  },
}, async (c) => {
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
  const fingerprint = { tenantDomain, ascending: q.ascending, search, groups: [...groups].sort(), resellerId: resellerId ?? null };
  const scope = { kind: `users:${q.sortPropertyName}`, fingerprint, keyLength: sort.length + 1 };
  const { pageNumber, page } = pageStart(q, scope);
  const result = await queryUsers(coreCtx(c), { scope: { tenant, resellerId }, where, sort, page: { ...page, withTotal: true } as UserPage });
  const at = { pageNumber, pageSize: q.pageSize };
  return c.json(pagedEnvelope(result.users.map(userToWire), at, { ...result, total: result.total ?? 0 }, scope), 200);
});
