/**
 * Budget: no full scan. Every list, filter and sort query the four surfaces send is recorded as
 * it goes to D1 (the real routes, given an env whose DB records each bound statement) and run
 * again under EXPLAIN QUERY PLAN over the real migrations. No plan may scan a table without an
 * index: lists walk an index seeded by their tenant or customer. The page-1 plans are printed, so
 * the figures of docs/performance.md can be read off a test log.
 */
import { env } from "cloudflare:workers";
import { plan, recordingD1, type Recorded } from "./recording-d1";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app";
import { call, create, freshTenant, type Tenant } from "../harness";


const app = buildApp();

async function send(method: string, path: string, token: string, headers: Record<string, string> = {}): Promise<{ status: number; recorded: Recorded[] }> {
  const recorded: Recorded[] = [];
  const res = await app.fetch(new Request(`http://api.test${path}`, { method, headers: { authorization: `Bearer ${token}`, ...headers } }), { ...env, DB: recordingD1(recorded) }, {
    waitUntil: () => {},
    passThroughOnException: () => {},
    props: {},
  } as unknown as ExecutionContext);
  await res.arrayBuffer();
  return { status: res.status, recorded };
}


/** A plan line that reads a whole table (not through an index, not a one-row lookup). */
// `SCAN CONSTANT ROW` is a SELECT without FROM (the revocation check each request's first batch carries);
// `SCAN p` reads a packed page's own rows (src/db/shapes.ts: packedRows), bounded by the page's LIMIT.
const FULL_SCAN = /^SCAN (?!CONSTANT ROW)(?!p$)(\w+)\b(?! USING)/;

let t: Tenant;
let customerId: string;
let groupId: string;
let platform: string;

beforeAll(async () => {
  t = await freshTenant();
  const project = await create(t, "projects", { key: "plans", name: "Plans" });
  const reseller = await create(t, "resellers", { name: "R" });
  const customer = await create(t, "customers", { name: "C", projectId: project.id, key: "planco", resellerId: reseller.id });
  customerId = customer.id;
  const subrole = await create(t, "subroles", { code: "m", label: "M", displayName: "M", permissions: ["customer_user:read"] });
  groupId = (await create(t, "groups", { name: "G" })).id;
  for (let i = 0; i < 3; i++) {
    await call("POST", `/auth/api/v1/customers/${customerId}/users`, {
      token: t.admin,
      body: { first_name: `F${i}`, last_name: `L${i}`, email: `plan${i}@example.com`, subrole: { id: subrole.id, code: "m", label: "M" } },
      expect: 200,
    });
  }
  platform = (await call("POST", "/auth/token", { body: { grant_type: "client_credentials", client_id: env.BOOTSTRAP_CLIENT_ID, client_secret: env.BOOTSTRAP_CLIENT_SECRET }, expect: 200 })).body
    .access_token;
});

const WORTH_SORTS = ["first_name", "last_name", "email", "mobile", "status", "is_email_verified", "is_first_login", "subrole_id", "subrole_code", "created_by", "created_at", "updated_at"];

function requests(): { name: string; path: string; headers?: Record<string, string>; token?: string }[] {
  const W = `/auth/api/v1/customers/${customerId}/users`;
  const A = `/api/v1/tenants/${t.id}`;
  const cc = { "x-tenant": t.domain };
  return [
    { name: "Worth list (default)", path: `${W}?page=1&items_per_page=10` },
    ...WORTH_SORTS.flatMap((f) => ["ASC", "DESC"].map((d) => ({ name: `Worth list sort ${f} ${d}`, path: `${W}?sort[${f}]=${d}` }))),
    { name: "Worth list filters", path: `${W}?filter[status]=ACTIVE&filter[email]=plan1@example.com&first_name=F1` },
    { name: "Worth list search", path: `${W}?search[last_name]=L&search[email]=plan` },
    { name: "Worth list created_at range", path: `${W}?filter[created_at][gte]=2020-01-01T00:00:00.000Z&filter[created_at][lte]=2100-01-01T00:00:00.000Z` },
    { name: "Worth get", path: `${W}/${crypto.randomUUID()}` },
    { name: "Worth subroles", path: `/auth/api/v1/customers/${customerId}/subroles` },
    { name: "Corti list users", path: `/functions/v1/public/projects/plans/customers/planco/users?page=1&pageSize=20` },
    { name: "Corti list customers", path: `/functions/v1/public/projects/plans/customers?page=1&pageSize=20` },
    { name: "CloudCockpit customer list", path: `/v1/customer/${customerId}/users`, headers: cc },
    { name: "CloudCockpit users by Name", path: `/v1/users?pageSize=10&sortPropertyName=Name&ascending=true`, headers: cc },
    { name: "CloudCockpit users by Name desc", path: `/v1/users?pageSize=10&sortPropertyName=Name&ascending=false`, headers: cc },
    { name: "CloudCockpit users by Email", path: `/v1/users?pageSize=10&sortPropertyName=Email&ascending=true`, headers: cc },
    { name: "CloudCockpit users search", path: `/v1/users?pageSize=10&search=plan`, headers: cc },
    { name: "CloudCockpit users groups filter", path: `/v1/users?pageSize=10&groups=${groupId}`, headers: cc },
    { name: "CloudCockpit groups", path: `/v1/users/groups?pageSize=10`, headers: cc },
    ...["projects", "resellers", "customers", "subroles", "groups", "accounts"].map((k) => ({ name: `admin list ${k}`, path: `${A}/${k}?limit=10` })),
    { name: "admin tenants (tenant admin)", path: `/api/v1/tenants?limit=10` },
    { name: "admin users", path: `${A}/users?limit=10` },
    { name: "admin users filtered", path: `${A}/users?limit=10&customerId=${customerId}&status=ACTIVE&email=plan1@example.com` },
    { name: "admin audit events", path: `${A}/audit-events?limit=10` },
    { name: "admin audit by correlation", path: `${A}/audit-events?limit=10&correlationId=x` },
    { name: "admin audit by action", path: `${A}/audit-events?limit=10&action=user.created` },
    { name: "admin audit by target", path: `${A}/audit-events?limit=10&targetId=${customerId}` },
    { name: "admin audit by actor", path: `${A}/audit-events?limit=10&actorId=${t.adminClientId}` },
  ];
}

describe("query plans", () => {
  it("no list, filter or sort query of any surface scans a table without an index", async () => {
    const report: string[] = [];
    for (const r of requests()) {
      const { status, recorded } = await send("GET", r.path, r.token ?? t.admin, r.headers);
      expect([200, 404], `${r.name}: ${status}`).toContain(status);
      expect(recorded.length, r.name).toBeGreaterThan(0);
      for (const stmt of recorded) {
        const lines = await plan(stmt);
        const scans = lines.filter((l) => FULL_SCAN.test(l));
        expect(scans, `${r.name}\n${stmt.sql}\n${lines.join("\n")}`).toEqual([]);
      }
      if (r.name === "Worth list (default)" || r.name === "CloudCockpit users by Name" || r.name === "CloudCockpit customer list") {
        const page = recorded.find((s) => /from "users"/.test(s.sql) && /order by/i.test(s.sql)) ?? recorded.at(-1)!;
        report.push(`${r.name}:\n  ${(await plan(page)).join("\n  ")}`);
      }
    }
    console.log(`query plans (page query of each):\n${report.join("\n")}`);
  });

  it("Worth's unfiltered total_items reads one counter row; a filtered one counts through an index", async () => {
    const unfiltered = await send("GET", `/auth/api/v1/customers/${customerId}/users?page=1&items_per_page=10`, t.admin);
    const counter = unfiltered.recorded.find((r) => /customer_user_counts/.test(r.sql));
    expect(counter, "the count statement").toBeDefined();
    expect(await plan(counter!)).toEqual(["SEARCH customer_user_counts USING INDEX sqlite_autoindex_customer_user_counts_1 (customer_id=?)"]);
    const filtered = await send("GET", `/auth/api/v1/customers/${customerId}/users?page=1&items_per_page=10&filter[status]=ACTIVE`, t.admin);
    const count = filtered.recorded.find((r) => /count\(\*\)/i.test(r.sql));
    expect((await plan(count!)).join("\n")).toMatch(/^SEARCH users USING INDEX users_customer_\w+_idx \(customer_id=\?/);
  });

  it("the platform's tenant list walks tenants_created_idx (bounded by LIMIT)", async () => {
    const { status, recorded } = await send("GET", "/api/v1/tenants?limit=10", platform);
    expect(status).toBe(200);
    const lines = await plan(recorded.at(-1)!);
    expect(lines.join("\n")).toMatch(/tenants_created_idx/);
  });
});
