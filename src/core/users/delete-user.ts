import { and, eq, exists, isNull, sql } from "drizzle-orm";
import { users } from "../../db/schema";
import { auditInsert } from "../audit";
import type { Ctx } from "../context";
import { notFound } from "../errors";
import { readUser, type UserAddress } from "./get-user";

/**
 * Soft delete: the row stays for the audit trail, leaves every list of every dialect, and frees its
 * e-mail (the unique index covers live users only). A second delete is 404.
 */
export async function deleteUser(ctx: Ctx, a: UserAddress): Promise<void> {
  const { row } = await readUser(ctx, a, []);
  const now = ctx.now();
  const live = and(eq(users.id, row.id as string), isNull(users.deletedAt));
  // The event goes first, written only while the user is still live: a concurrent delete that won
  // since the read leaves one event, not two (the batch is one transaction).
  const [, updated] = await ctx.db.batch([
    auditInsert(
      ctx,
      { tenantId: row.tenantId as string, action: "user.deleted", targetType: "user", targetId: row.id as string, customerId: row.customerId ?? null, changes: {} },
      exists(ctx.db.select({ one: sql`1` }).from(users).where(live)),
    ),
    ctx.db.update(users).set({ deletedAt: now, updatedAt: now, updatedBy: ctx.principal.sub }).where(live).returning({ id: users.id }),
  ]);
  if (updated.length === 0) throw notFound("user");
}
