/**
 * GET /functions/v1/public/projects/{projectId}/customers/{customerId}/users?page=&pageSize= —
 * offset pages from the one list engine, their bounds, and reach. Matrix in matrix.test.ts.
 */
import { describe, expect, it } from "vitest";
import { call, dbTrips, freshTenant } from "../harness";
import { BUDGET, CORTI, cortiUser, customerToken, secondCustomer, world } from "./helpers";

describe("list users: happy", () => {
  it("pages follow each other without gap or overlap; the last has hasNextPage false; defaults page 1, pageSize 20", async () => {
    const w = await world();
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await cortiUser(w, { firstName: `U${i}` }));
    const token = w.tenant.admin;
    const p1 = await call("GET", `${w.usersPath}?page=1&pageSize=2`, { token, expect: 200 });
    expect(p1.body).toEqual({ users: made.slice(0, 2), pagination: { page: 1, pageSize: 2, hasNextPage: true } });
    expect(dbTrips(p1)).toBe(BUDGET.list);
    const p2 = await call("GET", `${w.usersPath}?page=2&pageSize=2`, { token, expect: 200 });
    expect(p2.body).toEqual({ users: made.slice(2, 4), pagination: { page: 2, pageSize: 2, hasNextPage: true } });
    const p3 = await call("GET", `${w.usersPath}?page=3&pageSize=2`, { token, expect: 200 });
    expect(p3.body).toEqual({ users: made.slice(4), pagination: { page: 3, pageSize: 2, hasNextPage: false } });
    const exact = await call("GET", `${w.usersPath}?pageSize=5`, { token, expect: 200 });
    expect(exact.body.pagination).toEqual({ page: 1, pageSize: 5, hasNextPage: false });
    const past = await call("GET", `${w.usersPath}?page=9&pageSize=2`, { token, expect: 200 });
    expect(past.body).toEqual({ users: [], pagination: { page: 9, pageSize: 2, hasNextPage: false } });
    const all = await call("GET", w.usersPath, { token, expect: 200 });
    expect(all.body).toEqual({ users: made, pagination: { page: 1, pageSize: 20, hasNextPage: false } });
    expect(dbTrips(all)).toBe(BUDGET.list);
  });

  it("only the customer's live users: not another customer's, not deleted ones", async () => {
    const w = await world();
    const second = await secondCustomer(w);
    const mine = await cortiUser(w);
    const gone = await cortiUser(w);
    await call("POST", second.usersPath, { token: w.tenant.admin, body: { email: `${crypto.randomUUID()}@example.com`, firstName: "O", lastName: "O" }, expect: 201 });
    await call("DELETE", `${w.usersPath}/${gone.id}`, { token: w.tenant.admin, expect: 204 });
    const r = await call("GET", w.usersPath, { token: w.tenant.admin, expect: 200 });
    expect(r.body.users).toEqual([mine]);
  });

  it("a customer token with users:read lists its own customer, by key or by id; an empty customer is an empty page", async () => {
    const w = await world();
    const token = await customerToken(w, "users:read");
    const empty = await call("GET", w.usersPath, { token, expect: 200 });
    expect(empty.body).toEqual({ users: [], pagination: { page: 1, pageSize: 20, hasNextPage: false } });
    const u = await cortiUser(w);
    const byId = await call("GET", `${CORTI}/projects/${w.project.id}/customers/${w.customer.id}/users`, { token, expect: 200 });
    expect(byId.body.users).toEqual([u]);
  });
});

describe("list users: errors", () => {
  const cases: [string, string, string][] = [
    ["page=0", "page", "Too small: expected number to be >=1"],
    ["page=-1", "page", "Too small: expected number to be >=1"],
    ["page=1.5", "page", "Invalid input: expected int, received number"],
    ["page=abc", "page", "Invalid input: expected number, received NaN"],
    ["page=1000001", "page", "Too big: expected number to be <=1000000"],
    ["pageSize=0", "pageSize", "Too small: expected number to be >=1"],
    ["pageSize=101", "pageSize", "Too big: expected number to be <=100"],
    ["pageSize=", "pageSize", "Too small: expected number to be >=1"],
    ["page=1&page=2", "page", "Invalid input: expected number, received NaN"],
  ];
  it.each(cases)("?%s → 400 naming %s", async (query, field, message) => {
    const w = await world();
    const r = await call("GET", `${w.usersPath}?${query}`, { token: w.tenant.admin });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ message: `Invalid query: ${field}.`, code: "BAD_REQUEST", details: [{ field, message }] });
  });

  it("unknown project or customer → 404", async () => {
    const w = await world();
    for (const path of [`${CORTI}/projects/nope/customers/${w.customer.key}/users`, `${w.customersPath}/nope/users`]) {
      const r = await call("GET", path, { token: w.tenant.admin });
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ message: "Customer not found.", code: "NOT_FOUND" });
    }
  });
});

describe("list users: reach", () => {
  it("another tenant's admin, another customer's token → 404 like a missing customer; no users:read → 403", async () => {
    const [w, other] = await Promise.all([world(), freshTenant()]);
    await cortiUser(w);
    const second = await secondCustomer(w);
    const missing = await call("GET", `${w.customersPath}/nope/users`, { token: w.tenant.admin });
    for (const token of [other.admin, await customerToken(w, "users:read", second.id)]) {
      const r = await call("GET", w.usersPath, { token });
      expect(r.status).toBe(404);
      expect(r.text).toBe(missing.text);
    }
    const writeOnly = await call("GET", w.usersPath, { token: await customerToken(w, "users:write") });
    expect(writeOnly.status).toBe(403);
    expect(writeOnly.body).toEqual({ message: "The token lacks the required scope.", code: "FORBIDDEN" });
  });
});
