/** GET /scim/v2/Users — the customer's users by filter, sorted, 1-based pages (RFC 7644 §3.4.2). */
import { z } from "@hono/zod-openapi";
import { listScimUsers } from "../../../core/scim/users";
import { coreCtx } from "../../../http/context";
import { scimBase, scimResponse, scimRoute } from "../route";
import { AttributeList, project, ScimListSchema, scimJson, toScimUser, listResponse } from "../wire";

/** A whole number of the query; SCIM asks for leniency (a startIndex below 1 is 1, a count past the maximum is the maximum). */
export const Whole = (name: string, description: string) =>
  z
    .string()
    .regex(/^-?\d{1,9}$/, "Must be an integer.")
    .transform(Number)
    .optional()
    .openapi({ param: { name, in: "query", description }, type: "integer" });

export const MAX_COUNT = 200;

export const { route, register } = scimRoute("get /Users", "scim.listUsers", "users:read", {
  summary: "List or search users",
  description:
    "The customer's users matching `filter` (RFC 7644 §3.4.2.2: eq ne co sw ew gt ge lt le pr, and or not, grouping, value paths), " +
    `sorted by \`sortBy\`/\`sortOrder\`, from \`startIndex\` (1-based) \`count\` at a time (at most ${MAX_COUNT}; 100 by default), with \`totalResults\`.`,
  request: {
    query: z.object({
      filter: z.string().max(2000).optional().openapi({ param: { name: "filter", in: "query" }, example: 'userName eq "ada@example.com"' }),
      startIndex: Whole("startIndex", "1-based index of the first result (default 1)."),
      count: Whole("count", `Results per page (default 100, at most ${MAX_COUNT}; 0 answers totalResults only).`),
      sortBy: z.string().max(200).optional().openapi({ param: { name: "sortBy", in: "query" } }),
      sortOrder: z.enum(["ascending", "descending"]).optional().openapi({ param: { name: "sortOrder", in: "query" } }),
      attributes: AttributeList.openapi({ param: { name: "attributes", in: "query" } }),
      excludedAttributes: AttributeList.openapi({ param: { name: "excludedAttributes", in: "query" } }),
    }),
  },
  responses: { 200: scimJson(ScimListSchema, "A ListResponse") },
}, async (c) => {
  const q = c.req.valid("query");
  const startIndex = Math.max(1, q.startIndex ?? 1);
  const count = Math.min(MAX_COUNT, Math.max(0, q.count ?? 100));
  const page = await listScimUsers(coreCtx(c), { filter: q.filter, sortBy: q.sortBy, sortOrder: q.sortOrder, startIndex, count });
  const base = scimBase(c);
  return scimResponse(
    c,
    listResponse(page.users.map((u) => project(toScimUser(u, base), q.attributes, q.excludedAttributes)), page.total, startIndex),
    200,
  );
});
