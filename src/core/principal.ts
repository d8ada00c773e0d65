import type { Role, Scope } from "../db/schema";

/**
 * Who is calling, as proven by a verified access token (docs/api/auth.md#claims). Built by src/auth only.
 */
export interface Principal {
  /** Account id or user id (`sub`). */
  sub: string;
  role: Role;
  /** null only for `platform`. */
  tenantId: string | null;
  customerId: string | null;
  resellerId: string | null;
  projectId: string | null;
  scopes: ReadonlySet<Scope>;
  /** When the token's grant was read (epoch ms; `iat` × 1000 for tokens of other issuers): tokens issued before a revocation of `sub` are refused. */
  issuedAt: number;
}

/** The reach-relevant columns of a customer row. */
export interface CustomerReachRow {
  id: string;
  tenantId: string;
  resellerId: string | null;
  projectId: string | null;
}

/**
 * Whether a customer lies within the principal's reach. Used after a row has been read: a customer
 * out of reach is answered exactly like a missing one (404), never with 403.
 */
export function customerInReach(p: Principal, c: CustomerReachRow): boolean {
  if (p.role === "platform") return true;
  if (c.tenantId !== p.tenantId) return false;
  if (p.projectId !== null && c.projectId !== p.projectId) return false;
  switch (p.role) {
    case "tenant_admin":
      return true;
    case "reseller":
      return c.resellerId !== null && c.resellerId === p.resellerId;
    case "customer":
      return c.id === p.customerId;
  }
}

/**
 * The part of reach that the claims alone decide (403): a customer token naming another customer.
 * Returns false when the answer must come from the data (then 404 is the rule).
 */
export function customerForbiddenByClaims(p: Principal, customerId: string): boolean {
  return p.role === "customer" && p.customerId !== customerId;
}

/** Whether the principal may act on a tenant at all (admin API path tenant, X-Tenant header). */
export function tenantForbiddenByClaims(p: Principal, tenantId: string): boolean {
  return p.role !== "platform" && p.tenantId !== tenantId;
}
