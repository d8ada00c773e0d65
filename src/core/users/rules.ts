/**
 * The rules every dialect shares when writing a user: the field rules (./fields.ts), the subrole
 * and group references, and the unique index that decides duplicate e-mails.
 */
import { and, eq, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import { customers, groups, resellers, subroles, users } from "../../db/schema";
import type { Ctx } from "../context";
import { constraintConflict, foreignKeyFailed, type UniqueRule } from "../db-errors";
import { conflict, forbidden, notFound, type FieldIssue } from "../errors";
import { customerForbiddenByClaims, customerInReach } from "../principal";
import { customerMatch, type ProjectRef } from "../project-scope";
import { passwordLengthOk, PASSWORD_MAX_CODE_POINTS, PASSWORD_MIN_CODE_POINTS } from "../credentials/password";

export { fieldIssues, MAX_FIELD } from "./fields";
export const MAX_GROUPS = 50;

export const userUniques: UniqueRule[] = [
  { match: "users.tenant_id, users.email_norm", subject: "email", field: "email", message: "Another customer user exists with the same email." },
  { match: "users.id", subject: "user", field: "id", message: "A user with this id already exists." },
];

/**
 * A failed user write as the caller's error: a unique index → CONFLICT on the field; a foreign key
 * (something the request names was removed while it ran, twice in a row) → CONFLICT asking for a
 * retry. Anything else stays an opaque 500.
 */
export function mapUserWriteError(err: unknown): never {
  const unique = constraintConflict(err, userUniques);
  if (unique) throw unique;
  if (foreignKeyFailed(err)) throw conflict("user", "Something this request refers to was removed while it ran; retry.");
  throw err;
}

/**
 * Where a user belongs: a customer, or (CloudCockpit) a reseller with no customer. With `project`
 * (Corti), `customerId` is the customer's key or id within that project (see ../project-scope.ts).
 */
export type UserOwner =
  /** With `resellerId` (CloudCockpit's query), the customer must also belong to that reseller. */
  | { customerId: string; project?: ProjectRef | undefined; resellerId?: string | undefined }
  | { resellerId: string };

/** How a caller names a subrole: Worth sends id and code (which must agree), CloudCockpit a code. */
export interface SubroleSelector {
  id?: string;
  code?: string;
}

export const PASSWORD_RULE = `Must be ${PASSWORD_MIN_CODE_POINTS} to ${PASSWORD_MAX_CODE_POINTS} characters (Unicode code points, after NFKC normalisation).`;

/** The password rule of every dialect: 16–64 code points after NFKC, never truncated. */
export function passwordIssues(password: string | undefined): FieldIssue[] {
  if (password === undefined || passwordLengthOk(password)) return [];
  return [{ field: "password", message: PASSWORD_RULE }];
}

/** The owner's row, for reach and for the tenant id (un-awaited, to batch). */
export function ownerQuery(ctx: Ctx, owner: UserOwner) {
  if ("customerId" in owner) {
    return ctx.db
      .select({ id: customers.id, tenantId: customers.tenantId, resellerId: customers.resellerId, projectId: customers.projectId })
      .from(customers)
      .where(customerMatch(customers.id, owner));
  }
  return ctx.db
    .select({ id: resellers.id, tenantId: resellers.tenantId, resellerId: resellers.id, projectId: sql<string | null>`null` })
    .from(resellers)
    .where(eq(resellers.id, owner.resellerId));
}

export interface OwnerRow {
  id: string;
  tenantId: string;
  resellerId: string | null;
  projectId: string | null;
}

/**
 * 403 when the claims alone exclude the owner; 404 (as if absent) when the data does. Returns the
 * owner's tenant id, reseller and customer id (as found: the path may have named it by key).
 */
export function checkOwnerReach(ctx: Ctx, owner: UserOwner, row: OwnerRow | undefined): { tenantId: string; resellerId: string | null; customerId: string | null } {
  const p = ctx.principal;
  assertOwnerClaims(ctx, owner);
  if ("customerId" in owner) {
    if (!row || !customerInReach(p, row) || (owner.resellerId !== undefined && row.resellerId !== owner.resellerId)) throw notFound("customer");
    return { tenantId: row.tenantId, resellerId: row.resellerId, customerId: row.id };
  }
  if (!row || (p.role !== "platform" && row.tenantId !== p.tenantId)) throw notFound("reseller");
  return { tenantId: row.tenantId, resellerId: row.id, customerId: null };
}

/** The part of checkOwnerReach the claims alone decide (403), before anything is read. */
export function assertOwnerClaims(ctx: Ctx, owner: UserOwner): void {
  const p = ctx.principal;
  if ("customerId" in owner) {
    // A key (project-scoped address) is not comparable with the token's customer id: the data decides.
    if (owner.project === undefined && customerForbiddenByClaims(p, owner.customerId)) throw forbidden();
    // A reseller token may name only its own reseller; a customer of another reseller is absent.
    if (owner.resellerId !== undefined && p.role === "reseller" && owner.resellerId !== p.resellerId) throw forbidden();
    return;
  }
  if (p.role === "customer") throw forbidden();
  if (p.role === "reseller" && p.resellerId !== owner.resellerId) throw forbidden();
  // Reseller-level users belong to no project: a project-narrowed token never reaches them (claims decide).
  if (p.projectId !== null) throw forbidden();
}

/**
 * Subroles a user may hold: its customer's own and the tenant-wide ones. `owner` names the user's
 * owner directly (create) or through the user being updated (a locator's WHERE).
 */
export function subroleQuery(ctx: Ctx, owner: UserOwner | { user: SQL | undefined }, sel: SubroleSelector) {
  const by: SQL[] = [];
  if (sel.id !== undefined) by.push(eq(subroles.id, sel.id));
  if (sel.code !== undefined) by.push(eq(subroles.code, sel.code));
  let ownerTenant;
  let scope;
  if ("user" in owner) {
    ownerTenant = ctx.db.select({ t: users.tenantId }).from(users).where(owner.user);
    const ownerCustomer = ctx.db.select({ c: users.customerId }).from(users).where(owner.user);
    scope = or(isNull(subroles.customerId), inArray(subroles.customerId, ownerCustomer));
  } else if ("customerId" in owner) {
    ownerTenant = ctx.db.select({ t: customers.tenantId }).from(customers).where(customerMatch(customers.id, owner));
    scope = or(isNull(subroles.customerId), customerMatch(subroles.customerId, owner));
  } else {
    ownerTenant = ctx.db.select({ t: resellers.tenantId }).from(resellers).where(eq(resellers.id, owner.resellerId));
    scope = isNull(subroles.customerId);
  }
  return ctx.db
    .select({
      id: subroles.id,
      code: subroles.code,
      label: subroles.label,
      displayName: subroles.displayName,
      description: subroles.description,
      permissions: subroles.permissions,
      customerId: subroles.customerId,
    })
    .from(subroles)
    .where(and(inArray(subroles.tenantId, ownerTenant), scope, ...by))
    .limit(2);
}

/**
 * The subrole a selector names, preferring the customer's own over a tenant-wide one of the same
 * code; issues when none matches or id and code disagree.
 */
export function pickSubrole<R extends { id: string; code: string; customerId: string | null }>(sel: SubroleSelector, rows: R[]): R | FieldIssue {
  const match = rows
    .filter((r) => (sel.id === undefined || r.id === sel.id) && (sel.code === undefined || r.code === sel.code))
    .sort((a, b) => (a.customerId === null ? 1 : 0) - (b.customerId === null ? 1 : 0))[0];
  if (match) return match;
  const field = sel.id !== undefined ? "subrole.id" : "subrole.code";
  return { field, message: sel.id !== undefined && sel.code !== undefined ? "No subrole of this customer has this id and code." : "No subrole of this customer has this code." };
}

/** The named groups with their tenant, checked by groupIssues (un-awaited, to batch). */
export function groupsQuery(ctx: Ctx, ids: string[]) {
  return ctx.db.select({ id: groups.id, name: groups.name, tenantId: groups.tenantId }).from(groups).where(inArray(groups.id, ids.length ? ids : [""]));
}

/** One issue per listed group id that is not a group of the tenant (`groups.2.id`). */
export function groupIssues(ids: string[], found: { id: string; tenantId: string }[], tenantId: string): FieldIssue[] {
  const ok = new Set(found.filter((g) => g.tenantId === tenantId).map((g) => g.id));
  const issues: FieldIssue[] = [];
  ids.forEach((id, i) => {
    if (!ok.has(id)) issues.push({ field: `groups.${i}.id`, message: "No group of this tenant has this id." });
  });
  if (new Set(ids).size !== ids.length) issues.push({ field: "groups", message: "A group is listed twice." });
  if (ids.length > MAX_GROUPS) issues.push({ field: "groups", message: `At most ${MAX_GROUPS} groups.` });
  return issues;
}
