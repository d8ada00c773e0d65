/**
 * The coarse outer guard (docs/api/auth.md#rate-limits, issue 6 §5): Workers Rate Limiting per tenant on the user
 * routes of every dialect, per client address and per client id / e-mail on the token endpoints. This file runs in the
 * "workers-limits" project of vitest.config.ts: RATE_LIMITS on, the bindings shrunk to 5 requests
 * per 10 s (users) and 3 per 60 s (tokens), the periods of wrangler.toml. The exact login lockout
 * (10 failures, in D1) is tested in test/auth/token.test.ts; this is the limiter in front of it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, create, freshTenant, unique, type Reply, type Tenant } from "../harness";
import { validate } from "../worth/contract";

const USER_LIMIT = 5;
const USER_PERIOD = 10;
const TOKEN_LIMIT = 3;
const TOKEN_PERIOD = 60;
/** TOKEN_IP_RATE_LIMITER in vitest.config.ts (200 in wrangler.toml). */
const ADDRESS_LIMIT = 40;

/**
 * Miniflare's limiter counts in windows aligned to the wall clock; a test starts at the beginning
 * of a window when the current one has too little left, so no window rolls over mid-test.
 */
async function freshWindow(period: number, needSeconds: number): Promise<void> {
  const left = period - ((Date.now() / 1000) % period);
  if (left < needSeconds) await new Promise((r) => setTimeout(r, (left + 0.3) * 1000));
}

type Doc = Parameters<typeof validate>[0];
let doc: Doc;

/** The reply's status is declared for the operation in /doc and its body fits the declared schema. */
function expectDocumented(r: Reply, path: string, method: string): void {
  const op = (doc.paths[path] as Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>)[method]!;
  const res = op.responses[String(r.status)];
  expect(res, `${method} ${path} does not document ${r.status}`).toBeDefined();
  const schema = res!.content?.["application/json"]?.schema;
  if (schema) expect(validate(doc, schema, r.body)).toEqual([]);
}

interface World {
  t: Tenant;
  customer: { id: string; key: string };
  projectKey: string;
}

async function world(): Promise<World> {
  const t = await freshTenant();
  const projectKey = unique("p").toLowerCase();
  const project = await create(t, "projects", { key: projectKey, name: "P" });
  const customer = await create(t, "customers", { name: "C", projectId: project.id, key: unique("c") });
  return { t, customer, projectKey };
}

const worth = (w: World) => call("GET", `/auth/api/v1/customers/${w.customer.id}/users`, { token: w.t.admin });
const corti = (w: World) => call("GET", `/functions/v1/public/projects/${w.projectKey}/customers/${w.customer.key}/users`, { token: w.t.admin });
const cloudcockpit = (w: World) => call("GET", `/v1/customer/${w.customer.id}/users`, { token: w.t.admin, headers: { "x-tenant": w.t.domain } });

let a: World;
let b: World;
beforeAll(async () => {
  doc = (await call("GET", "/doc", { expect: 200 })).body as Doc;
  [a, b] = [await world(), await world()];
});

describe("per tenant on the user routes", () => {
  it(`after ${USER_LIMIT} requests in ${USER_PERIOD} s a tenant gets 429 + Retry-After in every dialect's body; another tenant does not`, async () => {
    await freshWindow(USER_PERIOD, 6);
    for (let i = 0; i < USER_LIMIT; i++) expect((await worth(a)).status).toBe(200);

    const w = await worth(a);
    expect({ status: w.status, body: w.body }).toEqual({ status: 429, body: { message: "Too Many Requests", errorCode: "ERR_TOO_MANY_REQUESTS" } });
    expect(w.headers.get("retry-after")).toBe(String(USER_PERIOD));
    expectDocumented(w, "/auth/api/v1/customers/{customerID}/users", "get");

    // One bucket per tenant, whichever dialect spends it.
    const c = await corti(a);
    expect(c.status).toBe(429);
    expect(c.body).toEqual({ message: expect.any(String), code: "TOO_MANY_REQUESTS" });
    expect(c.headers.get("retry-after")).toBe(String(USER_PERIOD));
    expectDocumented(c, "/functions/v1/public/projects/{projectId}/customers/{customerId}/users", "get");

    const cc = await cloudcockpit(a);
    expect(cc.status).toBe(429);
    expect(cc.body).toEqual({ statusCode: 429, type: "TooManyRequests", description: expect.any(String), correlationId: cc.headers.get("x-correlation-id"), errors: [] });
    expect(cc.headers.get("retry-after")).toBe(String(USER_PERIOD));
    expectDocumented(cc, "/v1/customer/{customerId}/users", "get");

    // The other tenant spends its own bucket.
    for (const send of [worth, corti, cloudcockpit]) expect((await send(b)).status).toBe(200);
    // The admin API is not a user route: a limited tenant can still be administered.
    expect((await call("GET", `/api/v1/tenants/${a.t.id}/customers`, { token: a.t.admin })).status).toBe(200);
  });
});

describe("per client id and per e-mail on the token endpoints", () => {
  it(`client credentials: ${TOKEN_LIMIT} per ${TOKEN_PERIOD} s per client id (wrong secrets count), then 429 slow_down with Retry-After; other clients unaffected`, async () => {
    await freshWindow(TOKEN_PERIOD, 10);
    const mk = () => call("POST", `/api/v1/tenants/${a.t.id}/accounts`, { token: a.t.admin, body: { name: "c", role: "tenant_admin", scopes: ["users:read"] }, expect: 201 });
    const [x, y] = [(await mk()).body, (await mk()).body];
    const token = (id: string, secret: string) => call("POST", "/auth/token", { body: { grant_type: "client_credentials", client_id: id, client_secret: secret } });
    expect((await token(x.clientId, "wrong-secret")).status).toBe(401);
    for (let i = 1; i < TOKEN_LIMIT; i++) expect((await token(x.clientId, x.clientSecret)).status).toBe(200);
    const limited = await token(x.clientId, x.clientSecret);
    expect({ status: limited.status, body: limited.body }).toEqual({ status: 429, body: { error: "slow_down", error_description: expect.any(String) } });
    expect(limited.headers.get("retry-after")).toBe(String(TOKEN_PERIOD));
    expect(limited.headers.get("cache-control")).toBe("no-store");
    expectDocumented(limited, "/auth/token", "post");
    // The same client through HTTP Basic is the same bucket.
    const basic = await call("POST", "/auth/token", {
      raw: "grant_type=client_credentials",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${btoa(`${x.clientId}:${x.clientSecret}`)}` },
    });
    expect(basic.status).toBe(429);
    expect((await token(y.clientId, y.clientSecret)).status).toBe(200);
  });

  it(`e-mail and password: ${TOKEN_LIMIT} per ${TOKEN_PERIOD} s per e-mail (any case, either mount), then 429 in Corti's body; other e-mails unaffected`, async () => {
    await freshWindow(TOKEN_PERIOD, 10);
    const password = "Rate-limit-P@ssw0rd-123";
    // A tenant of its own: the first test spent the user-route buckets of a and b.
    const c = await world();
    const users = `/functions/v1/public/projects/${c.projectKey}/customers/${c.customer.key}/users`;
    const [u, v] = [`${unique("rl")}@limits.example.com`, `${unique("rl")}@limits.example.com`];
    for (const email of [u, v]) await call("POST", users, { token: c.t.admin, body: { email, firstName: "R", lastName: "L", password }, expect: 201 });
    const login = (email: string, path = "/auth/token") => call("POST", path, { body: { email, password } });
    expect((await login(u)).status).toBe(200);
    expect((await login(u.toUpperCase(), "/functions/v1/public/auth/token")).status).toBe(200);
    expect((await login(` ${u} `)).status).toBe(200);
    const limited = await login(u, "/functions/v1/public/auth/token");
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ message: expect.any(String), code: "TOO_MANY_REQUESTS" });
    expect(limited.headers.get("retry-after")).toBe(String(TOKEN_PERIOD));
    expectDocumented(limited, "/functions/v1/public/auth/token", "post");
    expect((await login(u)).status).toBe(429);
    expect((await login(v)).status).toBe(200);
  });

  it(`per client address: ${ADDRESS_LIMIT} token requests per ${TOKEN_PERIOD} s, whatever the grant, client id or e-mail; then 429 in the grant's wire`, async () => {
    await freshWindow(TOKEN_PERIOD, 20);
    // Fresh unknown client ids and e-mails each stay under their own limit: only the address limit stops them.
    const ip = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    const from = (addr: string) => ({ "cf-connecting-ip": addr });
    const statuses: number[] = [];
    for (let i = 0; i < ADDRESS_LIMIT; i++) {
      const r =
        i % 2 === 0
          ? await call("POST", "/auth/token", { headers: from(ip), body: { grant_type: "client_credentials", client_id: unique("nobody"), client_secret: "x".repeat(40) } })
          : await call("POST", "/functions/v1/public/auth/token", { headers: from(ip), body: { email: `${unique("nobody")}@limits.example.com`, password: "wrong-password-123456" } });
      statuses.push(r.status);
    }
    expect(statuses).toEqual(Array.from({ length: ADDRESS_LIMIT }, () => 401));
    const oauth = await call("POST", "/auth/token", { headers: from(ip), body: { grant_type: "client_credentials", client_id: unique("nobody"), client_secret: "x".repeat(40) } });
    expect(oauth.status).toBe(429);
    expect(oauth.body).toEqual({ error: "slow_down", error_description: "Too many token requests." });
    expect(oauth.headers.get("retry-after")).toBe(String(TOKEN_PERIOD));
    const cortiLogin = await call("POST", "/functions/v1/public/auth/token", { headers: from(ip), body: { email: `${unique("nobody")}@limits.example.com`, password: "wrong-password-123456" } });
    expect(cortiLogin.status).toBe(429);
    expect(cortiLogin.body).toEqual({ message: expect.any(String), code: "TOO_MANY_REQUESTS" });
    expect(cortiLogin.headers.get("retry-after")).toBe(String(TOKEN_PERIOD));
    expectDocumented(cortiLogin, "/functions/v1/public/auth/token", "post");
    // Another address is unaffected.
    const other = await call("POST", "/auth/token", { headers: from("198.51.100.0"), body: { grant_type: "client_credentials", client_id: unique("nobody"), client_secret: "x".repeat(40) } });
    expect({ status: other.status, body: other.body }).toEqual({ status: 401, body: { error: "invalid_client", error_description: "Client authentication failed." } });
  });
});
