/**
 * Nothing on any input gives a 500: random bodies, path segments, query strings and header values
 * against every CloudCockpit route; each answer is a documented status, and every error body is
 * CloudCockpit's envelope.
 */
import fc from "fast-check";
import { beforeAll, expect, it } from "vitest";
import { CcErrorSchema } from "../../src/dialects/cloudcockpit/errors";
import { call, type Reply } from "../harness";
import { ccWorld, createCcUser, V, type CcWorld } from "./helpers";

let w: CcWorld;
let email: string;
beforeAll(async () => {
  w = await ccWorld();
  email = (await createCcUser(w)).email;
});

// 405: a path that normalises onto another route (`/customer/../users` is `/users`, GET only).
const OK = new Set([200, 201, 204, 400, 401, 403, 404, 405, 413, 415]);
function expectSane(r: Reply) {
  if (!OK.has(r.status)) throw new Error(`status ${r.status}: ${r.text}`);
  if (r.status >= 400 && r.status !== 401 && r.status !== 403) CcErrorSchema.strict().parse(r.body);
}

const ascii = fc.string({ unit: fc.constantFrom(..." !#$%&'()*+,-./0123456789:;<=>?@ABCDEFXYZ[]^_`abcxyz{|}~".split("")), maxLength: 60 });
const segment = fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }), fc.constant(""), fc.constant("%00"), fc.constant(".."));
const userish = fc.record(
  {
    id: fc.oneof(fc.uuid(), fc.string(), fc.constant(null), fc.integer()),
    firstName: fc.oneof(fc.string({ maxLength: 300 }), fc.constant(null), fc.integer(), fc.boolean()),
    lastName: fc.oneof(fc.string({ maxLength: 300 }), fc.constant(null)),
    email: fc.oneof(fc.emailAddress(), fc.string(), fc.constant(null)),
    role: fc.oneof(fc.constant(null), fc.record({ name: fc.oneof(fc.string(), fc.constant("cro"), fc.constant(null)) }), fc.jsonValue()),
    groups: fc.oneof(fc.array(fc.record({ id: fc.oneof(fc.uuid(), fc.string()) }), { maxLength: 60 }), fc.jsonValue()),
    extra: fc.jsonValue(),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(userish, fc.jsonValue());
const query = fc.dictionary(
  fc.constantFrom("pageNumber", "pageSize", "search", "sortPropertyName", "ascending", "groups", "resellerId", "continuationToken", "x"),
  fc.oneof(fc.string({ maxLength: 80 }), fc.integer().map(String), fc.uuid(), fc.constant("-1"), fc.constant("1e999"), fc.constant("99999999999")),
);
const headers = fc.record(
  { "x-tenant": fc.oneof(fc.constant(""), ascii), "x-correlation-id": fc.oneof(fc.uuid(), ascii) },
  { requiredKeys: [] },
);

const ROUTES: [method: string, path: (seg: string) => string][] = [
  ["POST", (s) => `/customer/${s}/users`],
  ["GET", (s) => `/customer/${s}/users`],
  ["POST", (s) => `/reseller/${s}/users`],
  ["GET", () => "/users"],
  ["GET", () => "/users/groups"],
  ["PATCH", (s) => `/users/${s}`],
  ["DELETE", (s) => `/users/${s}`],
];

it("random requests to every route: never a 500, always the documented envelope", { timeout: 120_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...ROUTES),
      fc.oneof(segment, fc.constant("")),
      fc.boolean(),
      body,
      query,
      headers,
      fc.boolean(),
      async ([method, path], seg, realIds, b, q, h, ownTenant) => {
        const target = realIds ? (path("x").startsWith("/users/") ? email : path("x").startsWith("/reseller") ? w.reseller.id : w.customer.id) : seg;
        const qs = new URLSearchParams(q).toString();
        const r = await call(method, `${V}${path(encodeURIComponent(target))}${qs ? `?${qs}` : ""}`, {
          token: w.tokens.tenantAdmin,
          headers: { ...h, ...(ownTenant ? { "x-tenant": w.tenant.domain } : {}) },
          ...(method === "POST" || method === "PATCH" ? { body: b } : {}),
        });
        expectSane(r);
      },
    ),
    { numRuns: 400 },
  );
});

it("hostile bodies (maximum sizes, control characters, odd e-mails, unknown groups) are answered without a 500", async () => {
  const long = "x".repeat(255);
  const groups = Array.from({ length: 50 }, () => ({ id: crypto.randomUUID(), name: long }));
  for (const b of [
    { firstName: long, lastName: long, email: `${"a".repeat(243)}@example.com`, groups },
    { firstName: "\u0000", lastName: "'; drop table users; --", email: "a@b", groups: [], role: { name: long } },
    { firstName: "A", lastName: "B", email: "a@b.c", groups: [...groups, { id: crypto.randomUUID() }] },
  ]) {
    expectSane(await call("POST", `${V}/customer/${w.customer.id}/users`, { token: w.tokens.tenantAdmin, headers: { "x-tenant": w.tenant.domain }, body: b }));
  }
  const r = await call("GET", `${V}/users?groups=${Array.from({ length: 50 }, () => crypto.randomUUID()).join(",")}&search=${"%".repeat(255)}`, {
    token: w.tokens.tenantAdmin,
    headers: { "x-tenant": w.tenant.domain },
  });
  expect(r.status).toBe(200);
});
