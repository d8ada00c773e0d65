/** GET /scim/v2/Groups — the tenant's groups, each with the token's customer's members only. */
import { z } from "@hono/zod-openapi";
import { listScimGroups } from "../../../core/scim/groups";
import { coreCtx } from "../../../http/context";
import { scimBase, scimResponse, scimRoute } from "../route";
import { AttributeList, project, ScimGroupListSchema, scimJson, toScimGroup, listResponse } from "../wire";
import { MAX_COUNT, Whole } from "./list-users";

export const { route, register } = scimRoute("get /Groups", "scim.listGroups", "users:read", {
  summary: "List or search groups",
  description:
    "The tenant's groups by name (filter `displayName eq \"…\"` or `id eq \"…\"`; eq, ne, pr with and, or, not), from `startIndex` (1-based) `count` at a time. " +
    "`members` lists the token's customer's users only.",
  request: {
    query: z.object({
      filter: z.string().max(2000).optional().openapi({ param: { name: "filter", in: "query" }, example: 'displayName eq "Engineering"' }),
      startIndex: Whole("startIndex", "1-based index of the first result (default 1)."),
      count: Whole("count", `Results per page (default 100, at most ${MAX_COUNT}).`),
      attributes: AttributeList.openapi({ param: { name: "attributes", in: "query" } }),
      excludedAttributes: AttributeList.openapi({ param: { name: "excludedAttributes", in: "query" } }),
    }),
  },
  responses: { 200: scimJson(ScimGroupListSchema, "A ListResponse of groups") },
}, async (c) => {
  const q = c.req.valid("query");
  const startIndex = Math.max(1, q.startIndex ?? 1);
  const count = Math.min(MAX_COUNT, Math.max(0, q.count ?? 100));
  const page = await listScimGroups(coreCtx(c), { filter: q.filter, startIndex, count });
  const base = scimBase(c);
  return scimResponse(
    c,
    listResponse(page.groups.map((g) => project(toScimGroup(g, base), q.attributes, q.excludedAttributes)), page.total, startIndex),
    200,
  );
});
