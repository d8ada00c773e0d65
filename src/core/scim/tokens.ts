/**
 * SCIM tokens (docs/scim.md#tokens): what an identity provider holds to provision one customer's
 * users. Issued by an admin who reaches the customer and holds what the token grants — its
 * customer's users, read and written (the privilege ceiling, ../ceiling.ts) —, listed with their
 * last use, revoked at once: a revocation of the token's subject that never expires (the token
 * lives ten years), in the batch that deletes its row.
 */
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { scimTokens, tokenRevocations, type Scope } from "../../db/schema";
import { auditInsert } from "../audit";
import type { Ctx } from "../context";
import { forbidden, notFound } from "../errors";
import { sealed, type Receipt } from "../idempotency";
import { getResource } from "../resources";
import { tenantPage, type PageInput } from "../tenant-page";
import { customerSpec } from "../tenant-resources";

export type ScimTokenRow = typeof scimTokens.$inferSelect;

export interface ScimTokenDeps {
  /** Signs the token of a row (src/auth/tokens.ts signScimToken): the core never holds the key. */
  sign(row: { id: string; tenantId: string; customerId: string }, issuedAtMs: number): Promise<string>;
  /** The subject a token of this id authenticates as (`scim:<id>`). */
  subject(id: string): string;
  /** What a token grants. */
  scopes: readonly Scope[];
}

export interface IssuedScimToken {
  row: ScimTokenRow;
  token: string;
}

/** A revocation that outlives every token it refuses (a SCIM token lives ten years). */
const FOREVER = Number.MAX_SAFE_INTEGER;

/**
 * Issues a token for a customer: 404 when the customer is not the caller's to see, 403 when the
 * caller does not hold what the token grants. The token is answered once; nothing stored recreates it.
 */
export async function issueScimToken(
  ctx: Ctx,
  tenantId: string,
  customerId: string,
  input: { description?: string | null | undefined },
  deps: ScimTokenDeps,
  receipt?: Receipt<IssuedScimToken>,
): Promise<IssuedScimToken> {
  await getResource(ctx, customerSpec, tenantId, customerId);
  const missing = deps.scopes.filter((s) => !ctx.principal.scopes.has(s));
  if (missing.length > 0) throw forbidden(`A SCIM token grants ${missing.join(", ")}, which the token does not hold.`);
  const now = ctx.now();
  const row: ScimTokenRow = { id: ctx.newId(), tenantId, customerId, description: input.description ?? null, createdAt: now, createdBy: ctx.principal.sub, lastUsedAt: null };
  const token = await deps.sign(row, now);
  const eventId = ctx.newId();
  const batch = await sealed(receipt, () => ({ row, token }), eventId, [
    ctx.db.insert(scimTokens).values(row),
    auditInsert(ctx, { id: eventId, tenantId, action: "scim_token.created", targetType: "scim_token", targetId: row.id, customerId, changes: { customerId, description: row.description } }),
  ]);
  await ctx.db.batch(batch.statements as never);
  return { row, token };
}

/** A customer's tokens, oldest first, in cursor pages (never the tokens themselves). */
export async function listScimTokens(ctx: Ctx, tenantId: string, customerId: string, page: PageInput): Promise<{ data: ScimTokenRow[]; nextCursor: string | null }> {
  await getResource(ctx, customerSpec, tenantId, customerId);
  const t = scimTokens;
  return tenantPage<ScimTokenRow>(
    ctx,
    tenantId,
    `scim-tokens:${customerId}`,
    { at: t.createdAt, id: t.id },
    page,
    (after) =>
      ctx.db
        .select()
        .from(t)
        .where(and(eq(t.tenantId, tenantId), eq(t.customerId, customerId), after))
        .orderBy(t.createdAt, t.id)
        .limit(page.limit + 1),
    (r) => [r.createdAt, r.id],
  );
}

/** Revokes a token at once: its row goes, and every request it signs from now on is refused. */
export async function revokeScimToken(ctx: Ctx, tenantId: string, customerId: string, id: string, deps: Pick<ScimTokenDeps, "subject">): Promise<void> {
  await getResource(ctx, customerSpec, tenantId, customerId);
  const t = scimTokens;
  const where = and(eq(t.id, id), eq(t.tenantId, tenantId), eq(t.customerId, customerId));
  const exists = sql`exists (select 1 from ${t} where ${where})`;
  const results = await ctx.db.batch([
    auditInsert(ctx, { tenantId, action: "scim_token.revoked", targetType: "scim_token", targetId: id, customerId, changes: {} }, exists),
    ctx.db
      .insert(tokenRevocations)
      .select(sql`select ${deps.subject(id)}, ${ctx.now()}, ${FOREVER} where ${exists}`)
      .onConflictDoUpdate({ target: tokenRevocations.subject, set: { notBefore: sql`excluded.not_before`, expiresAt: sql`excluded.expires_at` } }),
    ctx.db.delete(t).where(where).returning({ id: t.id }),
  ]);
  if ((results[2] as unknown[]).length === 0) throw notFound("token");
}

/** Notes a token's use (after the response), at most once a minute per token. */
export function touchScimToken(db: Db, id: string, now: number) {
  return db
    .update(scimTokens)
    .set({ lastUsedAt: now })
    .where(and(eq(scimTokens.id, id), or(isNull(scimTokens.lastUsedAt), lt(scimTokens.lastUsedAt, now - 60_000))));
}
