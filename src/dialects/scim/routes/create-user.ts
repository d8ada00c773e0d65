/** POST /scim/v2/Users — provisions a user in the customer (201, the user, Location, ETag). */
import { scimCustomer } from "../../../core/scim/users";
import { createUser, type PlannedUser } from "../../../core/users/create-user";
import { coreCtx, passwordDeps } from "../../../http/context";
import { tagged } from "../../../http/etag";
import { once } from "../../../http/idempotency";
import { scimBase, scimResponse, scimRoute } from "../route";
import { profileOf, scimBody, ScimUserInput, ScimUserSchema, scimJson, toScimUser } from "../wire";

export const { route, register } = scimRoute("post /Users", "scim.createUser", "users:write", {
  summary: "Create a user",
  description: "Creates a user of the customer. `userName` is the e-mail (unique in the tenant: 409 uniqueness); `name.givenName` and `name.familyName` are required.",
  versioned: "create",
  request: { body: scimBody(ScimUserInput) },
  responses: { 201: { ...scimJson(ScimUserSchema, "The user created"), headers: { Location: { schema: { type: "string" as const } } } } },
}, async (c) => {
  const ctx = coreCtx(c);
  const owner = scimCustomer(ctx);
  const body = c.req.valid("json");
  const input = { ...profileOf(body), owner: { customerId: owner.customerId }, groupIds: [], ...(body.password !== undefined ? { password: body.password } : {}) };
  const base = scimBase(c);
  return once(
    c,
    (receipt) => createUser(ctx, input, passwordDeps(c), receipt),
    (u: PlannedUser) => {
      const user = { ...u, tenantId: owner.tenantId, customerId: owner.customerId, resellerId: null, subrole: null, groups: [] };
      return tagged(scimResponse(c, toScimUser(user, base), 201, { Location: `${base}/Users/${u.id}` }), u);
    },
  );
});
