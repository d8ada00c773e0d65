import { describe, expect, it } from "vitest";
import { call, create, expectProblem, freshTenant, unique, type Tenant } from "../harness";
import { base, corr, eventsOf, expectNoSecrets, expectOneEvent, listAll } from "./helpers";
import { lifecycle } from "./lifecycle";

/** The claims of a token (already verified by the server that issued it). */
function claims(token: string): Record<string, unknown> {
  const part = token.split(".")[1] as string;
  return JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/")));
}

function tokenRequest(clientId: string, clientSecret: string) {
  return call("POST", "/auth/token", { body: { grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret } });
}

async function customerAccount(t: Tenant, scopes = ["users:read", "users:write"]) {
  const c = await create(t, "customers", { name: "C" });
  const r = await call("POST", `${base(t)}/accounts`, { token: t.admin, body: { name: "svc", role: "customer", customerId: c.id, scopes }, expect: 201 });
  return { customer: c, account: r.body };
}

describe("accounts", () => {
  lifecycle({
    kind: "accounts",
    noun: "account",
    setup: async (t) => ({ p: await create(t, "projects", { key: unique("p").toLowerCase(), name: "P" }) }),
    body: (d) => ({ name: "Integration", role: "tenant_admin", projectId: d.p.id, scopes: ["users:read", "admin"] }),
    expected: (d) => ({ name: "Integration", role: "tenant_admin", customerId: null, resellerId: null, projectId: d.p.id, scopes: ["users:read", "admin"], disabled: false }),
    patch: () => ({ name: "Integration (old)", scopes: ["users:read"], disabled: true }),
    createOnly: ["clientSecret"],
    extra: (id) => ({ clientId: id }),
  });

  it("the client secret is answered once; no body, list or audit event ever carries its hash", async () => {
    const t = await freshTenant();
    const c = corr("acct");
    const r = await call("POST", `${base(t)}/accounts`, {
      token: t.admin,
      body: { name: "svc", role: "tenant_admin", scopes: ["users:read"] },
      headers: { "x-correlation-id": c },
      expect: 201,
    });
    expect(r.body.clientSecret).toMatch(/^cus_[A-Za-z0-9_-]{43}$/);
    expect(r.body.clientId).toBe(r.body.id);
    expectNoSecrets(r.text);
    const got = await call("GET", `${base(t)}/accounts/${r.body.id}`, { token: t.admin, expect: 200 });
    expect(got.body).not.toHaveProperty("clientSecret");
    expect(got.body).not.toHaveProperty("secretHash");
    expectNoSecrets(got.text);
    expect(got.text).not.toContain(r.body.clientSecret);
    const list = await call("GET", `${base(t)}/accounts`, { token: t.admin, expect: 200 });
    expectNoSecrets(list.text);
    expect(list.text).not.toContain(r.body.clientSecret);
    const e = await expectOneEvent(t, c, { action: "account.created", targetType: "account", targetId: r.body.id });
    expect(e.changes).not.toHaveProperty("secretHash");
    expect(JSON.stringify(e)).not.toContain(r.body.clientSecret);
    const patched = await call("PATCH", `${base(t)}/accounts/${r.body.id}`, { token: t.admin, body: { name: "renamed" }, expect: 200 });
    expectNoSecrets(patched.text);
    expect(patched.body).not.toHaveProperty("clientSecret");
    const all = await call("GET", `${base(t)}/audit-events?targetId=${r.body.id}`, { token: t.admin, expect: 200 });
    expectNoSecrets(all.text);
    expect(all.text).not.toContain(r.body.clientSecret);
  });

  it("a customer account's credentials work at /auth/token; its token carries its role and scopes, and cannot use the admin API", async () => {
    const t = await freshTenant();
    const { customer, account } = await customerAccount(t, ["users:read"]);
    const tok = await tokenRequest(account.clientId, account.clientSecret);
    expect(tok.status).toBe(200);
    expect(tok.body).toEqual({ access_token: expect.any(String), token_type: "Bearer", expires_in: expect.any(Number), scope: "users:read" });
    expect(claims(tok.body.access_token)).toMatchObject({ sub: account.clientId, role: "customer", tenant_id: t.id, customer_id: customer.id, scope: "users:read" });
    const admin = await call("GET", `${base(t)}/projects`, { token: tok.body.access_token });
    expectProblem(admin, 403, "FORBIDDEN", { detail: "The token does not grant the admin API." });
  });

  it("a tenant_admin account with admin scope works on the admin API; without it, 403", async () => {
    const t = await freshTenant();
    const withAdmin = await create(t, "accounts", { name: "a", role: "tenant_admin", scopes: ["admin"] });
    const without = await create(t, "accounts", { name: "b", role: "tenant_admin", scopes: ["users:read", "users:write"] });
    const good = (await tokenRequest(withAdmin.clientId, withAdmin.clientSecret)).body.access_token;
    expect(claims(good)).toMatchObject({ sub: withAdmin.clientId, role: "tenant_admin", tenant_id: t.id, scope: "admin" });
    await call("GET", `${base(t)}/projects`, { token: good, expect: 200 });
    // Its mutations are audited under its own client id.
    const c = corr("by-new-admin");
    const g = await call("POST", `${base(t)}/groups`, { token: good, body: { name: "G" }, headers: { "x-correlation-id": c }, expect: 201 });
    await expectOneEvent(t, c, { action: "group.created", targetType: "group", targetId: g.body.id }, withAdmin.clientId);
    const bad = (await tokenRequest(without.clientId, without.clientSecret)).body.access_token;
    expectProblem(await call("GET", `${base(t)}/projects`, { token: bad }), 403, "FORBIDDEN");
  });

  it("a disabled account cannot obtain a token (401 invalid_client); enabled again, it can", async () => {
    const t = await freshTenant();
    const { account } = await customerAccount(t);
    expect((await tokenRequest(account.clientId, account.clientSecret)).status).toBe(200);
    const c = corr("disable");
    const r = await call("PATCH", `${base(t)}/accounts/${account.id}`, { token: t.admin, body: { disabled: true }, headers: { "x-correlation-id": c }, expect: 200 });
    expect(r.body.disabled).toBe(true);
    await expectOneEvent(t, c, { action: "account.updated", targetType: "account", targetId: account.id, customerId: account.customerId, changes: { disabled: { from: false, to: true } } });
    const refused = await tokenRequest(account.clientId, account.clientSecret);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ error: "invalid_client", error_description: "Client authentication failed." });
    // Exactly like a wrong secret: nothing tells that the account exists.
    const wrong = await tokenRequest(account.clientId, `${account.clientSecret}x`);
    expect([wrong.status, wrong.body]).toEqual([refused.status, refused.body]);
    await call("PATCH", `${base(t)}/accounts/${account.id}`, { token: t.admin, body: { disabled: false }, expect: 200 });
    expect((await tokenRequest(account.clientId, account.clientSecret)).status).toBe(200);
  });

  it("a deleted account cannot obtain a token", async () => {
    const t = await freshTenant();
    const { account } = await customerAccount(t);
    await call("DELETE", `${base(t)}/accounts/${account.id}`, { token: t.admin, expect: 204 });
    expect((await tokenRequest(account.clientId, account.clientSecret)).status).toBe(401);
  });

  it("cross-field rules → 400 naming the field; nothing written", async () => {
    const t = await freshTenant();
    const c = await create(t, "customers", { name: "C" });
    const r = await create(t, "resellers", { name: "R" });
    const before = await listAll(`${base(t)}/accounts`, t.admin);
    const cases: [Record<string, unknown>, { field: string; message: string }[]][] = [
      [{ role: "customer", scopes: ["users:read"] }, [{ field: "customerId", message: "A customer account needs a customerId." }]],
      [{ role: "reseller", scopes: ["users:read"] }, [{ field: "resellerId", message: "A reseller account needs a resellerId." }]],
      [{ role: "customer", customerId: c.id, scopes: ["admin"] }, [{ field: "scopes", message: "Only tenant_admin accounts may hold the admin scope." }]],
      [{ role: "reseller", resellerId: r.id, scopes: ["users:read", "admin"] }, [{ field: "scopes", message: "Only tenant_admin accounts may hold the admin scope." }]],
      [{ role: "tenant_admin", customerId: c.id, scopes: [] }, [{ field: "customerId", message: "Only customer accounts have a customerId." }]],
      [{ role: "customer", customerId: c.id, resellerId: r.id, scopes: [] }, [{ field: "resellerId", message: "Only reseller accounts have a resellerId." }]],
    ];
    for (const [body, errors] of cases) {
      const cid = corr("rule");
      const res = await call("POST", `${base(t)}/accounts`, { token: t.admin, body: { name: "x", ...body }, headers: { "x-correlation-id": cid } });
      expectProblem(res, 400, "INVALID", { detail: "The account is not valid.", errors });
      expect(await eventsOf(t, cid)).toEqual([]);
    }
    const platform = await call("POST", `${base(t)}/accounts`, { token: t.admin, body: { name: "x", role: "platform", scopes: ["admin"] } });
    expectProblem(platform, 400, "INVALID", { errors: [{ field: "role", message: expect.any(String) }] });
    const badScope = await call("POST", `${base(t)}/accounts`, { token: t.admin, body: { name: "x", role: "tenant_admin", scopes: ["root"] } });
    expectProblem(badScope, 400, "INVALID", { errors: [{ field: "scopes.0", message: expect.any(String) }] });
    const repeated = await call("POST", `${base(t)}/accounts`, { token: t.admin, body: { name: "x", role: "tenant_admin", scopes: ["admin", "admin"] } });
    expectProblem(repeated, 400, "INVALID", { errors: [{ field: "scopes", message: "Scopes must not repeat." }] });
    expect(await listAll(`${base(t)}/accounts`, t.admin)).toEqual(before);
  });

  it("patch rules: admin scope on a customer account → 400; role, secret, customer are not patchable", async () => {
    const t = await freshTenant();
    const { account } = await customerAccount(t);
    const r = await call("PATCH", `${base(t)}/accounts/${account.id}`, { token: t.admin, body: { scopes: ["users:read", "admin"] } });
    expectProblem(r, 400, "INVALID", { errors: [{ field: "scopes", message: "Only tenant_admin accounts may hold the admin scope." }] });
    const mass = await call("PATCH", `${base(t)}/accounts/${account.id}`, {
      token: t.admin,
      body: { role: "tenant_admin", secretHash: "sha256$x", clientSecret: "cus_x", customerId: null, id: "x" },
    });
    expectProblem(mass, 400, "INVALID", {
      errors: ["role", "secretHash", "clientSecret", "customerId", "id"].map((field) => ({ field, message: "This property is not allowed." })),
    });
    // The refused property is named, its value never echoed.
    expect(mass.text).not.toContain("sha256$x");
    const { clientSecret: _s, ...stored } = account;
    expect((await call("GET", `${base(t)}/accounts/${account.id}`, { token: t.admin, expect: 200 })).body).toEqual(stored);
    // The token still carries the old scopes only.
    const tok = await tokenRequest(account.clientId, account.clientSecret);
    expect(tok.body.scope).toBe("users:read users:write");
  });

  it("references to another tenant's customer, reseller or project → 400 naming the field", async () => {
    const [t, other] = await Promise.all([freshTenant(), freshTenant()]);
    const theirCustomer = await create(other, "customers", { name: "C" });
    const theirReseller = await create(other, "resellers", { name: "R" });
    const theirProject = await create(other, "projects", { key: unique("p").toLowerCase(), name: "P" });
    const cases: [Record<string, unknown>, string][] = [
      [{ role: "customer", customerId: theirCustomer.id, scopes: [] }, "customerId"],
      [{ role: "reseller", resellerId: theirReseller.id, scopes: [] }, "resellerId"],
      [{ role: "tenant_admin", projectId: theirProject.id, scopes: [] }, "projectId"],
    ];
    for (const [body, field] of cases) {
      const r = await call("POST", `${base(t)}/accounts`, { token: t.admin, body: { name: "x", ...body } });
      expectProblem(r, 400, "INVALID", { errors: [{ field, message: expect.stringMatching(/^No \w+ with this id exists in the tenant\.$/) }] });
    }
    expect(await listAll(`${base(t)}/accounts`, t.admin)).toHaveLength(1);
  });
});
