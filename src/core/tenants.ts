import { asc, eq, sql } from "drizzle-orm";
import { tenants } from "../db/schema";
import { auditInsert, diff } from "./audit";
import { assertNotNarrowed } from "./ceiling";
import type { Ctx } from "./context";
import { constraintConflict, type UniqueRule } from "./db-errors";
import { forbidden, notFound } from "./errors";
import { sealed, type Receipt } from "./idempotency";
import { decodeCursor, splitPage } from "./paging";
import { assertTenantClaim, type ListInput } from "./resources";

export type TenantRow = typeof tenants.$inferSelect;
const uniques: UniqueRule[] = [{ match: "tenants.domain", subject: "tenant", field: "domain", message: "Another tenant has this domain." }];

/** Platform only: how a fresh deployment gets its first tenant. */
export async function createTenant(ctx: Ctx, input: { domain: string; name: string; requireIfMatch?: boolean | undefined }, receipt?: Receipt<TenantRow>): Promise<TenantRow> {
  if (ctx.principal.role !== "platform") throw forbidden("Only the platform creates tenants.");
  const now = ctx.now();
  const row: TenantRow = { id: ctx.newId(), domain: input.domain.trim().toLowerCase(), name: input.name, requireIfMatch: input.requireIfMatch ?? false, createdAt: now, updatedAt: now };
  const eventId = ctx.newId();
  const batch = await sealed(receipt, () => row, eventId, [
    ctx.db.insert(tenants).values(row),
    auditInsert(ctx, { id: eventId, tenantId: row.id, action: "tenant.created", targetType: "tenant", targetId: row.id, changes: { ...row } }),
  ]);
  try {
    await ctx.db.batch(batch.statements as never);
  } catch (err) {
    throw constraintConflict(err, uniques) ?? err;
  }
  return row;
}

export async function getTenant(ctx: Ctx, id: string): Promise<TenantRow> {
  assertTenantClaim(ctx, id);
  const [row] = await ctx.db.select().from(tenants).where(eq(tenants.id, id));
  if (!row) throw notFound("tenant");
  return row;
}

/** The platform sees every tenant; a tenant admin sees its own. */
export async function listTenants(ctx: Ctx, input: ListInput): Promise<{ data: TenantRow[]; nextCursor: string | null }> {
  const p = ctx.principal;
  const conditions = [];
  if (p.role !== "platform") conditions.push(eq(tenants.id, p.tenantId ?? ""));
  if (input.cursor !== undefined) {
    const [at, id] = decodeCursor(input.cursor, ["number", "string"], "tenants");
    conditions.push(sql`(${tenants.createdAt}, ${tenants.id}) > (${at}, ${id})`);
  }
  const rows = await ctx.db
    .select()
    .from(tenants)
    .where(conditions.length ? sql.join(conditions, sql` and `) : undefined)
    .orderBy(asc(tenants.createdAt), asc(tenants.id))
    .limit(input.limit + 1);
  return splitPage(rows, input.limit, (r) => [r.createdAt, r.id], "tenants");
}

export async function updateTenant(ctx: Ctx, id: string, patch: { domain?: string; name?: string; requireIfMatch?: boolean }): Promise<TenantRow> {
  assertTenantClaim(ctx, id);
  assertNotNarrowed(ctx.principal, "tenant");
  const existing = await getTenant(ctx, id);
  const next = { ...patch, ...(patch.domain !== undefined ? { domain: patch.domain.trim().toLowerCase() } : {}) };
  const changes = diff(existing, next);
  if (Object.keys(changes).length === 0) return existing;
  const updatedAt = ctx.now();
  try {
    await ctx.db.batch([
      ctx.db
        .update(tenants)
        .set({ ...next, updatedAt })
        .where(eq(tenants.id, id)),
      auditInsert(ctx, { tenantId: id, action: "tenant.updated", targetType: "tenant", targetId: id, changes }),
    ]);
  } catch (err) {
    throw constraintConflict(err, uniques) ?? err;
  }
  return { ...existing, ...next, updatedAt };
}
