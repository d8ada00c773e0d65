import { and, eq, isNull } from "drizzle-orm";
import { users } from "../../db/schema";
import { auditInsert } from "../audit";
import type { Ctx } from "../context";
import { notFound } from "../errors";
import { assertPathCustomerClaim, userInReachOr404, userQuery, type UserLocator } from "./get-user";

/**
 * Soft delete: the row stays for the audit trail, leaves every list of every dialect, and frees its
 * e-mail (the unique index covers live users only). A second delete is 404.
 */
export async function deleteUser(ctx: Ctx, loc: UserLocator): Promise<void> {
  assertPathCustomerClaim(ctx, loc.customerId);
  const row = userInReachOr404(ctx, loc, await userQuery(ctx, loc));
  const now = ctx.now();
  const [updated] = await ctx.db.batch([
    ctx.db
      .update(users)
      .set({ deletedAt: now, updatedAt: now, updatedBy: ctx.principal.sub })
      .where(and(eq(users.id, row.id as string), isNull(users.deletedAt)))
      .returning({ id: users.id }),
    auditInsert(ctx, { tenantId: row.tenantId as string, action: "user.deleted", targetType: "user", targetId: row.id as string, customerId: row.customerId ?? null, changes: {} }),
  ]);
  if (updated.length === 0) throw notFound("user");
}
