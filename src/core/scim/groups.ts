/**
 * SCIM Groups (docs/decisions/0011-scim.md#groups): the tenant's groups as one customer's identity
 * provider sees them — each with the members **of that customer** only — and the memberships of
 * that customer's users changed through them. A customer does not create, rename or delete the
 * tenant's groups (tenant configuration, decision 0007); it links its users to them.
 *
 * A membership change is a change of each user it touches: the user's version moves, and the
 * change is audited (and is a webhook event) as `user.updated` with `groupIds` from → to.
 */
import { and, asc, count, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import type { Filter } from "scim2-parse-filter";
import { groups, userGroups, users } from "../../db/schema";
import { auditInsertFrom } from "../audit";
import type { Ctx } from "../context";
import { invalid, notFound } from "../errors";
import { snapshotUser } from "../webhooks/outbox";
import { parseScimFilter } from "./filter";
import { scimCustomer } from "./users";

export interface ScimGroup {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  /** The caller's customer's live users in the group, by e-mail. */
  members: { id: string; email: string }[];
}

/** Members a request may name at once (D1 binds at most 100 values per statement). */
export const MAX_MEMBERS = 50;

const FILTER_ISSUE = "Groups are filtered by id and displayName, with eq, ne and pr (and, or, not).";

/** A group filter as SQL over `groups`: id (exact) and displayName (ASCII case-insensitive), eq / ne / pr, and / or / not. */
function groupFilterSql(f: Filter): SQL {
  switch (f.op) {
    case "and":
    case "or":
      return sql`(${sql.join(
        f.filters.map((x) => groupFilterSql(x)),
        sql.raw(` ${f.op} `),
      )})`;
    case "not":
      return sql`(not ${groupFilterSql(f.filter)})`;
    case "pr":
    case "eq":
    case "ne": {
      const attr = f.attrPath.replace(/^urn:ietf:params:scim:schemas:core:2\.0:group:/i, "").toLowerCase();
      const col = attr === "id" ? sql`${groups.id}` : attr === "displayname" ? sql`${groups.name} collate nocase` : null;
      if (col === null) throw invalid("The filter is not valid.", [{ field: "filter", message: FILTER_ISSUE }]);
      if (f.op === "pr") return sql`1`;
      if (typeof f.compValue !== "string") throw invalid("The filter is not valid.", [{ field: "filter", message: `${attr === "id" ? "id" : "displayName"} is compared with a string.` }]);
      const value = attr === "id" ? f.compValue.toLowerCase() : f.compValue;
      return f.op === "eq" ? sql`(${col} = ${value})` : sql`(${col} <> ${value})`;
    }
    default:
      throw invalid("The filter is not valid.", [{ field: "filter", message: FILTER_ISSUE }]);
  }
}

/** The caller's customer's members of some groups: one statement. */
function membersQuery(ctx: Ctx, customerId: string, groupIds: SQL | string[]) {
  return ctx.db
    .select({ groupId: userGroups.groupId, id: users.id, email: users.email })
    .from(userGroups)
    .innerJoin(users, eq(users.id, userGroups.userId))
    .where(and(Array.isArray(groupIds) ? inArray(userGroups.groupId, groupIds) : sql`${userGroups.groupId} in ${groupIds}`, eq(users.customerId, customerId), isNull(users.deletedAt)))
    .orderBy(asc(users.email), asc(users.id));
}

/** A group of the tenant by id (none for another tenant's). */
function groupQuery(ctx: Ctx, tenantId: string, id: string) {
  return ctx.db.select().from(groups).where(and(eq(groups.id, id), eq(groups.tenantId, tenantId)));
}

function withMembers(rows: (typeof groups.$inferSelect)[], members: { groupId: string; id: string; email: string }[]): ScimGroup[] {
  return rows.map((g) => ({ id: g.id, name: g.name, createdAt: g.createdAt, updatedAt: g.updatedAt, members: members.filter((m) => m.groupId === g.id).map(({ id, email }) => ({ id, email })) }));
}

/** The tenant's groups by filter, by name, 1-based pages, with the caller's customer's members: one round trip. */
export async function listScimGroups(ctx: Ctx, q: { filter?: string | undefined; startIndex: number; count: number }): Promise<{ total: number; groups: ScimGroup[] }> {
  const { tenantId, customerId } = scimCustomer(ctx);
  const where = and(eq(groups.tenantId, tenantId), q.filter === undefined ? undefined : groupFilterSql(parseScimFilter(q.filter)));
  const page = ctx.db.select().from(groups).where(where).orderBy(asc(groups.name), asc(groups.id)).limit(q.count).offset(q.startIndex - 1);
  // The members of the page's groups: the page itself as the subquery of their ids.
  const [counted, rows, members] = await ctx.db.batch([ctx.db.select({ n: count() }).from(groups).where(where), page, membersQuery(ctx, customerId, sql`(select "id" from (${page}))`)]);
  return { total: counted[0]?.n ?? 0, groups: withMembers(rows, members) };
}

/** One group of the tenant with the caller's customer's members; 404 for any other id. */
export async function getScimGroup(ctx: Ctx, id: string): Promise<ScimGroup> {
  const { tenantId, customerId } = scimCustomer(ctx);
  const [rows, members] = await ctx.db.batch([groupQuery(ctx, tenantId, id), membersQuery(ctx, customerId, [id])]);
  const [group] = withMembers(rows, members);
  if (!group) throw notFound("group");
  return group;
}

/**
 * Sets which of the caller's customer's users are members of a group (`next`: their ids, the
 * whole set — other customers' memberships are never read nor touched). `next` must name live users
 * of the customer (a 400 naming each other one, nothing written). The group's name may not change
 * here (`name` must be its own: 400 mutability). Two round trips: the reads, then one batch of the
 * memberships, each changed user's version and its audit event.
 */
export async function setScimGroupMembers(ctx: Ctx, id: string, name: string | undefined, next: string[]): Promise<ScimGroup> {
  const { tenantId, customerId } = scimCustomer(ctx);
  const wanted = [...new Set(next.map((m) => m.toLowerCase()))];
  if (wanted.length > MAX_MEMBERS) throw invalid("Too many members.", [{ field: "members", message: `At most ${MAX_MEMBERS} members per request.` }]);
  const [groupRows, current, candidates, links] = await ctx.db.batch([
    groupQuery(ctx, tenantId, id),
    membersQuery(ctx, customerId, [id]),
    ctx.db
      .select({ id: users.id, email: users.email })
      .from(users)
      .where(and(inArray(users.id, wanted.length > 0 ? wanted : [""]), eq(users.tenantId, tenantId), eq(users.customerId, customerId), isNull(users.deletedAt))),
    // The groups of every user this may touch (its members now and the ones named), for the audit events.
    ctx.db
      .select({ userId: userGroups.userId, groupId: userGroups.groupId })
      .from(userGroups)
      .innerJoin(users, eq(users.id, userGroups.userId))
      .where(and(eq(users.customerId, customerId), isNull(users.deletedAt), sql`${userGroups.userId} in (select ug.user_id from user_groups ug where ug.group_id = ${id} union select value from json_each(${JSON.stringify(wanted)}))`)),
  ]);
  const group = groupRows[0];
  if (!group) throw notFound("group");
  if (name !== undefined && name !== group.name) throw invalid("The group's name is the tenant's.", [{ field: "mutability", message: "displayName is read-only through SCIM: the operator names the tenant's groups." }]);
  const known = new Set(candidates.map((c) => c.id));
  const strangers = wanted.filter((m) => !known.has(m));
  // The same words for a user of another customer, of another tenant, deleted or never made.
  if (strangers.length > 0) throw invalid("The members are not valid.", strangers.map((m) => ({ field: "members", message: `${m} is not a user of this customer.` })));
  const before = new Set(current.map((m) => m.id));
  const add = wanted.filter((m) => !before.has(m));
  const remove = [...before].filter((m) => !wanted.includes(m));
  const groupsBefore = new Map<string, string[]>();
  for (const l of links) groupsBefore.set(l.userId, [...(groupsBefore.get(l.userId) ?? []), l.groupId]);
  if (add.length > 0 || remove.length > 0) await ctx.db.batch(membershipWrites(ctx, id, add, remove, groupsBefore) as never);
  const members = candidates.sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : a.id < b.id ? -1 : 1));
  return { id: group.id, name: group.name, createdAt: group.createdAt, updatedAt: group.updatedAt, members };
}

/**
 * The batch of a membership change, per changed user: the link, its version, its audit event
 * (its groups from → to; the sequence is the version just written) and the event's snapshot.
 */
function membershipWrites(ctx: Ctx, groupId: string, add: string[], remove: string[], groupsBefore: Map<string, string[]>) {
  const now = ctx.now();
  return [...add.map((u) => ({ u, adding: true })), ...remove.map((u) => ({ u, adding: false }))].flatMap(({ u, adding }) => {
    const from = groupsBefore.get(u) ?? [];
    const to = (adding ? [...from, groupId] : from.filter((g) => g !== groupId)).sort();
    const eventId = ctx.newId();
    return [
      adding ? ctx.db.insert(userGroups).values({ userId: u, groupId }).onConflictDoNothing() : ctx.db.delete(userGroups).where(and(eq(userGroups.userId, u), eq(userGroups.groupId, groupId))),
      ctx.db.update(users).set({ version: sql`${users.version} + 1`, updatedAt: now, updatedBy: ctx.principal.sub }).where(and(eq(users.id, u), isNull(users.deletedAt))),
      auditInsertFrom(
        ctx,
        {
          id: eventId,
          action: "user.updated",
          targetType: "user",
          targetId: sql`${users.id}`,
          tenantId: sql`${users.tenantId}`,
          customerId: sql`${users.customerId}`,
          changes: sql`${JSON.stringify({ groupIds: { from: [...from].sort(), to } })}`,
          sequence: sql`${users.version}`,
        },
        sql`from ${users} where ${users.id} = ${u} and ${users.deletedAt} is null`,
      ),
      snapshotUser(ctx.db, eventId),
    ];
  });
}
