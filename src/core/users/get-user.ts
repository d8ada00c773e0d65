import { and, eq, isNull } from "drizzle-orm";
import { customers, subroles, users } from "../../db/schema";
import type { Ctx } from "../context";
import { forbidden, notFound } from "../errors";
import { customerForbiddenByClaims } from "../principal";
import { customerMatch, type ProjectRef } from "../project-scope";
import { tenantIdOfDomain } from "../tenant-gate";
import { normaliseEmail, toUser, userRowInReach, userSelection, type User, type UserSelectionRow } from "./view";

/**
 * Where a user is looked for: by id, optionally under the customer its path names. With `project`
 * (Corti), `customerId` is the customer's key or id within that project (see ../project-scope.ts).
 */
export type UserLocator = (
  | { userId: string; email?: undefined }
  | { email: string; tenantId: string; userId?: undefined }
  /** CloudCockpit: by e-mail within the tenant its `X-Tenant` domain names; with `userId`, that user only. */
  | { email: string; tenantDomain: string; userId?: string }
) & {
  customerId?: string;
  project?: ProjectRef | undefined;
  tenantId?: string;
  tenantDomain?: string;
};

/** The conditions that select the one live user a locator names. */
export function locatorWhere(loc: UserLocator) {
  const conditions = [isNull(users.deletedAt)];
  if (loc.userId !== undefined) conditions.push(eq(users.id, loc.userId));
  if (loc.email !== undefined) conditions.push(eq(users.emailNorm, normaliseEmail(loc.email)));
  if (loc.customerId !== undefined) conditions.push(customerMatch(users.customerId, { customerId: loc.customerId, project: loc.project }));
  if (loc.tenantId !== undefined) conditions.push(eq(users.tenantId, loc.tenantId));
  if (loc.tenantDomain !== undefined) conditions.push(eq(users.tenantId, tenantIdOfDomain(loc.tenantDomain)));
  return and(...conditions);
}

/** The read of one live user with everything toUser needs (un-awaited, to batch). */
export function userQuery(ctx: Ctx, loc: UserLocator) {
  return ctx.db
    .select(userSelection)
    .from(users)
    .leftJoin(customers, eq(customers.id, users.customerId))
    .leftJoin(subroles, eq(subroles.id, users.subroleId))
    .where(locatorWhere(loc));
}

/** 403 if the claims exclude the path's customer; then the row, or 404 if absent or out of reach. */
export function userInReachOr404(ctx: Ctx, loc: UserLocator, rows: unknown[]): UserSelectionRow {
  const row = rows[0] as UserSelectionRow | undefined;
  if (!row || !userRowInReach(ctx.principal, row)) throw notFound("user");
  return row;
}

export function assertPathCustomerClaim(ctx: Ctx, customerId: string | undefined, project?: ProjectRef): void {
  // A project-scoped key is not comparable with the token's customer id: then the data decides (404).
  if (customerId !== undefined && project === undefined && customerForbiddenByClaims(ctx.principal, customerId)) throw forbidden();
}

export async function getUser(ctx: Ctx, loc: UserLocator): Promise<User> {
  assertPathCustomerClaim(ctx, loc.customerId, loc.project);
  return toUser(userInReachOr404(ctx, loc, await userQuery(ctx, loc)));
}
