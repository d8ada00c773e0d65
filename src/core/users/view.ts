/**
 * How a user is read: one row per user with its customer's reach columns and its subrole; its
 * groups as JSON for one user, or (a page) from one statement for the whole page.
 */
import { is, sql, SQL } from "drizzle-orm";
import { customers, groups, subroles, userGroups, users, type Permission, type UserStatus } from "../../db/schema";
import type { Principal } from "../principal";
import { customerInReach } from "../principal";

export interface SubroleRef {
  id: string;
  code: string;
  label: string;
  displayName: string;
  description: string;
  permissions: Permission[];
}

/**
 * What a caller writes about a user as it is (the profile): one list, so that a new field of this
 * kind is added here, in the schema, in the rules (./fields.ts) and in each dialect's wire — the
 * create and update verbs copy, diff and audit these fields without naming them.
 */
export interface UserProfile {
  firstName: string;
  lastName: string;
  email: string;
  mobile: string | null;
  /** An identity provider's own id for the user (SCIM): as given, compared exactly. */
  externalId: string | null;
}
export const PROFILE_FIELDS = ["firstName", "lastName", "email", "mobile", "externalId"] as const satisfies readonly (keyof UserProfile)[];

/** The profile fields a create must give; the others start as PROFILE_DEFAULTS. */
export type RequiredProfile = Pick<UserProfile, "firstName" | "lastName" | "email">;
export const PROFILE_DEFAULTS: Omit<UserProfile, keyof RequiredProfile> = { mobile: null, externalId: null };

/** The profile fields present in an input (a create or a patch). */
export function pickProfile(input: Partial<UserProfile>): Partial<UserProfile> {
  const out: Partial<UserProfile> = {};
  for (const f of PROFILE_FIELDS) if (input[f] !== undefined) (out as Record<string, unknown>)[f] = input[f];
  return out;
}

/** Columns derived from the profile, stored beside it and never shown or audited. */
export interface DerivedColumns {
  /** The e-mail's uniqueness key. */
  emailNorm?: string;
  /** The names as searches compare them (foldForSearch). */
  firstNameFold?: string;
  lastNameFold?: string;
}

/** Text as searches compare it: NFKC, then lower-cased by Unicode's rules (`Émilie` → `émilie`). */
export function foldForSearch(text: string): string {
  return text.normalize("NFKC").toLowerCase();
}

/** The stored columns of profile values as given: names and e-mail trimmed, and the derived columns. */
export function profileColumns(p: Partial<UserProfile>): Partial<UserProfile> & DerivedColumns {
  const out: Partial<UserProfile> & DerivedColumns = {};
  for (const f of PROFILE_FIELDS) {
    const v = p[f];
    if (v === undefined) continue;
    (out as Record<string, unknown>)[f] = typeof v === "string" && f !== "mobile" && f !== "externalId" ? v.trim() : v;
  }
  if (out.email !== undefined) out.emailNorm = normaliseEmail(out.email);
  if (out.firstName !== undefined) out.firstNameFold = foldForSearch(out.firstName);
  if (out.lastName !== undefined) out.lastNameFold = foldForSearch(out.lastName);
  return out;
}

/** A user as the core hands it to the dialects: never the password hash. */
export interface User extends UserProfile {
  id: string;
  tenantId: string;
  customerId: string | null;
  resellerId: string | null;
  status: UserStatus;
  emailVerified: boolean;
  isFirstLogin: boolean;
  subrole: SubroleRef | null;
  groups: { id: string; name: string }[];
  hasPassword: boolean;
  extAuthRefId: string;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
  /** 1 when created, incremented by every write that changes what the user shows: its ETag (./preconditions.ts). */
  version: number;
}

/**
 * Every column read from a joined table carries its own alias: drizzle reads joins in D1's array
 * mode, and D1 collapses result columns of the same name (users.id and subroles.id), which shifts
 * every later value. A test reads a user with a subrole and groups back field by field.
 */
export const userSelection = {
  id: users.id,
  tenantId: users.tenantId,
  customerId: users.customerId,
  resellerId: users.resellerId,
  firstName: users.firstName,
  lastName: users.lastName,
  email: users.email,
  mobile: users.mobile,
  externalId: users.externalId,
  status: users.status,
  emailVerified: users.emailVerified,
  isFirstLogin: users.isFirstLogin,
  hasPassword: sql<number>`${users.passwordHash} is not null`.as("u_has_password"),
  extAuthRefId: users.extAuthRefId,
  createdAt: users.createdAt,
  createdBy: users.createdBy,
  updatedAt: users.updatedAt,
  updatedBy: users.updatedBy,
  version: users.version,
  subroleId: sql<string | null>`${subroles.id}`.as("sr_id"),
  subroleCode: sql<string | null>`${subroles.code}`.as("sr_code"),
  subroleLabel: sql<string | null>`${subroles.label}`.as("sr_label"),
  subroleDisplayName: sql<string | null>`${subroles.displayName}`.as("sr_display_name"),
  subroleDescription: sql<string | null>`${subroles.description}`.as("sr_description"),
  subrolePermissions: sql<string | null>`${subroles.permissions}`.as("sr_permissions"),
  groupsJson: sql<string>`(select json_group_array(json_object('id', g.id, 'name', g.name)) from user_groups ug join groups g on g.id = ug.group_id where ug.user_id = ${users.id})`.as(
    "u_groups",
  ),
  customerTenantId: sql<string | null>`${customers.tenantId}`.as("c_tenant_id"),
  customerResellerId: sql<string | null>`${customers.resellerId}`.as("c_reseller_id"),
  customerProjectId: sql<string | null>`${customers.projectId}`.as("c_project_id"),
};

/**
 * A user as one JSON text of `userSelection`'s columns (what `toUser` reads back, see
 * `userFromSnapshot`): a webhook event's frozen copy of its user, taken by the statement that
 * writes it (../webhooks/outbox.ts).
 */
export function userSnapshotSql(userId: SQL): SQL {
  const pairs = Object.entries(userSelection).map(([k, v]) => sql`${sql.raw(`'${k}'`)}, ${is(v, SQL.Aliased) ? v.sql : v}`);
  return sql`(select json_object(${sql.join(pairs, sql`, `)}) from ${users} left join ${customers} on ${customers.id} = ${users.customerId} left join ${subroles} on ${subroles.id} = ${users.subroleId} where ${users.id} = ${userId})`;
}

/** A user from its snapshot (userSnapshotSql); null when there is none. */
export function userFromSnapshot(snapshot: string | null): User | null {
  if (snapshot === null) return null;
  const row = JSON.parse(snapshot) as Record<string, unknown>;
  // json_object keeps a JSON-valued column as JSON (an array), or as text where SQLite lost its subtype.
  const groups = typeof row.groupsJson === "string" ? (JSON.parse(row.groupsJson) as { id: string; name: string }[]) : (row.groupsJson as { id: string; name: string }[] | null);
  return toUser(row as UserSelectionRow, groups ?? []);
}

/** The columns of a user in a list: its groups come from one query for the whole page (PAGE_GROUPS). */
const { groupsJson: _groups, ...listColumns } = userSelection;
export const userListSelection = listColumns;

/** The columns of a page's group links: one statement over the page's ids, not a subquery per user. */
export const PAGE_GROUPS = { userId: userGroups.userId, id: groups.id, name: groups.name };

/** The rows of a page's group links (PAGE_GROUPS, one statement for the page) by user id. */
export function groupsByUser(rows: { userId: string; id: string; name: string }[]): Map<string, { id: string; name: string }[]> {
  const out = new Map<string, { id: string; name: string }[]>();
  for (const r of rows) {
    const list = out.get(r.userId);
    if (list) list.push({ id: r.id, name: r.name });
    else out.set(r.userId, [{ id: r.id, name: r.name }]);
  }
  return out;
}

type Selected<T> = T extends { _: { data: infer D } } ? D : T extends { _: { type: infer D } } ? D : unknown;
export type UserSelectionRow = { [K in keyof typeof userSelection]: Selected<(typeof userSelection)[K]> | null };

/** The stored columns a User is assembled from (a row as read, written or about to be written). */
export type StoredUser = Omit<User, "subrole" | "groups">;

/** The one place a User is assembled: its stored columns, its subrole and its groups (sorted by name, then id). */
export function userFromRow(row: StoredUser, subrole: SubroleRef | null, groups: { id: string; name: string }[]): User {
  const sorted = groups.length < 2 ? groups : [...groups].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
  const user = {} as Record<string, unknown>;
  for (const k of STORED_KEYS) user[k] = row[k];
  user.subrole = subrole;
  user.groups = sorted;
  return user as unknown as User;
}

const STORED_KEYS = [
  "id",
  "tenantId",
  "customerId",
  "resellerId",
  ...PROFILE_FIELDS,
  "status",
  "emailVerified",
  "isFirstLogin",
  "hasPassword",
  "extAuthRefId",
  "createdAt",
  "createdBy",
  "updatedAt",
  "updatedBy",
  "version",
] as const satisfies readonly (keyof StoredUser)[];

/** A user from the row of `userSelection` (or of `userListSelection`, with its groups from the page's PAGE_GROUPS statement). */
export function toUser(r: UserSelectionRow | Omit<UserSelectionRow, "groupsJson">, groups?: { id: string; name: string }[]): User {
  const subrole: SubroleRef | null =
    r.subroleId == null
      ? null
      : {
          id: r.subroleId,
          code: r.subroleCode as string,
          label: r.subroleLabel as string,
          displayName: r.subroleDisplayName as string,
          description: r.subroleDescription as string,
          permissions: JSON.parse(r.subrolePermissions ?? "[]") as Permission[],
        };
  const list = groups ?? (JSON.parse((("groupsJson" in r ? r.groupsJson : null) as string | null) ?? "[]") as { id: string; name: string }[]);
  // Assembled from the row as read (one object, no intermediate copies: a list does this per user),
  // then the columns SQLite stores as integers or may leave null are given their types.
  const user = userFromRow(r as unknown as StoredUser, subrole, list);
  user.customerId ??= null;
  user.resellerId ??= null;
  user.mobile ??= null;
  user.externalId ??= null;
  user.emailVerified = Boolean(user.emailVerified);
  user.isFirstLogin = Boolean(user.isFirstLogin);
  user.hasPassword = Boolean(user.hasPassword);
  return user;
}

/** Whether a read user row lies within the principal's reach (reseller-level users have no customer). */
export function userRowInReach(p: Principal, r: Omit<UserSelectionRow, "groupsJson">): boolean {
  if (r.customerId != null) {
    if (r.customerTenantId == null) return false;
    return customerInReach(p, {
      id: r.customerId,
      tenantId: r.customerTenantId,
      resellerId: r.customerResellerId ?? null,
      projectId: r.customerProjectId ?? null,
    });
  }
  // Reseller-level users belong to no project: a project-narrowed token of any role never reaches them.
  if (p.projectId !== null) return false;
  if (p.role === "platform") return true;
  if (p.tenantId !== r.tenantId) return false;
  if (p.role === "tenant_admin") return true;
  return p.role === "reseller" && r.resellerId === p.resellerId;
}

/** E-mail as compared for uniqueness: trimmed and case-folded. */
export function normaliseEmail(email: string): string {
  // (A statement rendered once per isolate passes a placeholder, filled with the normalised value.)
  return typeof email === "string" ? email.trim().toLowerCase() : email;
}
