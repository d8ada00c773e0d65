/**
 * PATCH /functions/v1/public/projects/{projectId}/customers/{customerId}/users/{userId} — names,
 * `enabled` (status), password; never the e-mail. Matrix in matrix.test.ts.
 */
import { describe, expect, it } from "vitest";
import { call, dbTrips, freshTenant } from "../harness";
import { BUDGET, CORTI, cortiUser, customerToken, expectNoSecrets, ISO, login, PASSWORD, secondCustomer, UUID, world } from "./helpers";

describe("update user: happy", () => {
  it("renames and disables; read back from the list; enabled:false refuses login, enabled:true restores it", async () => {
    const w = await world();
    const u = await cortiUser(w, { password: PASSWORD });
    const path = `${w.usersPath}/${u.id}`;
    const r = await call("PATCH", path, { token: w.tenant.admin, body: { firstName: "Grace", lastName: " Hopper ", enabled: false } });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({ id: u.id, email: u.email, firstName: "Grace", lastName: "Hopper", emailVerified: false, enabled: false, createdAt: u.createdAt });
    expect(dbTrips(r)).toBeLessThanOrEqual(BUDGET.update);
    const listed = await call("GET", w.usersPath, { token: w.tenant.admin, expect: 200 });
    expect(listed.body.users).toEqual([r.body]);
    expect((await login(u.email, PASSWORD)).status).toBe(401);
    await call("PATCH", path, { token: w.tenant.admin, body: { enabled: true }, expect: 200 });
    expect((await login(u.email, PASSWORD)).status).toBe(200);
  });

  it("a new password replaces the old one at once; the answer never carries it", async () => {
    const w = await world();
    const u = await cortiUser(w, { password: PASSWORD });
    const next = "An0ther-Long-Passphrase";
    const r = await call("PATCH", `${w.usersPath}/${u.id}`, { token: w.tenant.admin, body: { password: next }, expect: 200 });
    expect(r.body).toEqual({ ...u });
    expectNoSecrets(r.text, next);
    expect((await login(u.email, PASSWORD)).status).toBe(401);
    expect((await login(u.email, next)).status).toBe(200);
  });

  it("by ids instead of keys, with a customer token of the user's own customer", async () => {
    const w = await world();
    const u = await cortiUser(w);
    const r = await call("PATCH", `${CORTI}/projects/${w.project.id}/customers/${w.customer.id}/users/${u.id}`, { token: await customerToken(w, "users:write"), body: { lastName: "Byid" } });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({ id: u.id, email: u.email, firstName: "John", lastName: "Byid", emailVerified: false, enabled: true, createdAt: ISO });
  });

  it("a patch that changes nothing answers the user unchanged", async () => {
    const w = await world();
    const u = await cortiUser(w);
    const r = await call("PATCH", `${w.usersPath}/${u.id}`, { token: w.tenant.admin, body: { firstName: "John", enabled: true }, expect: 200 });
    expect(r.body).toEqual(u);
    expect(r.body.id).toEqual(UUID);
  });
});

describe("update user: errors (whole body, nothing written)", () => {
  it("the e-mail cannot be changed here → 400", async () => {
    const w = await world();
    const u = await cortiUser(w);
    const r = await call("PATCH", `${w.usersPath}/${u.id}`, { token: w.tenant.admin, body: { email: "new@example.com", firstName: "X" } });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ message: "Invalid body: email.", code: "BAD_REQUEST", details: [{ field: "email", message: "This property is not allowed." }] });
    expect((await call("GET", w.usersPath, { token: w.tenant.admin })).body.users).toEqual([u]);
  });

  it("empty body, mass-assigned fields, wrong types, bad passwords, blank names → 400", async () => {
    const w = await world();
    const u = await cortiUser(w);
    const path = `${w.usersPath}/${u.id}`;
    const token = w.tenant.admin;
    const empty = await call("PATCH", path, { token, body: {} });
    expect(empty.body).toEqual({ message: "Invalid body: body.", code: "BAD_REQUEST", details: [{ field: "", message: "At least one property is required." }] });
    const mass = await call("PATCH", path, { token, body: { id: crypto.randomUUID(), passwordHash: "x", status: "ACTIVE" } });
    expect(mass.body).toEqual({
      message: "Invalid body: id, passwordHash, status.",
      code: "BAD_REQUEST",
      details: ["id", "passwordHash", "status"].map((field) => ({ field, message: "This property is not allowed." })),
    });
    const typed = await call("PATCH", path, { token, body: { enabled: "false" } });
    expect(typed.body).toEqual({ message: "Invalid body: enabled.", code: "BAD_REQUEST", details: [{ field: "enabled", message: "Invalid input: expected boolean, received string" }] });
    const short = await call("PATCH", path, { token, body: { password: "too-short" } });
    expect(short.body).toEqual({
      message: "The user is not valid.",
      code: "BAD_REQUEST",
      details: [{ field: "password", message: "Must be 16 to 64 characters (Unicode code points, after NFKC normalisation)." }],
    });
    const blank = await call("PATCH", path, { token, body: { lastName: "   " } });
    expect(blank.body).toEqual({ message: "The user is not valid.", code: "BAD_REQUEST", details: [{ field: "lastName", message: "Must not be blank." }] });
    const json = await call("PATCH", path, { token, raw: "{", headers: { "content-type": "application/json" } });
    expect(json.status).toBe(400);
    const text = await call("PATCH", path, { token, raw: "enabled=false", headers: { "content-type": "text/plain" } });
    expect(text.status).toBe(415);
    expect((await call("GET", w.usersPath, { token })).body.users).toEqual([u]);
  });

  it("malformed user id → 400; unknown or deleted user → 404", async () => {
    const w = await world();
    const token = w.tenant.admin;
    const bad = await call("PATCH", `${w.usersPath}/not-a-uuid`, { token, body: { firstName: "X" } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ message: "Invalid param: userId.", code: "BAD_REQUEST", details: [{ field: "userId", message: "Invalid UUID" }] });
    const unknown = await call("PATCH", `${w.usersPath}/${crypto.randomUUID()}`, { token, body: { firstName: "X" } });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ message: "User not found.", code: "NOT_FOUND" });
    const u = await cortiUser(w);
    await call("DELETE", `${w.usersPath}/${u.id}`, { token, expect: 204 });
    const deleted = await call("PATCH", `${w.usersPath}/${u.id}`, { token, body: { firstName: "X" } });
    expect(deleted.text).toBe(unknown.text);
  });
});

describe("update user: reach", () => {
  it("a user of another customer (same tenant), of another tenant, or through another customer's token → 404; no users:write → 403", async () => {
    const [w, other] = await Promise.all([world(), freshTenant()]);
    const second = await secondCustomer(w);
    const u = await cortiUser(w);
    const token = w.tenant.admin;
    const unknown = await call("PATCH", `${w.usersPath}/${crypto.randomUUID()}`, { token, body: { firstName: "X" } });
    const wrongCustomer = await call("PATCH", `${second.usersPath}/${u.id}`, { token, body: { firstName: "X" } });
    expect(wrongCustomer.status).toBe(404);
    expect(wrongCustomer.text).toBe(unknown.text);
    const otherTenant = await call("PATCH", `${w.usersPath}/${u.id}`, { token: other.admin, body: { firstName: "X" } });
    expect(otherTenant.status).toBe(404);
    const otherToken = await call("PATCH", `${w.usersPath}/${u.id}`, { token: await customerToken(w, "users:write", second.id), body: { firstName: "X" } });
    expect(otherToken.status).toBe(404);
    const readOnly = await call("PATCH", `${w.usersPath}/${u.id}`, { token: await customerToken(w, "users:read"), body: { firstName: "X" } });
    expect(readOnly.status).toBe(403);
    expect(readOnly.body).toEqual({ message: "The token lacks the required scope.", code: "FORBIDDEN" });
    expect((await call("GET", w.usersPath, { token })).body.users).toEqual([u]);
  });
});
