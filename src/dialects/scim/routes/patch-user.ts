/**
 * PATCH /scim/v2/Users/{id} — operations as identity providers send them (RFC 7644 §3.5.2):
 * add / replace / remove, with or without `path`, value paths (`emails[type eq "work"].value`),
 * `op` in any case and booleans as "True"/"False" (Microsoft Entra). The operations are applied to
 * the user's current SCIM representation with `scim-patch`, the result is read back like a PUT
 * body, and only what changed is written — on the version the operations were applied to
 * (../../../core/scim/users.ts modifyUser).
 */
import { scimPatch, type ScimPatchOperation } from "scim-patch";
import { invalid } from "../../../core/errors";
import { modifyUser, scimCustomer } from "../../../core/scim/users";
import { coreCtx, passwordDeps } from "../../../http/context";
import { preconditions, tagged } from "../../../http/etag";
import { zodIssues } from "../../../http/errors";
import { scimBase, scimResponse, scimRoute } from "../route";
import { changeOf, PatchBody, scimBody, ScimUserInput, ScimUserSchema, scimJson, toScimUser } from "../wire";
import { IdParam } from "./get-user";

/** A scim-patch error as a 400 of ours: its kind (noTarget, invalidSyntax …) and its words, never an object dump. */
export function patchError(err: unknown) {
  const e = err as { scimCode?: unknown; message?: unknown };
  if (typeof e.scimCode !== "string") throw err;
  const message = String(e.message ?? "").replace(/^Invalid SCIM Patch: /, "").replace(/\s*\[object Object\]/g, "") || "The operation does not apply.";
  return invalid("The patch does not apply to this user.", [{ field: e.scimCode === "noTarget" ? "noTarget" : "invalidSyntax", message }]);
}

export const { route, register } = scimRoute("patch /Users/{id}", "scim.patchUser", "users:write", {
  summary: "Change a user",
  description:
    "Applies SCIM PATCH operations to the user (add, replace, remove; with or without path; value paths). `groups`, `id` and `meta` are read-only " +
    "(400 mutability): memberships change through /Groups. Answers the user as changed.",
  versioned: "write",
  request: { params: IdParam, body: scimBody(PatchBody) },
  responses: { 200: scimJson(ScimUserSchema, "The user as changed") },
}, async (c) => {
  const ctx = coreCtx(c);
  const { id } = c.req.valid("param");
  const { Operations } = c.req.valid("json");
  const base = scimBase(c);
  const user = await modifyUser(
    ctx,
    { userId: id.toLowerCase(), customerId: scimCustomer(ctx).customerId },
    (current) => {
      const before = toScimUser(current, base);
      let after: Record<string, unknown>;
      try {
        after = scimPatch(structuredClone(before) as never, Operations as ScimPatchOperation[], { mutateDocument: true, treatMissingAsAdd: true }) as unknown as Record<string, unknown>;
      } catch (err) {
        throw patchError(err);
      }
      if (after.id !== before.id) throw invalid("The patch changes a read-only attribute.", [{ field: "mutability", message: "id is read-only." }]);
      if (JSON.stringify(after.groups ?? []) !== JSON.stringify(before.groups)) {
        throw invalid("The patch changes a read-only attribute.", [{ field: "mutability", message: "groups is read-only on a User: change memberships through /Groups." }]);
      }
      const { meta: _meta, groups: _groups, ...written } = after;
      const parsed = ScimUserInput.safeParse(written);
      if (!parsed.success) throw invalid("The patched user is not valid.", zodIssues(parsed.error));
      return changeOf(current, parsed.data);
    },
    passwordDeps(c),
    preconditions(c),
  );
  return tagged(scimResponse(c, toScimUser(user, base), 200), user);
});
