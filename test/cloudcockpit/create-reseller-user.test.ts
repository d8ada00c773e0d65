/** POST /v1/reseller/{resellerId}/users — happy, error and security cases. */
import { describe, expect, it } from "vitest";
import { call, dbTrips } from "../harness";
import { cc, ccWorld, expectCc, isUuid, listCustomer, newUser, type CcWorld } from "./helpers";

const path = (resellerId: string) => `/reseller/${resellerId}/users`;
const tenantUsers = async (w: CcWorld, token = w.tokens.tenantAdmin) => (await cc(w, "GET", "/users?pageSize=100", { token, expect: 200 })).body.items;

describe("POST /v1/reseller/{resellerId}/users — happy", () => {
  it("201 with the id and a Location; the user belongs to no customer and is listed tenant-wide", async () => {
    const w = await ccWorld();
    const body = newUser({ role: { name: "viewer" }, groups: [{ id: w.groups[0]!.id }] });
    const r = await cc(w, "POST", path(w.reseller.id), { body, expect: 201 });
    expect(isUuid(r.body)).toBe(true);
    expect(r.headers.get("location")).toBe(`/v1/users/${encodeURIComponent(body.email as string)}`);
    expect(dbTrips(r)).toBe(1);
    const expected = { id: r.body, firstName: "Jane", lastName: "Doe", email: body.email, role: { name: "viewer" }, groups: [{ id: w.groups[0]!.id, name: "Alpha" }] };
    expect(await tenantUsers(w)).toEqual([expected]);
    expect(await tenantUsers(w, w.tokens.reseller)).toEqual([expected]);
    expect(await listCustomer(w)).toEqual([]);
    const admin = await call("GET", `/api/v1/tenants/${w.tenant.id}/users/${r.body}`, { token: w.tenant.admin, expect: 200 });
    expect(admin.body).toMatchObject({ customerId: null, resellerId: w.reseller.id, email: body.email });
  });

  it("the reseller's own token and the platform may create", async () => {
    const w = await ccWorld();
    await cc(w, "POST", path(w.reseller.id), { token: w.tokens.reseller, body: newUser({ lastName: "R" }), expect: 201 });
    await cc(w, "POST", path(w.reseller.id), { token: w.tokens.platform, body: newUser({ lastName: "P" }), expect: 201 });
    expect((await tenantUsers(w)).map((u: { lastName: string }) => u.lastName)).toEqual(["P", "R"]);
  });
});

describe("POST /v1/reseller/{resellerId}/users — errors", () => {
  it("a customer's role code is not a reseller-level role → 400 naming role.name; body rules as for customers", async () => {
    const w = await ccWorld();
    expectCc(await cc(w, "POST", path(w.reseller.id), { body: newUser({ role: { name: "cro" } }) }), 400, [
      { propertyName: "role.name", description: ["No subrole of this customer has this code."] },
    ]);
    expectCc(await cc(w, "POST", path(w.reseller.id), { body: { firstName: "A", lastName: null, email: "a@example.com", groups: [], resellerId: w.reseller.id } }), 400, [
      { propertyName: "lastName", description: ["Must not be null."] },
      { propertyName: "resellerId", description: ["This property is not allowed."] },
    ]);
    expect(await tenantUsers(w)).toEqual([]);
  });

  it("a malformed reseller id → 400; an unknown one → 404", async () => {
    const w = await ccWorld();
    expectCc(await cc(w, "POST", path("nope"), { body: newUser() }), 400, [{ propertyName: "resellerId", description: ["Must be a uuid."] }]);
    expectCc(await cc(w, "POST", path(crypto.randomUUID()), { body: newUser() }), 404, [], "Reseller not found.");
    expect(await tenantUsers(w)).toEqual([]);
  });
});

describe("POST /v1/reseller/{resellerId}/users — security", () => {
  it("a customer token → 403; a reseller token naming another reseller → 403", async () => {
    const w = await ccWorld();
    expectCc(await cc(w, "POST", path(w.reseller.id), { token: w.tokens.customer, body: newUser() }), 403);
    expectCc(await cc(w, "POST", path(w.otherReseller.id), { token: w.tokens.reseller, body: newUser() }), 403);
    expect(await tenantUsers(w)).toEqual([]);
  });

  it("another tenant's reseller answers 404, for the platform too", async () => {
    const w = await ccWorld();
    const other = await ccWorld();
    expectCc(await cc(w, "POST", path(other.reseller.id), { body: newUser() }), 404, [], "Reseller not found.");
    expectCc(await cc(w, "POST", path(other.reseller.id), { token: w.tokens.platform, body: newUser() }), 404, [], "Reseller not found.");
    expect(await tenantUsers(other)).toEqual([]);
  });
});
