/** GET /scim/v2/Users/{id} — one user of the customer. */
import { z } from "@hono/zod-openapi";
import { scimCustomer } from "../../../core/scim/users";
import { getUser } from "../../../core/users/get-user";
import { coreCtx } from "../../../http/context";
import { conditionalGet } from "../../../http/etag";
import { scimBase, scimResponse, scimRoute } from "../route";
import { AttributeList, project, ScimUserSchema, scimJson, toScimUser } from "../wire";

export const IdParam = z.object({ id: z.uuid({ error: "Not a user id." }).openapi({ param: { name: "id", in: "path", required: true } }) });

export const { route, register } = scimRoute("get /Users/{id}", "scim.getUser", "users:read", {
  summary: "Get a user",
  description: "One user of the customer; any other id is 404.",
  versioned: "read",
  request: {
    params: IdParam,
    query: z.object({ attributes: AttributeList.openapi({ param: { name: "attributes", in: "query" } }), excludedAttributes: AttributeList.openapi({ param: { name: "excludedAttributes", in: "query" } }) }),
  },
  responses: { 200: scimJson(ScimUserSchema, "The user") },
}, async (c) => {
  const ctx = coreCtx(c);
  const { id } = c.req.valid("param");
  const q = c.req.valid("query");
  const user = await getUser(ctx, { userId: id.toLowerCase(), customerId: scimCustomer(ctx).customerId });
  return conditionalGet(c, user, () => scimResponse(c, project(toScimUser(user, scimBase(c)), q.attributes, q.excludedAttributes), 200));
});
