/**
 * Export (docs/migration.md#export): every user in reach, streamed as NDJSON or CSV in creation
 * order, in the admin API's shape and never a hash; one customer's; a project-narrowed admin's
 * reach; resumable after the last user received; a page of 500 per round trip.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, clientToken, expectProblem, unique, type Reply } from "../harness";
import { world, type World } from "../world";

let w: World;
const lines = (r: Reply) => r.text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  w = await world({
    projects: 2,
    customers: [
      { name: "A", project: 0, key: "a" },
      { name: "B", project: 1, key: "b" },
    ],
    users: [
      ...Array.from({ length: 3 }, (_, i) => ({ via: "corti" as const, customer: 0, email: `${unique(`a${i}`)}@example.com`, firstName: "Ada, \"the\"", lastName: `A${i}`, password: "Export-passw0rd-123456" })),
      ...Array.from({ length: 2 }, (_, i) => ({ via: "corti" as const, customer: 1, email: `${unique(`b${i}`)}@example.com`, firstName: "Bo", lastName: `B${i}` })),
    ],
  });
});

describe("export", () => {
  it("NDJSON: every user, oldest first, as the admin API shows each (hasPassword, never a hash)", async () => {
    const r = await call("GET", `/api/v1/tenants/${w.tenant.id}/users/export`, { token: w.tenant.admin });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/x-ndjson");
    expect(r.headers.get("content-disposition")).toBe(`attachment; filename="users-${w.tenant.id}.ndjson"`);
    const got = lines(r);
    expect(got.map((u) => u.id)).toEqual(await listed());
    for (const u of got) {
      const one = await call("GET", `/api/v1/tenants/${w.tenant.id}/users/${u.id}`, { token: w.tenant.admin, expect: 200 });
      expect(u).toEqual(one.body);
    }
    // The three users of A were made with a password, the two of B without (whatever order they were made in).
    const withPassword = new Set(w.users.slice(0, 3).map((u) => u.id));
    expect(got.map((u) => [u.id, u.hasPassword])).toEqual(got.map((u) => [u.id, withPassword.has(u.id as string)]));
    expect(r.text).not.toMatch(/pbkdf2|passwordHash|Export-passw0rd/);
  });

  it("CSV: a header row and a row per user, quoted where needed; one customer's users", async () => {
    const r = await call("GET", `/api/v1/tenants/${w.tenant.id}/users/export?format=csv&customerId=${w.customers[0]!.id}`, { token: w.tenant.admin, expect: 200 });
    expect(r.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const rows = r.text.split("\r\n").filter(Boolean);
    expect(rows[0]).toBe("id,tenantId,customerId,resellerId,firstName,lastName,email,mobile,externalId,status,emailVerified,isFirstLogin,subroleId,groupIds,hasPassword,extAuthRefId,createdAt,createdBy,updatedAt,updatedBy,version");
    expect(rows).toHaveLength(4);
    const first = rows.find((row) => row.startsWith(`${w.users[0]!.id},`));
    expect(first?.startsWith(`${w.users[0]!.id},${w.tenant.id},${w.customers[0]!.id},,"Ada, ""the""",A0,`)).toBe(true);
  });

  it("resumes after the last user received; a project-narrowed admin exports its project's users only", async () => {
    const order = await listed();
    const r = await call("GET", `/api/v1/tenants/${w.tenant.id}/users/export?after=${order[1]}`, { token: w.tenant.admin, expect: 200 });
    expect(lines(r).map((u) => u.id)).toEqual(order.slice(2));
    const bad = await call("GET", `/api/v1/tenants/${w.tenant.id}/users/export?after=${crypto.randomUUID()}`, { token: w.tenant.admin });
    expectProblem(bad, 400, "INVALID", { errors: [{ field: "after", message: "Not the id of a user of this tenant." }] });
    const acct = await call("POST", `/api/v1/tenants/${w.tenant.id}/accounts`, { token: w.tenant.admin, body: { name: "P0", role: "tenant_admin", projectId: w.projects[0]!.id, scopes: ["admin"] }, expect: 201 });
    const narrowed = await clientToken(acct.body.clientId, acct.body.clientSecret);
    const own = await call("GET", `/api/v1/tenants/${w.tenant.id}/users/export`, { token: narrowed, expect: 200 });
    const inProject = new Set(w.users.slice(0, 3).map((u) => u.id));
    expect(lines(own).map((u) => u.id)).toEqual(order.filter((id) => inProject.has(id)));
    const other = await freshOther();
    expectProblem(await call("GET", `/api/v1/tenants/${other}/users/export`, { token: w.tenant.admin }), 403, "FORBIDDEN");
  });
});

describe("export of a large customer", () => {
  it("1,201 users stream in three pages, in order, each user once; resuming mid-way gives the rest", async () => {
    const big = await world({ customers: [{ name: "Big" }] });
    const c = big.customers[0]!;
    const t0 = Date.now() - 10_000_000;
    const ids = Array.from({ length: 1201 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`.replace(/^00000000/, crypto.randomUUID().slice(0, 8)));
    const insert = env.DB.prepare(
      "insert into users (id, tenant_id, customer_id, first_name, last_name, email, email_norm, status, email_verified, is_first_login, ext_auth_ref_id, created_at, created_by, updated_at, updated_by, version) values (?, ?, ?, 'Bulk', ?, ?, ?, 'ACTIVE', 0, 1, ?, ?, 'seed', ?, 'seed', 1)",
    );
    for (let i = 0; i < ids.length; i += 100) {
      await env.DB.batch(ids.slice(i, i + 100).map((id, j) => insert.bind(id, big.tenant.id, c.id, `U${i + j}`, `bulk${i + j}@example.com`, `bulk${i + j}@example.com`, crypto.randomUUID(), t0 + i + j, t0 + i + j)));
    }
    const r = await call("GET", `/api/v1/tenants/${big.tenant.id}/users/export`, { token: big.tenant.admin, expect: 200 });
    const got = lines(r);
    expect(got.map((u) => u.id)).toEqual(ids);
    const rest = await call("GET", `/api/v1/tenants/${big.tenant.id}/users/export?format=ndjson&after=${ids[999]}`, { token: big.tenant.admin, expect: 200 });
    expect(lines(rest).map((u) => u.id)).toEqual(ids.slice(1000));
  });
});

/** The tenant's users in the admin API's list order (oldest first): the order an export keeps. */
async function listed(): Promise<string[]> {
  const r = await call("GET", `/api/v1/tenants/${w.tenant.id}/users?limit=100`, { token: w.tenant.admin, expect: 200 });
  return (r.body.data as { id: string }[]).map((u) => u.id);
}

async function freshOther(): Promise<string> {
  return (await world({})).tenant.id;
}
