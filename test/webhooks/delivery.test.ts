/**
 * Webhook delivery end to end (docs/webhooks.md), in workerd with the real Queue: a tenant admin
 * subscribes; user changes on every surface reach the receiver signed (verified with the Standard
 * Webhooks library as a receiver would), once each, in order per user; a receiver that fails three
 * times gets the event on attempt 4; deliveries are listed; the outbox is empty afterwards.
 */
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { sweepEvents } from "../../src/cron";
import { pendingEvent } from "../../src/core/webhooks/deliveries";
import { openDb } from "../../src/db/client";
import { backoffSeconds } from "../../src/webhooks/consumer";
import { call, create, expectProblem, unique } from "../harness";
import { PATCH_URN, scim, scimToken } from "../scim/helpers";
import { world } from "../world";

const CORTI = "/functions/v1/public";

interface Attempt {
  id: string;
  eventId: string;
  attempt: number;
  outcome: string;
  responseStatus: number | null;
  error: string | null;
  deliveryStatus: string;
}

interface Received {
  headers: Record<string, string>;
  body: string;
  at: number;
}
const received = async (name: string): Promise<Received[]> => (await (await fetch(`https://receiver.test/__received/${name}`)).json()) as Received[];

/** Waits until `name` has received `n` requests (the Queue delivers in the background). */
async function until(name: string, n: number, ms = 10_000): Promise<Received[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await received(name);
    if (got.length >= n || Date.now() > deadline) return got;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function setup() {
  const w = await world({
    projects: 1,
    customers: [{ name: "C", project: 0, key: "cust-a" }],
    subroles: [{ code: "viewer", label: "Viewer", displayName: "Viewer", permissions: ["customer_user:read"] }],
  });
  const subscribe = async (behaviour: string, body: Record<string, unknown> = {}) => {
    const name = unique("rcv");
    const r = await call("POST", `/api/v1/tenants/${w.tenant.id}/webhooks`, { token: w.tenant.admin, body: { url: `https://receiver.test/${behaviour}/${name}`, events: ["*"], ...body } });
    expect(r.status, r.text).toBe(201);
    return { name, id: r.body.id as string, secret: r.body.secret as string, body: r.body };
  };
  return { w, subscribe };
}

// The Queue's batches wait up to a second each (wrangler.toml): a retried delivery takes seconds.
describe("webhooks", { timeout: 60_000 }, () => {
  it("user changes on every surface arrive signed, once each, in order; the deliveries are listed", async () => {
    const { w, subscribe } = await setup();
    const sub = await subscribe("ok");
    expect(sub.secret).toMatch(/^whsec_/);
    expect(sub.body).toEqual({ id: sub.id, tenantId: w.tenant.id, url: expect.any(String), events: ["*"], customerId: null, description: null, enabled: true, createdAt: expect.any(String), updatedAt: expect.any(String), secret: sub.secret });
    // The secret is shown once.
    const got = await call("GET", `/api/v1/tenants/${w.tenant.id}/webhooks/${sub.id}`, { token: w.tenant.admin, expect: 200 });
    expect(got.text).not.toContain(sub.secret);

    const email = `${unique("wh")}@example.com`;
    const created = await call("POST", `/auth/api/v1/customers/${w.customers[0]!.id}/users`, {
      token: w.tenant.admin,
      body: { first_name: "Ada", last_name: "Lovelace", email, subrole: { id: w.subroles[0]!.id, code: "viewer", label: "Viewer" } },
      expect: 200,
    });
    const userId = created.body.data.user_id as string;
    await call("PATCH", `${CORTI}/projects/${w.projects[0]!.key}/customers/cust-a/users/${userId}`, { token: w.tenant.admin, body: { firstName: "Grace" }, expect: 200 });
    await call("PATCH", `${CORTI}/projects/${w.projects[0]!.key}/customers/cust-a/users/${userId}`, { token: w.tenant.admin, body: { enabled: false }, expect: 200 });
    await call("DELETE", `/v1/users/${encodeURIComponent(email)}`, { token: w.tenant.admin, headers: { "X-Tenant": w.tenant.domain }, expect: 204 });

    const deliveries = await until(sub.name, 4);
    expect(deliveries).toHaveLength(4);
    const events = deliveries.map(
      (d) => new Webhook(sub.secret).verify(d.body, d.headers) as { id: string; type: string; data: { id: string; sequence: number; changed: string[]; user: { id: string; version: number; firstName: string; status: string; subroleId: string | null } } },
    );
    expect(events.map((e) => e.type).sort()).toEqual(["user.created", "user.deleted", "user.disabled", "user.updated"].sort());
    for (const [i, d] of deliveries.entries()) expect(d.headers["webhook-id"]).toBe(events[i]!.id);
    expect(new Set(events.map((e) => e.id)).size).toBe(4);
    expect(events.every((e) => e.data.id === userId && e.data.user.id === userId)).toBe(true);
    expect(events.find((e) => e.type === "user.updated")!.data.changed).toEqual(["firstName"]);
    // Each event carries its place in the user's history and the user as that change left it,
    // whenever it is delivered (all four changes were made before most deliveries ran).
    const bySequence = [...events].sort((a, b) => a.data.sequence - b.data.sequence);
    expect(bySequence.map((e) => [e.data.sequence, e.type, e.data.user.version, e.data.user.firstName, e.data.user.status, e.data.user.subroleId])).toEqual([
      [1, "user.created", 1, "Ada", "ACTIVE", w.subroles[0]!.id],
      [2, "user.updated", 2, "Grace", "ACTIVE", w.subroles[0]!.id],
      [3, "user.disabled", 3, "Grace", "INACTIVE", w.subroles[0]!.id],
      [4, "user.deleted", 4, "Grace", "INACTIVE", w.subroles[0]!.id],
    ]);
    // The frozen copy, read after every change: the creation still shows the user as created.
    const first = await pendingEvent(openDb(env.DB, { write: true }).db, bySequence[0]!.id);
    expect([first!.sequence, first!.user!.firstName, first!.user!.status, first!.user!.version]).toEqual([1, "Ada", "ACTIVE", 1]);
    expect(JSON.stringify(first!.user)).not.toMatch(/pbkdf2|passwordHash/);

    const list = await call("GET", `/api/v1/tenants/${w.tenant.id}/webhooks/${sub.id}/deliveries`, { token: w.tenant.admin, expect: 200 });
    expect(list.body.data.map((d: Attempt) => [d.outcome, d.attempt, d.responseStatus, d.deliveryStatus])).toEqual(Array(4).fill(["succeeded", 1, 200, "succeeded"]));
    expect(list.body.data.map((d: Attempt) => d.eventId).sort()).toEqual(events.map((e) => e.id).sort());
    // Nothing of the tenant is left in the outbox.
    expect(await env.DB.prepare("select count(*) as n from audit_events where tenant_id = ? and queued_at is null").bind(w.tenant.id).first<number>("n")).toBe(0);
    // No second delivery of anything.
    await new Promise((r) => setTimeout(r, 300));
    expect(await received(sub.name)).toHaveLength(4);
  });

  it("SCIM changes are events too: a provisioned user, its group membership (changed: groupIds), its deprovisioning — signed, in sequence", async () => {
    const { w, subscribe } = await setup();
    const sub = await subscribe("ok");
    const group = await create(w.tenant, "groups", { name: unique("g") });
    const token = await scimToken(w.tenant, w.customers[0]!.id);
    const created = await scim("POST", "/Users", token, { userName: `${unique("sc")}@example.com`, name: { givenName: "Sci", familyName: "M" }, externalId: "idp-1" });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;
    const member = await scim("PATCH", `/Groups/${group.id}`, token, { schemas: [PATCH_URN], Operations: [{ op: "add", path: "members", value: [{ value: id }] }] });
    expect(member.status, member.text).toBe(200);
    expect((await scim("DELETE", `/Users/${id}`, token)).status).toBe(204);
    const events = (await until(sub.name, 3)).map((d) => new Webhook(sub.secret).verify(d.body, d.headers) as { type: string; data: { sequence: number; changed: string[]; user: { externalId: string | null; groupIds: string[] } } });
    expect(events.map((e) => [e.data.sequence, e.type, e.data.changed, e.data.user.externalId, e.data.user.groupIds]).sort((x, y) => (x[0] as number) - (y[0] as number))).toEqual([
      [1, "user.created", [], "idp-1", []],
      [2, "user.updated", ["groupIds"], "idp-1", [group.id]],
      [3, "user.deleted", [], "idp-1", [group.id]],
    ]);
  });

  it("a receiver that fails three times gets the event on attempt 4", async () => {
    const { w, subscribe } = await setup();
    const sub = await subscribe("fail-3");
    await call("POST", `${CORTI}/projects/${w.projects[0]!.key}/customers/cust-a/users`, { token: w.tenant.admin, body: { email: `${unique("f")}@example.com`, firstName: "A", lastName: "B" }, expect: 201 });
    const got = await until(sub.name, 4);
    expect(got).toHaveLength(4);
    expect(new Set(got.map((d) => d.headers["webhook-id"])).size).toBe(1);
    const list = await call("GET", `/api/v1/tenants/${w.tenant.id}/webhooks/${sub.id}/deliveries`, { token: w.tenant.admin, expect: 200 });
    // Every attempt is listed: three failures, then the success; the delivery stands succeeded.
    expect(list.body.data.map((d: Attempt) => [d.attempt, d.outcome, d.responseStatus, d.error, d.deliveryStatus])).toEqual([
      [1, "failed", 500, "HTTP 500", "succeeded"],
      [2, "failed", 500, "HTTP 500", "succeeded"],
      [3, "failed", 500, "HTTP 500", "succeeded"],
      [4, "succeeded", 200, null, "succeeded"],
    ]);
  });

  it("a receiver that never answers: after 8 attempts the delivery is failed (dead-letter queue); a manual retry then delivers", async () => {
    const { w, subscribe } = await setup();
    // Fails its first 8 requests: every automatic attempt, then answers.
    const sub = await subscribe("fail-8");
    await call("POST", `${CORTI}/projects/${w.projects[0]!.key}/customers/cust-a/users`, { token: w.tenant.admin, body: { email: `${unique("d")}@example.com`, firstName: "A", lastName: "B" }, expect: 201 });
    expect(await until(sub.name, 8, 40_000)).toHaveLength(8);
    const listed = async () => (await call("GET", `/api/v1/tenants/${w.tenant.id}/webhooks/${sub.id}/deliveries`, { token: w.tenant.admin, expect: 200 })).body.data as Attempt[];
    const deadline = Date.now() + 40_000;
    while ((await listed())[0]?.deliveryStatus !== "failed" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const attempts = await listed();
    expect(attempts.map((a) => [a.attempt, a.outcome, a.responseStatus, a.deliveryStatus])).toEqual(Array.from({ length: 8 }, (_, i) => [i + 1, "failed", 500, "failed"]));
    const last = attempts[7]!;
    const r = await call("POST", `/api/v1/tenants/${w.tenant.id}/webhooks/${sub.id}/deliveries/${last.id}/retry`, { token: w.tenant.admin });
    expect(r.status, r.text).toBe(202);
    expect(r.body).toEqual({ ...last, deliveryStatus: "pending" });
    expect(await until(sub.name, 9)).toHaveLength(9);
    const end = Date.now() + 20_000;
    while ((await listed()).length < 9 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect((await listed())[8]).toMatchObject({ attempt: 9, outcome: "succeeded", responseStatus: 200, error: null, deliveryStatus: "succeeded" });
    // Nothing left to retry.
    const again = await call("POST", `/api/v1/tenants/${w.tenant.id}/webhooks/${sub.id}/deliveries/${last.id}/retry`, { token: w.tenant.admin });
    expect(again.status).toBe(409);
  });

  it("an event a crash left unqueued is delivered by the Cron Trigger's sweep", async () => {
    const { w, subscribe } = await setup();
    const sub = await subscribe("ok");
    // A change committed, then the Worker died before handing the event over: its audit row, still in the outbox, a minute old.
    const user = await call("POST", `${CORTI}/projects/${w.projects[0]!.key}/customers/cust-a/users`, { token: w.tenant.admin, body: { email: `${unique("s")}@example.com`, firstName: "A", lastName: "B" }, expect: 201 });
    await until(sub.name, 1);
    const eventId = crypto.randomUUID();
    await env.DB.prepare("insert into audit_events (id, tenant_id, at, actor_id, action, target_type, target_id, customer_id, correlation_id, changes, queued_at) values (?, ?, ?, 'crashed', 'user.updated', 'user', ?, null, 'crashed', ?, null)")
      .bind(eventId, w.tenant.id, Date.now() - 120_000, user.body.id, JSON.stringify({ firstName: { from: "A", to: "B" } }))
      .run();
    expect(await sweepEvents(env)).toBeGreaterThanOrEqual(1);
    const got = await until(sub.name, 2);
    expect(got.map((d) => d.headers["webhook-id"])).toContain(eventId);
    expect(await env.DB.prepare("select queued_at from audit_events where id = ?").bind(eventId).first("queued_at")).not.toBeNull();
  });

  it("a rotated secret keeps signing beside the new one: a receiver holding either verifies", async () => {
    const { w, subscribe } = await setup();
    const sub = await subscribe("ok");
    const r = await call("POST", `/api/v1/tenants/${w.tenant.id}/webhooks/${sub.id}/rotate-secret`, { token: w.tenant.admin });
    expect(r.status, r.text).toBe(200);
    expect(r.body.secret).toMatch(/^whsec_/);
    expect(r.body.secret).not.toBe(sub.secret);
    await call("POST", `${CORTI}/projects/${w.projects[0]!.key}/customers/cust-a/users`, { token: w.tenant.admin, body: { email: `${unique("r")}@example.com`, firstName: "A", lastName: "B" }, expect: 201 });
    const [d] = await until(sub.name, 1);
    expect(d!.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    for (const secret of [sub.secret, r.body.secret as string]) expect(new Webhook(secret).verify(d!.body, d!.headers)).toMatchObject({ type: "user.created" });
  });

  it("customers and accounts have their events; a subscription takes only its types, and only its customer's events when it names one", async () => {
    const { w, subscribe } = await setup();
    const all = await subscribe("ok", { events: ["customer.created", "account.created", "user.password_changed"] });
    const mine = await subscribe("ok", { events: ["*"], customerId: w.customers[0]!.id });
    const customer = await call("POST", `/api/v1/tenants/${w.tenant.id}/customers`, { token: w.tenant.admin, body: { name: "New" }, expect: 201 });
    await call("POST", `/api/v1/tenants/${w.tenant.id}/accounts`, { token: w.tenant.admin, body: { name: "App", role: "customer", customerId: customer.body.id, scopes: ["users:read"] }, expect: 201 });
    const user = await call("POST", `${CORTI}/projects/${w.projects[0]!.key}/customers/cust-a/users`, { token: w.tenant.admin, body: { email: `${unique("p")}@example.com`, firstName: "A", lastName: "B" }, expect: 201 });
    await call("PATCH", `${CORTI}/projects/${w.projects[0]!.key}/customers/cust-a/users/${user.body.id}`, { token: w.tenant.admin, body: { password: "A-new-password-of-twenty!" }, expect: 200 });
    const types = async (name: string, n: number) => (await until(name, n)).map((d) => (JSON.parse(d.body) as { type: string }).type).sort();
    expect(await types(all.name, 3)).toEqual(["account.created", "customer.created", "user.password_changed"]);
    // The customer-filtered one: the user's events (customer 0), not the new customer's or its account's.
    expect(await types(mine.name, 2)).toEqual(["user.created", "user.password_changed"]);
    const pw = (await received(all.name)).map((d) => JSON.parse(d.body) as { type: string; data: { changed: string[] } }).find((e) => e.type === "user.password_changed")!;
    expect(pw.data.changed).toEqual(["password"]);
    expect(JSON.stringify(await received(all.name))).not.toContain("A-new-password-of-twenty!");
  });

  it("the outbox holds only what a subscription will take: a tenant without one writes its events already handed over", async () => {
    const [{ w: quiet }, { w: hooked, subscribe }] = [await setup(), await setup()];
    await subscribe("ok");
    const create = (w: typeof quiet) => call("POST", `${CORTI}/projects/${w.projects[0]!.key}/customers/cust-a/users`, { token: w.tenant.admin, body: { email: `${unique("q")}@example.com`, firstName: "A", lastName: "B" }, expect: 201 });
    const [a, b] = [await create(quiet), await create(hooked)];
    const queuedAt = (id: string) => env.DB.prepare("select queued_at from audit_events where target_id = ? and action = 'user.created'").bind(id).first<number | null>("queued_at");
    const row = await env.DB.prepare("select at, queued_at from audit_events where target_id = ?").bind(a.body.id).first<{ at: number; queued_at: number }>();
    expect(row!.queued_at).toBe(row!.at);
    // The subscribed tenant's event went through the outbox: handed over after the response.
    const deadline = Date.now() + 5000;
    while ((await queuedAt(b.body.id)) === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await queuedAt(b.body.id)).toBeGreaterThanOrEqual((await env.DB.prepare("select at from audit_events where target_id = ?").bind(b.body.id).first<number>("at"))!);
  });

  it("refuses URLs a webhook may not go to, naming url", async () => {
    const { w, subscribe } = await setup();
    const special = "Must not be a loopback, private, link-local or other special-purpose address.";
    for (const [url, message] of [
      ["http://example.com/h", "Must be an https URL."],
      ["https://127.0.0.1/h", special],
      ["https://169.254.169.254/latest", special],
      ["https://localhost/h", "Must be a public host name (with a domain)."],
    ]) {
      const r = await call("POST", `/api/v1/tenants/${w.tenant.id}/webhooks`, { token: w.tenant.admin, body: { url, events: ["user.created"] } });
      expectProblem(r, 400, "INVALID", { detail: "The webhook URL is not allowed.", errors: [{ field: "url", message }] });
    }
    // Nothing was created, and a PATCH to such a URL is refused alike.
    const sub = await subscribe("ok");
    const p = await call("PATCH", `/api/v1/tenants/${w.tenant.id}/webhooks/${sub.id}`, { token: w.tenant.admin, body: { url: "https://10.0.0.1/h" } });
    expectProblem(p, 400, "INVALID", { detail: "The webhook URL is not allowed.", errors: [{ field: "url", message: special }] });
    const list = await call("GET", `/api/v1/tenants/${w.tenant.id}/webhooks`, { token: w.tenant.admin, expect: 200 });
    expect(list.body.data.map((h: { id: string; url: string }) => [h.id, h.url])).toEqual([[sub.id, sub.body.url]]);
  });

  it("backs off exponentially from WEBHOOK_RETRY_BASE_SECONDS, at most 12 hours", () => {
    const e = { ...env, WEBHOOK_RETRY_BASE_SECONDS: "30" } as typeof env;
    expect([1, 2, 3, 8].map((n) => backoffSeconds(e, n))).toEqual([30, 60, 120, 3840]);
    expect(backoffSeconds(e, 20)).toBe(43_200);
  });
});
