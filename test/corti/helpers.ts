/**
 * Helpers of the Corti tests: a fresh tenant with a project and a customer (both with keys), the
 * dialect's paths, its error body, and real user logins at the Corti token endpoint.
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { call, create, sign, unique, type Reply, type Tenant } from "../harness";
import { world as buildWorld } from "../world";

export const CORTI = "/functions/v1/public";
export const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
export const UUID = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
/**
 * The D1 round-trip budgets of the Corti user routes, on the response path (docs/scaling.md): a
 * password login's success sends the release of its attempt count after the response.
 */
export const BUDGET = { list: 1, create: 1, update: 1, delete: 1, token: 1 } as const;
/** Customer writes (not users) still read before they write. */
export const CUSTOMER_BUDGET = { create: 2, update: 2 } as const;
/** A password well inside 16–64 code points. */
export const PASSWORD = "My$ecureP@ssw0rd123!";

export interface Ref {
  id: string;
  key: string;
}

export interface World {
  tenant: Tenant;
  project: Ref;
  customer: Ref & { resellerId: string | null };
  /** `/functions/v1/public/projects/{key}/customers/{key}`. */
  customerPath: string;
  usersPath: string;
  customersPath: string;
}

/** A fresh tenant with a project and a customer of that project (through the admin API). */
export async function world(opts: { reseller?: boolean } = {}): Promise<World> {
  const projectKey = unique("proj").toLowerCase();
  const customerKey = unique("cust");
  const w = await buildWorld({
    projects: [{ key: projectKey, name: "Console project" }],
    resellers: opts.reseller ? 1 : 0,
    customers: [{ name: "Contoso Hospital", project: 0, key: customerKey, ...(opts.reseller ? { reseller: 0 } : {}) }],
  });
  const customersPath = `${CORTI}/projects/${projectKey}/customers`;
  const customerPath = `${customersPath}/${customerKey}`;
  return {
    tenant: w.tenant,
    project: { id: w.projects[0]!.id, key: projectKey },
    customer: { id: w.customers[0]!.id, key: customerKey, resellerId: w.resellers[0]?.id ?? null },
    customerPath,
    usersPath: `${customerPath}/users`,
    customersPath,
  };
}

/** Another customer in the same project. */
export async function secondCustomer(w: World): Promise<Ref & { usersPath: string }> {
  const key = unique("cust2");
  const c = await create(w.tenant, "customers", { name: "Second", projectId: w.project.id, key });
  return { id: c.id, key, usersPath: `${w.customersPath}/${key}/users` };
}

/** A customer-role token for the world's customer (signed with the real secret). */
export function customerToken(w: World, scope = "users:read users:write", customerId = w.customer.id): Promise<string> {
  return sign({ sub: crypto.randomUUID(), role: "customer", tenant_id: w.tenant.id, customer_id: customerId, scope });
}

export const newEmail = (label = "user") => `${unique(label)}@example.com`;

/** Creates a user through the Corti route; returns its wire body. */
export async function cortiUser(w: World, body: Record<string, unknown> = {}, token = w.tenant.admin): Promise<Record<string, unknown> & { id: string; email: string }> {
  const r = await call("POST", w.usersPath, { token, body: { email: newEmail(), firstName: "John", lastName: "Doe", ...body }, expect: 201 });
  return r.body;
}

export const login = (email: string, password: string, path = `${CORTI}/auth/token`) => call("POST", path, { body: { email, password } });

/** Gives a user a subrole of its customer with these permissions (test setup straight in D1: Corti has no subrole field). */
export async function grantSubrole(w: World, userId: string, permissions: string[]): Promise<void> {
  const s = await create(w.tenant, "subroles", { customerId: w.customer.id, code: unique("role").toLowerCase(), label: "Role", displayName: "Role", permissions });
  await env.DB.prepare("update users set subrole_id = ? where id = ?").bind(s.id, userId).run();
}

/** Asserts a Corti error: status, JSON, `{message, code}` with the code of the status, and nothing else but `details`. */
export function expectCortiError(r: Reply, status: number): void {
  const codes: Record<number, string> = { 400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 409: "CONFLICT", 413: "PAYLOAD_TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE", 500: "INTERNAL_SERVER_ERROR" };
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get("content-type")).toBe("application/json");
  expect(r.body).toEqual({ message: expect.any(String), code: codes[status], ...(r.body.details === undefined ? {} : { details: expect.any(Array) }) });
}

/** What no body or audit event may ever contain: the password itself or any hash of it. */
export function expectNoSecrets(x: unknown, password = PASSWORD): void {
  const s = typeof x === "string" ? x : JSON.stringify(x);
  expect(s).not.toMatch(/passwordHash|password_hash|pbkdf2/i);
  expect(s).not.toContain(password);
  expect(s).not.toContain(JSON.stringify(password).slice(1, -1));
}
