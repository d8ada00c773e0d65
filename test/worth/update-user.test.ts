/**
 * PATCH /auth/api/v1/customers/{customerID}/users/{userID} (seed 002): happy and error cases
 * (its authorization cases are in test/security/matrix.data.ts and matrix.edges.test.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, dbTrips, unique } from "../harness";
import { expectConforms } from "./contract";
import { createWorthUser, expectFail, worth, worthWorld, type WorthWorld } from "./helpers";

const KEY = "PATCH /customers/{customerID}/users/{userID}";
let w: WorthWorld;
beforeAll(async () => {
  w = await worthWorld();
});

// Read and write: assigning the read-only "viewer" subrole, or changing the e-mail of a user holding
// it, is a grant only a token holding users:read may make (the privilege ceiling, decision 0007).
const patch = (id: string, body: unknown, token = w.tokens.customer, headers: Record<string, string> = {}) =>
  worth("PATCH", `/customers/${w.customer.id}/users/${id}`, { token, body, headers });
const readBack = async (id: string) => (await worth("GET", `/customers/${w.customer.id}/users/${id}`, { token: w.tokens.customer, expect: 200 })).body.data;
const OK = { status: "success", message: "User details updated successfully" };

describe("happy", () => {
  it("changes every field; the seed's 200 body; 1 D1 round trip; updated_* set, created_* kept", async () => {
    const id = await createWorthUser(w);
    const before = await readBack(id);
    const email = `${unique("New.Mail")}@Example.com`;
    await new Promise((r) => setTimeout(r, 5));
    const r = await patch(id, { first_name: "Ada", last_name: "Lovelace", email, mobile: "+44 20 0000", status: "INACTIVE", subrole: { id: w.viewer.id, code: "viewer", label: "Viewer" } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual(OK);
    expect(dbTrips(r)).toBe(1);
    await expectConforms(KEY, r);
    const after = await readBack(id);
    expect(after).toEqual({
      ...before,
      first_name: "Ada",
      last_name: "Lovelace",
      email,
      mobile: "+44 20 0000",
      status: "INACTIVE",
      subrole: { id: w.viewer.id, code: "viewer", display_name: "Viewer", label: "Viewer", description: "Reads users" },
      updated_at: expect.any(String),
      updated_by: JSON.parse(atob((w.tokens.customer.split(".")[1] as string).replace(/-/g, "+").replace(/_/g, "/"))).sub,
    });
    expect(Date.parse(after.updated_at)).toBeGreaterThan(Date.parse(before.updated_at));
  });

  it("status back to ACTIVE; subrole by code alone or by id alone; mobile cleared with null", async () => {
    const id = await createWorthUser(w, { mobile: "123" });
    await patch(id, { status: "INACTIVE" });
    expect((await readBack(id)).status).toBe("INACTIVE");
    expect((await patch(id, { status: "ACTIVE" })).body).toEqual(OK);
    expect((await readBack(id)).status).toBe("ACTIVE");
    await patch(id, { subrole: { code: "viewer" } });
    expect((await readBack(id)).subrole.id).toBe(w.viewer.id);
    await patch(id, { subrole: { id: w.cro.id } });
    expect((await readBack(id)).subrole.code).toBe("cro");
    await patch(id, { mobile: null });
    expect((await readBack(id)).mobile).toBeNull();
  });

  it("a user may keep its own e-mail in another case", async () => {
    const email = `${unique("keep")}@example.com`;
    const id = await createWorthUser(w, { email });
    expect((await patch(id, { email: email.toUpperCase() })).body).toEqual(OK);
    expect((await readBack(id)).email).toBe(email.toUpperCase());
  });

  it("the audit event records old and new values of the changed fields only", async () => {
    const id = await createWorthUser(w, { first_name: "Old", last_name: "Same" });
    const r = await patch(id, { first_name: "New", last_name: "Same", status: "INACTIVE", subrole: { code: "viewer" } }, w.tokens.customer, { "x-correlation-id": "worth-patch-1" });
    expect(r.status).toBe(200);
    const ev = await call("GET", `/api/v1/tenants/${w.tenant.id}/audit-events?correlationId=worth-patch-1`, { token: w.tenant.admin, expect: 200 });
    expect(ev.body.data).toHaveLength(1);
    expect(ev.body.data[0]).toMatchObject({ action: "user.updated", targetId: id, customerId: w.customer.id });
    expect(ev.body.data[0].changes).toEqual({
      firstName: { from: "Old", to: "New" },
      status: { from: "ACTIVE", to: "INACTIVE" },
      subroleId: { from: w.cro.id, to: w.viewer.id },
    });
  });

  it("a patch that changes nothing answers 200 without writing (1 round trip)", async () => {
    const id = await createWorthUser(w, { first_name: "Same" });
    const before = await readBack(id);
    const r = await patch(id, { first_name: "Same" });
    expect(r.body).toEqual(OK);
    expect(dbTrips(r)).toBe(1);
    expect(await readBack(id)).toEqual(before);
  });
});

describe("errors", () => {
  it("unknown user → 404 exactly as seed 002 (errorCode INVALID)", async () => {
    const r = await patch(crypto.randomUUID(), { first_name: "x" });
    expectFail(r, 404, "INVALID", "Customer user does not exist");
    await expectConforms(KEY, r);
  });

  it("a user of another customer, or soft-deleted, is the same 404", async () => {
    const id = await createWorthUser(w);
    const r = await worth("PATCH", `/customers/${w.sibling.id}/users/${id}`, { token: w.tokens.tenantAdmin, body: { first_name: "x" } });
    expectFail(r, 404, "INVALID", "Customer user does not exist");
  });

  it("e-mail taken by another user (any case) → the duplicate 400; nothing written", async () => {
    const taken = `${unique("taken")}@example.com`;
    await createWorthUser(w, { email: taken });
    const id = await createWorthUser(w);
    const before = await readBack(id);
    const r = await patch(id, { email: ` ${taken.toUpperCase()}`, first_name: "Changed" });
    expectFail(r, 400, "INVALID", "Another customer user exists with the same email.");
    await expectConforms(KEY, r);
    expect(await readBack(id)).toEqual(before);
  });

  it("schema failures → 400 ValidationMiddlewareError naming the field; nothing written", async () => {
    const id = await createWorthUser(w);
    const before = await readBack(id);
    const cases: [unknown, string][] = [
      [{}, "At least one property is required."],
      [{ status: "DELETED" }, "status: One of ACTIVE, INACTIVE."],
      [{ first_name: null }, "first_name: Must be a string."],
      [{ first_name: " " }, "first_name: Must not be blank."],
      [{ last_name: "x".repeat(256) }, "last_name: At most 255 characters."],
      [{ email: "nope" }, "email: Not an e-mail address."],
      [{ subrole: {} }, "subrole: Give the subrole's id, its code, or both."],
      [{ subrole: { code: "cro", display_name: "x" } }, "subrole.display_name: This property is not allowed."],
      [{ id: crypto.randomUUID() }, "id: This property is not allowed."],
      [{ first_name: "ok", customer_id: w.sibling.id }, "customer_id: This property is not allowed."],
      [{ is_email_verified: true }, "is_email_verified: This property is not allowed."],
      [{ password: "correct horse battery staple" }, "password: This property is not allowed."],
      [[{ first_name: "x" }], "The body must be a JSON object."],
    ];
    for (const [body, message] of cases) {
      const r = await patch(id, body);
      expectFail(r, 400, "INVALID", message, "ValidationMiddlewareError");
      await expectConforms(KEY, r);
    }
    expect(await readBack(id)).toEqual(before);
  });

  it("subrole that does not agree or belongs to another customer → 400 CustomersApiError", async () => {
    const id = await createWorthUser(w);
    for (const subrole of [{ id: w.cro.id, code: "viewer" }, { id: w.foreign.id }, { code: "nope" }]) {
      const r = await patch(id, { subrole });
      expect(r.body.data.errorName).toBe("CustomersApiError");
      expect(r.status).toBe(400);
      await expectConforms(KEY, r);
    }
    expectFail(await patch(id, { subrole: { code: "nope" } }), 400, "INVALID", "subrole.code: No subrole of this customer has this code.");
    expect((await readBack(id)).subrole.id).toBe(w.cro.id);
  });

  it("malformed ids, invalid JSON, wrong content type, oversized body", async () => {
    const id = await createWorthUser(w);
    const bad = await worth("PATCH", `/customers/${w.customer.id}/users/12`, { token: w.tokens.customer, body: { first_name: "x" } });
    expectFail(bad, 400, "INVALID", "userID: Must be a UUID.", "ValidationMiddlewareError");
    await expectConforms(KEY, bad);
    const json = await worth("PATCH", `/customers/${w.customer.id}/users/${id}`, { token: w.tokens.customer, raw: "{", headers: { "content-type": "application/json" } });
    expectFail(json, 400, "INVALID", "body: Malformed JSON.", "ValidationMiddlewareError");
    const type = await worth("PATCH", `/customers/${w.customer.id}/users/${id}`, { token: w.tokens.customer, raw: "first_name=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expectFail(type, 415, "INVALID", "The request body must be application/json.", "ValidationMiddlewareError");
    await expectConforms(KEY, type);
    const big = await patch(id, { first_name: "y".repeat(65 * 1024) });
    expectFail(big, 413, "INVALID", "The request body is larger than 64 KiB.", "ValidationMiddlewareError");
    await expectConforms(KEY, big);
  });
});
