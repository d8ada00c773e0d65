/**
 * The write guards of the user verbs: the checks a verb makes on what it reads, written once more
 * as SQL conditions, so that the write rides in the same D1 batch as the reads (one round trip,
 * docs/scaling.md#one-round-trip-per-write). The batch runs the diagnostic reads first, then the
 * writes conditioned on these guards; the verb then runs its usual checks on what the reads
 * returned, so a refusal is the same precise 400/403/404 it always was, and the guard — which
 * holds exactly when those checks pass — made sure nothing was written.
 *
 * Every guard here mirrors one check, named beside it. A verb that finds its checks and its guard
 * disagreeing (the checks passed, the guarded write did not happen, or the other way round) fails
 * loudly (GuardMismatch, a 500), which the tests would show.
 */
import { and, eq, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { customers, groups, PERMISSIONS, subroles, users, type Permission } from "../../db/schema";
import { scopesFromPermissions } from "../ceiling";
import type { Ctx } from "../context";
import type { Principal } from "../principal";
import { MAX_GROUPS, type SubroleSelector } from "./rules";

export { GuardMismatch } from "../errors";

const TRUE = sql`1`;
const FALSE = sql`0`;

/** Permissions whose scope the principal does not hold (src/core/ceiling.ts: assertPermissionsWithin). */
function forbiddenPermissions(p: Principal): Permission[] {
  return PERMISSIONS.filter((perm) => scopesFromPermissions([perm]).some((s) => !p.scopes.has(s)));
}

/** A subrole (by an id expression) grants nothing the principal lacks — assertPermissionsWithin. */
export function subroleWithinSql(p: Principal, subroleId: SQL | SQLiteColumn): SQL {
  const bad = forbiddenPermissions(p);
  if (bad.length === 0) return TRUE;
  return sql`not exists (select 1 from ${subroles} s_c, json_each(s_c.permissions) p_c where s_c.id = ${subroleId} and p_c.value in (${sql.join(
    bad.map((b) => sql`${b}`),
    sql`, `,
  )}))`;
}

/** The customer columns of a row in reach — customerInReach (src/core/principal.ts). */
export function customerReachSql(p: Principal, c: { id: SQLiteColumn | SQL; tenantId: SQLiteColumn | SQL; resellerId: SQLiteColumn | SQL; projectId: SQLiteColumn | SQL }): SQL {
  if (p.role === "platform") return TRUE;
  const parts: SQL[] = [sql`${c.tenantId} = ${p.tenantId ?? ""}`];
  if (p.projectId !== null) parts.push(sql`${c.projectId} = ${p.projectId}`);
  if (p.role === "reseller") parts.push(sql`${c.resellerId} = ${p.resellerId ?? ""}`);
  if (p.role === "customer") parts.push(sql`${c.id} = ${p.customerId ?? ""}`);
  return and(...parts) as SQL;
}

/** The `users` row being read or written lies in the principal's reach — userRowInReach (./view.ts). */
export function userReachSql(p: Principal): SQL {
  const viaCustomer = sql`exists (select 1 from ${customers} where ${customers.id} = ${users.customerId} and ${customerReachSql(p, customers)})`;
  // Reseller-level users: never for a project-narrowed token; the platform; its tenant's admin; its reseller.
  let resellerLevel: SQL;
  if (p.projectId !== null || p.role === "customer") resellerLevel = FALSE;
  else if (p.role === "platform") resellerLevel = TRUE;
  else if (p.role === "tenant_admin") resellerLevel = eq(users.tenantId, p.tenantId ?? "");
  else resellerLevel = and(eq(users.tenantId, p.tenantId ?? ""), eq(users.resellerId, p.resellerId ?? "")) as SQL;
  return sql`(case when ${users.customerId} is not null then ${viaCustomer} else ${resellerLevel} end)`;
}

/**
 * The subrole a selector picks for an owner (its customer's own before a tenant-wide one of the same
 * code) as a scalar subquery — pickSubrole (./rules.ts).
 */
export function chosenSubroleSql(sel: SubroleSelector, owner: { tenantId: SQLiteColumn | SQL; customerId: SQLiteColumn | SQL | null }): SQL {
  const by: SQL[] = [];
  if (sel.id !== undefined) by.push(eq(subroles.id, sel.id));
  if (sel.code !== undefined) by.push(eq(subroles.code, sel.code));
  const scope = owner.customerId === null ? isNull(subroles.customerId) : or(isNull(subroles.customerId), sql`${subroles.customerId} = ${owner.customerId}`);
  return sql`(select ${subroles.id} from ${subroles} where ${and(sql`${subroles.tenantId} = ${owner.tenantId}`, scope, ...by)} order by ${subroles.customerId} is null limit 1)`;
}

/** Every named group is a group of the tenant, none twice, at most MAX_GROUPS — groupIssues (./rules.ts). */
export function groupsOkSql(ids: string[], tenantId: SQLiteColumn | SQL): SQL {
  if (ids.length === 0) return TRUE;
  if (new Set(ids).size !== ids.length || ids.length > MAX_GROUPS) return FALSE;
  return sql`(select count(*) from ${groups} where ${and(inArray(groups.id, ids), sql`${groups.tenantId} = ${tenantId}`)}) = ${ids.length}`;
}


/** What of a principal decides the form of a statement (its values are placeholders). */
export interface ShapePrincipal {
  role: Principal["role"];
  narrowed: boolean;
  scopes: string[];
}

export function shapePrincipal(p: Principal): ShapePrincipal {
  return { role: p.role, narrowed: p.projectId !== null, scopes: [...p.scopes].sort() };
}

/**
 * The values of the principal's placeholders (shapeCtx), and of the request's own. `now` is the
 * verb's one clock reading: what it stores and what it answers carry the same time.
 */
export function principalValues(ctx: Ctx, now: number): Record<string, unknown> {
  const p = ctx.principal;
  return {
    "p.sub": p.sub,
    "p.tenant": p.tenantId ?? "",
    "p.customer": p.customerId ?? "",
    "p.reseller": p.resellerId ?? "",
    "p.project": p.projectId ?? "",
    corr: ctx.correlationId,
    now,
  };
}

/**
 * The context a statement family is written against (src/db/shapes.ts): the renderer for a db,
 * and a principal whose role, project narrowing and scopes are the form's while every value is a
 * placeholder — so reach and ceiling guards are written by the same functions as everywhere else.
 */
export function shapeCtx(db: unknown, p: (name: string) => unknown, sp: ShapePrincipal): Ctx {
  const principal = {
    sub: p("p.sub"),
    role: sp.role,
    tenantId: p("p.tenant"),
    customerId: p("p.customer"),
    resellerId: p("p.reseller"),
    projectId: sp.narrowed ? p("p.project") : null,
    scopes: new Set(sp.scopes),
    issuedAt: 0,
  } as unknown as Principal;
  return {
    db: db as Ctx["db"],
    principal,
    correlationId: p("corr") as string,
    now: () => p("now") as number,
    newId: () => {
      throw new Error("a statement family draws no ids: they are values");
    },
    tokenLifetimeSeconds: 0,
  };
}
