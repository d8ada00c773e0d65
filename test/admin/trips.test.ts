/**
 * D1 round trips per admin request, read from Server-Timing (`db;desc="N"`), held to each route's
 * budget: GET item 1, list 1, create 1, patch ≤ 2, delete ≤ 2. The measured table is printed,
 * so a change in the figures shows in the test output, not only when a budget breaks.
 */
import { afterAll, describe, expect, it } from "vitest";
import { call, create, dbTrips, freshTenant, platformToken, unique, type Reply } from "../harness";
import { BUDGET, base, seedUser } from "./helpers";

const measured: [route: string, trips: number, budget: number][] = [];

function record(route: string, r: Reply, status: number, budget: number) {
  expect(r.status, `${route}: ${r.text}`).toBe(status);
  const n = dbTrips(r);
  measured.push([route, n, budget]);
  expect(n, route).toBeLessThanOrEqual(budget);
}

afterAll(() => {
  const width = Math.max(...measured.map(([r]) => r.length));
  console.log(["D1 round trips per admin request (measured / budget):", ...measured.map(([r, n, b]) => `  ${r.padEnd(width)}  ${n} / ${b}`)].join("\n"));
});

describe("D1 round trips per admin route", () => {
  it("tenants", async () => {
    const token = await platformToken();
    const t = await call("POST", "/api/v1/tenants", { token, body: { domain: `${unique("trips")}.example.com`, name: "T" } });
    record("POST   /tenants", t, 201, BUDGET.create);
    record("GET    /tenants", await call("GET", "/api/v1/tenants", { token }), 200, BUDGET.list);
    record("GET    /tenants/{id}", await call("GET", `/api/v1/tenants/${t.body.id}`, { token }), 200, BUDGET.get);
    record("PATCH  /tenants/{id}", await call("PATCH", `/api/v1/tenants/${t.body.id}`, { token, body: { name: "U" } }), 200, BUDGET.patch);
  });

  const cases: Record<string, { body: () => Record<string, unknown>; patch: Record<string, unknown> }> = {
    projects: { body: () => ({ key: unique("p").toLowerCase(), name: "P" }), patch: { name: "Q" } },
    resellers: { body: () => ({ name: "R" }), patch: { name: "S" } },
    customers: { body: () => ({ name: "C" }), patch: { name: "D" } },
    subroles: { body: () => ({ code: "viewer", label: "V", displayName: "V", permissions: [] }), patch: { label: "W" } },
    groups: { body: () => ({ name: "G" }), patch: { name: "H" } },
    accounts: { body: () => ({ name: "A", role: "tenant_admin", scopes: ["users:read"] }), patch: { disabled: true } },
  };
  for (const [kind, c] of Object.entries(cases)) {
    it(kind, async () => {
      const t = await freshTenant();
      const path = `${base(t)}/${kind}`;
      const created = await call("POST", path, { token: t.admin, body: c.body() });
      record(`POST   /tenants/{t}/${kind}`, created, 201, BUDGET.create);
      const id = created.body.id as string;
      record(`GET    /tenants/{t}/${kind}`, await call("GET", path, { token: t.admin }), 200, BUDGET.list);
      record(`GET    /tenants/{t}/${kind}/{id}`, await call("GET", `${path}/${id}`, { token: t.admin }), 200, BUDGET.get);
      record(`PATCH  /tenants/{t}/${kind}/{id}`, await call("PATCH", `${path}/${id}`, { token: t.admin, body: c.patch }), 200, BUDGET.patch);
      record(`DELETE /tenants/{t}/${kind}/{id}`, await call("DELETE", `${path}/${id}`, { token: t.admin }), 204, BUDGET.delete);
    });
  }

  it("users and audit events", async () => {
    const t = await freshTenant();
    const c = await create(t, "customers", { name: "C" });
    const g = await create(t, "groups", { name: "G" });
    const u = await seedUser({ owner: { customerId: c.id }, groupIds: [g.id] });
    for (let i = 0; i < 3; i++) await seedUser({ owner: { customerId: c.id } });
    const list = await call("GET", `${base(t)}/users?limit=2`, { token: t.admin });
    record("GET    /tenants/{t}/users", list, 200, BUDGET.list);
    record("GET    /tenants/{t}/users?cursor", await call("GET", `${base(t)}/users?limit=2&cursor=${list.body.nextCursor}`, { token: t.admin }), 200, BUDGET.list);
    record("GET    /tenants/{t}/users/{id}", await call("GET", `${base(t)}/users/${u.id}`, { token: t.admin }), 200, BUDGET.get);
    record("GET    /tenants/{t}/audit-events", await call("GET", `${base(t)}/audit-events?action=customer.created`, { token: t.admin }), 200, BUDGET.list);
  });

  it("errors cost no more than their route: 404, 409, 400 on a reference", async () => {
    const t = await freshTenant();
    record("GET    …/groups/{unknown} → 404", await call("GET", `${base(t)}/groups/${crypto.randomUUID()}`, { token: t.admin }), 404, BUDGET.get);
    await create(t, "groups", { name: "dup" });
    record("POST   …/groups duplicate → 409", await call("POST", `${base(t)}/groups`, { token: t.admin, body: { name: "dup" } }), 409, BUDGET.create);
    record("POST   …/customers bad ref → 400", await call("POST", `${base(t)}/customers`, { token: t.admin, body: { name: "x", projectId: crypto.randomUUID() } }), 400, 1);
    record("POST   …/groups invalid body → 400", await call("POST", `${base(t)}/groups`, { token: t.admin, body: { name: "" } }), 400, 0);
  });
});
