/**
 * PATCH /scim/v2/Groups/{id} — members added and removed as identity providers send them: Okta's
 * `add members` / `remove members[value eq "…"]`, Entra's `Add` / `Remove` with a `value` list, a
 * `replace` of the members; a `replace` of `displayName` with the group's own name is accepted
 * (Okta sends one), another is 400 mutability. The operations apply, with `scim-patch`, to the group
 * as the token's customer sees it (its own members only); the result's members are then set.
 */
import { scimPatch, type ScimPatchOperation } from "scim-patch";
import { invalid } from "../../../core/errors";
import { getScimGroup, setScimGroupMembers } from "../../../core/scim/groups";
import { coreCtx } from "../../../http/context";
import { scimBase, scimResponse, scimRoute } from "../route";
import { PatchBody, scimBody, ScimGroupSchema, scimJson, toScimGroup } from "../wire";
import { GroupIdParam } from "./get-group";
import { patchError } from "./patch-user";

const badMembers = () => invalid("The members are not valid.", [{ field: "members", message: "Each member is an object with a string value (a user id)." }]);

/** Entra's `remove members` with a list of `{value}`: one removal by value path per member (whatever else the entries carry). */
function removalsByValue(op: PatchBody["Operations"][number]): PatchBody["Operations"] {
  if (op.op.toLowerCase() !== "remove" || op.path?.toLowerCase() !== "members" || !Array.isArray(op.value)) return [op];
  return op.value.map((m: unknown) => {
    const v = m !== null && typeof m === "object" ? (m as { value?: unknown }).value : undefined;
    if (typeof v !== "string") throw badMembers();
    return { op: "remove", path: `members[value eq ${JSON.stringify(v)}]` };
  });
}

export const { route, register } = scimRoute("patch /Groups/{id}", "scim.patchGroup", "users:write", {
  summary: "Change a group's members",
  description:
    "Adds and removes the token's customer's users as members (add, replace, remove; with or without path; value paths on members). " +
    "Other customers' memberships are never seen nor touched; a member that is not a live user of the customer is a 400 naming it.",
  request: { params: GroupIdParam, body: scimBody(PatchBody) },
  responses: { 200: scimJson(ScimGroupSchema, "The group as changed") },
}, async (c) => {
  const ctx = coreCtx(c);
  const { id } = c.req.valid("param");
  const { Operations } = c.req.valid("json");
  const base = scimBase(c);
  const before = toScimGroup(await getScimGroup(ctx, id.toLowerCase()), base);
  // Members as bare values, so that a removal naming `{value}` (Entra) finds them whatever else they carry.
  const current = { ...before, members: (before.members ?? []).map((m) => ({ value: m.value })) };
  // One operation at a time: a removal that empties the members drops the attribute, and a removal
  // of someone who is not (or no longer) a member is nothing to do — an IdP retries removals.
  let after: { displayName?: unknown; members?: unknown[] } = current;
  for (const op of Operations.flatMap(removalsByValue)) {
    after.members ??= [];
    if (op.op.toLowerCase() === "remove" && /^members\[/i.test(op.path ?? "") && after.members.length === 0) continue;
    try {
      after = scimPatch(after as never, [op] as ScimPatchOperation[], { mutateDocument: true, treatMissingAsAdd: true }) as never;
    } catch (err) {
      throw patchError(err);
    }
  }
  if (after.displayName !== before.displayName) {
    throw invalid("The group's name is the tenant's.", [{ field: "mutability", message: "displayName is read-only through SCIM: the operator names the tenant's groups." }]);
  }
  const members = Array.isArray(after.members) ? after.members : [];
  const values = members.map((m: unknown) => (m !== null && typeof m === "object" ? (m as { value?: unknown }).value : undefined));
  if (values.some((v) => typeof v !== "string")) throw badMembers();
  const group = await setScimGroupMembers(ctx, id.toLowerCase(), undefined, values as string[]);
  return scimResponse(c, toScimGroup(group, base), 200);
});
