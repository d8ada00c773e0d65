/**
 * Every CloudCockpit route through the shared authorization matrix (docs/api/auth.md#reach): broken tokens →
 * 401 and a missing scope → 403, both without a body; tokens outside the reach → 403 when the claims
 * decide (another tenant's X-Tenant, another customer, another reseller), else 404.
 */
import { beforeAll } from "vitest";
import { authMatrix } from "../auth-matrix";
import { call, sign } from "../harness";
import { ccWorld, createCcUser, expectCcError, newUser, V, type CcWorld } from "./helpers";

let w: CcWorld;
let other: CcWorld;
let tokens: Record<string, string>;

beforeAll(async () => {
  [w, other] = await Promise.all([ccWorld(), ccWorld()]);
  const mk = (role: string, extra: Record<string, string>) => sign({ sub: crypto.randomUUID(), role, tenant_id: w.tenant.id, scope: "users:read users:write", ...extra });
  tokens = {
    siblingCustomer: await mk("customer", { customer_id: w.sibling.id }),
    otherReseller: await mk("reseller", { reseller_id: w.otherReseller.id }),
  };
});

type Build = () => Promise<{ method: string; path: string; body?: unknown }>;

function route(name: string, ok: number, scope: "read" | "write", build: Build, outside: () => { label: string; token: string; status: 403 | 404 }[]) {
  authMatrix({
    name,
    ok,
    expectError: expectCcError,
    send: async (authorization, query) => {
      const { method, path, body } = await build();
      const url = `${V}${path}`;
      return call(method, query ? `${url}${url.includes("?") ? "&" : "?"}${query}` : url, {
        body,
        headers: { "x-tenant": w.tenant.domain, ...(authorization === undefined ? {} : { authorization }) },
      });
    },
    valid: async () => w.tenant.admin,
    noScope: () => sign({ sub: crypto.randomUUID(), role: "tenant_admin", tenant_id: w.tenant.id, scope: scope === "read" ? "users:write" : "users:read" }),
    outside: async () => [{ label: "another tenant's admin, this X-Tenant", token: other.tenant.admin, status: 403 }, ...outside()],
  });
}

const customerOutside = () => [
  { label: "a customer token of another customer", token: tokens.siblingCustomer!, status: 403 as const },
  { label: "a reseller token of another reseller", token: tokens.otherReseller!, status: 404 as const },
];
const userOutside = () => [
  { label: "a customer token of another customer", token: tokens.siblingCustomer!, status: 404 as const },
  { label: "a reseller token of another reseller", token: tokens.otherReseller!, status: 404 as const },
];

route("POST /v1/customer/{customerId}/users", 201, "write", async () => ({ method: "POST", path: `/customer/${w.customer.id}/users`, body: newUser() }), customerOutside);
route("GET /v1/customer/{customerId}/users", 200, "read", async () => ({ method: "GET", path: `/customer/${w.customer.id}/users` }), customerOutside);
route("POST /v1/reseller/{resellerId}/users", 201, "write", async () => ({ method: "POST", path: `/reseller/${w.reseller.id}/users`, body: newUser() }), () => [
  { label: "a customer token", token: tokens.siblingCustomer!, status: 403 },
  { label: "a reseller token of another reseller", token: tokens.otherReseller!, status: 403 },
]);
route("GET /v1/users", 200, "read", async () => ({ method: "GET", path: "/users" }), () => []);
route("GET /v1/users/groups", 200, "read", async () => ({ method: "GET", path: "/users/groups" }), () => []);
route(
  "PATCH /v1/users/{email}",
  204,
  "write",
  async () => ({ method: "PATCH", path: `/users/${encodeURIComponent((await createCcUser(w)).email)}`, body: { firstName: "Changed" } }),
  userOutside,
);
route("DELETE /v1/users/{email}", 204, "write", async () => ({ method: "DELETE", path: `/users/${encodeURIComponent((await createCcUser(w)).email)}` }), userOutside);
