/**
 * The JWT attack set (issue 6, RFC 8725; jwt.cases.ts) against one route of each surface: every
 * attack is a 401 in that surface's own body, the controls inside the 30 s leeway are accepted, no
 * token header makes the Worker fetch anything, and a freshly issued token works 50 times at once.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, clientToken, create, freshTenant, unique, type Reply, type Tenant } from "../harness";
import { SURFACES } from "../../src/surfaces";
import { JWT_SURFACES, jwtAttackCases } from "./jwt.cases";
import type { Surface } from "./matrix.data";
import { expectSurfaceError } from "./matrix.surfaces";
import { LIST_URN, scimToken } from "../scim/helpers";

let t: Tenant;
let customer: { id: string; key: string; projectKey: string };
let account: { clientId: string; clientSecret: string };

beforeAll(async () => {
  t = await freshTenant();
  const projectKey = unique("jwt").toLowerCase();
  const project = await create(t, "projects", { key: projectKey, name: "JWT" });
  const key = unique("cust");
  const c = await create(t, "customers", { name: "JWT", projectId: project.id, key });
  customer = { id: c.id, key, projectKey };
  const a = await create(t, "accounts", { name: "JWT app", role: "customer", customerId: c.id, scopes: ["users:read", "users:write"] });
  account = { clientId: a.clientId, clientSecret: a.clientSecret };
});

interface Target {
  surface: Surface;
  name: string;
  send: (authorization: string | undefined, query?: string) => Promise<Reply>;
  /** A fresh token from the real token endpoint, of the principal the route is for. */
  token: () => Promise<string>;
  /** The success body of the route. */
  expectOk: (r: Reply) => void;
}

const withQuery = (path: string, query?: string) => (query ? `${path}${path.includes("?") ? "&" : "?"}${query}` : path);
const headers = (authorization: string | undefined, extra: Record<string, string> = {}) => (authorization === undefined ? extra : { ...extra, authorization });
const customerToken = () => clientToken(account.clientId, account.clientSecret);

/** One route per surface of the registry (src/surfaces.ts): a surface added there fails to compile here until it has one. */
const TARGET_OF: Record<(typeof JWT_SURFACES)[number], Omit<Target, "surface">> = {
  admin: {
    name: "GET /api/v1/tenants/{tenantId}",
    send: (a, q) => call("GET", withQuery(`/api/v1/tenants/${t.id}`, q), { headers: headers(a) }),
    token: async () => (await freshTenantAdminToken()) as string,
    expectOk: (r) => expect(r.body).toMatchObject({ id: t.id, domain: t.domain }),
  },
  worth: {
    name: "GET /auth/api/v1/customers/{customerID}/users",
    send: (a, q) => call("GET", withQuery(`/auth/api/v1/customers/${customer.id}/users`, q), { headers: headers(a) }),
    token: customerToken,
    expectOk: (r) => expect(r.body).toMatchObject({ status: "success", data: { records: expect.any(Array) } }),
  },
  corti: {
    name: "GET /functions/v1/public/projects/{projectId}/customers/{customerId}/users",
    send: (a, q) => call("GET", withQuery(`/functions/v1/public/projects/${customer.projectKey}/customers/${customer.key}/users`, q), { headers: headers(a) }),
    token: customerToken,
    expectOk: (r) => expect(r.body).toMatchObject({ users: expect.any(Array), pagination: expect.any(Object) }),
  },
  cloudcockpit: {
    name: "GET /v1/customer/{customerId}/users",
    send: (a, q) => call("GET", withQuery(`/v1/customer/${customer.id}/users`, q), { headers: headers(a, { "x-tenant": t.domain }) }),
    token: customerToken,
    expectOk: (r) => expect(Array.isArray(r.body)).toBe(true),
  },
  scim: {
    name: "GET /scim/v2/Users",
    send: (a, q) => call("GET", withQuery("/scim/v2/Users", q), { headers: headers(a) }),
    // A SCIM token as an operator issues one: by the tenant admin, through the admin API.
    token: () => scimToken(t, customer.id),
    expectOk: (r) => expect(r.body).toMatchObject({ schemas: [LIST_URN], totalResults: expect.any(Number), Resources: expect.any(Array) }),
  },
};
const TARGETS: Target[] = JWT_SURFACES.map((surface) => ({ surface, ...TARGET_OF[surface] }));

/** The tenant admin's token, freshly issued by the real endpoint (the harness keeps only the first one). */
async function freshTenantAdminToken(): Promise<string> {
  const acct = await create(t, "accounts", { name: unique("admin"), role: "tenant_admin", scopes: ["admin", "users:read"] });
  return clientToken(acct.clientId, acct.clientSecret);
}

it("the set runs against one route of each surface of the registry", () => {
  expect(TARGETS.map((t) => t.surface)).toEqual([...JWT_SURFACES]);
  for (const target of TARGETS) expect(target.name.startsWith(`GET ${SURFACES.find((s) => s.name === target.surface)?.base}/`), target.name).toBe(true);
});

const refusedOutbound = async () => ((await (await fetch("https://outbound.test/refused")).json()) as { refused: number }).refused;

describe.each(TARGETS)("JWT attacks on $surface ($name)", (target) => {
  it("every attack is a 401 in the surface's body; the controls inside the leeway are accepted; nothing is fetched", async () => {
    const valid = await target.token();
    target.expectOk(await target.send(`Bearer ${valid}`));
    const before = await refusedOutbound();
    const cases = await jwtAttackCases(valid);
    const failures: string[] = [];
    for (const c of cases) {
      const r = await target.send(c.header, c.query);
      try {
        if (c.status === 200) {
          expect(r.status).toBe(200);
          target.expectOk(r);
        } else {
          expectSurfaceError(target.surface, r, 401);
          expect(r.headers.get("www-authenticate")).toBe('Bearer realm="customer-users"');
          expect(r.headers.get("cache-control")).toBe("no-store");
        }
      } catch (e) {
        failures.push(`${c.label}: ${(e as Error).message.split("\n")[0]} (got ${r.status} ${r.text.slice(0, 200)})`);
      }
    }
    expect(failures).toEqual([]);
    expect(cases.filter((c) => c.status === 401).length).toBeGreaterThanOrEqual(40);
    expect(await refusedOutbound(), "outbound fetches refused during the attacks").toBe(before);
  });

  it("a freshly issued token used 50 times at once → 200 each", async () => {
    const token = await target.token();
    const replies = await Promise.all(Array.from({ length: 50 }, () => target.send(`Bearer ${token}`)));
    expect(replies.map((r) => r.status)).toEqual(Array(50).fill(200));
    for (const r of replies) target.expectOk(r);
  });
});
