/**
 * The privilege ceiling (docs/decisions/0007-privilege-ceiling.md): a principal can only create,
 * change or hand out what it holds itself — reach (tenant, project, reseller, customer) and
 * permissions (scopes; a subrole's permissions count as the scopes the token endpoint maps them to).
 *
 * Every verb that grants anything asks this module, and nothing else decides it:
 *   - accounts (create, PATCH, DELETE): the account before and after lies within the ceiling;
 *   - subroles (create, PATCH, DELETE): their permissions lie within the principal's scopes;
 *   - users: a write that assigns a subrole, or touches what proves who the user is (password,
 *     e-mail), needs the user's subrole before and after within the principal's scopes;
 *   - a project-narrowed principal writes only inside its project (customers, their subroles,
 *     accounts narrowed to it) and only reads what lies there or is tenant-wide configuration.
 * A grant beyond the ceiling is FORBIDDEN (403 in every dialect) and writes nothing.
 */
import { eq, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import { QueryBuilder, type SQLiteColumn } from "drizzle-orm/sqlite-core";
import { accounts, customers, projects, subroles, type Permission, type Role, type Scope } from "../db/schema";
import { forbidden, type Subject } from "./errors";
import type { Principal } from "./principal";

/** Subrole permissions → token scopes (the token endpoint issues exactly these to a login). */
export function scopesFromPermissions(permissions: readonly string[]): Scope[] {
  const scopes: Scope[] = [];
  if (permissions.includes("customer_user:read")) scopes.push("users:read");
  if (permissions.includes("customer_user:write") || permissions.includes("customer_user:create")) scopes.push("users:write");
  return scopes;
}

/** The scopes of `wanted` the principal does not hold. */
function missingScopes(p: Principal, wanted: readonly string[]): string[] {
  return wanted.filter((s) => !p.scopes.has(s as Scope));
}

/** 403 unless the principal holds every scope a subrole's permissions grant. */
export function assertPermissionsWithin(p: Principal, permissions: readonly Permission[] | null | undefined, what: string): void {
  const missing = missingScopes(p, scopesFromPermissions(permissions ?? []));
  if (missing.length > 0) throw forbidden(`${what} grants ${missing.join(", ")}, which the token does not hold.`);
}

const RANK: Record<Role, number> = { customer: 0, reseller: 1, tenant_admin: 2, platform: 3 };

/** What an account grants: the claims a token of it carries. */
export interface AccountGrant {
  role: Role;
  tenantId: string | null;
  projectId: string | null;
  resellerId: string | null;
  customerId: string | null;
  scopes: readonly Scope[];
}

/**
 * 403 unless an account (as it is, or as a write would leave it) lies within the principal's
 * ceiling: no higher role, the principal's project if it is narrowed, its reseller or customer
 * if it is one, and no scope it does not hold. The customer's own reach (its tenant and project)
 * is checked where the reference is resolved (a customer out of reach does not exist for it).
 */
export function assertAccountWithin(p: Principal, a: AccountGrant): void {
  if (p.role !== "platform") {
    if (a.tenantId !== p.tenantId) throw forbidden("The account lies outside the token's tenant.");
    if (RANK[a.role] > RANK[p.role]) throw forbidden(`The token cannot grant the role ${a.role}.`);
    // Only administrators hold the admin API; a reseller or customer token never grants accounts.
    if (p.role === "reseller" || p.role === "customer") throw forbidden("Only administrators grant accounts.");
  }
  if (p.projectId !== null && a.projectId !== p.projectId) throw forbidden("A project-narrowed token only grants accounts narrowed to its project.");
  const missing = missingScopes(p, a.scopes);
  if (missing.length > 0) throw forbidden(`The account would hold ${missing.join(", ")}, which the token does not hold.`);
}

/** Whether the principal is narrowed to one project (a `project_id` claim). */
export function narrowed(p: Principal): p is Principal & { projectId: string } {
  return p.projectId !== null;
}

/** 403 for a project-narrowed principal: the resource is tenant-wide configuration it may only read. */
export function assertNotNarrowed(p: Principal, subject: Subject): void {
  if (narrowed(p)) throw forbidden(`A project-narrowed token cannot change ${subject === "tenant" ? "the tenant" : `tenant-wide ${subject}s`}.`);
}

const qb = new QueryBuilder();

/** Customers of the principal's project (subquery), for the narrowed reads below. */
function projectCustomerIds(projectId: string) {
  return qb.select({ id: customers.id }).from(customers).where(eq(customers.projectId, projectId));
}

/**
 * The rows of a tenant-owned resource a project-narrowed principal can see (a WHERE term; undefined:
 * all of the tenant). Anything else answers as absent (404), exactly like a missing row.
 */
export function narrowedWhere(p: Principal, subject: Subject): SQL | undefined {
  if (!narrowed(p)) return undefined;
  switch (subject) {
    case "project":
      return eq(projects.id, p.projectId);
    case "customer":
      return eq(customers.projectId, p.projectId);
    case "account":
      return eq(accounts.projectId, p.projectId);
    case "subrole":
      return or(isNull(subroles.customerId), inArray(subroles.customerId, projectCustomerIds(p.projectId)));
    case "webhook":
      // Subscriptions carry every customer's events and their deliveries: not a narrowed principal's.
      return sql`0`;
    default:
      return undefined; // resellers, groups, the tenant itself: tenant-wide configuration, readable.
  }
}

/** The audit events a narrowed principal sees: those about its project's customers. */
export function narrowedAuditWhere(p: Principal, customerIdColumn: SQLiteColumn): SQL | undefined {
  if (!narrowed(p)) return undefined;
  return inArray(customerIdColumn, projectCustomerIds(p.projectId));
}
