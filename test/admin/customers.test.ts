import { describe, expect, it } from "vitest";
import { call, create, expectProblem, freshTenant, unique, type Tenant } from "../harness";
import { base, corr, eventsOf, idsOf, listAll, long, seedDeleteUser, seedUser } from "./helpers";
import { lifecycle } from "./lifecycle";

const project = (t: Tenant) => create(t, "projects", { key: unique("p").toLowerCase(), name: "P" });

describe("customers", () => {
  lifecycle({
    kind: "customers",
    noun: "customer",
    setup: async (t) => ({ p1: await project(t), p2: await project(t), r: await create(t, "resellers", { name: "R" }) }),
    body: (d) => ({ name: "Acme", projectId: d.p1.id, resellerId: d.r.id, key: "acme", tenantName: "acme-eu", region: "eu", isNfr: true }),
    expected: (d) => ({ name: "Acme", projectId: d.p1.id, resellerId: d.r.id, key: "acme", tenantName: "acme-eu", region: "eu", isNfr: true }),
    patch: (d) => ({ name: "Acme Ltd", projectId: d.p2.id, resellerId: null, key: "acme-ltd", tenantName: null, region: "us", isNfr: false }),
  });

  it("a minimal customer gets null references and isNfr false", async () => {
    const t = await freshTenant();
    const r = await call("POST", `${base(t)}/customers`, { token: t.admin, body: { name: "Bare" }, expect: 201 });
    expect(r.body).toEqual({
      id: expect.any(String),
      tenantId: t.id,
      projectId: null,
      resellerId: null,
      key: null,
      name: "Bare",
      tenantName: null,
      region: null,
      isNfr: false,
      createdAt: expect.any(String),
      updatedAt: r.body.createdAt,
    });
  });

  it("another tenant's project or reseller → 400 naming the field; nothing written, no audit event", async () => {
    const [t, other] = await Promise.all([freshTenant(), freshTenant()]);
    const foreignProject = await project(other);
    const foreignReseller = await create(other, "resellers", { name: "Theirs" });
    const mine = await create(t, "customers", { name: "Mine" });
    const noProject = { field: "projectId", message: "No project with this id exists in the tenant." };
    const noReseller = { field: "resellerId", message: "No reseller with this id exists in the tenant." };
    const cases: [Record<string, unknown>, unknown[]][] = [
      [{ name: "X", projectId: foreignProject.id }, [noProject]],
      [{ name: "X", resellerId: foreignReseller.id }, [noReseller]],
      [{ name: "X", projectId: foreignProject.id, resellerId: foreignReseller.id }, [noProject, noReseller]],
      [{ name: "X", projectId: crypto.randomUUID() }, [noProject]],
    ];
    for (const [body, errors] of cases) {
      const c = corr("xref");
      const r = await call("POST", `${base(t)}/customers`, { token: t.admin, body, headers: { "x-correlation-id": c } });
      expectProblem(r, 400, "INVALID", { detail: "The customer refers to something that does not exist.", errors });
      expect(await eventsOf(t, c)).toEqual([]);
      const c2 = corr("xref-patch");
      const { name: _name, ...patch } = body;
      const p = await call("PATCH", `${base(t)}/customers/${mine.id}`, { token: t.admin, body: patch, headers: { "x-correlation-id": c2 } });
      expectProblem(p, 400, "INVALID", { detail: "The customer is not valid.", errors });
      expect(await eventsOf(t, c2)).toEqual([]);
    }
    expect(await listAll(`${base(t)}/customers`, t.admin)).toEqual([mine]);
    expect((await call("GET", `${base(t)}/customers/${mine.id}`, { token: t.admin, expect: 200 })).body).toEqual(mine);
  });

  it("keys: unique per project (409), free across projects, need a project (400), at most 64 characters", async () => {
    const t = await freshTenant();
    const [p1, p2] = [await project(t), await project(t)];
    const first = await create(t, "customers", { name: "A", projectId: p1.id, key: "shared" });
    const conflict = { detail: "Another customer of this project has this key.", errors: [{ field: "key", message: "Another customer of this project has this key." }] };
    expectProblem(await call("POST", `${base(t)}/customers`, { token: t.admin, body: { name: "B", projectId: p1.id, key: "shared" } }), 409, "CONFLICT", conflict);
    const other = await create(t, "customers", { name: "B", projectId: p2.id, key: "shared" });
    // Moving B into A's project with the same key, or renaming a key onto another: conflicts too.
    expectProblem(await call("PATCH", `${base(t)}/customers/${other.id}`, { token: t.admin, body: { projectId: p1.id } }), 409, "CONFLICT", conflict);
    const third = await create(t, "customers", { name: "C", projectId: p1.id, key: "third" });
    expectProblem(await call("PATCH", `${base(t)}/customers/${third.id}`, { token: t.admin, body: { key: "shared" } }), 409, "CONFLICT", conflict);

    const needsProject = { errors: [{ field: "key", message: "A customer key needs a projectId: keys are unique per project." }] };
    expectProblem(await call("POST", `${base(t)}/customers`, { token: t.admin, body: { name: "D", key: "orphan" } }), 400, "INVALID", needsProject);
    expectProblem(await call("PATCH", `${base(t)}/customers/${first.id}`, { token: t.admin, body: { projectId: null } }), 400, "INVALID", needsProject);
    expectProblem(await call("POST", `${base(t)}/customers`, { token: t.admin, body: { name: "E", projectId: p1.id, key: long(65) } }), 400, "INVALID", {
      errors: [{ field: "key", message: "Too big: expected string to have <=64 characters" }],
    });
    await create(t, "customers", { name: "E", projectId: p1.id, key: long(64) });
    expect(idsOf(await listAll(`${base(t)}/customers`, t.admin))).toHaveLength(4);
  });

  it("over-long, blank and wrongly typed fields → 400 naming each", async () => {
    const t = await freshTenant();
    const r = await call("POST", `${base(t)}/customers`, {
      token: t.admin,
      body: { name: long(256), tenantName: long(256), region: "mars", isNfr: "yes", projectId: "nope" },
    });
    expectProblem(r, 400, "INVALID");
    expect(r.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(["isNfr", "name", "projectId", "region", "tenantName"]);
    const blank = await call("POST", `${base(t)}/customers`, { token: t.admin, body: { name: "  " } });
    expectProblem(blank, 400, "INVALID", { errors: [{ field: "name", message: "Too small: expected string to have >=1 characters" }] });
    const mass = await call("POST", `${base(t)}/customers`, { token: t.admin, body: { name: "X", tenantId: t.id, id: crypto.randomUUID(), createdAt: "2020-01-01T00:00:00Z" } });
    expectProblem(mass, 400, "INVALID", {
      errors: ["tenantId", "id", "createdAt"].map((field) => ({ field, message: "This property is not allowed." })),
    });
    expect(await listAll(`${base(t)}/customers`, t.admin)).toEqual([]);
  });

  it("deleting a customer still referenced (subrole, account, user — even a removed one) → 409, and it still exists", async () => {
    const t = await freshTenant();
    const inUse = { detail: "The customer still has users, subroles, accounts or SCIM tokens (removed users are kept for the audit trail; revoke its SCIM tokens first)." };
    const withSubrole = await create(t, "customers", { name: "S" });
    await create(t, "subroles", { customerId: withSubrole.id, code: "viewer", label: "V", displayName: "V", permissions: [] });
    const withAccount = await create(t, "customers", { name: "A" });
    await create(t, "accounts", { name: "a", role: "customer", customerId: withAccount.id, scopes: ["users:read"] });
    const withUser = await create(t, "customers", { name: "U" });
    await seedUser({ owner: { customerId: withUser.id } });
    const withRemovedUser = await create(t, "customers", { name: "R" });
    await seedDeleteUser((await seedUser({ owner: { customerId: withRemovedUser.id } })).id);
    for (const c of [withSubrole, withAccount, withUser, withRemovedUser]) {
      const cid = corr("inuse");
      expectProblem(await call("DELETE", `${base(t)}/customers/${c.id}`, { token: t.admin, headers: { "x-correlation-id": cid } }), 409, "CONFLICT", inUse);
      expect((await call("GET", `${base(t)}/customers/${c.id}`, { token: t.admin, expect: 200 })).body).toEqual(c);
      expect(await eventsOf(t, cid)).toEqual([]);
    }
  });
});
