/**
 * The one test world: a fresh tenant and, through the real admin API, whatever a test needs in it —
 * projects, resellers, customers, subroles, groups, accounts and users — and tokens, either signed
 * with the Worker's real secret (for roles and scopes no account is needed for) or issued by the
 * real token endpoints (an account's client credentials, a user's password login).
 *
 * Specs name each other by index (`customer: 0` is the first customer of the world, `project: 1`
 * the second project); every other field of a spec is sent to the admin API as is, so a world says
 * exactly what it holds. Each kind is created in parallel as soon as what it names exists. Rows come
 * back as the admin API answered them, in the order of their specs.
 *
 * The surfaces' helpers turn a world into the fields their tests read (worthWorld, ccWorld, the
 * Corti world, the matrix world, the fuzz world): each is a few lines of options and an adapter.
 */
import { call, clientToken, create, freshTenant, platformToken, sign, unique, type Tenant } from "./harness";

/** Both user scopes, as a token's `scope` claim. */
export const ALL = "users:read users:write";

/** References to other rows of the world, by index; they become `projectId`, `resellerId`, `customerId`. */
interface Refs {
  project?: number;
  reseller?: number;
  customer?: number;
}
type Fields = Record<string, unknown>;

export interface ProjectSpec extends Fields {
  key: string;
  name: string;
}
export interface ResellerSpec extends Fields {
  name: string;
}
export interface CustomerSpec extends Fields, Omit<Refs, "customer"> {
  name: string;
}
export interface SubroleSpec extends Fields, Pick<Refs, "customer"> {
  code: string;
  label: string;
  displayName: string;
  permissions: string[];
}
export interface GroupSpec extends Fields {
  name: string;
}
export interface AccountSpec extends Fields, Refs {
  name: string;
  role: "tenant_admin" | "reseller" | "customer";
  scopes: string[];
}
/** A user of a customer, created through a dialect: Worth (with a subrole) or Corti (with a password). */
export interface UserSpec {
  via: "worth" | "corti";
  customer: number;
  email: string;
  firstName: string;
  lastName: string;
  /** Corti only: the user can log in with it. */
  password?: string;
  /** Worth only: the subrole the user holds. */
  subrole?: number;
}
/** A token signed with the Worker's secret, for the world's tenant (`sub` random unless given). */
export interface SignedTokenSpec extends Refs {
  role: string;
  scope: string;
  sub?: string;
}
/**
 * How a token of the world is made: signed (a role and claims), from the real token endpoint with
 * an account's client credentials (optionally asking for fewer scopes), or from a user's password
 * login at Corti's token endpoint.
 */
export type TokenSpec = SignedTokenSpec | { account: number; scope?: string } | { login: number };

/** A count (each row made by the kind's default) or the specs themselves. */
type Many<S> = number | S[];

export interface WorldOptions<T extends string = never> {
  /** Default: `{key: unique("p"), name: "Project"}`. */
  projects?: Many<ProjectSpec>;
  /** Default: `{name: "Reseller"}`. */
  resellers?: Many<ResellerSpec>;
  /** Default: `{name: "Customer"}`. */
  customers?: Many<CustomerSpec>;
  subroles?: SubroleSpec[];
  /** Default: `{name: "Group <i>"}`. */
  groups?: Many<GroupSpec>;
  accounts?: AccountSpec[];
  users?: UserSpec[];
  tokens?: Record<T, TokenSpec>;
}

/** A row as the admin API answers it. */
export interface Row {
  id: string;
  [field: string]: unknown;
}
export interface WorldUser {
  id: string;
  email: string;
  /** Index of its customer. */
  customer: number;
  password?: string;
}

export interface World<T extends string = never> {
  tenant: Tenant;
  /** The bootstrap platform client's token. */
  platform: string;
  projects: (Row & { key: string; name: string })[];
  resellers: (Row & { name: string })[];
  customers: (Row & { name: string; key: string | null; projectId: string | null; resellerId: string | null })[];
  subroles: (Row & { code: string; label: string; displayName: string; description: string; permissions: string[]; customerId: string | null })[];
  groups: (Row & { name: string })[];
  accounts: (Row & { clientId: string; clientSecret: string; role: string })[];
  users: WorldUser[];
  tokens: Record<T, string>;
}

const CORTI = "/functions/v1/public";

function specs<S>(many: Many<S> | undefined, make: (i: number) => S): S[] {
  return typeof many === "number" ? Array.from({ length: many }, (_, i) => make(i)) : (many ?? []);
}

function nth<R>(rows: R[], i: number, kind: string): R {
  const row = rows[i];
  if (row === undefined) throw new Error(`world: no ${kind} #${i} (there are ${rows.length})`);
  return row;
}

/** Each index reference as the admin API's id field. */
function withIds(spec: Fields & Refs, w: Partial<Pick<World, "projects" | "resellers" | "customers">>): Fields {
  const { project, reseller, customer, ...fields } = spec;
  return {
    ...fields,
    ...(project === undefined ? {} : { projectId: nth(w.projects ?? [], project, "project").id }),
    ...(reseller === undefined ? {} : { resellerId: nth(w.resellers ?? [], reseller, "reseller").id }),
    ...(customer === undefined ? {} : { customerId: nth(w.customers ?? [], customer, "customer").id }),
  };
}

const createAll = <R>(tenant: Tenant, kind: string, bodies: Fields[]): Promise<R[]> => Promise.all(bodies.map((b) => create(tenant, kind, b) as Promise<R>));

/** A fresh tenant holding what the options describe; see the file's comment. */
export async function world<T extends string = never>(o: WorldOptions<T> = {}): Promise<World<T>> {
  const [tenant, platform] = await Promise.all([freshTenant(), platformToken()]);
  type W = World<T>;
  const [projects, resellers, groups] = await Promise.all([
    createAll<W["projects"][number]>(tenant, "projects", specs(o.projects, () => ({ key: unique("p").toLowerCase(), name: "Project" }))),
    createAll<W["resellers"][number]>(tenant, "resellers", specs(o.resellers, () => ({ name: "Reseller" }))),
    createAll<W["groups"][number]>(tenant, "groups", specs(o.groups, (i) => ({ name: `Group ${i}` }))),
  ]);
  const customers = await createAll<W["customers"][number]>(
    tenant,
    "customers",
    specs(o.customers, () => ({ name: "Customer" })).map((s) => withIds(s, { projects, resellers })),
  );
  const refs = { projects, resellers, customers };
  const subrolesP = createAll<W["subroles"][number]>(tenant, "subroles", (o.subroles ?? []).map((s) => withIds(s, refs)));
  const accountsP = createAll<W["accounts"][number]>(tenant, "accounts", (o.accounts ?? []).map((s) => withIds(s, refs)));
  const usersP = Promise.all((o.users ?? []).map(async (u): Promise<WorldUser> => {
    const customer = nth(customers, u.customer, "customer");
    const user = { email: u.email, customer: u.customer, ...(u.password === undefined ? {} : { password: u.password }) };
    if (u.via === "worth") {
      const subrole = u.subrole === undefined ? undefined : nth(await subrolesP, u.subrole, "subrole");
      const r = await call("POST", `/auth/api/v1/customers/${customer.id}/users`, {
        token: tenant.admin,
        body: { first_name: u.firstName, last_name: u.lastName, email: u.email, ...(subrole ? { subrole: { id: subrole.id, code: subrole.code, label: subrole.label } } : {}) },
        expect: 200,
      });
      return { id: r.body.data.user_id as string, ...user };
    }
    const project = projects.find((p) => p.id === customer.projectId);
    if (!project || customer.key === null) throw new Error(`world: a Corti user needs a customer with a project and a key (customer #${u.customer})`);
    const r = await call("POST", `${CORTI}/projects/${project.key}/customers/${customer.key}/users`, {
      token: tenant.admin,
      body: { email: u.email, firstName: u.firstName, lastName: u.lastName, ...(u.password === undefined ? {} : { password: u.password }) },
      expect: 201,
    });
    return { id: r.body.id as string, ...user };
  }));
  const [subroles, accounts, users] = await Promise.all([subrolesP, accountsP, usersP]);

  const token = async (t: TokenSpec): Promise<string> => {
    if ("account" in t) {
      const a = nth(accounts, t.account, "account");
      return clientToken(a.clientId, a.clientSecret, t.scope);
    }
    if ("login" in t) {
      const u = nth(users, t.login, "user");
      if (u.password === undefined) throw new Error(`world: user #${t.login} has no password to log in with`);
      return (await call("POST", `${CORTI}/auth/token`, { body: { email: u.email, password: u.password }, expect: 200 })).body.accessToken as string;
    }
    const { role, scope, sub, ...ids } = t;
    const claims = withIds(ids, refs);
    return sign({
      sub: sub ?? crypto.randomUUID(),
      role,
      tenant_id: tenant.id,
      ...(claims.customerId === undefined ? {} : { customer_id: claims.customerId as string }),
      ...(claims.resellerId === undefined ? {} : { reseller_id: claims.resellerId as string }),
      ...(claims.projectId === undefined ? {} : { project_id: claims.projectId as string }),
      scope,
    });
  };
  const entries = Object.entries(o.tokens ?? {}) as [T, TokenSpec][];
  const tokens = Object.fromEntries(await Promise.all(entries.map(async ([name, t]) => [name, await token(t)] as const))) as Record<T, string>;

  return { tenant, platform, projects, resellers, customers, subroles, groups, accounts, users, tokens };
}
