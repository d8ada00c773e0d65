/**
 * Test harness: real HTTP calls into the Worker (through its default export, inside workerd),
 * real tokens from the real token endpoint or signed with the real secret, and fresh tenants per
 * test so no test depends on another's data.
 */
import { env, exports } from "cloudflare:workers";
import { SignJWT, type JWTPayload } from "jose";
import { expect } from "vitest";

export interface Reply<T = any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- bodies are asserted field by field
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface CallOptions {
  token?: string | undefined;
  body?: unknown;
  /** Sent as is (no JSON encoding), with its own content type. */
  raw?: BodyInit;
  headers?: Record<string, string>;
  /** When set, a different status throws with the whole body, so failures say why. */
  expect?: number;
}

export const BASE = "http://api.test";

export async function call<T = any>(method: string, path: string, o: CallOptions = {}): Promise<Reply<T>> { // eslint-disable-line @typescript-eslint/no-explicit-any -- see Reply
  const headers: Record<string, string> = { ...o.headers };
  if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
  let body: BodyInit | undefined = o.raw;
  if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body }));
  const text = await res.text();
  let parsed: unknown = text;
  // JSON and its +json kinds (problem+json, scim+json); not NDJSON, which is read line by line.
  if (text.length > 0 && /^application\/(?:[\w.-]+\+)?json\b/i.test(res.headers.get("content-type") ?? "")) parsed = JSON.parse(text);
  if (o.expect !== undefined && res.status !== o.expect) {
    throw new Error(`${method} ${path}: expected ${o.expect}, got ${res.status}: ${text.slice(0, 2000)}`);
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

export const TEST_ISSUER = "customer-users";
export const TEST_AUDIENCE = "customer-users-api";

/** Signs any payload with the Worker's real secret (for claim-level attacks and unusual roles). */
export async function sign(payload: JWTPayload, opts: { secret?: string; header?: Record<string, unknown>; now?: number; ttl?: number } = {}): Promise<string> {
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const claims: JWTPayload = {
    iss: TEST_ISSUER,
    aud: TEST_AUDIENCE,
    iat: now,
    exp: now + (opts.ttl ?? 600),
    token_use: "access",
    ...payload,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT", ...opts.header })
    .sign(new TextEncoder().encode(opts.secret ?? env.JWT_SECRET));
}

/** A token from the real endpoint, by client credentials. */
export async function clientToken(clientId: string, clientSecret: string, scope?: string): Promise<string> {
  const r = await call("POST", "/auth/token", {
    body: { grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret, ...(scope ? { scope } : {}) },
    expect: 200,
  });
  return r.body.access_token as string;
}

let platform: Promise<string> | undefined;
export function platformToken(): Promise<string> {
  platform ??= clientToken(env.BOOTSTRAP_CLIENT_ID, env.BOOTSTRAP_CLIENT_SECRET);
  return platform;
}

let seq = 0;
export function unique(prefix: string): string {
  seq++;
  return `${prefix}-${Date.now().toString(36)}-${seq}-${crypto.randomUUID().slice(0, 8)}`;
}

export interface Tenant {
  id: string;
  domain: string;
  /** tenant_admin token with every scope, from a real account and the real token endpoint. */
  admin: string;
  adminClientId: string;
}

/** A new tenant with a tenant_admin account, created through the admin API. */
export async function freshTenant(): Promise<Tenant> {
  const token = await platformToken();
  const domain = `${unique("t")}.example.com`;
  const t = await call("POST", "/api/v1/tenants", { token, body: { domain, name: `Tenant ${domain}` }, expect: 201 });
  const acct = await call("POST", `/api/v1/tenants/${t.body.id}/accounts`, {
    token,
    body: { name: "admin", role: "tenant_admin", scopes: ["users:read", "users:write", "admin"] },
    expect: 201,
  });
  return { id: t.body.id, domain, admin: await clientToken(acct.body.clientId, acct.body.clientSecret), adminClientId: acct.body.clientId };
}

/** POSTs a tenant resource through the admin API and returns its body. */
export async function create(tenant: Tenant, kind: string, body: Record<string, unknown>): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- see Reply
  return (await call("POST", `/api/v1/tenants/${tenant.id}/${kind}`, { token: tenant.admin, body, expect: 201 })).body;
}

/** Asserts an RFC 9457 problem body, whole. */
export function expectProblem(r: Reply, status: number, code: string, extra: Record<string, unknown> = {}) {
  expect(r.status).toBe(status);
  expect(r.headers.get("content-type")).toBe("application/problem+json");
  expect(r.body).toMatchObject({ type: "about:blank", status, code, correlationId: r.headers.get("x-correlation-id"), ...extra });
  expect(typeof r.body.title).toBe("string");
  expect(typeof r.body.detail).toBe("string");
}

/** D1 round trips of a response (from Server-Timing, on in tests). */
export function dbTrips(r: Reply): number {
  const m = /db;desc="(\d+)"/.exec(r.headers.get("server-timing") ?? "");
  if (!m) throw new Error("no Server-Timing db entry");
  return Number(m[1]);
}
