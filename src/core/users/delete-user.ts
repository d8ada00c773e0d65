import { and, eq, isNull, sql, type SQL } from "drizzle-orm";
import { auditEvents, users } from "../../db/schema";
import { ShapeFamily } from "../../db/shapes";
import { auditInsertFrom } from "../audit";
import { snapshotUser } from "../webhooks/outbox";
import type { Ctx } from "../context";
import { addressForm, addressOf, addressValues, addressWhere, builtUserQuery, readUser, type AddressForm, type UserAddress } from "./get-user";
import { assertPreconditions, preconditionForm, preconditionSql, preconditionValues, requirementQuery, type PreconditionForm, type Preconditions } from "./preconditions";
import { GuardMismatch, principalValues, shapeCtx, shapePrincipal, userReachSql, type ShapePrincipal } from "./guards";

/**
 * Soft delete: the row stays for the audit trail, leaves every list of every dialect, and frees its
 * e-mail (the unique index covers live users only). A second delete is 404.
 *
 * One round trip (docs/scaling.md#one-round-trip-per-write): the read of the user, the event —
 * written from the user's row only while it is live and in the caller's reach (./guards.ts) — and
 * the update keyed on that event, in one batch rendered once per form (src/db/shapes.ts); readUser
 * then answers 403/404 from what was read.
 */
export async function deleteUser(ctx: Ctx, a: UserAddress, cond: Preconditions = {}): Promise<void> {
  const { key, args, values } = deleteShape(ctx, a, cond);
  const { row, more } = await readUser(ctx, a, [], deleteStatements.bind(ctx.db, key, args, values));
  const [requirement, , deleted] = more as unknown as [{ required: number }[], unknown, unknown[]];
  try {
    assertPreconditions(cond, { id: row.id as string, version: row.version as number }, Boolean(requirement[0]?.required));
  } catch (refusal) {
    if (deleted.length > 0) throw new GuardMismatch("deleteUser");
    throw refusal;
  }
  // The checks passed on what was read, so the guarded write must have happened.
  if (deleted.length === 0) throw new GuardMismatch("deleteUser");
}

interface DeleteArgs {
  address: AddressForm;
  principal: ShapePrincipal;
  precondition: PreconditionForm;
}

function deleteShape(ctx: Ctx, a: UserAddress, cond: Preconditions) {
  const args: DeleteArgs = { address: addressForm(a), principal: shapePrincipal(ctx.principal), precondition: preconditionForm(cond) };
  return { key: JSON.stringify(args), args, values: { ...principalValues(ctx, ctx.now()), ...addressValues(a), ...preconditionValues(cond), eventId: ctx.newId() } };
}

const deleteStatements = new ShapeFamily<DeleteArgs>((db, p, f) => {
  const ctx = shapeCtx(db, p, f.principal);
  const a = addressOf(p, f.address, f.principal);
  const eventId = p("eventId");
  const target = and(addressWhere(ctx, a), userReachSql(ctx.principal), preconditionSql(f.precondition, p)) as SQL;
  const written = sql`(select ${auditEvents.targetId} from ${auditEvents} where ${auditEvents.id} = ${eventId})`;
  return [
    builtUserQuery(ctx, a),
    requirementQuery(db, addressWhere(ctx, a) as SQL),
    auditInsertFrom(
      ctx,
      // Written before the update: the sequence is the version the delete is about to give.
      { id: eventId as string, action: "user.deleted", targetType: "user", targetId: sql`${users.id}`, tenantId: sql`${users.tenantId}`, customerId: sql`${users.customerId}`, changes: sql`'{}'`, sequence: sql`${users.version} + 1` },
      sql`from ${users} where ${target}`,
    ),
    db
      .update(users)
      .set({ deletedAt: p("now") as number, updatedAt: p("now") as number, updatedBy: ctx.principal.sub, version: sql`${users.version} + 1` })
      .where(and(eq(users.id, written), isNull(users.deletedAt)))
      .returning({ id: users.id }),
    snapshotUser(db, eventId as string),
  ];
});

/** For tests: a delete's cached statements, filled, against the same statements built with its values in place. */
export function compareDeleteShape(ctx: Ctx, a: UserAddress, cond: Preconditions = {}) {
  const { key, args, values } = deleteShape(ctx, a, cond);
  return deleteStatements.compare(key, args, values);
}
