/**
 * CloudCockpit test helpers: a fresh tenant with a reseller, two customers of it and one without
 * reseller, the customer's own subrole and a tenant-wide one, groups, tokens of every role (platform
 * included), calls that send `X-Tenant`, and whole-body error assertions.
 */
import { expect } from "vitest";
import { call, unique, type CallOptions, type Reply, type Tenant } from "../harness";
import { ALL, world } from "../world";

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
  const as = (scope: string) => ({
    tenantAdmin: { role: "tenant_admin", scope },
    reseller: { role: "reseller", reseller: 0, scope },
    customer: { role: "customer", customer: 0, scope },
  });
  const [all, read, write] = [as(ALL), as("users:read"), as("users:write")];
  const w = await world({
    resellers: [{ name: "Reseller" }, { name: "Other" }],
    customers: [{ name: "Contoso", reseller: 0 }, { name: "Sibling", reseller: 0 }, { name: "Direct" }],
    subroles: [
      { customer: 0, code: "cro", label: "CRO", displayName: "CRO", permissions: ["customer_user:read"] },
      { code: "viewer", label: "Viewer", displayName: "Viewer", permissions: ["customer_user:read"] },
      { customer: 1, code: "sib", label: "Sib", displayName: "Sib", permissions: [] },
    ],
    groups: [{ name: "Alpha" }, { name: "Beta" }, { name: "Gamma" }],
    tokens: {
      reseller: all.reseller,
      customer: all.customer,
      readTenantAdmin: read.tenantAdmin,
      readReseller: read.reseller,
      readCustomer: read.customer,
      writeTenantAdmin: write.tenantAdmin,
      writeReseller: write.reseller,
      writeCustomer: write.customer,
    },
  });
  const t = w.tokens;
  const [cro, viewer, foreign] = w.subroles;
  const tokens = { platform: w.platform, tenantAdmin: w.tenant.admin, reseller: t.reseller, customer: t.customer };
  return {
    tenant: w.tenant,
    reseller: w.resellers[0]!,
    otherReseller: w.resellers[1]!,
    customer: w.customers[0] as CcWorld["customer"],
    sibling: w.customers[1] as CcWorld["sibling"],
    direct: w.customers[2] as CcWorld["direct"],
    cro: cro!,
    viewer: viewer!,
    foreign: foreign!,
    groups: w.groups.map((g) => ({ id: g.id, name: g.name })),
    tokens: {
      ...tokens,
      read: { tenantAdmin: t.readTenantAdmin, reseller: t.readReseller, customer: t.readCustomer },
      write: { tenantAdmin: t.writeTenantAdmin, reseller: t.writeReseller, customer: t.writeCustomer },
      all: Object.entries({ platform: tokens.platform, tenant_admin: tokens.tenantAdmin, reseller: tokens.reseller, customer: tokens.customer }).map(([label, token]) => ({ label, token })),
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

export function isUuid(s: unknown): boolean {
  return typeof s === "string" && UUID.test(s);
}

/** An unknown but well-formed portal domain. */
export const unknownDomain = () => `${unique("nowhere")}.example.com`;

export { unique };
