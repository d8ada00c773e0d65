/**
 * Nothing on any input gives a 500: random query strings, bodies and path ids against the Worth
 * routes answer 2xx/4xx in Worth's documented bodies (checked against /doc and the seeds).
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { expectConforms } from "./contract";
import { createWorthUser, worth, worthWorld, type WorthWorld } from "./helpers";

let w: WorthWorld;
let userId: string;
beforeAll(async () => {
  w = await worthWorld();
  userId = await createWorthUser(w);
});

const RUNS = { numRuns: 60 };
const fields = ["first_name", "last_name", "email", "mobile", "status", "is_email_verified", "is_first_login", "subrole_id", "subrole_code", "created_by", "created_at", "updated_at", "id", "password_hash"];
const keyArb = fc.oneof(
  fc.constantFrom("page", "items_per_page", ...fields),
  fc.constantFrom(...fields).chain((f) => fc.constantFrom(`filter[${f}]`, `search[${f}]`, `sort[${f}]`, `filter[${f}][gte]`, `filter[${f}][lte]`, `filter[${f}][ne]`)),
  fc.string({ maxLength: 20 }),
);
const valueArb = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("ASC", "desc", "true", "false", "ACTIVE", "0", "-1", "1e3", "100", "101", "%", "_", "'; drop table users; --", "2024-02-12T14:16:49.053Z", "2024-02-30"),
  fc.integer().map(String),
  fc.string({ minLength: 250, maxLength: 300 }),
);

describe("fuzz", () => {
  it("list: any query string → 200 or 400, in the documented bodies", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(keyArb, valueArb), { maxLength: 5 }), async (pairs) => {
        const qs = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
        const r = await worth("GET", `/customers/${w.customer.id}/users?${qs}`, { token: w.tokens.customer });
        expect([200, 400], `${qs} → ${r.status} ${r.text}`).toContain(r.status);
        await expectConforms("GET /customers/{customerID}/users", r);
      }),
      RUNS,
    );
  });

  it("create and update: any JSON body → 200 or 400, in the documented bodies", async () => {
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record(
        { first_name: fc.jsonValue(), last_name: fc.string(), email: fc.oneof(fc.emailAddress(), fc.string()), mobile: fc.oneof(fc.string(), fc.constant(null)), subrole: fc.jsonValue(), status: fc.string() },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const c = await worth("POST", `/customers/${w.customer.id}/users`, { token: w.tokens.customer, body: b });
        expect([200, 400], `${JSON.stringify(b)} → ${c.status} ${c.text}`).toContain(c.status);
        await expectConforms("POST /customers/{customerID}/users", c);
        const p = await worth("PATCH", `/customers/${w.customer.id}/users/${userId}`, { token: w.tokens.customer, body: b });
        expect([200, 400], `${JSON.stringify(b)} → ${p.status} ${p.text}`).toContain(p.status);
        await expectConforms("PATCH /customers/{customerID}/users/{userID}", p);
      }),
      RUNS,
    );
  });

  it("path ids: anything → 400 or 404, never 500", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ minLength: 1, maxLength: 80 }), fc.uuid()), async (id) => {
        const r = await worth("GET", `/customers/${w.customer.id}/users/${encodeURIComponent(id)}`, { token: w.tokens.customer });
        expect([400, 404], `${id} → ${r.status} ${r.text}`).toContain(r.status);
        const s = await worth("GET", `/customers/${encodeURIComponent(id)}/subroles`, { token: w.tokens.tenantAdmin });
        expect([400, 404], `${id} → ${s.status} ${s.text}`).toContain(s.status);
      }),
      RUNS,
    );
  });
});
