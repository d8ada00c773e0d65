/**
 * The subroles a customer's users may hold: the customer's own and the tenant-wide ones (the same
 * set createUser and updateUser accept, see subroleQuery in users/rules.ts). Worth lists them at
 * GET /customers/{customerID}/subroles.
 *
 * One round trip: the owner check and the list in a single batch.
 */
import { and, asc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import { customers, subroles, type Permission } from "../db/schema";
import type { Ctx } from "./context";
import { checkOwnerReach, ownerQuery, type OwnerRow } from "./users/rules";
import { assertPathCustomerClaim } from "./users/get-user";

export interface CustomerSubrole {
  id: string;
  /** null: tenant-wide. */
  customerId: string | null;
  code: string;
  label: string;
  displayName: string;
  description: string;
  permissions: Permission[];
}

/**
 * Sorted by code; where the customer has its own subrole with a tenant-wide code, its own comes
 * first (the one a selection by code picks), then by id.
 */
export async function subrolesForCustomer(ctx: Ctx, customerId: string): Promise<CustomerSubrole[]> {
  assertPathCustomerClaim(ctx, customerId);
  const owner = { customerId };
  const tenantOfCustomer = ctx.db.select({ t: customers.tenantId }).from(customers).where(eq(customers.id, customerId));
  const [ownerRows, rows] = await ctx.db.batch([
    ownerQuery(ctx, owner),
    ctx.db
      .select({
        id: subroles.id,
        customerId: subroles.customerId,
        code: subroles.code,
        label: subroles.label,
        displayName: subroles.displayName,
        description: subroles.description,
        permissions: subroles.permissions,
      })
      .from(subroles)
      .where(and(inArray(subroles.tenantId, tenantOfCustomer), or(isNull(subroles.customerId), eq(subroles.customerId, customerId))))
      .orderBy(asc(subroles.code), sql`${subroles.customerId} is null`, asc(subroles.id)),
  ]);
  checkOwnerReach(ctx, owner, ownerRows[0] as OwnerRow | undefined);
  return rows;
}
