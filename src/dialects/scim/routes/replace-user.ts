/** PUT /scim/v2/Users/{id} — replaces what SCIM writes of the user (absent phoneNumbers/externalId are cleared). */
import { scimCustomer } from "../../../core/scim/users";
import { updateUser } from "../../../core/users/update-user";
import { coreCtx, passwordDeps } from "../../../http/context";
import { preconditions, tagged } from "../../../http/etag";
import { scimBase, scimResponse, scimRoute } from "../route";
import { profileOf, scimBody, ScimUserInput, ScimUserSchema, scimJson, toScimUser } from "../wire";
import { IdParam } from "./get-user";

export const { route, register } = scimRoute("put /Users/{id}", "scim.replaceUser", "users:write", {
  summary: "Replace a user",
  description: "Sets the user's userName, name, phone number, externalId and active from the body, as a whole (RFC 7644 §3.5.1).",
  versioned: "write",
  request: { params: IdParam, body: scimBody(ScimUserInput) },
  responses: { 200: scimJson(ScimUserSchema, "The user as replaced") },
}, async (c) => {
  const ctx = coreCtx(c);
  const { id } = c.req.valid("param");
  const body = c.req.valid("json");
  const patch = { ...profileOf(body), ...(body.password !== undefined ? { password: body.password } : {}) };
  const user = await updateUser(ctx, { userId: id.toLowerCase(), customerId: scimCustomer(ctx).customerId }, patch, passwordDeps(c), preconditions(c));
  return tagged(scimResponse(c, toScimUser(user, scimBase(c)), 200), user);
});
