/**
 * Every admin route through the authorization matrix: broken tokens → 401, no admin scope or a
 * non-admin role → 403, another tenant's admin → 403 (the path's tenant is decidable from claims).
 */
import { beforeAll } from "vitest";
import { authMatrix } from "../auth-matrix";
import { call, create, expectProblem, freshTenant, sign, unique, type Tenant } from "../harness";

let a: Tenant;
let b: Tenant;
const ids: Record<string, string> = {};

beforeAll(async () => {
  [a, b] = await Promise.all([freshTenant(), freshTenant()]);
  ids.projects = (await create(a, "projects", { key: unique("p").toLowerCase(), name: "P" })).id;
  ids.resellers = (await create(a, "resellers", { name: "R" })).id;
  ids.customers = (await create(a, "customers", { name: "C", resellerId: ids.resellers })).id;
  ids.subroles = (await create(a, "subroles", { code: "viewer", label: "Viewer", displayName: "Viewer", permissions: ["customer_user:read"] })).id;
  ids.groups = (await create(a, "groups", { name: "G" })).id;
  ids.accounts = (await create(a, "accounts", { name: "acct", role: "customer", customerId: ids.customers, scopes: ["users:read"] })).id;
});

const bodies: Record<string, () => Record<string, unknown>> = {
  projects: () => ({ key: unique("k").toLowerCase(), name: "Project" }),
  resellers: () => ({ name: "Reseller" }),
  customers: () => ({ name: "Customer" }),
  subroles: () => ({ code: unique("c").toLowerCase(), label: "L", displayName: "D", permissions: [] }),
  groups: () => ({ name: unique("g") }),
  accounts: () => ({ name: "A", role: "tenant_admin", scopes: ["users:read"] }),
};
const patches: Record<string, () => Record<string, unknown>> = {
  projects: () => ({ name: "Renamed" }),
  resellers: () => ({ name: "Renamed" }),
  customers: () => ({ name: "Renamed" }),
  subroles: () => ({ label: "Renamed" }),
  groups: () => ({ name: unique("renamed") }),
  accounts: () => ({ name: "Renamed" }),
};

const expectError = (r: Parameters<typeof expectProblem>[0], status: number) =>
  expectProblem(r, status, { 401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND" }[status] as string);

function route(name: string, ok: number, build: () => { method: string; path: string; body?: unknown }) {
  authMatrix({
    name,
    ok,
    expectError,
    send: (authorization, query) => {
      const { method, path, body } = build();
      return call(method, query ? `${path}${path.includes("?") ? "&" : "?"}${query}` : path, {
        body,
        headers: authorization === undefined ? {} : { authorization },
      });
    },
    valid: async () => a.admin,
    noScope: () => sign({ sub: crypto.randomUUID(), role: "tenant_admin", tenant_id: a.id, scope: "users:read users:write" }),
    outside: async () => [
      { label: "admin of another tenant", token: b.admin, status: 403 },
      {
        label: "customer role with the admin scope",
        token: await sign({ sub: crypto.randomUUID(), role: "customer", tenant_id: a.id, customer_id: ids.customers, scope: "admin users:read users:write" }),
        status: 403,
      },
    ],
  });
}

route("GET /api/v1/tenants/{tenantId}", 200, () => ({ method: "GET", path: `/api/v1/tenants/${a.id}` }));
route("PATCH /api/v1/tenants/{tenantId}", 200, () => ({ method: "PATCH", path: `/api/v1/tenants/${a.id}`, body: { name: "A" } }));
route("GET /api/v1/tenants/{tenantId}/users", 200, () => ({ method: "GET", path: `/api/v1/tenants/${a.id}/users` }));
route("GET /api/v1/tenants/{tenantId}/audit-events", 200, () => ({ method: "GET", path: `/api/v1/tenants/${a.id}/audit-events` }));
for (const kind of Object.keys(bodies)) {
  route(`POST /api/v1/tenants/{tenantId}/${kind}`, 201, () => ({ method: "POST", path: `/api/v1/tenants/${a.id}/${kind}`, body: bodies[kind]!() }));
  route(`GET /api/v1/tenants/{tenantId}/${kind}`, 200, () => ({ method: "GET", path: `/api/v1/tenants/${a.id}/${kind}` }));
  route(`GET /api/v1/tenants/{tenantId}/${kind}/{id}`, 200, () => ({ method: "GET", path: `/api/v1/tenants/${a.id}/${kind}/${ids[kind]}` }));
  route(`PATCH /api/v1/tenants/{tenantId}/${kind}/{id}`, 200, () => ({ method: "PATCH", path: `/api/v1/tenants/${a.id}/${kind}/${ids[kind]}`, body: patches[kind]!() }));
}
