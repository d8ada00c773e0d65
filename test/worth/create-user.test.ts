/** POST /auth/api/v1/customers/{customerID}/users (seed 000): happy, error and security cases. */
import { beforeAll, describe, expect, it } from "vitest";
import { call, dbTrips, freshTenant, platformToken, sign, unique } from "../harness";
import { expectConforms } from "./contract";
import { createWorthUser, expectFail, expectWorthError, newUser, worth, worthWorld, type WorthWorld } from "./helpers";

const KEY = "POST /customers/{customerID}/users";
let w: WorthWorld;
beforeAll(async () => {
  w = await worthWorld();
});

const post = (body: unknown, token = w.tokens.customer, customerId = w.customer.id) => worth("POST", `/customers/${customerId}/users`, { token, body });
const readBack = async (id: string) => (await worth("GET", `/customers/${w.customer.id}/users/${id}`, { token: w.tokens.customer, expect: 200 })).body.data;
const count = async (customerId = w.customer.id) =>
  (await worth("GET", `/customers/${customerId}/users`, { token: w.tokens.tenantAdmin, expect: 200 })).body.data.total_items as string;

describe("happy", () => {
  it("creates a user: the seed's 200 body, 1 D1 round trip, every field read back", async () => {
    const email = `${unique("Dummy.Customer")}@Email.com`;
    const r = await post({ first_name: "Sandbox", last_name: "CRO", email, subrole: { id: w.cro.id, code: "cro", label: "CRO" } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: "success", message: "Customer user created.", data: { user_id: expect.stringMatching(/^[0-9a-f-]{36}$/) } });
    expect(dbTrips(r)).toBe(1);
    await expectConforms(KEY, r);

    const u = await readBack(r.body.data.user_id);
    expect(u).toEqual({
      id: r.body.data.user_id,
      first_name: "Sandbox",
      last_name: "CRO",
      email,
      mobile: null,
      is_email_verified: false,
      is_first_login: true,
      created_at: expect.any(String),
      created_by: w.sub,
      updated_at: u.created_at,
      updated_by: w.sub,
      ext_auth_ref_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: "ACTIVE",
      subrole: { id: w.cro.id, code: "cro", display_name: "CRO", label: "CRO", description: "This is Sandbox's CRO" },
    });
    expect(Math.abs(Date.parse(u.created_at) - Date.now())).toBeLessThan(60_000);
  });

  it("accepts a tenant-wide subrole and a mobile; trims names; an empty mobile is none", async () => {
    const id = await createWorthUser(w, { first_name: "  Ann ", mobile: "+1 555 0100", subrole: { id: w.viewer.id, code: "viewer", label: "anything" } });
    const u = await readBack(id);
    expect(u).toMatchObject({ first_name: "Ann", mobile: "+1 555 0100", subrole: { id: w.viewer.id, code: "viewer", label: "Viewer", display_name: "Viewer" } });
    const none = await readBack(await createWorthUser(w, { mobile: "" }));
    expect(none.mobile).toBeNull();
    const explicitNull = await readBack(await createWorthUser(w, { mobile: null }));
    expect(explicitNull.mobile).toBeNull();
  });

  it("strings of exactly 255 characters are accepted", async () => {
    const long = "x".repeat(255);
    const email = `${"e".repeat(255 - "@example.com".length)}@example.com`;
    const u = await readBack(await createWorthUser(w, { first_name: long, last_name: long, email, mobile: "1".repeat(255) }));
    expect(u).toMatchObject({ first_name: long, last_name: long, email, mobile: "1".repeat(255) });
  });

  it("tenant admin, reseller and platform tokens may create; created_by is the token's sub", async () => {
    for (const token of [w.tokens.tenantAdmin, w.tokens.reseller as string, await platformToken()]) {
      const r = await post(newUser(w), token);
      expect(r.status).toBe(200);
      const u = await readBack(r.body.data.user_id);
      const sub = JSON.parse(atob((token.split(".")[1] as string).replace(/-/g, "+").replace(/_/g, "/"))).sub;
      expect(u.created_by).toBe(sub);
      expect(u.updated_by).toBe(sub);
    }
  });

  it("writes a user.created audit event under the request's correlation id", async () => {
    const r = await worth("POST", `/customers/${w.customer.id}/users`, { token: w.tokens.customer, body: newUser(w), headers: { "x-correlation-id": "worth-create-1" }, expect: 200 });
    expect(r.headers.get("x-correlation-id")).toBe("worth-create-1");
    expect(r.headers.get("cache-control")).toBe("no-store");
    const ev = await call("GET", `/api/v1/tenants/${w.tenant.id}/audit-events?correlationId=worth-create-1`, { token: w.tenant.admin, expect: 200 });
    expect(ev.body.data).toHaveLength(1);
    expect(ev.body.data[0]).toMatchObject({ action: "user.created", targetId: r.body.data.user_id, actorId: w.sub, customerId: w.customer.id });
    expect(ev.body.data[0].changes).toMatchObject({ firstName: "Sandbox", email: expect.any(String), createdBy: w.sub, hasPassword: false });
    expect(ev.body.data[0].changes).not.toHaveProperty("passwordHash");
  });
});

describe("errors", () => {
  it("duplicate e-mail, any case or padding, tenant-wide → the seed's 400 body; nothing written", async () => {
    const email = `${unique("dup")}@example.com`;
    await createWorthUser(w, { email });
    const before = await count();
    for (const variant of [email, email.toUpperCase(), `  ${email} `]) {
      const r = await post(newUser(w, { email: variant, first_name: "Dup" }));
      expectFail(r, 400, "INVALID", "Another customer user exists with the same email.");
      await expectConforms(KEY, r);
    }
    // Another customer of the same tenant: still a duplicate (uniqueness is per tenant).
    const sibling = await post({ ...newUser(w, { email }), subrole: { id: w.viewer.id, code: "viewer", label: "Viewer" } }, w.tokens.tenantAdmin, w.sibling.id);
    expectFail(sibling, 400, "INVALID", "Another customer user exists with the same email.");
    expect(await count()).toBe(before);
    expect(await count(w.sibling.id)).toBe("0");
  });

  it("the same e-mail in another tenant is fine", async () => {
    const email = `${unique("shared")}@example.com`;
    await createWorthUser(w, { email });
    const other = await worthWorld();
    await createWorthUser(other, { email });
  });

  it("subrole: id and code must agree and belong to the customer or the tenant", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ id: w.cro.id, code: "viewer", label: "CRO" }, "subrole.id: No subrole of this customer has this id and code."],
      [{ id: w.foreign.id, code: "cro", label: "CRO" }, "subrole.id: No subrole of this customer has this id and code."],
      [{ id: "not-a-subrole", code: "cro", label: "CRO" }, "subrole.id: No subrole of this customer has this id and code."],
      [{ id: crypto.randomUUID(), code: "cro", label: "CRO" }, "subrole.id: No subrole of this customer has this id and code."],
    ];
    const before = await count();
    for (const [subrole, message] of cases) {
      const r = await post(newUser(w, { subrole }));
      expectFail(r, 400, "INVALID", message);
      await expectConforms(KEY, r);
    }
    expect(await count()).toBe(before);
  });

  it("schema failures → 400 ValidationMiddlewareError naming each field", async () => {
    const cases: [unknown, string][] = [
      [{}, "first_name: Required. last_name: Required. email: Required. subrole: Required."],
      [newUser(w, { first_name: "   " }), "first_name: Must not be blank."],
      [newUser(w, { last_name: 42 }), "last_name: Must be a string."],
      [newUser(w, { email: "not-an-email" }), "email: Not an e-mail address."],
      [newUser(w, { first_name: "x".repeat(256) }), "first_name: At most 255 characters."],
      [newUser(w, { email: `${"e".repeat(250)}@example.com` }), "email: At most 255 characters."],
      [newUser(w, { mobile: "1".repeat(256) }), "mobile: At most 255 characters."],
      [newUser(w, { subrole: { id: w.cro.id, code: "cro" } }), "subrole.label: Required."],
      [newUser(w, { subrole: "cro" }), "subrole: Must be an object."],
      [newUser(w, { subrole: { id: w.cro.id, code: "cro", label: "CRO", permissions: ["x"] } }), "subrole.permissions: This property is not allowed."],
      [[newUser(w)], "The body must be a JSON object."],
      ["text", "The body must be a JSON object."],
    ];
    for (const [body, message] of cases) {
      const r = await post(body);
      expectFail(r, 400, "INVALID", message, "ValidationMiddlewareError");
      await expectConforms(KEY, r);
    }
  });

  it("mass-assigned or unknown properties → 400 naming them; nothing written", async () => {
    const before = await count();
    for (const field of ["id", "customer_id", "status", "is_email_verified", "is_first_login", "created_at", "created_by", "password", "password_hash", "tenant_id", "ext_auth_ref_id"]) {
      const r = await post(newUser(w, { [field]: field === "is_email_verified" ? true : "x" }));
      expectFail(r, 400, "INVALID", `${field}: This property is not allowed.`, "ValidationMiddlewareError");
    }
    expect(await count()).toBe(before);
  });

  it("malformed path id, invalid JSON, wrong or missing content type, oversized body", async () => {
    const bad = await worth("POST", "/customers/not-a-uuid/users", { token: w.tokens.customer, body: newUser(w) });
    expectFail(bad, 400, "INVALID", "customerID: Must be a UUID.", "ValidationMiddlewareError");
    await expectConforms(KEY, bad);
    const sqlish = await worth("POST", `/customers/${encodeURIComponent("1' OR '1'='1")}/users`, { token: w.tokens.customer, body: newUser(w) });
    expectFail(sqlish, 400, "INVALID", "customerID: Must be a UUID.", "ValidationMiddlewareError");

    const json = await worth("POST", `/customers/${w.customer.id}/users`, { token: w.tokens.customer, raw: '{"first_name":', headers: { "content-type": "application/json" } });
    expectFail(json, 400, "INVALID", "body: Malformed JSON.", "ValidationMiddlewareError");
    await expectConforms(KEY, json);

    for (const headers of [{ "content-type": "text/plain" }, {} as Record<string, string>]) {
      const r = await worth("POST", `/customers/${w.customer.id}/users`, { token: w.tokens.customer, raw: JSON.stringify(newUser(w)), headers });
      expectFail(r, 415, "INVALID", "The request body must be application/json.", "ValidationMiddlewareError");
      await expectConforms(KEY, r);
    }
    const big = await post(newUser(w, { first_name: "x".repeat(70 * 1024) }));
    expectFail(big, 413, "INVALID", "The request body is larger than 64 KiB.", "ValidationMiddlewareError");
    await expectConforms(KEY, big);
  });

  it("unknown customer → 404 Customer Not Found (tenant admin)", async () => {
    const r = await post(newUser(w), w.tokens.tenantAdmin, crypto.randomUUID());
    expectFail(r, 404, "NOT_FOUND", "Customer Not Found");
    await expectConforms(KEY, r);
  });
});

// The authorization matrix of this operation: test/security/matrix.data.ts and matrix.edges.test.ts.
describe("security", () => {
  it("401 and 403 bodies are Worth's gateway bodies and conform to the seed", async () => {
    const none = await worth("POST", `/customers/${w.customer.id}/users`, { body: newUser(w) });
    expectWorthError(none, 401);
    await expectConforms(KEY, none);
    const readOnly = await post(newUser(w), w.tokens.customerRead);
    expectWorthError(readOnly, 403);
    await expectConforms(KEY, readOnly);
  });

  it("nothing is written by refused requests", async () => {
    const t = await freshTenant();
    const before = await count();
    await post(newUser(w), t.admin);
    await post(newUser(w), await sign({ sub: crypto.randomUUID(), role: "customer", tenant_id: w.tenant.id, customer_id: w.sibling.id, scope: "users:write" }));
    await post(newUser(w), w.tokens.customerRead);
    expect(await count()).toBe(before);
  });
});
