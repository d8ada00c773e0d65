/**
 * The fixtures of the authorization matrix (matrix.data.ts), built once per file: two tenants, the
 * customers A and B (tenant 1) and C (tenant 2) with their projects, resellers, subroles, groups,
 * accounts and users, the seven principals as real tokens, each target's placeholder values, and
 * fresh items for destructive cells.
 */
import { env } from "cloudflare:workers";
import { call, create, unique, type Tenant } from "../harness";
import { scimToken } from "../scim/helpers";
import { world, type AccountSpec, type UserSpec, type World } from "../world";
import type { Fresh, Principal, Target, Values } from "./matrix.data";

/** A password inside 16–64 code points, for the users the Corti login cells log in as. */
export const MATRIX_PASSWORD = "Matrix$ecret-passw0rd";
const CORTI = "/functions/v1/public";

export interface MatrixWorld {
  t1: Tenant;
  t2: Tenant;
  /** The Authorization header value of each principal (anonymous: none). */
  auth: Record<Principal, string | undefined>;
  /** The client credentials behind the principals that are accounts of the world (for tokens of fewer scopes). */
  clients: Partial<Record<Principal, { clientId: string; clientSecret: string }>>;
  values: Record<Target, Values>;
  /** Creates a fresh item of a kind in the target's tenant; returns the values it replaces. */
  fresh: (kind: Fresh, target: Exclude<Target, "none">) => Promise<Values>;
  /** Whether a fresh item still exists (read back by its tenant's admin). */
  exists: (kind: Fresh, target: Exclude<Target, "none">, v: Values) => Promise<boolean>;
}

const lower = (p: string) => unique(p).toLowerCase();

interface CustomerSide {
  tenant: Tenant;
  project: { id: string; key: string };
  reseller: { id: string };
  customer: { id: string; key: string };
  viewer: { id: string };
  subrole: { id: string };
  group: { id: string };
  account: { id: string; clientId: string; clientSecret: string };
  user: { id: string; email: string };
  webhook: { id: string };
  /** A failed delivery of the webhook (of an event that is not one: a retry re-queues it, and nothing is sent). */
  delivery: { id: string };
}

/**
 * The specs of a tenant of `n` customers, each with everything around it: its own project,
 * reseller, group, subrole `cro`, customer account and a user made through Corti with a password
 * (no subrole: a login of this user has no scopes); subroles[0] is the tenant-wide `viewer`.
 */
function sideSpecs(n: number) {
  const each = <S>(make: (i: number) => S) => Array.from({ length: n }, (_, i) => make(i));
  return {
    projects: n,
    resellers: n,
    groups: each(() => ({ name: unique("g") })),
    customers: each((i) => ({ name: "Customer", reseller: i, project: i, key: unique("cust") })),
    subroles: [
      { code: "viewer", label: "Viewer", displayName: "Viewer", permissions: ["customer_user:read"] },
      ...each((i) => ({ customer: i, code: "cro", label: "CRO", displayName: "CRO", permissions: ["customer_user:read"] })),
    ],
    accounts: each((i): AccountSpec => ({ name: "Customer app", role: "customer", customer: i, project: i, scopes: ["users:read", "users:write"] })),
    users: each((i): UserSpec => ({ via: "corti", customer: i, email: `${unique("user")}@example.com`, firstName: "Matrix", lastName: "User", password: MATRIX_PASSWORD })),
  };
}

/** Customer `i` of a world made of sideSpecs(), with everything around it. */
function sideOf(w: Omit<World, "tokens">, i: number, webhook: { id: string }, delivery: { id: string }): CustomerSide {
  const at = <R>(rows: R[], j = i) => rows[j] as R;
  const customer = at(w.customers);
  return {
    tenant: w.tenant,
    project: at(w.projects),
    reseller: at(w.resellers),
    customer: { id: customer.id, key: customer.key as string },
    viewer: at(w.subroles, 0),
    subrole: at(w.subroles, i + 1),
    group: at(w.groups),
    account: at(w.accounts),
    user: at(w.users),
    webhook,
    delivery,
  };
}

function valuesOf(s: CustomerSide): Values {
  return {
    tenant: s.tenant.id,
    home: s.tenant.id,
    domain: s.tenant.domain,
    homeDomain: s.tenant.domain,
    customer: s.customer.id,
    customerKey: s.customer.key,
    project: s.project.key,
    reseller: s.reseller.id,
    user: s.user.id,
    email: s.user.email,
    viewer: s.viewer.id,
    projects: s.project.id,
    resellers: s.reseller.id,
    customers: s.customer.id,
    subroles: s.subrole.id,
    groups: s.group.id,
    accounts: s.account.id,
    webhooks: s.webhook.id,
    deliveries: s.delivery.id,
    // (The SCIM token a DELETE revokes is always a fresh one.)
    scimTokens: crypto.randomUUID(),
    clientId: s.account.clientId,
    clientSecret: s.account.clientSecret,
    password: MATRIX_PASSWORD,
  };
}

const t1Of = (w: { tenant: Tenant }) => w.tenant;

export async function matrixWorld(): Promise<MatrixWorld> {
  const one = sideSpecs(2);
  const [w1, w2] = await Promise.all([
    world({
      ...one,
      accounts: [
        ...one.accounts,
        { name: "Reseller app", role: "reseller", reseller: 0, scopes: ["users:read", "users:write"] },
        { name: "P1 admin", role: "tenant_admin", project: 0, scopes: ["admin", "users:read", "users:write"] },
      ],
      // Real tokens: client credentials of A's account, A's reseller's and the narrowed admin's; A's user's password login.
      tokens: { customerA: { account: 0 }, resellerA: { account: 2 }, narrowed: { account: 3 }, noScope: { login: 0 } },
    }),
    world(sideSpecs(1)),
  ]);
  const [t1, t2] = [w1.tenant, w2.tenant];
  // A subscription for each side (the webhook rows of the matrix), delivering to the tests' receiver.
  const hook = (t: Tenant) => create(t, "webhooks", { url: `https://receiver.test/ok/${unique("matrix")}`, events: ["*"] }) as Promise<{ id: string }>;
  const [ha, hb, hc] = await Promise.all([hook(t1Of(w1)), hook(t1Of(w1)), hook(t1Of(w2))]);
  const failed = async (t: Tenant, h: { id: string }) => {
    const id = crypto.randomUUID();
    const event = crypto.randomUUID();
    await env.DB.batch([
      env.DB.prepare("insert into webhook_deliveries (id, tenant_id, webhook_id, event_id, event_type, attempts, status, created_at, updated_at) values (?, ?, ?, ?, 'user.created', 8, 'failed', ?, ?)").bind(crypto.randomUUID(), t.id, h.id, event, Date.now(), Date.now()),
      env.DB.prepare("insert into webhook_attempts (id, tenant_id, webhook_id, event_id, event_type, attempt, outcome, response_status, duration_ms, error, at) values (?, ?, ?, ?, 'user.created', 8, 'failed', 500, 3, 'HTTP 500', ?)").bind(id, t.id, h.id, event, Date.now()),
    ]);
    return { id };
  };
  const [da, db, dc] = await Promise.all([failed(t1Of(w1), ha), failed(t1Of(w1), hb), failed(t1Of(w2), hc)]);
  const [a, b, c] = [sideOf(w1, 0, ha, da), sideOf(w1, 1, hb, db), sideOf(w2, 0, hc, dc)];

  const rnd = () => crypto.randomUUID();
  const none: Values = {
    tenant: rnd(),
    home: t1.id,
    domain: `${lower("nowhere")}.example.com`,
    homeDomain: t1.domain,
    customer: rnd(),
    customerKey: unique("nokey"),
    project: lower("noproject"),
    reseller: rnd(),
    user: rnd(),
    email: `${unique("nobody")}@example.com`,
    viewer: rnd(),
    projects: rnd(),
    resellers: rnd(),
    customers: rnd(),
    subroles: rnd(),
    groups: rnd(),
    accounts: rnd(),
    webhooks: rnd(),
    deliveries: rnd(),
    scimTokens: rnd(),
    clientId: rnd(),
    clientSecret: "not-a-secret-of-anyone",
    password: MATRIX_PASSWORD,
  };
  const sides = { own: a, B: b, C: c } as const;
  // An import job for each side (the rows of GET …/imports/{id}): own's started by the narrowed
  // admin (it reads its own jobs), B's by tenant 1's admin, C's in tenant 2.
  const job = async (t: Tenant, by: string) => {
    const id = rnd();
    const at = Date.now();
    await env.DB.prepare(
      "insert into import_jobs (id, tenant_id, mode, format, status, principal, created_by, total, created, updated, skipped, failed, bytes, created_at, started_at, finished_at, heartbeat_at) values (?, ?, 'create', 'ndjson', 'completed', '{}', ?, 0, 0, 0, 0, 0, 0, ?, ?, ?, ?)",
    )
      .bind(id, t.id, by, at, at, at, at)
      .run();
    return id;
  };
  const jobs = await Promise.all([job(t1, w1.accounts[3]!.id), job(t1, rnd()), job(t2, rnd())]);

  const fresh = async (kind: Fresh, target: Exclude<Target, "none">): Promise<Values> => {
    const s = sides[target];
    const t = s.tenant;
    switch (kind) {
      case "projects":
        return { projects: (await create(t, "projects", { key: lower("fresh"), name: "Fresh" })).id };
      case "resellers":
        return { resellers: (await create(t, "resellers", { name: "Fresh" })).id };
      case "customers":
        return { customers: (await create(t, "customers", { name: "Fresh", resellerId: s.reseller.id, projectId: s.project.id })).id };
      case "subroles":
        return { subroles: (await create(t, "subroles", { customerId: s.customer.id, code: lower("fresh"), label: "F", displayName: "F", permissions: [] })).id };
      case "groups":
        return { groups: (await create(t, "groups", { name: unique("fresh") })).id };
      case "webhooks":
        return { webhooks: (await create(t, "webhooks", { url: `https://receiver.test/ok/${unique("fresh")}`, events: ["user.created"] })).id };
      case "accounts":
        return { accounts: (await create(t, "accounts", { name: "Fresh", role: "customer", customerId: s.customer.id, projectId: s.project.id, scopes: ["users:read"] })).id };
      case "scimTokens":
        return { scimTokens: (await call("POST", `/api/v1/tenants/${t.id}/customers/${s.customer.id}/scim-tokens`, { token: t.admin, body: {}, expect: 201 })).body.id };
      case "cortiUser":
      case "ccUser": {
        const email = `${unique("fresh")}@example.com`;
        const r = await call("POST", `${CORTI}/projects/${s.project.key}/customers/${s.customer.key}/users`, {
          token: t.admin,
          body: { email, firstName: "Fresh", lastName: "User" },
          expect: 201,
        });
        return { user: r.body.id, email };
      }
    }
  };

  const exists = async (kind: Fresh, target: Exclude<Target, "none">, v: Values): Promise<boolean> => {
    const t = sides[target].tenant;
    if (kind === "scimTokens") {
      const list = await call("GET", `/api/v1/tenants/${t.id}/customers/${sides[target].customer.id}/scim-tokens?limit=100`, { token: t.admin, expect: 200 });
      return (list.body.data as { id: string }[]).some((x) => x.id === v.scimTokens);
    }
    const path = kind === "cortiUser" || kind === "ccUser" ? `users/${v.user}` : `${kind}/${v[kind]}`;
    const r = await call("GET", `/api/v1/tenants/${t.id}/${path}`, { token: t.admin });
    if (r.status !== 200 && r.status !== 404) throw new Error(`read-back of ${path}: ${r.status} ${r.text}`);
    return r.status === 200;
  };

  return {
    t1,
    t2,
    auth: {
      anonymous: undefined,
      noScope: `Bearer ${w1.tokens.noScope}`,
      customerA: `Bearer ${w1.tokens.customerA}`,
      resellerA: `Bearer ${w1.tokens.resellerA}`,
      admin1: `Bearer ${t1.admin}`,
      narrowed: `Bearer ${w1.tokens.narrowed}`,
      admin2: `Bearer ${t2.admin}`,
      platform: `Bearer ${w1.platform}`,
      scimA: `Bearer ${await scimToken(t1, a.customer.id)}`,
    },
    clients: { customerA: w1.accounts[0]!, resellerA: w1.accounts[2]!, narrowed: w1.accounts[3]! },
    values: { own: { ...valuesOf(a), imports: jobs[0] }, B: { ...valuesOf(b), imports: jobs[1] }, C: { ...valuesOf(c), imports: jobs[2] }, none: { ...none, imports: rnd() } },
    fresh,
    exists,
  };
}
