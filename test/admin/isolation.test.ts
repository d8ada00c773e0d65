/**
 * Tenant isolation on every admin route (docs/api/auth.md#reach): another tenant's path is 403 (decided by the
 * claims); another tenant's resource id under one's own path is 404, exactly like an unknown id.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, create, expectProblem, freshTenant, platformToken, unique, type Tenant } from "../harness";
import { base, corr, eventsOf, seedUser } from "./helpers";

const KINDS = ["projects", "resellers", "customers", "subroles", "groups", "accounts"] as const;
type Kind = (typeof KINDS)[number];

const bodies: Record<Kind, () => Record<string, unknown>> = {
  projects: () => ({ key: unique("p").toLowerCase(), name: "P" }),
  resellers: () => ({ name: "R" }),
  customers: () => ({ name: "C" }),
  subroles: () => ({ code: unique("s").toLowerCase(), label: "L", displayName: "D", permissions: [] }),
  groups: () => ({ name: unique("g") }),
  accounts: () => ({ name: "A", role: "tenant_admin", scopes: ["users:read"] }),
};
const patches: Record<Kind, Record<string, unknown>> = {
  projects: { name: "Stolen" },
  resellers: { name: "Stolen" },
  customers: { name: "Stolen" },
  subroles: { label: "Stolen" },
  groups: { name: "Stolen" },
  accounts: { name: "Stolen", disabled: true },
};

let a: Tenant;
let b: Tenant;
const bIds = {} as Record<Kind | "users", string>;
const bRows = {} as Record<Kind, Record<string, unknown>>;

beforeAll(async () => {
  [a, b] = await Promise.all([freshTenant(), freshTenant()]);
  for (const kind of KINDS) {
    const row = await create(b, kind, bodies[kind]());
    delete row.clientSecret;
    bRows[kind] = row;
    bIds[kind] = row.id;
  }
  bIds.users = (await seedUser({ owner: { customerId: bIds.customers } })).id;
});

/** Every admin route under tenant `t`'s path, with ids of tenant `owner`'s resources. */
function routes(t: Tenant, ids: Record<string, string>) {
  const r: { method: string; path: string; body?: unknown }[] = [
    { method: "GET", path: base(t) },
    { method: "PATCH", path: base(t), body: { name: "Stolen" } },
    { method: "GET", path: `${base(t)}/users` },
    { method: "GET", path: `${base(t)}/users/${ids.users}` },
    { method: "GET", path: `${base(t)}/audit-events` },
  ];
  for (const kind of KINDS) {
    r.push(
      { method: "POST", path: `${base(t)}/${kind}`, body: bodies[kind]() },
      { method: "GET", path: `${base(t)}/${kind}` },
      { method: "GET", path: `${base(t)}/${kind}/${ids[kind]}` },
      { method: "PATCH", path: `${base(t)}/${kind}/${ids[kind]}`, body: patches[kind] },
      { method: "DELETE", path: `${base(t)}/${kind}/${ids[kind]}` },
    );
  }
  return r;
}

describe("tenant isolation", () => {
  it("tenant A's admin → 403 on every route under tenant B's path, and nothing of B changes", async () => {
    const c = corr("trespass");
    const rs = routes(b, bIds);
    expect(rs).toHaveLength(35);
    for (const r of rs) {
      const res = await call(r.method, r.path, { token: a.admin, body: r.body, headers: { "x-correlation-id": c } });
      try {
        expectProblem(res, 403, "FORBIDDEN", { detail: "Forbidden." });
      } catch (e) {
        throw new Error(`${r.method} ${r.path}: ${res.status} ${res.text}`, { cause: e });
      }
    }
    expect(await eventsOf(b, c)).toEqual([]);
    for (const kind of KINDS) expect((await call("GET", `${base(b)}/${kind}/${bIds[kind]}`, { token: b.admin, expect: 200 })).body).toEqual(bRows[kind]);
  });

  it("tenant B's resource ids under tenant A's own path → 404 like an unknown id, and nothing changes", async () => {
    const c = corr("confused");
    for (const kind of KINDS) {
      for (const method of ["GET", "PATCH", "DELETE"]) {
        const res = await call(method, `${base(a)}/${kind}/${bIds[kind]}`, {
          token: a.admin,
          body: method === "PATCH" ? patches[kind] : undefined,
          headers: { "x-correlation-id": c },
        });
        const noun = kind.slice(0, -1);
        expectProblem(res, 404, "NOT_FOUND", { detail: `${noun.charAt(0).toUpperCase()}${noun.slice(1)} not found.` });
        // Byte for byte what an unknown id answers, apart from the correlation id.
        const unknown = await call(method, `${base(a)}/${kind}/${crypto.randomUUID()}`, { token: a.admin, body: method === "PATCH" ? patches[kind] : undefined, headers: { "x-correlation-id": c } });
        expect(res.text).toBe(unknown.text);
      }
      expect((await call("GET", `${base(b)}/${kind}/${bIds[kind]}`, { token: b.admin, expect: 200 })).body).toEqual(bRows[kind]);
    }
    expectProblem(await call("GET", `${base(a)}/users/${bIds.users}`, { token: a.admin }), 404, "NOT_FOUND");
    expect(await eventsOf(a, c)).toEqual([]);
    expect(await eventsOf(b, c)).toEqual([]);
  });

  it("the platform token reaches both tenants; lists never mix them", async () => {
    const platform = await platformToken();
    for (const t of [a, b]) {
      for (const kind of KINDS) {
        const list = await call("GET", `${base(t)}/${kind}?limit=200`, { token: platform, expect: 200 });
        expect(list.body.data.every((x: { tenantId: string }) => x.tenantId === t.id)).toBe(true);
      }
      await call("GET", `${base(t)}/users`, { token: platform, expect: 200 });
      await call("GET", `${base(t)}/audit-events`, { token: platform, expect: 200 });
    }
    for (const kind of KINDS) {
      const got = await call("GET", `${base(b)}/${kind}/${bIds[kind]}`, { token: platform, expect: 200 });
      expect(got.body).toEqual(bRows[kind]);
    }
    // The platform creates in B and the event names it as the actor.
    const c = corr("platform");
    const g = await call("POST", `${base(b)}/groups`, { token: platform, body: { name: unique("pg") }, headers: { "x-correlation-id": c }, expect: 201 });
    expect(await eventsOf(b, c)).toEqual([expect.objectContaining({ action: "group.created", actorId: "bootstrap", targetId: g.body.id })]);
  });
});
