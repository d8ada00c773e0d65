import { and, asc, eq, isNull, sql, type SQL } from "drizzle-orm";
import { customers, subroles, users, type UserStatus } from "../../db/schema";
import type { Ctx } from "../context";
import { notFound } from "../errors";
import { decodeCursor, splitPage } from "../paging";
import { assertTenantClaim } from "../resources";
import { tenants } from "../../db/schema";
import { normaliseEmail, toUser, userSelection, type User } from "./view";

export interface TenantUserFilter {
  customerId?: string;
  resellerId?: string;
  status?: UserStatus;
  email?: string;
}

/**
 * The admin API's tenant-wide user list: live users oldest first, keyed by (created_at, id), with
 * exact filters. One round trip (the tenant check and the page in one batch).
 */
export async function listTenantUsers(
  ctx: Ctx,
  tenantId: string,
  filter: TenantUserFilter,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ data: User[]; nextCursor: string | null }> {
  assertTenantClaim(ctx, tenantId);
  const conditions: SQL[] = [eq(users.tenantId, tenantId), isNull(users.deletedAt)];
  if (filter.customerId !== undefined) conditions.push(eq(users.customerId, filter.customerId));
  if (filter.resellerId !== undefined) conditions.push(eq(users.resellerId, filter.resellerId));
  if (filter.status !== undefined) conditions.push(eq(users.status, filter.status));
  if (filter.email !== undefined) conditions.push(eq(users.emailNorm, normaliseEmail(filter.email)));
  // A project-scoped token reaches that project's customers only (docs/api/auth.md#project-narrowed-tokens), as getUser decides.
  if (ctx.principal.projectId !== null) conditions.push(eq(customers.projectId, ctx.principal.projectId));
  const scope = `users:${tenantId}`;
  if (page.cursor !== undefined) {
    const [at, id] = decodeCursor(page.cursor, ["number", "string"], scope);
    conditions.push(sql`(${users.createdAt}, ${users.id}) > (${at}, ${id})`);
  }
  const [tenant, rows] = await ctx.db.batch([
    ctx.db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId)),
    ctx.db
      .select(userSelection)
      .from(users)
      .leftJoin(customers, eq(customers.id, users.customerId))
      .leftJoin(subroles, eq(subroles.id, users.subroleId))
      .where(and(...conditions))
      .orderBy(asc(users.createdAt), asc(users.id))
      .limit(page.limit + 1),
  ]);
  if (tenant.length === 0) throw notFound("tenant");
  const result = splitPage(rows, page.limit, (r) => [r.createdAt, r.id], scope);
  return { data: result.data.map(toUser), nextCursor: result.nextCursor };
}
