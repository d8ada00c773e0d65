/**
 * ETags on users (docs/concurrency.md#etags), surface by surface: every create, GET and PATCH
 * answers the user's ETag ("<id>.<version>"); If-None-Match → 304; If-Match on PATCH and DELETE is
 * checked by the write's own statement — a stale tag is a 412 in the dialect's body and changes
 * nothing, `*` means "exists"; two concurrent PATCHes with one tag: exactly one wins; a tenant with
 * requireIfMatch answers 428 without the header; what a user shows changing elsewhere (its subrole,
 * a group, its customer's reseller) moves its version on.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, dbTrips, unique, type Reply } from "../harness";
import { world, type World } from "../world";

const CORTI = "/functions/v1/public";

interface Setup {
  w: World;
  /** A fresh user (created through Corti), its e-mail and its ETag from the create. */
  user: { id: string; email: string; etag: string };
}

async function setup(): Promise<Setup> {
  const w = await world({
    projects: 1,
    resellers: 2,
    customers: [{ name: "C", project: 0, key: "cust-a", reseller: 0 }],
    subroles: [{ code: "viewer", label: "Viewer", displayName: "Viewer", permissions: ["customer_user:read"] }],
    groups: [{ name: unique("g") }],
  });
  const user = await newUser(w);
  return { w, user };
}

async function newUser(w: World): Promise<Setup["user"]> {
  const email = `${unique("etag")}@example.com`;
  const r = await call("POST", `${CORTI}/projects/${w.projects[0]!.key}/customers/cust-a/users`, {
    token: w.tenant.admin,
    body: { email, firstName: "Ada", lastName: "Lovelace" },
    expect: 201,
  });
  return { id: r.body.id, email, etag: r.headers.get("etag")! };
}

/** The user as the admin API reads it (its version, its names). */
async function adminUser(s: Setup, headers: Record<string, string> = {}): Promise<Reply> {
  return call("GET", `/api/v1/tenants/${s.w.tenant.id}/users/${s.user.id}`, { token: s.w.tenant.admin, headers });
}

const STALE = "The user was changed since that version was read: read it again, then retry.";
const STALE_FIELD = "Does not match the user's current ETag.";
const REQUIRED = "This tenant requires If-Match on user changes: send the user's ETag.";
const BAD_TAG = 'Must be * or a list of entity tags, e.g. "<id>.<version>".';

/** A user write of one surface: its request, and its whole 412, 428 and 400 bodies. */
interface Write {
  name: string;
  method: "PATCH" | "DELETE";
  ok: number;
  request(s: Setup, value: string): { path: string; body?: Record<string, unknown>; headers?: Record<string, string> };
  /** The first name the request sets (PATCH). */
  sets?: boolean;
  stale(r: Reply): unknown;
  /** A DELETE's 404 once the user is gone. */
  gone?(r: Reply): unknown;
  required(r: Reply): unknown;
  badTag(r: Reply): unknown;
}

const worthFail = (errorCode: string, message: string, errorName = "CustomersApiError") => ({ status: "fail", message, errorCode, data: { errorName } });
const cortiError = (code: string, message: string, field: string, fieldMessage: string) => ({ message, code, details: [{ field, message: fieldMessage }] });
const ccError = (r: Reply, statusCode: number, type: string, description: string, field: string, fieldMessage: string) => ({
  statusCode,
  type,
  description,
  correlationId: r.headers.get("x-correlation-id"),
  errors: [{ propertyName: field, description: [fieldMessage] }],
});
const cortiPath = (s: Setup) => `${CORTI}/projects/${s.w.projects[0]!.key}/customers/cust-a/users/${s.user.id}`;
const ccPath = (s: Setup) => ({ path: `/v1/users/${encodeURIComponent(s.user.email)}`, headers: { "X-Tenant": s.w.tenant.domain } });

const WRITES: Write[] = [
  {
    name: "Worth PATCH",
    method: "PATCH",
    ok: 200,
    sets: true,
    request: (s, v) => ({ path: `/auth/api/v1/customers/${s.w.customers[0]!.id}/users/${s.user.id}`, body: { first_name: v } }),
    stale: () => worthFail("PRECONDITION_FAILED", STALE),
    required: () => worthFail("PRECONDITION_REQUIRED", REQUIRED),
    badTag: () => worthFail("INVALID", `If-Match: ${BAD_TAG}`, "ValidationMiddlewareError"),
  },
  {
    name: "Corti PATCH",
    method: "PATCH",
    ok: 200,
    sets: true,
    request: (s, v) => ({ path: cortiPath(s), body: { firstName: v } }),
    stale: () => cortiError("PRECONDITION_FAILED", STALE, "If-Match", STALE_FIELD),
    required: () => cortiError("PRECONDITION_REQUIRED", REQUIRED, "If-Match", "Required."),
    badTag: (r) => cortiError("BAD_REQUEST", r.body.message, "If-Match", BAD_TAG),
  },
  {
    name: "Corti DELETE",
    method: "DELETE",
    ok: 204,
    request: (s) => ({ path: cortiPath(s) }),
    gone: () => ({ message: "User not found.", code: "NOT_FOUND" }),
    stale: () => cortiError("PRECONDITION_FAILED", STALE, "If-Match", STALE_FIELD),
    required: () => cortiError("PRECONDITION_REQUIRED", REQUIRED, "If-Match", "Required."),
    badTag: (r) => cortiError("BAD_REQUEST", r.body.message, "If-Match", BAD_TAG),
  },
  {
    name: "CloudCockpit PATCH by e-mail",
    method: "PATCH",
    ok: 204,
    sets: true,
    request: (s, v) => ({ ...ccPath(s), body: { firstName: v } }),
    stale: (r) => ccError(r, 412, "PreconditionFailed", STALE, "If-Match", STALE_FIELD),
    required: (r) => ccError(r, 428, "PreconditionRequired", REQUIRED, "If-Match", "Required."),
    badTag: (r) => ccError(r, 400, "ValidationError", "One or more validation errors occurred.", "If-Match", BAD_TAG),
  },
  {
    name: "CloudCockpit DELETE by e-mail",
    method: "DELETE",
    ok: 204,
    request: (s) => ccPath(s),
    gone: (r) => ({ statusCode: 404, type: "NotFound", description: "User not found.", correlationId: r.headers.get("x-correlation-id"), errors: [] }),
    stale: (r) => ccError(r, 412, "PreconditionFailed", STALE, "If-Match", STALE_FIELD),
    required: (r) => ccError(r, 428, "PreconditionRequired", REQUIRED, "If-Match", "Required."),
    badTag: (r) => ccError(r, 400, "ValidationError", "One or more validation errors occurred.", "If-Match", BAD_TAG),
  },
];

const send = (s: Setup, c: Write, value: string, ifMatch?: string, token = s.w.tenant.admin) => {
  const req = c.request(s, value);
  return call(c.method, req.path, { token, ...(req.body ? { body: req.body } : {}), headers: { ...req.headers, ...(ifMatch === undefined ? {} : { "If-Match": ifMatch }) } });
};

/** What the stored user is: its version and first name, or deleted. */
async function stored(s: Setup): Promise<{ version: number; firstName: string; deleted: boolean }> {
  const row = await env.DB.prepare("select version, first_name, deleted_at from users where id = ?").bind(s.user.id).first<{ version: number; first_name: string; deleted_at: number | null }>();
  return { version: row!.version, firstName: row!.first_name, deleted: row!.deleted_at !== null };
}

describe("ETags on reads and creates", () => {
  it("a create answers version 1's ETag; GET answers the same on Worth and the admin API; If-None-Match → 304 with no body", async () => {
    const s = await setup();
    expect(s.user.etag).toBe(`"${s.user.id}.1"`);
    const worthGet = `/auth/api/v1/customers/${s.w.customers[0]!.id}/users/${s.user.id}`;
    for (const get of [() => call("GET", worthGet, { token: s.w.tenant.admin }), () => adminUser(s)]) {
      const r = await get();
      expect(r.status).toBe(200);
      expect(r.headers.get("etag")).toBe(s.user.etag);
    }
    expect((await adminUser(s)).body.version).toBe(1);
    for (const inm of [s.user.etag, `W/${s.user.etag}`, `"other", ${s.user.etag}`, "*"]) {
      for (const r of [await call("GET", worthGet, { token: s.w.tenant.admin, headers: { "If-None-Match": inm } }), await adminUser(s, { "If-None-Match": inm })]) {
        expect(r.status, inm).toBe(304);
        expect(r.text).toBe("");
        expect(r.headers.get("etag")).toBe(s.user.etag);
        expect(dbTrips(r)).toBe(1);
      }
    }
    // Another tag: the whole user.
    const r = await adminUser(s, { "If-None-Match": `"${s.user.id}.7"` });
    expect(r.status).toBe(200);
    expect(r.body.id).toBe(s.user.id);
  });

  it("every surface's create answers the new user's ETag", async () => {
    const s = await setup();
    const email = () => `${unique("c")}@example.com`;
    const creates = [
      await call("POST", `/auth/api/v1/customers/${s.w.customers[0]!.id}/users`, {
        token: s.w.tenant.admin,
        body: { first_name: "A", last_name: "B", email: email(), subrole: { id: s.w.subroles[0]!.id, code: "viewer", label: "Viewer" } },
      }),
      await call("POST", `/v1/customer/${s.w.customers[0]!.id}/users`, { token: s.w.tenant.admin, headers: { "X-Tenant": s.w.tenant.domain }, body: { firstName: "A", lastName: "B", email: email(), groups: [] } }),
      await call("POST", `/v1/reseller/${s.w.resellers[0]!.id}/users`, { token: s.w.tenant.admin, headers: { "X-Tenant": s.w.tenant.domain }, body: { firstName: "A", lastName: "B", email: email(), groups: [] } }),
    ];
    const ids = [creates[0]!.body.data.user_id, creates[1]!.body, creates[2]!.body];
    creates.forEach((r, i) => expect(r.headers.get("etag")).toBe(`"${ids[i]}.1"`));
  });

  it("the admin list gives each user's version", async () => {
    const s = await setup();
    await send(s, WRITES[1]!, "Grace", s.user.etag);
    const list = await call("GET", `/api/v1/tenants/${s.w.tenant.id}/users?email=${encodeURIComponent(s.user.email)}`, { token: s.w.tenant.admin, expect: 200 });
    expect(list.body.data.map((u: { version: number }) => u.version)).toEqual([2]);
  });
});

describe.each(WRITES)("$name", (c) => {
  it("If-Match with the current tag writes in one round trip; a PATCH answers the next tag", async () => {
    const s = await setup();
    const r = await send(s, c, "Grace", s.user.etag);
    expect(r.status, r.text).toBe(c.ok);
    expect(dbTrips(r)).toBe(1);
    expect(r.headers.get("etag")).toBe(c.method === "PATCH" ? `"${s.user.id}.2"` : null);
    expect(await stored(s)).toEqual(c.method === "PATCH" ? { version: 2, firstName: "Grace", deleted: false } : { version: 2, firstName: "Ada", deleted: true });
  });

  it("a stale If-Match is a 412 in the dialect's body, and changes nothing", async () => {
    const s = await setup();
    const before = await stored(s);
    for (const tag of [`"${s.user.id}.2"`, `W/${s.user.etag}`, `"${crypto.randomUUID()}.1"`]) {
      const r = await send(s, c, "Stale", tag);
      expect(r.status, tag).toBe(412);
      expect(r.body).toEqual(c.stale(r));
      expect(dbTrips(r)).toBe(1);
    }
    expect(await stored(s)).toEqual(before);
    // One of a list matching is enough; `*` means "exists".
    expect((await send(s, c, "Listed", `"x.1", ${s.user.etag}`)).status).toBe(c.ok);
    const t = await setup();
    expect((await send(t, c, "Any", "*")).status).toBe(c.ok);
  });

  // A PATCH that lost finds the user at a newer version (412); a DELETE that lost finds no user (404, RFC 9110 §13.2.2).
  const lost = c.method === "PATCH" ? 412 : 404;
  it(`two concurrent requests with the same If-Match: exactly one succeeds, the other is ${lost}`, async () => {
    const s = await setup();
    const [a, b] = await Promise.all([send(s, c, "First", s.user.etag), send(s, c, "Second", s.user.etag)]);
    expect([a.status, b.status].sort()).toEqual([c.ok, lost].sort());
    const winner = a.status === c.ok ? "First" : "Second";
    expect(await stored(s)).toEqual(c.method === "PATCH" ? { version: 2, firstName: winner, deleted: false } : { version: 2, firstName: "Ada", deleted: true });
    const loser = a.status === lost ? a : b;
    expect(loser.body).toEqual(c.method === "PATCH" ? c.stale(loser) : c.gone!(loser));
  });

  it("a malformed If-Match is the dialect's 400, and changes nothing", async () => {
    const s = await setup();
    for (const bad of ["no-quotes", '"a", b', 'W/"a" "b"']) {
      const r = await send(s, c, "Bad", bad);
      expect(r.status, bad).toBe(400);
      expect(r.body).toEqual(c.badTag(r));
    }
    expect(await stored(s)).toEqual({ version: 1, firstName: "Ada", deleted: false });
  });

  it("a tenant with requireIfMatch: without If-Match → 428, nothing changes; with it, the write runs", async () => {
    const s = await setup();
    const t = await call("PATCH", `/api/v1/tenants/${s.w.tenant.id}`, { token: s.w.tenant.admin, body: { requireIfMatch: true }, expect: 200 });
    expect(t.body.requireIfMatch).toBe(true);
    const r = await send(s, c, "Blind");
    expect(r.status).toBe(428);
    expect(r.body).toEqual(c.required(r));
    expect(dbTrips(r)).toBe(1);
    expect(await stored(s)).toEqual({ version: 1, firstName: "Ada", deleted: false });
    expect((await send(s, c, "Careful", s.user.etag)).status).toBe(c.ok);
    // Another tenant is not affected.
    const other = await setup();
    expect((await send(other, c, "Blind")).status).toBe(c.ok);
  });

  it("no oracle: for a caller out of reach, the user answers 404 whatever its tenant requires or its tag is", async () => {
    const [s, stranger] = [await setup(), await setup()];
    await call("PATCH", `/api/v1/tenants/${s.w.tenant.id}`, { token: s.w.tenant.admin, body: { requireIfMatch: true }, expect: 200 });
    // The stranger addresses the user through its own tenant (CloudCockpit's X-Tenant, Corti's project keys): a user it cannot see.
    const foreign: Setup = { w: { ...stranger.w, customers: s.w.customers }, user: s.user };
    const answers = [await send(foreign, c, "X"), await send(foreign, c, "X", s.user.etag), await send(foreign, c, "X", '"stale.9"'), await send(foreign, c, "X", "*")];
    const missing = await send({ ...foreign, user: { ...s.user, id: crypto.randomUUID(), email: `${unique("none")}@example.com` } }, c, "X");
    expect(missing.status).toBe(404);
    for (const r of answers) {
      expect(r.status).toBe(404);
      expect({ ...r.body, correlationId: null }).toEqual({ ...missing.body, correlationId: null });
    }
    expect(await stored(s)).toEqual({ version: 1, firstName: "Ada", deleted: false });
  });
});

describe("what a user shows changing elsewhere moves its version on", () => {
  it("its subrole renamed, a group of it renamed, its customer moved to another reseller", async () => {
    const s = await setup();
    const cc = { token: s.w.tenant.admin, headers: { "X-Tenant": s.w.tenant.domain } };
    await call("PATCH", `/v1/users/${encodeURIComponent(s.user.email)}`, { ...cc, body: { role: { name: "viewer" }, groups: [{ id: s.w.groups[0]!.id }] }, expect: 204 });
    expect((await stored(s)).version).toBe(2);
    const admin = (path: string, body: Record<string, unknown>) => call("PATCH", `/api/v1/tenants/${s.w.tenant.id}/${path}`, { token: s.w.tenant.admin, body, expect: 200 });
    await admin(`subroles/${s.w.subroles[0]!.id}`, { label: "Reader" });
    expect((await stored(s)).version).toBe(3);
    await admin(`groups/${s.w.groups[0]!.id}`, { name: unique("renamed") });
    expect((await stored(s)).version).toBe(4);
    await admin(`customers/${s.w.customers[0]!.id}`, { resellerId: s.w.resellers[1]!.id });
    expect((await stored(s)).version).toBe(5);
    // A tag from before any of these is stale.
    const r = await send(s, WRITES[0]!, "Late", `"${s.user.id}.2"`);
    expect(r.status).toBe(412);
    expect((await adminUser(s)).headers.get("etag")).toBe(`"${s.user.id}.5"`);
  });

  it("a PATCH that changes nothing keeps the version (and its tag stays good)", async () => {
    const s = await setup();
    const r = await send(s, WRITES[1]!, "Ada", s.user.etag);
    expect(r.status).toBe(200);
    expect(r.headers.get("etag")).toBe(s.user.etag);
    expect((await stored(s)).version).toBe(1);
  });
});
