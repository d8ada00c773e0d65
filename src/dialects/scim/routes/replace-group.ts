/** PUT /scim/v2/Groups/{id} — sets which of the token's customer's users are the group's members (its name stays the tenant's). */
import { setScimGroupMembers } from "../../../core/scim/groups";
import { coreCtx } from "../../../http/context";
import { scimBase, scimResponse, scimRoute } from "../route";
import { scimBody, ScimGroupInput, ScimGroupSchema, scimJson, toScimGroup } from "../wire";
import { GroupIdParam } from "./get-group";

export const { route, register } = scimRoute("put /Groups/{id}", "scim.replaceGroup", "users:write", {
  summary: "Replace a group's members",
  description:
    "`members` becomes the set of the token's customer's users in the group (other customers' memberships are untouched); each must be a live user of the customer. " +
    "`displayName`, when sent, must be the group's own (400 mutability: the operator names the tenant's groups).",
  request: { params: GroupIdParam, body: scimBody(ScimGroupInput) },
  responses: { 200: scimJson(ScimGroupSchema, "The group as replaced") },
}, async (c) => {
  const { id } = c.req.valid("param");
  const body = c.req.valid("json");
  const group = await setScimGroupMembers(coreCtx(c), id.toLowerCase(), body.displayName, (body.members ?? []).map((m) => m.value));
  return scimResponse(c, toScimGroup(group, scimBase(c)), 200);
});
