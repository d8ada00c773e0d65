/**
 * Worth test helpers: a fresh tenant with a customer (owned by a reseller), the customer's own
 * subrole and a tenant-wide one, tokens of every role, and whole-body error assertions.
 */
import { expect } from "vitest";
import { call, unique, type CallOptions, type Reply, type Tenant } from "../harness";
import { ALL, world } from "../world";

export const W = "/auth/api/v1";

export interface WorthWorld {
  tenant: Tenant;
  reseller: { id: string };
  customer: { id: string; resellerId: string };
  /** A second customer of the same tenant (and reseller). */
  sibling: { id: string; resellerId: string };
  /** The customer's own subrole (code `cro`). */
  cro: { id: string; code: string; label: string; displayName: string; description: string };
  /** A tenant-wide subrole (code `viewer`). */
  viewer: { id: string; code: string; label: string; displayName: string; description: string };
  /** A subrole of the sibling customer: not usable by the customer's users. */
  foreign: { id: string; code: string };
  /** Signed with the real secret: the customer's (`sub` below) with both scopes, with none, with one of
   * each; the reseller's; and the tenant admin's, from the real token endpoint. */
  tokens: { customer: string; customerNoScope: string; customerRead: string; customerWrite: string; reseller: string; tenantAdmin: string };
  /** The `sub` of the customer token. */
  sub: string;
}

export async function worthWorld(): Promise<WorthWorld> {
  const sub = crypto.randomUUID();
  const customer = (scope: string, more: { sub?: string } = {}) => ({ role: "customer", customer: 0, scope, ...more });
  const w = await world({
    resellers: 1,
    customers: [
      { name: "Sandbox", reseller: 0 },
      { name: "Sibling", reseller: 0 },
    ],
    subroles: [
      { customer: 0, code: "cro", label: "CRO", displayName: "CRO", description: "This is Sandbox's CRO", permissions: ["customer_user:read", "customer_user:write"] },
      { code: "viewer", label: "Viewer", displayName: "Viewer", description: "Reads users", permissions: ["customer_user:read"] },
      { customer: 1, code: "cro", label: "CRO", displayName: "CRO", permissions: [] },
    ],
    tokens: {
      customer: customer(ALL, { sub }),
      customerNoScope: customer(""),
      customerRead: customer("users:read"),
      customerWrite: customer("users:write"),
      reseller: { role: "reseller", reseller: 0, scope: ALL },
    },
  });
  const [cro, viewer, foreign] = w.subroles;
  return {
    tenant: w.tenant,
    reseller: w.resellers[0]!,
    customer: w.customers[0] as WorthWorld["customer"],
    sibling: w.customers[1] as WorthWorld["sibling"],
    cro: cro!,
    viewer: viewer!,
    foreign: foreign!,
    sub,
    tokens: { ...w.tokens, tenantAdmin: w.tenant.admin },
  };
}

/** A valid create body; `over` replaces fields. */
export function newUser(w: WorthWorld, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    first_name: "Sandbox",
    last_name: "CRO",
    email: `${unique("user")}@example.com`,
    subrole: { id: w.cro.id, code: w.cro.code, label: w.cro.label },
    ...over,
  };
}

/** Creates a user through the Worth API; returns its id. */
export async function createWorthUser(w: WorthWorld, over: Record<string, unknown> = {}, token = w.tokens.customer): Promise<string> {
  const r = await call("POST", `${W}/customers/${w.customer.id}/users`, { token, body: newUser(w, over), expect: 200 });
  return r.body.data.user_id as string;
}

export function worth(method: string, path: string, o: CallOptions = {}): Promise<Reply> {
  return call(method, `${W}${path}`, o);
}

/** The exact `{status:"fail", ...}` body and the JSON content type. */
export function expectFail(r: Reply, status: number, errorCode: string, message: string, errorName = "CustomersApiError"): void {
  expect({ status: r.status, body: r.body }).toEqual({ status, body: { status: "fail", message, errorCode, data: { errorName } } });
  expect(r.headers.get("content-type")).toBe("application/json");
}

/** A validation failure: the message must name each of `fields`. */
export function expectValidation(r: Reply, ...fields: string[]): void {
  expect(r.status).toBe(400);
  expect(r.body).toEqual({ status: "fail", message: expect.any(String), errorCode: "INVALID", data: { errorName: "ValidationMiddlewareError" } });
  for (const f of fields) expect(r.body.message).toContain(f);
}

const SHORT: Record<number, { message: string; errorCode: string }> = {
  401: { message: "Unauthorized", errorCode: "ERR_UNAUTHORIZED" },
  403: { message: "Forbidden", errorCode: "ERR_FORBIDDEN" },
  500: { message: "Internal Server Error", errorCode: "ERR_INTERNAL_SERVER" },
};

/** Worth's error body for a status of the authorization matrix (401/403 short, 404 envelope). */
export function expectWorthError(r: Reply, status: number, notFound = "Customer Not Found", notFoundCode = "NOT_FOUND"): void {
  if (status === 404) return expectFail(r, 404, notFoundCode, notFound);
  expect({ status: r.status, body: r.body }).toEqual({ status, body: SHORT[status] });
  expect(r.headers.get("content-type")).toBe("application/json");
  if (status === 401) expect(r.headers.get("www-authenticate")).toBe('Bearer realm="customer-users"');
}

/** The list route's description of its query parameters, as its 400 messages quote it (pinned here). */
export const ALLOWED =
  "Allowed: page, items_per_page (1–100), filter[<field>]=value or <field>=value for first_name, last_name, email, mobile, status, " +
  "is_email_verified, is_first_login, subrole_id, subrole_code, created_by, created_at; filter[created_at][gte|lte]=<ISO 8601>; " +
  "search[<field>]=text for first_name, last_name, email, mobile, subrole_code, created_by; sort[<field>]=ASC|DESC for first_name, " +
  "last_name, email, mobile, status, is_email_verified, is_first_login, subrole_id, subrole_code, created_by, created_at, updated_at.";
