// An operator's CLI for migrations (docs/migration.md#the-cli):
//
//   npm run cli -- import users.ndjson --tenant <id> [--mode upsert] [--base-url URL]
//   npm run cli -- export --tenant <id> [--customer <id>] [--format csv] [--out users.ndjson]
//
// It authenticates with client credentials (--client-id/--client-secret, or CU_CLIENT_ID /
// CU_CLIENT_SECRET), streams the file up (never read whole), follows the job with a live progress
// bar (cli-progress: counts, rate, ETA) and prints a summary and where the row errors were saved.
// An export streams to a file and resumes after the last user written if the connection drops.
import { createReadStream, createWriteStream, readFileSync, statSync, existsSync } from "node:fs";
import { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import { parseArgs } from "node:util";
import { URLSearchParams } from "node:url";
import { TextDecoderStream } from "node:stream/web";
import cliProgress from "cli-progress";

const HELP = `Usage:
  npm run cli -- import <file.ndjson|file.csv> --tenant <id> [--mode create|upsert] [--errors <file>]
  npm run cli -- export --tenant <id> [--customer <id>] [--format ndjson|csv] [--out <file>]

Common options:
  --base-url <url>         the API (default: $CU_BASE_URL or http://localhost:8787)
  --client-id <id>         a tenant admin's client id (default: $CU_CLIENT_ID)
  --client-secret <secret> its secret (default: $CU_CLIENT_SECRET)
  --quiet                  no progress bar (a line per state change)`;

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    tenant: { type: "string" },
    mode: { type: "string", default: "create" },
    customer: { type: "string" },
    format: { type: "string" },
    out: { type: "string" },
    errors: { type: "string" },
    "base-url": { type: "string", default: process.env.CU_BASE_URL ?? "http://localhost:8787" },
    "client-id": { type: "string", default: process.env.CU_CLIENT_ID },
    "client-secret": { type: "string", default: process.env.CU_CLIENT_SECRET },
    quiet: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

const [command, file] = positionals;
if (opts.help || !command) {
  console.log(HELP);
  process.exit(command || opts.help ? 0 : 2);
}
const fail = (message) => {
  console.error(`error: ${message}`);
  process.exit(1);
};
if (!opts.tenant) fail("--tenant is required");
if (!opts["client-id"] || !opts["client-secret"]) fail("client credentials are required (--client-id and --client-secret, or CU_CLIENT_ID and CU_CLIENT_SECRET)");
const base = opts["base-url"].replace(/\/+$/, "");
const tenantPath = `${base}/api/v1/tenants/${encodeURIComponent(opts.tenant)}`;

/** The error of a response, in words (the API's problem detail and its field errors). */
async function problem(res) {
  const text = await res.text();
  try {
    const body = JSON.parse(text);
    const fields = (body.errors ?? []).map((e) => `${e.field}: ${e.message}`).join("; ");
    return `${res.status} ${body.title ?? ""}: ${body.detail ?? body.error_description ?? text}${fields ? ` (${fields})` : ""}`;
  } catch {
    return `${res.status}: ${text.slice(0, 300)}`;
  }
}

async function token() {
  const res = await fetch(`${base}/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ grant_type: "client_credentials", client_id: opts["client-id"], client_secret: opts["client-secret"] }),
  });
  if (!res.ok) fail(`authentication failed: ${await problem(res)}`);
  return (await res.json()).access_token;
}

const bar = (format) =>
  opts.quiet || !process.stderr.isTTY
    ? null
    : new cliProgress.SingleBar({ format, hideCursor: true, etaBuffer: 20, fps: 5, stream: process.stderr }, cliProgress.Presets.shades_classic);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;

async function importFile() {
  if (!file) fail("import needs a file");
  if (!existsSync(file)) fail(`no such file: ${file}`);
  if (!["create", "upsert"].includes(opts.mode)) fail("--mode is create or upsert");
  const size = statSync(file).size;
  const type = /\.csv$/i.test(file) ? "text/csv" : "application/x-ndjson";
  const auth = { authorization: `Bearer ${await token()}` };
  // One key per run: a retried upload (a dropped connection) is answered with the same job, never a second one.
  const key = crypto.randomUUID();
  const up = bar(`uploading  {bar} {percentage}% | {value_mb} of {total_mb}`);
  up?.start(size, 0, { value_mb: mb(0), total_mb: mb(size) });
  let job;
  for (let attempt = 1; ; attempt++) {
    let sent = 0;
    const source = createReadStream(file);
    source.on("data", (chunk) => {
      sent += chunk.length;
      up?.update(sent, { value_mb: mb(sent) });
    });
    try {
      const res = await fetch(`${tenantPath}/imports?mode=${opts.mode}`, {
        method: "POST",
        headers: { ...auth, "content-type": type, "content-length": String(size), "idempotency-key": key },
        body: Readable.toWeb(source),
        duplex: "half",
      });
      if (!res.ok) {
        up?.stop();
        fail(`the upload was refused: ${await problem(res)}`);
      }
      job = await res.json();
      break;
    } catch (err) {
      if (attempt >= 3) {
        up?.stop();
        fail(`the upload failed: ${err.message}`);
      }
      await sleep(1000 * attempt);
    }
  }
  up?.stop();
  console.error(`job ${job.id}: ${job.counts.total} rows queued (${opts.mode})`);

  const progress = bar(`importing  {bar} {percentage}% | {value}/{total} rows | {created} created, {updated} updated, {skipped} skipped, {failed} failed | ETA {eta_formatted}`);
  progress?.start(job.counts.total, 0, job.counts);
  let last = "";
  for (;;) {
    const res = await fetch(`${tenantPath}/imports/${job.id}`, { headers: auth });
    if (res.status === 401) {
      auth.authorization = `Bearer ${await token()}`;
      continue;
    }
    if (!res.ok) fail(`reading the job failed: ${await problem(res)}`);
    job = await res.json();
    const c = job.counts;
    const done = c.created + c.updated + c.skipped + c.failed;
    progress?.update(done, c);
    if (!progress && job.status !== last) console.error(`${job.status}: ${done}/${c.total}`);
    last = job.status;
    if (job.status === "completed" || job.status === "failed") break;
    await sleep(500);
  }
  progress?.stop();
  const c = job.counts;
  const seconds = job.startedAt && job.finishedAt ? (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000 : 0;
  console.log(`${job.status}: ${c.total} rows — ${c.created} created, ${c.updated} updated, ${c.skipped} skipped, ${c.failed} failed${seconds > 0 ? ` in ${seconds.toFixed(1)} s (${Math.round((c.created + c.updated + c.skipped + c.failed) / seconds)} rows/s)` : ""}`);
  if (job.error) console.log(`the job failed: ${job.error}`);
  if (c.failed > 0) {
    const where = opts.errors ?? `${file}.errors.ndjson`;
    const res = await fetch(`${tenantPath}/imports/${job.id}/errors`, { headers: auth });
    if (!res.ok) fail(`reading the errors failed: ${await problem(res)}`);
    await finished(Readable.fromWeb(res.body).pipe(createWriteStream(where)));
    console.log(`row errors ({line, field, message} per line): ${where}`);
  }
  process.exit(job.status === "completed" ? 0 : 1);
}

/** The id of the last whole user in an export file (NDJSON: its line's id; CSV: its first field). */
function lastId(path, format) {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, "utf8");
  const lines = text.split(format === "csv" ? "\r\n" : "\n").filter(Boolean);
  const tail = lines.at(-1);
  if (!tail || (format === "csv" && lines.length < 2)) return undefined;
  return format === "csv" ? tail.split(",")[0] : JSON.parse(tail).id;
}

async function exportUsers() {
  const format = opts.format ?? "ndjson";
  if (!["ndjson", "csv"].includes(format)) fail("--format is ndjson or csv");
  const out = opts.out ?? `users-${opts.tenant}.${format}`;
  const auth = { authorization: `Bearer ${await token()}` };
  const progress = bar(`exporting  {value} users | {rate} users/s`);
  progress?.start(0, 0, { rate: 0 });
  const t0 = Date.now();
  let count = 0;
  let after;
  for (let attempt = 1; ; attempt++) {
    const q = new URLSearchParams({ format });
    if (opts.customer) q.set("customerId", opts.customer);
    if (after) q.set("after", after);
    try {
      const res = await fetch(`${tenantPath}/users/export?${q}`, { headers: auth });
      if (!res.ok) fail(`the export was refused: ${await problem(res)}`);
      // A resumed export appends (its CSV header is skipped: the file has one).
      const sink = createWriteStream(out, { flags: after ? "a" : "w" });
      let skipHeader = Boolean(after) && format === "csv";
      let pending = "";
      for await (const chunk of res.body.pipeThrough(new TextDecoderStream())) {
        pending += chunk;
        const cut = pending.lastIndexOf("\n") + 1;
        let whole = pending.slice(0, cut);
        pending = pending.slice(cut);
        if (skipHeader && whole) {
          whole = whole.slice(whole.indexOf("\n") + 1);
          skipHeader = false;
        }
        // Only whole lines are written, so the file always ends on a user.
        if (!sink.write(whole)) await new Promise((r) => sink.once("drain", r));
        count += (whole.match(/\n/g) ?? []).length;
        progress?.setTotal(count);
        progress?.update(count, { rate: Math.round(count / Math.max(0.001, (Date.now() - t0) / 1000)) });
      }
      sink.end();
      await finished(sink);
      break;
    } catch (err) {
      if (attempt >= 5) fail(`the export failed: ${err.message}`);
      after = lastId(out, format);
      await sleep(1000 * attempt);
    }
  }
  progress?.stop();
  if (format === "csv") count = Math.max(0, count - 1);
  console.log(`exported ${count} users to ${out} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

if (command === "import") await importFile();
else if (command === "export") await exportUsers();
else fail(`unknown command ${command}\n${HELP}`);
