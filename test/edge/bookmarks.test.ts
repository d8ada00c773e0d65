/**
 * Read-your-writes across requests (docs/scaling.md#bookmarks): every response that touched D1
 * carries its session's latest bookmark in `X-D1-Bookmark`; a write advances it; a request that
 * sends one back reads at least that fresh — on any surface — and answers with a bookmark no older;
 * a malformed one is a 400 in the dialect's own body, and nothing is read or written.
 */
import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDb } from "../../src/db/client";
import { call, unique, type Reply } from "../harness";
import { ALL, world } from "../world";

const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;
const bookmarkOf = (r: Reply): string => {
  const b = r.headers.get("x-d1-bookmark");
  expect(b, `no bookmark on ${r.status} ${r.text.slice(0, 200)}`).toMatch(BOOKMARK);
  return b as string;
};
/** D1 orders bookmarks as strings (the runtime keeps the later of two by comparing them so). */
const later = (a: string, b: string) => a.localeCompare(b) > 0;

async function setup() {
  const projectKey = unique("bp").toLowerCase();
  const customerKey = unique("bc");
  const w = await world({
    projects: [{ key: projectKey, name: "P" }],
    customers: [{ name: "C", project: 0, key: customerKey }],
    subroles: [{ code: "viewer", label: "V", displayName: "V", permissions: ["customer_user:read"] }],
    tokens: { customer: { role: "customer", customer: 0, scope: ALL } },
  });
  const c = w.customers[0]!;
  return {
    w,
    worth: `/auth/api/v1/customers/${c.id}/users`,
    corti: `/functions/v1/public/projects/${projectKey}/customers/${customerKey}/users`,
    cc: `/v1/customer/${c.id}/users`,
    admin: `/api/v1/tenants/${w.tenant.id}/users`,
  };
}

describe("the session a request starts", () => {
  /** A D1 binding that records the constraint or bookmark each session starts from. */
  function recordingD1() {
    const starts: (string | undefined)[] = [];
    const d1 = { withSession: (s?: string) => (starts.push(s), env.DB.withSession(s)) } as unknown as D1Database;
    return { d1, starts };
  }
  it("reads start unconstrained, writes at the primary, a bookmark overrides both", async () => {
    const { d1, starts } = recordingD1();
    const b = "00000000-00000001-00000000-00000000000000000000000000000000";
    const open = (start: Parameters<typeof openDb>[1]) => openDb(d1, start).db.run(sql`select 1`);
    await open({ write: false });
    await open({ write: true });
    await open({ write: false, bookmark: b });
    await open({ write: true, bookmark: b });
    expect(starts).toEqual(["first-unconstrained", "first-primary", b, b]);
  });
  it("a refused bookmark never reaches D1: the first round trip throws the refusal", async () => {
    const { d1, starts } = recordingD1();
    const refusal = new Error("refused");
    const r = openDb(d1, { write: true, bookmark: "nope", refusal });
    await expect(r.db.run(sql`select 1`)).rejects.toThrow();
    expect(r.trips.count).toBe(0);
    expect(starts).not.toContain("nope");
  });
});

describe("X-D1-Bookmark", () => {
  it("advances on every write and is honoured by the next read on another surface", async () => {
    const s = await setup();
    const { w } = s;
    const b0 = bookmarkOf(await call("GET", s.worth, { token: w.tokens.customer, expect: 200 }));
    const email = `${unique("bm")}@example.com`;
    const created = await call("POST", s.worth, {
      token: w.tokens.customer,
      headers: { "x-d1-bookmark": b0 },
      body: { first_name: "Book", last_name: "Mark", email, subrole: { id: w.subroles[0]!.id, code: "viewer", label: "V" } },
      expect: 200,
    });
    const id = created.body.data.user_id as string;
    const b1 = bookmarkOf(created);
    expect(later(b1, b0), `${b1} after ${b0}`).toBe(true);

    // The client echoes it to the other surfaces: each reads the new user, and answers with a bookmark no older.
    const headers = { "x-d1-bookmark": b1 };
    const cc = await call("GET", s.cc, { token: w.tenant.admin, headers: { ...headers, "x-tenant": w.tenant.domain }, expect: 200 });
    expect(cc.body.map((u: { email: string }) => u.email)).toEqual([email]);
    const corti = await call("GET", s.corti, { token: w.tenant.admin, headers, expect: 200 });
    expect(corti.body.users.map((u: { email: string }) => u.email)).toEqual([email]);
    const admin = await call("GET", `${s.admin}/${id}`, { token: w.tenant.admin, headers, expect: 200 });
    expect(admin.body.email).toBe(email);
    for (const r of [cc, corti, admin]) expect(later(b1, bookmarkOf(r))).toBe(false);

    // An update advances it again; a delete too.
    const patched = await call("PATCH", `${s.worth}/${id}`, { token: w.tokens.customer, headers, body: { first_name: "Booked" }, expect: 200 });
    const b2 = bookmarkOf(patched);
    expect(later(b2, b1)).toBe(true);
    const deleted = await call("DELETE", `/v1/users/${encodeURIComponent(email)}`, { token: w.tenant.admin, headers: { "x-d1-bookmark": b2, "x-tenant": w.tenant.domain }, expect: 204 });
    const b3 = bookmarkOf(deleted);
    expect(later(b3, b2)).toBe(true);
    const gone = await call("GET", `${s.admin}/${id}`, { token: w.tenant.admin, headers: { "x-d1-bookmark": b3 } });
    expect(gone.status).toBe(404);
  });

  it("a response that did not reach D1 carries none", async () => {
    const r = await call("GET", "/doc", { expect: 200 });
    expect(r.headers.get("x-d1-bookmark")).toBeNull();
    const unauth = await call("GET", "/auth/api/v1/customers/00000000-0000-4000-8000-000000000000/users");
    expect(unauth.status).toBe(401);
    expect(unauth.headers.get("x-d1-bookmark")).toBeNull();
  });

  const WHAT = "The X-D1-Bookmark header is not a D1 bookmark.";
  const WHY = "Not a bookmark this API issued: send back an X-D1-Bookmark response header as it came, or nothing.";
  const MALFORMED = ["nope", "00000000-0000000e-00000000", "00000000-0000000E-00000000-00000000000000000000000000000000", "first-primary", "first-unconstrained", "x".repeat(4000)];
  it.each(MALFORMED.map((b) => [b.slice(0, 40), b]))("refuses %s in each dialect's body, writing nothing", async (_label, bad) => {
    const s = await setup();
    const { w } = s;
    const headers = { "x-d1-bookmark": bad };
    const email = `${unique("bad")}@example.com`;
    const answers = {
      worth: await call("POST", s.worth, { token: w.tokens.customer, headers, body: { first_name: "A", last_name: "B", email, subrole: { id: w.subroles[0]!.id, code: "viewer", label: "V" } } }),
      corti: await call("POST", s.corti, { token: w.tenant.admin, headers, body: { email, firstName: "A", lastName: "B" } }),
      cc: await call("POST", s.cc, { token: w.tenant.admin, headers: { ...headers, "x-tenant": w.tenant.domain }, body: { firstName: "A", lastName: "B", email, groups: [] } }),
      admin: await call("GET", s.admin, { token: w.tenant.admin, headers }),
      token: await call("POST", "/auth/token", { headers, body: { grant_type: "client_credentials", client_id: w.tenant.adminClientId, client_secret: "x".repeat(40) } }),
    };
    const issue = { field: "X-D1-Bookmark", message: WHY };
    expect([answers.worth.status, answers.worth.body]).toEqual([
      400,
      { status: "fail", message: `X-D1-Bookmark: ${WHY}`, errorCode: "INVALID", data: { errorName: "CustomersApiError" } },
    ]);
    expect([answers.corti.status, answers.corti.body]).toEqual([400, { message: WHAT, code: "BAD_REQUEST", details: [issue] }]);
    expect([answers.cc.status, answers.cc.body]).toEqual([
      400,
      { statusCode: 400, type: "ValidationError", description: WHAT, correlationId: answers.cc.headers.get("x-correlation-id"), errors: [{ propertyName: "X-D1-Bookmark", description: [WHY] }] },
    ]);
    expect([answers.admin.status, answers.admin.headers.get("content-type"), answers.admin.body]).toEqual([
      400,
      "application/problem+json",
      { type: "about:blank", title: "Bad Request", status: 400, detail: WHAT, code: "INVALID", correlationId: answers.admin.headers.get("x-correlation-id"), errors: [issue] },
    ]);
    expect([answers.token.status, answers.token.body]).toEqual([400, { error: "invalid_request", error_description: WHAT }]);
    for (const r of Object.values(answers)) expect(r.headers.get("x-d1-bookmark")).toBeNull();
    // Nothing was written: the user is absent everywhere.
    const list = await call("GET", s.admin, { token: w.tenant.admin, expect: 200 });
    expect(list.body.data).toEqual([]);
  });
});
