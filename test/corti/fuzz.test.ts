/**
 * Bad input never gives a 500: random path segments, query strings and JSON bodies against every
 * Corti route; every error is in Corti's body.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { call, type Reply } from "../harness";
import { CORTI, cortiUser, world, type World } from "./helpers";

let w: World;
let userId: string;
beforeAll(async () => {
  w = await world();
  userId = (await cortiUser(w)).id;
});

function expectSane(r: Reply): void {
  expect(r.status, r.text).toBeLessThan(500);
  if (r.status >= 400) {
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(Object.keys(r.body).filter((k) => !["message", "code", "details"].includes(k))).toEqual([]);
    expect(typeof r.body.message).toBe("string");
    expect(typeof r.body.code).toBe("string");
  }
}

const segment = fc.oneof(fc.string({ maxLength: 80 }), fc.uuid(), fc.constantFrom("consoleproject", "%", "..", " ", "é", "😀"));
const value = fc.oneof(fc.string({ maxLength: 300 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }));
const keys = fc.constantFrom("email", "firstName", "lastName", "password", "enabled", "displayName", "customerId", "tenantName", "region", "isNfr", "id", "passwordHash", "__proto__", "constructor", "");
const body = fc.oneof(fc.dictionary(keys, value, { maxKeys: 6 }), value);

describe("fuzz: never a 500", () => {
  it("random path segments on every route", async () => {
    await fc.assert(
      fc.asyncProperty(segment, segment, fc.constantFrom("GET", "POST", "PATCH", "DELETE"), fc.boolean(), async (p, c, method, withUser) => {
        const path = `${CORTI}/projects/${encodeURIComponent(p)}/customers/${encodeURIComponent(c)}${withUser ? `/users/${encodeURIComponent(c)}` : "/users"}`;
        expectSane(await call(method, path, { token: w.tenant.admin, ...(method === "POST" || method === "PATCH" ? { body: {} } : {}) }));
      }),
      { numRuns: 60 },
    );
  });

  it("random query strings on both lists", async () => {
    const q = fc.array(fc.tuple(fc.constantFrom("page", "pageSize", "x", ""), fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String), fc.double().map(String))), { maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(q, fc.boolean(), async (pairs, users) => {
        const query = new URLSearchParams(pairs).toString();
        expectSane(await call("GET", `${users ? w.usersPath : w.customersPath}?${query}`, { token: w.tenant.admin }));
      }),
      { numRuns: 60 },
    );
  });

  it("random JSON bodies on every body route", async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom("createUser", "updateUser", "createCustomer", "updateCustomer"), async (b, route) => {
        const target = {
          createUser: ["POST", w.usersPath],
          updateUser: ["PATCH", `${w.usersPath}/${userId}`],
          createCustomer: ["POST", w.customersPath],
          updateCustomer: ["PATCH", w.customerPath],
        }[route] as [string, string];
        expectSane(await call(target[0], target[1], { token: w.tenant.admin, body: b }));
      }),
      { numRuns: 120 },
    );
  });

  it("random bytes as a JSON body", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
        expectSane(await call("POST", w.usersPath, { token: w.tenant.admin, raw: bytes, headers: { "content-type": "application/json" } }));
      }),
      { numRuns: 40 },
    );
  });
});
