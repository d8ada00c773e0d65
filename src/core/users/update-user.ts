import { and, eq, getTableColumns, isNull, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { hashPassword } from "../credentials/password";
import { auditEvents, userGroups, users, type UserStatus } from "../../db/schema";
import { auditInsertFrom, diff } from "../audit";
import { snapshotUser } from "../webhooks/outbox";
import { assertPermissionsWithin } from "../ceiling";
import { revokeUserTokens } from "../revocation";
import type { Ctx } from "../context";
import { invalid, type FieldIssue } from "../errors";
import { ShapeFamily } from "../../db/shapes";
import { addressForm, addressOf, addressValues, addressWhere, assertPathCustomerClaim, builtUserQuery, readUser, type AddressForm, type UserAddress } from "./get-user";
import { chosenSubroleSql, groupsOkSql, GuardMismatch, principalValues, shapeCtx, shapePrincipal, subroleWithinSql, userReachSql, type ShapePrincipal } from "./guards";
import { assertPreconditions, preconditionForm, preconditionSql, preconditionValues, requirementQuery, type PreconditionForm, type Preconditions } from "./preconditions";
import { fieldIssues, groupIssues, groupsQuery, mapUserWriteError, MAX_GROUPS, passwordIssues, pickSubrole, subroleQuery, type SubroleSelector } from "./rules";
import { pickProfile, profileColumns, toUser, userFromRow, type DerivedColumns, type StoredUser, type SubroleRef, type User, type UserProfile } from "./view";

/** A change: any profile fields (./view.ts), and what places the user — status, subrole, groups — and its password. */
export interface UserPatch extends Partial<UserProfile> {
  status?: UserStatus;
  /** null removes the subrole. */
  subrole?: SubroleSelector | null;
  /** Replaces the user's groups. */
  groupIds?: string[];
  password?: string;
  /** A password hash from an import (../credentials/imported.ts, parsed there): stored as given in place of a password. Never from a request. */
  importedHash?: string;
  emailVerified?: boolean;
}

/** Whether a change sets the password (given, or an imported hash). */
const setsPassword = (patch: UserPatch) => patch.password !== undefined || patch.importedHash !== undefined;

/**
 * Updates a live user in one round trip (docs/scaling.md#one-round-trip-per-write). One batch:
 * the reads the checks look at (the user, the subrole, the groups), then the audit event — an
 * `INSERT … SELECT` from the user's row that runs only when the checks hold in SQL (./guards.ts)
 * and something actually changes, its `changes` computed from the row as it was — and the writes
 * keyed on that event (the update, the group links, the revocation of older tokens). The checks
 * then run on what was read: a refusal is the precise answer it always was, and nothing was written.
 */
export async function updateUser(ctx: Ctx, a: UserAddress, patch: UserPatch, deps: { pepper: string }, cond: Preconditions = {}): Promise<User> {
  // The claims decide before the body does (403 before 400), as in every verb.
  assertPathCustomerClaim(ctx, a.customerId, a.project);
  const issues: FieldIssue[] = fieldIssues(pickProfile(patch));
  issues.push(...passwordIssues(patch.password));
  if (issues.length > 0) throw invalid("The user is not valid.", issues);
  const groupIds = patch.groupIds ?? [];

  const { emailNorm, firstNameFold, lastNameFold, ...profile } = profileColumns(patch);
  const next: Record<string, unknown> = { ...profile };
  if (patch.status !== undefined) next.status = patch.status;
  if (patch.emailVerified !== undefined) next.emailVerified = patch.emailVerified;
  const passwordHash = patch.importedHash ?? (patch.password === undefined ? undefined : await hashPassword(patch.password, deps.pepper));
  const now = ctx.now();
  const { key, args, values } = updateShape(ctx, a, patch, next, { emailNorm, firstNameFold, lastNameFold }, passwordHash, now, cond);

  let read;
  try {
    read = await readUser(ctx, a, [], updateStatements.bind(ctx.db, key, args, values));
  } catch (err) {
    mapUserWriteError(err);
  }
  const row = read.row;
  const [requirement, subroleRows, groupRows, , updatedRows] = read.more as unknown as UpdateResults;
  const wrote = (updatedRows as unknown[]).length > 0;
  const before = toUser(row);
  let result;
  try {
    // The precondition first (RFC 9110 §13.2.2: once the target is known, before the change is weighed).
    assertPreconditions(cond, before, Boolean(requirement[0]?.required));
    result = checked(ctx, patch, before, next, subroleRows, groupRows, issues);
  } catch (refusal) {
    if (wrote) throw new GuardMismatch("updateUser");
    throw refusal;
  }
  const { subrole, changed } = result;
  if (wrote !== changed) throw new GuardMismatch("updateUser");
  if (!changed) return before;
  return userFromRow(
    { ...before, ...(next as Partial<StoredUser>), hasPassword: before.hasPassword || setsPassword(patch), updatedAt: now, updatedBy: ctx.principal.sub, version: before.version + 1 },
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
  return { subrole, changed: Object.keys(changes).length > 0 || subroleChanged || groupsChanged || setsPassword(patch) };
}

const touchesGrant = (patch: UserPatch) => patch.subrole !== undefined || setsPassword(patch) || patch.email !== undefined;

/** The columns of `users` by key: a patch's `next` keys (profile, status, emailVerified) are column keys. */
const USER_COLUMNS: Record<string, SQLiteColumn> = getTableColumns(users);

/** What the reads and the update of an update's batch return (after the user's read). */
type UpdateResults = [{ required: number }[], Awaited<ReturnType<typeof subroleQuery>>, Awaited<ReturnType<typeof groupsQuery>>, unknown, { id: string }[]];

/** What decides the form of an update's batch (and so its key in the family below). */
interface UpdateArgs {
  address: AddressForm;
  principal: ShapePrincipal;
  /** The keys of `next` (profile, status, emailVerified), in order. */
  next: string[];
  derived: string[];
  subrole: "keep" | "remove" | "id" | "code" | "both";
  /** How many groups the patch lists (null: it does not touch them). */
  groups: number | null;
  groupsBad: boolean;
  password: boolean;
  statusInactive: boolean;
  precondition: PreconditionForm;
}

/** The form of an update and the values of its placeholders. */
function updateShape(
  ctx: Ctx,
  a: UserAddress,
  patch: UserPatch,
  next: Record<string, unknown>,
  derived: DerivedColumns,
  passwordHash: string | undefined,
  now: number,
  cond: Preconditions,
) {
  const sel = patch.subrole;
  const ids = patch.groupIds;
  const definedDerived = Object.entries(derived).filter(([, v]) => v !== undefined);
  const args: UpdateArgs = {
    address: addressForm(a),
    principal: shapePrincipal(ctx.principal),
    next: Object.keys(next),
    derived: definedDerived.map(([k]) => k),
    subrole: sel === undefined ? "keep" : sel === null ? "remove" : sel.id !== undefined && sel.code !== undefined ? "both" : sel.id !== undefined ? "id" : "code",
    groups: ids === undefined ? null : ids.length,
    groupsBad: ids !== undefined && (new Set(ids).size !== ids.length || ids.length > MAX_GROUPS),
    password: setsPassword(patch),
    statusInactive: patch.status !== undefined && patch.status !== "ACTIVE",
    precondition: preconditionForm(cond),
  };
  const values: Record<string, unknown> = {
    ...principalValues(ctx, now),
    ...addressValues(a),
    ...preconditionValues(cond),
    eventId: ctx.newId(),
    expiresAt: now + ctx.tokenLifetimeSeconds * 1000,
    now,
  };
  for (const [k, v] of Object.entries(next)) {
    values[`n.${k}`] = typeof v === "boolean" ? Number(v) : v;
    values[`nj.${k}`] = JSON.stringify(v);
  }
  for (const [k, v] of definedDerived) values[`d.${k}`] = v;
  values["sel.id"] = sel?.id ?? "";
  values["sel.code"] = sel?.code ?? "";
  (ids ?? []).forEach((g, i) => (values[`g.${i}`] = g));
  if (ids !== undefined) {
    values.groupsSorted = JSON.stringify([...ids].sort());
    values.groupsGiven = JSON.stringify(ids);
  }
  values.pwHash = passwordHash ?? null;
  return { key: JSON.stringify(args), args, values };
}

/**
 * An update's batch, rendered once per form (src/db/shapes.ts): the reads the checks look at (the
 * user, the subrole, the groups), then the event (guarded; `changes` from the row as it was,
 * `{field: {from, to}}` for what differs, never the password) and the writes keyed on it — the
 * update, the group links, the revocation of older tokens.
 */
const updateStatements = new ShapeFamily<UpdateArgs>((db, p, f) => {
  const ctx = shapeCtx(db, p, f.principal);
  const pr = ctx.principal;
  const a = addressOf(p, f.address, f.principal);
  const sel: SubroleSelector | undefined =
    f.subrole === "keep" || f.subrole === "remove"
      ? undefined
      : { ...(f.subrole !== "code" ? { id: p("sel.id") as string } : {}), ...(f.subrole !== "id" ? { code: p("sel.code") as string } : {}) };
  const groupIds = Array.from({ length: f.groups ?? 0 }, (_, i) => p(`g.${i}`) as string);
  const touches = f.subrole !== "keep" || f.password || f.next.includes("email");
  const newSubrole = f.subrole === "keep" ? undefined : sel === undefined ? sql`null` : chosenSubroleSql(sel, { tenantId: users.tenantId, customerId: users.customerId });
  const guard: SQL[] = [addressWhere(ctx, a) as SQL, userReachSql(pr), preconditionSql(f.precondition, p)];
  if (sel !== undefined) guard.push(sql`${newSubrole} is not null`);
  if (f.groups !== null) guard.push(f.groupsBad ? sql`0` : groupsOkSql(groupIds, users.tenantId));
  if (touches) {
    guard.push(subroleWithinSql(pr, users.subroleId));
    if (sel !== undefined) guard.push(subroleWithinSql(pr, newSubrole as SQL));
  }

  // {field: {from, to}} for each field that differs, as diff() (../audit.ts) computes it.
  const entries: SQL[] = [];
  for (const key of f.next) {
    const col = USER_COLUMNS[key] as SQLiteColumn;
    const from = col === users.emailVerified ? sql`json(case when ${col} then 'true' else 'false' end)` : sql`${col}`;
    entries.push(sql`${key}, case when ${col} is not ${p(`n.${key}`)} then json_object('from', ${from}, 'to', json(${p(`nj.${key}`)})) end`);
  }
  if (newSubrole !== undefined) entries.push(sql`'subroleId', case when ${users.subroleId} is not ${newSubrole} then json_object('from', ${users.subroleId}, 'to', ${newSubrole}) end`);
  if (f.groups !== null) {
    const current = sql`(select json_group_array(g_c.group_id) from (select ${userGroups.groupId} as group_id from ${userGroups} where ${userGroups.userId} = ${users.id} order by 1) g_c)`;
    entries.push(sql`'groupIds', case when ${current} <> json(${p("groupsSorted")}) then json_object('from', json(${current}), 'to', json(${p("groupsGiven")})) end`);
  }
  if (f.password) entries.push(sql`'password', '[changed]'`);
  const changes =
    entries.length === 0
      ? sql`'{}'`
      : sql`(select json_group_object(key, case when type = 'object' then json(value) else value end) from json_each(json_object(${sql.join(entries, sql`, `)})) where type <> 'null')`;

  const eventId = p("eventId");
  const written = sql`(select ${auditEvents.targetId} from ${auditEvents} where ${auditEvents.id} = ${eventId})`;
  const set: Record<string, unknown> = { updatedAt: p("now"), updatedBy: pr.sub, version: sql`${users.version} + 1` };
  for (const key of f.next) set[key] = p(`n.${key}`);
  for (const key of f.derived) set[key] = p(`d.${key}`);
  if (newSubrole !== undefined) set.subroleId = newSubrole;
  if (f.password) set.passwordHash = p("pwHash");
  // Older tokens of the user end with a new password, a changed subrole (their scopes) or inactivity.
  const revokeWhen: SQL[] = [];
  if (f.password) revokeWhen.push(sql`1`);
  if (newSubrole !== undefined) revokeWhen.push(sql`json_extract(${auditEvents.changes}, '$.subroleId') is not null`);
  if (f.statusInactive) revokeWhen.push(sql`json_extract(${auditEvents.changes}, '$.status') is not null`);
  return [
    builtUserQuery(ctx, a),
    requirementQuery(db, addressWhere(ctx, a) as SQL),
    subroleQuery(ctx, { user: addressWhere(ctx, a) }, sel ?? { id: p("sel.id") as string }),
    groupsQuery(ctx, groupIds),
    auditInsertFrom(
      ctx,
      // Written before the update: the sequence is the version the update is about to give.
      { id: eventId as string, action: "user.updated", targetType: "user", targetId: sql`${users.id}`, tenantId: sql`${users.tenantId}`, customerId: sql`${users.customerId}`, changes, sequence: sql`${users.version} + 1` },
      sql`from ${users} where ${and(...guard)} and ${changes} <> '{}'`,
    ),
    db
      .update(users)
      .set(set as Partial<typeof users.$inferInsert>)
      .where(and(eq(users.id, written), isNull(users.deletedAt)))
      .returning({ id: users.id }),
    ...(f.groups !== null
      ? [
          db.delete(userGroups).where(eq(userGroups.userId, written)),
          ...groupIds.map((groupId) => db.insert(userGroups).select(sql`select ${written}, ${groupId} where ${written} is not null`)),
        ]
      : []),
    ...(revokeWhen.length > 0
      ? revokeUserTokens(
          ctx,
          sql`${users.id} = (select ${auditEvents.targetId} from ${auditEvents} where ${auditEvents.id} = ${eventId} and (${sql.join(revokeWhen, sql` or `)}))`,
          { now: p("now"), expiresAt: p("expiresAt") },
        )
      : []),
    snapshotUser(db, eventId as string),
  ];
});

/** For tests: an update's cached statements, filled, against the same statements built with its values in place. */
export function compareUpdateShape(ctx: Ctx, a: UserAddress, patch: UserPatch, cond: Preconditions = {}) {
  const { emailNorm, firstNameFold, lastNameFold, ...profile } = profileColumns(patch);
  const next: Record<string, unknown> = { ...profile };
  if (patch.status !== undefined) next.status = patch.status;
  if (patch.emailVerified !== undefined) next.emailVerified = patch.emailVerified;
  const { key, args, values } = updateShape(ctx, a, patch, next, { emailNorm, firstNameFold, lastNameFold }, patch.password === undefined ? undefined : "pbkdf2-sha256$test", ctx.now(), cond);
  return updateStatements.compare(key, args, values);
}
