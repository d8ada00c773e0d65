/**
 * The authorization matrix of every documented operation, as data (issue 6, docs/api/auth.md#reach).
 *
 * Each row is one operation of /doc: how its request addresses a target (a path template whose
 * `{placeholders}` are filled from the target's values, built in matrix.world.ts), a valid body, and
 * the grid of expected statuses, principal × target. `OK` is the operation's success status.
 *
 * Principals (all real tokens from the real token endpoint):
 *   anonymous   no Authorization header
 *   noScope     a customer user of A without scopes (a real password login of a user with no subrole)
 *   customerA   a customer account of customer A (users:read users:write)
 *   resellerA   a reseller account of A's reseller (users:read users:write)
 *   admin1      a tenant_admin account of tenant 1 (admin users:read users:write)
 *   narrowed    a tenant_admin account of tenant 1 narrowed to A's project P1 (admin users:read users:write):
 *               it reaches P1's customers, reads tenant-wide configuration, writes neither the tenant, its
 *               projects, resellers, groups nor tenant-wide subroles (docs/decisions/0007-privilege-ceiling.md)
 *   admin2      a tenant_admin account of tenant 2
 *   platform    the bootstrap platform client
 *   scimA       a SCIM token of customer A, issued by admin1 through the admin API: it authenticates on /scim/v2
 *               only (401 everywhere else — a grid that does not name it says so by default)
 * Targets:
 *   own   customer A / tenant 1 (A belongs to reseller R and project P1)
 *   B     customer B of tenant 1 (another reseller R2, another project PB)
 *   C     customer C of tenant 2 (reseller R3, project P2)
 *   none  does not exist: the target's own ids (and keys, e-mail, client id) are random; where the
 *         request names the tenant of an item (admin item paths, CloudCockpit's X-Tenant on customer,
 *         reseller and user routes) that tenant stays tenant 1; where the tenant itself is the target
 *         (admin tenant-level paths, CloudCockpit's tenant lists) it is a random id / an unknown domain.
 *
 * Rows that reach the same target through different surfaces share an `op`; the first row of an op
 * is its reference, and every cell where another row's grid differs from it must be declared in
 * that row's `differs`, with the reason (checked by matrix.test.ts, both ways).
 */

export const PRINCIPALS = ["anonymous", "noScope", "customerA", "resellerA", "admin1", "narrowed", "admin2", "platform", "scimA"] as const;
export const TARGETS = ["own", "B", "C", "none"] as const;
export type Principal = (typeof PRINCIPALS)[number];
export type Target = (typeof TARGETS)[number];
/** An expected status, or OK: the row's success status. */
export type Expected = number | "OK";
export type Grid = Record<Principal, Record<Target, Expected>>;
/** `"<principal> <target>"`, e.g. `"admin2 own"`. */
export type CellKey = `${Principal} ${Target}`;

/** A SCIM token is refused by every surface but SCIM's: the line of a grid that does not name scimA. */
const SCIM_ELSEWHERE = "401 401 401 401";

/** Parses a grid written as a table: a header line of targets, then one line per principal (scimA: SCIM_ELSEWHERE unless named). */
export function grid(table: string): Grid {
  const lines = table
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/));
  const [header, ...rows] = lines;
  if (header?.join(" ") !== `principal ${TARGETS.join(" ")}`) throw new Error(`grid header must be: principal ${TARGETS.join(" ")}`);
  const out: Partial<Grid> = {};
  for (const [name, ...cells] of rows) {
    if (!(PRINCIPALS as readonly string[]).includes(name ?? "") || cells.length !== TARGETS.length) throw new Error(`bad grid line: ${name} ${cells.join(" ")}`);
    out[name as Principal] = Object.fromEntries(TARGETS.map((t, i) => [t, cells[i] === "OK" ? "OK" : Number(cells[i])])) as Record<Target, Expected>;
  }
  out.scimA ??= Object.fromEntries(TARGETS.map((t, i) => [t, Number(SCIM_ELSEWHERE.split(" ")[i])])) as Record<Target, Expected>;
  for (const p of PRINCIPALS) if (!out[p]) throw new Error(`grid lacks ${p}`);
  return out as Grid;
}

// ---------------------------------------------------------------------------------------------
// The grids: one per way of addressing a target. Every row below points at one of them.

/** A grid where only the SCIM token succeeds: every access token, whatever its role, is refused on /scim/v2 (401). */
const scimGrid = (scimA: string) =>
  grid(`
    principal  own  B    C    none
    anonymous  401  401  401  401
    noScope    401  401  401  401
    customerA  401  401  401  401
    resellerA  401  401  401  401
    admin1     401  401  401  401
    narrowed   401  401  401  401
    admin2     401  401  401  401
    platform   401  401  401  401
    scimA      ${scimA}
  `);

const G = {
  /** SCIM, a user by id: the token's customer's only (B's and tenant 2's users are not there for it). */
  scimItem: scimGrid("OK 404 404 404"),
  /** SCIM, what names no target (lists, creates in the token's customer, the discovery resources). */
  scimCollection: scimGrid("OK OK OK OK"),
  /** SCIM, tenant configuration by id (a group): any of the token's tenant, none of another's. */
  scimTenantItem: scimGrid("OK OK 404 404"),
  /** Admin API, the target is the tenant in the path (the tenant itself, its collections). */
  adminTenant: grid(`
    principal  own  B    C    none
    anonymous  401  401  401  401
    noScope    403  403  403  403
    customerA  403  403  403  403
    resellerA  403  403  403  403
    admin1     OK   OK   403  403
    narrowed   OK   OK   403  403
    admin2     403  403  OK   403
    platform   OK   OK   OK   404
  `),
  /** Admin API, an item of a tenant (/tenants/{tenantId}/…/{id}); none: a random id in tenant 1. */
  adminItem: grid(`
    principal  own  B    C    none
    anonymous  401  401  401  401
    noScope    403  403  403  403
    customerA  403  403  403  403
    resellerA  403  403  403  403
    admin1     OK   OK   403  404
    narrowed   OK   404  403  404
    admin2     403  403  OK   403
    platform   OK   OK   OK   404
  `),
  /** POST /api/v1/tenants: the request names no target (the same request in every column); platform only. */
  adminCreateTenant: grid(`
    principal  own  B    C    none
    anonymous  401  401  401  401
    noScope    403  403  403  403
    customerA  403  403  403  403
    resellerA  403  403  403  403
    admin1     403  403  403  403
    narrowed   403  403  403  403
    admin2     403  403  403  403
    platform   OK   OK   OK   OK
  `),
  /** GET /api/v1/tenants: names no target (a tenant admin lists its own tenant). */
  adminListTenants: grid(`
    principal  own  B    C    none
    anonymous  401  401  401  401
    noScope    403  403  403  403
    customerA  403  403  403  403
    resellerA  403  403  403  403
    admin1     OK   OK   OK   OK
    narrowed   OK   OK   OK   OK
    admin2     OK   OK   OK   OK
    platform   OK   OK   OK   OK
  `),
  /**
   * The token endpoint authenticates the client by its credentials (the target's account or user);
   * a bearer token in Authorization is neither needed nor used, so every principal answers alike.
   */
  token: grid(`
    principal  own  B    C    none
    anonymous  OK   OK   OK   401
    noScope    OK   OK   OK   401
    customerA  OK   OK   OK   401
    resellerA  OK   OK   OK   401
    admin1     OK   OK   OK   401
    narrowed   OK   OK   OK   401
    admin2     OK   OK   OK   401
    platform   OK   OK   OK   401
    scimA      OK   OK   OK   401
  `),
  /** Worth: the customer named by id, no tenant in the request (docs/api/auth.md#403-or-404, as written). */
  byCustomerId: grid(`
    principal  own  B    C    none
    anonymous  401  401  401  401
    noScope    403  403  403  403
    customerA  OK   403  403  403
    resellerA  OK   404  404  404
    admin1     OK   OK   404  404
    narrowed   OK   404  404  404
    admin2     404  404  OK   404
    platform   OK   OK   OK   404
  `),
  /** Corti users: the customer named by key inside a project named by key. */
  byCustomerKey: grid(`
    principal  own  B    C    none
    anonymous  401  401  401  401
    noScope    403  403  403  403
    customerA  OK   404  404  404
    resellerA  OK   404  404  404
    admin1     OK   OK   404  404
    narrowed   OK   404  404  404
    admin2     404  404  OK   404
    platform   OK   OK   OK   404
  `),
  /** CloudCockpit customer routes: the customer by id, its tenant by X-Tenant (the target's domain). */
  byCustomerIdAndXTenant: grid(`
    principal  own  B    C    none
    anonymous  401  401  401  401
    noScope    403  403  403  403
    customerA  OK   403  403  403
    resellerA  OK   404  403  404
    admin1     OK   OK   403  404
    narrowed   OK   404  403  404
    admin2     403  403  OK   403
    platform   OK   OK   OK   404
  `),
  /** CloudCockpit user routes: the user by e-mail (no customer in the request), the tenant by X-Tenant. */
  byEmailAndXTenant: grid(`
    principal  own  B    C    none
    anonymous  401  401  401  401
    noScope    403  403  403  403
    customerA  OK   404  403  404
    resellerA  OK   404  403  404
    admin1     OK   OK   403  404
    narrowed   OK   404  403  404
    admin2     403  403  OK   403
    platform   OK   OK   OK   404
  `),
  /** POST /v1/reseller/{resellerId}/users: the target's reseller by id (claims decide for reseller and customer tokens). */
  ccReseller: grid(`
    principal  own  B    C    none
    anonymous  401  401  401  401
    noScope    403  403  403  403
    customerA  403  403  403  403
    resellerA  OK   403  403  403
    admin1     OK   OK   403  404
    narrowed   403  403  403  403
    admin2     403  403  OK   403
    platform   OK   OK   OK   404
  `),
  /** GET /v1/users?resellerId=: the tenant by X-Tenant (none: an unknown domain), the target's reseller in the query. */
  ccTenantUsers: grid(`
    principal  own  B    C    none
    anonymous  401  401  401  401
    noScope    403  403  403  403
    customerA  OK   OK   403  403
    resellerA  OK   403  403  403
    admin1     OK   OK   403  403
    narrowed   OK   OK   403  403
    admin2     403  403  OK   403
    platform   OK   OK   OK   404
  `),
  /** GET /v1/users/groups: the tenant by X-Tenant (none: an unknown domain). */
  ccTenantGroups: grid(`
    principal  own  B    C    none
    anonymous  401  401  401  401
    noScope    403  403  403  403
    customerA  OK   OK   403  403
    resellerA  OK   OK   403  403
    admin1     OK   OK   403  403
    narrowed   OK   OK   403  403
    admin2     403  403  OK   403
    platform   OK   OK   OK   404
  `),
  /** Corti customers routes (scope admin, role platform/tenant_admin): the project (and customer) by key. */
  cortiProjectAdmin: grid(`
    principal  own  B    C    none
    anonymous  401  401  401  401
    noScope    403  403  403  403
    customerA  403  403  403  403
    resellerA  403  403  403  403
    admin1     OK   OK   404  404
    narrowed   OK   404  404  404
    admin2     404  404  OK   404
    platform   OK   OK   OK   404
  `),
};

// ---------------------------------------------------------------------------------------------
// Why dialects differ where they do. Each is cited by the cells of the rows that differ.

export const WHY = {
  cortiKey:
    "Corti names the customer by key inside a project (also a key), which cannot be compared with the token's customer_id: the claims " +
    "cannot decide, so the data does and the answer is 404 like a missing customer (docs/decisions/corti-reach.md).",
  xTenant:
    "CloudCockpit names the tenant in X-Tenant: a tenant that is not the token's is refused from the claims (403, docs/api/cloudcockpit.md), " +
    "where Worth and Corti name no tenant and an out-of-reach customer answers 404 like a missing one.",
  noCustomer:
    "CloudCockpit addresses a user by e-mail only: the request names no customer the claims could compare, so the data decides (404).",
  narrowedCreate:
    "The admin API names the new customer's project in the body, which the claims compare with the narrowed token's project " +
    "(a grant beyond its ceiling: 403); Corti names the project in the path, resolved within its reach, where another project is absent (404).",
  narrowedList:
    "The admin API lists the tenant's customers, narrowed to the token's project (200, its own only); Corti names another project in " +
    "the path, which a narrowed token does not reach (404).",
  adminTenantPath:
    "The admin API names the tenant in the path, compared with the token's tenant (403, docs/api/admin-api.md); Corti resolves a project key " +
    "within the token's own tenant, where another tenant's project simply does not exist (404).",
} as const;

function differs(reason: string, ...cells: CellKey[]): Partial<Record<CellKey, string>> {
  return Object.fromEntries(cells.map((c) => [c, reason]));
}

// ---------------------------------------------------------------------------------------------
// The rows.

export type Surface = "admin" | "worth" | "corti" | "cloudcockpit" | "oauth" | "cortiLogin" | "scim";
/** Cross-dialect equivalences: rows of one op act on the same target through different surfaces. */
export type Op = "users.list" | "users.create" | "users.update" | "users.delete" | "customers.list" | "customers.create" | "customers.update";
/** Destructive rows get a fresh item per cell in the target's tenant (its id replaces the placeholder of that name). */
export type Fresh = "projects" | "resellers" | "customers" | "subroles" | "groups" | "accounts" | "webhooks" | "cortiUser" | "ccUser" | "scimTokens";
export type Values = Record<string, string>;

export interface Row {
  /** The operation as /doc names it: `METHOD /path/{param}`. */
  route: string;
  surface: Surface;
  ok: number;
  grid: Grid;
  /** The request path, `{name}` filled from the target's values. */
  path: string;
  headers?: Record<string, string>;
  /** A valid body for the target, so that only authorization decides. */
  body?: (v: Values, uniq: string) => unknown;
  /** The body's media type when not JSON (an import's NDJSON: the body is its one line). */
  contentType?: string;
  fresh?: Fresh;
  op?: Op;
  differs?: Partial<Record<CellKey, string>>;
  /** Worth's 404 wording on this route. */
  notFound?: { message: string; code?: string };
  /** A success body must carry the target's id here (`data.id` / `id`), from this value. */
  returnsId?: { at: "id" | "data.id"; value: string };
  /** The narrowed principal's line where it differs from the grid's (`own B C none`), e.g. `"403 403 403 403"`. */
  narrowed?: string;
}

/** A principal's line of four cells, `own B C none`. */
function line(cells: string): Record<Target, Expected> {
  const parts = cells.trim().split(/\s+/);
  if (parts.length !== TARGETS.length) throw new Error(`bad line: ${cells}`);
  return Object.fromEntries(TARGETS.map((t, i) => [t, parts[i] === "OK" ? "OK" : Number(parts[i])])) as Record<Target, Expected>;
}

const A = "/api/v1/tenants";
const W = "/auth/api/v1";
const C = "/functions/v1/public";
const XT = { "x-tenant": "{homeDomain}" };

/** Admin CRUD: the five operations of each tenant-owned resource. */
interface AdminKind {
  kind: Fresh;
  create: (v: Values, u: string) => unknown;
  patch: (v: Values, u: string) => unknown;
  /** The narrowed principal's lines: create, list, get, patch, delete (`own B C none`). */
  narrowed: { create: string; list: string; get: string; patch: string; delete: string };
}

/** Tenant-wide configuration: a narrowed admin reads it and writes none of it (403 whatever the item). */
const TENANT_WIDE = { create: "403 403 403 403", list: "OK OK 403 403", get: "OK OK 403 404", patch: "403 403 403 403", delete: "403 403 403 403" };
/** Inside the project: its own (A, in P1) yes, B's (another project) absent. */
const IN_PROJECT = { list: "OK OK 403 403", get: "OK 404 403 404", patch: "OK 404 403 404", delete: "OK 404 403 404" };

/** Admin CRUD: the five operations of each tenant-owned resource. */
const ADMIN_KINDS: AdminKind[] = [
  // Its own project is its boundary: readable, never written; another project is absent.
  { kind: "projects", create: (_v, u) => ({ key: u, name: "Project" }), patch: () => ({ name: "Renamed" }), narrowed: { ...TENANT_WIDE, list: "OK OK 403 403", get: "OK 404 403 404" } },
  { kind: "resellers", create: () => ({ name: "Reseller" }), patch: () => ({ name: "Renamed" }), narrowed: TENANT_WIDE },
  // Created in the target's project: B's project is beyond a narrowed admin's ceiling (403 from the body alone).
  {
    kind: "customers",
    create: (v) => ({ name: "Customer", resellerId: v.reseller, projectId: v.projects }),
    patch: () => ({ name: "Renamed" }),
    narrowed: { ...IN_PROJECT, create: "OK 403 403 403" },
  },
  {
    kind: "subroles",
    create: (v, u) => ({ customerId: v.customer, code: u, label: "L", displayName: "D", permissions: ["customer_user:read"] }),
    patch: () => ({ label: "Renamed" }),
    // B's customer does not exist for it: the reference is refused like a missing one (400, field named).
    narrowed: { ...IN_PROJECT, create: "OK 400 403 403" },
  },
  { kind: "groups", create: (_v, u) => ({ name: u }), patch: (_v, u) => ({ name: u }), narrowed: TENANT_WIDE },
  {
    kind: "accounts",
    create: (v) => ({ name: "Acct", role: "customer", customerId: v.customer, projectId: v.projects, scopes: ["users:read"] }),
    patch: () => ({ name: "Renamed" }),
    // An account narrowed to B's project is beyond its ceiling (403); B's accounts are absent for it.
    narrowed: { ...IN_PROJECT, create: "OK 403 403 403" },
  },
  {
    kind: "webhooks",
    create: (_v, u) => ({ url: `https://receiver.test/ok/${u}`, events: ["user.created"] }),
    patch: () => ({ description: "Renamed" }),
    // Subscriptions carry every customer's events: a narrowed admin neither writes nor sees one (an empty list, 404).
    narrowed: { ...TENANT_WIDE, get: "404 404 403 404" },
  },
];

const adminRows: Row[] = [
  { route: "POST /api/v1/tenants", surface: "admin", ok: 201, grid: G.adminCreateTenant, path: A, body: (_v, u) => ({ domain: `${u}.example.com`, name: "T" }) },
  { route: "GET /api/v1/tenants", surface: "admin", ok: 200, grid: G.adminListTenants, path: A },
  { route: "GET /api/v1/tenants/{tenantId}", surface: "admin", ok: 200, grid: G.adminTenant, path: `${A}/{tenant}`, returnsId: { at: "id", value: "tenant" } },
  { route: "PATCH /api/v1/tenants/{tenantId}", surface: "admin", ok: 200, grid: G.adminTenant, path: `${A}/{tenant}`, body: () => ({ name: "Renamed" }), narrowed: "403 403 403 403" },
  ...ADMIN_KINDS.flatMap(({ kind, create, patch, narrowed: n }): Row[] => {
    const op = kind === "customers" ? { create: "customers.create", list: "customers.list", update: "customers.update" } as const : undefined;
    return [
      { route: `POST /api/v1/tenants/{tenantId}/${kind}`, surface: "admin", ok: 201, grid: G.adminTenant, path: `${A}/{tenant}/${kind}`, body: create, narrowed: n.create, ...(op ? { op: op.create } : {}) },
      { route: `GET /api/v1/tenants/{tenantId}/${kind}`, surface: "admin", ok: 200, grid: G.adminTenant, path: `${A}/{tenant}/${kind}`, narrowed: n.list, ...(op ? { op: op.list } : {}) },
      { route: `GET /api/v1/tenants/{tenantId}/${kind}/{id}`, surface: "admin", ok: 200, grid: G.adminItem, path: `${A}/{home}/${kind}/{${kind}}`, returnsId: { at: "id", value: kind }, narrowed: n.get },
      { route: `PATCH /api/v1/tenants/{tenantId}/${kind}/{id}`, surface: "admin", ok: 200, grid: G.adminItem, path: `${A}/{home}/${kind}/{${kind}}`, body: patch, narrowed: n.patch, ...(op ? { op: op.update } : {}) },
      { route: `DELETE /api/v1/tenants/{tenantId}/${kind}/{id}`, surface: "admin", ok: 204, grid: G.adminItem, path: `${A}/{home}/${kind}/{${kind}}`, fresh: kind, narrowed: n.delete },
    ];
  }),
  { route: "GET /api/v1/tenants/{tenantId}/users", surface: "admin", ok: 200, grid: G.adminTenant, path: `${A}/{tenant}/users` },
  { route: "GET /api/v1/tenants/{tenantId}/users/export", surface: "admin", ok: 200, grid: G.adminTenant, path: `${A}/{tenant}/users/export` },
  { route: "GET /api/v1/tenants/{tenantId}/users/{userId}", surface: "admin", ok: 200, grid: G.adminItem, path: `${A}/{home}/users/{user}`, returnsId: { at: "id", value: "user" } },
  // Imports: the upload is the tenant's (a row for a customer out of reach is the row's error, not the request's);
  // a job is read by the tenant's admins, a narrowed one its own jobs only (own's job is the narrowed admin's).
  {
    route: "POST /api/v1/tenants/{tenantId}/imports",
    surface: "admin",
    ok: 202,
    grid: G.adminTenant,
    path: `${A}/{tenant}/imports`,
    contentType: "application/x-ndjson",
    body: (v, u) => ({ customerId: v.customer, email: `${u}@example.com`, firstName: "Matrix", lastName: "Import" }),
  },
  { route: "GET /api/v1/tenants/{tenantId}/imports/{importId}", surface: "admin", ok: 200, grid: G.adminItem, path: `${A}/{home}/imports/{imports}`, returnsId: { at: "id", value: "imports" } },
  { route: "GET /api/v1/tenants/{tenantId}/imports/{importId}/errors", surface: "admin", ok: 200, grid: G.adminItem, path: `${A}/{home}/imports/{imports}/errors` },
  { route: "GET /api/v1/tenants/{tenantId}/audit-events", surface: "admin", ok: 200, grid: G.adminTenant, path: `${A}/{tenant}/audit-events` },
  {
    route: "GET /api/v1/tenants/{tenantId}/webhooks/{id}/deliveries",
    surface: "admin",
    ok: 200,
    grid: G.adminItem,
    path: `${A}/{home}/webhooks/{webhooks}/deliveries`,
    narrowed: "404 404 403 404",
  },
  {
    route: "POST /api/v1/tenants/{tenantId}/webhooks/{id}/deliveries/{deliveryId}/retry",
    surface: "admin",
    ok: 202,
    grid: G.adminItem,
    path: `${A}/{home}/webhooks/{webhooks}/deliveries/{deliveries}/retry`,
    narrowed: "404 404 403 404",
  },
  {
    route: "POST /api/v1/tenants/{tenantId}/webhooks/{id}/rotate-secret",
    surface: "admin",
    ok: 200,
    grid: G.adminItem,
    path: `${A}/{home}/webhooks/{webhooks}/rotate-secret`,
    narrowed: "404 404 403 404",
  },
  // A customer's SCIM tokens: the customer's reach (a narrowed admin: its project's customers only).
  { route: "POST /api/v1/tenants/{tenantId}/customers/{customerId}/scim-tokens", surface: "admin", ok: 201, grid: G.adminItem, path: `${A}/{home}/customers/{customers}/scim-tokens`, body: () => ({ description: "Matrix IdP" }) },
  { route: "GET /api/v1/tenants/{tenantId}/customers/{customerId}/scim-tokens", surface: "admin", ok: 200, grid: G.adminItem, path: `${A}/{home}/customers/{customers}/scim-tokens` },
  { route: "DELETE /api/v1/tenants/{tenantId}/customers/{customerId}/scim-tokens/{id}", surface: "admin", ok: 204, grid: G.adminItem, path: `${A}/{home}/customers/{customers}/scim-tokens/{scimTokens}`, fresh: "scimTokens" },
];

const tokenRows: Row[] = [
  {
    route: "POST /auth/token",
    surface: "oauth",
    ok: 200,
    grid: G.token,
    path: "/auth/token",
    body: (v) => ({ grant_type: "client_credentials", client_id: v.clientId, client_secret: v.clientSecret }),
  },
  { route: "POST /functions/v1/public/auth/token", surface: "cortiLogin", ok: 200, grid: G.token, path: `${C}/auth/token`, body: (v) => ({ email: v.email, password: v.password }) },
];

const worthUser = (v: Values, u: string) => ({ first_name: "Matrix", last_name: "Worth", email: `${u}@example.com`, subrole: { id: v.viewer, code: "viewer", label: "Viewer" } });
const CUSTOMER_NOT_FOUND = { message: "Customer Not Found" };

const worthRows: Row[] = [
  { route: "POST /auth/api/v1/customers/{customerID}/users", surface: "worth", ok: 200, grid: G.byCustomerId, path: `${W}/customers/{customer}/users`, body: worthUser, op: "users.create", notFound: CUSTOMER_NOT_FOUND },
  { route: "GET /auth/api/v1/customers/{customerID}/users", surface: "worth", ok: 200, grid: G.byCustomerId, path: `${W}/customers/{customer}/users`, op: "users.list", notFound: CUSTOMER_NOT_FOUND },
  {
    route: "GET /auth/api/v1/customers/{customerID}/users/{userID}",
    surface: "worth",
    ok: 200,
    grid: G.byCustomerId,
    path: `${W}/customers/{customer}/users/{user}`,
    notFound: { message: "Customer user Not Found" },
    returnsId: { at: "data.id", value: "user" },
  },
  {
    route: "PATCH /auth/api/v1/customers/{customerID}/users/{userID}",
    surface: "worth",
    ok: 200,
    grid: G.byCustomerId,
    path: `${W}/customers/{customer}/users/{user}`,
    body: () => ({ first_name: "Patched" }),
    op: "users.update",
    // Worth documents an unknown user on PATCH as 404 with errorCode INVALID (seed 002).
    notFound: { message: "Customer user does not exist", code: "INVALID" },
  },
  { route: "GET /auth/api/v1/customers/{customerID}/subroles", surface: "worth", ok: 200, grid: G.byCustomerId, path: `${W}/customers/{customer}/subroles`, notFound: CUSTOMER_NOT_FOUND },
];

const cortiKeyDiffers = differs(WHY.cortiKey, "customerA B", "customerA C", "customerA none");
const cortiAdminDiffers = (none: boolean, narrowedB?: string) => ({
  ...differs(
    WHY.adminTenantPath,
    "admin1 C",
    "narrowed C",
    "admin2 own",
    "admin2 B",
    ...(none ? (["admin1 none", "narrowed none", "admin2 none"] as CellKey[]) : (["admin2 none"] as CellKey[])),
  ),
  ...(narrowedB === undefined ? {} : differs(narrowedB, "narrowed B")),
});
const CU = `${C}/projects/{project}/customers/{customerKey}/users`;

const cortiRows: Row[] = [
  {
    route: "POST /functions/v1/public/projects/{projectId}/customers",
    surface: "corti",
    ok: 201,
    grid: G.cortiProjectAdmin,
    path: `${C}/projects/{project}/customers`,
    body: (_v, u) => ({ displayName: "Matrix", customerId: u }),
    op: "customers.create",
    differs: cortiAdminDiffers(true, WHY.narrowedCreate),
  },
  {
    route: "GET /functions/v1/public/projects/{projectId}/customers",
    surface: "corti",
    ok: 200,
    grid: G.cortiProjectAdmin,
    path: `${C}/projects/{project}/customers`,
    op: "customers.list",
    differs: cortiAdminDiffers(true, WHY.narrowedList),
  },
  {
    route: "PATCH /functions/v1/public/projects/{projectId}/customers/{customerId}",
    surface: "corti",
    ok: 200,
    grid: G.cortiProjectAdmin,
    path: `${C}/projects/{project}/customers/{customerKey}`,
    body: () => ({ displayName: "Renamed" }),
    op: "customers.update",
    differs: cortiAdminDiffers(false),
  },
  {
    route: "POST /functions/v1/public/projects/{projectId}/customers/{customerId}/users",
    surface: "corti",
    ok: 201,
    grid: G.byCustomerKey,
    path: CU,
    body: (_v, u) => ({ email: `${u}@example.com`, firstName: "Matrix", lastName: "Corti" }),
    op: "users.create",
    differs: cortiKeyDiffers,
  },
  { route: "GET /functions/v1/public/projects/{projectId}/customers/{customerId}/users", surface: "corti", ok: 200, grid: G.byCustomerKey, path: CU, op: "users.list", differs: cortiKeyDiffers },
  {
    route: "PATCH /functions/v1/public/projects/{projectId}/customers/{customerId}/users/{userId}",
    surface: "corti",
    ok: 200,
    grid: G.byCustomerKey,
    path: `${CU}/{user}`,
    body: () => ({ firstName: "Patched" }),
    op: "users.update",
    differs: cortiKeyDiffers,
  },
  // The reference of users.delete (Worth has no delete).
  { route: "DELETE /functions/v1/public/projects/{projectId}/customers/{customerId}/users/{userId}", surface: "corti", ok: 204, grid: G.byCustomerKey, path: `${CU}/{user}`, fresh: "cortiUser", op: "users.delete" },
];

const ccUser = (_v: Values, u: string) => ({ firstName: "Matrix", lastName: "Cockpit", email: `${u}@example.com`, groups: [] });
/** Where CloudCockpit's X-Tenant (the target's tenant) makes the claims decide. */
const ccXTenant = differs(WHY.xTenant, "resellerA C", "admin1 C", "narrowed C", "admin2 own", "admin2 B", "admin2 none");

const ccRows: Row[] = [
  { route: "POST /v1/customer/{customerId}/users", surface: "cloudcockpit", ok: 201, grid: G.byCustomerIdAndXTenant, path: "/v1/customer/{customer}/users", headers: XT, body: ccUser, op: "users.create", differs: ccXTenant },
  { route: "GET /v1/customer/{customerId}/users", surface: "cloudcockpit", ok: 200, grid: G.byCustomerIdAndXTenant, path: "/v1/customer/{customer}/users", headers: XT, op: "users.list", differs: ccXTenant },
  { route: "POST /v1/reseller/{resellerId}/users", surface: "cloudcockpit", ok: 201, grid: G.ccReseller, path: "/v1/reseller/{reseller}/users", headers: XT, body: ccUser },
  { route: "GET /v1/users", surface: "cloudcockpit", ok: 200, grid: G.ccTenantUsers, path: "/v1/users?resellerId={reseller}", headers: { "x-tenant": "{domain}" } },
  { route: "GET /v1/users/groups", surface: "cloudcockpit", ok: 200, grid: G.ccTenantGroups, path: "/v1/users/groups", headers: { "x-tenant": "{domain}" } },
  {
    route: "PATCH /v1/users/{email}",
    surface: "cloudcockpit",
    ok: 204,
    grid: G.byEmailAndXTenant,
    path: "/v1/users/{email}",
    headers: XT,
    body: () => ({ firstName: "Changed" }),
    op: "users.update",
    differs: { ...ccXTenant, ...differs(WHY.noCustomer, "customerA B", "customerA none") },
  },
  {
    route: "DELETE /v1/users/{email}",
    surface: "cloudcockpit",
    ok: 204,
    grid: G.byEmailAndXTenant,
    path: "/v1/users/{email}",
    headers: XT,
    fresh: "ccUser",
    op: "users.delete",
    differs: differs(WHY.xTenant, "customerA C", "resellerA C", "admin1 C", "narrowed C", "admin2 own", "admin2 B", "admin2 none"),
  },
];

const SU = "/scim/v2/Users";
const scimUser = (_v: Values, u: string) => ({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: `${u}@example.com`, name: { givenName: "Matrix", familyName: "Scim" } });

const scimRows: Row[] = [
  { route: "GET /scim/v2/Users", surface: "scim", ok: 200, grid: G.scimCollection, path: SU },
  { route: "POST /scim/v2/Users", surface: "scim", ok: 201, grid: G.scimCollection, path: SU, body: scimUser },
  { route: "GET /scim/v2/Users/{id}", surface: "scim", ok: 200, grid: G.scimItem, path: `${SU}/{user}`, returnsId: { at: "id", value: "user" } },
  // The user as it is (a replace that changes nothing: the matrix user's own values).
  { route: "PUT /scim/v2/Users/{id}", surface: "scim", ok: 200, grid: G.scimItem, path: `${SU}/{user}`, body: (v) => ({ userName: v.email, name: { givenName: "Matrix", familyName: "User" } }), returnsId: { at: "id", value: "user" } },
  {
    route: "PATCH /scim/v2/Users/{id}",
    surface: "scim",
    ok: 200,
    grid: G.scimItem,
    path: `${SU}/{user}`,
    body: () => ({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "name.familyName", value: "User" }] }),
    returnsId: { at: "id", value: "user" },
  },
  { route: "DELETE /scim/v2/Users/{id}", surface: "scim", ok: 204, grid: G.scimItem, path: `${SU}/{user}`, fresh: "cortiUser" },
  // The tenant's groups: tenant 1's (A's and B's) are there for A's token, tenant 2's are not.
  { route: "GET /scim/v2/Groups", surface: "scim", ok: 200, grid: G.scimCollection, path: "/scim/v2/Groups" },
  { route: "GET /scim/v2/Groups/{id}", surface: "scim", ok: 200, grid: G.scimTenantItem, path: "/scim/v2/Groups/{groups}", returnsId: { at: "id", value: "groups" } },
  // Memberships of A's own users only: setting them to none, or removing all of them, is allowed on any group of the tenant.
  { route: "PUT /scim/v2/Groups/{id}", surface: "scim", ok: 200, grid: G.scimTenantItem, path: "/scim/v2/Groups/{groups}", body: () => ({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], members: [] }), returnsId: { at: "id", value: "groups" } },
  {
    route: "PATCH /scim/v2/Groups/{id}",
    surface: "scim",
    ok: 200,
    grid: G.scimTenantItem,
    path: "/scim/v2/Groups/{groups}",
    body: () => ({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "remove", path: "members" }] }),
    returnsId: { at: "id", value: "groups" },
  },
  { route: "GET /scim/v2/ServiceProviderConfig", surface: "scim", ok: 200, grid: G.scimCollection, path: "/scim/v2/ServiceProviderConfig" },
  { route: "GET /scim/v2/ResourceTypes", surface: "scim", ok: 200, grid: G.scimCollection, path: "/scim/v2/ResourceTypes" },
  { route: "GET /scim/v2/Schemas", surface: "scim", ok: 200, grid: G.scimCollection, path: "/scim/v2/Schemas" },
];

/** Every row of the matrix, in /doc's order of surfaces. */
export const MATRIX: Row[] = [...adminRows, ...tokenRows, ...worthRows, ...cortiRows, ...ccRows, ...scimRows];

/**
 * Corti's operations with the project and the customer named by id instead of key (the dialect takes
 * either): the same grids, since an id the claims could compare is resolved like a key all the same
 * (docs/decisions/corti-reach.md). Not operations of their own: checked cell by cell beside the
 * matrix (matrix.test.ts) and by the edge cases (matrix.edges.test.ts).
 */
export const CORTI_BY_IDS: Row[] = cortiRows.map((r) => ({
  ...r,
  route: `${r.route} (by ids)`,
  path: r.path.replace("{project}", "{projects}").replace("{customerKey}", "{customer}"),
}));

/** The cells of the matrix: rows × principals × targets. */
export const MATRIX_CELLS = MATRIX.length * PRINCIPALS.length * TARGETS.length;

/** The status a cell expects. */
export function expected(row: Row, p: Principal, t: Target): number {
  const e = p === "narrowed" && row.narrowed !== undefined ? line(row.narrowed)[t] : row.grid[p][t];
  return e === "OK" ? row.ok : e;
}
