/** DELETE /v1/users/{email} — happy, error and security cases. */
import { describe, expect, it } from "vitest";
import { call, dbTrips } from "../harness";
import { cc, ccWorld, createCcUser, expectCc, listCustomer, newUser } from "./helpers";

const path = (email: string) => `/users/${encodeURIComponent(email)}`;

describe("DELETE /v1/users/{email} — happy", () => {
  it("204; the user leaves the customer list, the tenant list and the admin list; again → 404", async () => {
    const w = await ccWorld();
    const keep = await createCcUser(w, { lastName: "Keep" });
    const gone = await createCcUser(w, { lastName: "Gone" });
    const correlationId = crypto.randomUUID();
    const r = await cc(w, "DELETE", path(gone.email.toUpperCase()), { correlationId, expect: 204 });
    expect(r.text).toBe("");
    expect(dbTrips(r)).toBe(1);
    expect((await listCustomer(w)).map((u) => u.id)).toEqual([keep.id]);
    expect((await cc(w, "GET", "/users", { expect: 200 })).body.items.map((u: { id: string }) => u.id)).toEqual([keep.id]);
    const admin = await call("GET", `/api/v1/tenants/${w.tenant.id}/users`, { token: w.tenant.admin, expect: 200 });
    expect(admin.body.data.map((u: { id: string }) => u.id)).toEqual([keep.id]);
    expectCc(await cc(w, "DELETE", path(gone.email)), 404, [], "User not found.");
    const events = await call("GET", `/api/v1/tenants/${w.tenant.id}/audit-events?correlationId=${correlationId}`, { token: w.tenant.admin, expect: 200 });
    expect(events.body.data).toEqual([expect.objectContaining({ action: "user.deleted", targetId: gone.id })]);
  });

  it("the e-mail is free again afterwards; a reseller-level user is deleted the same way", async () => {
    const w = await ccWorld();
    const u = await createCcUser(w);
    await cc(w, "DELETE", path(u.email), { token: w.tokens.customer, expect: 204 });
    const again = await createCcUser(w, { email: u.email });
    expect(again.id).not.toBe(u.id);
    const body = newUser();
    await cc(w, "POST", `/reseller/${w.reseller.id}/users`, { body, expect: 201 });
    await cc(w, "DELETE", path(body.email as string), { token: w.tokens.reseller, expect: 204 });
    expect((await cc(w, "GET", "/users", { expect: 200 })).body.items.map((x: { id: string }) => x.id)).toEqual([again.id]);
  });
});

describe("DELETE /v1/users/{email} — errors", () => {
  it("a path that is not an e-mail → 400; an unknown e-mail → 404", async () => {
    const w = await ccWorld();
    expectCc(await cc(w, "DELETE", "/users/nobody"), 400, [{ propertyName: "email", description: ["Not an e-mail address."] }]);
    expectCc(await cc(w, "DELETE", path("nobody@example.com")), 404, [], "User not found.");
  });
});

describe("DELETE /v1/users/{email} — security", () => {
  it("users outside the token's reach answer 404 and stay", async () => {
    const w = await ccWorld();
    const sib = await createCcUser(w, {}, w.sibling.id);
    const direct = await createCcUser(w, {}, w.direct.id);
    const other = await ccWorld();
    const elsewhere = await createCcUser(other);
    expectCc(await cc(w, "DELETE", path(sib.email), { token: w.tokens.customer }), 404, [], "User not found.");
    expectCc(await cc(w, "DELETE", path(direct.email), { token: w.tokens.reseller }), 404, [], "User not found.");
    expectCc(await cc(w, "DELETE", path(elsewhere.email)), 404, [], "User not found.");
    expectCc(await cc(w, "DELETE", path(elsewhere.email), { token: w.tokens.platform }), 404, [], "User not found.");
    expect(await listCustomer(w, w.sibling.id)).toHaveLength(1);
    expect(await listCustomer(w, w.direct.id)).toHaveLength(1);
    expect(await listCustomer(other)).toHaveLength(1);
  });

  it("users:read alone → 403, and the user stays", async () => {
    const w = await ccWorld();
    const u = await createCcUser(w);
    expectCc(await cc(w, "DELETE", path(u.email), { token: w.tokens.read.customer }), 403);
    expect(await listCustomer(w)).toHaveLength(1);
  });
});
