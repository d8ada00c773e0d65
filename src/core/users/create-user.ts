import { and, eq, getTableColumns, sql, type SQL } from "drizzle-orm";
import { hashPassword } from "../credentials/password";
import { customers, resellers, userGroups, users, type UserStatus } from "../../db/schema";
import { auditInsertFrom } from "../audit";
import { assertPermissionsWithin } from "../ceiling";
import type { Ctx } from "../context";
import { invalid, type FieldIssue } from "../errors";
import { customerMatch } from "../project-scope";
import { assertInNamedTenant, batchInTenant, inTenant, type TenantRef } from "../tenant-gate";
import { chosenSubroleSql, customerReachSql, groupsOkSql, GuardMismatch, subroleWithinSql } from "./guards";
import {
  assertOwnerClaims,
  checkOwnerReach,
  fieldIssues,
  groupIssues,
  groupsQuery,
  mapUserWriteError,
  ownerQuery,
  passwordIssues,
  pickSubrole,
  subroleQuery,
  type OwnerRow,
  type SubroleSelector,
  type UserOwner,
} from "./rules";
import { pickProfile, PROFILE_DEFAULTS, profileColumns, userFromRow, type DerivedColumns, type RequiredProfile, type StoredUser, type SubroleRef, type User, type UserProfile } from "./view";

/** A new user: its profile (./view.ts) and what places it — owner, subrole, groups — and its password. */
export interface CreateUserInput extends RequiredProfile, Partial<Omit<UserProfile, keyof RequiredProfile>> {
  owner: UserOwner;
  /** The tenant the request names (CloudCockpit's X-Tenant), if any: see ../tenant-gate.ts. */
  tenant?: TenantRef;
  /** Client-chosen id (CloudCockpit); otherwise generated. */
  id?: string;
  subrole?: SubroleSelector | null;
  groupIds?: string[];
  /** Plain password (Corti); hashed here, never stored or logged as given. */
  password?: string;
  status?: UserStatus;
}

export interface CreateUserDeps {
  pepper: string;
}

/**
 * Creates a user in one round trip (docs/scaling.md#one-round-trip-per-write): one batch reads the
 * owner, the subrole and the groups (what the checks below look at) and then writes the user — an
 * `INSERT … SELECT` that inserts only when the same checks hold in SQL (./guards.ts) — its group
 * links and the audit event, both keyed on the new row. The checks then run on what was read, so a
 * refusal is the precise 400/403/404 it always was, and the guard made sure nothing was written. A
 * duplicate e-mail is refused by the unique index, which rolls the whole batch back.
 */
export async function createUser(ctx: Ctx, input: CreateUserInput, deps: CreateUserDeps): Promise<User> {
  const issues: FieldIssue[] = fieldIssues(pickProfile(input));
  issues.push(...passwordIssues(input.password));
  if (issues.length > 0) throw invalid("The user is not valid.", issues);
  assertOwnerClaims(ctx, input.owner);
  const groupIds = input.groupIds ?? [];
  const sel = input.subrole ?? null;

  const now = ctx.now();
  const actor = ctx.principal.sub;
  const profile = profileColumns({ ...PROFILE_DEFAULTS, ...pickProfile(input) }) as UserProfile & Required<DerivedColumns>;
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password, deps.pepper);
  const id = input.id ?? ctx.newId();
  // A fresh value no other row holds: the group links and the event key on (id, extAuthRefId), so
  // they are written only if this batch inserted the user.
  const extAuthRefId = ctx.newId();
  const stored = { id, ...profile, status: input.status ?? "ACTIVE", emailVerified: false, isFirstLogin: true, extAuthRefId, createdAt: now, createdBy: actor, updatedAt: now, updatedBy: actor };
  const source = ownerSource(ctx, input.owner, input.tenant);
  const subroleId = sel === null ? sql`null` : chosenSubroleSql(sel, source);
  const guard = and(source.where, groupsOkSql(groupIds, source.tenantId), ...(sel === null ? [] : [sql`${subroleId} is not null`, subroleWithinSql(ctx.principal, subroleId)]));
  const values: Record<keyof typeof users.$inferInsert, SQL> = {
    ...(Object.fromEntries(Object.entries(stored).map(([k, v]) => [k, sql`${sql.param(v, users[k as keyof typeof stored])}`])) as Record<keyof typeof stored, SQL>),
    tenantId: sql`${source.tenantId}`,
    customerId: source.customerId === null ? sql`null` : sql`${source.customerId}`,
    resellerId: sql`${source.resellerId}`,
    subroleId,
    passwordHash: sql`${passwordHash}`,
    deletedAt: sql`null`,
  };
  const columns = Object.keys(getTableColumns(users)).map((k) => values[k as keyof typeof values]);
  const inserted = sql`exists (select 1 from ${users} where ${users.id} = ${id} and ${users.extAuthRefId} = ${extAuthRefId})`;
  const { passwordHash: _hash, ...auditedKnown } = { ...stored, emailNorm: undefined, firstNameFold: undefined, lastNameFold: undefined, passwordHash };
  const writes = [
    ctx.db.insert(users).select(sql`select ${sql.join(columns, sql`, `)} from ${source.table} where ${guard}`).returning({ id: users.id }),
    ...groupIds.map((groupId) => ctx.db.insert(userGroups).select(sql`select ${id}, ${groupId} where ${inserted}`)),
    auditInsertFrom(
      ctx,
      {
        id: ctx.newId(),
        action: "user.created",
        targetType: "user",
        targetId: sql`${users.id}`,
        tenantId: sql`${users.tenantId}`,
        customerId: sql`${users.customerId}`,
        // What the batch decides (owner, subrole) is read from the row it wrote.
        changes: sql`json_set(${JSON.stringify({ ...auditedKnown, groupIds, hasPassword: passwordHash !== null })}, '$.tenantId', ${users.tenantId}, '$.customerId', ${users.customerId}, '$.resellerId', ${users.resellerId}, '$.subroleId', ${users.subroleId})`,
      },
      sql`from ${users} where ${users.id} = ${id} and ${users.extAuthRefId} = ${extAuthRefId}`,
    ),
  ] as const;

  let read;
  try {
    read = await batchInTenant(ctx, input.tenant, [ownerQuery(ctx, input.owner), subroleQuery(ctx, input.owner, sel ?? { id: "" }), groupsQuery(ctx, groupIds), ...writes]);
  } catch (err) {
    mapUserWriteError(err);
  }
  const {
    results: [ownerRows, subroleRows, groupRows, insertedRows],
    named,
  } = read;
  const wrote = insertedRows.length > 0;
  const checked = () => {
    const { tenantId, resellerId, customerId } = checkOwnerReach(ctx, input.owner, ownerRows[0] as OwnerRow | undefined);
    assertInNamedTenant(named, tenantId, "customerId" in input.owner ? "customer" : "reseller");
    let subrole: SubroleRef | null = null;
    if (sel !== null) {
      const picked = pickSubrole(sel, subroleRows);
      if ("field" in picked) issues.push(picked);
      else subrole = { id: picked.id, code: picked.code, label: picked.label, displayName: picked.displayName, description: picked.description, permissions: picked.permissions };
    }
    issues.push(...groupIssues(groupIds, groupRows, tenantId));
    if (issues.length > 0) throw invalid("The user refers to something that does not exist.", issues);
    // Handing out a subrole is a grant: only of what the caller holds itself (src/core/ceiling.ts).
    if (subrole !== null) assertPermissionsWithin(ctx.principal, subrole.permissions, "The subrole");
    return { tenantId, resellerId, customerId, subrole };
  };
  let owner;
  try {
    owner = checked();
  } catch (refusal) {
    if (wrote) throw new GuardMismatch("createUser");
    throw refusal;
  }
  if (!wrote) throw new GuardMismatch("createUser");
  const { tenantId, resellerId, customerId, subrole } = owner;
  return userFromRow(
    { ...stored, tenantId, customerId, resellerId, mobile: profile.mobile ?? null, hasPassword: passwordHash !== null } as StoredUser,
    subrole,
    groupIds.map((gid) => ({ id: gid, name: groupRows.find((g) => g.id === gid)?.name ?? "" })),
  );
}

/**
 * Where an `INSERT … SELECT` reads a new user's owner: the customer (or reseller) row the owner
 * names, in the caller's reach and the tenant the request names — checkOwnerReach and the tenant
 * gate as SQL (./guards.ts).
 */
function ownerSource(ctx: Ctx, owner: UserOwner, tenant: TenantRef | undefined) {
  const p = ctx.principal;
  if ("customerId" in owner) {
    const where = and(
      customerMatch(customers.id, owner),
      customerReachSql(p, customers),
      owner.resellerId === undefined ? undefined : eq(customers.resellerId, owner.resellerId),
      tenant === undefined ? undefined : inTenant(ctx, customers.tenantId, tenant),
    ) as SQL;
    return { table: customers, where, tenantId: customers.tenantId, customerId: customers.id, resellerId: customers.resellerId };
  }
  const where = and(
    eq(resellers.id, owner.resellerId),
    p.role === "platform" ? undefined : eq(resellers.tenantId, p.tenantId ?? ""),
    tenant === undefined ? undefined : inTenant(ctx, resellers.tenantId, tenant),
  ) as SQL;
  return { table: resellers, where, tenantId: resellers.tenantId, customerId: null, resellerId: resellers.id };
}
