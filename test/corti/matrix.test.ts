/**
 * Every Corti route through the shared authorization matrix (docs/api/auth.md#reach): broken tokens → 401,
 * a missing scope or role → 403, and everything outside the token's reach → 404, since Corti's
 * paths name projects and customers by key, which the claims cannot be compared with
 * (docs/decisions/corti-reach.md).
 */
import { beforeAll } from "vitest";
import { authMatrix } from "../auth-matrix";
import { call, create, freshTenant, sign, unique, type Tenant } from "../harness";
import { CORTI, cortiUser, customerToken, expectCortiError, newEmail, secondCustomer, world, type World } from "./helpers";

let w: World;
let other: Tenant;
let secondId: string;
let otherResellerId: string;
let otherProjectId: string;

beforeAll(async () => {
  [w, other] = await Promise.all([world({ reseller: true }), freshTenant()]);
  secondId = (await secondCustomer(w)).id;
  otherResellerId = (await create(w.tenant, "resellers", { name: "Other reseller" })).id;
  otherProjectId = (await create(w.tenant, "projects", { key: unique("other").toLowerCase(), name: "Other" })).id;
});

const tenantAdmin = (scope: string, extra: Record<string, unknown> = {}) => sign({ sub: crypto.randomUUID(), role: "tenant_admin", tenant_id: w.tenant.id, scope, ...extra });

/** Tokens of every kind that do not reach the world's customer, and what each must get. */
async function usersOutside() {
  const all = "users:read users:write";
  return [
    { label: "customer token of another customer", token: await customerToken(w, all, secondId), status: 404 as const },
    { label: "tenant admin of another tenant", token: other.admin, status: 404 as const },
    { label: "reseller not owning the customer", token: await sign({ sub: crypto.randomUUID(), role: "reseller", tenant_id: w.tenant.id, reseller_id: otherResellerId, scope: all }), status: 404 as const },
    { label: "tenant admin narrowed to another project", token: await tenantAdmin(all, { project_id: otherProjectId }), status: 404 as const },
  ];
}

async function customersOutside() {
  const all = "admin users:read users:write";
  return [
    { label: "tenant admin of another tenant", token: other.admin, status: 404 as const },
    { label: "tenant admin narrowed to another project", token: await tenantAdmin(all, { project_id: otherProjectId }), status: 404 as const },
    { label: "customer role, even with the admin scope", token: await customerToken(w, all), status: 403 as const },
    { label: "reseller role, even with the admin scope", token: await sign({ sub: crypto.randomUUID(), role: "reseller", tenant_id: w.tenant.id, reseller_id: w.customer.resellerId, scope: all }), status: 403 as const },
  ];
}

function route(name: string, ok: number, scope: "users:read" | "users:write" | "admin", build: () => Promise<{ method: string; path: string; body?: unknown }>) {
  const everything = "admin users:read users:write";
  authMatrix({
    name,
    ok,
    expectError: expectCortiError,
    send: async (authorization, query) => {
      const { method, path, body } = await build();
      return call(method, query ? `${path}?${query}` : path, { body, headers: authorization === undefined ? {} : { authorization } });
    },
    valid: async () => w.tenant.admin,
    noScope: () => tenantAdmin(everything.split(" ").filter((s) => s !== scope).join(" ")),
    outside: scope === "admin" ? customersOutside : usersOutside,
  });
}

const newUser = () => ({ email: newEmail("m"), firstName: "M", lastName: "M" });
/** A fresh user for each request, so that every case meets an existing user. */
const userPath = async () => `${w.usersPath}/${(await cortiUser(w)).id}`;

route("POST /projects/{projectId}/customers/{customerId}/users", 201, "users:write", async () => ({ method: "POST", path: w.usersPath, body: newUser() }));
route("GET /projects/{projectId}/customers/{customerId}/users", 200, "users:read", async () => ({ method: "GET", path: w.usersPath }));
route("PATCH /projects/{projectId}/customers/{customerId}/users/{userId}", 200, "users:write", async () => ({ method: "PATCH", path: await userPath(), body: { firstName: "Patched" } }));
route("DELETE /projects/{projectId}/customers/{customerId}/users/{userId}", 204, "users:write", async () => ({ method: "DELETE", path: await userPath() }));
route("POST /projects/{projectId}/customers", 201, "admin", async () => ({ method: "POST", path: w.customersPath, body: { displayName: "M", customerId: unique("m") } }));
route("GET /projects/{projectId}/customers", 200, "admin", async () => ({ method: "GET", path: w.customersPath }));
route("PATCH /projects/{projectId}/customers/{customerId}", 200, "admin", async () => ({ method: "PATCH", path: w.customerPath, body: { displayName: unique("renamed") } }));
// The same routes addressed by ids instead of keys.
route("GET /projects/{projectUuid}/customers/{customerUuid}/users", 200, "users:read", async () => ({ method: "GET", path: `${CORTI}/projects/${w.project.id}/customers/${w.customer.id}/users` }));
route("PATCH /projects/{projectUuid}/customers/{customerUuid}", 200, "admin", async () => ({ method: "PATCH", path: `${CORTI}/projects/${w.project.id}/customers/${w.customer.id}`, body: { isNfr: true } }));
