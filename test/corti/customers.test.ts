/**
 * POST|GET /functions/v1/public/projects/{projectId}/customers and PATCH .../customers/{customerId}:
 * scope admin with role platform or tenant_admin. The customer is the same row the admin API
 * manages (generic resource verbs + customerSpec). Matrix in matrix.test.ts.
 */
import { describe, expect, it } from "vitest";
import { call, create, dbTrips, freshTenant, platformToken, sign, unique } from "../harness";
import { BUDGET, CORTI, CUSTOMER_BUDGET, customerToken, ISO, world, type World } from "./helpers";

const all = async (w: World, token = w.tenant.admin) => (await call("GET", `${w.customersPath}?pageSize=100`, { token, expect: 200 })).body.customers as Record<string, unknown>[];

describe("create customer: happy", () => {
  it("201 with Corti's customer object; read back from the list and from the admin API", async () => {
    const w = await world();
    const key = unique("contoso");
    const r = await call("POST", w.customersPath, { token: w.tenant.admin, body: { displayName: " Contoso Hospital ", customerId: key, tenantName: "contoso", region: "eu", isNfr: true } });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toEqual({ displayName: "Contoso Hospital", tenantName: "contoso", region: "eu", customerId: key, isNfr: true, createdAt: ISO });
    expect(dbTrips(r)).toBeLessThanOrEqual(CUSTOMER_BUDGET.create);
    expect((await all(w)).at(-1)).toEqual(r.body);
    const admin = await call("GET", `/api/v1/tenants/${w.tenant.id}/customers?limit=200`, { token: w.tenant.admin, expect: 200 });
    expect(admin.body.data.find((c: { key: string }) => c.key === key)).toMatchObject({ projectId: w.project.id, key, name: "Contoso Hospital", tenantName: "contoso", region: "eu", isNfr: true, resellerId: null });
  });

  it("optional fields default to null / false; the project may be named by id; users can be added at once", async () => {
    const w = await world();
    const key = unique("plain");
    const r = await call("POST", `${CORTI}/projects/${w.project.id}/customers`, { token: w.tenant.admin, body: { displayName: "Plain", customerId: key } });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toEqual({ displayName: "Plain", tenantName: null, region: null, customerId: key, isNfr: false, createdAt: ISO });
    await call("POST", `${w.customersPath}/${key}/users`, { token: w.tenant.admin, body: { email: `${unique("u")}@example.com`, firstName: "A", lastName: "B" }, expect: 201 });
  });

  it("the platform creates in any tenant's project, named by id or by a key unique across tenants", async () => {
    const w = await world();
    const token = await platformToken();
    for (const project of [w.project.id, w.project.key]) {
      const r = await call("POST", `${CORTI}/projects/${project}/customers`, { token, body: { displayName: "By platform", customerId: unique("plat") } });
      expect(r.status, r.text).toBe(201);
    }
    expect(await all(w)).toHaveLength(3);
  });

  it("a project key held in two tenants: each tenant's admin gets its own; the platform must use the id (the key alone → 404)", async () => {
    const [a, b] = await Promise.all([freshTenant(), freshTenant()]);
    const key = unique("shared").toLowerCase();
    const pa = await create(a, "projects", { key, name: "A" });
    await create(b, "projects", { key, name: "B" });
    const body = () => ({ displayName: "X", customerId: unique("k") });
    await call("POST", `${CORTI}/projects/${key}/customers`, { token: a.admin, body: body(), expect: 201 });
    await call("POST", `${CORTI}/projects/${key}/customers`, { token: b.admin, body: body(), expect: 201 });
    const token = await platformToken();
    const ambiguous = await call("POST", `${CORTI}/projects/${key}/customers`, { token, body: body() });
    expect(ambiguous.status).toBe(404);
    expect(ambiguous.body).toEqual({ message: "Project not found.", code: "NOT_FOUND" });
    await call("POST", `${CORTI}/projects/${pa.id}/customers`, { token, body: body(), expect: 201 });
    const listA = await call("GET", `${CORTI}/projects/${key}/customers`, { token: a.admin, expect: 200 });
    expect(listA.body.customers).toHaveLength(2);
  });

  it("the same key in two projects is fine (keys are unique per project)", async () => {
    const w = await world();
    const other = await create(w.tenant, "projects", { key: unique("p2").toLowerCase(), name: "P2" });
    await call("POST", `${CORTI}/projects/${other.key}/customers`, { token: w.tenant.admin, body: { displayName: "Twin", customerId: w.customer.key }, expect: 201 });
  });
});

describe("create customer: errors (whole body, nothing written)", () => {
  it("a duplicate customerId in the project → 409 in Corti's words", async () => {
    const w = await world();
    const r = await call("POST", w.customersPath, { token: w.tenant.admin, body: { displayName: "Again", customerId: w.customer.key } });
    expect(r.status).toBe(409);
    expect(r.body).toEqual({
      message: "Another customer of this project has this customerId.",
      code: "CONFLICT",
      details: [{ field: "customerId", message: "Another customer of this project has this customerId." }],
    });
    expect(await all(w)).toHaveLength(1);
  });

  it("missing, invalid, over-long and mass-assigned fields → 400 naming each", async () => {
    const w = await world();
    const token = w.tenant.admin;
    const missing = await call("POST", w.customersPath, { token, body: {} });
    expect(missing.body).toEqual({
      message: "Invalid body: displayName, customerId.",
      code: "BAD_REQUEST",
      details: [
        { field: "displayName", message: "Invalid input: expected string, received undefined" },
        { field: "customerId", message: "Invalid input: expected string, received undefined" },
      ],
    });
    const keyRule = "1 to 64 letters, digits, '.', '_', '~' or '-', starting with a letter or digit.";
    const invalid = await call("POST", w.customersPath, { token, body: { displayName: " ", customerId: "a/b", region: "asia", isNfr: "yes", tenantName: "t".repeat(256) } });
    expect(invalid.body).toEqual({
      message: "Invalid body: displayName, customerId, tenantName, region, isNfr.",
      code: "BAD_REQUEST",
      details: [
        { field: "displayName", message: "Too small: expected string to have >=1 characters" },
        { field: "customerId", message: keyRule },
        { field: "tenantName", message: "Too big: expected string to have <=255 characters" },
        { field: "region", message: 'Invalid option: expected one of "eu"|"us"' },
        { field: "isNfr", message: "Invalid input: expected boolean, received string" },
      ],
    });
    const long = await call("POST", w.customersPath, { token, body: { displayName: "X", customerId: "k".repeat(65) } });
    expect(long.body).toEqual({ message: "Invalid body: customerId.", code: "BAD_REQUEST", details: [{ field: "customerId", message: keyRule }] });
    const mass = await call("POST", w.customersPath, { token, body: { displayName: "X", customerId: unique("k"), id: crypto.randomUUID(), projectId: w.project.id, resellerId: crypto.randomUUID(), createdAt: "2020-01-01" } });
    expect(mass.body).toEqual({
      message: "Invalid body: id, projectId, resellerId, createdAt.",
      code: "BAD_REQUEST",
      details: ["id", "projectId", "resellerId", "createdAt"].map((field) => ({ field, message: "This property is not allowed." })),
    });
    const form = await call("POST", w.customersPath, { token, raw: "displayName=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(form.status).toBe(415);
    expect(await all(w)).toHaveLength(1);
  });

  it("unknown project → 404", async () => {
    const w = await world();
    const r = await call("POST", `${CORTI}/projects/${unique("nope")}/customers`, { token: w.tenant.admin, body: { displayName: "X", customerId: unique("k") } });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ message: "Project not found.", code: "NOT_FOUND" });
  });
});

describe("customers: reach", () => {
  it("another tenant's project → 404 exactly like a missing one (create, list, patch); nothing written", async () => {
    const [w, other] = await Promise.all([world(), freshTenant()]);
    const missing = await call("GET", `${CORTI}/projects/${unique("nope")}/customers`, { token: other.admin });
    for (const project of [w.project.key, w.project.id]) {
      const base = `${CORTI}/projects/${project}/customers`;
      const attempts = [
        await call("POST", base, { token: other.admin, body: { displayName: "X", customerId: unique("k") } }),
        await call("GET", base, { token: other.admin }),
        await call("PATCH", `${base}/${w.customer.key}`, { token: other.admin, body: { displayName: "stolen" } }),
      ];
      for (const r of attempts) {
        expect(r.status).toBe(404);
        expect(r.text).toBe(missing.text);
      }
    }
    expect(await all(w)).toEqual([expect.objectContaining({ displayName: "Contoso Hospital" })]);
  });

  it("a tenant admin narrowed to another project → 404; customer, reseller roles and tokens without admin → 403", async () => {
    const w = await world({ reseller: true });
    const other = await create(w.tenant, "projects", { key: unique("o").toLowerCase(), name: "O" });
    const narrowed = await sign({ sub: crypto.randomUUID(), role: "tenant_admin", tenant_id: w.tenant.id, project_id: other.id, scope: "admin" });
    expect((await call("GET", w.customersPath, { token: narrowed })).status).toBe(404);
    const forbidden = [
      await customerToken(w, "admin users:read users:write"),
      await sign({ sub: crypto.randomUUID(), role: "reseller", tenant_id: w.tenant.id, reseller_id: w.customer.resellerId, scope: "admin users:read users:write" }),
      await sign({ sub: crypto.randomUUID(), role: "tenant_admin", tenant_id: w.tenant.id, scope: "users:read users:write" }),
    ];
    for (const token of forbidden) {
      const r = await call("POST", w.customersPath, { token, body: { displayName: "X", customerId: unique("k") } });
      expect(r.status).toBe(403);
      expect(r.body).toEqual({ message: "The token does not grant the admin API.", code: "FORBIDDEN" });
    }
    expect(await all(w)).toHaveLength(1);
  });
});

describe("list customers", () => {
  it("pages in creation order with hasNextPage; defaults; one round trip", async () => {
    const w = await world();
    const made = [(await all(w))[0]];
    for (let i = 0; i < 4; i++) made.push((await call("POST", w.customersPath, { token: w.tenant.admin, body: { displayName: `C${i}`, customerId: unique("c") }, expect: 201 })).body);
    const p1 = await call("GET", `${w.customersPath}?page=1&pageSize=3`, { token: w.tenant.admin, expect: 200 });
    expect(p1.body).toEqual({ customers: made.slice(0, 3), pagination: { page: 1, pageSize: 3, hasNextPage: true } });
    expect(dbTrips(p1)).toBe(BUDGET.list);
    const p2 = await call("GET", `${w.customersPath}?page=2&pageSize=3`, { token: w.tenant.admin, expect: 200 });
    expect(p2.body).toEqual({ customers: made.slice(3), pagination: { page: 2, pageSize: 3, hasNextPage: false } });
    const d = await call("GET", w.customersPath, { token: w.tenant.admin, expect: 200 });
    expect(d.body.pagination).toEqual({ page: 1, pageSize: 20, hasNextPage: false });
  });

  it("only the project's customers; a customer without a key shows its id as customerId", async () => {
    const w = await world();
    const other = await create(w.tenant, "projects", { key: unique("o").toLowerCase(), name: "O" });
    await create(w.tenant, "customers", { name: "Elsewhere", projectId: other.id, key: unique("e") });
    const keyless = await create(w.tenant, "customers", { name: "Keyless", projectId: w.project.id });
    const list = await all(w);
    expect(list.map((c) => c.displayName)).toEqual(["Contoso Hospital", "Keyless"]);
    expect(list[1]).toMatchObject({ customerId: keyless.id });
  });

  it("out-of-range paging → 400", async () => {
    const w = await world();
    const r = await call("GET", `${w.customersPath}?pageSize=101`, { token: w.tenant.admin });
    expect(r.body).toEqual({ message: "Invalid query: pageSize.", code: "BAD_REQUEST", details: [{ field: "pageSize", message: "Too big: expected number to be <=100" }] });
    const p = await call("GET", `${w.customersPath}?page=0`, { token: w.tenant.admin });
    expect(p.body).toEqual({ message: "Invalid query: page.", code: "BAD_REQUEST", details: [{ field: "page", message: "Too small: expected number to be >=1" }] });
  });
});

describe("update customer", () => {
  it("patches the given fields only, by key or by id; null clears; read back from the list", async () => {
    const w = await world();
    const r = await call("PATCH", w.customerPath, { token: w.tenant.admin, body: { displayName: "Renamed", region: "us", tenantName: "renamed" } });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({ displayName: "Renamed", tenantName: "renamed", region: "us", customerId: w.customer.key, isNfr: false, createdAt: ISO });
    expect(dbTrips(r)).toBeLessThanOrEqual(CUSTOMER_BUDGET.update);
    const cleared = await call("PATCH", `${CORTI}/projects/${w.project.id}/customers/${w.customer.id}`, { token: w.tenant.admin, body: { region: null, isNfr: true } });
    expect(cleared.body).toEqual({ ...r.body, region: null, isNfr: true });
    expect(await all(w)).toEqual([cleared.body]);
  });

  it("errors: customerId (key) cannot change, empty body, bad values → 400; unknown customer or one of another project → 404", async () => {
    const w = await world();
    const token = w.tenant.admin;
    const rename = await call("PATCH", w.customerPath, { token, body: { customerId: "new-key" } });
    expect(rename.body).toEqual({ message: "Invalid body: customerId.", code: "BAD_REQUEST", details: [{ field: "customerId", message: "This property is not allowed." }] });
    const empty = await call("PATCH", w.customerPath, { token, body: {} });
    expect(empty.body).toEqual({ message: "Invalid body: body.", code: "BAD_REQUEST", details: [{ field: "", message: "At least one property is required." }] });
    const bad = await call("PATCH", w.customerPath, { token, body: { displayName: null } });
    expect(bad.body).toEqual({ message: "Invalid body: displayName.", code: "BAD_REQUEST", details: [{ field: "displayName", message: "Invalid input: expected string, received null" }] });
    const unknown = await call("PATCH", `${w.customersPath}/${unique("nope")}`, { token, body: { displayName: "X" } });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ message: "Customer not found.", code: "NOT_FOUND" });
    const other = await create(w.tenant, "projects", { key: unique("o").toLowerCase(), name: "O" });
    const wrongProject = await call("PATCH", `${CORTI}/projects/${other.key}/customers/${w.customer.key}`, { token, body: { displayName: "X" } });
    expect(wrongProject.text).toBe(unknown.text);
    expect((await all(w))[0]).toMatchObject({ displayName: "Contoso Hospital" });
  });
});
