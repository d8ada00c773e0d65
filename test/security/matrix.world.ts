/**
 * The fixtures of the authorization matrix (matrix.data.ts), built once per file: two tenants, the
 * customers A and B (tenant 1) and C (tenant 2) with their projects, resellers, subroles, groups,
 * accounts and users, the seven principals as real tokens, each target's placeholder values, and
 * fresh items for destructive cells.
 */
import { call, clientToken, create, freshTenant, platformToken, unique, type Tenant } from "../harness";
import type { Fresh, Principal, Target, Values } from "./matrix.data";

/** A password inside 16–64 code points, for the users the Corti login cells log in as. */
export const MATRIX_PASSWORD = "Matrix$ecret-passw0rd";
const CORTI = "/functions/v1/public";

export interface MatrixWorld {
  t1: Tenant;
  t2: Tenant;
  /** The Authorization header value of each principal (anonymous: none). */
  auth: Record<Principal, string | undefined>;
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
}

/** One customer with everything around it, in `tenant`; `viewer` is the tenant's tenant-wide subrole. */
async function customerSide(tenant: Tenant, viewer: { id: string }): Promise<CustomerSide> {
  const [project, reseller, group] = await Promise.all([
    create(tenant, "projects", { key: lower("p"), name: "Project" }),
    create(tenant, "resellers", { name: "Reseller" }),
    create(tenant, "groups", { name: unique("g") }),
  ]);
  const key = unique("cust");
  const customer = await create(tenant, "customers", { name: "Customer", resellerId: reseller.id, projectId: project.id, key });
  const email = `${unique("user")}@example.com`;
  const [subrole, account, user] = await Promise.all([
    create(tenant, "subroles", { customerId: customer.id, code: "cro", label: "CRO", displayName: "CRO", permissions: ["customer_user:read"] }),
    create(tenant, "accounts", { name: "Customer app", role: "customer", customerId: customer.id, projectId: project.id, scopes: ["users:read", "users:write"] }),
    // Through Corti, with a password (no subrole: a login of this user has no scopes).
    call("POST", `${CORTI}/projects/${project.key}/customers/${key}/users`, {
      token: tenant.admin,
      body: { email, firstName: "Matrix", lastName: "User", password: MATRIX_PASSWORD },
      expect: 201,
    }),
  ]);
  return {
    tenant,
    project: { id: project.id, key: project.key },
    reseller: { id: reseller.id },
    customer: { id: customer.id, key },
    viewer,
    subrole: { id: subrole.id },
    group: { id: group.id },
    account: { id: account.id, clientId: account.clientId, clientSecret: account.clientSecret },
    user: { id: user.body.id, email },
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
    clientId: s.account.clientId,
    clientSecret: s.account.clientSecret,
    password: MATRIX_PASSWORD,
  };
}

export async function matrixWorld(): Promise<MatrixWorld> {
  const [t1, t2, platform] = await Promise.all([freshTenant(), freshTenant(), platformToken()]);
  const viewer = (t: Tenant) => create(t, "subroles", { code: "viewer", label: "Viewer", displayName: "Viewer", permissions: ["customer_user:read"] });
  const [viewer1, viewer2] = await Promise.all([viewer(t1), viewer(t2)]);
  const [a, b, c] = await Promise.all([customerSide(t1, viewer1), customerSide(t1, viewer1), customerSide(t2, viewer2)]);
  const resellerAccount = await create(t1, "accounts", { name: "Reseller app", role: "reseller", resellerId: a.reseller.id, scopes: ["users:read", "users:write"] });
  const narrowedAccount = await create(t1, "accounts", { name: "P1 admin", role: "tenant_admin", projectId: a.project.id, scopes: ["admin", "users:read", "users:write"] });
  const login = await call("POST", `${CORTI}/auth/token`, { body: { email: a.user.email, password: MATRIX_PASSWORD }, expect: 200 });

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
    clientId: rnd(),
    clientSecret: "not-a-secret-of-anyone",
    password: MATRIX_PASSWORD,
  };
  const sides = { own: a, B: b, C: c } as const;

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
      case "accounts":
        return { accounts: (await create(t, "accounts", { name: "Fresh", role: "customer", customerId: s.customer.id, projectId: s.project.id, scopes: ["users:read"] })).id };
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
      noScope: `Bearer ${login.body.accessToken}`,
      customerA: `Bearer ${await clientToken(a.account.clientId, a.account.clientSecret)}`,
      resellerA: `Bearer ${await clientToken(resellerAccount.clientId, resellerAccount.clientSecret)}`,
      admin1: `Bearer ${t1.admin}`,
      narrowed: `Bearer ${await clientToken(narrowedAccount.clientId, narrowedAccount.clientSecret)}`,
      admin2: `Bearer ${t2.admin}`,
      platform: `Bearer ${platform}`,
    },
    values: { own: valuesOf(a), B: valuesOf(b), C: valuesOf(c), none },
    fresh,
    exists,
  };
}
