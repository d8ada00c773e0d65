/**
 * Around the authorization matrix (matrix.data.ts, built on matrix.world.ts): what its eight
 * principals cannot show, for every bearer-authenticated operation of /doc, each answer asserted in
 * its surface's own body (matrix.surfaces.ts):
 *   - every token of the base broken set (jwt.cases.ts, brokenTokens) → 401 on every operation,
 *     and the token they were made from succeeds (jwt.test.ts runs the whole attack set, but
 *     against one operation per surface);
 *   - every principal that succeeds on its own target, with a real token of every scope it holds
 *     but the operation's → 403 (the matrix's noScope principal holds no scope at all);
 *   - claims no account is ever granted, signed with the real secret: a customer's or a reseller's
 *     token with the admin scope → 403 wherever the admin scope is needed; a customer token naming
 *     customer A under another tenant → 404 on Worth, like a missing customer (docs/api/auth.md#403-or-404);
 *   - the project-narrowed admin on a customer outside every project → 404 on Worth (the matrix's
 *     customers all have a project).
 * Corti's operations run here addressed by keys and by ids (CORTI_BY_IDS). A refused request on a
 * destructive operation targets a fresh item, which is still there after it.
 */
import { env } from "cloudflare:workers";
import { beforeAll, expect, it } from "vitest";
import { call, clientToken, create, sign, type Reply } from "../harness";
import { ALL } from "../world";
import { brokenTokens, claimsOf } from "./jwt.cases";
import { CORTI_BY_IDS, expected, MATRIX, type Principal, type Row, type Values } from "./matrix.data";
import { bodyOptions, expectSurfaceError, expectSurfaceSuccess, fill } from "./matrix.surfaces";
import { matrixWorld, type MatrixWorld } from "./matrix.world";

let world: MatrixWorld;
/** Client credentials behind each principal that can ask the token endpoint for fewer scopes. */
let clients: Partial<Record<Principal, { clientId: string; clientSecret: string }>>;
/** The values of a customer of tenant 1 outside every project, with a user (made through Worth). */
let projectless: Values;

beforeAll(async () => {
  world = await matrixWorld();
  // admin1's role and scopes, as an account whose secret this file knows.
  const admin = await create(world.t1, "accounts", { name: "Admin app", role: "tenant_admin", scopes: ["admin", "users:read", "users:write"] });
  clients = { ...world.clients, admin1: admin, platform: { clientId: env.BOOTSTRAP_CLIENT_ID, clientSecret: env.BOOTSTRAP_CLIENT_SECRET } };
  const own = world.values.own;
  const customer = await create(world.t1, "customers", { name: "Outside every project", resellerId: own.reseller });
  const email = `${customer.id}@example.com`;
  const user = await call("POST", `/auth/api/v1/customers/${customer.id}/users`, {
    token: world.t1.admin,
    body: { first_name: "No", last_name: "Project", email, subrole: { id: own.viewer, code: "viewer", label: "Viewer" } },
    expect: 200,
  });
  projectless = { ...own, customer: customer.id, customers: customer.id, user: user.body.data.user_id, email };
}, 60_000);

/** The operations a bearer token authorizes (the token endpoints authenticate by credentials instead). */
const BEARER_ROWS = MATRIX.filter((r) => r.surface !== "oauth" && r.surface !== "cortiLogin");
/** The same, and Corti's addressed by ids. */
const ALL_ROWS = [...BEARER_ROWS, ...CORTI_BY_IDS];

/** The scope an operation needs: admin for the admin API and Corti's customers, else users:read to read and users:write to write. */
function scopeOf(row: Row): "admin" | "users:read" | "users:write" {
  if (row.surface === "admin" || (row.surface === "corti" && !row.route.includes("/users"))) return "admin";
  return row.route.startsWith("GET ") ? "users:read" : "users:write";
}

const withQuery = (path: string, query?: string) => (query ? `${path}${path.includes("?") ? "&" : "?"}${query}` : path);
const bearer = (p: Principal) => (world.auth[p] as string).slice("Bearer ".length);

interface Attempt {
  label: string;
  /** The Authorization header (undefined: none). */
  authorization: string | undefined;
  query?: string;
  status: number;
}

async function send(row: Row, v: Values, authorization: string | undefined, query?: string): Promise<{ reply: Reply; body: unknown }> {
  const headers: Record<string, string> = {};
  for (const [k, h] of Object.entries(row.headers ?? {})) headers[k] = fill(h, v);
  if (authorization !== undefined) headers.authorization = authorization;
  const body = row.body?.(v, `e-${crypto.randomUUID().slice(0, 12)}`);
  const reply = await call(row.route.split(" ")[0] as string, withQuery(fill(row.path, v), query), bodyOptions(row, body, headers));
  return { reply, body };
}

/**
 * Sends each attempt at the row's own target or at `values` (a destructive row: one fresh item,
 * shared by the attempts, which must survive them), then the control token if any, which must
 * succeed; returns what went wrong.
 */
async function attempt(row: Row, attempts: Attempt[], control?: string, values = world.values.own): Promise<string[]> {
  const v: Values = { ...values };
  if (row.fresh) Object.assign(v, await world.fresh(row.fresh, "own"));
  const failures: string[] = [];
  const check = (label: string, r: Reply, assert: () => void) => {
    try {
      assert();
    } catch (e) {
      failures.push(`${row.route} · ${label}: ${(e as Error).message.split("\n")[0]} (got ${r.status} ${r.text.slice(0, 200)})`);
    }
  };
  for (const a of attempts) {
    const { reply } = await send(row, v, a.authorization, a.query);
    check(a.label, reply, () => {
      expect(reply.status).toBe(a.status);
      expectSurfaceError(row.surface, reply, a.status, row.notFound);
      if (a.status === 401) expect(reply.headers.get("www-authenticate")).toBe('Bearer realm="customer-users"');
    });
  }
  if (row.fresh && !(await world.exists(row.fresh, "own", v))) failures.push(`${row.route}: a refused request deleted the item`);
  if (control !== undefined) {
    const { reply, body } = await send(row, v, `Bearer ${control}`);
    check("the valid token", reply, () => expectSurfaceSuccess(row, reply, v, body));
  }
  return failures;
}

/** Runs `each` over the rows, 16 at a time; every failure of every row. */
async function overRows(rows: Row[], each: (row: Row) => Promise<string[]>): Promise<string[]> {
  const out: string[][] = [];
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const i = next++;
      out[i] = await each(rows[i] as Row);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return out.flat();
}

it("each operation needs the scope /doc names for it", async () => {
  const doc = (await call("GET", "/doc", { expect: 200 })).body as { paths: Record<string, Record<string, { description?: string }>> };
  const named = BEARER_ROWS.flatMap((row) => {
    const [method, path] = row.route.split(" ") as [string, string];
    const m = /Needs scope ([\w:]+)/.exec(doc.paths[path]?.[method.toLowerCase()]?.description ?? "");
    return m ? [{ route: row.route, doc: m[1], rule: scopeOf(row) }] : [];
  });
  expect(named.filter((n) => n.doc !== n.rule)).toEqual([]);
  // Every dialect operation names its scope (the admin API needs admin throughout, docs/api/admin-api.md).
  const unnamed = BEARER_ROWS.filter((r) => r.surface !== "admin" && !named.some((n) => n.route === r.route));
  expect(unnamed.map((r) => r.route)).toEqual([]);
});

it(`every broken token → 401 on every operation (${ALL_ROWS.length} ways in), and the token they were made from succeeds`, async () => {
  const failures = await overRows(ALL_ROWS, async (row) => {
    const p = (["customerA", "admin1", "platform", "scimA"] as const).find((q) => expected(row, q, "own") === row.ok);
    if (!p) return [`${row.route}: no principal succeeds on it`];
    const valid = bearer(p);
    const broken = await brokenTokens(valid);
    expect(broken.length).toBe(21);
    return attempt(
      row,
      broken.map((c) => ({ label: c.label, authorization: c.header, ...(c.query === undefined ? {} : { query: c.query }), status: 401 })),
      valid,
    );
  });
  expect(failures).toEqual([]);
}, 120_000);

it("a principal that succeeds, lacking only the operation's scope → 403", async () => {
  let tried = 0;
  const failures = await overRows(ALL_ROWS, async (row) => {
    const need = scopeOf(row);
    const attempts: Attempt[] = [];
    for (const p of ["customerA", "resellerA", "admin1", "narrowed", "platform"] as const) {
      if (expected(row, p, "own") !== row.ok) continue;
      const held = String(claimsOf(bearer(p)).scope).split(" ");
      const fewer = held.filter((s) => s !== need).join(" ");
      if (!held.includes(need) || fewer === "") return [`${row.route}: ${p} succeeds holding ${held.join(" ")}, so it does not need ${need} alone`];
      const c = clients[p] as { clientId: string; clientSecret: string };
      const token = await clientToken(c.clientId, c.clientSecret, fewer);
      expect(String(claimsOf(token).scope).split(" ").sort()).toEqual(fewer.split(" ").sort());
      attempts.push({ label: `${p} with ${fewer} (no ${need})`, authorization: `Bearer ${token}`, status: 403 });
    }
    tried += attempts.length;
    return attempt(row, attempts);
  });
  expect(failures).toEqual([]);
  // Not vacuous: at least the tenant admin on every operation but the platform's own.
  expect(tried).toBeGreaterThanOrEqual(ALL_ROWS.length * 2);
}, 120_000);

it("claims no account is granted: a customer or reseller with the admin scope → 403; customer A under another tenant on Worth → 404", async () => {
  const own = world.values.own;
  const forge = (claims: Record<string, string>, scope: string) => sign({ sub: crypto.randomUUID(), tenant_id: world.t1.id, ...claims, scope });
  const forged = [
    { label: "customer A's token with the admin scope", token: await forge({ role: "customer", customer_id: own.customer as string }, `admin ${ALL}`), applies: (r: Row) => scopeOf(r) === "admin", status: 403 },
    { label: "A's reseller's token with the admin scope", token: await forge({ role: "reseller", reseller_id: own.reseller as string }, `admin ${ALL}`), applies: (r: Row) => scopeOf(r) === "admin", status: 403 },
    {
      label: "a customer token of tenant 2 naming customer A",
      token: await forge({ role: "customer", tenant_id: world.t2.id, customer_id: own.customer as string }, ALL),
      applies: (r: Row) => r.surface === "worth",
      status: 404,
    },
  ];
  const rows = ALL_ROWS.filter((r) => forged.some((f) => f.applies(r)));
  const failures = await overRows(rows, (row) =>
    attempt(
      row,
      forged.filter((f) => f.applies(row)).map((f) => ({ label: f.label, authorization: `Bearer ${f.token}`, status: f.status })),
    ),
  );
  expect(failures).toEqual([]);
  expect(rows.length).toBeGreaterThan(40);
}, 120_000);

it("the project-narrowed admin on a customer outside every project → 404 on Worth, like a missing one; the tenant admin reaches it", async () => {
  const rows = BEARER_ROWS.filter((r) => r.surface === "worth");
  const failures = await overRows(rows, (row) =>
    attempt(row, [{ label: "narrowed to A's project", authorization: world.auth.narrowed, status: 404 }], bearer("admin1"), projectless),
  );
  expect(failures).toEqual([]);
  expect(rows).toHaveLength(5);
});
