/**
 * What SCIM asks of the user store beyond the verbs every surface shares (docs/scim.md): a list of
 * the caller's customer's users by a SCIM filter, sorted and paged by 1-based index, in one round
 * trip; and a change computed from the user as it is (PATCH), written only if the user is still
 * that version. Reach is the customer of the SCIM token: nothing else is ever read or written.
 */
import { and, count, eq, isNull, sql, type SQL } from "drizzle-orm";
import { users } from "../../db/schema";
import type { Ctx } from "../context";
import { DomainError, forbidden } from "../errors";
import { getUser, type UserAddress } from "../users/get-user";
import { assertPreconditions, userTag, type Preconditions } from "../users/preconditions";
import { updateUser, type UserPatch } from "../users/update-user";
import { userPage } from "../users/query-users";
import { groupsByUser, toUser, userListSelection, type User, type UserSelectionRow } from "../users/view";
import { parseScimFilter, scimFilterSql, scimOrderBy } from "./filter";

export interface ScimListQuery {
  filter?: string | undefined;
  sortBy?: string | undefined;
  sortOrder?: "ascending" | "descending" | undefined;
  /** 1-based. */
  startIndex: number;
  count: number;
}

/** The customer a SCIM principal provisions: its token's, and only a token of one customer has one. */
export function scimCustomer(ctx: Ctx): { tenantId: string; customerId: string } {
  const p = ctx.principal;
  if (p.role !== "customer" || p.tenantId === null || p.customerId === null) throw forbidden("SCIM provisions one customer's users: use a SCIM token.");
  return { tenantId: p.tenantId, customerId: p.customerId };
}

/**
 * For the routes that read nothing (the discovery resources): one statement, which carries the
 * token's revocation check as every request's first statement does — a revoked SCIM token is 401
 * on every SCIM route, these included.
 */
export async function confirmScimToken(ctx: Ctx): Promise<void> {
  scimCustomer(ctx);
  await ctx.db.run(sql`select 1`);
}

/**
 * A page of the customer's live users matching a SCIM filter, and how many match in all: one
 * batch (the count, the page, the page's groups). The filter compiles to SQL over the customer's
 * rows (./filter.ts) — never a scan beyond them.
 */
export async function listScimUsers(ctx: Ctx, q: ScimListQuery): Promise<{ total: number; users: User[] }> {
  const { tenantId, customerId } = scimCustomer(ctx);
  const filter: SQL | undefined = q.filter === undefined ? undefined : scimFilterSql(parseScimFilter(q.filter));
  const orderBy = scimOrderBy(q.sortBy, q.sortOrder);
  const where = and(eq(users.tenantId, tenantId), eq(users.customerId, customerId), isNull(users.deletedAt), filter);
  const { page, groupsQuery } = userPage(ctx.db, where, orderBy, q.count, q.startIndex - 1);
  const [counted, rows, links] = await ctx.db.batch([ctx.db.select({ n: count() }).from(users).where(where), page(userListSelection), groupsQuery]);
  const groupsOf = groupsByUser(links);
  return { total: counted[0]?.n ?? 0, users: (rows as unknown as UserSelectionRow[]).map((r) => toUser(r, groupsOf.get(r.id as string) ?? [])) };
}

/** How many times a change computed from the user is tried again when someone else changed it first. */
const ATTEMPTS = 3;

/**
 * A change computed from the user as it is (a SCIM PATCH: operations applied to its current
 * representation), written with If-Match on the version it was computed from, so a concurrent
 * change is never overwritten: the change is computed again from the new version (up to 3 times).
 * A client's own If-Match is held against the version read (412 when it differs). `change` may
 * throw (an operation that does not apply); an empty change writes nothing.
 */
export async function modifyUser(ctx: Ctx, a: UserAddress, change: (u: User) => UserPatch, deps: { pepper: string }, cond: Preconditions = {}): Promise<User> {
  for (let attempt = 1; ; attempt++) {
    const user = await getUser(ctx, a);
    assertPreconditions(cond, user, false);
    const patch = change(user);
    if (Object.keys(patch).length === 0) return user;
    try {
      return await updateUser(ctx, a, patch, deps, { ifMatch: [userTag(user)] });
    } catch (err) {
      if (err instanceof DomainError && err.code === "PRECONDITION_FAILED" && attempt < ATTEMPTS && cond.ifMatch === undefined) continue;
      throw err;
    }
  }
}
