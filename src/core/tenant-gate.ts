/**
 * A request that names its tenant by portal domain (CloudCockpit's `X-Tenant`, carried as
 * `ctx.tenantDomain`). The user verbs resolve the domain inside the batch they already send, so it
 * costs no round trip, and pass the gate before any reach check:
 *
 * - a domain that is not the token's tenant (unknown ones included) → 403;
 * - for a `platform` token the domain selects the tenant; an unknown one → 404.
 *
 * The gate only ever adds a check: the request then reaches what the token reaches *within that
 * tenant* (a platform token is confined to it; an owner or user outside it answers as absent).
 */
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { tenants } from "../db/schema";
import type { Ctx } from "./context";
import { forbidden, notFound, type Subject } from "./errors";

/** Domains are stored trimmed and lower-case; `X-Tenant` is compared the same way. */
export function normaliseDomain(domain: string): string {
  return domain.trim().toLowerCase();
}

/** `(select id from tenants where domain = ?)`: the tenant a domain names, inside a WHERE. */
export function tenantIdOfDomain(domain: string): SQL {
  return sql`(select ${tenants.id} from ${tenants} where ${tenants.domain} = ${normaliseDomain(domain)})`;
}

/**
 * Rows of the tenant a domain names, and — for a token bound to a tenant — of that tenant only (a
 * mismatch is refused by the gate with 403 anyway; this keeps the SQL honest on its own).
 */
export function inNamedTenant(ctx: Ctx, column: SQLiteColumn, domain: string): SQL {
  const p = ctx.principal;
  const byDomain = eq(column, tenantIdOfDomain(domain));
  return p.role === "platform" ? byDomain : (and(byDomain, eq(column, p.tenantId ?? "")) as SQL);
}

/** The gate's read, to append to a verb's first batch: none when the request names no tenant. */
export function tenantGateQueries(ctx: Ctx) {
  if (ctx.tenantDomain === undefined) return [];
  return [ctx.db.select({ id: tenants.id }).from(tenants).where(eq(tenants.domain, normaliseDomain(ctx.tenantDomain)))];
}

/**
 * Checks the gate's read (the rows of tenantGateQueries) before any reach check. Returns the id of
 * the tenant the request is confined to, or null when it names none.
 */
export function passTenantGate(ctx: Ctx, rows: { id: string }[] | undefined): string | null {
  if (ctx.tenantDomain === undefined) return null;
  const id = rows?.[0]?.id;
  const p = ctx.principal;
  if (p.role === "platform") {
    if (id === undefined) throw notFound("tenant", "No tenant has this domain.");
    return id;
  }
  if (id === undefined || id !== p.tenantId) throw forbidden("The X-Tenant domain is not the token's tenant.");
  return id;
}

/** An owner or user read by id that lies outside the named tenant is answered as absent (404). */
export function assertInNamedTenant(named: string | null, tenantId: string, subject: Subject): void {
  if (named !== null && named !== tenantId) throw notFound(subject);
}
