/**
 * Where a request's CPU goes, without D1's network: the real app (src/app.ts) in Node, over an
 * in-memory SQLite (node:sqlite) behind a D1-shaped shim, with the committed migrations and the
 * bench's data. Each hot route runs PROFILE_N times after a warm-up; the V8 CPU profile of the
 * measured part is summarised by where the self time was spent (our code, drizzle, hono, zod, jose,
 * SQLite, the rest), per route. `npm run bench:profile`; PROFILE_N (default 3000) per route.
 *
 * SQLite runs synchronously here, so "sqlite" is the database's own work that the D1 floor pays too;
 * everything else is JavaScript the product adds on top of it.
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Session } from "node:inspector/promises";
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import { timingSafeEqual } from "node:crypto";
import { buildApp } from "../src/app";

// The one Workers-only API on these paths (Node's WebCrypto lacks it).
const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual?: (a: ArrayBuffer | ArrayBufferView, b: ArrayBuffer | ArrayBufferView) => boolean };
subtle.timingSafeEqual ??= (a, b) => timingSafeEqual(new Uint8Array(a as ArrayBuffer), new Uint8Array(b as ArrayBuffer));

const root = join(import.meta.dirname, "..");
const N = Number(process.env.PROFILE_N ?? 3000);
const USERS = Number(process.env.PROFILE_USERS ?? 10_000);

// ---- a D1 binding over node:sqlite -------------------------------------------------------------
const sqlite = new DatabaseSync(":memory:");
for (const f of readdirSync(join(root, "migrations")).filter((f) => f.endsWith(".sql")).sort()) {
  for (const stmt of readFileSync(join(root, "migrations", f), "utf8").split("--> statement-breakpoint")) if (stmt.trim()) sqlite.exec(stmt);
}

type Row = Record<string, unknown>;
class Stmt {
  constructor(
    readonly statement: string,
    readonly params: unknown[] = [],
  ) {}
  bind(...params: unknown[]) {
    return new Stmt(this.statement, params);
  }
  private run_(): { rows: Row[]; changes: number } {
    const st = sqlite.prepare(this.statement);
    const params = this.params.map((p) => (typeof p === "boolean" ? Number(p) : p)) as SQLInputValue[];
    if (/^\s*(select|with)\b/i.test(this.statement) || /\breturning\b/i.test(this.statement)) return { rows: st.all(...params) as Row[], changes: 0 };
    return { rows: [], changes: Number(st.run(...params).changes) };
  }
  result() {
    const { rows, changes } = this.run_();
    return { success: true, results: rows, meta: { changes } };
  }
  async all() {
    return this.result();
  }
  async run() {
    return this.result();
  }
  async first(col?: string) {
    const row = this.run_().rows[0] ?? null;
    return row === null ? null : col === undefined ? row : row[col];
  }
  async raw(o?: { columnNames?: boolean }) {
    const rows = this.run_().rows;
    const arrays = rows.map((r) => Object.values(r));
    return o?.columnNames ? [Object.keys(rows[0] ?? {}), ...arrays] : arrays;
  }
}
const session = {
  prepare: (q: string) => new Stmt(q),
  async batch(stmts: Stmt[]) {
    sqlite.exec("begin");
    try {
      const out = stmts.map((s) => s.result());
      sqlite.exec("commit");
      return out;
    } catch (e) {
      sqlite.exec("rollback");
      throw e;
    }
  },
  getBookmark: () => "00000000-00000001-00000000-00000000000000000000000000000000",
};
const DB = { ...session, withSession: () => session };

const env = {
  DB,
  JWT_SECRET: "profile-jwt-secret-0123456789abcdef0123456789",
  JWT_ISSUER: "customer-users",
  JWT_AUDIENCE: "customer-users-api",
  TOKEN_TTL_SECONDS: "3600",
  BOOTSTRAP_CLIENT_ID: "bootstrap",
  BOOTSTRAP_CLIENT_SECRET: "profile-bootstrap-secret-0123456789abcdef",
  PASSWORD_PEPPER: "profile-pepper-0123456789abcdef",
  RATE_LIMITS: "off",
  REQUEST_LOG: process.env.PROFILE_LOG ?? "off",
  SERVER_TIMING: "off",
  JWKS_URL: "",
};
const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} };
const app = buildApp();

async function call(method: string, path: string, o: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.body !== undefined) headers["content-type"] = "application/json";
  const res = await app.request(`http://bench.test${path}`, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) }, env, ctx as never);
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text ? (JSON.parse(text) as Record<string, unknown> & { id: string }) : ({} as Record<string, unknown> & { id: string });
}

// ---- seed through the admin API, users by SQL (as bench/run.mjs does) ----------------------------
const boot = (await call("POST", "/auth/token", { body: { grant_type: "client_credentials", client_id: env.BOOTSTRAP_CLIENT_ID, client_secret: env.BOOTSTRAP_CLIENT_SECRET } })).access_token as string;
const tenant = await call("POST", "/api/v1/tenants", { token: boot, body: { domain: "profile.example.com", name: "Profile" } });
const T = `/api/v1/tenants/${tenant.id}`;
const subrole = await call("POST", `${T}/subroles`, { token: boot, body: { code: "member", label: "Member", displayName: "Member", permissions: ["customer_user:read", "customer_user:write"] } });
const customer = await call("POST", `${T}/customers`, { token: boot, body: { name: "Main" } });
const account = await call("POST", `${T}/accounts`, { token: boot, body: { name: "p", role: "tenant_admin", scopes: ["users:read", "users:write", "admin"] } });
const token = (await call("POST", "/auth/token", { body: { grant_type: "client_credentials", client_id: account.clientId, client_secret: account.clientSecret } })).access_token as string;
const insert = sqlite.prepare(
  "insert into users (id, tenant_id, customer_id, first_name, last_name, first_name_fold, last_name_fold, email, email_norm, status, email_verified, is_first_login, subrole_id, ext_auth_ref_id, created_at, created_by, updated_at, updated_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'ACTIVE', 0, 1, ?, ?, ?, 'seed', ?, 'seed')",
);
sqlite.exec("begin");
const now = Date.now() - USERS * 10;
for (let i = 0; i < USERS; i++) {
  const id = `b0000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
  const [first, last, email] = [`First${i % 997}`, `Last${i % 991}`, `user${i}@profile.test`];
  insert.run(id, tenant.id, customer.id, first, last, first.toLowerCase(), last.toLowerCase(), email, email, subrole.id, id, now + i * 10, now + i * 10);
}
sqlite.exec("commit");
const someUser = "b0000000-0000-4000-8000-000000000042";

let seq = 0;
const W = `/auth/api/v1/customers/${customer.id}/users`;
const routes: [string, () => Promise<unknown>][] = [
  ["Worth list (page 1, 10 items)", () => call("GET", `${W}?page=1&items_per_page=10`, { token })],
  ["Worth get by id", () => call("GET", `${W}/${someUser}`, { token })],
  ["Worth create", () => call("POST", W, { token, body: { first_name: "W", last_name: "B", email: `w${seq++}@profile.test`, subrole: { id: subrole.id, code: "member", label: "Member" } } })],
  // The cost of an Idempotency-Key (docs/concurrency.md): the same create with a fresh key each time, and a replayed retry.
  [
    "Worth create + Idempotency-Key",
    () => call("POST", W, { token, headers: { "idempotency-key": `p-${seq}` }, body: { first_name: "W", last_name: "B", email: `k${seq++}@profile.test`, subrole: { id: subrole.id, code: "member", label: "Member" } } }),
  ],
  [
    "Worth create, replayed (same key)",
    () => call("POST", W, { token, headers: { "idempotency-key": "p-replayed" }, body: { first_name: "W", last_name: "B", email: "replayed@profile.test", subrole: { id: subrole.id, code: "member", label: "Member" } } }),
  ],
  ["CloudCockpit create", () => call("POST", `/v1/customer/${customer.id}/users`, { token, headers: { "x-tenant": "profile.example.com" }, body: { firstName: "C", lastName: "B", email: `c${seq++}@profile.test`, groups: [] } })],
  ["CloudCockpit full list (10,000 users)", () => call("GET", `/v1/customer/${customer.id}/users`, { token, headers: { "x-tenant": "profile.example.com" } })],
];

// ---- profile -------------------------------------------------------------------------------------
interface Node {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount: number;
  children?: number[];
}
function bucket(url: string, fn: string): string {
  if (url === "" && /^\((program|garbage collector|idle)\)$/.test(fn)) return fn === "(garbage collector)" ? "gc" : "idle/program";
  if (url === "" || url.startsWith("node:")) return fn.includes("Statement") || ["all", "run", "exec", "prepare", "get"].includes(fn) ? "sqlite" : "node/runtime";
  if (url.includes("/bench/profile.ts")) return "sqlite (shim)";
  for (const lib of ["drizzle-orm", "hono", "zod", "jose", "@hono/zod-openapi", "@asteasolutions", "ajv"]) if (url.includes(`/node_modules/${lib}/`)) return lib;
  if (url.includes("/node_modules/")) return "other libraries";
  if (url.includes("/src/")) return "our code (src/)";
  return "node/runtime";
}

const inspector = new Session();
inspector.connect();
await inspector.post("Profiler.enable");
await inspector.post("Profiler.setSamplingInterval", { interval: 100 });
const lines: string[] = [];
const summary: Record<string, { msPerRequest: number; shares: Record<string, number> }> = {};
for (const [name, run] of routes) {
  const n = name.includes("full list") ? Math.max(10, Math.round(N / 100)) : N;
  for (let i = 0; i < Math.min(200, n); i++) await run();
  await inspector.post("Profiler.start");
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await run();
  const ms = (performance.now() - t0) / n;
  const { profile } = (await inspector.post("Profiler.stop")) as unknown as { profile: { nodes: Node[] } };
  const self: Record<string, number> = {};
  const fns: Record<string, number> = {};
  let total = 0;
  for (const node of profile.nodes) {
    const b = bucket(node.callFrame.url, node.callFrame.functionName);
    self[b] = (self[b] ?? 0) + node.hitCount;
    const fn = `${node.callFrame.functionName || "(anonymous)"} [${b === "node/runtime" || b === "our code (src/)" ? node.callFrame.url.replace(/^.*\/(src|node_modules)\//, "$1/") || "native" : b}]`;
    fns[fn] = (fns[fn] ?? 0) + node.hitCount;
    total += node.hitCount;
  }
  const top = Object.entries(fns).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k} ${Math.round((1000 * v) / total) / 10}%`);
  const shares = Object.fromEntries(Object.entries(self).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round((1000 * v) / total) / 10]));
  summary[name] = { msPerRequest: Number(ms.toFixed(3)), shares, top } as never;
  lines.push(`${name}: ${ms.toFixed(3)} ms per request (Node ${process.version}, ${n} requests)`);
  lines.push(`  ${Object.entries(shares).map(([k, v]) => `${k} ${v}%`).join(" · ")}`);
  if (process.env.PROFILE_TOP) lines.push(`  top: ${top.join(" · ")}`);
}
console.log(lines.join("\n"));
mkdirSync(join(root, "bench", "results"), { recursive: true });
writeFileSync(join(root, "bench", "results", `profile-${new Date().toISOString().replace(/[:.]/g, "-")}.json`), JSON.stringify(summary, null, 2));
