// npm run drill:webhooks — a server killed between a change's commit and its Queue send loses no
// webhook event (docs/webhooks.md#delivery). On a real `wrangler dev` with a local D1 of its own:
//
//  1. a tenant subscribes a receiver on loopback; the server holds every write's after-response
//     hand-over to the Queue for 60 s (WEBHOOK_FLUSH_DELAY_MS, a drill-only variable);
//  2. three user changes — a Worth create, a Corti update, a CloudCockpit create — are answered 2xx
//     (committed); the receiver has nothing yet;
//  3. the server is killed (SIGKILL to its process group: workerd gets no chance to send);
//     D1 holds the three events unqueued — the crash landed between commit and send;
//  4. a fresh server on the same D1 runs the Cron Trigger (`/__scheduled`, the sweep with
//     WEBHOOK_SWEEP_AFTER_SECONDS=0), and the receiver gets each event once, every signature
//     verified with the `standardwebhooks` library, each in order for its user.
//
// Exits non-zero on any loss, duplicate or bad signature. Runs in CI (.ci/run), about 30 s.
import { createServer } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { start, stop, varArgs, wr } from "./lib/wrangler-dev.mjs";

const PORT = 8797;
const RECEIVER_PORT = 8796;
const TENANT = "drill.example.com";
const SECRETS = {
  JWT_SECRET: "drill-jwt-secret-0123456789abcdef0123456789",
  BOOTSTRAP_CLIENT_ID: "drill-bootstrap",
  BOOTSTRAP_CLIENT_SECRET: "drill-bootstrap-secret-0123456789abcdef",
  PASSWORD_PEPPER: "drill-pepper-0123456789abcdef",
  RATE_LIMITS: "off",
  REQUEST_LOG: "off",
  WEBHOOKS_ALLOW_PRIVATE_URLS: "on",
  WEBHOOK_RETRY_BASE_SECONDS: "1",
  WEBHOOK_SWEEP_AFTER_SECONDS: "0",
};

const persist = mkdtempSync(join(tmpdir(), "crash-drill-"));
const log = (...a) => console.log("drill:", ...a);
function fail(message) {
  throw new Error(message);
}

async function api(method, path, { token, body, headers = {} } = {}) {
  const res = await fetch(`http://127.0.0.1:${PORT}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { "content-type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) fail(`${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** The drill tenant's user events that were committed but never handed to the Queue, read from the stopped server's D1. */
function unqueued() {
  const out = wr(["d1", "execute", "DB", "--local", "--persist-to", persist, "--json", "--command", `select count(*) as n from audit_events where target_type = 'user' and queued_at is null`]);
  return JSON.parse(out)[0].results[0].n;
}

async function main() {
  const arrivals = [];
  const receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c)).on("end", () => {
      arrivals.push({ headers: req.headers, body });
      res.end("ok");
    });
  });
  await new Promise((r) => receiver.listen(RECEIVER_PORT, "127.0.0.1", r));
  try {
    wr(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist]);
    let server = await start("server", ["--persist-to", persist, "--test-scheduled", ...varArgs({ ...SECRETS, WEBHOOK_FLUSH_DELAY_MS: "60000" })], PORT);
    const { access_token: token } = await api("POST", "/auth/token", { body: { grant_type: "client_credentials", client_id: SECRETS.BOOTSTRAP_CLIENT_ID, client_secret: SECRETS.BOOTSTRAP_CLIENT_SECRET } });
    const tenant = await api("POST", "/api/v1/tenants", { token, body: { domain: TENANT, name: "Drill" } });
    const T = `/api/v1/tenants/${tenant.id}`;
    const project = await api("POST", `${T}/projects`, { token, body: { key: "drill", name: "Drill" } });
    const subrole = await api("POST", `${T}/subroles`, { token, body: { code: "member", label: "Member", displayName: "Member", permissions: ["customer_user:read"] } });
    const customer = await api("POST", `${T}/customers`, { token, body: { name: "Drilled", projectId: project.id, key: "drilled" } });
    const hook = await api("POST", `${T}/webhooks`, { token, body: { url: `http://127.0.0.1:${RECEIVER_PORT}/events`, events: ["*"] } });

    // 2. Three changes, each committed (answered 2xx); their hand-over to the Queue is being held.
    const a = await api("POST", `/auth/api/v1/customers/${customer.id}/users`, {
      token,
      body: { first_name: "Ada", last_name: "Drill", email: "ada@drill.example.com", subrole: { id: subrole.id, code: "member", label: "Member" } },
    });
    await api("PATCH", `/functions/v1/public/projects/drill/customers/drilled/users/${a.data.user_id}`, { token, body: { firstName: "Grace" } });
    await api("POST", `/v1/customer/${customer.id}/users`, { token, headers: { "x-tenant": TENANT }, body: { firstName: "Bo", lastName: "Drill", email: "bo@drill.example.com", groups: [] } });
    if (arrivals.length !== 0) fail(`the receiver got ${arrivals.length} deliveries before the crash`);

    // 3. The crash.
    await stop(server, "SIGKILL");
    const lost = unqueued();
    log(`server killed after 3 committed changes; ${lost} of their events were never handed to the Queue, ${arrivals.length} delivered`);
    if (lost !== 3) fail(`expected the 3 events unqueued at the crash, found ${lost}`);

    // 4. A fresh server on the same D1; the Cron Trigger's sweep sends what the crash left.
    server = await start("server", ["--persist-to", persist, "--test-scheduled", ...varArgs(SECRETS)], PORT);
    const t0 = Date.now();
    const cron = await fetch(`http://127.0.0.1:${PORT}/__scheduled?cron=${encodeURIComponent("17 * * * *")}`);
    if (!cron.ok) fail(`/__scheduled → ${cron.status}`);
    const deadline = Date.now() + 30_000;
    while (new Set(arrivals.map((x) => x.headers["webhook-id"])).size < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const ms = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 3000)); // late duplicates, if any
    await stop(server);

    const verifier = new Webhook(hook.secret);
    const events = arrivals.map((x) => verifier.verify(x.body, x.headers));
    const ids = new Set(events.map((e) => e.id));
    const seen = events.map((e) => `${e.type}#${e.data.sequence}`).sort();
    log(`after the restart and one sweep: ${ids.size} delivered in ${ms} ms, ${events.length - ids.size} duplicates, ${events.length}/${arrivals.length} signatures verified with standardwebhooks: ${seen.join(", ")}`);
    if (ids.size !== 3 || events.length !== 3) fail("expected each of the 3 events exactly once");
    const expected = ["user.created#1", "user.created#1", "user.updated#2"];
    if (JSON.stringify(seen) !== JSON.stringify(expected)) fail(`expected ${expected.join(", ")}`);
    if (unqueued() !== 0) fail("events are still unqueued after the sweep");
    log("ok: nothing lost");
  } finally {
    receiver.close();
    rmSync(persist, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
