/**
 * GET /auth/api/v1/customers/{customerID}/users (seed 001): happy and error cases on a small
 * customer. The 1,000-user filter/search/sort/paging checks are in list-users.volume.test.ts; the
 * authorization cases in test/security/matrix.data.ts and matrix.edges.test.ts.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { dbTrips, platformToken } from "../harness";
import { expectConforms } from "./contract";
import { ALLOWED, createWorthUser, expectFail, worth, worthWorld, type WorthWorld } from "./helpers";

const KEY = "GET /customers/{customerID}/users";
let w: WorthWorld;
let ids: string[];
beforeAll(async () => {
  w = await worthWorld();
  ids = [];
  for (const first_name of ["Ann", "Bob", "Cyd"]) ids.push(await createWorthUser(w, { first_name }));
});

const list = (query = "", token = w.tokens.customerRead, customerId = w.customer.id) => worth("GET", `/customers/${customerId}/users${query}`, { token });

describe("happy", () => {
  it("newest first, every record field, totals as in the seed, one D1 round trip", async () => {
    const r = await list();
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("success");
    expect(r.body.message).toBe("Success");
    expect(r.body.data.records.map((u: { id: string }) => u.id)).toEqual([...ids].reverse());
    expect(r.body.data.total_pages).toBe(1);
    expect(r.body.data.total_items).toBe("3");
    expect(Object.keys(r.body.data.records[0])).toEqual([
      "id", "first_name", "last_name", "email", "mobile", "is_email_verified", "is_first_login",
      "created_at", "created_by", "updated_at", "updated_by", "ext_auth_ref_id", "status", "subrole",
    ]);
    expect(Object.keys(r.body.data.records[0].subrole)).toEqual(["id", "code", "display_name", "label", "description"]);
    expect(dbTrips(r)).toBe(1);
    await expectConforms(KEY, r);
  });

  it("each record equals GET of the same user", async () => {
    const r = await list();
    for (const rec of r.body.data.records) {
      const one = await worth("GET", `/customers/${w.customer.id}/users/${rec.id}`, { token: w.tokens.customer, expect: 200 });
      expect(one.body.data).toEqual(rec);
    }
  });

  it("an empty customer: no records, total_pages 0, total_items \"0\"", async () => {
    const r = await list("", w.tokens.tenantAdmin, w.sibling.id);
    expect(r.body).toEqual({ status: "success", message: "Success", data: { records: [], total_pages: 0, total_items: "0" } });
    await expectConforms(KEY, r);
  });

  it("paging: items_per_page 2 → 2 pages; a page past the end is empty with the totals", async () => {
    const p1 = await list("?items_per_page=2&page=1");
    const p2 = await list("?items_per_page=2&page=2");
    const p3 = await list("?items_per_page=2&page=3");
    expect(p1.body.data.records.map((u: { id: string }) => u.id)).toEqual([ids[2], ids[1]]);
    expect(p2.body.data.records.map((u: { id: string }) => u.id)).toEqual([ids[0]]);
    for (const p of [p1, p2, p3]) expect([p.body.data.total_pages, p.body.data.total_items]).toEqual([2, "3"]);
    expect(p3.body.data.records).toEqual([]);
  });

  it("soft-deleted users never appear, nor do other customers' users", async () => {
    const gone = await createWorthUser(w, { first_name: "Gone" });
    await createWorthUser({ ...w, customer: w.sibling }, { first_name: "Elsewhere", subrole: { id: w.viewer.id, code: "viewer", label: "Viewer" } }, w.tokens.tenantAdmin);
    await env.DB.prepare("update users set deleted_at = ? where id = ?").bind(Date.now(), gone).run();
    const r = await list("?items_per_page=100");
    expect(r.body.data.records.map((u: { id: string }) => u.id).sort()).toEqual([...ids].sort());
    expect(r.body.data.total_items).toBe("3");
    expect((await list("?first_name=Gone")).body.data.total_items).toBe("0");
  });

  it("every principal within reach sees the same page", async () => {
    const mine = (await list()).body;
    for (const token of [w.tokens.tenantAdmin, w.tokens.reseller as string, await platformToken()]) expect((await list("", token)).body).toEqual(mine);
  });

  it("percent-encoded brackets work like literal ones", async () => {
    const r = await list("?filter%5Bfirst_name%5D=Bob&sort%5Bfirst_name%5D=asc");
    expect(r.body.data.records.map((u: { first_name: string }) => u.first_name)).toEqual(["Bob"]);
  });
});

describe("errors", () => {
  const cases: [string, string][] = [
    ["?foo=1", `foo: Not a query parameter of this route. ${ALLOWED}`],
    ["?filter[password_hash]=x", `filter[password_hash]: Not a query parameter of this route. ${ALLOWED}`],
    ["?search[status]=ACT", `search[status]: Not a query parameter of this route. ${ALLOWED}`],
    ["?sort[deleted_at]=ASC", `sort[deleted_at]: Not a query parameter of this route. ${ALLOWED}`],
    ["?filter[created_at][between]=x", `filter[created_at][between]: Not a query parameter of this route. ${ALLOWED}`],
    ["?items_per_page=101", "items_per_page: An integer from 1 to 100."],
    ["?items_per_page=0", "items_per_page: An integer from 1 to 100."],
    ["?items_per_page=ten", "items_per_page: An integer from 1 to 100."],
    ["?items_per_page=-1", "items_per_page: An integer from 1 to 100."],
    ["?page=0", "page: An integer from 1 to 100000."],
    ["?page=1.5", "page: An integer from 1 to 100000."],
    ["?page=100001", "page: An integer from 1 to 100000."],
    ["?page=99999999999999999999", "page: An integer from 1 to 100000."],
    ["?page=1&page=2", "page: Give this parameter once."],
    ["?sort[first_name]=UP", "sort[first_name]: ASC or DESC."],
    ["?filter[status]=DELETED", "filter[status]: One of ACTIVE, INACTIVE."],
    ["?status=active", "status: One of ACTIVE, INACTIVE."],
    ["?filter[is_email_verified]=yes", "filter[is_email_verified]: true or false."],
    ["?filter[subrole_id]=abc", "filter[subrole_id]: Must be a UUID."],
    ["?filter[first_name]=", "filter[first_name]: Must not be empty."],
    [`?filter[first_name]=${"x".repeat(256)}`, "filter[first_name]: At most 255 characters."],
    ["?filter[created_at][gte]=yesterday", "filter[created_at][gte]: Must be an ISO 8601 date or date-time, e.g. 2024-02-12T14:16:49.053Z."],
    ["?filter[created_at][lte]=2024-02-30", "filter[created_at][lte]: Must be an ISO 8601 date or date-time, e.g. 2024-02-12T14:16:49.053Z."],
    ["?created_at=2024-13-01T00:00:00Z", "created_at: Must be an ISO 8601 date or date-time, e.g. 2024-02-12T14:16:49.053Z."],
  ];
  for (const [query, message] of cases) {
    it(`${decodeURIComponent(query).slice(0, 60)} → 400 naming what is allowed`, async () => {
      const r = await list(query);
      expectFail(r, 400, "INVALID", message, "ValidationMiddlewareError");
      await expectConforms(KEY, r);
    });
  }

  it("malformed customer id → 400; unknown customer → 404 Customer Not Found", async () => {
    const bad = await worth("GET", "/customers/%00/users", { token: w.tokens.customer });
    expectFail(bad, 400, "INVALID", "customerID: Must be a UUID.", "ValidationMiddlewareError");
    const missing = await list("", w.tokens.tenantAdmin, crypto.randomUUID());
    expectFail(missing, 404, "NOT_FOUND", "Customer Not Found");
    await expectConforms(KEY, missing);
  });
});
