/**
 * Worth test helpers: a fresh tenant with a customer (owned by a reseller), the customer's own
 * subrole and a tenant-wide one, tokens of every role, and whole-body error assertions.
 */
import { expect } from "vitest";
import { authMatrix } from "../auth-matrix";
import { call, create, freshTenant, roleTokens, sign, unique, type CallOptions, type Reply, type Tenant } from "../harness";

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
  tokens: Awaited<ReturnType<typeof roleTokens>> & { customerRead: string; customerWrite: string };
  /** The `sub` of the customer token. */
  sub: string;
}

export async function worthWorld(): Promise<WorthWorld> {
  const tenant = await freshTenant();
  const reseller = await create(tenant, "resellers", { name: "Reseller" });
  const [customer, sibling] = await Promise.all([
    create(tenant, "customers", { name: "Sandbox", resellerId: reseller.id }),
    create(tenant, "customers", { name: "Sibling", resellerId: reseller.id }),
  ]);
  const [cro, viewer, foreign] = await Promise.all([
    create(tenant, "subroles", {
      customerId: customer.id,
      code: "cro",
      label: "CRO",
      displayName: "CRO",
      description: "This is Sandbox's CRO",
      permissions: ["customer_user:read", "customer_user:write"],
    }),
    create(tenant, "subroles", { code: "viewer", label: "Viewer", displayName: "Viewer", description: "Reads users", permissions: ["customer_user:read"] }),
    create(tenant, "subroles", { customerId: sibling.id, code: "cro", label: "CRO", displayName: "CRO", permissions: [] }),
  ]);
  const sub = crypto.randomUUID();
  const base = await roleTokens(tenant, customer);
  const claims = { role: "customer", tenant_id: tenant.id, customer_id: customer.id };
  return {
    tenant,
    reseller,
    customer,
    sibling,
    cro,
    viewer,
    foreign,
    sub,
    tokens: {
      ...base,
      customer: await sign({ sub, ...claims, scope: "users:read users:write" }),
      customerRead: await sign({ sub: crypto.randomUUID(), ...claims, scope: "users:read" }),
      customerWrite: await sign({ sub: crypto.randomUUID(), ...claims, scope: "users:write" }),
    },
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

/**
 * The authorization matrix (test/auth-matrix.ts) for one Worth route, with the reach cases of
 * docs/api/auth.md#403-or-404: another customer's token (403, decidable from the claims), and principals whose
 * reach excludes the customer only by the data (404, exactly like a missing one).
 */
export function worthMatrix(
  name: string,
  build: (w: WorthWorld) => Promise<{ method: string; path: string; body?: unknown }> | { method: string; path: string; body?: unknown },
  o: { scope: "users:read" | "users:write"; notFound: string; notFoundCode?: string; world: () => WorthWorld },
): void {
  authMatrix({
    name,
    ok: 200,
    expectError: (r, status) => expectWorthError(r, status, o.notFound, o.notFoundCode),
    send: async (authorization, query) => {
      const { method, path, body } = await build(o.world());
      const full = query ? `${path}${path.includes("?") ? "&" : "?"}${query}` : path;
      return worth(method, full, { body, headers: authorization === undefined ? {} : { authorization } });
    },
    valid: async () => o.world().tokens.customer,
    noScope: async () => {
      const w = o.world();
      const other = o.scope === "users:read" ? "users:write" : "users:read";
      return sign({ sub: crypto.randomUUID(), role: "customer", tenant_id: w.tenant.id, customer_id: w.customer.id, scope: other });
    },
    outside: async () => {
      const w = o.world();
      const otherTenant = await freshTenant();
      const all = "users:read users:write";
      return [
        { label: "customer token of a sibling customer", token: await sign({ sub: crypto.randomUUID(), role: "customer", tenant_id: w.tenant.id, customer_id: w.sibling.id, scope: all }), status: 403 as const },
        { label: "tenant admin of another tenant", token: otherTenant.admin, status: 404 as const },
        { label: "reseller of another reseller", token: await sign({ sub: crypto.randomUUID(), role: "reseller", tenant_id: w.tenant.id, reseller_id: crypto.randomUUID(), scope: all }), status: 404 as const },
        { label: "tenant admin narrowed to another project", token: await sign({ sub: crypto.randomUUID(), role: "tenant_admin", tenant_id: w.tenant.id, project_id: crypto.randomUUID(), scope: all }), status: 404 as const },
        { label: "customer token of another tenant's customer id", token: await sign({ sub: crypto.randomUUID(), role: "customer", tenant_id: otherTenant.id, customer_id: w.customer.id, scope: all }), status: 404 as const },
      ];
    },
  });
}

/** The list route's description of its query parameters, as its 400 messages quote it (pinned here). */
export const ALLOWED =
  "Allowed: page, items_per_page (1–100), filter[<field>]=value or <field>=value for first_name, last_name, email, mobile, status, " +
  "is_email_verified, is_first_login, subrole_id, subrole_code, created_by, created_at; filter[created_at][gte|lte]=<ISO 8601>; " +
  "search[<field>]=text for first_name, last_name, email, mobile, subrole_code, created_by; sort[<field>]=ASC|DESC for first_name, " +
  "last_name, email, mobile, status, is_email_verified, is_first_login, subrole_id, subrole_code, created_by, created_at, updated_at.";
