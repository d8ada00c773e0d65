/**
 * DELETE /functions/v1/public/projects/{projectId}/customers/{customerId}/users/{userId} — soft
 * delete; a second delete is 404. Matrix in matrix.test.ts.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, dbTrips, freshTenant } from "../harness";
import { BUDGET, cortiUser, customerToken, login, PASSWORD, secondCustomer, world } from "./helpers";

describe("delete user: happy", () => {
  it("204 with no body; gone from the list; cannot log in; the row stays (soft); the e-mail is free again", async () => {
    const w = await world();
    const u = await cortiUser(w, { password: PASSWORD });
    const r = await call("DELETE", `${w.usersPath}/${u.id}`, { token: w.tenant.admin });
    expect(r.status).toBe(204);
    expect(r.text).toBe("");
    expect(dbTrips(r)).toBeLessThanOrEqual(BUDGET.delete);
    expect((await call("GET", w.usersPath, { token: w.tenant.admin })).body.users).toEqual([]);
    expect((await login(u.email, PASSWORD)).status).toBe(401);
    const row = await env.DB.prepare("select deleted_at from users where id = ?").bind(u.id).first<{ deleted_at: number | null }>();
    expect(row?.deleted_at).toEqual(expect.any(Number));
    await cortiUser(w, { email: u.email });
  });

  it("a customer token with users:write deletes in its own customer", async () => {
    const w = await world();
    const u = await cortiUser(w);
    await call("DELETE", `${w.usersPath}/${u.id}`, { token: await customerToken(w, "users:write"), expect: 204 });
  });
});

describe("delete user: errors", () => {
  it("again → 404; unknown → 404; malformed id → 400", async () => {
    const w = await world();
    const u = await cortiUser(w);
    await call("DELETE", `${w.usersPath}/${u.id}`, { token: w.tenant.admin, expect: 204 });
    const again = await call("DELETE", `${w.usersPath}/${u.id}`, { token: w.tenant.admin });
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ message: "User not found.", code: "NOT_FOUND" });
    const unknown = await call("DELETE", `${w.usersPath}/${crypto.randomUUID()}`, { token: w.tenant.admin });
    expect(unknown.text).toBe(again.text);
    const bad = await call("DELETE", `${w.usersPath}/123`, { token: w.tenant.admin });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ message: "Invalid param: userId.", code: "BAD_REQUEST", details: [{ field: "userId", message: "Invalid UUID" }] });
  });
});

describe("delete user: reach", () => {
  it("through another customer's path or token, or another tenant → 404 and nothing deleted; users:read only → 403", async () => {
    const [w, other] = await Promise.all([world(), freshTenant()]);
    const second = await secondCustomer(w);
    const u = await cortiUser(w);
    for (const [path, token] of [
      [`${second.usersPath}/${u.id}`, w.tenant.admin],
      [`${w.usersPath}/${u.id}`, other.admin],
      [`${w.usersPath}/${u.id}`, await customerToken(w, "users:write", second.id)],
    ] as const) {
      const r = await call("DELETE", path, { token });
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ message: "User not found.", code: "NOT_FOUND" });
    }
    const readOnly = await call("DELETE", `${w.usersPath}/${u.id}`, { token: await customerToken(w, "users:read") });
    expect(readOnly.status).toBe(403);
    expect((await call("GET", w.usersPath, { token: w.tenant.admin })).body.users).toEqual([u]);
  });
});
