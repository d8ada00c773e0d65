import { describe, expect, it } from "vitest";
import { call, create, expectProblem, freshTenant } from "../harness";
import { base, corr, eventsOf, listAll, long, seedUser } from "./helpers";
import { lifecycle } from "./lifecycle";

const sub = (code: string, extra: Record<string, unknown> = {}) => ({ code, label: "Viewer", displayName: "Viewer", permissions: ["customer_user:read"], ...extra });

describe("subroles", () => {
  lifecycle({
    kind: "subroles",
    noun: "subrole",
    setup: async (t) => ({ c: await create(t, "customers", { name: "C" }) }),
    body: (d) => ({ customerId: d.c.id, code: "editor", label: "Editor", displayName: "Customer editor", description: "Edits users", permissions: ["customer_user:read", "customer_user:write"] }),
    expected: (d) => ({ customerId: d.c.id, code: "editor", label: "Editor", displayName: "Customer editor", description: "Edits users", permissions: ["customer_user:read", "customer_user:write"] }),
    patch: () => ({ code: "admin", label: "Admin", displayName: "Customer admin", description: "", permissions: ["customer_user:read", "customer_user:write", "customer_user:create"] }),
  });

  it("a tenant-wide subrole: customerId null, description defaults to empty", async () => {
    const t = await freshTenant();
    const r = await call("POST", `${base(t)}/subroles`, { token: t.admin, body: sub("viewer", { permissions: [] }), expect: 201 });
    expect(r.body).toEqual({
      id: expect.any(String),
      tenantId: t.id,
      customerId: null,
      code: "viewer",
      label: "Viewer",
      displayName: "Viewer",
      description: "",
      permissions: [],
      createdAt: expect.any(String),
      updatedAt: r.body.createdAt,
    });
  });

  it("codes: tenant-wide and per customer are separate namespaces, each unique (409)", async () => {
    const t = await freshTenant();
    const [x, y] = [await create(t, "customers", { name: "X" }), await create(t, "customers", { name: "Y" })];
    await create(t, "subroles", sub("viewer"));
    const tenantWide = { detail: "Another tenant-wide subrole has this code.", errors: [{ field: "code", message: "Another tenant-wide subrole has this code." }] };
    const perCustomer = { detail: "Another subrole of this customer has this code.", errors: [{ field: "code", message: "Another subrole of this customer has this code." }] };
    expectProblem(await call("POST", `${base(t)}/subroles`, { token: t.admin, body: sub("viewer") }), 409, "CONFLICT", tenantWide);
    const forX = await create(t, "subroles", sub("viewer", { customerId: x.id }));
    expectProblem(await call("POST", `${base(t)}/subroles`, { token: t.admin, body: sub("viewer", { customerId: x.id }) }), 409, "CONFLICT", perCustomer);
    await create(t, "subroles", sub("viewer", { customerId: y.id }));
    const other = await create(t, "subroles", sub("editor", { customerId: x.id }));
    expectProblem(await call("PATCH", `${base(t)}/subroles/${other.id}`, { token: t.admin, body: { code: "viewer" } }), 409, "CONFLICT", perCustomer);
    const wide2 = await create(t, "subroles", sub("editor"));
    expectProblem(await call("PATCH", `${base(t)}/subroles/${wide2.id}`, { token: t.admin, body: { code: "viewer" } }), 409, "CONFLICT", tenantWide);
    expect(await listAll(`${base(t)}/subroles`, t.admin)).toHaveLength(5);
    expect((await call("GET", `${base(t)}/subroles/${forX.id}`, { token: t.admin, expect: 200 })).body).toEqual(forX);
  });

  it("the same code in another tenant is fine; another tenant's customer → 400 naming customerId, nothing written", async () => {
    const [t, other] = await Promise.all([freshTenant(), freshTenant()]);
    await create(t, "subroles", sub("viewer"));
    await create(other, "subroles", sub("viewer"));
    const theirs = await create(other, "customers", { name: "Theirs" });
    const c = corr("xref");
    const r = await call("POST", `${base(t)}/subroles`, { token: t.admin, body: sub("x", { customerId: theirs.id }), headers: { "x-correlation-id": c } });
    expectProblem(r, 400, "INVALID", { errors: [{ field: "customerId", message: "No customer with this id exists in the tenant." }] });
    expect(await eventsOf(t, c)).toEqual([]);
    expect(await listAll(`${base(t)}/subroles`, t.admin)).toHaveLength(1);
  });

  it("permissions outside the vocabulary or repeated, a moved customer, over-long labels → 400", async () => {
    const t = await freshTenant();
    const s = await create(t, "subroles", sub("viewer"));
    const bad = await call("POST", `${base(t)}/subroles`, { token: t.admin, body: sub("x", { permissions: ["customer_user:read", "admin"] }) });
    expectProblem(bad, 400, "INVALID", { errors: [{ field: "permissions.1", message: expect.any(String) }] });
    const rep = await call("POST", `${base(t)}/subroles`, { token: t.admin, body: sub("x", { permissions: ["customer_user:read", "customer_user:read"] }) });
    expectProblem(rep, 400, "INVALID", { errors: [{ field: "permissions", message: "Permissions must not repeat." }] });
    const move = await call("PATCH", `${base(t)}/subroles/${s.id}`, { token: t.admin, body: { customerId: crypto.randomUUID() } });
    expectProblem(move, 400, "INVALID", { errors: [{ field: "customerId", message: "This property is not allowed." }] });
    const longs = await call("POST", `${base(t)}/subroles`, { token: t.admin, body: sub("x", { label: long(256), displayName: long(256), description: long(1001) }) });
    expectProblem(longs, 400, "INVALID");
    expect(longs.body.errors.map((e: { field: string }) => e.field)).toEqual(["label", "displayName", "description"]);
    expect(await listAll(`${base(t)}/subroles`, t.admin)).toEqual([s]);
  });

  it("deleting a subrole still assigned to a user → 409, and it still exists", async () => {
    const t = await freshTenant();
    const c = await create(t, "customers", { name: "C" });
    const s = await create(t, "subroles", sub("viewer"));
    await seedUser({ owner: { customerId: c.id }, subrole: { id: s.id } });
    expectProblem(await call("DELETE", `${base(t)}/subroles/${s.id}`, { token: t.admin }), 409, "CONFLICT", { detail: "The subrole is still assigned to users." });
    expect((await call("GET", `${base(t)}/subroles/${s.id}`, { token: t.admin, expect: 200 })).body).toEqual(s);
  });
});
