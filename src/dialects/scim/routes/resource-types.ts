/** GET /scim/v2/ResourceTypes — the resources served here (RFC 7643 §6). */
import { z } from "@hono/zod-openapi";
import { confirmScimToken } from "../../../core/scim/users";
import { coreCtx } from "../../../http/context";
import { scimBase, scimResponse, scimRoute } from "../route";
import { GROUP_URN, LIST_URN, scimJson, USER_URN, listResponse } from "../wire";

const ResourceTypeSchema = z.object({
  schemas: z.array(z.string()),
  id: z.string(),
  name: z.string(),
  endpoint: z.string(),
  description: z.string(),
  schema: z.string(),
  meta: z.object({ resourceType: z.string(), location: z.string() }),
});
const ResourceTypeList = z
  .object({ schemas: z.array(z.literal(LIST_URN)), totalResults: z.number().int(), startIndex: z.number().int(), itemsPerPage: z.number().int(), Resources: z.array(ResourceTypeSchema) })
  .openapi("Scim_ResourceTypeList");

export const { route, register } = scimRoute("get /ResourceTypes", "scim.listResourceTypes", "users:read", {
  summary: "Resource types",
  description: "The User and Group resource types.",
  responses: { 200: scimJson(ResourceTypeList, "A ListResponse of resource types") },
}, async (c) => {
  await confirmScimToken(coreCtx(c));
  const base = scimBase(c);
  const types = [
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
      id: "User",
      name: "User",
      endpoint: "/Users",
      description: "A user of the customer",
      schema: USER_URN,
      meta: { resourceType: "ResourceType", location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
      id: "Group",
      name: "Group",
      endpoint: "/Groups",
      description: "A group of the tenant, with the customer's members",
      schema: GROUP_URN,
      meta: { resourceType: "ResourceType", location: `${base}/ResourceTypes/Group` },
    },
  ];
  return scimResponse(c, listResponse(types), 200);
});
