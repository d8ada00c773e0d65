/**
 * POST /functions/v1/public/auth/token with users created through the Corti routes: the token
 * reaches exactly the user's own customer with its subrole's scopes; failures say nothing about
 * which check failed; the lockout (docs/api/auth.md#logins-inside-one-tenant).
 */
import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { LOCKOUT_THRESHOLD } from "../../src/auth/token-service";
import { call, dbTrips, unique } from "../harness";
import { BUDGET, CORTI, cortiUser, grantSubrole, login, newEmail, PASSWORD, secondCustomer, world } from "./helpers";

const WRONG = "definitely-the-wrong-password";

describe("Corti login: happy", () => {
  it("a user created here logs in at once; no subrole → a token without user scopes (403 everywhere)", async () => {
    const w = await world();
    const u = await cortiUser(w, { password: PASSWORD });
    const r = await login(u.email, PASSWORD);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({ accessToken: expect.any(String), tokenType: "bearer", expiresIn: 3600 });
    expect(r.headers.get("cache-control")).toBe("no-store");
    expect(dbTrips(r)).toBeLessThanOrEqual(BUDGET.token);
    expect(decodeJwt(r.body.accessToken)).toMatchObject({ sub: u.id, role: "customer", tenant_id: w.tenant.id, customer_id: w.customer.id, scope: "" });
    const token = r.body.accessToken;
    expect((await call("GET", w.usersPath, { token })).status).toBe(403);
    expect((await call("POST", w.usersPath, { token, body: { email: newEmail(), firstName: "A", lastName: "B" } })).status).toBe(403);
  });

  it("a read subrole: lists its own customer only; cannot write", async () => {
    const w = await world();
    const second = await secondCustomer(w);
    const u = await cortiUser(w, { password: PASSWORD });
    await grantSubrole(w, u.id, ["customer_user:read"]);
    const token = (await login(u.email, PASSWORD)).body.accessToken;
    expect(decodeJwt(token).scope).toBe("users:read");
    const own = await call("GET", w.usersPath, { token, expect: 200 });
    expect(own.body.users.map((x: { id: string }) => x.id)).toEqual([u.id]);
    const other = await call("GET", second.usersPath, { token });
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ message: "Customer not found.", code: "NOT_FOUND" });
    const write = await call("POST", w.usersPath, { token, body: { email: newEmail(), firstName: "A", lastName: "B" } });
    expect(write.status).toBe(403);
    expect(write.body).toEqual({ message: "The token lacks the required scope.", code: "FORBIDDEN" });
  });

  it("a read + create subrole: writes in its own customer, 404 in another; never the customers routes", async () => {
    const w = await world();
    const second = await secondCustomer(w);
    const u = await cortiUser(w, { password: PASSWORD });
    await grantSubrole(w, u.id, ["customer_user:read", "customer_user:create"]);
    const token = (await login(u.email, PASSWORD)).body.accessToken;
    expect(decodeJwt(token).scope).toBe("users:read users:write");
    const made = await call("POST", w.usersPath, { token, body: { email: newEmail(), firstName: "A", lastName: "B" } });
    expect(made.status, made.text).toBe(201);
    await call("PATCH", `${w.usersPath}/${made.body.id}`, { token, body: { enabled: false }, expect: 200 });
    expect((await call("POST", second.usersPath, { token, body: { email: newEmail(), firstName: "A", lastName: "B" } })).status).toBe(404);
    expect((await call("GET", w.customersPath, { token })).status).toBe(403);
  });
});

describe("Corti login: errors", () => {
  it("unknown e-mail and wrong password: the same status and byte-identical bodies", async () => {
    const w = await world();
    const u = await cortiUser(w, { password: PASSWORD });
    const wrong = await login(u.email, WRONG);
    const unknown = await login(newEmail("nobody"), WRONG);
    const noPassword = await login((await cortiUser(w)).email, WRONG);
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ message: "Invalid email or password.", code: "UNAUTHORIZED" });
    for (const r of [unknown, noPassword]) {
      expect(r.status).toBe(wrong.status);
      expect(r.text).toBe(wrong.text);
      expect(r.headers.get("content-type")).toBe(wrong.headers.get("content-type"));
      expect(r.headers.get("www-authenticate")).toBe(wrong.headers.get("www-authenticate"));
    }
  });

  it(`the lockout (${LOCKOUT_THRESHOLD} failures) holds even for the right password until it expires; other accounts are unaffected`, async () => {
    const w = await world();
    const u = await cortiUser(w, { password: PASSWORD });
    const neighbour = await cortiUser(w, { password: PASSWORD });
    const refused = await login(u.email, WRONG);
    for (let i = 1; i < LOCKOUT_THRESHOLD; i++) expect((await login(u.email, WRONG)).status).toBe(401);
    for (let i = 0; i < 2; i++) {
      const locked = await login(u.email, PASSWORD);
      expect(locked.status).toBe(401);
      expect(locked.text).toBe(refused.text);
    }
    expect((await login(neighbour.email, PASSWORD)).status).toBe(200);
    // 15 minutes later: move the lock's end into the past.
    await env.DB.prepare("update login_throttle set locked_until = ? where user_id = ?").bind(Date.now() - 1, u.id).run();
    expect((await login(u.email, PASSWORD)).status).toBe(200);
  });

  it("missing or non-string fields → 400 in Corti's body", async () => {
    const r = await call("POST", `${CORTI}/auth/token`, { body: { email: `${unique("x")}@example.com` } });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ message: "Invalid body: password.", code: "BAD_REQUEST", details: [{ field: "password", message: "Required." }] });
    const typed = await call("POST", `${CORTI}/auth/token`, { body: { email: "a@b.c", password: 1234567890123456 } });
    expect(typed.status).toBe(400);
    expect(typed.body).toEqual({ message: "password must be a string.", code: "BAD_REQUEST", details: [{ field: "password", message: "Must be a string." }] });
  });
});
