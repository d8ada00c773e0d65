/**
 * The admin API's tenant-wide user list and user read. Users are written through the core's
 * createUser (the dialects' write path); the admin API only reads them.
 */
import { describe, expect, it } from "vitest";
import { call, clientToken, create, dbTrips, expectProblem, freshTenant, platformToken, unique } from "../harness";
import { base, expectNoSecrets, idsOf, ISO, listAll, seedDeleteUser, seedUser } from "./helpers";

describe("admin users", () => {
  it("GET by id answers the whole user, in one round trip; the list holds the same object", async () => {
    const t = await freshTenant();
    const r = await create(t, "resellers", { name: "R" });
    const c = await create(t, "customers", { name: "C", resellerId: r.id });
    const s = await create(t, "subroles", { code: "viewer", label: "V", displayName: "V", permissions: ["customer_user:read"] });
    const [g1, g2] = [await create(t, "groups", { name: "B-group" }), await create(t, "groups", { name: "A-group" })];
    const u = await seedUser({
      owner: { customerId: c.id },
      firstName: "Grace",
      lastName: "Hopper",
      email: "  Grace.Hopper@Example.com ",
      mobile: "+15550100",
      subrole: { id: s.id },
      groupIds: [g1.id, g2.id],
      password: "correct horse battery staple",
    });
    const got = await call("GET", `${base(t)}/users/${u.id}`, { token: t.admin, expect: 200 });
    expect(got.body).toEqual({
      id: u.id,
      tenantId: t.id,
      customerId: c.id,
      resellerId: r.id,
      firstName: "Grace",
      lastName: "Hopper",
      email: "Grace.Hopper@Example.com",
      mobile: "+15550100",
      externalId: null,
      status: "ACTIVE",
      emailVerified: false,
      isFirstLogin: true,
      subroleId: s.id,
      groupIds: [g2.id, g1.id], // by group name
      hasPassword: true,
      extAuthRefId: expect.any(String),
      createdAt: ISO,
      createdBy: "test-seeder",
      updatedAt: ISO,
      updatedBy: "test-seeder",
      version: 1,
    });
    expect(got.headers.get("etag")).toBe(`"${u.id}.1"`);
    expectNoSecrets(got.text);
    expect(dbTrips(got)).toBe(1);
    const list = await call("GET", `${base(t)}/users`, { token: t.admin, expect: 200 });
    expect(list.body).toEqual({ data: [got.body], nextCursor: null });
    expect(dbTrips(list)).toBe(1);
    expectNoSecrets(list.text);
  });

  it("filters: customerId, resellerId, status, email (trimmed, any case); removed users are never listed", async () => {
    const t = await freshTenant();
    const r = await create(t, "resellers", { name: "R" });
    const [c1, c2] = [await create(t, "customers", { name: "C1", resellerId: r.id }), await create(t, "customers", { name: "C2" })];
    const a = await seedUser({ owner: { customerId: c1.id }, email: "a@example.com" });
    const b = await seedUser({ owner: { customerId: c1.id }, status: "INACTIVE" });
    const c = await seedUser({ owner: { customerId: c2.id } });
    const d = await seedUser({ owner: { resellerId: r.id } }); // reseller-level: no customer
    const gone = await seedUser({ owner: { customerId: c2.id } });
    await seedDeleteUser(gone.id);
    const ids = async (q: string) => idsOf(await listAll(`${base(t)}/users${q}`, t.admin));
    expect(await ids("")).toEqual([a.id, b.id, c.id, d.id]);
    expect(await ids(`?customerId=${c1.id}`)).toEqual([a.id, b.id]);
    expect(await ids(`?customerId=${c2.id}`)).toEqual([c.id]);
    expect(await ids(`?resellerId=${r.id}`)).toEqual([a.id, b.id, d.id]);
    expect(await ids("?status=INACTIVE")).toEqual([b.id]);
    expect(await ids("?status=ACTIVE")).toEqual([a.id, c.id, d.id]);
    expect(await ids(`?email=${encodeURIComponent(" A@EXAMPLE.com ")}`)).toEqual([a.id]);
    expect(await ids(`?customerId=${c1.id}&status=ACTIVE`)).toEqual([a.id]);
    expect(await ids(`?customerId=${crypto.randomUUID()}`)).toEqual([]);
    expectProblem(await call("GET", `${base(t)}/users/${gone.id}`, { token: t.admin }), 404, "NOT_FOUND", { detail: "User not found." });
  });

  it("bad filters → 400 naming the parameter", async () => {
    const t = await freshTenant();
    const cases: [string, string][] = [
      ["customerId=nope", "customerId"],
      ["resellerId=1", "resellerId"],
      ["status=active", "status"],
      ["status=DELETED", "status"],
      [`email=${"a".repeat(256)}`, "email"],
      ["cursor=%00", "cursor"],
    ];
    for (const [q, field] of cases) {
      const r = await call("GET", `${base(t)}/users?${q}`, { token: t.admin });
      expectProblem(r, 400, "INVALID");
      expect(r.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
    expectProblem(await call("GET", `${base(t)}/users/not-a-uuid`, { token: t.admin }), 400, "INVALID", { errors: [{ field: "userId", message: "Invalid UUID" }] });
  });

  it("cursor: 7 users by 3 → [3,3,1], exact, the last page without a cursor; a user added between pages comes last", async () => {
    const t = await freshTenant();
    const c = await create(t, "customers", { name: "C" });
    const made = [];
    for (let i = 0; i < 7; i++) made.push((await seedUser({ owner: { customerId: c.id } })).id);
    const p1 = await call("GET", `${base(t)}/users?limit=3`, { token: t.admin, expect: 200 });
    const late = await seedUser({ owner: { customerId: c.id } });
    const p2 = await call("GET", `${base(t)}/users?limit=3&cursor=${p1.body.nextCursor}`, { token: t.admin, expect: 200 });
    const p3 = await call("GET", `${base(t)}/users?limit=3&cursor=${p2.body.nextCursor}`, { token: t.admin, expect: 200 });
    expect([idsOf(p1.body.data), idsOf(p2.body.data)]).toEqual([made.slice(0, 3), made.slice(3, 6)]);
    expect(idsOf(p3.body.data)).toEqual([made[6], late.id]);
    expect(p3.body.nextCursor).toBeNull();
    // The cursor carries the filter's position only: the same cursor with a filter pages the filtered set.
    const filtered = await call("GET", `${base(t)}/users?limit=3&status=ACTIVE&cursor=${p1.body.nextCursor}`, { token: t.admin, expect: 200 });
    expect(idsOf(filtered.body.data)).toEqual(made.slice(3, 6));
  });

  it("another tenant's user under this tenant's path → 404 (not 403, not the user); the platform reads both", async () => {
    const [a, b] = await Promise.all([freshTenant(), freshTenant()]);
    const cb = await create(b, "customers", { name: "B" });
    const ub = await seedUser({ owner: { customerId: cb.id } });
    const r = await call("GET", `${base(a)}/users/${ub.id}`, { token: a.admin });
    expectProblem(r, 404, "NOT_FOUND", { detail: "User not found." });
    expect(r.text).not.toContain(ub.email);
    expect(idsOf(await listAll(`${base(a)}/users`, a.admin))).toEqual([]);
    expect(idsOf(await listAll(`${base(a)}/users?customerId=${cb.id}`, a.admin))).toEqual([]);
    const platform = await platformToken();
    expectProblem(await call("GET", `${base(a)}/users/${ub.id}`, { token: platform }), 404, "NOT_FOUND");
    expect((await call("GET", `${base(b)}/users/${ub.id}`, { token: platform, expect: 200 })).body.id).toBe(ub.id);
    expectProblem(await call("GET", `${base(b)}/users/${ub.id}`, { token: a.admin }), 403, "FORBIDDEN");
    expectProblem(await call("GET", `${base(b)}/users`, { token: a.admin }), 403, "FORBIDDEN");
    expectProblem(await call("GET", `${base(crypto.randomUUID())}/users`, { token: platform }), 404, "NOT_FOUND", { detail: "Tenant not found." });
  });

  it("a project-scoped tenant admin lists and reads only the users of that project's customers", async () => {
    const t = await freshTenant();
    const p = await create(t, "projects", { key: unique("p").toLowerCase(), name: "P" });
    const r = await create(t, "resellers", { name: "R" });
    const inside = await create(t, "customers", { name: "In", projectId: p.id });
    const outside = await create(t, "customers", { name: "Out" });
    const uIn = await seedUser({ owner: { customerId: inside.id } });
    const uOut = await seedUser({ owner: { customerId: outside.id } });
    const uReseller = await seedUser({ owner: { resellerId: r.id } });
    const acct = await create(t, "accounts", { name: "project admin", role: "tenant_admin", projectId: p.id, scopes: ["admin", "users:read"] });
    const token = await clientToken(acct.clientId, acct.clientSecret);
    expect(idsOf(await listAll(`${base(t)}/users`, token))).toEqual([uIn.id]);
    expect(idsOf(await listAll(`${base(t)}/users?customerId=${outside.id}`, token))).toEqual([]);
    await call("GET", `${base(t)}/users/${uIn.id}`, { token, expect: 200 });
    expectProblem(await call("GET", `${base(t)}/users/${uOut.id}`, { token }), 404, "NOT_FOUND");
    expectProblem(await call("GET", `${base(t)}/users/${uReseller.id}`, { token }), 404, "NOT_FOUND");
    // The whole-tenant admin sees all three.
    expect(idsOf(await listAll(`${base(t)}/users`, t.admin))).toEqual([uIn.id, uOut.id, uReseller.id]);
  });
});
