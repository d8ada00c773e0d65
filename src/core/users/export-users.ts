/**
 * Export (docs/migration.md#export): every live user a caller reaches in a tenant — optionally one
 * customer's — in creation order (the index users_tenant_created_idx / users_customer_created_idx),
 * page by page: constant memory whatever the tenant's size, one round trip a page. Resumable: `after`
 * is the id of the last user a client received, and the export goes on from the next one.
 */
import { and, asc, eq, isNull, sql, type SQL } from "drizzle-orm";
import { customers, subroles, tenants, users } from "../../db/schema";
import type { Ctx } from "../context";
import { invalid, notFound } from "../errors";
import { assertTenantClaim } from "../resources";
import { toUser, userSelection, type User, type UserSelectionRow } from "./view";

export const EXPORT_PAGE = 500;

export interface ExportInput {
  customerId?: string | undefined;
  /** The id of the last user already received: the export resumes after it. */
  after?: string | undefined;
}

/**
 * The pages of an export. The first page is read when this is called — so a refusal (403, a bad
 * `after`) or a revoked token is answered before anything is streamed —, the others as they are pulled.
 */
export async function exportUsers(ctx: Ctx, tenantId: string, input: ExportInput, pageSize = EXPORT_PAGE): Promise<AsyncGenerator<User[]>> {
  assertTenantClaim(ctx, tenantId);
  const base: SQL[] = [eq(users.tenantId, tenantId), isNull(users.deletedAt)];
  if (input.customerId !== undefined) base.push(eq(users.customerId, input.customerId));
  // A project-scoped token reaches that project's customers only, as every read decides.
  if (ctx.principal.projectId !== null) base.push(eq(customers.projectId, ctx.principal.projectId));
  const page = (key: [number, string] | null) =>
    ctx.db
      .select(userSelection)
      .from(users)
      .leftJoin(customers, eq(customers.id, users.customerId))
      .leftJoin(subroles, eq(subroles.id, users.subroleId))
      .where(and(...base, key === null ? undefined : sql`(${users.createdAt}, ${users.id}) > (${key[0]}, ${key[1]})`))
      .orderBy(asc(users.createdAt), asc(users.id))
      .limit(pageSize);
  let key: [number, string] | null = null;
  if (input.after !== undefined) {
    // The resume point is a user of this tenant (deleted since or not): its place in the order.
    const [row] = await ctx.db.select({ createdAt: users.createdAt, id: users.id }).from(users).where(and(eq(users.id, input.after.toLowerCase()), eq(users.tenantId, tenantId)));
    if (!row) throw invalid("The export cannot resume there.", [{ field: "after", message: "Not the id of a user of this tenant." }]);
    key = [row.createdAt, row.id];
  }
  // The first page rides with the tenant's own read: an unknown tenant is 404, as for every list.
  const [tenant, first] = await ctx.db.batch([ctx.db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId)), page(key)]);
  if (tenant.length === 0) throw notFound("tenant");
  let rows = first as UserSelectionRow[];
  return (async function* () {
    for (;;) {
      if (rows.length === 0) return;
      yield rows.map((r) => toUser(r));
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1]!;
      rows = (await page([last.createdAt as number, last.id as string])) as UserSelectionRow[];
    }
  })();
}
