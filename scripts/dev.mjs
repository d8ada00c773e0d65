// `npm run dev`: a working local API in one command.
//  1. creates .dev.vars from .dev.vars.example if it is missing;
//  2. applies the committed migrations to the local D1 database;
//  3. seeds a demo tenant (idempotent: fixed ids, INSERT OR IGNORE);
//  4. prints the base URL, the demo credentials and ready curl commands;
//  5. runs `wrangler dev` on http://localhost:8787 (extra arguments are passed through).
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { demoSeed, DEMO } from "./demo-seed.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
const wrangler = join(root, "node_modules", ".bin", "wrangler");
const port = process.env.PORT ?? "8787";

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("created .dev.vars from .dev.vars.example");
}
const vars = Object.fromEntries(
  readFileSync(".dev.vars", "utf8")
    .split("\n")
    .filter((l) => /^\s*[A-Z_]+\s*=/.test(l))
    .map((l) => {
      const i = l.indexOf("=");
      return [l.slice(0, i).trim(), l.slice(i + 1).trim().replace(/^"(.*)"$/, "$1")];
    }),
);

// The Worker refuses secrets shorter than 32 bytes (JWT_SECRET, BOOTSTRAP_CLIENT_SECRET): say so now,
// not as a 500 on the first request, for a .dev.vars made before the rule.
for (const name of ["JWT_SECRET", "BOOTSTRAP_CLIENT_SECRET"]) {
  if (Buffer.byteLength(vars[name] ?? "") < 32) {
    console.error(`.dev.vars: ${name} must be at least 32 bytes (see .dev.vars.example); delete .dev.vars to recreate it.`);
    process.exit(1);
  }
}

function run(args) {
  // CI=true keeps wrangler from asking for confirmation.
  const r = spawnSync(wrangler, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CI: "true" }, encoding: "utf8" });
  if (r.status !== 0) {
    console.error(r.stdout, r.stderr);
    process.exit(r.status ?? 1);
  }
}

console.log("applying migrations to the local D1 database…");
run(["d1", "migrations", "apply", "DB", "--local"]);
mkdirSync(".wrangler", { recursive: true });
writeFileSync(".wrangler/demo-seed.sql", demoSeed(vars.PASSWORD_PEPPER ?? ""));
console.log("seeding the demo tenant…");
run(["d1", "execute", "DB", "--local", "--file", ".wrangler/demo-seed.sql"]);

const base = `http://localhost:${port}`;
console.log(`
Customer users API — local
  Base URL        ${base}
  API reference   ${base}/docs   (OpenAPI document: ${base}/doc)

Demo tenant "${DEMO.tenantDomain}" (id ${DEMO.tenantId}), customer ${DEMO.customerId}
  Tenant admin client   ${DEMO.clientId} / ${DEMO.clientSecret}
  Platform bootstrap    ${vars.BOOTSTRAP_CLIENT_ID} / ${vars.BOOTSTRAP_CLIENT_SECRET}  (from .dev.vars)
  Demo user login       ${DEMO.userEmail} / ${DEMO.userPassword}

Get a token and call the admin API:
  TOKEN=$(curl -s ${base}/auth/token -d grant_type=client_credentials -d client_id=${DEMO.clientId} -d client_secret=${DEMO.clientSecret} | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')
  curl -s ${base}/api/v1/tenants/${DEMO.tenantId}/users -H "Authorization: Bearer $TOKEN"

The same users through the Worth dialect:
  curl -s ${base}/auth/api/v1/customers/${DEMO.customerId}/users -H "Authorization: Bearer $TOKEN"

A create that is safe to retry (run it twice: the second answer is the first, with Idempotent-Replayed: true):
  curl -si ${base}/api/v1/tenants/${DEMO.tenantId}/groups -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -H "Idempotency-Key: demo-group-1" -d '{"name":"Retried once"}'

Watch webhook events (docs/webhooks.md): a receiver on port 9999, then a subscription to it:
  node -e 'require("http").createServer((q,s)=>{let b="";q.on("data",c=>b+=c).on("end",()=>{console.log(q.headers["webhook-id"],b);s.end()})}).listen(9999)'
  curl -s ${base}/api/v1/tenants/${DEMO.tenantId}/webhooks -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -d '{"url":"http://127.0.0.1:9999/","events":["*"]}'

Import users from a file with the operator CLI (a progress bar, then the job's counts and its row errors saved; docs/migration.md):
  CU_CLIENT_ID=${DEMO.clientId} CU_CLIENT_SECRET=${DEMO.clientSecret} npm run cli -- import docs/examples/import-users.ndjson --tenant ${DEMO.tenantId}
  CU_CLIENT_ID=${DEMO.clientId} CU_CLIENT_SECRET=${DEMO.clientSecret} npm run cli -- export --tenant ${DEMO.tenantId} --format csv --out users.csv
  (alan@demo.test then logs in with his imported bcrypt hash: turing-demo-password-1936)

Run the Cron Trigger now (purges expired Idempotency-Key records, sends events a crash left unqueued, resumes quiet imports):
  curl -s "${base}/__scheduled?cron=17+*+*+*+*"
`);

// --test-scheduled: /__scheduled runs the Cron Trigger on demand.
const child = spawn(wrangler, ["dev", "--port", port, "--test-scheduled", ...process.argv.slice(2)], { stdio: "inherit" });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 0));
