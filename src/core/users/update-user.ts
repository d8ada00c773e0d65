import { and, eq, isNull, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { hashPassword } from "../credentials/password";
import { auditEvents, userGroups, users, type UserStatus } from "../../db/schema";
import { auditInsertFrom, diff } from "../audit";
import { assertPermissionsWithin } from "../ceiling";
import { revokeUserTokens } from "../revocation";
import type { Ctx } from "../context";
import { invalid, type FieldIssue } from "../errors";
import { addressWhere, assertPathCustomerClaim, readUser, type UserAddress } from "./get-user";
import { chosenSubroleSql, groupsOkSql, GuardMismatch, subroleWithinSql, userReachSql } from "./guards";
import { fieldIssues, groupIssues, groupsQuery, mapUserWriteError, passwordIssues, pickSubrole, subroleQuery, type SubroleSelector } from "./rules";
import { pickProfile, profileColumns, toUser, userFromRow, type DerivedColumns, type StoredUser, type SubroleRef, type User, type UserProfile } from "./view";

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
 * Updates a live user in one round trip (docs/scaling.md#one-round-trip-per-write). One batch:
 * the reads the checks look at (the user, the subrole, the groups), then the audit event — an
 * `INSERT … SELECT` from the user's row that runs only when the checks hold in SQL (./guards.ts)
 * and something actually changes, its `changes` computed from the row as it was — and the writes
 * keyed on that event (the update, the group links, the revocation of older tokens). The checks
 * then run on what was read: a refusal is the precise answer it always was, and nothing was written.
 */
export async function updateUser(ctx: Ctx, a: UserAddress, patch: UserPatch, deps: { pepper: string }): Promise<User> {
  // The claims decide before the body does (403 before 400), as in every verb.
  assertPathCustomerClaim(ctx, a.customerId, a.project);
  const issues: FieldIssue[] = fieldIssues(pickProfile(patch));
  issues.push(...passwordIssues(patch.password));
  if (issues.length > 0) throw invalid("The user is not valid.", issues);
  const sel = patch.subrole ?? undefined;
  const groupIds = patch.groupIds ?? [];

  const { emailNorm, firstNameFold, lastNameFold, ...profile } = profileColumns(patch);
  const next: Record<string, unknown> = { ...profile };
  if (patch.status !== undefined) next.status = patch.status;
  if (patch.emailVerified !== undefined) next.emailVerified = patch.emailVerified;
  const passwordHash = patch.password === undefined ? undefined : await hashPassword(patch.password, deps.pepper);
  const now = ctx.now();
  const eventId = ctx.newId();
  const plan = writePlan(ctx, a, patch, next, { derived: { emailNorm, firstNameFold, lastNameFold }, passwordHash, now, eventId });

  let read;
  try {
    read = await readUser(ctx, a, [subroleQuery(ctx, { user: addressWhere(ctx, a) }, sel ?? { id: "" }), groupsQuery(ctx, groupIds), ...plan.writes]);
  } catch (err) {
    mapUserWriteError(err);
  }
  const {
    row,
    more: [subroleRows, groupRows, , updatedRows],
  } = read;
  const wrote = (updatedRows as unknown[]).length > 0;
  const before = toUser(row);
  let result;
  try {
    result = checked(ctx, patch, before, next, subroleRows, groupRows, issues);
  } catch (refusal) {
    if (wrote) throw new GuardMismatch("updateUser");
    throw refusal;
  }
  const { subrole, changed } = result;
  if (wrote !== changed) throw new GuardMismatch("updateUser");
  if (!changed) return before;
  return userFromRow(
    { ...before, ...(next as Partial<StoredUser>), hasPassword: before.hasPassword || patch.password !== undefined, updatedAt: now, updatedBy: ctx.principal.sub },
    subrole,
    patch.groupIds !== undefined ? groupIds.map((id) => ({ id, name: groupRows.find((g) => g.id === id)?.name ?? "" })) : before.groups,
  );
}

/** The checks of an update on what the batch read; whether it changes anything. */
function checked(
  ctx: Ctx,
  patch: UserPatch,
  before: User,
  next: Record<string, unknown>,
  subroleRows: Awaited<ReturnType<typeof subroleQuery>>,
  groupRows: Awaited<ReturnType<typeof groupsQuery>>,
  issues: FieldIssue[],
): { subrole: SubroleRef | null; changed: boolean } {
  let subrole = before.subrole;
  if (patch.subrole === null) subrole = null;
  if (patch.subrole) {
    const picked = pickSubrole(patch.subrole, subroleRows);
    if ("field" in picked) issues.push(picked);
    else subrole = { id: picked.id, code: picked.code, label: picked.label, displayName: picked.displayName, description: picked.description, permissions: picked.permissions };
  }
  if (patch.groupIds !== undefined) issues.push(...groupIssues(patch.groupIds, groupRows, before.tenantId));
  if (issues.length > 0) throw invalid("The user refers to something that does not exist.", issues);
  // What the user can do (its subrole) and what proves who it is (password, e-mail) are changed
  // only by a caller holding every permission the user holds, before and after (src/core/ceiling.ts).
  if (touchesGrant(patch)) {
    assertPermissionsWithin(ctx.principal, before.subrole?.permissions, "The user's subrole");
    assertPermissionsWithin(ctx.principal, subrole?.permissions, "The subrole");
  }
  const changes = diff(before as unknown as Record<string, unknown>, next);
  const subroleChanged = (subrole?.id ?? null) !== (before.subrole?.id ?? null);
  const beforeGroups = before.groups.map((g) => g.id).sort();
  const groupsChanged = patch.groupIds !== undefined && JSON.stringify([...patch.groupIds].sort()) !== JSON.stringify(beforeGroups);
  return { subrole, changed: Object.keys(changes).length > 0 || subroleChanged || groupsChanged || patch.password !== undefined };
}

const touchesGrant = (patch: UserPatch) => patch.subrole !== undefined || patch.password !== undefined || patch.email !== undefined;

/** Columns a patch may set, by the key it has in `next` (profile, status, emailVerified). */
const SETTABLE: Record<string, SQLiteColumn> = {
  firstName: users.firstName,
  lastName: users.lastName,
  email: users.email,
  mobile: users.mobile,
  status: users.status,
  emailVerified: users.emailVerified,
};

/**
 * The writes of an update, for the same batch as its reads: the event (guarded; `changes` from the
 * row as it was, `{field: {from, to}}` for what differs, never the password), then the update, the
 * group links and the revocation, each keyed on the event having been written.
 */
function writePlan(
  ctx: Ctx,
  a: UserAddress,
  patch: UserPatch,
  next: Record<string, unknown>,
  o: { derived: DerivedColumns; passwordHash: string | undefined; now: number; eventId: string },
) {
  const p = ctx.principal;
  const sel = patch.subrole ?? undefined;
  const newSubrole = patch.subrole === undefined ? undefined : sel === undefined ? sql`null` : chosenSubroleSql(sel, { tenantId: users.tenantId, customerId: users.customerId });
  const guard: SQL[] = [addressWhere(ctx, a) as SQL, userReachSql(p)];
  if (sel !== undefined) guard.push(sql`${newSubrole} is not null`);
  if (patch.groupIds !== undefined) guard.push(groupsOkSql(patch.groupIds, users.tenantId));
  if (touchesGrant(patch)) {
    guard.push(subroleWithinSql(p, users.subroleId));
    if (sel !== undefined) guard.push(subroleWithinSql(p, newSubrole as SQL));
  }

  // {field: {from, to}} for each field that differs, as diff() (../audit.ts) computes it.
  const entries: SQL[] = [];
  for (const [key, to] of Object.entries(next)) {
    const col = SETTABLE[key] as SQLiteColumn;
    const stored = sql`${sql.param(to, col)}`;
    const from = col === users.emailVerified ? sql`json(case when ${col} then 'true' else 'false' end)` : sql`${col}`;
    entries.push(sql`${key}, case when ${col} is not ${stored} then json_object('from', ${from}, 'to', json(${JSON.stringify(to)})) end`);
  }
  if (newSubrole !== undefined) entries.push(sql`'subroleId', case when ${users.subroleId} is not ${newSubrole} then json_object('from', ${users.subroleId}, 'to', ${newSubrole}) end`);
  if (patch.groupIds !== undefined) {
    const current = sql`(select json_group_array(g_c.group_id) from (select ${userGroups.groupId} as group_id from ${userGroups} where ${userGroups.userId} = ${users.id} order by 1) g_c)`;
    const sorted = JSON.stringify([...patch.groupIds].sort());
    entries.push(sql`'groupIds', case when ${current} <> json(${sorted}) then json_object('from', json(${current}), 'to', json(${JSON.stringify(patch.groupIds)})) end`);
  }
  if (patch.password !== undefined) entries.push(sql`'password', '[changed]'`);
  const changes =
    entries.length === 0
      ? sql`'{}'`
      : sql`(select json_group_object(key, case when type = 'object' then json(value) else value end) from json_each(json_object(${sql.join(entries, sql`, `)})) where type <> 'null')`;

  const written = sql`(select ${auditEvents.targetId} from ${auditEvents} where ${auditEvents.id} = ${o.eventId})`;
  const set: Partial<Record<keyof typeof users.$inferInsert, unknown>> = { ...next, updatedAt: o.now, updatedBy: p.sub };
  for (const [k, v] of Object.entries(o.derived)) if (v !== undefined) set[k as keyof DerivedColumns] = v;
  if (newSubrole !== undefined) set.subroleId = newSubrole;
  if (o.passwordHash !== undefined) set.passwordHash = o.passwordHash;
  // Older tokens of the user end with a new password, a changed subrole (their scopes) or inactivity.
  const revokeWhen: SQL[] = [];
  if (patch.password !== undefined) revokeWhen.push(sql`1`);
  if (newSubrole !== undefined) revokeWhen.push(sql`json_extract(${auditEvents.changes}, '$.subroleId') is not null`);
  if (patch.status !== undefined && patch.status !== "ACTIVE") revokeWhen.push(sql`json_extract(${auditEvents.changes}, '$.status') is not null`);
  const writes = [
    auditInsertFrom(
      ctx,
      { id: o.eventId, action: "user.updated", targetType: "user", targetId: sql`${users.id}`, tenantId: sql`${users.tenantId}`, customerId: sql`${users.customerId}`, changes },
      sql`from ${users} where ${and(...guard)} and ${changes} <> '{}'`,
    ),
    ctx.db
      .update(users)
      .set(set as Partial<typeof users.$inferInsert>)
      .where(and(eq(users.id, written), isNull(users.deletedAt)))
      .returning({ id: users.id }),
    ...(patch.groupIds !== undefined
      ? [
          ctx.db.delete(userGroups).where(eq(userGroups.userId, written)),
          ...patch.groupIds.map((groupId) => ctx.db.insert(userGroups).select(sql`select ${written}, ${groupId} where ${written} is not null`)),
        ]
      : []),
    ...(revokeWhen.length > 0
      ? revokeUserTokens(ctx, sql`${users.id} = (select ${auditEvents.targetId} from ${auditEvents} where ${auditEvents.id} = ${o.eventId} and (${sql.join(revokeWhen, sql` or `)}))`)
      : []),
  ];
  return { writes };
}
