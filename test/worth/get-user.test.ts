/** GET /auth/api/v1/customers/{customerID}/users/{userID}: happy and error cases (its authorization cases are in test/security/matrix.data.ts and matrix.edges.test.ts). */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { dbTrips, platformToken } from "../harness";
import { expectConforms } from "./contract";
import { createWorthUser, expectFail, worth, worthWorld, type WorthWorld } from "./helpers";

const KEY = "GET /customers/{customerID}/users/{userID}";
let w: WorthWorld;
let userId: string;
beforeAll(async () => {
  w = await worthWorld();
  userId = await createWorthUser(w, { first_name: "Grace", last_name: "Hopper", mobile: "+1 555 0199" });
});

const get = (id: string, token = w.tokens.customer, customerId = w.customer.id) => worth("GET", `/customers/${customerId}/users/${id}`, { token });

describe("happy", () => {
  it("returns the record in the success envelope, in one D1 round trip", async () => {
    const r = await get(userId);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      status: "success",
      message: "Success",
      data: {
        id: userId,
        first_name: "Grace",
        last_name: "Hopper",
        email: expect.stringMatching(/@example\.com$/),
        mobile: "+1 555 0199",
        is_email_verified: false,
        is_first_login: true,
        created_at: expect.any(String),
        created_by: w.sub,
        updated_at: expect.any(String),
        updated_by: w.sub,
        ext_auth_ref_id: expect.any(String),
        status: "ACTIVE",
        subrole: { id: w.cro.id, code: "cro", display_name: "CRO", label: "CRO", description: "This is Sandbox's CRO" },
      },
    });
    expect(dbTrips(r)).toBe(1);
    await expectConforms(KEY, r);
  });

  it("every principal within reach reads the same record", async () => {
    const mine = (await get(userId)).body;
    for (const token of [w.tokens.customerRead, w.tokens.tenantAdmin, w.tokens.reseller as string, await platformToken()]) {
      expect((await get(userId, token)).body).toEqual(mine);
    }
  });
});

describe("errors", () => {
  it("unknown user → 404 NOT_FOUND Customer user Not Found", async () => {
    const r = await get(crypto.randomUUID());
    expectFail(r, 404, "NOT_FOUND", "Customer user Not Found");
    await expectConforms(KEY, r);
  });

  it("a user of another customer, addressed under this customer → the same 404", async () => {
    const other = await createWorthUser(w, { subrole: { id: w.viewer.id, code: "viewer", label: "Viewer" } }, w.tokens.tenantAdmin);
    // `other` belongs to w.customer; address it under the sibling with a tenant admin token.
    expectFail(await get(other, w.tokens.tenantAdmin, w.sibling.id), 404, "NOT_FOUND", "Customer user Not Found");
  });

  it("a soft-deleted user → 404", async () => {
    const id = await createWorthUser(w);
    await env.DB.prepare("update users set deleted_at = ? where id = ?").bind(Date.now(), id).run();
    expectFail(await get(id), 404, "NOT_FOUND", "Customer user Not Found");
  });

  it("malformed ids → 400 naming the parameter", async () => {
    for (const [path, field] of [
      [`/customers/${w.customer.id}/users/123`, "userID"],
      [`/customers/nope/users/${userId}`, "customerID"],
      [`/customers/${w.customer.id}/users/${userId.toUpperCase()}x`, "userID"],
    ] as const) {
      const r = await worth("GET", path, { token: w.tokens.customer });
      expectFail(r, 400, "INVALID", `${field}: Must be a UUID.`, "ValidationMiddlewareError");
      await expectConforms(KEY, r);
    }
  });
});
