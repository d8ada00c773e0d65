import { and, eq, exists, isNull, sql } from "drizzle-orm";
import { hashPassword } from "../credentials/password";
import { userGroups, users, type UserStatus } from "../../db/schema";
import { auditInsert, diff } from "../audit";
import { assertPermissionsWithin } from "../ceiling";
import { revokeTokens } from "../revocation";
import { foreignKeyFailed } from "../db-errors";
import type { Ctx } from "../context";
import { invalid, notFound, type FieldIssue } from "../errors";
import { addressWhere, assertPathCustomerClaim, readUser, type UserAddress } from "./get-user";
import { fieldIssues, groupIssues, groupsQuery, mapUserWriteError, passwordIssues, pickSubrole, subroleQuery, type SubroleSelector } from "./rules";
import { pickProfile, profileColumns, toUser, userFromRow, type StoredUser, type User, type UserProfile } from "./view";

/** A change: any profile fields (./view.ts), and what places the user — status, subrole, groups — and its password. */
export interface UserPatch extends Partial<UserProfile> {
  status?: UserStatus;
  /** null removes the subrole. */
  subrole?: SubroleSelector | null;
  /** Replaces the user's groups. */
  groupIds?: string[];
  password?: string;
  emailVerified?: boolean;
}

/**
 * Updates a live user: one read batch (user, subrole, groups), one write batch (update, group
 * links, audit with old and new values of what changed; never the password). A subrole or group
 * removed between the two makes a foreign key roll the batch back; the verb then runs once more
 * (see create-user.ts).
 */
export async function updateUser(ctx: Ctx, a: UserAddress, patch: UserPatch, deps: { pepper: string }, retry = true): Promise<User> {
  // The claims decide before the body does (403 before 400), as in every verb.
  assertPathCustomerClaim(ctx, a.customerId, a.project);
  const issues: FieldIssue[] = fieldIssues(pickProfile(patch));
  issues.push(...passwordIssues(patch.password));
  if (issues.length > 0) throw invalid("The user is not valid.", issues);
  const sel = patch.subrole ?? undefined;
  const groupIds = patch.groupIds ?? [];

  const {
    row,
    more: [subroleRows, groupRows],
  } = await readUser(ctx, a, [subroleQuery(ctx, { user: addressWhere(ctx, a) }, sel ?? { id: "" }), groupsQuery(ctx, groupIds)]);
  const before = toUser(row);

  const set: Partial<typeof users.$inferInsert> = {};
  const { emailNorm, ...profile } = profileColumns(patch);
  const next: Record<string, unknown> = { ...profile };
  if (patch.status !== undefined) next.status = patch.status;
  if (patch.emailVerified !== undefined) next.emailVerified = patch.emailVerified;
  let subrole = before.subrole;
  if (patch.subrole === null) subrole = null;
  if (sel !== undefined) {
    const picked = pickSubrole(sel, subroleRows);
    if ("field" in picked) issues.push(picked);
    else subrole = { id: picked.id, code: picked.code, label: picked.label, displayName: picked.displayName, description: picked.description, permissions: picked.permissions };
  }
  if (patch.groupIds !== undefined) issues.push(...groupIssues(groupIds, groupRows, before.tenantId));
  if (issues.length > 0) throw invalid("The user refers to something that does not exist.", issues);
  // What the user can do (its subrole) and what proves who it is (password, e-mail) are changed
  // only by a caller holding every permission the user holds, before and after (src/core/ceiling.ts).
  if (patch.subrole !== undefined || patch.password !== undefined || patch.email !== undefined) {
    assertPermissionsWithin(ctx.principal, before.subrole?.permissions, "The user's subrole");
    assertPermissionsWithin(ctx.principal, subrole?.permissions, "The subrole");
  }

  const changes: Record<string, unknown> = diff(before as unknown as Record<string, unknown>, next);
  if ((subrole?.id ?? null) !== (before.subrole?.id ?? null)) changes.subroleId = { from: before.subrole?.id ?? null, to: subrole?.id ?? null };
  const beforeGroups = before.groups.map((g) => g.id).sort();
  if (patch.groupIds !== undefined && JSON.stringify([...groupIds].sort()) !== JSON.stringify(beforeGroups)) changes.groupIds = { from: beforeGroups, to: groupIds };
  if (patch.password !== undefined) changes.password = "[changed]";
  if (Object.keys(changes).length === 0) return before;

  Object.assign(set, next);
  if (changes.email) set.emailNorm = emailNorm as string;
  if (changes.subroleId) set.subroleId = subrole?.id ?? null;
  if (patch.password !== undefined) set.passwordHash = await hashPassword(patch.password, deps.pepper);
  const now = ctx.now();
  set.updatedAt = now;
  set.updatedBy = ctx.principal.sub;

  const where = and(eq(users.id, before.id), isNull(users.deletedAt));
  // Older tokens of the user end with a new password, a changed subrole (their scopes) or inactivity.
  const revoke = patch.password !== undefined || changes.subroleId !== undefined || (changes.status !== undefined && next.status !== "ACTIVE");
  try {
    // The event goes first, written only while the user is still live, so an update that lost a
    // race with a delete leaves no event for a change that never happened.
    const [, updated] = await ctx.db.batch([
      auditInsert(
        ctx,
        { tenantId: before.tenantId, action: "user.updated", targetType: "user", targetId: before.id, customerId: before.customerId, changes },
        exists(ctx.db.select({ one: sql`1` }).from(users).where(where)),
      ),
      ctx.db.update(users).set(set).where(where).returning({ id: users.id }),
      ...(changes.groupIds
        ? [ctx.db.delete(userGroups).where(eq(userGroups.userId, before.id)), ...groupIds.map((groupId) => ctx.db.insert(userGroups).values({ userId: before.id, groupId }))]
        : []),
      ...(revoke ? revokeTokens(ctx, before.id) : []),
    ]);
    if (updated.length === 0) throw notFound("user");
  } catch (err) {
    if (retry && foreignKeyFailed(err)) return updateUser(ctx, a, patch, deps, false);
    mapUserWriteError(err);
  }
  return userFromRow(
    { ...before, ...(next as Partial<StoredUser>), hasPassword: before.hasPassword || patch.password !== undefined, updatedAt: now, updatedBy: ctx.principal.sub },
    subrole,
    changes.groupIds ? groupIds.map((id) => ({ id, name: groupRows.find((g) => g.id === id)?.name ?? "" })) : before.groups,
  );
}
