/**
 * No input gets a 500 (docs/api/README.md#bad-input): odd values in every field of
 * every admin body, odd bodies, odd ids, odd queries, oversized and non-JSON bodies, plus random
 * JSON from fast-check. Every answer is < 500, and every error is problem+json that carries no SQL,
 * driver or stack text.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { call, create, freshTenant, platformToken, unique, type Reply, type Tenant } from "../harness";
import { base } from "./helpers";

const LEAKS = [/SQLITE/i, /D1_ERROR/, /Error:/, /^\s+at\s/m, /\bat \S+ \(?\S+:\d+:\d+\)?/, /drizzle/i, /select .* from/i, /constraint failed/i];

function expectSafe(r: Reply, label: string): void {
  try {
    expect(r.status).toBeLessThan(500);
    if (r.status >= 400) {
      expect(r.headers.get("content-type")).toBe("application/problem+json");
      expect(r.body).toMatchObject({ type: "about:blank", status: r.status, correlationId: r.headers.get("x-correlation-id") });
    }
    for (const leak of LEAKS) expect(r.text).not.toMatch(leak);
  } catch (e) {
    throw new Error(`${label} → ${r.status} ${r.text.slice(0, 500)}`, { cause: e });
  }
}

const nest = (depth: number): unknown => (depth === 0 ? "deep" : { a: nest(depth - 1) });

/** Values that are wrong, odd or borderline for any field. */
const ODD_VALUES: [string, unknown][] = [
  ["null", null],
  ["zero", 0],
  ["negative", -1],
  ["float", 1.5],
  ["max double", Number.MAX_VALUE],
  ["2^64", 18446744073709551616],
  ["true", true],
  ["empty array", []],
  ["array of objects", [{ a: 1 }, { b: [2] }]],
  ["empty object", {}],
  ["10-level nesting", nest(10)],
  ["empty string", ""],
  ["spaces", "   "],
  ["300 chars", "x".repeat(300)],
  ["emoji", "🎉🧪 Ünïcødé 𝔘𝔫𝔦"],
  ["NUL", "a\u0000b"],
  ["RTL override", "\u202egnp.exe"],
  ["SQL", "' OR 1=1; DROP TABLE users; --"],
  ["uuid-ish", "00000000-0000-0000-0000-000000000000"],
  ["__proto__ object", JSON.parse('{"__proto__":{"admin":true}}')],
];

/** Raw bodies (sent with application/json unless a type is given). */
const RAW_BODIES: [string, string, string?][] = [
  ["invalid JSON", "{"],
  ["empty body", ""],
  ["JSON null", "null"],
  ["JSON array", "[]"],
  ["JSON string", '"name"'],
  ["JSON number", "42"],
  ["1e999", '{"name":1e999}'],
  ["lone surrogate", '{"name":"a\\ud800b"}'],
  ["BOM", "\ufeff{}"],
  ["duplicate keys", '{"name":"a","name":"b"}'],
  ["prototype-named keys", '{"toString":null,"constructor":1,"hasOwnProperty":[],"__proto__":{"x":1},"valueOf":{}}'],
  ["5000-deep array", `${"[".repeat(5000)}${"]".repeat(5000)}`],
  ["5000-deep object", `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`],
  ["70 KiB", JSON.stringify({ name: "x".repeat(70 * 1024) })],
  ["text/plain", '{"name":"x"}', "text/plain"],
  ["form", "name=x", "application/x-www-form-urlencoded"],
  ["no content type", '{"name":"x"}', ""],
  ["json-ish type", '{"name":"x"}', "application/vnd.api+json"],
  ["json with charset", '{"name":"x"}', "application/json; charset=utf-16"],
];

const ODD_IDS = ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "%00", "'%20OR%201=1", "..%2F..%2Fetc", "x".repeat(3000), "%F0%9F%8E%89", "ABCDEF00-0000-4000-8000-000000000000"];

const ODD_QUERIES = [
  "limit=0",
  "limit=201",
  "limit=abc",
  "limit=1e400",
  "limit=-0",
  "limit=0x10",
  "limit=1&limit=2",
  "cursor=",
  "cursor=!!!",
  "cursor=W10",
  "cursor=WzFlOTk5LCJ4Il0", // [1e999,"x"]
  `cursor=${"A".repeat(600)}`,
  "cursor=a&cursor=b",
  "customerId=' OR 1=1 --",
  "resellerId=00000000-0000-0000-0000-000000000000",
  "status=ACTIVE&status=INACTIVE",
  "email=%00",
  "email=%F0%9F%8E%89@x",
  "since=2026-13-01T00:00:00Z",
  "since=0",
  "since=9999-12-31T23:59:59.999Z",
  "since=-271821-04-20T00:00:00Z",
  "action=%25",
  "actorId=' OR 1=1 --",
  "unknown=1",
];

const KINDS: Record<string, () => Record<string, unknown>> = {
  projects: () => ({ key: unique("k").toLowerCase(), name: "P" }),
  resellers: () => ({ name: "R" }),
  customers: () => ({ name: "C", projectId: null, resellerId: null, key: null, tenantName: "t", region: "eu", isNfr: false }),
  subroles: () => ({ customerId: null, code: unique("s").toLowerCase(), label: "L", displayName: "D", description: "", permissions: [] }),
  groups: () => ({ name: unique("g") }),
  accounts: () => ({ name: "A", role: "tenant_admin", customerId: null, resellerId: null, projectId: null, scopes: [], disabled: false }),
};

let t: Tenant;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await freshTenant();
  for (const [kind, body] of Object.entries(KINDS)) ids[kind] = (await create(t, kind, body())).id;
});

describe("no 500 on any input", { timeout: 30_000 }, () => {
  it("odd values in every field of every create and patch body", async () => {
    const targets: [method: string, path: string, body: () => Record<string, unknown>][] = [
      ["POST", "/api/v1/tenants", () => ({ domain: `${unique("f")}.example.com`, name: "F" })],
      ["PATCH", base(t), () => ({ name: "T" })],
    ];
    for (const [kind, body] of Object.entries(KINDS)) {
      targets.push(["POST", `${base(t)}/${kind}`, body], ["PATCH", `${base(t)}/${kind}/${ids[kind]}`, body]);
    }
    const platform = await platformToken();
    for (const [method, path, body] of targets) {
      const fields = Object.keys(body());
      // Every odd value in each real field; a few in each mass-assigned one (refused by name anyway).
      const plan: [string, [string, unknown][]][] = [...fields.map((f) => [f, ODD_VALUES] as [string, [string, unknown][]]), ...["id", "tenantId", "createdAt", "secretHash"].map((f) => [f, ODD_VALUES.slice(0, 3)] as [string, [string, unknown][]])];
      for (const [field, values] of plan) {
        await Promise.all(
          values.map(async ([label, value]) => {
            const r = await call(method, path, { token: path === "/api/v1/tenants" ? platform : t.admin, body: { ...body(), [field]: value } });
            expectSafe(r, `${method} ${path} ${field}=${label}`);
          }),
        );
      }
    }
  });

  it("odd whole bodies, oversized and non-JSON bodies: 400, 413 or 415, never 500", async () => {
    const targets = [`${base(t)}/groups`, `${base(t)}/accounts`, `${base(t)}/customers/${ids.customers}`, base(t)];
    for (const path of targets) {
      const method = path === base(t) || path.includes(ids.customers!) ? "PATCH" : "POST";
      for (const [label, raw, type] of RAW_BODIES) {
        const headers: Record<string, string> = type === "" ? {} : { "content-type": type ?? "application/json" };
        const r = await call(method, path, { token: t.admin, raw, headers });
        expectSafe(r, `${method} ${path} ${label}`);
        if (label === "70 KiB") expect(r.status).toBe(413);
        if (label === "text/plain" || label === "form" || label === "no content type") expect(r.status).toBe(415);
        if (label === "invalid JSON" || label === "empty body") expect(r.status).toBe(400);
      }
    }
  });

  it("odd ids and odd queries on every read and delete route", async () => {
    for (const kind of Object.keys(KINDS)) {
      await Promise.all(
        ODD_IDS.flatMap((id) =>
          ["GET", "DELETE", "PATCH"].map(async (method) => {
            const r = await call(method, `${base(t)}/${kind}/${id}`, { token: t.admin, body: method === "PATCH" ? { name: "x" } : undefined });
            expectSafe(r, `${method} ${kind}/${id}`);
            expect([400, 404]).toContain(r.status);
          }),
        ),
      );
    }
    for (const id of ODD_IDS) {
      expectSafe(await call("GET", `${base(t)}/users/${id}`, { token: t.admin }), `GET users/${id}`);
      expectSafe(await call("GET", `/api/v1/tenants/${id}`, { token: t.admin }), `GET tenants/${id}`);
      expectSafe(await call("GET", `/api/v1/tenants/${id}/groups`, { token: t.admin }), `GET tenants/${id}/groups`);
    }
    const lists = [...Object.keys(KINDS).map((k) => `${base(t)}/${k}`), `${base(t)}/users`, `${base(t)}/audit-events`, "/api/v1/tenants"];
    for (const path of lists) {
      await Promise.all(ODD_QUERIES.map(async (q) => expectSafe(await call("GET", `${path}?${q}`, { token: t.admin }), `GET ${path}?${q}`)));
    }
  });

  it("random JSON bodies (fast-check) on every create route", async () => {
    const keyed = (kind: string) =>
      fc.record(Object.fromEntries(Object.keys(KINDS[kind]!()).map((k) => [k, fc.jsonValue({ maxDepth: 3 })])), { requiredKeys: [] });
    for (const kind of Object.keys(KINDS)) {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 4 }), keyed(kind)), async (body) => {
          const r = await call("POST", `${base(t)}/${kind}`, { token: t.admin, raw: JSON.stringify(body), headers: { "content-type": "application/json" } });
          expectSafe(r, `POST ${kind} ${JSON.stringify(body).slice(0, 200)}`);
        }),
        { numRuns: 25 },
      );
    }
  });
});
