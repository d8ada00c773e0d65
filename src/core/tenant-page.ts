/**
 * One page of an admin list of a tenant's rows (docs/api/admin-api.md#paging), oldest first by
 * (time, id), in one round trip: the tenant's existence (404 when it has none) and the page in one
 * batch, with a cursor scoped to this list and tenant. Every admin list reads this way.
 */
import { eq, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { tenants } from "../db/schema";
import type { Ctx } from "./context";
import { notFound } from "./errors";
import { decodeCursor, splitPage } from "./paging";

type Batchable = Parameters<Ctx["db"]["batch"]>[0][number];

/** The exact-match filters of a list: one `column = value` per filter given (absent ones match all). */
export function exactFilters<F extends object>(filter: F, columns: { [K in keyof F]?: SQLiteColumn }): SQL[] {
  const out: SQL[] = [];
  for (const [key, column] of Object.entries(columns) as [string, SQLiteColumn][]) {
    const value = (filter as Record<string, unknown>)[key];
    if (value !== undefined) out.push(eq(column, value));
  }
  return out;
}

export interface PageInput {
  limit: number;
  cursor?: string | undefined;
}

/**
 * `build(after)` is the page's query: its conditions and `after` (undefined on page 1), ordered by
 * `order` ascending, `limit + 1` rows (the extra row says whether a next page exists).
 */
export async function tenantPage<R>(
  ctx: Ctx,
  tenantId: string,
  scope: string,
  order: { at: SQLiteColumn; id: SQLiteColumn },
  page: PageInput,
  build: (after: SQL | undefined) => Batchable,
  keyOf: (row: R) => [number, string],
): Promise<{ data: R[]; nextCursor: string | null }> {
  let after: SQL | undefined;
  if (page.cursor !== undefined) {
    const [at, id] = decodeCursor(page.cursor, ["number", "string"], scope);
    after = sql`(${order.at}, ${order.id}) > (${at}, ${id})`;
  }
  const [tenant, rows] = (await ctx.db.batch([ctx.db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId)), build(after)])) as [unknown[], R[]];
  if (tenant.length === 0) throw notFound("tenant");
  return splitPage(rows, page.limit, keyOf, scope);
}
