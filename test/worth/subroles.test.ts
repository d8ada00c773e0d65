/** GET /auth/api/v1/customers/{customerID}/subroles: happy and error cases (its authorization cases are in test/security/matrix.data.ts and matrix.edges.test.ts). */
import { beforeAll, describe, expect, it } from "vitest";
import { create, dbTrips } from "../harness";
import { expectConforms } from "./contract";
import { expectFail, worth, worthWorld, type WorthWorld } from "./helpers";

const KEY = "GET /customers/{customerID}/subroles";
let w: WorthWorld;
beforeAll(async () => {
  w = await worthWorld();
});

describe("happy", () => {
  it("the customer's own and the tenant-wide subroles, by code, in one round trip", async () => {
    const r = await worth("GET", `/customers/${w.customer.id}/subroles`, { token: w.tokens.customerRead });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      status: "success",
      message: "Success",
      data: [
        { id: w.cro.id, code: "cro", label: "CRO", display_name: "CRO" },
        { id: w.viewer.id, code: "viewer", label: "Viewer", display_name: "Viewer" },
      ],
    });
    expect(dbTrips(r)).toBe(1);
    await expectConforms(KEY, r);
  });

  it("each customer sees its own: the sibling gets its cro, never this one's", async () => {
    const r = await worth("GET", `/customers/${w.sibling.id}/subroles`, { token: w.tokens.tenantAdmin, expect: 200 });
    expect(r.body.data.map((s: { id: string }) => s.id)).toEqual([w.foreign.id, w.viewer.id]);
  });

  it("a customer-own subrole shadowing a tenant-wide code is listed first; a customer with none gets the tenant-wide ones", async () => {
    const mine = await create(w.tenant, "subroles", { customerId: w.customer.id, code: "viewer", label: "My viewer", displayName: "Mine", permissions: [] });
    const r = await worth("GET", `/customers/${w.customer.id}/subroles`, { token: w.tokens.customer, expect: 200 });
    expect(r.body.data.map((s: { id: string }) => s.id)).toEqual([w.cro.id, mine.id, w.viewer.id]);
    const bare = await create(w.tenant, "customers", { name: "Bare" });
    const b = await worth("GET", `/customers/${bare.id}/subroles`, { token: w.tokens.tenantAdmin, expect: 200 });
    expect(b.body.data).toEqual([{ id: w.viewer.id, code: "viewer", label: "Viewer", display_name: "Viewer" }]);
  });
});

describe("errors", () => {
  it("malformed customer id → 400; unknown customer → 404 Customer Not Found", async () => {
    const bad = await worth("GET", "/customers/xyz/subroles", { token: w.tokens.customer });
    expectFail(bad, 400, "INVALID", "customerID: Must be a UUID.", "ValidationMiddlewareError");
    await expectConforms(KEY, bad);
    const missing = await worth("GET", `/customers/${crypto.randomUUID()}/subroles`, { token: w.tokens.tenantAdmin });
    expectFail(missing, 404, "NOT_FOUND", "Customer Not Found");
    await expectConforms(KEY, missing);
  });
});
