/**
 * The tenant a request names, resolved before any reach check and inside the first batch a verb
 * already sends (no round trip of its own). Dialects name a tenant two ways — by id (the admin API's
 * path) or by portal domain (CloudCockpit's `X-Tenant`) — and hand the verb a `TenantRef`; no verb
 * knows which dialect asked.
 *
 * - by id: a token bound to another tenant → 403 (the claims decide); the platform's id selects.
 * - by domain: a domain that is not the token's tenant (unknown ones included) → 403; for a
 *   `platform` token the domain selects the tenant, and an unknown one → 404.
 *
 * The gate only ever adds a check: the request then reaches what the token reaches *within that
 * tenant* (a platform token is confined to it; an owner or user outside it answers as absent).
 */
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { tenants } from "../db/schema";
import { Shape } from "../db/shapes";
import type { Ctx } from "./context";
import { forbidden, notFound, type Subject } from "./errors";
import { tenantForbiddenByClaims } from "./principal";

/** A tenant as a request names it. */
export type TenantRef = { id: string } | { domain: string };

/**
 * Domains are stored trimmed and lower-case; `X-Tenant` is compared the same way. (A query shape
 * rendered once per isolate passes a placeholder, filled with the normalised domain.)
 */
export function normaliseDomain(domain: string): string {
  return typeof domain === "string" ? domain.trim().toLowerCase() : domain;
}

/** `(select id from tenants where domain = ?)`: the tenant a domain names, inside a WHERE. */
export function tenantIdOfDomain(domain: string): SQL {
  return sql`(select ${tenants.id} from ${tenants} where ${tenants.domain} = ${normaliseDomain(domain)})`;
}

/**
 * Rows of the tenant a ref names, and — for a token bound to a tenant — of that tenant only (a
 * mismatch is refused by the gate with 403 anyway; this keeps the SQL honest on its own).
 */
export function inTenant(ctx: Ctx, column: SQLiteColumn, ref: TenantRef): SQL {
  const p = ctx.principal;
  const named = "id" in ref ? eq(column, ref.id) : eq(column, tenantIdOfDomain(ref.domain));
  return p.role === "platform" ? named : (and(named, eq(column, p.tenantId ?? "")) as SQL);
}

const TENANT_ID = { id: tenants.id };
/** The tenant a domain names, rendered once per isolate (src/db/shapes.ts). */
const tenantByDomain = new Shape<{ domain: string }>((db, p) => db.select(TENANT_ID).from(tenants).where(eq(tenants.domain, p("domain"))), TENANT_ID);

/** The gate's read, to append to a verb's first batch: only a domain needs one. */
function gateQueries(ctx: Ctx, ref: TenantRef | undefined) {
  if (ref === undefined || "id" in ref) return [];
  return [tenantByDomain.bind(ctx.db, { domain: normaliseDomain(ref.domain) })];
}

/** Checks the gate (its read's rows for a domain). Returns the id of the tenant the request is confined to, or null. */
function passGate(ctx: Ctx, ref: TenantRef | undefined, rows: { id: string }[] | undefined): string | null {
  if (ref === undefined) return null;
  const p = ctx.principal;
  if ("id" in ref) {
    if (tenantForbiddenByClaims(p, ref.id)) throw forbidden();
    return ref.id;
  }
  const id = rows?.[0]?.id;
  if (p.role === "platform") {
    if (id === undefined) throw notFound("tenant", "No tenant has this domain.");
    return id;
  }
  if (id === undefined || id !== p.tenantId) throw forbidden("The X-Tenant domain is not the token's tenant.");
  return id;
}

type Batchable = Parameters<Ctx["db"]["batch"]>[0][number];

/**
 * A verb's first round trip: its own statements, with the gate of the tenant the request names
 * riding along. Returns their results (in order) and the tenant the request is confined to (null
 * when it names none); the gate has passed when this returns.
 */
export async function batchInTenant<const T extends readonly Batchable[]>(
  ctx: Ctx,
  ref: TenantRef | undefined,
  statements: T,
): Promise<{ results: { [K in keyof T]: Awaited<T[K]> }; named: string | null }> {
  // The claims decide a tenant named by id before anything is read.
  if (ref !== undefined && "id" in ref) passGate(ctx, ref, undefined);
  const gate = gateQueries(ctx, ref);
  const all = (await ctx.db.batch([...statements, ...gate] as unknown as [Batchable, ...Batchable[]])) as unknown[];
  const named = passGate(ctx, ref, all[statements.length] as { id: string }[] | undefined);
  return { results: all.slice(0, statements.length) as { [K in keyof T]: Awaited<T[K]> }, named };
}

/** An owner or user read by id that lies outside the named tenant is answered as absent (404). */
export function assertInNamedTenant(named: string | null, tenantId: string, subject: Subject): void {
  if (named !== null && named !== tenantId) throw notFound(subject);
}
