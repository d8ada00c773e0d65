/**
 * CloudCockpit test helpers: a fresh tenant with a reseller, two customers of it and one without
 * reseller, the customer's own subrole and a tenant-wide one, groups, tokens of every role (platform
 * included), calls that send `X-Tenant`, and whole-body error assertions.
 */
import { expect } from "vitest";
import { call, create, freshTenant, platformToken, sign, unique, type CallOptions, type Reply, type Tenant } from "../harness";

export const V = "/v1";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface CcWorld {
  tenant: Tenant;
  reseller: { id: string };
  /** Another reseller of the same tenant. */
  otherReseller: { id: string };
  customer: { id: string; resellerId: string };
  /** A second customer of the same reseller. */
  sibling: { id: string; resellerId: string };
  /** A customer of no reseller. */
  direct: { id: string; resellerId: null };
  /** The customer's own subrole (code `cro`). */
  cro: { id: string; code: string };
  /** A tenant-wide subrole (code `viewer`). */
  viewer: { id: string; code: string };
  /** The sibling's own subrole (code `sib`): not usable by the customer's users. */
  foreign: { id: string; code: string };
  groups: { id: string; name: string }[];
  tokens: {
    platform: string;
    tenantAdmin: string;
    reseller: string;
    customer: string;
    /** Every role, for matrices. */
    all: { label: string; token: string }[];
    read: { tenantAdmin: string; reseller: string; customer: string };
    write: { tenantAdmin: string; reseller: string; customer: string };
  };
}

export async function ccWorld(): Promise<CcWorld> {
  const tenant = await freshTenant();
  const [reseller, otherReseller] = await Promise.all([create(tenant, "resellers", { name: "Reseller" }), create(tenant, "resellers", { name: "Other" })]);
  const [customer, sibling, direct] = await Promise.all([
    create(tenant, "customers", { name: "Contoso", resellerId: reseller.id }),
    create(tenant, "customers", { name: "Sibling", resellerId: reseller.id }),
    create(tenant, "customers", { name: "Direct" }),
  ]);
  const [cro, viewer, foreign, ...groups] = await Promise.all([
    create(tenant, "subroles", { customerId: customer.id, code: "cro", label: "CRO", displayName: "CRO", permissions: ["customer_user:read"] }),
    create(tenant, "subroles", { code: "viewer", label: "Viewer", displayName: "Viewer", permissions: ["customer_user:read"] }),
    create(tenant, "subroles", { customerId: sibling.id, code: "sib", label: "Sib", displayName: "Sib", permissions: [] }),
    create(tenant, "groups", { name: "Alpha" }),
    create(tenant, "groups", { name: "Beta" }),
    create(tenant, "groups", { name: "Gamma" }),
  ]);
  const all = "users:read users:write";
  const mk = (role: string, scope: string, extra: Record<string, string> = {}) => sign({ sub: crypto.randomUUID(), role, tenant_id: tenant.id, scope, ...extra });
  const tokens = {
    platform: await platformToken(),
    tenantAdmin: tenant.admin,
    reseller: await mk("reseller", all, { reseller_id: reseller.id }),
    customer: await mk("customer", all, { customer_id: customer.id }),
    read: {
      tenantAdmin: await mk("tenant_admin", "users:read"),
      reseller: await mk("reseller", "users:read", { reseller_id: reseller.id }),
      customer: await mk("customer", "users:read", { customer_id: customer.id }),
    },
    write: {
      tenantAdmin: await mk("tenant_admin", "users:write"),
      reseller: await mk("reseller", "users:write", { reseller_id: reseller.id }),
      customer: await mk("customer", "users:write", { customer_id: customer.id }),
    },
  };
  return {
    tenant,
    reseller,
    otherReseller,
    customer,
    sibling,
    direct,
    cro,
    viewer,
    foreign,
    groups: groups.map((g) => ({ id: g.id, name: g.name })),
    tokens: {
      ...tokens,
      all: [
        { label: "platform", token: tokens.platform },
        { label: "tenant_admin", token: tokens.tenantAdmin },
        { label: "reseller", token: tokens.reseller },
        { label: "customer", token: tokens.customer },
      ],
    },
  };
}

/** A CloudCockpit call: `X-Tenant` is the world's domain unless `tenant` says otherwise (null: none). */
export function cc(w: CcWorld, method: string, path: string, o: CallOptions & { tenant?: string | null; correlationId?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...o.headers };
  const tenant = o.tenant === undefined ? w.tenant.domain : o.tenant;
  if (tenant !== null) headers["x-tenant"] = tenant;
  if (o.correlationId !== undefined) headers["x-correlation-id"] = o.correlationId;
  return call(method, `${V}${path}`, { ...o, token: o.token ?? w.tokens.tenantAdmin, headers });
}

/** A valid create body; `over` replaces fields. */
export function newUser(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { firstName: "Jane", lastName: "Doe", email: `${unique("jane")}@example.com`, groups: [], ...over };
}

/** Creates a user of the world's customer through CloudCockpit; returns its id and e-mail. */
export async function createCcUser(w: CcWorld, over: Record<string, unknown> = {}, customerId = w.customer.id): Promise<{ id: string; email: string }> {
  const body = newUser(over);
  const r = await cc(w, "POST", `/customer/${customerId}/users`, { body, expect: 201 });
  return { id: r.body as string, email: body.email as string };
}

export interface CcUser {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  role: { name: string } | null;
  groups: { id: string; name: string }[];
}

/** The customer's users as CloudCockpit lists them. */
export async function listCustomer(w: CcWorld, customerId = w.customer.id): Promise<CcUser[]> {
  return (await cc(w, "GET", `/customer/${customerId}/users`, { expect: 200 })).body as CcUser[];
}

/**
 * Asserts CloudCockpit's error answer, whole: 401/403 without a body; otherwise the envelope with
 * the status, the type, a description, the response's correlation id and exactly `errors`.
 */
export function expectCc(r: Reply, status: number, errors: { propertyName: string; description: string[] }[] = [], description?: string): void {
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${r.text}`);
  const correlationId = r.headers.get("x-correlation-id");
  expect(correlationId).toBeTruthy();
  if (status === 401 || status === 403) {
    expect(r.text).toBe("");
    expect(r.headers.get("content-type")).toBeNull();
    if (status === 401) expect(r.headers.get("www-authenticate")).toBe('Bearer realm="customer-users"');
    return;
  }
  const types: Record<number, string> = {
    400: "ValidationError",
    404: "NotFound",
    405: "MethodNotAllowed",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    429: "TooManyRequests",
    500: "InternalServerError",
  };
  expect(r.headers.get("content-type")).toBe("application/json");
  expect(r.body).toEqual({
    statusCode: status,
    type: types[status],
    description: description ?? expect.any(String),
    correlationId,
    errors,
  });
}

/** The matrix's error check (the authMatrix helper calls it with 401, 403 or 404). */
export const expectCcError = (r: Reply, status: number) => expectCc(r, status);

export function isUuid(s: unknown): boolean {
  return typeof s === "string" && UUID.test(s);
}

/** An unknown but well-formed portal domain. */
export const unknownDomain = () => `${unique("nowhere")}.example.com`;

export { unique };
