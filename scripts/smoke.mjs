// `npm run smoke -- https://host`: the post-deploy check of SECURITY.md, against a real deployment.
// It covers what the local test suite cannot: the production runtime's PBKDF2 limit (a password is
// hashed and verified), real secrets and bindings, and the deployed routes of every surface.
//
// Needs the bootstrap platform credentials: SMOKE_CLIENT_ID / SMOKE_CLIENT_SECRET (the
// BOOTSTRAP_CLIENT_ID / BOOTSTRAP_CLIENT_SECRET secrets of the deployment).
//
// Steps: a throwaway tenant (domain smoke-<timestamp>.invalid), a project, a customer, a subrole
// with read/write and a tenant_admin account; a user with a password created through Corti; a login
// with it; the user listed through Worth (with the user's own token) and CloudCockpit; 401 without
// a token on every surface. Then it removes what the API allows — the user, the account, the subrole
// — and, since a tenant cannot be deleted (docs/api/admin-api.md#tenants), renames the tenant "smoke (removed)". The
// project and customer stay with it (they hold the removed user, kept for the audit trail).
// Exits non-zero at the first failure, with the step, the status and the body.

import { URLSearchParams } from "node:url";

const base = (process.argv[2] ?? "").replace(/\/+$/, "");
const clientId = process.env.SMOKE_CLIENT_ID;
const clientSecret = process.env.SMOKE_CLIENT_SECRET;
if (!/^https?:\/\/[^/]+/.test(base) || !clientId || !clientSecret) {
  console.error("usage: SMOKE_CLIENT_ID=… SMOKE_CLIENT_SECRET=… npm run smoke -- https://your-worker.example.com");
  process.exit(2);
}

class SmokeFailure extends Error {}

/** One HTTP call; throws a SmokeFailure unless the status is `expect`. */
async function step(label, method, path, { token, body, form, headers = {}, expect }) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  let payload;
  if (form) {
    payload = new URLSearchParams(form).toString();
    h["content-type"] = "application/x-www-form-urlencoded";
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    h["content-type"] = "application/json";
  }
  let res;
  try {
    res = await fetch(`${base}${path}`, { method, headers: h, body: payload, redirect: "manual" });
  } catch (err) {
    const cause = err.cause?.code ?? err.cause?.errors?.[0]?.code ?? err.cause?.message ?? err.message;
    throw new SmokeFailure(`${label}: ${method} ${path} did not answer (${cause})`);
  }
  const text = await res.text();
  if (res.status !== expect) {
    throw new SmokeFailure(`${label}: ${method} ${path} → ${res.status}, expected ${expect}: ${text.slice(0, 500)}`);
  }
  console.log(`  ✓ ${label} (${res.status})`);
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, body: json };
}

function check(label, ok, detail) {
  if (!ok) throw new SmokeFailure(`${label}: ${detail}`);
  console.log(`  ✓ ${label}`);
}

const stamp = Date.now();
const domain = `smoke-${stamp}.invalid`;
const email = `smoke-${stamp}@smoke.invalid`;
const password = `Smoke-${crypto.randomUUID()}`;
const made = {};
let platform;

async function run() {
  console.log(`smoke test of ${base}`);
  platform = (await step("platform token (client credentials)", "POST", "/auth/token", {
    form: { grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret },
    expect: 200,
  })).body.access_token;

  const tenant = (await step(`throwaway tenant ${domain}`, "POST", "/api/v1/tenants", { token: platform, body: { domain, name: `smoke ${stamp}` }, expect: 201 })).body;
  made.tenant = tenant;
  const t = `/api/v1/tenants/${tenant.id}`;
  const project = (await step("project", "POST", `${t}/projects`, { token: platform, body: { key: "smoke", name: "Smoke" }, expect: 201 })).body;
  const customer = (await step("customer", "POST", `${t}/customers`, { token: platform, body: { name: "Smoke customer", projectId: project.id, key: "smoke-customer" }, expect: 201 })).body;
  made.subrole = (await step("subrole with read/write", "POST", `${t}/subroles`, {
    token: platform,
    body: { customerId: customer.id, code: "smoke", label: "Smoke", displayName: "Smoke", permissions: ["customer_user:read", "customer_user:write"] },
    expect: 201,
  })).body;
  made.account = (await step("tenant_admin account", "POST", `${t}/accounts`, {
    token: platform,
    body: { name: "smoke admin", role: "tenant_admin", scopes: ["users:read", "users:write", "admin"] },
    expect: 201,
  })).body;
  const admin = (await step("tenant_admin token", "POST", "/auth/token", {
    form: { grant_type: "client_credentials", client_id: made.account.clientId, client_secret: made.account.clientSecret },
    expect: 200,
  })).body.access_token;

  const corti = `/functions/v1/public/projects/${project.key}/customers/${customer.key}/users`;
  made.user = (await step("user with a password, through Corti (PBKDF2 in the production runtime)", "POST", corti, {
    token: admin,
    body: { email, firstName: "Smoke", lastName: "Test", password },
    expect: 201,
  })).body;
  made.corti = corti;
  await step("the subrole given through Worth", "PATCH", `/auth/api/v1/customers/${customer.id}/users/${made.user.id}`, {
    token: admin,
    body: { subrole: { id: made.subrole.id, code: "smoke" } },
    expect: 200,
  });
  const login = await step("login with e-mail and password", "POST", "/auth/token", { body: { email, password }, expect: 200 });
  check("the login answers a bearer token", login.body.tokenType === "bearer" && typeof login.body.accessToken === "string", JSON.stringify(login.body).slice(0, 200));
  await step("a wrong password is refused", "POST", "/auth/token", { body: { email, password: `${password}-wrong` }, expect: 401 });

  const worth = await step("Worth lists the user (with the user's own token)", "GET", `/auth/api/v1/customers/${customer.id}/users`, { token: login.body.accessToken, expect: 200 });
  check("Worth's list holds the user", worth.body.data.records.some((u) => u.id === made.user.id && u.email === email), JSON.stringify(worth.body).slice(0, 300));
  const cc = await step("CloudCockpit lists the user", "GET", `/v1/customer/${customer.id}/users`, { token: admin, headers: { "x-tenant": domain }, expect: 200 });
  check("CloudCockpit's list holds the user", cc.body.some((u) => u.id === made.user.id && u.role?.name === "smoke"), JSON.stringify(cc.body).slice(0, 300));

  await step("401 without a token: admin API", "GET", t, { expect: 401 });
  await step("401 without a token: Worth", "GET", `/auth/api/v1/customers/${customer.id}/users`, { expect: 401 });
  await step("401 without a token: Corti", "GET", corti, { expect: 401 });
  await step("401 without a token: CloudCockpit", "GET", `/v1/customer/${customer.id}/users`, { headers: { "x-tenant": domain }, expect: 401 });
  await step("401 with a token in the query string", "GET", `/auth/api/v1/customers/${customer.id}/users?access_token=${login.body.accessToken}`, { expect: 401 });
}

/** Removes what the API allows; every step is attempted, and its failures reported. */
async function cleanup() {
  console.log("cleaning up");
  const problems = [];
  const attempt = async (fn) => {
    try {
      await fn();
    } catch (err) {
      problems.push(err.message);
      console.error(`  ✗ ${err.message}`);
    }
  };
  if (!platform || !made.tenant) return problems;
  const t = `/api/v1/tenants/${made.tenant.id}`;
  if (made.user) {
    // The role first: a subrole still held by a (removed) user cannot be deleted.
    await attempt(() => step("the user's role removed", "PATCH", `/v1/users/${encodeURIComponent(email)}`, { token: platform, headers: { "x-tenant": domain }, body: { role: null }, expect: 204 }));
    await attempt(() => step("user deleted", "DELETE", `${made.corti}/${made.user.id}`, { token: platform, expect: 204 }));
  }
  if (made.account) await attempt(() => step("account deleted", "DELETE", `${t}/accounts/${made.account.id}`, { token: platform, expect: 204 }));
  if (made.subrole) await attempt(() => step("subrole deleted", "DELETE", `${t}/subroles/${made.subrole.id}`, { token: platform, expect: 204 }));
  await attempt(() => step('tenant renamed "smoke (removed)"', "PATCH", t, { token: platform, body: { name: "smoke (removed)" }, expect: 200 }));
  console.log(
    `  note: tenant ${made.tenant.id} (${domain}) stays, renamed "smoke (removed)": tenants cannot be deleted through the API, ` +
      "and its project and customer keep the removed user for the audit trail.",
  );
  return problems;
}

let failure;
try {
  await run();
} catch (err) {
  failure = err;
}
const leftovers = await cleanup();
if (failure) {
  console.error(`\nsmoke: FAILED — ${failure instanceof SmokeFailure ? failure.message : failure.stack}`);
  process.exit(1);
}
if (leftovers.length > 0) {
  console.error(`\nsmoke: the checks passed, but the cleanup failed: ${leftovers.join("; ")}`);
  process.exit(1);
}
console.log("\nsmoke: OK");
