/**
 * The specs of the tenant-owned configuration resources. All rules shared between them live in
 * resources.ts; what is here is only what differs: references, unique indexes, cross-field rules.
 */
import { eq, inArray, sql } from "drizzle-orm";
import { accounts, customers, groups, projects, resellers, subroles, userGroups, users, webhooks } from "../db/schema";
import { assertAccountWithin, assertNotNarrowed, assertPermissionsWithin, narrowed } from "./ceiling";
import { forbidden, type FieldIssue } from "./errors";
import type { RefCheck, ResourceSpec } from "./resources";
import { revokeTokens, revokeUserTokens } from "./revocation";

/** A user's next version: what it shows changed (src/core/users/preconditions.ts). */
const NEXT_VERSION = sql`${users.version} + 1`;

function ref(field: string, subject: RefCheck["subject"], table: RefCheck["table"], id: unknown): RefCheck[] {
  return typeof id === "string" ? [{ field, subject, table, id }] : [];
}

export const projectSpec: ResourceSpec<typeof projects> = {
  subject: "project",
  table: projects,
  action: "project",
  uniques: [{ match: "projects.tenant_id, projects.key", subject: "project", field: "key", message: "Another project of this tenant has this key." }],
  inUseMessage: "The project still has customers or accounts.",
  // A narrowed principal reads its own project only; the project is its boundary, not its to edit.
  tenantWide: true,
};

export const resellerSpec: ResourceSpec<typeof resellers> = {
  subject: "reseller",
  table: resellers,
  action: "reseller",
  uniques: [],
  inUseMessage: "The reseller still has customers, users or accounts.",
  tenantWide: true,
};

export const customerSpec: ResourceSpec<typeof customers> = {
  subject: "customer",
  table: customers,
  action: "customer",
  uniques: [{ match: "customers.project_id, customers.key", subject: "customer", field: "key", message: "Another customer of this project has this key." }],
  inUseMessage: "The customer still has users, subroles, accounts or SCIM tokens (removed users are kept for the audit trail; revoke its SCIM tokens first).",
  refs: (v) => [...ref("projectId", "project", projects, v.projectId), ...ref("resellerId", "reseller", resellers, v.resellerId)],
  check: (v) => (v.key != null && v.projectId == null ? [{ field: "key", message: "A customer key needs a projectId: keys are unique per project." }] : []),
  // A narrowed principal creates customers in its project only, and cannot move one out of it.
  ceiling: (p, v) => {
    if (narrowed(p) && v.projectId !== p.projectId) throw forbidden("A project-narrowed token only manages customers of its project.");
  },
  // Users carry their customer's reseller (lists and totals of a reseller read it): it follows the
  // customer, and each user's version (its ETag: the admin API shows resellerId) moves on.
  onUpdate: (ctx, before, after) =>
    before.resellerId === after.resellerId ? [] : [ctx.db.update(users).set({ resellerId: after.resellerId, version: NEXT_VERSION }).where(eq(users.customerId, before.id))],
};

export const subroleSpec: ResourceSpec<typeof subroles> = {
  subject: "subrole",
  table: subroles,
  action: "subrole",
  uniques: [
    { match: "subroles.tenant_id, subroles.customer_id, subroles.code", subject: "subrole", field: "code", message: "Another subrole of this customer has this code." },
    { match: "subroles.tenant_id, subroles.code", subject: "subrole", field: "code", message: "Another tenant-wide subrole has this code." },
  ],
  inUseMessage: "The subrole is still assigned to users.",
  refs: (v) => ref("customerId", "customer", customers, v.customerId),
  ceiling: (p, v) => {
    if (v.customerId == null) assertNotNarrowed(p, "subrole");
    assertPermissionsWithin(p, v.permissions, "The subrole");
  },
  // Its holders show it (Worth's subrole object): their versions (ETags) move on with any change.
  // Tokens of its holders carry the scopes of its old permissions: a change of those ends them.
  onUpdate: (ctx, before, after) => [
    ctx.db.update(users).set({ version: NEXT_VERSION }).where(eq(users.subroleId, before.id)),
    ...(JSON.stringify(before.permissions) === JSON.stringify(after.permissions) ? [] : revokeUserTokens(ctx, eq(users.subroleId, before.id))),
  ],
};

export const groupSpec: ResourceSpec<typeof groups> = {
  subject: "group",
  table: groups,
  action: "group",
  uniques: [{ match: "groups.tenant_id, groups.name", subject: "group", field: "name", message: "Another group of this tenant has this name." }],
  inUseMessage: "The group still has members.",
  // Its members show its name (CloudCockpit's groups): their versions (ETags) move on with a rename.
  onUpdate: (ctx, before) => [
    ctx.db
      .update(users)
      .set({ version: NEXT_VERSION })
      .where(inArray(users.id, ctx.db.select({ id: userGroups.userId }).from(userGroups).where(eq(userGroups.groupId, before.id)))),
  ],
  tenantWide: true,
};

/** The columns of an account that its tokens carry (or that decide whether it may have tokens). */
const GRANT_FIELDS = ["role", "scopes", "customerId", "resellerId", "projectId", "disabled"] as const;

export const accountSpec: ResourceSpec<typeof accounts> = {
  subject: "account",
  table: accounts,
  action: "account",
  uniques: [],
  inUseMessage: "The account cannot be removed.",
  secretColumns: ["secretHash"],
  refs: (v) => [
    ...ref("customerId", "customer", customers, v.customerId),
    ...ref("resellerId", "reseller", resellers, v.resellerId),
    ...ref("projectId", "project", projects, v.projectId),
  ],
  check: (v) => {
    const issues: FieldIssue[] = [];
    if (v.role === "platform") issues.push({ field: "role", message: "Platform accounts cannot be created through the API." });
    if (v.role === "customer" && v.customerId == null) issues.push({ field: "customerId", message: "A customer account needs a customerId." });
    if (v.role === "reseller" && v.resellerId == null) issues.push({ field: "resellerId", message: "A reseller account needs a resellerId." });
    if (v.role !== "customer" && v.customerId != null) issues.push({ field: "customerId", message: "Only customer accounts have a customerId." });
    if (v.role !== "reseller" && v.resellerId != null) issues.push({ field: "resellerId", message: "Only reseller accounts have a resellerId." });
    if (v.role !== "tenant_admin" && v.scopes?.includes("admin")) issues.push({ field: "scopes", message: "Only tenant_admin accounts may hold the admin scope." });
    return issues;
  },
  ceiling: (p, v) =>
    assertAccountWithin(p, {
      role: v.role ?? "customer",
      tenantId: v.tenantId ?? null,
      projectId: v.projectId ?? null,
      resellerId: v.resellerId ?? null,
      customerId: v.customerId ?? null,
      scopes: v.scopes ?? [],
    }),
  // A token carries the grant of its account when it was issued: any change to the grant, or
  // disabling the account, ends the tokens issued before it; a deleted account leaves a tombstone.
  onUpdate: (ctx, before, after) => (GRANT_FIELDS.some((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f])) ? [...revokeTokens(ctx, before.id)] : []),
  onDelete: (ctx, before) => [...revokeTokens(ctx, before.id)],
};

export const webhookSpec: ResourceSpec<typeof webhooks> = {
  subject: "webhook",
  table: webhooks,
  action: "webhook",
  uniques: [],
  inUseMessage: "The subscription cannot be removed.",
  // Sealed, and never in an audit event even so.
  secretColumns: ["secret", "previousSecret"],
  refs: (v) => ref("customerId", "customer", customers, v.customerId),
  tenantWide: true,
};
