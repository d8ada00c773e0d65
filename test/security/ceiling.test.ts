/**
 * The privilege ceiling (issue 10, docs/decisions/0007-privilege-ceiling.md), tried as an attacker:
 * every way to mint or become a broader credential, through every surface that offers it, with
 * tokens from real accounts and real logins — including principals that hold less than everything
 * (one scope, one project, a login whose subrole may only create users). Each refusal asserts the
 * whole body of its dialect and that nothing was written (read back, and no audit event under the
 * request's correlation id); each rule has an allowed control next to it, so no test passes vacuously.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, clientToken, create, expectProblem, freshTenant, unique, type Reply, type Tenant } from "../harness";

const A = "/api/v1/tenants";
const W = "/auth/api/v1";
const C = "/functions/v1/public";
const PASSWORD = "Ceiling-test-passw0rd!";

const WORTH_403 = { message: "Forbidden", errorCode: "ERR_FORBIDDEN" };

interface World {
  t: Tenant;
  p1: { id: string; key: string };
  p2: { id: string; key: string };
  reseller: { id: string };
  c1: { id: string; key: string };
  c2: { id: string; key: string };
  subroles: { full: { id: string }; creator: { id: string }; reader: { id: string } };
}

async function world(): Promise<World> {
  const t = await freshTenant();
  const [p1, p2, reseller] = await Promise.all([
    create(t, "projects", { key: unique("p1").toLowerCase(), name: "P1" }),
    create(t, "projects", { key: unique("p2").toLowerCase(), name: "P2" }),
    create(t, "resellers", { name: "R" }),
  ]);
  const [c1, c2] = await Promise.all([
    create(t, "customers", { name: "C1", projectId: p1.id, key: unique("c1"), resellerId: reseller.id }),
    create(t, "customers", { name: "C2", projectId: p2.id, key: unique("c2") }),
  ]);
  const sub = (code: string, permissions: string[]) => create(t, "subroles", { code, label: code, displayName: code, permissions });
  const [full, creator, reader] = await Promise.all([
    sub("full", ["customer_user:read", "customer_user:write", "customer_user:create"]),
    sub("creator", ["customer_user:create"]),
    sub("reader", ["customer_user:read"]),
  ]);
  return { t, p1, p2, reseller, c1: { id: c1.id, key: c1.key }, c2: { id: c2.id, key: c2.key }, subroles: { full, creator, reader } };
}

/** A real account of the tenant and a token of it from the real token endpoint (optionally a narrower scope). */
async function account(w: World, body: Record<string, unknown>, scope?: string): Promise<{ id: string; token: string }> {
  const a = await create(w.t, "accounts", { name: unique("acct"), ...body });
  return { id: a.id, token: await clientToken(a.clientId, a.clientSecret, scope) };
}

const tag = () => `ceiling-${crypto.randomUUID()}`;

/** The audit events written under a correlation id (read by the unnarrowed tenant admin). */
async function events(w: World, correlationId: string): Promise<unknown[]> {
  return (await call("GET", `${A}/${w.t.id}/audit-events?correlationId=${correlationId}`, { token: w.t.admin, expect: 200 })).body.data;
}

/** A 403 in the admin API's problem body, and no event under its correlation id. */
async function expectRefused(w: World, r: Reply, corr: string, detail: string): Promise<void> {
  expectProblem(r, 403, "FORBIDDEN", { detail, title: "Forbidden" });
  expect(r.body.errors).toBeUndefined();
  expect(await events(w, corr)).toEqual([]);
}

async function accountIds(w: World): Promise<string[]> {
  return (await call("GET", `${A}/${w.t.id}/accounts?limit=200`, { token: w.t.admin, expect: 200 })).body.data.map((a: { id: string }) => a.id);
}

/** A user with a password (created through Corti in customer c1) holding `subrole`, and a real login of it. */
async function loggedInUser(w: World, subroleId: string | null): Promise<{ id: string; email: string; token: string }> {
  const email = `${unique("login")}@example.com`;
  const r = await call("POST", `${C}/projects/${w.p1.key}/customers/${w.c1.key}/users`, {
    token: w.t.admin,
    body: { email, firstName: "Log", lastName: "In", password: PASSWORD },
    expect: 201,
  });
  if (subroleId !== null) {
    await call("PATCH", `${W}/customers/${w.c1.id}/users/${r.body.id}`, { token: w.t.admin, body: { subrole: { id: subroleId } }, expect: 200 });
  }
  const login = await call("POST", `${C}/auth/token`, { body: { email, password: PASSWORD }, expect: 200 });
  return { id: r.body.id, email, token: login.body.accessToken };
}

/** The user as the admin API shows it. */
async function userOf(w: World, id: string): Promise<{ subroleId: string | null; email: string; updatedAt: string }> {
  return (await call("GET", `${A}/${w.t.id}/users/${id}`, { token: w.t.admin, expect: 200 })).body;
}

let w: World;
beforeAll(async () => {
  w = await world();
}, 60_000);

describe("accounts: a grant never exceeds the grantor", () => {
  it("a tenant admin narrowed to one project cannot create an unnarrowed or another project's account; inside its project it can", async () => {
    const narrowed = await account(w, { role: "tenant_admin", projectId: w.p1.id, scopes: ["admin", "users:read", "users:write"] });
    const before = await accountIds(w);
    for (const [body, corr] of [
      [{ name: "wide", role: "tenant_admin", scopes: ["admin"] }, tag()],
      [{ name: "other", role: "tenant_admin", projectId: w.p2.id, scopes: ["admin"] }, tag()],
      [{ name: "cust", role: "customer", customerId: w.c1.id, scopes: ["users:read"] }, tag()],
    ] as const) {
      const r = await call("POST", `${A}/${w.t.id}/accounts`, { token: narrowed.token, body, headers: { "x-correlation-id": corr } });
      await expectRefused(w, r, corr, "A project-narrowed token only grants accounts narrowed to its project.");
    }
    expect((await accountIds(w)).sort()).toEqual(before.sort());
    // Control: an account narrowed to its own project, for its own project's customer.
    await call("POST", `${A}/${w.t.id}/accounts`, {
      token: narrowed.token,
      body: { name: "ok", role: "customer", customerId: w.c1.id, projectId: w.p1.id, scopes: ["users:read"] },
      expect: 201,
    });
  });

  it("an account holding only `admin` cannot grant users:write, nor raise its own scopes", async () => {
    const adminOnly = await account(w, { role: "tenant_admin", scopes: ["admin"] });
    const corr = tag();
    const r = await call("POST", `${A}/${w.t.id}/accounts`, {
      token: adminOnly.token,
      body: { name: "writer", role: "customer", customerId: w.c1.id, scopes: ["users:write"] },
      headers: { "x-correlation-id": corr },
    });
    await expectRefused(w, r, corr, "The account would hold users:write, which the token does not hold.");
    const self = tag();
    const up = await call("PATCH", `${A}/${w.t.id}/accounts/${adminOnly.id}`, {
      token: adminOnly.token,
      body: { scopes: ["admin", "users:read", "users:write"] },
      headers: { "x-correlation-id": self },
    });
    await expectRefused(w, up, self, "The account would hold users:read, users:write, which the token does not hold.");
    const read = await call("GET", `${A}/${w.t.id}/accounts/${adminOnly.id}`, { token: w.t.admin, expect: 200 });
    expect(read.body.scopes).toEqual(["admin"]);
    // Control: what it holds itself, it may hand out.
    await call("POST", `${A}/${w.t.id}/accounts`, { token: adminOnly.token, body: { name: "peer", role: "tenant_admin", scopes: ["admin"] }, expect: 201 });
  });

  it("the ceiling is the token's scopes: a full account's token asked for `admin` only grants no user scope", async () => {
    const full = await create(w.t, "accounts", { name: "full", role: "tenant_admin", scopes: ["admin", "users:read", "users:write"] });
    const token = await clientToken(full.clientId, full.clientSecret, "admin");
    const corr = tag();
    const r = await call("POST", `${A}/${w.t.id}/accounts`, {
      token,
      body: { name: "reader", role: "customer", customerId: w.c1.id, scopes: ["users:read"] },
      headers: { "x-correlation-id": corr },
    });
    await expectRefused(w, r, corr, "The account would hold users:read, which the token does not hold.");
  });

  it("a weaker admin neither edits, disables nor deletes a stronger account", async () => {
    const adminOnly = await account(w, { role: "tenant_admin", scopes: ["admin"] });
    const strong = await create(w.t, "accounts", { name: "strong", role: "customer", customerId: w.c1.id, scopes: ["users:read", "users:write"] });
    for (const [method, body] of [
      ["PATCH", { disabled: true }],
      ["PATCH", { name: "renamed" }],
      ["DELETE", undefined],
    ] as const) {
      const corr = tag();
      const r = await call(method, `${A}/${w.t.id}/accounts/${strong.id}`, { token: adminOnly.token, ...(body ? { body } : {}), headers: { "x-correlation-id": corr } });
      await expectRefused(w, r, corr, "The account would hold users:read, users:write, which the token does not hold.");
    }
    const read = await call("GET", `${A}/${w.t.id}/accounts/${strong.id}`, { token: w.t.admin, expect: 200 });
    expect({ name: read.body.name, disabled: read.body.disabled }).toEqual({ name: "strong", disabled: false });
  });

  it("a narrowed admin cannot widen itself and does not see accounts of other projects", async () => {
    const narrowed = await account(w, { role: "tenant_admin", projectId: w.p1.id, scopes: ["admin"] });
    // An account's role and reach are fixed at creation: PATCH takes name, scopes and disabled only.
    for (const body of [{ projectId: null }, { projectId: w.p2.id }, { role: "tenant_admin", customerId: null }]) {
      const r = await call("PATCH", `${A}/${w.t.id}/accounts/${narrowed.id}`, { token: narrowed.token, body });
      expectProblem(r, 400, "INVALID");
      expect(r.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(Object.keys(body).sort());
    }
    const corr = tag();
    const up = await call("PATCH", `${A}/${w.t.id}/accounts/${narrowed.id}`, { token: narrowed.token, body: { scopes: ["admin", "users:read"] }, headers: { "x-correlation-id": corr } });
    await expectRefused(w, up, corr, "The account would hold users:read, which the token does not hold.");
    expect((await call("GET", `${A}/${w.t.id}/accounts/${narrowed.id}`, { token: w.t.admin, expect: 200 })).body).toMatchObject({ projectId: w.p1.id, scopes: ["admin"] });
    const other = await create(w.t, "accounts", { name: "p2", role: "customer", customerId: w.c2.id, projectId: w.p2.id, scopes: ["users:read"] });
    const r = await call("PATCH", `${A}/${w.t.id}/accounts/${other.id}`, { token: narrowed.token, body: { name: "x" } });
    expectProblem(r, 404, "NOT_FOUND", { detail: "Account not found." });
    const listed = await call("GET", `${A}/${w.t.id}/accounts?limit=200`, { token: narrowed.token, expect: 200 });
    expect(listed.body.data.every((a: { projectId: string | null }) => a.projectId === w.p1.id)).toBe(true);
    expect(listed.body.data.map((a: { id: string }) => a.id)).toContain(narrowed.id);
  });
});

describe("a project-narrowed tenant admin manages only its project", () => {
  let narrowed: string;
  beforeAll(async () => {
    narrowed = (await account(w, { role: "tenant_admin", projectId: w.p1.id, scopes: ["admin", "users:read", "users:write"] })).token;
  });

  it("customers: created only in its project, never moved out of it; other projects' customers are absent", async () => {
    for (const body of [{ name: "x", projectId: w.p2.id }, { name: "x" }]) {
      const corr = tag();
      const r = await call("POST", `${A}/${w.t.id}/customers`, { token: narrowed, body, headers: { "x-correlation-id": corr } });
      await expectRefused(w, r, corr, "A project-narrowed token only manages customers of its project.");
    }
    const corr = tag();
    const move = await call("PATCH", `${A}/${w.t.id}/customers/${w.c1.id}`, { token: narrowed, body: { projectId: w.p2.id }, headers: { "x-correlation-id": corr } });
    await expectRefused(w, move, corr, "A project-narrowed token only manages customers of its project.");
    expect((await call("GET", `${A}/${w.t.id}/customers/${w.c1.id}`, { token: w.t.admin, expect: 200 })).body.projectId).toBe(w.p1.id);
    for (const [method, body] of [["GET", undefined], ["PATCH", { name: "taken" }], ["DELETE", undefined]] as const) {
      const r = await call(method, `${A}/${w.t.id}/customers/${w.c2.id}`, { token: narrowed, ...(body ? { body } : {}) });
      expectProblem(r, 404, "NOT_FOUND", { detail: "Customer not found." });
    }
    const listed = await call("GET", `${A}/${w.t.id}/customers?limit=200`, { token: narrowed, expect: 200 });
    expect(listed.body.data.map((c: { id: string }) => c.id)).toEqual([w.c1.id]);
    // Control: a customer of its own project.
    await call("POST", `${A}/${w.t.id}/customers`, { token: narrowed, body: { name: "mine", projectId: w.p1.id }, expect: 201 });
  });

  it("tenant-wide configuration: read, never written (the tenant, projects, resellers, groups, tenant-wide subroles)", async () => {
    const attempts: [string, string, unknown, string][] = [
      ["PATCH", `${A}/${w.t.id}`, { name: "hijacked" }, "A project-narrowed token cannot change the tenant."],
      ["POST", `${A}/${w.t.id}/projects`, { key: unique("k").toLowerCase(), name: "x" }, "A project-narrowed token cannot change tenant-wide projects."],
      ["PATCH", `${A}/${w.t.id}/projects/${w.p1.id}`, { name: "x" }, "A project-narrowed token cannot change tenant-wide projects."],
      ["POST", `${A}/${w.t.id}/resellers`, { name: "x" }, "A project-narrowed token cannot change tenant-wide resellers."],
      ["PATCH", `${A}/${w.t.id}/resellers/${w.reseller.id}`, { name: "x" }, "A project-narrowed token cannot change tenant-wide resellers."],
      ["POST", `${A}/${w.t.id}/groups`, { name: unique("g") }, "A project-narrowed token cannot change tenant-wide groups."],
      [
        "POST",
        `${A}/${w.t.id}/subroles`,
        { code: unique("s"), label: "x", displayName: "x", permissions: [] },
        "A project-narrowed token cannot change tenant-wide subroles.",
      ],
      ["PATCH", `${A}/${w.t.id}/subroles/${w.subroles.full.id}`, { label: "x" }, "A project-narrowed token cannot change tenant-wide subroles."],
    ];
    for (const [method, path, body, detail] of attempts) {
      const corr = tag();
      const r = await call(method, path, { token: narrowed, body, headers: { "x-correlation-id": corr } });
      await expectRefused(w, r, corr, detail);
    }
    const tenant = await call("GET", `${A}/${w.t.id}`, { token: narrowed, expect: 200 });
    expect(tenant.body.name).toBe(`Tenant ${w.t.domain}`);
    await call("GET", `${A}/${w.t.id}/resellers/${w.reseller.id}`, { token: narrowed, expect: 200 });
    expectProblem(await call("GET", `${A}/${w.t.id}/projects/${w.p2.id}`, { token: narrowed }), 404, "NOT_FOUND", { detail: "Project not found." });
  });

  it("audit events: only those about its project's customers", async () => {
    const corr = tag();
    await call("PATCH", `${A}/${w.t.id}/customers/${w.c2.id}`, { token: w.t.admin, body: { name: `C2 ${corr}` }, headers: { "x-correlation-id": corr }, expect: 200 });
    expect(await events(w, corr)).toHaveLength(1);
    const seen = await call("GET", `${A}/${w.t.id}/audit-events?correlationId=${corr}`, { token: narrowed, expect: 200 });
    expect(seen.body.data).toEqual([]);
    const all = await call("GET", `${A}/${w.t.id}/audit-events?limit=200`, { token: narrowed, expect: 200 });
    expect(all.body.data.length).toBeGreaterThan(0);
    // Events about no customer (accounts, the tenant) or another project's customers stay hidden.
    expect(all.body.data.every((e: { customerId: string | null }) => e.customerId !== null)).toBe(true);
    expect(all.body.data.some((e: { customerId: string | null }) => e.customerId === w.c2.id)).toBe(false);
  });

  it("reseller-level users (no project) are beyond it in CloudCockpit: 403 with no body", async () => {
    const r = await call("POST", `/v1/reseller/${w.reseller.id}/users`, {
      token: narrowed,
      headers: { "x-tenant": w.t.domain },
      body: { firstName: "R", lastName: "U", email: `${unique("r")}@example.com`, groups: [] },
    });
    expect({ status: r.status, text: r.text }).toEqual({ status: 403, text: "" });
  });
});

describe("subroles: their permissions never exceed the grantor's scopes", () => {
  it("an admin-only token creates no subrole granting users:read, and raises no subrole's permissions", async () => {
    const adminOnly = await account(w, { role: "tenant_admin", scopes: ["admin"] });
    const corr = tag();
    const r = await call("POST", `${A}/${w.t.id}/subroles`, {
      token: adminOnly.token,
      body: { customerId: w.c1.id, code: unique("s"), label: "x", displayName: "x", permissions: ["customer_user:read"] },
      headers: { "x-correlation-id": corr },
    });
    await expectRefused(w, r, corr, "The subrole grants users:read, which the token does not hold.");
    const empty = await create(w.t, "subroles", { customerId: w.c1.id, code: unique("e"), label: "e", displayName: "e", permissions: [] });
    const up = tag();
    const patched = await call("PATCH", `${A}/${w.t.id}/subroles/${empty.id}`, {
      token: adminOnly.token,
      body: { permissions: ["customer_user:write"] },
      headers: { "x-correlation-id": up },
    });
    await expectRefused(w, patched, up, "The subrole grants users:write, which the token does not hold.");
    const read = await call("GET", `${A}/${w.t.id}/subroles/${empty.id}`, { token: w.t.admin, expect: 200 });
    expect(read.body.permissions).toEqual([]);
    // Control: a subrole without permissions is within anyone's ceiling.
    await call("POST", `${A}/${w.t.id}/subroles`, {
      token: adminOnly.token,
      body: { customerId: w.c1.id, code: unique("n"), label: "n", displayName: "n", permissions: [] },
      expect: 201,
    });
  });
});

describe("users: a login whose subrole may only create users cannot hand out more, nor become a colleague", () => {
  let creator: { id: string; email: string; token: string };
  let colleague: { id: string; email: string; token: string };
  beforeAll(async () => {
    creator = await loggedInUser(w, w.subroles.creator.id);
    colleague = await loggedInUser(w, w.subroles.full.id);
  }, 30_000);

  it("the login holds users:write only", () => {
    const claims = JSON.parse(atob((creator.token.split(".")[1] as string).replace(/-/g, "+").replace(/_/g, "/")));
    expect(claims).toMatchObject({ role: "customer", customer_id: w.c1.id, scope: "users:write" });
  });

  it("Worth: gives itself or a new user the full subrole → 403, nothing written", async () => {
    const self = await call("PATCH", `${W}/customers/${w.c1.id}/users/${creator.id}`, { token: creator.token, body: { subrole: { id: w.subroles.full.id } } });
    expect({ status: self.status, body: self.body }).toEqual({ status: 403, body: WORTH_403 });
    expect((await userOf(w, creator.id)).subroleId).toBe(w.subroles.creator.id);
    const email = `${unique("new")}@example.com`;
    const made = await call("POST", `${W}/customers/${w.c1.id}/users`, {
      token: creator.token,
      body: { first_name: "N", last_name: "U", email, subrole: { id: w.subroles.full.id, code: "full", label: "full" } },
    });
    expect({ status: made.status, body: made.body }).toEqual({ status: 403, body: WORTH_403 });
    const found = await call("GET", `${A}/${w.t.id}/users?email=${encodeURIComponent(email)}`, { token: w.t.admin, expect: 200 });
    expect(found.body.data).toEqual([]);
    // Control: a subrole within its ceiling.
    await call("POST", `${W}/customers/${w.c1.id}/users`, {
      token: creator.token,
      body: { first_name: "N", last_name: "U", email, subrole: { id: w.subroles.creator.id, code: "creator", label: "creator" } },
      expect: 200,
    });
  });

  it("CloudCockpit: role beyond its ceiling at create or PATCH → 403 with no body, nothing written", async () => {
    const headers = { "x-tenant": w.t.domain };
    const email = `${unique("cc")}@example.com`;
    const made = await call("POST", `/v1/customer/${w.c1.id}/users`, {
      token: creator.token,
      headers,
      body: { firstName: "C", lastName: "C", email, role: { name: "full" }, groups: [] },
    });
    expect({ status: made.status, text: made.text }).toEqual({ status: 403, text: "" });
    expect((await call("GET", `${A}/${w.t.id}/users?email=${encodeURIComponent(email)}`, { token: w.t.admin, expect: 200 })).body.data).toEqual([]);
    const raised = await call("PATCH", `/v1/users/${encodeURIComponent(creator.email)}`, { token: creator.token, headers, body: { role: { name: "reader" } } });
    expect({ status: raised.status, text: raised.text }).toEqual({ status: 403, text: "" });
    expect((await userOf(w, creator.id)).subroleId).toBe(w.subroles.creator.id);
    // Removing a stronger colleague's role is changing what it holds: refused too.
    const demote = await call("PATCH", `/v1/users/${encodeURIComponent(colleague.email)}`, { token: creator.token, headers, body: { role: null } });
    expect({ status: demote.status, text: demote.text }).toEqual({ status: 403, text: "" });
    expect((await userOf(w, colleague.id)).subroleId).toBe(w.subroles.full.id);
  });

  it("Corti: resetting a stronger colleague's password → 403; the colleague's own password still works and the attacker's guess does not", async () => {
    const taken = "Attacker-chosen-passw0rd";
    const r = await call("PATCH", `${C}/projects/${w.p1.key}/customers/${w.c1.key}/users/${colleague.id}`, { token: creator.token, body: { password: taken } });
    expect({ status: r.status, body: r.body }).toEqual({ status: 403, body: { message: "The user's subrole grants users:read, which the token does not hold.", code: "FORBIDDEN" } });
    expect((await call("POST", `${C}/auth/token`, { body: { email: colleague.email, password: taken } })).status).toBe(401);
    await call("POST", `${C}/auth/token`, { body: { email: colleague.email, password: PASSWORD }, expect: 200 });
  });

  it("Worth: changing a stronger colleague's e-mail (its login identity) → 403, unchanged", async () => {
    const before = await userOf(w, colleague.id);
    const r = await call("PATCH", `${W}/customers/${w.c1.id}/users/${colleague.id}`, { token: creator.token, body: { email: `${unique("mine")}@example.com` } });
    expect({ status: r.status, body: r.body }).toEqual({ status: 403, body: WORTH_403 });
    expect(await userOf(w, colleague.id)).toEqual(before);
    // Control: a harmless field of the same colleague is not a grant.
    await call("PATCH", `${W}/customers/${w.c1.id}/users/${colleague.id}`, { token: creator.token, body: { first_name: "Renamed" }, expect: 200 });
  });

  it("Corti: a peer holding no more than the caller may get a new password (control)", async () => {
    const peer = await loggedInUser(w, w.subroles.creator.id);
    await call("PATCH", `${C}/projects/${w.p1.key}/customers/${w.c1.key}/users/${peer.id}`, { token: creator.token, body: { password: "A-brand-new-passw0rd" }, expect: 200 });
    await call("POST", `${C}/auth/token`, { body: { email: peer.email, password: "A-brand-new-passw0rd" }, expect: 200 });
  });
});

describe("denormalised reach follows its source", () => {
  it("a customer moved to another reseller moves its users: the old reseller's totals and lists no longer count them", async () => {
    const r2 = await create(w.t, "resellers", { name: "R2" });
    const moving = await create(w.t, "customers", { name: "Moving", resellerId: w.reseller.id });
    for (let i = 0; i < 3; i++) {
      await call("POST", `/v1/customer/${moving.id}/users`, {
        token: w.t.admin,
        headers: { "x-tenant": w.t.domain },
        body: { firstName: "M", lastName: `U${i}`, email: `${unique("mv")}@example.com`, groups: [] },
        expect: 201,
      });
    }
    const oldReseller = await account(w, { role: "reseller", resellerId: w.reseller.id, scopes: ["users:read"] });
    const newReseller = await account(w, { role: "reseller", resellerId: r2.id, scopes: ["users:read"] });
    const total = async (token: string, resellerId: string) => {
      const r = await call("GET", `/v1/users?resellerId=${resellerId}&pageSize=50`, { token, headers: { "x-tenant": w.t.domain }, expect: 200 });
      return { totalCount: r.body.totalCount as number, ids: (r.body.items as { customerId?: string }[]).length };
    };
    const before = await total(oldReseller.token, w.reseller.id);
    await call("PATCH", `${A}/${w.t.id}/customers/${moving.id}`, { token: w.t.admin, body: { resellerId: r2.id }, expect: 200 });
    const after = await total(oldReseller.token, w.reseller.id);
    expect(after.totalCount).toBe(before.totalCount - 3);
    expect(after.ids).toBe(before.ids - 3);
    expect(await total(newReseller.token, r2.id)).toEqual({ totalCount: 3, ids: 3 });
    const users = await call("GET", `${A}/${w.t.id}/users?customerId=${moving.id}`, { token: w.t.admin, expect: 200 });
    expect(users.body.data.map((u: { resellerId: string }) => u.resellerId)).toEqual([r2.id, r2.id, r2.id]);
  });
});
