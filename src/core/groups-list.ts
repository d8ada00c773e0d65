/**
 * The groups of the tenant a request names by portal domain (CloudCockpit's `GET /v1/users/groups`):
 * every caller of the tenant may read them (they are what users are put in), ordered by name then
 * id. Offset or keyset pages with the total; one round trip (gate, count and page in one batch).
 */
import { and, asc, count, sql, type SQL } from "drizzle-orm";
import { groups } from "../db/schema";
import type { Ctx } from "./context";
import { batchInTenant, inTenant, type TenantRef } from "./tenant-gate";

export interface GroupRef {
  id: string;
  name: string;
}

export type GroupPage =
  | { kind: "offset"; offset: number; limit: number }
  /** Keyset: groups strictly after `after` = [name, id] of the last group seen. */
  | { kind: "after"; after: [name: string, id: string]; limit: number };

export interface GroupListResult {
  groups: GroupRef[];
  /** Every group of the tenant, keyset position aside. */
  total: number;
  hasMore: boolean;
  /** [name, id] of the last group returned, for the next keyset page. */
  lastKey: [string, string] | null;
}

/** The groups of the tenant the request names (the gate decides 403/404). */
export async function listTenantGroups(ctx: Ctx, tenant: TenantRef, page: GroupPage): Promise<GroupListResult> {
  const scope = inTenant(ctx, groups.tenantId, tenant);
  const conditions: SQL[] = [scope];
  if (page.kind === "after") conditions.push(sql`(${groups.name}, ${groups.id}) > (${page.after[0]}, ${page.after[1]})`);
  const {
    results: [counted, rows],
  } = await batchInTenant(ctx, tenant, [
    ctx.db.select({ n: count() }).from(groups).where(scope),
    ctx.db
      .select({ id: groups.id, name: groups.name })
      .from(groups)
      .where(and(...conditions))
      .orderBy(asc(groups.name), asc(groups.id))
      .limit(page.limit + 1)
      .offset(page.kind === "offset" ? page.offset : 0),
  ]);
  const data = rows.slice(0, page.limit);
  const last = data.at(-1);
  return { groups: data, total: counted[0]?.n ?? 0, hasMore: rows.length > page.limit, lastKey: last ? [last.name, last.id] : null };
}
