/** GET /scim/v2/Groups/{id} — a group of the tenant with the token's customer's members. */
import { z } from "@hono/zod-openapi";
import { getScimGroup } from "../../../core/scim/groups";
import { coreCtx } from "../../../http/context";
import { scimBase, scimResponse, scimRoute } from "../route";
import { AttributeList, project, ScimGroupSchema, scimJson, toScimGroup } from "../wire";

export const GroupIdParam = z.object({ id: z.uuid({ error: "Not a group id." }).openapi({ param: { name: "id", in: "path", required: true } }) });

export const { route, register } = scimRoute("get /Groups/{id}", "scim.getGroup", "users:read", {
  summary: "Get a group",
  description: "A group of the tenant; `members` lists the token's customer's users only. Another tenant's group is 404.",
  request: {
    params: GroupIdParam,
    query: z.object({ attributes: AttributeList.openapi({ param: { name: "attributes", in: "query" } }), excludedAttributes: AttributeList.openapi({ param: { name: "excludedAttributes", in: "query" } }) }),
  },
  responses: { 200: scimJson(ScimGroupSchema, "The group") },
}, async (c) => {
  const { id } = c.req.valid("param");
  const q = c.req.valid("query");
  const group = await getScimGroup(coreCtx(c), id.toLowerCase());
  return scimResponse(c, project(toScimGroup(group, scimBase(c)), q.attributes, q.excludedAttributes), 200);
});
