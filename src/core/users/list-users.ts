import { and, asc, eq, isNull, type SQL } from "drizzle-orm";
import { customers, subroles, users, type UserStatus } from "../../db/schema";
import type { Ctx } from "../context";
import { assertTenantClaim } from "../resources";
import { exactFilters, tenantPage, type PageInput } from "../tenant-page";
import { normaliseEmail, toUser, userSelection, type User, type UserSelectionRow } from "./view";

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
  page: PageInput,
): Promise<{ data: User[]; nextCursor: string | null }> {
  assertTenantClaim(ctx, tenantId);
  const conditions: SQL[] = [eq(users.tenantId, tenantId), isNull(users.deletedAt)];
  conditions.push(...exactFilters({ ...filter, email: filter.email === undefined ? undefined : normaliseEmail(filter.email) }, {
    customerId: users.customerId,
    resellerId: users.resellerId,
    status: users.status,
    email: users.emailNorm,
  }));
  // A project-scoped token reaches that project's customers only (docs/api/auth.md#project-narrowed-tokens), as getUser decides.
  if (ctx.principal.projectId !== null) conditions.push(eq(customers.projectId, ctx.principal.projectId));
  const query = (after: SQL | undefined) =>
    ctx.db
      .select(userSelection)
      .from(users)
      .leftJoin(customers, eq(customers.id, users.customerId))
      .leftJoin(subroles, eq(subroles.id, users.subroleId))
      .where(and(...conditions, after))
      .orderBy(asc(users.createdAt), asc(users.id))
      .limit(page.limit + 1);
  const keyOf = (r: UserSelectionRow): [number, string] => [r.createdAt as number, r.id as string];
  const result = await tenantPage(ctx, tenantId, `users:${tenantId}`, { at: users.createdAt, id: users.id }, page, query, keyOf);
  return { data: result.data.map((r) => toUser(r)), nextCursor: result.nextCursor };
}
