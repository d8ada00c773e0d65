/**
 * The one user-list verb behind every dialect. Worth (filters, search, sort, page numbers), Corti
 * (page/pageSize) and CloudCockpit (sorted lists, continuation tokens, search over names and
 * e-mail) each translate their query language into a UserListQuery; the reach check, the SQL, the
 * tie-breaking and the paging rules are here once.
 *
 * One round trip: the owner check, the count and the page go in a single batch.
 */
import { and, asc, count, desc, eq, exists, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { customers, customerUserCounts, subroles, userGroups, users } from "../../db/schema";
import { packedRows, pagePosition } from "../../db/shapes";
import { customerCountShape, customerOwnerShape, newestPageGroupsShape, newestPageShape } from "./hot-shapes";
import type { Ctx } from "../context";
import { forbidden, invalid } from "../errors";
import { customerMatch, type ProjectRef } from "../project-scope";
import { assertInNamedTenant, batchInTenant, inTenant, type TenantRef } from "../tenant-gate";
import { checkOwnerReach, ownerQuery, type OwnerRow } from "./rules";
import { foldForSearch, groupsByUser, pageGroupsQuery, toUser, userListSelection, userRowInReach, type User, type UserSelectionRow } from "./view";

export const USER_FIELDS = [
  "id",
  "firstName",
  "lastName",
  "email",
  "mobile",
  "status",
  "emailVerified",
  "isFirstLogin",
  "subroleId",
  "subroleCode",
  "createdBy",
  "createdAt",
  "updatedAt",
] as const;
export type UserField = (typeof USER_FIELDS)[number];

const COLUMNS: Record<UserField, SQLiteColumn> = {
  id: users.id,
  firstName: users.firstName,
  lastName: users.lastName,
  // Compared and sorted case-insensitively, as uniqueness is.
  email: users.emailNorm,
  mobile: users.mobile,
  status: users.status,
  emailVerified: users.emailVerified,
  isFirstLogin: users.isFirstLogin,
  subroleId: users.subroleId,
  subroleCode: subroles.code,
  createdBy: users.createdBy,
  createdAt: users.createdAt,
  updatedAt: users.updatedAt,
};

export type UserCondition =
  | { op: "eq"; field: UserField; value: string | number | boolean | null }
  | { op: "gte" | "lte"; field: UserField; value: string | number }
  /** Case-insensitive substring; the text is literal (no wildcards). */
  | { op: "contains"; field: UserField; value: string }
  /** Case-insensitive substring in any of the fields (CloudCockpit's `search`). */
  | { op: "anyContains"; fields: UserField[]; value: string }
  /** Member of at least one of the groups. */
  | { op: "inGroups"; groupIds: string[] };

export interface UserSort {
  field: UserField;
  dir: "asc" | "desc";
}

export type UserListScope =
  /**
   * One customer's users: reach is checked on the customer (403 from claims, else 404). With
   * `project` (Corti), `customerId` is the customer's key or id within that project; with `tenant`,
   * the customer must lie in the tenant the request names (../tenant-gate.ts).
   */
  | { customerId: string; project?: ProjectRef | undefined; resellerId?: string | undefined; tenant?: TenantRef }
  /** A tenant's users (CloudCockpit /v1/users), narrowed to the principal's reach. */
  | { tenant: TenantRef; resellerId?: string | undefined };

export type UserPage =
  | { kind: "offset"; offset: number; limit: number; withTotal: boolean }
  /** Keyset: rows strictly after `after` (the sort key of the last row seen) in sort order. */
  | { kind: "after"; after?: (string | number | null)[]; limit: number; withTotal?: boolean };

export interface UserListQuery {
  scope: UserListScope;
  where: UserCondition[];
  /** The id is always appended as the last key, so the order is total and pages never overlap. */
  sort: UserSort[];
  page: UserPage;
}

export interface UserListResult {
  users: User[];
  /** Only for pages with `withTotal`: every matching user, not only those after a keyset key. */
  total: number | null;
  hasMore: boolean;
  /** Sort key of the last user returned, for the next keyset page. */
  lastKey: (string | number | null)[] | null;
}

/** D1 allows 100 bound parameters per statement; lists that bind sets stay well under it. */
export const MAX_SET_SIZE = 50;

/**
 * Where a substring search looks for each field: the names in their stored Unicode folds, the
 * e-mail in its (Unicode lower-cased) uniqueness key; other fields are ASCII (ids, codes, phone
 * numbers, statuses), which SQLite's lower() folds correctly.
 */
const FOLDED = new Map<SQLiteColumn, SQLiteColumn>([
  [users.firstName, users.firstNameFold],
  [users.lastName, users.lastNameFold],
  [users.emailNorm, users.emailNorm],
]);

/** Case-insensitive substring, for every script: the needle folded as the stored folds are (foldForSearch). */
function lowerInstr(col: SQLiteColumn, text: string): SQL {
  const folded = FOLDED.get(col);
  const needle = foldForSearch(text);
  // A row without a fold (written by SQL outside the verbs) falls back to lower(), ASCII only.
  return folded ? sql`instr(coalesce(${folded}, lower(${col}), ''), ${needle}) > 0` : sql`instr(lower(coalesce(${col}, '')), ${needle}) > 0`;
}

function conditionSql(c: UserCondition): SQL {
  switch (c.op) {
    case "eq":
      return c.value === null ? isNull(COLUMNS[c.field]) : eq(COLUMNS[c.field], c.field === "email" ? String(c.value).trim().toLowerCase() : c.value);
    case "gte":
      return sql`${COLUMNS[c.field]} >= ${c.value}`;
    case "lte":
      return sql`${COLUMNS[c.field]} <= ${c.value}`;
    case "contains":
      return lowerInstr(COLUMNS[c.field], c.value);
    case "anyContains":
      return or(...c.fields.map((f) => lowerInstr(COLUMNS[f], c.value))) as SQL;
    case "inGroups":
      // exists() wraps query builders in parentheses but not raw SQL, so they are written here.
      return exists(
        sql`(select 1 from ${userGroups} where ${userGroups.userId} = ${users.id} and ${inArray(userGroups.groupId, c.groupIds)})`,
      );
  }
}

function scopeSql(ctx: Ctx, scope: UserListScope): SQL[] {
  const p = ctx.principal;
  if ("customerId" in scope) return [customerMatch(users.customerId, scope)];
  // A reseller token may name only its own reseller (claims decide: 403).
  if (scope.resellerId !== undefined && p.role === "reseller" && scope.resellerId !== p.resellerId) throw forbidden();
  const conditions: SQL[] = [inTenant(ctx, users.tenantId, scope.tenant)];
  if (scope.resellerId !== undefined) conditions.push(eq(users.resellerId, scope.resellerId));
  if (p.role === "reseller") conditions.push(eq(users.resellerId, p.resellerId ?? ""));
  if (p.role === "customer") conditions.push(eq(users.customerId, p.customerId ?? ""));
  if (p.projectId !== null) conditions.push(eq(customers.projectId, p.projectId));
  return conditions;
}

const NULLABLE = new Set<SQLiteColumn>([users.mobile, users.subroleId, subroles.code]);

/** Nullable sort columns sort as '' so that ORDER BY and the keyset comparison agree. */
function sortExpr(col: SQLiteColumn): SQL | SQLiteColumn {
  return NULLABLE.has(col) ? sql`coalesce(${col}, '')` : col;
}

/** Keyset condition "strictly after `key` in this order", one direction for all keys. */
function afterSql(order: { col: SQLiteColumn; dir: "asc" | "desc" }[], key: (string | number | null)[]): SQL {
  if (key.length !== order.length) throw invalid("The continuation token is not valid.", [{ field: "continuationToken", message: "Not a token returned by this API." }]);
  const dirs = new Set(order.map((o) => o.dir));
  if (dirs.size !== 1) throw new Error("keyset paging needs one sort direction");
  const cols = sql.join(
    order.map((o) => sql`${sortExpr(o.col)}`),
    sql`, `,
  );
  const vals = sql.join(
    key.map((v) => sql`${v ?? ""}`),
    sql`, `,
  );
  return order[0]!.dir === "asc" ? sql`(${cols}) > (${vals})` : sql`(${cols}) < (${vals})`;
}

export async function queryUsers(ctx: Ctx, q: UserListQuery): Promise<UserListResult> {
  for (const c of q.where) {
    if (c.op === "inGroups" && (c.groupIds.length === 0 || c.groupIds.length > MAX_SET_SIZE)) {
      throw invalid(`Filter on 1 to ${MAX_SET_SIZE} groups.`, [{ field: "groups", message: `1 to ${MAX_SET_SIZE} group ids.` }]);
    }
  }
  const owner = "customerId" in q.scope ? q.scope : null;
  const withTotal = q.page.withTotal === true;
  const limit = q.page.limit;
  // One batch: the owner check (a customer scope), the count (when asked), the page, the page's
  // groups, and the gate of the tenant the request names. Worth's default page comes from shapes
  // rendered once per isolate; any other query is built here.
  const statements = (newestPage(ctx, q) ?? builtStatements(ctx, q, owner, withTotal)) as ReturnType<typeof builtStatements>;
  const { results, named } = await batchInTenant(ctx, q.scope.tenant, statements);
  const rows = results[results.length - 2] as UserListRow[];
  const groupsOf = groupsByUser(results[results.length - 1] as { userId: string; id: string; name: string }[]);
  const ownerRows = owner ? (results[0] as unknown[]) : [];
  const total = withTotal ? (((results[owner ? 1 : 0] as { n: number }[])[0]?.n ?? 0) as number) : null;
  if (owner) assertInNamedTenant(named, checkOwnerReach(ctx, owner, ownerRows[0] as OwnerRow | undefined).tenantId, "customer");
  // Tenant-wide scopes are narrowed in SQL; this re-check keeps a bug there from leaking a row.
  const visible = rows.filter((r) => userRowInReach(ctx.principal, r));
  const hasMore = visible.length > limit;
  const users_ = visible.slice(0, limit).map((r) => toUser(r, groupsOf.get(r.id as string) ?? []));
  const last = users_.at(-1);
  const keyOf = (u: User): (string | number | null)[] =>
    [...q.sort.map((s) => userKey(u, s.field)), u.id];
  return { users: users_, total, hasMore, lastKey: last ? keyOf(last) : null };
}

/** The statements of any list query, built for this request: owner, count, page, the page's groups. */
function builtStatements(ctx: Ctx, q: UserListQuery, owner: Extract<UserListScope, { customerId: string }> | null, withTotal: boolean) {
  const order = [...q.sort.map((s) => ({ col: COLUMNS[s.field], dir: s.dir })), { col: users.id, dir: q.sort.at(-1)?.dir ?? "asc" }];
  const conditions: SQL[] = [isNull(users.deletedAt), ...scopeSql(ctx, q.scope), ...q.where.map(conditionSql)];
  // The count is of the whole query, keyset position aside.
  const countWhere = and(...conditions);
  if (q.page.kind === "after" && q.page.after !== undefined) conditions.push(afterSql(order, q.page.after));
  const orderBy = order.map((o) => (o.dir === "asc" ? asc(sortExpr(o.col)) : desc(sortExpr(o.col))));

  const where = and(...conditions);
  const limit = q.page.limit;
  const page = <S extends Record<string, unknown>>(columns: S) =>
    ctx.db
      .select(columns as unknown as typeof userListSelection)
      .from(users)
      .leftJoin(customers, eq(customers.id, users.customerId))
      .leftJoin(subroles, eq(subroles.id, users.subroleId))
      .where(where)
      .orderBy(...orderBy)
      .limit(limit + 1)
      .offset(q.page.kind === "offset" ? q.page.offset : 0);
  // Rows decoded by the selection's decoder (src/db/shapes.ts): a 10,000-user list spent most of its
  // time in drizzle's per-row mapping.
  const pageQuery = packedRows(ctx.db, page({ ...userListSelection, rn: pagePosition(orderBy) }), userListSelection);
  // The page's groups: one statement over the same page's ids, not one subquery per user.
  const groupsQuery = pageGroupsQuery(ctx.db, page({ id: users.id }));
  // The count joins a table only when a condition reads it: without joins it is an index-only count
  // over the partial index of the scope (users_customer_created_idx for a customer).
  const readsSubroles = q.where.some((c) => ("field" in c && c.field === "subroleCode") || (c.op === "anyContains" && c.fields.includes("subroleCode")));
  const readsCustomers = ctx.principal.projectId !== null;
  let countFrom = ctx.db.select({ n: count() }).from(users).$dynamic();
  if (readsCustomers) countFrom = countFrom.leftJoin(customers, eq(customers.id, users.customerId));
  if (readsSubroles) countFrom = countFrom.leftJoin(subroles, eq(subroles.id, users.subroleId));
  const counted = countFrom.where(countWhere);
  // An unfiltered customer list reads the live-user count the triggers keep (customer_user_counts),
  // so page 1 costs the same for 1,000 or 100,000 users; any condition counts the matching rows.
  const countQuery =
    "customerId" in q.scope && q.where.length === 0 && ctx.principal.projectId === null
      ? ctx.db
          .select({ n: sql<number>`coalesce(sum(${customerUserCounts.live}), 0)`.mapWith(Number) })
          .from(customerUserCounts)
          .where(customerMatch(customerUserCounts.customerId, q.scope))
      : counted;

  return [...(owner ? [ownerQuery(ctx, owner)] : []), ...(withTotal ? [countQuery] : []), pageQuery, groupsQuery];
}

/**
 * Worth's default page (a customer's users, newest first, with the total, no filter, a principal
 * not narrowed to a project) from the shapes rendered once per isolate (./hot-shapes.ts): the same
 * four statements the builders above would make for it.
 */
function newestPage(ctx: Ctx, q: UserListQuery) {
  const s = q.scope;
  if (!("customerId" in s) || s.project !== undefined || s.resellerId !== undefined || s.tenant !== undefined) return null;
  if (q.where.length > 0 || q.page.kind !== "offset" || !q.page.withTotal || ctx.principal.projectId !== null) return null;
  if (q.sort.length !== 1 || q.sort[0]!.field !== "createdAt" || q.sort[0]!.dir !== "desc") return null;
  const values = { customerId: s.customerId, limit: q.page.limit + 1, offset: q.page.offset };
  return [
    customerOwnerShape.bind(ctx.db, { customerId: s.customerId }),
    customerCountShape.bind(ctx.db, { customerId: s.customerId }),
    newestPageShape.bind(ctx.db, values),
    newestPageGroupsShape.bind(ctx.db, values),
  ];
}

type UserListRow = Omit<UserSelectionRow, "groupsJson">;

/** The value of a sort field on a user, as the keyset compares it. */
function userKey(u: User, f: UserField): string | number | null {
  switch (f) {
    case "email":
      return u.email.trim().toLowerCase();
    case "subroleId":
      return u.subrole?.id ?? "";
    case "subroleCode":
      return u.subrole?.code ?? "";
    case "mobile":
      return u.mobile ?? "";
    case "emailVerified":
      return u.emailVerified ? 1 : 0;
    case "isFirstLogin":
      return u.isFirstLogin ? 1 : 0;
    default:
      return u[f] as string | number;
  }
}
