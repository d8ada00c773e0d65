/**
 * Revocation (docs/decisions/0007-privilege-ceiling.md, "Revocation"): a verb that disables,
 * removes or narrows a subject — or changes its password — puts these statements in the same batch
 * as its change, so every token of that subject issued before it is refused on its next request
 * (src/db/client.ts: the check rides the first statement each request already sends).
 *
 * A row lives until every token it refuses has expired (`expires_at`: now + the token lifetime and
 * the clock leeway), which makes it the tombstone of a deleted account; each new revocation purges
 * expired rows.
 */
import { lt, sql, type SQL } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import { tokenRevocations, users } from "../db/schema";
import type { Ctx } from "./context";

const qb = new QueryBuilder();

function window(ctx: Ctx) {
  const now = ctx.now();
  return { now, expiresAt: now + ctx.tokenLifetimeSeconds * 1000 };
}

const upsert = { target: tokenRevocations.subject, set: { notBefore: sql`excluded.not_before`, expiresAt: sql`excluded.expires_at` } };

/** Statements (un-run, to batch with the change) refusing the older tokens of one subject. */
export function revokeTokens(ctx: Ctx, subject: string) {
  const { now, expiresAt } = window(ctx);
  return [
    ctx.db.delete(tokenRevocations).where(lt(tokenRevocations.expiresAt, now)),
    ctx.db.insert(tokenRevocations).values({ subject, notBefore: now, expiresAt }).onConflictDoUpdate(upsert),
  ] as const;
}

/**
 * The same for every user a condition selects (e.g. the holders of a subrole whose permissions
 * changed). `at` gives the window's values (a statement family passes placeholders).
 */
export function revokeUserTokens(ctx: Ctx, where: SQL, at: { now: unknown; expiresAt: unknown } = window(ctx)) {
  const { now, expiresAt } = at as { now: number; expiresAt: number };
  return [
    ctx.db.delete(tokenRevocations).where(lt(tokenRevocations.expiresAt, now)),
    ctx.db
      .insert(tokenRevocations)
      .select(qb.select({ subject: users.id, notBefore: sql<number>`${now}`.as("not_before"), expiresAt: sql<number>`${expiresAt}`.as("expires_at") }).from(users).where(where))
      .onConflictDoUpdate(upsert),
  ] as const;
}
