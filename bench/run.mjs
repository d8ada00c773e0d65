// npm run bench — the product against its floor, on this machine, in one run.
//
// Starts the floor Worker (bench/floor) and the product under `wrangler dev` on loopback, each with
// its own fresh local D1, seeds the product through its own APIs (admin API for the tenant,
// customers, subrole and client; the users in bulk SQL while the product is stopped), then drives
// load from this process with autocannon, interleaving floor and product rounds (A B A B …) per
// scenario. Every figure is reported as a ratio to the floor measured in the same run.
//
// Environment: BENCH_ROUNDS (3), BENCH_DURATION (5 s), BENCH_WARMUP (1 s), BENCH_CONNECTIONS (16),
// BENCH_USERS (10000), BENCH_SCALE ("1000,100000": customer sizes for the list-latency check),
// BENCH_ONLY (a regular expression: only the scenarios whose names match, e.g. "create"),
// BENCH_WEBHOOKS (1000: user changes whose webhook deliveries are checked and timed; 0 skips it),
// BENCH_IMPORT (100000: users imported through the CLI; 0 skips the import check), BENCH_IMPORT_MB
// (100: the size of the file whose import's memory is measured; 0 skips it).
import autocannon from "autocannon";
import { root, start, stop, varArgs, wr } from "../scripts/lib/wrangler-dev.mjs";
import { spawn, spawnSync } from "node:child_process";
import { createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { clearInterval, setInterval } from "node:timers";

const state = join(root, "bench", ".state");
const cfg = {
  rounds: Number(process.env.BENCH_ROUNDS ?? 3),
  duration: Number(process.env.BENCH_DURATION ?? 5),
  warmup: Number(process.env.BENCH_WARMUP ?? 1),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 16),
  users: Number(process.env.BENCH_USERS ?? 10_000),
  scale: (process.env.BENCH_SCALE ?? "1000,100000").split(",").map(Number).filter((n) => n > 0),
  only: process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : null,
  webhooks: Number(process.env.BENCH_WEBHOOKS ?? 1000),
  import: Number(process.env.BENCH_IMPORT ?? 100_000),
  importMB: Number(process.env.BENCH_IMPORT_MB ?? 100),
};
const FLOOR_PORT = 8790;
const PRODUCT_PORT = 8791;
const SECRETS = {
  JWT_SECRET: "bench-jwt-secret-0123456789abcdef0123456789",
  BOOTSTRAP_CLIENT_ID: "bench-bootstrap",
  BOOTSTRAP_CLIENT_SECRET: "bench-bootstrap-secret-0123456789abcdef",
  PASSWORD_PEPPER: "bench-pepper-0123456789abcdef",
  RATE_LIMITS: "off",
  SERVER_TIMING: "off",
  REQUEST_LOG: "off",
  // The webhook check's receiver listens on loopback, over http (docs/webhooks.md#urls).
  WEBHOOKS_ALLOW_PRIVATE_URLS: "on",
  WEBHOOK_RETRY_BASE_SECONDS: "1",
};
const RECEIVER_PORT = 8795;
const INSPECTOR_PORT = 8796;

function log(...args) {
  console.log(...args);
}

async function api(method, path, { token, body, headers = {} } = {}) {
  const res = await fetch(`http://127.0.0.1:${PRODUCT_PORT}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { "content-type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const sqlValue = (v) => (v === null ? "NULL" : typeof v === "number" ? String(v) : `'${String(v).replace(/'/g, "''")}'`);

/** Bulk users as SQL (what would take minutes through the API for 100,000). */
/** Deterministic RFC 9562-shaped ids: `<prefix>-0000-4000-8000-<i>` (prefix: 8 hex digits). */
const benchId = (prefix, i) => `${prefix}-0000-4000-8000-${String(i).padStart(12, "0")}`;

function usersSql({ tenantId, customerId, count, prefix, subroleId, passwordHash = null, emailOf = (i) => `user${i}@${prefix}.bench.test` }) {
  const lines = [];
  const now = Date.now() - count * 10;
  for (let i = 0; i < count; i++) {
    const id = benchId(prefix, i);
    const email = emailOf(i);
    const [first, last] = [`First${i % 997}`, `Last${i % 991}`];
    const row = [id, tenantId, customerId, first, last, first.toLowerCase(), last.toLowerCase(), email, email, "ACTIVE", 0, 1, subroleId, passwordHash, id, now + i * 10, "bench", now + i * 10, "bench"];
    lines.push(`(${row.map(sqlValue).join(",")})`);
  }
  const out = [];
  // D1 refuses statements over 100 KB: 200 rows of ~300 bytes stay well under it.
  for (let i = 0; i < lines.length; i += 200) {
    out.push(
      `INSERT INTO users (id, tenant_id, customer_id, first_name, last_name, first_name_fold, last_name_fold, email, email_norm, status, email_verified, is_first_login, subrole_id, password_hash, ext_auth_ref_id, created_at, created_by, updated_at, updated_by) VALUES\n${lines.slice(i, i + 200).join(",\n")};`,
    );
  }
  return out.join("\n");
}

function passwordHash(password, pepper) {
  const peppered = createHmac("sha256", pepper).update(password.normalize("NFKC")).digest();
  const salt = randomBytes(16);
  return `pbkdf2-sha256$v=1$i=100000$${salt.toString("base64url")}$${pbkdf2Sync(peppered, salt, 100_000, 32, "sha256").toString("base64url")}`;
}

function execSql(file, persist, config) {
  wr(["d1", "execute", "DB", "--local", "--persist-to", persist, "--file", file, ...(config ? ["-c", config] : [])]);
}

/**
 * CPU time (ms) the workerd processes of a `wrangler dev` process group have used so far, from
 * /proc (utime + stime): the Worker and its local D1 both run there, for the floor as for the
 * product. Sampled around a measured run, it gives CPU ms per request.
 */
const TICK_MS = 1000 / Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim() || 100);
function cpuMs(child) {
  let ticks = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue;
    }
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields after the command: state(0) ppid(1) pgrp(2) … utime(11) stime(12).
    if (comm.startsWith("workerd") && Number(f[2]) === child.pid) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks * TICK_MS;
}

/** A measured run with the CPU its server used: CPU ms per completed request. */
async function measured(child, url, opts, duration) {
  const before = cpuMs(child);
  const r = await load(url, opts, duration);
  return { ...r, cpuMsPerRequest: r.total > 0 ? (cpuMs(child) - before) / r.total : null };
}

/** `notModified`: the scenario's answers are 304s (a conditional GET), not 2xx. */
async function load(url, { method = "GET", headers = {}, body, setupRequest, connections = cfg.connections, notModified = false } = {}, duration) {
  const requests = setupRequest ? [{ method, headers, setupRequest }] : undefined;
  const result = await autocannon({
    url,
    method,
    headers,
    body,
    requests,
    connections,
    duration,
  });
  return {
    rps: result.requests.average,
    total: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    // Answers other than the scenario's own (2xx, or 304 for a conditional GET).
    non2xx: notModified ? result.requests.total - result["3xx"] : result.non2xx,
  };
}

/** Resident memory (KiB) of a server's workerd processes (the Worker, and its local D1 with it). */
function rssKiB(child) {
  let kib = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (!stat.includes("(workerd") || Number(f[2]) !== child.pid) continue;
      kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      continue;
    }
  }
  return kib;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Webhook deliveries (docs/webhooks.md): a tenant of its own subscribes a receiver on loopback;
 * `n` user changes — creates through Worth, Corti and CloudCockpit, in turn, 16 at a time — must
 * each arrive once, every signature verified with the Standard Webhooks library a receiver uses.
 * Reports lost and duplicate deliveries and the delay from the change (the event's timestamp) to
 * its arrival.
 */
async function webhookCheck(bootToken, n) {
  const { Webhook } = await import("standardwebhooks");
  const { createServer } = await import("node:http");
  const arrivals = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c)).on("end", () => {
      arrivals.push({ at: Date.now(), headers: req.headers, body });
      res.end("ok");
    });
  });
  await new Promise((r) => server.listen(RECEIVER_PORT, "127.0.0.1", r));
  try {
    const tenant = await api("POST", "/api/v1/tenants", { token: bootToken, body: { domain: "webhooks.bench.test", name: "Webhooks" } });
    const T = `/api/v1/tenants/${tenant.id}`;
    const project = await api("POST", `${T}/projects`, { token: bootToken, body: { key: "wh", name: "Webhooks" } });
    const subrole = await api("POST", `${T}/subroles`, { token: bootToken, body: { code: "member", label: "Member", displayName: "Member", permissions: ["customer_user:read"] } });
    const customer = await api("POST", `${T}/customers`, { token: bootToken, body: { name: "Hooked", projectId: project.id, key: "hooked" } });
    const hook = await api("POST", `${T}/webhooks`, { token: bootToken, body: { url: `http://127.0.0.1:${RECEIVER_PORT}/events`, events: ["*"] } });
    const token = bootToken;
    const change = (i) => {
      const email = `wh${i}-${process.pid}@bench.test`;
      if (i % 3 === 0)
        return api("POST", `/auth/api/v1/customers/${customer.id}/users`, { token, body: { first_name: "W", last_name: "H", email, subrole: { id: subrole.id, code: "member", label: "Member" } } });
      if (i % 3 === 1) return api("POST", "/functions/v1/public/projects/wh/customers/hooked/users", { token, body: { email, firstName: "W", lastName: "H" } });
      return api("POST", `/v1/customer/${customer.id}/users`, { token, headers: { "x-tenant": "webhooks.bench.test" }, body: { firstName: "W", lastName: "H", email, groups: [] } });
    };
    log(`webhooks: ${n} user changes through Worth, Corti and CloudCockpit…`);
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < n) await change(next++);
      }),
    );
    const deadline = Date.now() + 180_000;
    while (new Set(arrivals.map((a) => a.headers["webhook-id"])).size < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 2000)); // late duplicates, if any
    const verifier = new Webhook(hook.secret);
    let verified = 0;
    const delays = [];
    for (const a of arrivals) {
      const event = verifier.verify(a.body, a.headers);
      verified++;
      delays.push(a.at - Date.parse(event.timestamp));
    }
    const unique = new Set(arrivals.map((a) => a.headers["webhook-id"])).size;
    const sorted = delays.sort((x, y) => x - y);
    const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? null;
    const out = { changes: n, delivered: unique, lost: n - unique, duplicates: arrivals.length - unique, verified, delayP50Ms: pct(50), delayP99Ms: pct(99) };
    log(`webhooks: ${n} changes → ${unique} delivered (${out.lost} lost, ${out.duplicates} duplicates), ${verified}/${arrivals.length} signatures verified with standardwebhooks, delay change → delivery p50 ${out.delayP50Ms} ms, p99 ${out.delayP99Ms} ms`);
    return out;
  } finally {
    server.close();
  }
}

/**
 * Import (docs/migration.md#import): a tenant of its own; the per-user API create rate (Worth
 * creates, 16 connections, 5 s); then `n` users in one NDJSON file of ~1 KB a row (~100 MB at
 * 100,000; a fifth with an imported bcrypt or Argon2id hash) uploaded and followed by the
 * operator CLI, the workerd processes' memory sampled every 100 ms; then the first logins of users
 * with imported hashes, CPU per login against one with this directory's own hash; then an export.
 */
async function importCheck(product, bootToken, n) {
  const bcrypt = (await import("bcryptjs")).default;
  const { argon2id } = await import("@noble/hashes/argon2.js");
  const domain = "imports.bench.test";
  const tenant = await api("POST", "/api/v1/tenants", { token: bootToken, body: { domain, name: "Imports" } });
  const T = `/api/v1/tenants/${tenant.id}`;
  const customers = [await api("POST", `${T}/customers`, { token: bootToken, body: { name: "Imported A" } }), await api("POST", `${T}/customers`, { token: bootToken, body: { name: "Imported B" } })];
  await api("POST", `${T}/groups`, { token: bootToken, body: { name: "Imported" } });
  const account = await api("POST", `${T}/accounts`, { token: bootToken, body: { name: "importer", role: "tenant_admin", scopes: ["users:read", "users:write", "admin"] } });
  const token = (await api("POST", "/auth/token", { body: { grant_type: "client_credentials", client_id: account.clientId, client_secret: account.clientSecret } })).access_token;

  // The per-user API: CloudCockpit creates into the same tenant, as fast as the bench's connections go (2xx per second).
  let seq = 0;
  const api1 = await load(
    `http://127.0.0.1:${PRODUCT_PORT}/v1/customer/${customers[1].id}/users`,
    {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "x-tenant": domain },
      setupRequest: (req) => ({ ...req, body: JSON.stringify({ firstName: "A", lastName: "Pi", email: `api${seq++}@imports.bench.test`, groups: [] }) }),
    },
    5,
  );
  const apiRate = (api1.total - api1.non2xx - api1.errors) / 5;
  log(`import: per-user API create rate ${apiRate.toFixed(0)} users/s (CloudCockpit creates, ${cfg.connections} connections, ${api1.errors + api1.non2xx} errors)`);

  const password = "Imported-passw0rd-2026";
  const bcryptHash = bcrypt.hashSync(password, 10);
  const salt = randomBytes(16);
  const b64 = (b) => Buffer.from(b).toString("base64").replace(/=+$/, "");
  const argonHash = `$argon2id$v=19$m=19456,t=2,p=1$${b64(salt)}$${b64(argon2id(password, salt, { t: 2, m: 19456, p: 1, dkLen: 32 }))}`;
  /** Writes `count` rows, or rows up to `bytesAtLeast` (`big`: ~1 KB each, names and ids near their limits), to a file; its size and rows. */
  const writeRows = (file, count, prefix, big, bytesAtLeast = 0) => {
    const pad = (tag, i, len) => (big ? `${tag}${i}`.padEnd(len, "x") : `${tag}${i}`);
    let lines = [];
    let bytes = 0;
    writeFileSync(file, "");
    let i = 0;
    for (; i < count || bytes < bytesAtLeast; i++) {
      const row = {
        customerId: customers[i % 2].id,
        email: `${prefix}${i}@imports.bench.test`,
        firstName: pad("First", i, 200),
        lastName: pad("Last", i, 200),
        ...(i % 2 === 0 ? { mobile: `+1 555 ${String(i).padStart(7, "0")}` } : {}),
        externalId: pad("legacy-", i, 255),
        ...(i % 10 === 0 ? { passwordHash: bcryptHash } : i % 10 === 1 ? { passwordHash: argonHash } : {}),
        ...(i % 3 === 0 ? { groups: ["Imported"] } : {}),
        createdAt: new Date(Date.UTC(2020, 0, 1) + i * 1000).toISOString(),
      };
      const text = `${JSON.stringify(row)}\n`;
      lines.push(text);
      bytes += Buffer.byteLength(text);
      if (lines.length === 5000) {
        writeFileSync(file, lines.join(""), { flag: "a" });
        lines = [];
      }
    }
    writeFileSync(file, lines.join(""), { flag: "a" });
    return { bytes, rows: i };
  };

  // The CLI does the upload and follows the job (--quiet: no terminal here); the Worker's heap (V8,
  // through the inspector) and the workerd processes' memory sampled every 100 ms meanwhile.
  const cliEnv = { ...process.env, CU_CLIENT_ID: account.clientId, CU_CLIENT_SECRET: account.clientSecret };
  const base = ["--tenant", tenant.id, "--base-url", `http://127.0.0.1:${PRODUCT_PORT}`, "--quiet"];
  const importFile = async (file) => {
    const heap = await heapSampler(INSPECTOR_PORT);
    const rss0 = rssKiB(product);
    let rssPeak = rss0;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssKiB(product))), 100);
    const t0 = Date.now();
    const run = await runCli(["import", file, ...base], cliEnv);
    clearInterval(sampler);
    const wallS = (Date.now() - t0) / 1000;
    const heapMB = await heap.stop();
    const jobId = /job ([0-9a-f-]{36})/.exec(run.stderr)?.[1];
    const job = await api("GET", `${T}/imports/${jobId}`, { token });
    const jobS = (Date.parse(job.finishedAt) - Date.parse(job.createdAt)) / 1000;
    // Where the peak fell: before the first chunk was written (the upload), or after (the consumer).
    heapMB.during = heapMB.peakAt < Date.parse(job.startedAt) ? "upload" : "chunks";
    delete heapMB.peakAt;
    return { counts: job.counts, wallS, jobS, heapMB, rssMB: { before: Math.round(rss0 / 1024), peak: Math.round(rssPeak / 1024) }, summary: run.stdout.trim().split("\n")[0] };
  };

  const file = join(state, "import.ndjson");
  const { bytes } = writeRows(file, n, "imp", false);
  log(`import: ${n} users in ${(bytes / 1024 / 1024).toFixed(1)} MB (${Math.round(bytes / n)} bytes a row), a fifth with a bcrypt (cost 10) or Argon2id (m=19456, t=2, p=1) hash, a third in a group`);
  const main = await importFile(file);
  const c = main.counts;
  const rate = c.created / main.wallS;
  log(`import: ${main.summary}`);
  log(
    `import: ${c.created} created / ${c.total} (${c.failed} failed) — upload + job ${main.wallS.toFixed(1)} s end to end = ${rate.toFixed(0)} users/s, ` +
      `${(rate / apiRate).toFixed(1)}× the per-user API (${apiRate.toFixed(0)}/s); queued → completed ${main.jobS.toFixed(1)} s; ` +
      `Worker heap peak ${main.heapMB.peak} MB (during the ${main.heapMB.during}, ${main.heapMB.samples} samples; live after a full GC ${main.heapMB.liveBefore} → ${main.heapMB.liveAfter} MB); workerd RSS ${main.rssMB.before} → ${main.rssMB.peak} MB`,
  );
  // Memory with a 100 MB file: rows of ~1 KB (names and ids near their limits).
  const bigFile = join(state, "import-100mb.ndjson");
  const { bytes: bigBytes, rows: bigRows } = cfg.importMB > 0 ? writeRows(bigFile, 0, "big", true, cfg.importMB * 1024 * 1024 - 4096) : { bytes: 0, rows: 0 };
  const big = bigRows > 0 ? await importFile(bigFile) : null;
  if (big) log(
    `import: ${(bigBytes / 1024 / 1024).toFixed(1)} MB file (${bigRows} rows of ~${Math.round(bigBytes / bigRows)} bytes): ${big.counts.created} created in ${big.wallS.toFixed(1)} s end to end ` +
      `(${Math.round(big.counts.created / big.wallS)} users/s); Worker heap peak ${big.heapMB.peak} MB (during the ${big.heapMB.during}, ${big.heapMB.samples} samples; live after a full GC ${big.heapMB.liveBefore} → ${big.heapMB.liveAfter} MB); workerd RSS ${big.rssMB.before} → ${big.rssMB.peak} MB`,
  );

  // First logins with imported hashes (each verifies the imported hash, then rehashes it in its deferred work), and with this directory's own.
  const logins = async (emails) => {
    const cpu0 = cpuMs(product);
    const walls = [];
    for (const email of emails) {
      const t = performance.now();
      const res = await fetch(`http://127.0.0.1:${PRODUCT_PORT}/auth/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) });
      if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
      walls.push(performance.now() - t);
    }
    await new Promise((r) => setTimeout(r, 1500)); // the rehashes (deferred work) are part of the cost
    return { cpuMs: Number(((cpuMs(product) - cpu0) / emails.length).toFixed(1)), wallP50Ms: Number(median(walls).toFixed(1)) };
  };
  const ten = (r) => Array.from({ length: 10 }, (_, k) => `imp${k * 10 + r}@imports.bench.test`);
  const loginCpu = { bcrypt10: await logins(ten(0)), argon2id: await logins(ten(1)), own: await logins(ten(0)) };
  log(
    `import: first login CPU (workerd, incl. the rehash) — bcrypt cost 10 ${loginCpu.bcrypt10.cpuMs} ms (p50 ${loginCpu.bcrypt10.wallP50Ms} ms), ` +
      `Argon2id m=19456,t=2 ${loginCpu.argon2id.cpuMs} ms (p50 ${loginCpu.argon2id.wallP50Ms} ms), then this directory's own PBKDF2 ${loginCpu.own.cpuMs} ms (p50 ${loginCpu.own.wallP50Ms} ms)`,
  );

  const t1 = Date.now();
  const exp = await runCli(["export", ...base, "--out", join(state, "export.ndjson")], cliEnv);
  const exportS = (Date.now() - t1) / 1000;
  const exported = Number(/exported (\d+)/.exec(exp.stdout)?.[1] ?? 0);
  log(`import: ${exp.stdout.trim()} (${Math.round(exported / exportS)} users/s)`);
  return {
    users: n,
    fileMB: Number((bytes / 1024 / 1024).toFixed(1)),
    counts: c,
    endToEndS: Number(main.wallS.toFixed(1)),
    jobS: Number(main.jobS.toFixed(1)),
    usersPerSecond: Math.round(rate),
    apiCreatePerSecond: Math.round(apiRate),
    ratio: Number((rate / apiRate).toFixed(1)),
    heapMB: main.heapMB,
    big: big && { fileMB: Number((bigBytes / 1024 / 1024).toFixed(1)), rows: bigRows, counts: big.counts, endToEndS: Number(big.wallS.toFixed(1)), heapMB: big.heapMB, rssMB: big.rssMB },
    loginCpu,
    exportS: Number(exportS.toFixed(1)),
    exported,
  };
}

/**
 * The Worker's V8 heap through `wrangler dev`'s inspector (Chrome DevTools Protocol): `usedSize`
 * (what the isolate's memory limit counts) sampled every 100 ms — garbage not yet collected
 * included —, and the live heap after a full collection before and after (what stays retained).
 * The inspector answers only while the isolate runs: each command is followed by a request.
 */
async function heapSampler(port) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  // eslint-disable-next-line no-undef -- Node 22's global WebSocket (the bench runs on the node@22 devDependency); the inspector wants an Origin it knows
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl, { headers: { origin: "http://localhost" } });
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let id = 0;
  const waiting = new Map();
  let peak = 0;
  let peakAt = 0;
  let samples = 0;
  ws.onmessage = (m) => {
    const d = JSON.parse(m.data);
    const used = d.result?.usedSize;
    if (typeof used === "number") {
      samples++;
      if (used > peak) [peak, peakAt] = [used, Date.now()];
    }
    waiting.get(d.id)?.(d.result);
  };
  const cdp = (method) =>
    new Promise((resolve) => {
      const n = ++id;
      waiting.set(n, resolve);
      ws.send(JSON.stringify({ id: n, method }));
      setTimeout(() => fetch(`http://127.0.0.1:${PRODUCT_PORT}/nothing`).catch(() => {}), 20);
    });
  const mb = (bytes) => Number((bytes / 1024 / 1024).toFixed(1));
  const live = async () => {
    await cdp("HeapProfiler.collectGarbage");
    return mb((await cdp("Runtime.getHeapUsage")).usedSize);
  };
  await cdp("HeapProfiler.enable");
  const before = await live();
  peak = 0;
  samples = 0;
  const timer = setInterval(() => ws.send(JSON.stringify({ id: ++id, method: "Runtime.getHeapUsage" })), 100);
  return {
    stop: async () => {
      clearInterval(timer);
      const after = await live();
      ws.close();
      return { liveBefore: before, peak: mb(peak), liveAfter: after, samples, peakAt };
    },
  };
}

/** The operator CLI (scripts/cli.mjs) as a child process; its output. */
function runCli(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "scripts", "cli.mjs"), ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`cli ${args[0]} exited ${code}:\n${stdout}\n${stderr}`))));
  });
}

async function main() {
  log(`bench: ${cfg.rounds} rounds × ${cfg.duration}s (+${cfg.warmup}s warm-up), ${cfg.connections} connections, ${cfg.users} users`);
  rmSync(state, { recursive: true, force: true });
  const floorState = join(state, "floor");
  const productState = join(state, "product");
  mkdirSync(floorState, { recursive: true });
  mkdirSync(productState, { recursive: true });
  const floorConfig = join(root, "bench", "floor", "wrangler.toml");
  const productVars = varArgs(SECRETS);

  log("migrating both databases…");
  wr(["d1", "migrations", "apply", "DB", "--local", "--persist-to", productState]);
  wr(["d1", "migrations", "apply", "DB", "--local", "--persist-to", floorState, "-c", floorConfig]);

  // Seed the product through its own APIs.
  let product = await start("product", ["--persist-to", productState, ...productVars], PRODUCT_PORT);
  const boot = await api("POST", "/auth/token", { body: { grant_type: "client_credentials", client_id: SECRETS.BOOTSTRAP_CLIENT_ID, client_secret: SECRETS.BOOTSTRAP_CLIENT_SECRET } });
  const domain = "bench.example.com";
  const tenant = await api("POST", "/api/v1/tenants", { token: boot.access_token, body: { domain, name: "Bench" } });
  const T = `/api/v1/tenants/${tenant.id}`;
  const project = await api("POST", `${T}/projects`, { token: boot.access_token, body: { key: "bench", name: "Bench" } });
  const subrole = await api("POST", `${T}/subroles`, {
    token: boot.access_token,
    body: { code: "member", label: "Member", displayName: "Member", permissions: ["customer_user:read", "customer_user:write"] },
  });
  const customer = await api("POST", `${T}/customers`, { token: boot.access_token, body: { name: "Main", projectId: project.id, key: "main" } });
  // The unpaged list reads a customer of its own: the create scenarios add thousands of users to Main.
  const listCustomer = await api("POST", `${T}/customers`, { token: boot.access_token, body: { name: "List" } });
  const scaleCustomers = [];
  for (const n of cfg.scale) scaleCustomers.push({ n, ...(await api("POST", `${T}/customers`, { token: boot.access_token, body: { name: `Scale ${n}` } })) });
  const account = await api("POST", `${T}/accounts`, { token: boot.access_token, body: { name: "bench", role: "tenant_admin", scopes: ["users:read", "users:write", "admin"] } });
  await stop(product);

  log(`seeding ${cfg.users} users (+ ${cfg.scale.join(", ")} for the scale check)…`);
  const pw = "bench-password-123456";
  const hash = passwordHash(pw, SECRETS.PASSWORD_PEPPER);
  const seedFile = join(state, "users.sql");
  const mainUsers = usersSql({ tenantId: tenant.id, customerId: customer.id, count: cfg.users, prefix: "b0000000", subroleId: subrole.id });
  const loginUser = usersSql({ tenantId: tenant.id, customerId: customer.id, count: 1, prefix: "c0000000", subroleId: subrole.id, passwordHash: hash, emailOf: () => "login@bench.test" });
  const scaleSql = scaleCustomers.map((c, i) => usersSql({ tenantId: tenant.id, customerId: c.id, count: c.n, prefix: `d${i}000000`.slice(0, 8), subroleId: subrole.id })).join("\n");
  const listUsers = usersSql({ tenantId: tenant.id, customerId: listCustomer.id, count: cfg.users, prefix: "e0000000", subroleId: subrole.id });
  writeFileSync(seedFile, `${mainUsers}\n${loginUser}\n${scaleSql}\n${listUsers}\n`);
  execSql(seedFile, productState);
  // The floor reads and writes the same rows, in a database of the same size.
  const floorFile = join(state, "floor.sql");
  writeFileSync(
    floorFile,
    `INSERT INTO tenants (id, domain, name, created_at, updated_at) VALUES (${sqlValue(tenant.id)}, 'floor.test', 'Floor', 0, 0);
INSERT INTO customers (id, tenant_id, name, is_nfr, created_at, updated_at) VALUES (${sqlValue(customer.id)}, ${sqlValue(tenant.id)}, 'Floor', 0, 0, 0);
${usersSql({ tenantId: tenant.id, customerId: customer.id, count: cfg.users, prefix: "b0000000", subroleId: null })}\n`,
  );
  execSql(floorFile, floorState, floorConfig);

  product = await start("product", ["--persist-to", productState, "--inspector-port", String(INSPECTOR_PORT), ...productVars], PRODUCT_PORT);
  const floor = await start("floor", ["-c", floorConfig, "--persist-to", floorState, "--var", `TENANT_ID:${tenant.id}`, "--var", `CUSTOMER_ID:${customer.id}`], FLOOR_PORT);
  const token = (await api("POST", "/auth/token", { body: { grant_type: "client_credentials", client_id: account.clientId, client_secret: account.clientSecret } })).access_token;
  const someUser = benchId("b0000000", 42);
  const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  let seq = 0;
  const unique = () => `${Date.now().toString(36)}-${process.pid}-${seq++}`;
  const P = `http://127.0.0.1:${PRODUCT_PORT}`;
  const F = `http://127.0.0.1:${FLOOR_PORT}`;
  const floors = {
    json: { url: `${F}/json` },
    read: { url: `${F}/read/${someUser}` },
    write: { url: `${F}/write`, opts: { method: "POST" } },
  };
  const body = (make) => (req) => ({ ...req, body: JSON.stringify(make()) });
  const scenarios = [
    { name: "Worth list (page 1, 10 items)", floor: "read", url: `${P}/auth/api/v1/customers/${customer.id}/users?page=1&items_per_page=10`, opts: { headers: auth } },
    { name: "Worth get by id", floor: "read", url: `${P}/auth/api/v1/customers/${customer.id}/users/${someUser}`, opts: { headers: auth } },
    {
      name: "Worth create",
      floor: "write",
      url: `${P}/auth/api/v1/customers/${customer.id}/users`,
      opts: { method: "POST", headers: auth, setupRequest: body(() => ({ first_name: "W", last_name: "B", email: `w${unique()}@bench.test`, subrole: { id: subrole.id, code: "member", label: "Member" } })) },
    },
    {
      // The cost of a key (docs/concurrency.md): the same create with a fresh Idempotency-Key each time.
      name: "Worth create + Idempotency-Key",
      floor: "write",
      url: `${P}/auth/api/v1/customers/${customer.id}/users`,
      opts: {
        method: "POST",
        headers: auth,
        setupRequest: (req) => ({
          ...req,
          headers: { ...req.headers, "idempotency-key": `bench-${unique()}` },
          body: JSON.stringify({ first_name: "W", last_name: "B", email: `i${unique()}@bench.test`, subrole: { id: subrole.id, code: "member", label: "Member" } }),
        }),
      },
    },
    {
      // A retry: one key, one body; the first request creates, every later one replays it.
      name: "Worth create, replayed (same key)",
      floor: "write",
      url: `${P}/auth/api/v1/customers/${customer.id}/users`,
      opts: {
        method: "POST",
        headers: { ...auth, "idempotency-key": "bench-replayed" },
        body: JSON.stringify({ first_name: "W", last_name: "B", email: "replayed@bench.test", subrole: { id: subrole.id, code: "member", label: "Member" } }),
      },
    },
    {
      name: "Worth get by id, If-None-Match (304)",
      floor: "read",
      url: `${P}/auth/api/v1/customers/${customer.id}/users/${someUser}`,
      opts: { headers: { ...auth, "if-none-match": "*" }, notModified: true },
    },
    {
      name: "Corti create (no password)",
      floor: "write",
      url: `${P}/functions/v1/public/projects/bench/customers/main/users`,
      opts: { method: "POST", headers: auth, setupRequest: body(() => ({ email: `c${unique()}@bench.test`, firstName: "C", lastName: "B" })) },
    },
    {
      name: "CloudCockpit create",
      floor: "write",
      url: `${P}/v1/customer/${customer.id}/users`,
      opts: { method: "POST", headers: { ...auth, "x-tenant": domain }, setupRequest: body(() => ({ firstName: "K", lastName: "B", email: `k${unique()}@bench.test`, groups: [] })) },
    },
    {
      name: "Corti login (/auth/token, password)",
      floor: "json",
      url: `${P}/auth/token`,
      opts: { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "login@bench.test", password: pw }) },
    },
    ...scaleCustomers.map((c) => ({
      name: `Worth list page 1 at ${c.n} users`,
      floor: "read",
      url: `${P}/auth/api/v1/customers/${c.id}/users?page=1&items_per_page=10`,
      opts: { headers: auth },
    })),
    // Last, on one connection: the list has no paging by contract (1.5 MB for 10,000 users), so the
    // figure that matters is the time of one list; run concurrently it would queue behind itself.
    {
      name: `CloudCockpit full list (${cfg.users} users, 1 connection)`,
      floor: "read",
      url: `${P}/v1/customer/${listCustomer.id}/users`,
      opts: { headers: { ...auth, "x-tenant": domain }, connections: 1 },
    },
  ];

  if (cfg.only) scenarios.splice(0, scenarios.length, ...scenarios.filter((s) => cfg.only.test(s.name)));

  // Check every scenario answers as it should (2xx; 304 for the conditional GET) once before measuring it.
  for (const s of scenarios) {
    const r = await load(s.url, s.opts ?? {}, 1);
    if (r.non2xx > 0 || r.errors > 0) log(`warning: ${s.name} answered ${r.non2xx} non-2xx / ${r.errors} errors in its probe`);
  }

  const results = [];
  for (const s of scenarios) {
    const f = floors[s.floor];
    const rounds = [];
    for (let i = 0; i < cfg.rounds; i++) {
      const floorOpts = { ...(f.opts ?? {}), connections: s.opts?.connections ?? cfg.connections };
      await load(f.url, floorOpts, cfg.warmup);
      const fr = await measured(floor, f.url, floorOpts, cfg.duration);
      await load(s.url, s.opts ?? {}, cfg.warmup);
      const pr = await measured(product, s.url, s.opts ?? {}, cfg.duration);
      if (pr.rps === 0) log(`warning: ${s.name}: no response completed in ${cfg.duration}s`);
      rounds.push({ floor: fr, product: pr, ratio: pr.rps / fr.rps });
    }
    const row = {
      scenario: s.name,
      floor: `d1-${s.floor}`.replace("d1-json", "json"),
      productRps: median(rounds.map((r) => r.product.rps)),
      floorRps: median(rounds.map((r) => r.floor.rps)),
      p50: median(rounds.map((r) => r.product.p50)),
      p99: median(rounds.map((r) => r.product.p99)),
      errors: rounds.reduce((n, r) => n + r.product.errors + r.product.non2xx, 0),
      ratios: rounds.map((r) => Number(r.ratio.toFixed(3))),
      medianRatio: Number(median(rounds.map((r) => r.ratio)).toFixed(3)),
      cpuMs: Number(median(rounds.map((r) => r.product.cpuMsPerRequest ?? NaN)).toFixed(2)),
      floorCpuMs: Number(median(rounds.map((r) => r.floor.cpuMsPerRequest ?? NaN)).toFixed(2)),
    };
    row.cpuRatio = Number((row.cpuMs / row.floorCpuMs).toFixed(2));
    results.push(row);
    log(`${row.scenario}: ${row.productRps.toFixed(0)} req/s vs floor ${row.floorRps.toFixed(0)} → ratio ${row.medianRatio} (rounds ${row.ratios.join(", ")}), p50 ${row.p50} ms, p99 ${row.p99} ms, errors ${row.errors}, CPU ${row.cpuMs} ms/req vs floor ${row.floorCpuMs} (×${row.cpuRatio})`);
  }
  await stop(floor);
  // Webhook deliveries, on the product alone (its load does not disturb the ratios above).
  const webhooks = cfg.webhooks > 0 ? await webhookCheck(boot.access_token, cfg.webhooks) : null;
  const imports = cfg.import > 0 ? await importCheck(product, boot.access_token, cfg.import) : null;
  await stop(product);

  // Password hashing cost, measured with the same parameters in this process (Node's WebCrypto).
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode("x".repeat(32)), "PBKDF2", false, ["deriveBits"]);
  const times = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: new Uint8Array(16), iterations: 100_000 }, material, 256);
    times.push(performance.now() - t0);
  }
  const hashMs = Number(median(times).toFixed(1));

  const header = "| scenario | floor | product req/s | floor req/s | ratio (median) | rounds | CPU ms/req (floor) | CPU × floor | p50 ms | p99 ms | errors |";
  const table = [header, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    .concat(
      results.map(
        (r) =>
          `| ${r.scenario} | ${r.floor} | ${r.productRps.toFixed(0)} | ${r.floorRps.toFixed(0)} | ${r.medianRatio} | ${r.ratios.join(" / ")} | ${r.cpuMs} (${r.floorCpuMs}) | ${r.cpuRatio} | ${r.p50} | ${r.p99} | ${r.errors} |`,
      ),
    )
    .join("\n");
  log(`\n${table}\n\nPBKDF2-SHA256 × 100,000 (one password hash): ${hashMs} ms CPU (median of 10, Node WebCrypto on this machine)`);
  mkdirSync(join(root, "bench", "results"), { recursive: true });
  const file = join(root, "bench", "results", `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), config: cfg, results, passwordHashMs: hashMs, webhooks, imports }, null, 2));
  log(`results written to ${file}`);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => process.exit());
