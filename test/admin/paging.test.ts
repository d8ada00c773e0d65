/**
 * Cursor paging of every admin list (docs/api/admin-api.md#paging): exact pages keyed by (created_at, id), a
 * nextCursor only when another page follows, page 2 starting right after page 1 whatever is
 * inserted or deleted in between, and every foreign or forged cursor refused with a 400.
 */
import { describe, expect, it } from "vitest";
import { call, create, expectProblem, freshTenant, platformToken, unique, type Tenant } from "../harness";
import { base, idsOf, listAll, seedUser } from "./helpers";

type Maker = (t: Tenant, i: number) => Promise<{ id: string }>;

/** One new item of each list, given a tenant that has a customer `c` for the kinds that need one. */
const makers: Record<string, (deps: { customerId: string }) => Maker> = {
  projects: () => (t, i) => create(t, "projects", { key: unique(`p${i}`).toLowerCase(), name: `P${i}` }),
  resellers: () => (t, i) => create(t, "resellers", { name: `R${i}` }),
  customers: () => (t, i) => create(t, "customers", { name: `C${i}` }),
  subroles: () => (t, i) => create(t, "subroles", { code: unique(`s${i}`).toLowerCase(), label: "L", displayName: "D", permissions: [] }),
  groups: () => (t, i) => create(t, "groups", { name: unique(`g${i}`) }),
  accounts: () => (t, i) => create(t, "accounts", { name: `A${i}`, role: "tenant_admin", scopes: ["users:read"] }),
  users: (d) => async (_t, i) => seedUser({ owner: { customerId: d.customerId }, firstName: `U${i}` }),
};

async function page(path: string, token: string, limit: number, cursor?: string | null) {
  const q = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
  return call("GET", `${path}${path.includes("?") ? "&" : "?"}${q}`, { token, expect: 200 });
}

describe("cursor exactness", () => {
  for (const [kind, maker] of Object.entries(makers)) {
    it(`${kind}: 7 items by 3 → pages [3,3,1], in order, no duplicates; an insert between pages moves nothing`, async () => {
      const t = await freshTenant();
      const customerId = (await create(t, "customers", { name: "Owner" })).id as string;
      const make = maker({ customerId });
      const path = `${base(t)}/${kind}`;
      // Only the items this test creates: the tenant's admin account and owner customer come first.
      const before = idsOf(await listAll(path, t.admin));
      for (let i = 0; i < 7; i++) await make(t, i);
      const all = (await listAll(path, t.admin)).filter((x) => !before.includes(x.id as string));
      expect(all).toHaveLength(7);
      const skip = before.length;

      // Page through, starting after the pre-existing items.
      const sizes: number[] = [];
      const seen: string[] = [];
      let r = await page(path, t.admin, skip + 3);
      seen.push(...idsOf(r.body.data).slice(skip));
      sizes.push(r.body.data.length - skip);
      while (r.body.nextCursor !== null) {
        r = await page(path, t.admin, 3, r.body.nextCursor);
        seen.push(...idsOf(r.body.data));
        sizes.push(r.body.data.length);
      }
      expect(sizes).toEqual([3, 3, 1]);
      expect(seen).toEqual(idsOf(all));
      expect(new Set(seen).size).toBe(7);
      expect(r.body.nextCursor).toBeNull();

      // Page 1, then a new item, then page 2: page 2 starts right after page 1's last item, the new one comes last.
      const p1 = await page(path, t.admin, skip + 3);
      const added = await make(t, 99);
      const p2 = await page(path, t.admin, 3, p1.body.nextCursor);
      expect(idsOf(p2.body.data)).toEqual(idsOf(all).slice(3, 6));
      const p3 = await page(path, t.admin, 3, p2.body.nextCursor);
      expect(idsOf(p3.body.data)).toEqual([...idsOf(all).slice(6), added.id]);
      expect(p3.body.nextCursor).toBeNull();
    });
  }

  it("a cursor stays valid when its own item is deleted: the next page still starts right after it", async () => {
    const t = await freshTenant();
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await create(t, "groups", { name: unique("g") }));
    const p1 = await page(`${base(t)}/groups`, t.admin, 2);
    expect(idsOf(p1.body.data)).toEqual([made[0].id, made[1].id]);
    await call("DELETE", `${base(t)}/groups/${made[1].id}`, { token: t.admin, expect: 204 });
    const p2 = await page(`${base(t)}/groups`, t.admin, 2, p1.body.nextCursor);
    expect(idsOf(p2.body.data)).toEqual([made[2].id, made[3].id]);
  });

  it("audit events: pages of 3 cover the trail in order, with a filter kept across pages", async () => {
    const t = await freshTenant();
    for (let i = 0; i < 7; i++) await create(t, "resellers", { name: `R${i}` });
    const path = `${base(t)}/audit-events?action=reseller.created`;
    const all = await listAll(path, t.admin);
    expect(all).toHaveLength(7);
    const seen: string[] = [];
    const sizes: number[] = [];
    let r = await page(path, t.admin, 3);
    for (;;) {
      seen.push(...idsOf(r.body.data));
      sizes.push(r.body.data.length);
      if (r.body.nextCursor === null) break;
      r = await page(path, t.admin, 3, r.body.nextCursor);
    }
    expect(sizes).toEqual([3, 3, 1]);
    expect(seen).toEqual(idsOf(all));
  });

  it("tenants (platform): pages of 3 list every tenant once, oldest first", async () => {
    const token = await platformToken();
    const mine: string[] = [];
    for (let i = 0; i < 7; i++) {
      mine.push((await call("POST", "/api/v1/tenants", { token, body: { domain: `${unique("pg")}.example.com`, name: "P" }, expect: 201 })).body.id);
    }
    const seen = idsOf(await listAll("/api/v1/tenants", token, 3));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => mine.includes(id))).toEqual(mine);
    expect(seen.slice(-7)).toEqual(mine);
  });

  it("limit: default 50, 1 and 200 accepted; 0, 201, -1, 1.5, 'abc', '' and a repeated limit → 400", async () => {
    const t = await freshTenant();
    await Promise.all(Array.from({ length: 51 }, (_, i) => create(t, "resellers", { name: `R${i}` })));
    const def = await call("GET", `${base(t)}/resellers`, { token: t.admin, expect: 200 });
    expect(def.body.data).toHaveLength(50);
    expect(typeof def.body.nextCursor).toBe("string");
    expect((await call("GET", `${base(t)}/resellers?limit=200`, { token: t.admin, expect: 200 })).body.data).toHaveLength(51);
    expect((await call("GET", `${base(t)}/resellers?limit=1`, { token: t.admin, expect: 200 })).body.data).toHaveLength(1);
    for (const bad of ["0", "201", "-1", "1.5", "abc", "", "1&limit=2", "1e400"]) {
      for (const path of [`${base(t)}/resellers`, `${base(t)}/users`, `${base(t)}/audit-events`, "/api/v1/tenants"]) {
        const r = await call("GET", `${path}?limit=${bad}`, { token: t.admin });
        expectProblem(r, 400, "INVALID", { detail: "Invalid query: limit." });
        expect(r.body.errors).toEqual([{ field: "limit", message: expect.any(String) }]);
      }
    }
  });
});

describe("foreign and forged cursors → 400, never a 500, never a restart", () => {
  const b64 = (v: unknown) => btoa(JSON.stringify(v)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const invalidCursor = { detail: "The cursor is not valid.", errors: [{ field: "cursor", message: "Not a cursor returned by this API." }] };

  it("garbage, wrong shapes, non-finite numbers", async () => {
    const t = await freshTenant();
    const forged = [
      "!!!",
      "not-base64-json",
      "e30", // {}
      b64([]),
      b64([1]),
      b64([1, "x"]), // a bare key without its list
      b64(["x", 1]),
      b64(["projects:" + t.id, "1", "x"]),
      b64(["projects:" + t.id, 1, 2]),
      b64(["projects:" + t.id, 1, "x", "extra"]),
      btoa("[\"projects:" + t.id + "\",1e999,\"x\"]").replace(/=+$/, ""),
      b64(null),
      b64("string"),
      "%F0%9F%92%A9",
    ];
    for (const c of forged) {
      const r = await call("GET", `${base(t)}/projects?cursor=${c}`, { token: t.admin });
      try {
        expectProblem(r, 400, "INVALID", invalidCursor);
      } catch (e) {
        throw new Error(`cursor ${c}: ${r.status} ${r.text}`, { cause: e });
      }
    }
    const tooLong = await call("GET", `${base(t)}/projects?cursor=${"A".repeat(513)}`, { token: t.admin });
    expectProblem(tooLong, 400, "INVALID", { errors: [{ field: "cursor", message: expect.any(String) }] });
  });

  it("a cursor of another list, or of another tenant's same list, is refused", async () => {
    const [a, b] = await Promise.all([freshTenant(), freshTenant()]);
    const platform = await platformToken();
    const cursors: Record<string, string> = {};
    for (const [t, tag] of [
      [a, "a"],
      [b, "b"],
    ] as const) {
      const c = await create(t, "customers", { name: "C" });
      for (let i = 0; i < 3; i++) {
        await create(t, "projects", { key: unique("p").toLowerCase(), name: "P" });
        await create(t, "groups", { name: unique("g") });
        await seedUser({ owner: { customerId: c.id } });
      }
      for (const kind of ["projects", "groups", "users", "audit-events"]) {
        const r = await page(`${base(t)}/${kind}`, platform, 1);
        expect(r.body.nextCursor).toEqual(expect.any(String));
        cursors[`${tag}:${kind}`] = r.body.nextCursor;
      }
    }
    const tenants = await page("/api/v1/tenants", platform, 1);
    cursors["tenants"] = tenants.body.nextCursor;

    const cases: [path: string, cursor: string][] = [
      [`${base(a)}/groups`, cursors["a:projects"]!],
      [`${base(a)}/projects`, cursors["a:groups"]!],
      [`${base(a)}/customers`, cursors["a:users"]!],
      [`${base(a)}/users`, cursors["a:audit-events"]!],
      [`${base(a)}/audit-events`, cursors["a:users"]!],
      [`${base(a)}/projects`, cursors["b:projects"]!],
      [`${base(a)}/users`, cursors["b:users"]!],
      [`${base(a)}/audit-events`, cursors["b:audit-events"]!],
      ["/api/v1/tenants", cursors["a:projects"]!],
      [`${base(a)}/projects`, cursors["tenants"]!],
    ];
    for (const [path, cursor] of cases) {
      const r = await call("GET", `${path}?cursor=${cursor}`, { token: platform });
      try {
        expectProblem(r, 400, "INVALID", invalidCursor);
      } catch (e) {
        throw new Error(`${path}: ${r.status} ${r.text}`, { cause: e });
      }
    }
    // Each cursor still works on its own list.
    await call("GET", `${base(a)}/projects?cursor=${cursors["a:projects"]}`, { token: platform, expect: 200 });
    await call("GET", `${base(b)}/users?cursor=${cursors["b:users"]}`, { token: platform, expect: 200 });
    await call("GET", `/api/v1/tenants?cursor=${cursors["tenants"]}`, { token: platform, expect: 200 });
  });
});
