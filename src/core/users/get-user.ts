import { and, eq, isNull } from "drizzle-orm";
import { customers, subroles, users } from "../../db/schema";
import type { Ctx } from "../context";
import { forbidden, notFound } from "../errors";
import { customerForbiddenByClaims } from "../principal";
import { customerMatch, type ProjectRef } from "../project-scope";
import { assertInNamedTenant, batchInTenant, inTenant, normaliseDomain, type TenantRef } from "../tenant-gate";
import { userByIdShape } from "./hot-shapes";
import { normaliseEmail, toUser, userRowInReach, userSelection, type User, type UserSelectionRow } from "./view";

/**
 * Where a user verb looks, once the dialect has read its own addressing (a user id under a customer
 * id, a project key + customer key, an e-mail under X-Tenant): every field is a condition, all must
 * hold. `customerId` is the customer's id — or, with `project` (Corti), its key or id within that
 * project (see ../project-scope.ts). `tenant` is the tenant the request names (../tenant-gate.ts).
 */
export interface UserAddress {
  userId?: string;
  email?: string;
  customerId?: string;
  project?: ProjectRef | undefined;
  tenant?: TenantRef;
}

/** Which parts an address has: the form of a statement rendered once per isolate (src/db/shapes.ts). */
export interface AddressForm {
  userId: boolean;
  email: boolean;
  customerId: boolean;
  project: boolean;
  tenant: "none" | "id" | "domain";
}

export function addressForm(a: UserAddress): AddressForm {
  return {
    userId: a.userId !== undefined,
    email: a.email !== undefined,
    customerId: a.customerId !== undefined,
    project: a.project !== undefined,
    tenant: a.tenant === undefined ? "none" : "id" in a.tenant ? "id" : "domain",
  };
}

/** The values of an address's placeholders (normalised as addressWhere compares them). */
export function addressValues(a: UserAddress): Record<string, unknown> {
  const v: Record<string, unknown> = {};
  if (a.userId !== undefined) v["a.userId"] = a.userId;
  if (a.email !== undefined) v["a.email"] = normaliseEmail(a.email);
  if (a.customerId !== undefined) v["a.customer"] = a.customerId;
  if (a.project !== undefined) v["a.projectKey"] = a.project.keyOrId;
  if (a.tenant !== undefined) v["a.tenant"] = "id" in a.tenant ? a.tenant.id : normaliseDomain(a.tenant.domain);
  return v;
}

/** An address of placeholders in a form (its project is looked for within the principal's tenant, as projectRef does). */
export function addressOf(p: (name: string) => unknown, f: AddressForm, principal: { role: string }): UserAddress {
  const a: UserAddress = {};
  if (f.userId) a.userId = p("a.userId") as string;
  if (f.email) a.email = p("a.email") as string;
  if (f.customerId) a.customerId = p("a.customer") as string;
  if (f.project) a.project = { keyOrId: p("a.projectKey") as string, tenantId: principal.role === "platform" ? null : (p("p.tenant") as string) };
  if (f.tenant !== "none") a.tenant = f.tenant === "id" ? { id: p("a.tenant") as string } : { domain: p("a.tenant") as string };
  return a;
}

/** The conditions that select the one live user an address names. */
export function addressWhere(ctx: Ctx, a: UserAddress) {
  const conditions = [isNull(users.deletedAt)];
  if (a.userId !== undefined) conditions.push(eq(users.id, a.userId));
  if (a.email !== undefined) conditions.push(eq(users.emailNorm, normaliseEmail(a.email)));
  if (a.customerId !== undefined) conditions.push(customerMatch(users.customerId, { customerId: a.customerId, project: a.project }));
  if (a.tenant !== undefined) conditions.push(inTenant(ctx, users.tenantId, a.tenant));
  return and(...conditions);
}

/** The read of one live user with everything toUser needs (un-awaited, to batch). */
function userQuery(ctx: Ctx, a: UserAddress) {
  // The hot form (a user id under a customer id) is rendered once per isolate (./hot-shapes.ts).
  if (a.userId !== undefined && a.customerId !== undefined && a.email === undefined && a.project === undefined && a.tenant === undefined) {
    return userByIdShape.bind(ctx.db, { userId: a.userId, customerId: a.customerId }) as unknown as ReturnType<typeof builtUserQuery>;
  }
  return builtUserQuery(ctx, a);
}

export function builtUserQuery(ctx: Ctx, a: UserAddress) {
  return ctx.db
    .select(userSelection)
    .from(users)
    .leftJoin(customers, eq(customers.id, users.customerId))
    .leftJoin(subroles, eq(subroles.id, users.subroleId))
    .where(addressWhere(ctx, a));
}

/** 403 if the claims exclude the path's customer; then the row, or 404 if absent or out of reach. */
function userInReachOr404(ctx: Ctx, rows: unknown[]): UserSelectionRow {
  const row = rows[0] as UserSelectionRow | undefined;
  if (!row || !userRowInReach(ctx.principal, row)) throw notFound("user");
  return row;
}

export function assertPathCustomerClaim(ctx: Ctx, customerId: string | undefined, project?: ProjectRef): void {
  // A project-scoped key is not comparable with the token's customer id: then the data decides (404).
  if (customerId !== undefined && project === undefined && customerForbiddenByClaims(ctx.principal, customerId)) throw forbidden();
}

type Batchable = Parameters<Ctx["db"]["batch"]>[0][number];

/**
 * A verb's first round trip over one user: the user an address names — within the caller's reach
 * and the tenant the request names, else 403 (claims) or 404 — and, in the same batch, whatever else
 * the verb reads (`more`, their results in order).
 */
export async function readUser<const M extends readonly Batchable[]>(
  ctx: Ctx,
  a: UserAddress,
  more: M,
  /** The whole batch, the user's read first, when the verb renders it itself (a statement family). */
  statements?: readonly unknown[],
): Promise<{ row: UserSelectionRow; more: { [K in keyof M]: Awaited<M[K]> } }> {
  assertPathCustomerClaim(ctx, a.customerId, a.project);
  const { results, named } = (await batchInTenant(ctx, a.tenant, (statements ?? [userQuery(ctx, a), ...more]) as never)) as { results: unknown[]; named: string | null };
  const row = userInReachOr404(ctx, results[0] as unknown[]);
  assertInNamedTenant(named, row.tenantId as string, "user");
  return { row, more: results.slice(1) as unknown as { [K in keyof M]: Awaited<M[K]> } };
}

export async function getUser(ctx: Ctx, a: UserAddress): Promise<User> {
  return toUser((await readUser(ctx, a, [])).row);
}
