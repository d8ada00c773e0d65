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
import { customers, customerUserCounts, groups, subroles, userGroups, users } from "../../db/schema";
import type { Db } from "../../db/client";
import { packedQuery, pagePosition, ShapeFamily } from "../../db/shapes";
import { customerCountShape, customerOwnerShape, newestPageGroupsShape, newestPageShape } from "./hot-shapes";
import type { Ctx } from "../context";
import { forbidden, invalid } from "../errors";
import type { Principal } from "../principal";
import { customerMatch, type ProjectRef } from "../project-scope";
import { assertInNamedTenant, batchInTenant, inTenant, normaliseDomain, type TenantRef } from "../tenant-gate";
import { principalValues, shapeCtx, shapePrincipal, type ShapePrincipal } from "./guards";
import { checkOwnerReach, ownerQuery, type OwnerRow } from "./rules";
import { foldForSearch, groupsByUser, normaliseEmail, PAGE_GROUPS, toUser, userListSelection, userRowInReach, type User, type UserSelectionRow } from "./view";

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

/** Case-insensitive substring, for every script: `needle` arrives folded as the stored folds are (listForm: foldForSearch). */
function lowerInstr(col: SQLiteColumn, needle: string): SQL {
  const folded = FOLDED.get(col);
  // A row without a fold (written by SQL outside the verbs) falls back to lower(), ASCII only.
  return folded ? sql`instr(coalesce(${folded}, lower(${col}), ''), ${needle}) > 0` : sql`instr(lower(coalesce(${col}, '')), ${needle}) > 0`;
}

function conditionSql(c: UserCondition): SQL {
  switch (c.op) {
    case "eq":
      // (An e-mail arrives normalised: listForm.)
      return c.value === null ? isNull(COLUMNS[c.field]) : eq(COLUMNS[c.field], c.value);
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
  const hot = newestPage(ctx, q);
  const list = hot === null ? listForm(ctx, q) : null;
  const statements = (hot ?? listStatements.bind(ctx.db, list!.key, list!.form, list!.values)) as never;
  const { results, named } = (await batchInTenant(ctx, q.scope.tenant, statements)) as { results: unknown[]; named: string | null };
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

/**
 * A page of users — the rows with what each user row joins (its customer's reach columns, its
 * subrole), in an order — and the page's group links: one statement over the same page's ids, not
 * one subquery per user. Every user list sends these two (this verb's, SCIM's).
 */
export function userPage(db: Db, where: SQL | undefined, orderBy: SQL[], limit: number, offset: number) {
  const page = <S extends Record<string, unknown>>(columns: S) =>
    db
      .select(columns as unknown as typeof userListSelection)
      .from(users)
      .leftJoin(customers, eq(customers.id, users.customerId))
      .leftJoin(subroles, eq(subroles.id, users.subroleId))
      .where(where)
      .orderBy(...orderBy)
      .limit(limit)
      .offset(offset);
  const groupsQuery = db.select(PAGE_GROUPS).from(userGroups).innerJoin(groups, eq(groups.id, userGroups.groupId)).where(inArray(userGroups.userId, page({ id: users.id })));
  return { page, groupsQuery };
}

/** What decides the form of a list's batch (and so its key in the family below). */
interface ListForm {
  scope: { customer: true; project: boolean; reseller: boolean; tenant: "none" | "id" | "domain" } | { customer: false; reseller: boolean; tenant: "id" | "domain" };
  where: ({ op: "eq"; field: UserField; isNull: boolean } | { op: "gte" | "lte" | "contains"; field: UserField } | { op: "anyContains"; fields: UserField[] } | { op: "inGroups"; groups: number })[];
  sort: UserSort[];
  /** Offset 0 is its own form: drizzle renders no OFFSET for it. */
  page: { kind: "offset"; first: boolean } | { kind: "after"; after: boolean };
  withTotal: boolean;
  principal: ShapePrincipal;
}

const tenantKind = (t: TenantRef) => ("id" in t ? "id" : "domain") as "id" | "domain";

/** The claims checks of a list (403 before anything is read), its form and the values of its placeholders. */
function listForm(ctx: Ctx, q: UserListQuery) {
  const s = q.scope;
  const p = ctx.principal;
  const values: Record<string, unknown> = { ...principalValues(ctx, ctx.now()), limit: q.page.limit + 1, offset: q.page.kind === "offset" ? q.page.offset : 0 };
  let scope: ListForm["scope"];
  if ("customerId" in s) {
    scope = { customer: true, project: s.project !== undefined, reseller: s.resellerId !== undefined, tenant: s.tenant === undefined ? "none" : tenantKind(s.tenant) };
    values["s.customer"] = s.customerId;
    if (s.project !== undefined) values["s.projectKey"] = s.project.keyOrId;
  } else {
    // A reseller token may name only its own reseller (claims decide: 403).
    if (s.resellerId !== undefined && p.role === "reseller" && s.resellerId !== p.resellerId) throw forbidden();
    scope = { customer: false, reseller: s.resellerId !== undefined, tenant: tenantKind(s.tenant) };
  }
  if (s.resellerId !== undefined) values["s.reseller"] = s.resellerId;
  if (s.tenant !== undefined) values["s.tenant"] = "id" in s.tenant ? s.tenant.id : normaliseDomain(s.tenant.domain);
  const where = q.where.map((c, i): ListForm["where"][number] => {
    switch (c.op) {
      case "eq":
        values[`w.${i}`] = c.field === "email" && c.value !== null ? normaliseEmail(String(c.value)) : c.value;
        return { op: "eq", field: c.field, isNull: c.value === null };
      case "gte":
      case "lte":
        values[`w.${i}`] = c.value;
        return { op: c.op, field: c.field };
      case "contains":
        values[`w.${i}`] = foldForSearch(c.value);
        return { op: "contains", field: c.field };
      case "anyContains":
        values[`w.${i}`] = foldForSearch(c.value);
        return { op: "anyContains", fields: c.fields };
      case "inGroups":
        c.groupIds.forEach((g, j) => (values[`w.${i}.${j}`] = g));
        return { op: "inGroups", groups: c.groupIds.length };
    }
  });
  if (q.page.kind === "after" && q.page.after !== undefined) {
    if (q.page.after.length !== q.sort.length + 1) throw invalid("The continuation token is not valid.", [{ field: "continuationToken", message: "Not a token returned by this API." }]);
    q.page.after.forEach((v, j) => (values[`k.${j}`] = v ?? ""));
  }
  const form: ListForm = {
    scope,
    where,
    sort: q.sort,
    page: q.page.kind === "offset" ? { kind: "offset", first: q.page.offset === 0 } : { kind: "after", after: q.page.after !== undefined },
    withTotal: q.page.withTotal === true,
    principal: shapePrincipal(p),
  };
  return { key: JSON.stringify(form), form, values };
}

/** The query of a form, its values placeholders (what listStatements renders once). */
function queryOf(p: (name: string) => unknown, f: ListForm, principal: Principal): UserListQuery {
  const s = f.scope;
  const scope: UserListScope = s.customer
    ? {
        customerId: p("s.customer") as string,
        ...(s.project ? { project: { keyOrId: p("s.projectKey") as string, tenantId: principal.role === "platform" ? null : (p("p.tenant") as string) } } : {}),
        ...(s.reseller ? { resellerId: p("s.reseller") as string } : {}),
        ...(s.tenant === "none" ? {} : { tenant: s.tenant === "id" ? { id: p("s.tenant") as string } : { domain: p("s.tenant") as string } }),
      }
    : { tenant: s.tenant === "id" ? { id: p("s.tenant") as string } : { domain: p("s.tenant") as string }, ...(s.reseller ? { resellerId: p("s.reseller") as string } : {}) };
  const where = f.where.map((c, i): UserCondition => {
    switch (c.op) {
      case "eq":
        return { op: "eq", field: c.field, value: c.isNull ? null : (p(`w.${i}`) as string) };
      case "gte":
      case "lte":
        return { op: c.op, field: c.field, value: p(`w.${i}`) as string };
      case "contains":
        return { op: "contains", field: c.field, value: p(`w.${i}`) as string };
      case "anyContains":
        return { op: "anyContains", fields: c.fields, value: p(`w.${i}`) as string };
      case "inGroups":
        return { op: "inGroups", groupIds: Array.from({ length: c.groups }, (_, j) => p(`w.${i}.${j}`) as string) };
    }
  });
  const after = f.page.kind === "after" && f.page.after ? Array.from({ length: f.sort.length + 1 }, (_, j) => p(`k.${j}`) as string) : undefined;
  const page: UserPage =
    f.page.kind === "offset"
      ? { kind: "offset", offset: f.page.first ? 0 : (p("offset") as number), limit: p("limit") as number, withTotal: f.withTotal }
      : { kind: "after", ...(after ? { after } : {}), limit: p("limit") as number, withTotal: f.withTotal };
  return { scope, where, sort: f.sort, page };
}

/**
 * A list's batch, rendered once per form (src/db/shapes.ts): the owner check (a customer scope),
 * the count (when asked), the page (packed) and the page's groups. `page.limit` here is already the
 * page size + 1 (the extra row says whether a next page exists).
 */
const listStatements = new ShapeFamily<ListForm>((db, p, f) => {
  const ctx = shapeCtx(db, p, f.principal);
  const q = queryOf(p, f, ctx.principal);
  const owner = "customerId" in q.scope ? q.scope : null;
  const order = [...q.sort.map((s) => ({ col: COLUMNS[s.field], dir: s.dir })), { col: users.id, dir: q.sort.at(-1)?.dir ?? "asc" }];
  const conditions: SQL[] = [isNull(users.deletedAt), ...scopeSql(ctx, q.scope), ...q.where.map(conditionSql)];
  // The count is of the whole query, keyset position aside.
  const countWhere = and(...conditions);
  if (q.page.kind === "after" && q.page.after !== undefined) conditions.push(afterSql(order, q.page.after));
  const orderBy = order.map((o) => (o.dir === "asc" ? asc(sortExpr(o.col)) : desc(sortExpr(o.col))));

  const where = and(...conditions);
  const { page, groupsQuery } = userPage(db, where, orderBy, q.page.limit, q.page.kind === "offset" ? q.page.offset : 0);
  // Rows travel packed (src/db/shapes.ts): a 10,000-user list spent most of its time in drizzle's
  // per-row mapping, and in D1 serialising an object per row.
  const pageQuery = packedQuery(db, page({ ...userListSelection, rn: pagePosition(orderBy) }), userListSelection);
  // The count joins a table only when a condition reads it: without joins it is an index-only count
  // over the partial index of the scope (users_customer_created_idx for a customer).
  const readsSubroles = q.where.some((c) => ("field" in c && c.field === "subroleCode") || (c.op === "anyContains" && c.fields.includes("subroleCode")));
  const readsCustomers = ctx.principal.projectId !== null;
  let countFrom = db.select({ n: count() }).from(users).$dynamic();
  if (readsCustomers) countFrom = countFrom.leftJoin(customers, eq(customers.id, users.customerId));
  if (readsSubroles) countFrom = countFrom.leftJoin(subroles, eq(subroles.id, users.subroleId));
  const counted = countFrom.where(countWhere);
  // An unfiltered customer list reads the live-user count the triggers keep (customer_user_counts),
  // so page 1 costs the same for 1,000 or 100,000 users; any condition counts the matching rows.
  const countQuery =
    "customerId" in q.scope && q.where.length === 0 && ctx.principal.projectId === null
      ? db
          .select({ n: sql<number>`coalesce(sum(${customerUserCounts.live}), 0)`.mapWith(Number) })
          .from(customerUserCounts)
          .where(customerMatch(customerUserCounts.customerId, q.scope))
      : counted;

  return [...(owner ? [ownerQuery(ctx, owner)] : []), ...(f.withTotal ? [countQuery] : []), pageQuery, groupsQuery];
});

/** For tests: a list's cached statements, filled, against the same statements built with its values in place. */
export function compareListShape(ctx: Ctx, q: UserListQuery) {
  const { key, form, values } = listForm(ctx, q);
  return listStatements.compare(key, form, values);
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
