import { and, eq, isNull, sql, type SQL } from "drizzle-orm";
import { auditEvents, users } from "../../db/schema";
import { auditInsertFrom } from "../audit";
import type { Ctx } from "../context";
import { addressWhere, readUser, type UserAddress } from "./get-user";
import { GuardMismatch, userReachSql } from "./guards";

/**
 * Soft delete: the row stays for the audit trail, leaves every list of every dialect, and frees its
 * e-mail (the unique index covers live users only). A second delete is 404.
 *
 * One round trip (docs/scaling.md#one-round-trip-per-write): the read of the user, the event —
 * written from the user's row only while it is live and in the caller's reach (./guards.ts) — and
 * the update keyed on that event, in one batch; readUser then answers 403/404 from what was read.
 */
export async function deleteUser(ctx: Ctx, a: UserAddress): Promise<void> {
  const now = ctx.now();
  const eventId = ctx.newId();
  const target = and(addressWhere(ctx, a), userReachSql(ctx.principal)) as SQL;
  const written = sql`(select ${auditEvents.targetId} from ${auditEvents} where ${auditEvents.id} = ${eventId})`;
  const {
    more: [, updated],
  } = await readUser(ctx, a, [
    auditInsertFrom(
      ctx,
      { id: eventId, action: "user.deleted", targetType: "user", targetId: sql`${users.id}`, tenantId: sql`${users.tenantId}`, customerId: sql`${users.customerId}`, changes: sql`'{}'` },
      sql`from ${users} where ${target}`,
    ),
    ctx.db.update(users).set({ deletedAt: now, updatedAt: now, updatedBy: ctx.principal.sub }).where(and(eq(users.id, written), isNull(users.deletedAt))).returning({ id: users.id }),
  ]);
  // readUser returned: the checks passed on what was read, so the guarded write must have happened.
  if (updated.length === 0) throw new GuardMismatch("deleteUser");
}
