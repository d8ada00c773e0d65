/**
 * Idempotency-Key on every create (docs/concurrency.md#idempotency-keys), surface by surface: a
 * retry after success answers the first response byte for byte with `Idempotent-Replayed: true`
 * and writes nothing (one row, one audit event); ten concurrent requests with one key create once;
 * another request with the key is a 422 in the dialect's body; a refused create keeps nothing, so a
 * corrected retry runs; a malformed key is the dialect's 400 and writes nothing; keys are scoped to
 * the principal; the kept response is sealed; the first call costs no extra round trip; expired
 * records are not replayed and the Cron Trigger purges them.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { buildApp } from "../../src/app";
import { purgeKeys } from "../../src/cron";
import worker from "../../src/index";
import { call, dbTrips, unique, type Reply } from "../harness";
import { ALL, world, type World } from "../world";

const CORTI = "/functions/v1/public";
type W = World<"writer" | "other">;

/** A create of one surface: its request for a fresh value, a changed body, and how to count what it made. */
interface Case {
  name: string;
  status: number;
  request(w: W, v: string): { path: string; body: Record<string, unknown>; headers?: Record<string, string> };
  /** The same request with another body. */
  changed(body: Record<string, unknown>): Record<string, unknown>;
  /** A body the create refuses (4xx), and the status it answers. */
  refused?(body: Record<string, unknown>): { body: Record<string, unknown>; status: number };
  /** The audit action of the create and the id of what the response made. */
  action: string;
  createdId(r: Reply): string;
  /** The dialect's whole 422 and 400 bodies. */
  reused(r: Reply): unknown;
  badKey(r: Reply): unknown;
  /** Round trips of the create (docs/scaling.md): the same with a key. Default 1. */
  trips?: number;
  /** Who calls (default: the world's tenant admin). */
  token?(w: W): string;
}

const REUSED = "This Idempotency-Key was already used for another request; send a new key for a new request.";
const REUSED_FIELD = "Already used with another method, path, X-Tenant or body.";
const BAD_KEY = "Must be 1 to 255 visible ASCII characters.";

const worth = {
  reused: () => ({ status: "fail", message: REUSED, errorCode: "IDEMPOTENCY_KEY_REUSED", data: { errorName: "CustomersApiError" } }),
  badKey: () => ({ status: "fail", message: `Idempotency-Key: ${BAD_KEY}`, errorCode: "INVALID", data: { errorName: "ValidationMiddlewareError" } }),
};
const corti = {
  reused: () => ({ message: REUSED, code: "UNPROCESSABLE_ENTITY", details: [{ field: "Idempotency-Key", message: REUSED_FIELD }] }),
  badKey: (r: Reply) => ({ message: r.body.message, code: "BAD_REQUEST", details: [{ field: "Idempotency-Key", message: BAD_KEY }] }),
};
const cc = {
  reused: (r: Reply) => ({
    statusCode: 422,
    type: "UnprocessableEntity",
    description: REUSED,
    correlationId: r.headers.get("x-correlation-id"),
    errors: [{ propertyName: "Idempotency-Key", description: [REUSED_FIELD] }],
  }),
  badKey: (r: Reply) => ({
    statusCode: 400,
    type: "ValidationError",
    description: "One or more validation errors occurred.",
    correlationId: r.headers.get("x-correlation-id"),
    errors: [{ propertyName: "Idempotency-Key", description: [BAD_KEY] }],
  }),
};
const admin = {
  reused: (r: Reply) => ({
    type: "about:blank",
    title: "Unprocessable Content",
    status: 422,
    detail: REUSED,
    code: "KEY_REUSED",
    correlationId: r.headers.get("x-correlation-id"),
    errors: [{ field: "Idempotency-Key", message: REUSED_FIELD }],
  }),
  badKey: (r: Reply) => ({
    type: "about:blank",
    title: "Bad Request",
    status: 400,
    detail: r.body.detail,
    code: "INVALID",
    correlationId: r.headers.get("x-correlation-id"),
    errors: [{ field: "Idempotency-Key", message: BAD_KEY }],
  }),
};

const userBody = (v: string) => ({ firstName: "Ada", lastName: "Lovelace", email: `${v}@example.com` });

const CASES: Case[] = [
  {
    name: "Worth: create customer user",
    status: 200,
    request: (w, v) => ({ path: `/auth/api/v1/customers/${w.customers[0]!.id}/users`, body: { first_name: "Ada", last_name: "Lovelace", email: `${v}@example.com`, subrole: { id: w.subroles[0]!.id, code: "viewer", label: "Viewer" } } }),
    changed: (b) => ({ ...b, first_name: "Grace" }),
    refused: (b) => ({ body: { ...b, subrole: { id: crypto.randomUUID(), code: "none", label: "None" } }, status: 400 }),
    action: "user.created",
    createdId: (r) => r.body.data.user_id,
    ...worth,
  },
  {
    name: "Corti: create user",
    status: 201,
    request: (w, v) => ({ path: `${CORTI}/projects/${w.projects[0]!.key}/customers/${w.customers[0]!.key}/users`, body: userBody(v) }),
    changed: (b) => ({ ...b, firstName: "Grace" }),
    refused: (b) => ({ body: { ...b, password: "short" }, status: 400 }),
    action: "user.created",
    createdId: (r) => r.body.id,
    ...corti,
  },
  {
    name: "Corti: create customer",
    status: 201,
    request: (w, v) => ({ path: `${CORTI}/projects/${w.projects[0]!.key}/customers`, body: { customerId: v.slice(-40), displayName: "Acme" } }),
    changed: (b) => ({ ...b, displayName: "Other" }),
    refused: (b) => ({ body: { ...b, customerId: "cust-a" }, status: 409 }),
    // The project's read, then the write (CUSTOMER_BUDGET in test/corti/helpers.ts).
    trips: 2,
    action: "customer.created",
    createdId: (r) => r.body.customerId,
    ...corti,
  },
  {
    name: "CloudCockpit: create customer user",
    status: 201,
    request: (w, v) => ({ path: `/v1/customer/${w.customers[0]!.id}/users`, body: { ...userBody(v), role: { name: "viewer" }, groups: [] }, headers: { "X-Tenant": w.tenant.domain } }),
    changed: (b) => ({ ...b, firstName: "Grace" }),
    refused: (b) => ({ body: { ...b, role: { name: "no-such-role" } }, status: 400 }),
    action: "user.created",
    createdId: (r) => r.body,
    ...cc,
  },
  {
    name: "CloudCockpit: create reseller user",
    status: 201,
    request: (w, v) => ({ path: `/v1/reseller/${w.resellers[0]!.id}/users`, body: { ...userBody(v), role: { name: "viewer" }, groups: [] }, headers: { "X-Tenant": w.tenant.domain } }),
    changed: (b) => ({ ...b, lastName: "Hopper" }),
    action: "user.created",
    createdId: (r) => r.body,
    ...cc,
  },
  ...(["projects", "resellers", "customers", "groups", "subroles", "accounts"] as const).map(
    (kind): Case => ({
      name: `admin: create ${kind}`,
      status: 201,
      request: (w, v) => ({
        path: `/api/v1/tenants/${w.tenant.id}/${kind}`,
        body: {
          projects: { key: v.slice(-40).toLowerCase(), name: "P" },
          resellers: { name: v },
          customers: { name: v },
          groups: { name: v },
          subroles: { code: v.slice(-40), label: "L", displayName: "D", permissions: ["customer_user:read"] },
          accounts: { name: v, role: "tenant_admin", scopes: ["users:read"] },
        }[kind],
      }),
      changed: (b) => (kind === "subroles" ? { ...b, label: "L2" } : { ...b, name: `${String(b.name)}-2` }),
      ...(kind === "groups" ? { refused: (b: Record<string, unknown>) => ({ body: { ...b, name: "Taken group" }, status: 409 }) } : {}),
      action: `${{ projects: "project", resellers: "reseller", customers: "customer", groups: "group", subroles: "subrole", accounts: "account" }[kind]}.created`,
      createdId: (r) => r.body.id,
      ...admin,
    }),
  ),
  {
    name: "admin: create tenant",
    status: 201,
    request: (_w, v) => ({ path: "/api/v1/tenants", body: { domain: `${v.toLowerCase()}.example.com`, name: "T" } }),
    changed: (b) => ({ ...b, name: "T2" }),
    action: "tenant.created",
    createdId: (r) => r.body.id,
    token: (w) => w.platform,
    ...admin,
  },
];

async function setup(): Promise<W> {
  return world({
    projects: 1,
    resellers: 1,
    customers: [{ name: "C", project: 0, key: "cust-a", reseller: 0 }],
    subroles: [{ code: "viewer", label: "Viewer", displayName: "Viewer", permissions: ["customer_user:read"] }],
    groups: [{ name: "Taken group" }],
    tokens: { writer: { role: "tenant_admin", scope: `${ALL} admin` }, other: { role: "tenant_admin", scope: `${ALL} admin` } },
  });
}

const send = (c: Case, w: W, req: ReturnType<Case["request"]>, key: string | undefined, o: { token?: string; body?: unknown } = {}) =>
  call("POST", req.path, {
    token: o.token ?? c.token?.(w) ?? w.tenant.admin,
    body: o.body ?? req.body,
    headers: { ...req.headers, ...(key === undefined ? {} : { "Idempotency-Key": key }) },
  });

/** Audit events of a target (read through the admin API; a tenant's events are the tenant's own). */
async function events(w: W, c: Case, target: string, tenantId = w.tenant.id): Promise<number> {
  const r = await call("GET", `/api/v1/tenants/${tenantId}/audit-events?targetId=${encodeURIComponent(target)}&action=${c.action}`, { token: w.platform, expect: 200 });
  return r.body.data.length;
}

/** Every event of the create's action in the world's tenant (tenant creates: the platform's count of them). */
async function tenantEvents(w: W, c: Case): Promise<number> {
  return (await env.DB.prepare("select count(*) as n from audit_events where action = ? and (tenant_id = ? or ? = 'tenant.created')").bind(c.action, w.tenant.id, c.action).first<number>("n")) ?? 0;
}

/** The rows a create could have made from a body: users by e-mail, customers by key, others by name or code. */
async function made(w: W, c: Case, body: Record<string, unknown>): Promise<number> {
  const email = body.email as string | undefined;
  if (email !== undefined) return (await call("GET", `/api/v1/tenants/${w.tenant.id}/users?email=${encodeURIComponent(email)}`, { token: w.platform, expect: 200 })).body.data.length;
  const rows = (table: string, column: string, value: unknown) => env.DB.prepare(`select count(*) as n from ${table} where ${column} = ?`).bind(value).first<number>("n");
  if (c.name === "admin: create tenant") return (await rows("tenants", "domain", body.domain)) ?? 0;
  if (c.name === "Corti: create customer") return (await rows("customers", "key", body.customerId)) ?? 0;
  const table = /create (\w+)$/.exec(c.name)![1]!;
  return (await rows(table, table === "subroles" ? "code" : table === "projects" ? "key" : "name", table === "subroles" ? body.code : table === "projects" ? body.key : body.name)) ?? 0;
}

const createdTenant = (c: Case, r: Reply, w: W) => (c.name === "admin: create tenant" ? (r.body.id as string) : w.tenant.id);
/** The audit target of a create: Corti's customer answers its key, the event names the row. */
async function target(c: Case, r: Reply): Promise<string> {
  if (c.name !== "Corti: create customer") return c.createdId(r);
  return (await env.DB.prepare("select id from customers where key = ?").bind(c.createdId(r)).first<string>("id"))!;
}

describe.each(CASES)("$name", (c) => {
  it("a retry after success answers the first response byte for byte, and writes nothing", async () => {
    const w = await setup();
    const req = c.request(w, unique("idem"));
    const key = crypto.randomUUID();
    const first = await send(c, w, req, key);
    expect(first.status, first.text).toBe(c.status);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    // The first call costs what the create costs without a key.
    expect(dbTrips(first)).toBe(c.trips ?? 1);
    const again = await send(c, w, req, key);
    expect(again.status).toBe(c.status);
    expect(again.text).toBe(first.text);
    expect(again.headers.get("content-type")).toBe(first.headers.get("content-type"));
    expect(again.headers.get("location")).toBe(first.headers.get("location"));
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    // A replay: the write batch refused on the key, then the kept response was read.
    expect(dbTrips(again)).toBe((c.trips ?? 1) + 1);
    expect(await made(w, c, req.body)).toBe(1);
    expect(await events(w, c, await target(c, first), createdTenant(c, first, w))).toBe(1);
  });

  it("ten concurrent requests with one key: one runs, the rest replay it; one row", async () => {
    const w = await setup();
    const req = c.request(w, unique("race"));
    const key = crypto.randomUUID();
    const replies = await Promise.all(Array.from({ length: 10 }, () => send(c, w, req, key)));
    const ran = replies.filter((r) => r.status === c.status && r.headers.get("idempotent-replayed") === null);
    const replayed = replies.filter((r) => r.status === c.status && r.headers.get("idempotent-replayed") === "true");
    expect(ran).toHaveLength(1);
    expect(replayed).toHaveLength(9);
    for (const r of replayed) expect(r.text).toBe(ran[0]!.text);
    expect(await made(w, c, req.body)).toBe(1);
    expect(await events(w, c, await target(c, ran[0]!), createdTenant(c, ran[0]!, w))).toBe(1);
  });

  it("the same key with another body is a 422 in the dialect's body, and writes nothing", async () => {
    const w = await setup();
    const req = c.request(w, unique("diff"));
    const key = crypto.randomUUID();
    expect((await send(c, w, req, key)).status).toBe(c.status);
    const before = await tenantEvents(w, c);
    const r = await send(c, w, req, key, { body: c.changed(req.body) });
    expect(r.status).toBe(422);
    expect(r.body).toEqual(c.reused(r));
    expect(r.headers.get("idempotent-replayed")).toBeNull();
    expect(await tenantEvents(w, c)).toBe(before);
    expect(await made(w, c, req.body)).toBe(1);
  });

  it("a malformed key is the dialect's 400, and writes nothing", async () => {
    const w = await setup();
    for (const bad of ["has space", "x".repeat(256), "tab\there", "del\u007f"]) {
      const req = c.request(w, unique("bad"));
      const r = await call("POST", req.path, { token: c.token?.(w) ?? w.tenant.admin, raw: JSON.stringify(req.body), headers: { ...req.headers, "content-type": "application/json", "Idempotency-Key": bad } });
      expect(r.status, bad).toBe(400);
      expect(r.body).toEqual(c.badKey(r));
      expect(await made(w, c, req.body)).toBe(0);
    }
  });

  if (c.refused) {
    const refused = c.refused;
    it("a refused create keeps nothing: a corrected retry with the same key runs", async () => {
      const w = await setup();
      const req = c.request(w, unique("fix"));
      const key = crypto.randomUUID();
      const bad = refused(req.body);
      const first = await send(c, w, req, key, { body: bad.body });
      expect(first.status, first.text).toBe(bad.status);
      const fixed = await send(c, w, req, key);
      expect(fixed.status, fixed.text).toBe(c.status);
      expect(fixed.headers.get("idempotent-replayed")).toBeNull();
      expect(await made(w, c, req.body)).toBe(1);
    });
  }
});

describe("keys are scoped to (tenant, principal, key)", () => {
  it("another principal's request with the same key and body is its own: not a replay", async () => {
    const w = await setup();
    const c = CASES.find((x) => x.name === "admin: create groups")!;
    const key = crypto.randomUUID();
    const req = c.request(w, unique("scope"));
    const first = await send(c, w, req, key, { token: w.tokens.writer });
    expect(first.status).toBe(201);
    // Another principal of the same tenant, same key, same body: it runs (and the group's unique name refuses it).
    const other = await send(c, w, req, key, { token: w.tokens.other });
    expect(other.status).toBe(409);
    expect(other.headers.get("idempotent-replayed")).toBeNull();
    expect(other.text).not.toContain(first.body.id);
    // The first principal still gets its own response back.
    const again = await send(c, w, req, key, { token: w.tokens.writer });
    expect(again.text).toBe(first.text);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  });

  it("another tenant's admin with the same key, path and body gets its own answer (a 404), never the replay", async () => {
    const [w, v] = [await setup(), await setup()];
    const c = CASES.find((x) => x.name === "Worth: create customer user")!;
    const key = crypto.randomUUID();
    const req = c.request(w, unique("iso"));
    const first = await send(c, w, req, key);
    expect(first.status).toBe(200);
    const stranger = await send(c, w, req, key, { token: v.tenant.admin });
    expect(stranger.status).toBe(404);
    expect(stranger.body).toEqual({ status: "fail", message: "Customer Not Found", errorCode: "NOT_FOUND", data: { errorName: "CustomersApiError" } });
    expect(stranger.headers.get("idempotent-replayed")).toBeNull();
  });

  it("CloudCockpit: the same key under another X-Tenant is another request (422)", async () => {
    const [w, v] = [await setup(), await setup()];
    const c = CASES.find((x) => x.name === "CloudCockpit: create customer user")!;
    const key = crypto.randomUUID();
    const req = c.request(w, unique("xt"));
    expect((await send(c, w, req, key, { token: w.platform })).status).toBe(201);
    const r = await send(c, w, { ...req, headers: { "X-Tenant": v.tenant.domain } }, key, { token: w.platform });
    expect(r.status).toBe(422);
    expect(r.body).toEqual(c.reused(r));
  });
});

describe("the request log", () => {
  it("a replay's log line says replayed: true, and carries nothing of the kept response", async () => {
    const w = await setup();
    const c = CASES.find((x) => x.name === "admin: create accounts")!;
    const req = c.request(w, unique("log"));
    const key = crypto.randomUUID();
    // The app with its request log on, the lines captured.
    const app = buildApp();
    const lines: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
    const ctx = createExecutionContext();
    const post = () =>
      app.fetch(
        new Request(`http://api.test${req.path}`, { method: "POST", headers: { authorization: `Bearer ${w.tenant.admin}`, "content-type": "application/json", "Idempotency-Key": key }, body: JSON.stringify(req.body) }),
        { ...env, REQUEST_LOG: "on" },
        ctx,
      );
    let secret: string;
    try {
      secret = ((await (await post()).json()) as { clientSecret: string }).clientSecret;
      await (await post()).text();
      await waitOnExecutionContext(ctx);
    } finally {
      spy.mockRestore();
    }
    const requests = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "request");
    expect(requests.map((l) => [l.status, l.replayed ?? false, l.dbTrips])).toEqual([
      [201, false, 1],
      [201, true, 2],
    ]);
    expect(lines.join("\n")).not.toContain(secret);
  });
});

describe("what is kept", () => {
  it("is sealed: neither the client secret nor the e-mail it replays is readable in the table", async () => {
    const w = await setup();
    const accounts = CASES.find((x) => x.name === "admin: create accounts")!;
    const users = CASES.find((x) => x.name === "Corti: create user")!;
    const [k1, k2] = [unique("sealed"), unique("sealed")];
    const req = accounts.request(w, unique("acct"));
    const a = await send(accounts, w, req, k1);
    const u = await send(users, w, users.request(w, unique("mail")), k2);
    expect([a.status, u.status]).toEqual([201, 201]);
    const rows = await env.DB.prepare("select * from idempotency_keys where key in (?, ?)").bind(k1, k2).all();
    expect(rows.results).toHaveLength(2);
    const dump = JSON.stringify(rows.results);
    expect(dump).not.toContain(a.body.clientSecret);
    expect(dump).not.toContain(u.body.email);
    // The secret is answered again to the retry of the same request, and to no other.
    const again = await send(accounts, w, req, k1);
    expect(again.body.clientSecret).toBe(a.body.clientSecret);
    expect((await send(accounts, w, req, k1, { body: accounts.changed(req.body) })).status).toBe(422);
  });

  it("an expired record is not replayed: the request runs again; the Cron Trigger purges expired records", async () => {
    const w = await setup();
    const c = CASES.find((x) => x.name === "admin: create groups")!;
    const key = unique("expired");
    const req = c.request(w, unique("exp"));
    const first = await send(c, w, req, key);
    expect(first.status).toBe(201);
    await env.DB.prepare("update idempotency_keys set expires_at = ? where key = ?").bind(Date.now() - 1, key).run();
    // The same key, another body: no longer a 422 — the key is free again.
    const changed = c.changed(req.body);
    const second = await send(c, w, req, key, { body: changed });
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBeNull();
    expect(await made(w, c, changed)).toBe(1);
    // The record is the second request's now; expire it too, and purge.
    await env.DB.prepare("update idempotency_keys set expires_at = ? where key = ?").bind(Date.now() - 1, key).run();
    const live = unique("live");
    expect((await send(c, w, c.request(w, unique("live")), live)).status).toBe(201);
    expect(await purgeKeys(env, Date.now())).toBeGreaterThanOrEqual(1);
    const left = await env.DB.prepare("select key from idempotency_keys where key in (?, ?)").bind(key, live).all<{ key: string }>();
    expect(left.results.map((r) => r.key)).toEqual([live]);
  });

  it("the Worker's scheduled handler runs the purge (wrangler.toml's Cron Trigger)", async () => {
    await env.DB.prepare("insert into idempotency_keys values ('', ?, ?, 'f', 's', 0, 1)").bind(unique("p"), unique("k")).run();
    const before = await env.DB.prepare("select count(*) as n from idempotency_keys where expires_at <= ?").bind(Date.now()).first<number>("n");
    expect(before).toBeGreaterThanOrEqual(1);
    const ctx = createExecutionContext();
    worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "17 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const after = await env.DB.prepare("select count(*) as n from idempotency_keys where expires_at <= ?").bind(Date.now()).first<number>("n");
    expect(after).toBe(0);
  });
});
