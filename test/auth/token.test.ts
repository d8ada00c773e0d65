/**
 * POST /auth/token: client credentials (RFC 6749 §4.4, errors §5.2) and e-mail + password, with
 * the lockout counted in D1 (docs/api/auth.md#logins-inside-one-tenant).
 */
import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { LOCKOUT_THRESHOLD } from "../../src/auth/token-service";
import { createUser } from "../../src/core/users/create-user";
import { openDb } from "../../src/db/client";
import { call, create, dbTrips, freshTenant, unique } from "../harness";

async function account(scopes = ["users:read", "users:write"]) {
  const t = await freshTenant();
  const customer = await create(t, "customers", { name: "C" });
  const a = await create(t, "accounts", { name: "svc", role: "customer", customerId: customer.id, scopes });
  return { t, customer, id: a.clientId as string, secret: a.clientSecret as string };
}

describe("client credentials", () => {
  it("JSON, form and HTTP Basic all issue a token with the account's claims; no-store", async () => {
    const a = await account();
    const json = await call("POST", "/auth/token", { body: { grant_type: "client_credentials", client_id: a.id, client_secret: a.secret }, expect: 200 });
    const form = await call("POST", "/auth/token", {
      raw: new URLSearchParams({ grant_type: "client_credentials", client_id: a.id, client_secret: a.secret }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      expect: 200,
    });
    const basic = await call("POST", "/auth/token", {
      raw: "grant_type=client_credentials",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${btoa(`${encodeURIComponent(a.id)}:${encodeURIComponent(a.secret)}`)}` },
      expect: 200,
    });
    for (const r of [json, form, basic]) {
      expect(r.headers.get("cache-control")).toBe("no-store");
      expect(r.body).toEqual({ access_token: expect.any(String), token_type: "Bearer", expires_in: 3600, scope: "users:read users:write" });
      const claims = decodeJwt(r.body.access_token);
      expect(claims).toMatchObject({ sub: a.id, role: "customer", tenant_id: a.t.id, customer_id: a.customer.id, token_use: "access", iss: "customer-users", aud: "customer-users-api" });
      expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
      expect(dbTrips(r)).toBeLessThanOrEqual(2);
    }
  });

  it("a requested scope narrows the token; one the account lacks is invalid_scope", async () => {
    const a = await account();
    const r = await call("POST", "/auth/token", { body: { grant_type: "client_credentials", client_id: a.id, client_secret: a.secret, scope: "users:read" }, expect: 200 });
    expect(r.body.scope).toBe("users:read");
    const bad = await call("POST", "/auth/token", { body: { grant_type: "client_credentials", client_id: a.id, client_secret: a.secret, scope: "admin" } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: "invalid_scope", error_description: "The requested scope exceeds what the client holds." });
  });

  it("wrong secret and unknown client: the same 401 invalid_client, byte for byte", async () => {
    const a = await account();
    const wrong = await call("POST", "/auth/token", { body: { grant_type: "client_credentials", client_id: a.id, client_secret: "nope" } });
    const unknown = await call("POST", "/auth/token", { body: { grant_type: "client_credentials", client_id: crypto.randomUUID(), client_secret: "nope" } });
    for (const r of [wrong, unknown]) {
      expect(r.status).toBe(401);
      expect(r.headers.get("www-authenticate")).toBe('Bearer realm="customer-users"');
      expect(r.headers.get("cache-control")).toBe("no-store");
    }
    expect(wrong.text).toBe(unknown.text);
    expect(wrong.body).toEqual({ error: "invalid_client", error_description: "Client authentication failed." });
    const basic = await call("POST", "/auth/token", { raw: "grant_type=client_credentials", headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${btoa(`${a.id}:bad`)}` } });
    expect(basic.status).toBe(401);
    expect(basic.headers.get("www-authenticate")).toBe('Basic realm="customer-users"');
  });

  it("other grants and malformed requests: RFC 6749 §5.2 errors", async () => {
    const grant = await call("POST", "/auth/token", { body: { grant_type: "password", username: "a", password: "b" } });
    expect(grant.status).toBe(400);
    expect(grant.body).toEqual({ error: "unsupported_grant_type", error_description: "Only client_credentials is supported." });
    const empty = await call("POST", "/auth/token", { body: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toBe("invalid_request");
    const notJson = await call("POST", "/auth/token", { raw: "{", headers: { "content-type": "application/json" } });
    expect(notJson.status).toBe(400);
    expect(notJson.body).toEqual({ error: "invalid_request", error_description: "The request body is not valid JSON." });
    const text = await call("POST", "/auth/token", { raw: "x", headers: { "content-type": "text/plain" } });
    expect(text.status).toBe(415);
    expect(text.body.error).toBe("invalid_request");
    const nonString = await call("POST", "/auth/token", { body: { grant_type: "client_credentials", client_id: 1, client_secret: ["x"] } });
    expect(nonString.status).toBe(400);
  });

  it("the bootstrap account gets a platform token; a wrong bootstrap secret is invalid_client", async () => {
    const r = await call("POST", "/auth/token", { body: { grant_type: "client_credentials", client_id: env.BOOTSTRAP_CLIENT_ID, client_secret: env.BOOTSTRAP_CLIENT_SECRET }, expect: 200 });
    expect(decodeJwt(r.body.access_token)).toMatchObject({ role: "platform", sub: env.BOOTSTRAP_CLIENT_ID, scope: "users:read users:write admin" });
    expect(decodeJwt(r.body.access_token).tenant_id).toBeUndefined();
    const bad = await call("POST", "/auth/token", { body: { grant_type: "client_credentials", client_id: env.BOOTSTRAP_CLIENT_ID, client_secret: `${env.BOOTSTRAP_CLIENT_SECRET}x` } });
    expect(bad.status).toBe(401);
  });

  it("a disabled account cannot obtain a token", async () => {
    const a = await account();
    await call("PATCH", `/api/v1/tenants/${a.t.id}/accounts/${a.id}`, { token: a.t.admin, body: { disabled: true }, expect: 200 });
    const r = await call("POST", "/auth/token", { body: { grant_type: "client_credentials", client_id: a.id, client_secret: a.secret } });
    expect(r.status).toBe(401);
    expect(r.body.error).toBe("invalid_client");
  });
});

describe("e-mail + password", () => {
  const password = "a-Very-good-passw0rd!";

  async function userWithPassword(permissions: string[] = ["customer_user:read", "customer_user:write"]) {
    const t = await freshTenant();
    const customer = await create(t, "customers", { name: "C" });
    await create(t, "subroles", { code: "r", label: "R", displayName: "R", permissions });
    const email = `${unique("login")}@example.com`;
    const { db } = openDb(env.DB);
    const ctx = {
      db,
      principal: { sub: "t", role: "tenant_admin" as const, tenantId: t.id, customerId: null, resellerId: null, projectId: null, scopes: new Set(["users:read", "users:write"] as const), issuedAt: 0 },
      correlationId: "c",
      now: () => Date.now(),
      newId: () => crypto.randomUUID(),
      tokenLifetimeSeconds: 3631,
    };
    const user = await createUser(ctx, { owner: { customerId: customer.id }, firstName: "L", lastName: "L", email, password, subrole: { code: "r" } }, { pepper: env.PASSWORD_PEPPER });
    return { t, customer, email, user };
  }

  const login = (email: string, pw: string, path = "/auth/token") => call("POST", path, { body: { email, password: pw } });

  it("logs in at both mounts with a customer token carrying the subrole's scopes", async () => {
    const u = await userWithPassword();
    for (const path of ["/auth/token", "/functions/v1/public/auth/token"]) {
      const r = await login(u.email.toUpperCase(), password, path);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ accessToken: expect.any(String), tokenType: "bearer", expiresIn: 3600 });
      expect(r.headers.get("cache-control")).toBe("no-store");
      expect(decodeJwt(r.body.accessToken)).toMatchObject({ sub: u.user.id, role: "customer", tenant_id: u.t.id, customer_id: u.customer.id, scope: "users:read users:write" });
      expect(dbTrips(r)).toBeLessThanOrEqual(2);
    }
    // The token works, for its own customer.
    const token = (await login(u.email, password)).body.accessToken;
    await call("GET", `/api/v1/tenants/${u.t.id}/users`, { token }).then((r) => expect(r.status).toBe(403));
  });

  it("a subrole without permissions gives a token without user scopes", async () => {
    const u = await userWithPassword([]);
    const r = await login(u.email, password);
    expect(decodeJwt(r.body.accessToken).scope).toBe("");
  });

  it("unknown e-mail and wrong password: same status, byte-identical body", async () => {
    const u = await userWithPassword();
    const wrong = await login(u.email, "wrong-password-123456");
    const unknown = await login(`${unique("nobody")}@example.com`, "wrong-password-123456");
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.text).toBe(unknown.text);
    expect(wrong.body).toEqual({ message: "Invalid email or password.", code: "UNAUTHORIZED" });
  });

  it(`locks an e-mail after ${LOCKOUT_THRESHOLD} consecutive failures, even for the right password, until it expires; others unaffected`, async () => {
    const u = await userWithPassword();
    const other = await userWithPassword();
    const refused = (await login(u.email, "wrong-password-123456")).text;
    for (let i = 1; i < LOCKOUT_THRESHOLD; i++) expect((await login(u.email, "wrong-password-123456")).status).toBe(401);
    const locked = await login(u.email, password);
    expect(locked.status).toBe(401);
    expect(locked.text).toBe(refused);
    expect((await login(other.email, password)).status).toBe(200);
    // Let the lock expire (15 minutes) by moving its end into the past.
    await env.DB.prepare("update login_throttle set locked_until = ? where user_id = ?").bind(Date.now() - 1, u.user.id).run();
    expect((await login(u.email, password)).status).toBe(200);
    // Success resets the count: one more failure does not lock.
    await login(u.email, "wrong-password-123456");
    expect((await login(u.email, password)).status).toBe(200);
  });

  it("nine failures then a success resets the counter", async () => {
    const u = await userWithPassword();
    for (let i = 0; i < LOCKOUT_THRESHOLD - 1; i++) await login(u.email, "wrong-password-123456");
    expect((await login(u.email, password)).status).toBe(200);
    for (let i = 0; i < LOCKOUT_THRESHOLD - 1; i++) await login(u.email, "wrong-password-123456");
    expect((await login(u.email, password)).status).toBe(200);
  });

  it("an inactive user cannot log in, and is refused like a wrong password", async () => {
    const u = await userWithPassword();
    await env.DB.prepare("update users set status = 'INACTIVE' where id = ?").bind(u.user.id).run();
    const r = await login(u.email, password);
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ message: "Invalid email or password.", code: "UNAUTHORIZED" });
  });

  it("missing fields → 400 in Corti's body", async () => {
    const r = await call("POST", "/auth/token", { body: { email: "a@b.c" } });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ message: "Invalid body: password.", code: "BAD_REQUEST", details: [{ field: "password", message: "Required." }] });
  });
});
