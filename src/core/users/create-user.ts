import { and, eq, getTableColumns, sql, type SQL } from "drizzle-orm";
import { hashPassword } from "../credentials/password";
import { customers, resellers, userGroups, users, type UserStatus } from "../../db/schema";
import { auditInsertFrom } from "../audit";
import { assertPermissionsWithin } from "../ceiling";
import type { Ctx } from "../context";
import { invalid, type FieldIssue } from "../errors";
import { customerMatch } from "../project-scope";
import { assertInNamedTenant, batchInTenant, inTenant, normaliseDomain, type TenantRef } from "../tenant-gate";
import { ShapeFamily } from "../../db/shapes";
import { sealed, type Receipt } from "../idempotency";
import { snapshotUser } from "../webhooks/outbox";
import { chosenSubroleSql, customerReachSql, groupsOkSql, GuardMismatch, principalValues, shapeCtx, shapePrincipal, subroleWithinSql, type ShapePrincipal } from "./guards";
import {
  MAX_GROUPS,
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
 * What a create knows of its user before its batch runs: everything but what the batch reads (the
 * owner's ids, the subrole, the groups). A response kept for an Idempotency-Key is rendered from
 * this (../idempotency.ts), so what a retry replays is what the first call answered.
 */
export type PlannedUser = Omit<User, "tenantId" | "customerId" | "resellerId" | "subrole" | "groups">;

/**
 * Creates a user in one round trip (docs/scaling.md#one-round-trip-per-write): one batch reads the
 * owner, the subrole and the groups (what the checks below look at) and then writes the user — an
 * `INSERT … SELECT` that inserts only when the same checks hold in SQL (./guards.ts) — its group
 * links and the audit event, both keyed on the new row. The checks then run on what was read, so a
 * refusal is the precise 400/403/404 it always was, and the guard made sure nothing was written. A
 * duplicate e-mail is refused by the unique index, which rolls the whole batch back.
 */
export async function createUser(ctx: Ctx, input: CreateUserInput, deps: CreateUserDeps, receipt?: Receipt<PlannedUser>): Promise<User> {
  const issues: FieldIssue[] = fieldIssues(pickProfile(input));
  issues.push(...passwordIssues(input.password));
  if (issues.length > 0) throw invalid("The user is not valid.", issues);
  assertOwnerClaims(ctx, input.owner);
  const groupIds = input.groupIds ?? [];
  const sel = input.subrole ?? null;

  const passwordHash = input.password === undefined ? null : await hashPassword(input.password, deps.pepper);
  const { key, args, values, stored } = createPlan(ctx, input, passwordHash);
  const batch = await sealed(receipt, () => plannedUser(stored, passwordHash !== null), values.eventId as string, createStatements.bind(ctx.db, key, args, values));

  let read;
  try {
    read = await batchInTenant(ctx, input.tenant, batch.statements as never);
  } catch (err) {
    mapUserWriteError(err);
  }
  const [ownerRows, subroleRows, groupRows, insertedRows] = batch.own(read.results as unknown[]) as unknown as CreateResults;
  const named = read.named;
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
    { ...stored, tenantId, customerId, resellerId, mobile: stored.mobile ?? null, hasPassword: passwordHash !== null } as StoredUser,
    subrole,
    groupIds.map((gid) => ({ id: gid, name: groupRows.find((g) => g.id === gid)?.name ?? "" })),
  );
}

/** The user a create returns, as far as it is known before its batch (the stored columns but the owner's). */
function plannedUser(stored: ReturnType<typeof createPlan>["stored"], hasPassword: boolean): PlannedUser {
  const { emailNorm: _n, firstNameFold: _f, lastNameFold: _l, ...shown } = stored;
  return { ...shown, mobile: shown.mobile ?? null, hasPassword };
}

/** A create's new row, the form of its batch and the values of its placeholders. */
function createPlan(ctx: Ctx, input: CreateUserInput, passwordHash: string | null) {
  const groupIds = input.groupIds ?? [];
  const now = ctx.now();
  const actor = ctx.principal.sub;
  const profile = profileColumns({ ...PROFILE_DEFAULTS, ...pickProfile(input) }) as UserProfile & Required<DerivedColumns>;
  const id = input.id ?? ctx.newId();
  // A fresh value no other row holds: the group links and the event key on (id, extAuthRefId), so
  // they are written only if this batch inserted the user.
  const extAuthRefId = ctx.newId();
  const stored = { id, ...profile, status: input.status ?? "ACTIVE", emailVerified: false, isFirstLogin: true, extAuthRefId, createdAt: now, createdBy: actor, updatedAt: now, updatedBy: actor, version: 1 };
  const { passwordHash: _hash, ...auditedKnown } = { ...stored, emailNorm: undefined, firstNameFold: undefined, lastNameFold: undefined, version: undefined, passwordHash };
  const plan = createShape(ctx, input, input.subrole ?? null, groupIds, {
    ...principalValues(ctx, now),
    ...Object.fromEntries(Object.entries(stored).map(([k, v]) => [`u.${k}`, typeof v === "boolean" ? Number(v) : v])),
    "u.passwordHash": passwordHash,
    eventId: ctx.newId(),
    auditKnown: JSON.stringify({ ...auditedKnown, groupIds, hasPassword: passwordHash !== null }),
  });
  return { ...plan, stored };
}

/** What the reads and the user insert of a create's batch return. */
type CreateResults = [OwnerRow[], Awaited<ReturnType<typeof subroleQuery>>, Awaited<ReturnType<typeof groupsQuery>>, { id: string }[]];

/** What decides the form of a create's batch (and so its key in the family below). */
interface CreateArgs {
  owner: "customer" | "project" | "reseller";
  ownerReseller: boolean;
  tenant: "none" | "id" | "domain";
  principal: ShapePrincipal;
  sel: "none" | "id" | "code" | "both";
  groups: number;
  /** Listed twice, or more than MAX_GROUPS: the guard is false whatever the data (groupIssues refuses). */
  groupsBad: boolean;
}

/** The form of a create and the values its placeholders take. */
function createShape(ctx: Ctx, input: CreateUserInput, sel: SubroleSelector | null, groupIds: string[], values: Record<string, unknown>) {
  const o = input.owner;
  const args: CreateArgs = {
    owner: "customerId" in o ? (o.project === undefined ? "customer" : "project") : "reseller",
    ownerReseller: "customerId" in o && o.resellerId !== undefined,
    tenant: input.tenant === undefined ? "none" : "id" in input.tenant ? "id" : "domain",
    principal: shapePrincipal(ctx.principal),
    sel: sel === null ? "none" : sel.id !== undefined && sel.code !== undefined ? "both" : sel.id !== undefined ? "id" : "code",
    groups: groupIds.length,
    groupsBad: new Set(groupIds).size !== groupIds.length || groupIds.length > MAX_GROUPS,
  };
  if ("customerId" in o) {
    values["o.customer"] = o.customerId;
    if (o.project !== undefined) values["o.projectKey"] = o.project.keyOrId;
    if (o.resellerId !== undefined) values["o.reseller"] = o.resellerId;
  } else values["o.reseller"] = o.resellerId;
  if (input.tenant !== undefined) values.tenant = "id" in input.tenant ? input.tenant.id : normaliseDomain(input.tenant.domain);
  values["sel.id"] = sel?.id ?? "";
  values["sel.code"] = sel?.code ?? "";
  groupIds.forEach((g, i) => (values[`g.${i}`] = g));
  return { key: JSON.stringify(args), args, values };
}

/**
 * A create's batch, rendered once per form (src/db/shapes.ts): the reads the checks look at (owner,
 * subrole, groups), then the guarded user insert, its group links and the event keyed on the new row.
 */
const createStatements = new ShapeFamily<CreateArgs>((db, p, a) => {
  const ctx = shapeCtx(db, p, a.principal);
  const owner: UserOwner =
    a.owner === "reseller"
      ? { resellerId: p("o.reseller") as string }
      : {
          customerId: p("o.customer") as string,
          ...(a.owner === "project" ? { project: { keyOrId: p("o.projectKey") as string, tenantId: a.principal.role === "platform" ? null : (p("p.tenant") as string) } } : {}),
          ...(a.ownerReseller ? { resellerId: p("o.reseller") as string } : {}),
        };
  const tenant: TenantRef | undefined = a.tenant === "none" ? undefined : a.tenant === "id" ? { id: p("tenant") as string } : { domain: p("tenant") as string };
  const sel: SubroleSelector | null =
    a.sel === "none" ? null : { ...(a.sel === "id" || a.sel === "both" ? { id: p("sel.id") as string } : {}), ...(a.sel === "code" || a.sel === "both" ? { code: p("sel.code") as string } : {}) };
  const groupIds = Array.from({ length: a.groups }, (_, i) => p(`g.${i}`) as string);
  const userId = p("u.id");
  const extRef = p("u.extAuthRefId");

  const source = ownerSource(ctx, owner, tenant);
  const subroleId = sel === null ? sql`null` : chosenSubroleSql(sel, source);
  const groupsOk = a.groupsBad ? sql`0` : groupsOkSql(groupIds, source.tenantId);
  const guard = and(source.where, groupsOk, ...(sel === null ? [] : [sql`${subroleId} is not null`, subroleWithinSql(ctx.principal, subroleId)]));
  const columns = Object.keys(getTableColumns(users)).map((k) => {
    if (k === "tenantId") return sql`${source.tenantId}`;
    if (k === "customerId") return source.customerId === null ? sql`null` : sql`${source.customerId}`;
    if (k === "resellerId") return sql`${source.resellerId}`;
    if (k === "subroleId") return subroleId;
    if (k === "deletedAt") return sql`null`;
    return sql`${p(`u.${k}`)}`;
  });
  const inserted = sql`exists (select 1 from ${users} where ${users.id} = ${userId} and ${users.extAuthRefId} = ${extRef})`;
  return [
    ownerQuery(ctx, owner),
    subroleQuery(ctx, owner, sel ?? { id: p("sel.id") as string }),
    groupsQuery(ctx, groupIds),
    db.insert(users).select(sql`select ${sql.join(columns, sql`, `)} from ${source.table} where ${guard}`).returning({ id: users.id }),
    ...groupIds.map((groupId) => db.insert(userGroups).select(sql`select ${userId}, ${groupId} where ${inserted}`)),
    auditInsertFrom(
      ctx,
      {
        id: p("eventId") as string,
        action: "user.created",
        targetType: "user",
        targetId: sql`${users.id}`,
        tenantId: sql`${users.tenantId}`,
        customerId: sql`${users.customerId}`,
        // What the batch decides (owner, subrole) is read from the row it wrote.
        changes: sql`json_set(${p("auditKnown")}, '$.tenantId', ${users.tenantId}, '$.customerId', ${users.customerId}, '$.resellerId', ${users.resellerId}, '$.subroleId', ${users.subroleId})`,
        sequence: sql`${users.version}`,
      },
      sql`from ${users} where ${users.id} = ${userId} and ${users.extAuthRefId} = ${extRef}`,
    ),
    snapshotUser(db, p("eventId") as string),
  ];
});

/** For tests: a create's cached statements, filled, against the same statements built with its values in place. */
export function compareCreateShape(ctx: Ctx, input: CreateUserInput) {
  const { key, args, values } = createPlan(ctx, input, input.password === undefined ? null : "pbkdf2-sha256$test");
  return createStatements.compare(key, args, values);
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
