/**
 * Response hygiene (issue 6): `Cache-Control: no-store` on every authenticated and every token
 * response, `WWW-Authenticate: Bearer` on every 401 (CloudCockpit's too, whose 401 has no body), no
 * CORS wildcard with credentials, undocumented paths and methods answered 404 / 405 (with `Allow`)
 * in the dialect's own body, and `X-Correlation-Id` echoed on every response.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { scimToken } from "../scim/helpers";
import { call, clientToken, create, freshTenant, platformToken, sign, unique, type CallOptions, type Reply, type Tenant } from "../harness";
import type { Surface } from "./matrix.data";
import { expectSurfaceError } from "./matrix.surfaces";
import { SURFACES, surfaceOf, type SurfaceName } from "../../src/surfaces";

const CORTI = "/functions/v1/public";
const PASSWORD = "Hygiene$ecret-passw0rd";
const CHALLENGE = 'Bearer realm="customer-users"';

let t: Tenant;
let platform: string;
let customer: { id: string; key: string; projectKey: string; usersPath: string };
let user: { id: string; email: string };
let account: { clientId: string; clientSecret: string };
let customerToken: string;
let scimTok: string;
let noScope: string;

beforeAll(async () => {
  [t, platform] = await Promise.all([freshTenant(), platformToken()]);
  const projectKey = unique("hyg").toLowerCase();
  const project = await create(t, "projects", { key: projectKey, name: "Hygiene" });
  const key = unique("cust");
  const c = await create(t, "customers", { name: "Hygiene", projectId: project.id, key });
  customer = { id: c.id, key, projectKey, usersPath: `${CORTI}/projects/${projectKey}/customers/${key}/users` };
  const email = `${unique("hyg")}@example.com`;
  const u = await call("POST", customer.usersPath, { token: t.admin, body: { email, firstName: "H", lastName: "Y", password: PASSWORD }, expect: 201 });
  user = { id: u.body.id, email };
  const a = await create(t, "accounts", { name: "Hygiene app", role: "customer", customerId: c.id, scopes: ["users:read", "users:write"] });
  account = { clientId: a.clientId, clientSecret: a.clientSecret };
  customerToken = await clientToken(a.clientId, a.clientSecret);
  scimTok = await scimToken(t, c.id);
  noScope = await sign({ sub: crypto.randomUUID(), role: "customer", tenant_id: t.id, customer_id: c.id, scope: "" });
});

/** A fresh Corti user of the customer (for deletes). */
async function freshUser(): Promise<{ id: string; email: string }> {
  const email = `${unique("gone")}@example.com`;
  const r = await call("POST", customer.usersPath, { token: t.admin, body: { email, firstName: "G", lastName: "O" }, expect: 201 });
  return { id: r.body.id, email };
}

interface Case {
  label: string;
  surface: Surface;
  status: number;
  request: () => Promise<[method: string, path: string, options: CallOptions]>;
  /** Replaces the surface's error check (token errors speak OAuth). */
  check?: (r: Reply) => void;
}

const json = (body: unknown, token?: string, headers: Record<string, string> = {}): CallOptions => ({ body, headers, ...(token ? { token } : {}) });
const rid = () => crypto.randomUUID();
const xt = () => ({ "x-tenant": t.domain });
const oauthError = (error: string) => (r: Reply) => {
  expect(r.body).toEqual({ error, error_description: expect.any(String) });
  expect(r.headers.get("content-type")).toMatch(/^application\/json/);
};

/** Authenticated and token responses of every surface: successes and each kind of error. */
const CASES: Case[] = [
  // Admin API
  { label: "admin GET", surface: "admin", status: 200, request: async () => ["GET", `/api/v1/tenants/${t.id}`, { token: t.admin }] },
  { label: "admin POST", surface: "admin", status: 201, request: async () => ["POST", `/api/v1/tenants/${t.id}/groups`, json({ name: unique("g") }, t.admin)] },
  {
    label: "admin DELETE",
    surface: "admin",
    status: 204,
    request: async () => ["DELETE", `/api/v1/tenants/${t.id}/groups/${(await create(t, "groups", { name: unique("g") })).id}`, { token: t.admin }],
  },
  { label: "admin 400", surface: "admin", status: 400, request: async () => ["PATCH", `/api/v1/tenants/${t.id}`, json({ nope: 1 }, t.admin)] },
  { label: "admin 401 (no token)", surface: "admin", status: 401, request: async () => ["GET", `/api/v1/tenants/${t.id}`, {}] },
  { label: "admin 401 (bad token)", surface: "admin", status: 401, request: async () => ["GET", `/api/v1/tenants/${t.id}`, { token: "a.b.c" }] },
  { label: "admin 403", surface: "admin", status: 403, request: async () => ["GET", `/api/v1/tenants/${t.id}`, { token: customerToken }] },
  { label: "admin 404", surface: "admin", status: 404, request: async () => ["GET", `/api/v1/tenants/${t.id}/groups/${rid()}`, { token: t.admin }] },
  { label: "admin 405", surface: "admin", status: 405, request: async () => ["PUT", "/api/v1/tenants", { token: platform }] },
  { label: "admin 415", surface: "admin", status: 415, request: async () => ["POST", `/api/v1/tenants/${t.id}/groups`, { token: t.admin, raw: "name=x", headers: { "content-type": "text/plain" } }] },
  // Worth
  { label: "Worth GET", surface: "worth", status: 200, request: async () => ["GET", `/auth/api/v1/customers/${customer.id}/users`, { token: customerToken }] },
  { label: "Worth 400", surface: "worth", status: 400, request: async () => ["POST", `/auth/api/v1/customers/${customer.id}/users`, json({}, customerToken)] },
  { label: "Worth 401 (no token)", surface: "worth", status: 401, request: async () => ["GET", `/auth/api/v1/customers/${customer.id}/users`, {}] },
  { label: "Worth 401 (Basic)", surface: "worth", status: 401, request: async () => ["GET", `/auth/api/v1/customers/${customer.id}/users`, { headers: { authorization: `Basic ${customerToken}` } }] },
  { label: "Worth 403", surface: "worth", status: 403, request: async () => ["GET", `/auth/api/v1/customers/${customer.id}/users`, { token: noScope }] },
  { label: "Worth 404", surface: "worth", status: 404, request: async () => ["GET", `/auth/api/v1/customers/${rid()}/users`, { token: t.admin }] },
  { label: "Worth 405", surface: "worth", status: 405, request: async () => ["PUT", `/auth/api/v1/customers/${customer.id}/users`, { token: customerToken }] },
  { label: "Worth 415", surface: "worth", status: 415, request: async () => ["POST", `/auth/api/v1/customers/${customer.id}/users`, { token: customerToken, raw: "x", headers: { "content-type": "text/plain" } }] },
  // Corti
  { label: "Corti GET", surface: "corti", status: 200, request: async () => ["GET", customer.usersPath, { token: customerToken }] },
  { label: "Corti POST", surface: "corti", status: 201, request: async () => ["POST", customer.usersPath, json({ email: `${unique("c")}@example.com`, firstName: "C", lastName: "O" }, customerToken)] },
  { label: "Corti DELETE", surface: "corti", status: 204, request: async () => ["DELETE", `${customer.usersPath}/${(await freshUser()).id}`, { token: customerToken }] },
  { label: "Corti 400", surface: "corti", status: 400, request: async () => ["POST", customer.usersPath, json({ email: 1 }, customerToken)] },
  { label: "Corti 401", surface: "corti", status: 401, request: async () => ["GET", customer.usersPath, {}] },
  { label: "Corti 403", surface: "corti", status: 403, request: async () => ["GET", customer.usersPath, { token: noScope }] },
  { label: "Corti 404", surface: "corti", status: 404, request: async () => ["GET", `${CORTI}/projects/${customer.projectKey}/customers/${unique("none")}/users`, { token: t.admin }] },
  { label: "Corti 405", surface: "corti", status: 405, request: async () => ["PUT", customer.usersPath, { token: customerToken }] },
  { label: "Corti 415", surface: "corti", status: 415, request: async () => ["POST", customer.usersPath, { token: customerToken, raw: "x", headers: { "content-type": "text/plain" } }] },
  // CloudCockpit
  { label: "CloudCockpit GET", surface: "cloudcockpit", status: 200, request: async () => ["GET", `/v1/customer/${customer.id}/users`, { token: customerToken, headers: xt() }] },
  {
    label: "CloudCockpit POST",
    surface: "cloudcockpit",
    status: 201,
    request: async () => ["POST", `/v1/customer/${customer.id}/users`, json({ firstName: "C", lastName: "C", email: `${unique("cc")}@example.com`, groups: [] }, customerToken, xt())],
  },
  {
    label: "CloudCockpit DELETE",
    surface: "cloudcockpit",
    status: 204,
    request: async () => ["DELETE", `/v1/users/${encodeURIComponent((await freshUser()).email)}`, { token: customerToken, headers: xt() }],
  },
  { label: "CloudCockpit 400 (no X-Tenant)", surface: "cloudcockpit", status: 400, request: async () => ["GET", `/v1/customer/${customer.id}/users`, { token: customerToken }] },
  { label: "CloudCockpit 401", surface: "cloudcockpit", status: 401, request: async () => ["GET", `/v1/customer/${customer.id}/users`, { headers: xt() }] },
  { label: "CloudCockpit 403", surface: "cloudcockpit", status: 403, request: async () => ["GET", `/v1/customer/${customer.id}/users`, { token: noScope, headers: xt() }] },
  { label: "CloudCockpit 404", surface: "cloudcockpit", status: 404, request: async () => ["GET", `/v1/customer/${rid()}/users`, { token: t.admin, headers: xt() }] },
  { label: "CloudCockpit 405", surface: "cloudcockpit", status: 405, request: async () => ["PUT", "/v1/users", { token: customerToken, headers: xt() }] },
  {
    label: "CloudCockpit 415",
    surface: "cloudcockpit",
    status: 415,
    request: async () => ["POST", `/v1/customer/${customer.id}/users`, { token: customerToken, raw: "x", headers: { ...xt(), "content-type": "text/plain" } }],
  },
  // Token endpoints
  {
    label: "token: client credentials (JSON)",
    surface: "oauth",
    status: 200,
    request: async () => ["POST", "/auth/token", json({ grant_type: "client_credentials", client_id: account.clientId, client_secret: account.clientSecret })],
  },
  {
    label: "token: client credentials (form)",
    surface: "oauth",
    status: 200,
    request: async () => [
      "POST",
      "/auth/token",
      { raw: new URLSearchParams({ grant_type: "client_credentials", client_id: account.clientId, client_secret: account.clientSecret }).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } },
    ],
  },
  {
    label: "token: client credentials (HTTP Basic)",
    surface: "oauth",
    status: 200,
    request: async () => ["POST", "/auth/token", json({ grant_type: "client_credentials" }, undefined, { authorization: `Basic ${btoa(`${account.clientId}:${account.clientSecret}`)}` })],
  },
  { label: "token: unsupported grant", surface: "oauth", status: 400, check: oauthError("unsupported_grant_type"), request: async () => ["POST", "/auth/token", json({ grant_type: "password" })] },
  {
    label: "token: invalid client",
    surface: "oauth",
    status: 401,
    check: oauthError("invalid_client"),
    request: async () => ["POST", "/auth/token", json({ grant_type: "client_credentials", client_id: account.clientId, client_secret: "wrong" })],
  },
  { label: "token: 415", surface: "oauth", status: 415, check: oauthError("invalid_request"), request: async () => ["POST", "/auth/token", { raw: "x", headers: { "content-type": "text/plain" } }] },
  { label: "Corti login", surface: "cortiLogin", status: 200, request: async () => ["POST", `${CORTI}/auth/token`, json({ email: user.email, password: PASSWORD })] },
  { label: "Corti login: wrong password", surface: "cortiLogin", status: 401, request: async () => ["POST", `${CORTI}/auth/token`, json({ email: user.email, password: "wrong-password-wrong" })] },
  { label: "Corti login: 400", surface: "cortiLogin", status: 400, request: async () => ["POST", `${CORTI}/auth/token`, json({ email: user.email })] },
];

/** Sends a case with a client correlation id; checks status, body, Cache-Control, the echo and the 401 challenge. */
async function runCase(c: Case): Promise<string | undefined> {
  const [method, path, o] = await c.request();
  // A uuid: CloudCockpit documents its X-Correlation-Id as one (and refuses anything else with 400).
  const correlationId = crypto.randomUUID();
  const r = await call(method, path, { ...o, headers: { ...o.headers, "x-correlation-id": correlationId } });
  try {
    expect(r.status, r.text).toBe(c.status);
    if (c.check) c.check(r);
    else if (c.status >= 400) expectSurfaceError(c.surface, r, c.status);
    expect(r.headers.get("cache-control"), "Cache-Control").toBe("no-store");
    expect(r.headers.get("x-correlation-id"), "X-Correlation-Id echoed").toBe(correlationId);
    if (c.status === 401) expect(r.headers.get("www-authenticate"), "WWW-Authenticate").toBe(CHALLENGE);
    if (c.status === 405) expect(r.headers.get("allow"), "Allow").toMatch(/^[A-Z]+(, [A-Z]+)*$/);
    return undefined;
  } catch (e) {
    return `${c.label} (${method} ${path}): ${(e as Error).message.split("\n")[0]} — got ${r.status} ${r.text.slice(0, 200)}`;
  }
}

describe("response hygiene", () => {
  it("every authenticated and every token response: Cache-Control no-store, the correlation id echoed, the dialect's body, a challenge on 401", async () => {
    const failures: string[] = [];
    for (const c of CASES) {
      const f = await runCase(c);
      if (f) failures.push(f);
    }
    expect(failures).toEqual([]);
    // Each surface is covered with successes and errors.
    for (const s of ["admin", "worth", "corti", "cloudcockpit"] as const) {
      expect(CASES.filter((c) => c.surface === s).map((c) => c.status)).toEqual(expect.arrayContaining([200, 401, 403, 404, 405, 415]));
    }
  });

  it("CloudCockpit's 401 has no body, like its 403, but the same Bearer challenge as every dialect", async () => {
    const r = await call("GET", `/v1/customer/${customer.id}/users`, { headers: { "x-tenant": t.domain, authorization: "Bearer not.a.token" } });
    expect({ status: r.status, text: r.text, type: r.headers.get("content-type"), challenge: r.headers.get("www-authenticate") }).toEqual({
      status: 401,
      text: "",
      type: null,
      challenge: CHALLENGE,
    });
    const forbidden = await call("GET", `/v1/customer/${customer.id}/users`, { token: noScope, headers: { "x-tenant": t.domain } });
    expect({ status: forbidden.status, text: forbidden.text, challenge: forbidden.headers.get("www-authenticate") }).toEqual({ status: 403, text: "", challenge: null });
  });

  it("HTTP Basic at the token endpoint is challenged with Basic (RFC 6749 §5.2)", async () => {
    const r = await call("POST", "/auth/token", json({ grant_type: "client_credentials" }, undefined, { authorization: `Basic ${btoa(`${account.clientId}:wrong`)}` }));
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: "invalid_client", error_description: expect.any(String) });
    expect(r.headers.get("www-authenticate")).toBe('Basic realm="customer-users"');
    expect(r.headers.get("cache-control")).toBe("no-store");
  });
});

describe("CORS: never a wildcard (or a reflected origin) together with credentials", () => {
  const ORIGIN = "https://evil.example";
  const PATHS = () => [
    { surface: "admin" as Surface, path: `/api/v1/tenants/${t.id}`, token: t.admin },
    { surface: "worth" as Surface, path: `/auth/api/v1/customers/${customer.id}/users`, token: customerToken },
    { surface: "corti" as Surface, path: customer.usersPath, token: customerToken },
    { surface: "cloudcockpit" as Surface, path: `/v1/customer/${customer.id}/users`, token: customerToken },
    { surface: "admin" as Surface, path: "/auth/token", token: undefined },
    { surface: "corti" as Surface, path: `${CORTI}/auth/token`, token: undefined },
    { surface: "admin" as Surface, path: "/doc", token: undefined },
  ];
  const credentialedWildcard = (r: Reply) => {
    const origin = r.headers.get("access-control-allow-origin");
    const credentials = r.headers.get("access-control-allow-credentials");
    return credentials?.toLowerCase() === "true" && (origin === "*" || origin === ORIGIN || origin === "null");
  };

  it("an OPTIONS preflight: 405 with Allow in the dialect's body, no credentialed CORS", async () => {
    for (const p of PATHS()) {
      const r = await call("OPTIONS", p.path, {
        headers: { origin: ORIGIN, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type", "x-tenant": t.domain },
      });
      expect(credentialedWildcard(r), p.path).toBe(false);
      expect(r.headers.get("access-control-allow-origin"), p.path).not.toBe("*");
      expectSurfaceError(p.surface, r, 405);
      expect(r.headers.get("allow"), p.path).toMatch(/^(GET|POST)/);
    }
  });

  it("a GET / POST with an Origin header: no credentialed CORS either", async () => {
    for (const p of PATHS()) {
      const method = p.path.endsWith("/auth/token") ? "POST" : "GET";
      const r = await call(method, p.path, { headers: { origin: ORIGIN, "x-tenant": t.domain, ...(p.token ? { authorization: `Bearer ${p.token}` } : {}) }, ...(method === "POST" ? { body: {} } : {}) });
      expect(r.status, `${p.path}: ${r.text}`).toBeLessThan(500);
      expect(credentialedWildcard(r), p.path).toBe(false);
      expect(r.headers.get("access-control-allow-origin"), p.path).not.toBe("*");
    }
  });
});

describe("undocumented paths and methods, under each base", () => {
  interface Probe {
    /** A documented path under the surface's base, and the methods it answers. */
    known: string;
    allow: string;
    token: () => string;
    headers?: () => Record<string, string>;
  }
  /**
   * Known paths of each surface of the registry (src/surfaces.ts): a surface added there fails to
   * compile here until it has probes. The root (the token surface) answers in the admin API's body.
   */
  const PROBES: Record<SurfaceName, Probe[]> = {
    admin: [{ known: "/api/v1/tenants", allow: "POST, GET", token: () => platform }],
    token: [
      { known: "/auth/token", allow: "POST", token: () => platform },
      { known: "/doc", allow: "GET", token: () => platform },
    ],
    worth: [{ known: "/auth/api/v1/customers/{id}/users", allow: "POST, GET", token: () => customerToken }],
    corti: [
      { known: `${CORTI}/projects/{key}/customers`, allow: "POST, GET", token: () => t.admin },
      { known: `${CORTI}/auth/token`, allow: "POST", token: () => platform },
    ],
    cloudcockpit: [{ known: "/v1/users", allow: "GET", token: () => customerToken, headers: () => ({ "x-tenant": t.domain }) }],
    scim: [{ known: "/scim/v2/Users", allow: "GET, POST", token: () => scimTok }],
  };
  const BASES = SURFACES.flatMap((s) =>
    PROBES[s.name].map((p) => ({ ...p, base: s.base, surface: (s.name === "token" ? "admin" : s.name) as Surface })),
  );
  const fillKnown = (p: string) => p.replace("{id}", customer.id).replace("{key}", customer.projectKey);

  it("covers the base of every surface of the registry (src/surfaces.ts), each answering in its own renderer's body", () => {
    expect([...new Set(BASES.map((b) => b.base))].sort()).toEqual(SURFACES.map((s) => s.base).sort());
    for (const b of BASES) expect(surfaceOf(b.known).name === "token" ? "admin" : surfaceOf(b.known).name).toBe(b.surface);
  });

  it.each(BASES)("$known: every other method → 405 with Allow, for anyone, in the $surface body", async (b) => {
    for (const method of ["PUT", "DELETE", "PATCH", "POST", "GET", "OPTIONS", "TRACE"]) {
      if (b.allow.split(", ").includes(method)) continue;
      for (const authorization of [undefined, `Bearer ${b.token()}`]) {
        const r = await call(method, fillKnown(b.known), { headers: { ...b.headers?.(), ...(authorization ? { authorization } : {}) } });
        try {
          expectSurfaceError(b.surface, r, 405);
          expect(r.headers.get("allow")).toBe(b.allow);
          expect(r.headers.get("x-correlation-id")).toBeTruthy();
        } catch (e) {
          throw new Error(`${method} ${b.known} (${authorization ? "token" : "anonymous"}): got ${r.status} ${r.text}`, { cause: e });
        }
      }
    }
  });

  it.each(BASES.filter((b, i) => BASES.findIndex((x) => x.base === b.base) === i))("$base/…: an unknown path → 404 in the $surface body", async (b) => {
    for (const path of [`${b.base}/no-such-route`, `${b.base}/no/such/route`, `${fillKnown(b.known)}/`]) {
      const r = await call("GET", path, { token: b.token(), headers: b.headers?.() ?? {} });
      try {
        expectSurfaceError(b.surface, r, 404, b.surface === "worth" ? { message: "Route Not Found" } : undefined);
      } catch (e) {
        throw new Error(`GET ${path}: got ${r.status} ${r.text}`, { cause: e });
      }
    }
  });

  it("HEAD on a GET route is answered like the GET, without a body (not 405)", async () => {
    const r = await call("HEAD", `/api/v1/tenants/${t.id}`, { token: t.admin });
    expect({ status: r.status, text: r.text }).toEqual({ status: 200, text: "" });
  });
});

describe("X-Correlation-Id", () => {
  it("is generated when absent, replaced when unsafe, and echoed by every surface (CloudCockpit puts it in its body)", async () => {
    const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    for (const path of [`/api/v1/tenants/${t.id}`, `/auth/api/v1/customers/${customer.id}/users`, customer.usersPath, `/v1/customer/${rid()}/users`, "/doc", "/no-such-route"]) {
      const absent = await call("GET", path, { token: t.admin, headers: { "x-tenant": t.domain } });
      expect(absent.headers.get("x-correlation-id"), path).toMatch(UUID);
      const unsafe = await call("GET", path, { token: t.admin, headers: { "x-tenant": t.domain, "x-correlation-id": "a b<script>" } });
      expect(unsafe.headers.get("x-correlation-id"), path).toMatch(UUID);
      const mine = rid();
      const echoed = await call("GET", path, { token: t.admin, headers: { "x-tenant": t.domain, "x-correlation-id": mine } });
      expect(echoed.headers.get("x-correlation-id"), path).toBe(mine);
      if (path.startsWith("/v1/")) expect(echoed.body.correlationId).toBe(mine);
    }
  });
});
