/** GET /v1/customer/{customerId}/users — happy, error and security cases. */
import { describe, expect, it } from "vitest";
import { dbTrips } from "../harness";
import { cc, ccWorld, createCcUser, expectCc } from "./helpers";

const path = (customerId: string, query = "") => `/customer/${customerId}/users${query}`;

describe("GET /v1/customer/{customerId}/users — happy", () => {
  it("a bare array of the customer's users, sorted by last name, first name, then id; one round trip", async () => {
    const w = await ccWorld();
    const a = await createCcUser(w, { firstName: "Zoe", lastName: "Adams" });
    const b = await createCcUser(w, { firstName: "Amy", lastName: "Baker", role: { name: "cro" }, groups: [{ id: w.groups[2]!.id }] });
    const c1 = await createCcUser(w, { firstName: "Amy", lastName: "Adams" });
    const c2 = await createCcUser(w, { firstName: "Amy", lastName: "Adams" });
    await createCcUser(w, { firstName: "Other", lastName: "Customer" }, w.sibling.id);
    const r = await cc(w, "GET", path(w.customer.id), { expect: 200 });
    expect(dbTrips(r)).toBe(1);
    expect(r.headers.get("cache-control")).toBe("no-store");
    const twins = [c1, c2].sort((x, y) => (x.id < y.id ? -1 : 1));
    expect(r.body).toEqual([
      { id: twins[0]!.id, firstName: "Amy", lastName: "Adams", email: twins[0]!.email, role: null, groups: [] },
      { id: twins[1]!.id, firstName: "Amy", lastName: "Adams", email: twins[1]!.email, role: null, groups: [] },
      { id: a.id, firstName: "Zoe", lastName: "Adams", email: a.email, role: null, groups: [] },
      { id: b.id, firstName: "Amy", lastName: "Baker", email: b.email, role: { name: "cro" }, groups: [{ id: w.groups[2]!.id, name: "Gamma" }] },
    ]);
  });

  it("an empty customer is an empty array; resellerId of the customer's reseller is accepted", async () => {
    const w = await ccWorld();
    expect((await cc(w, "GET", path(w.customer.id), { expect: 200 })).body).toEqual([]);
    await createCcUser(w);
    expect((await cc(w, "GET", path(w.customer.id, `?resellerId=${w.reseller.id}`), { expect: 200 })).body).toHaveLength(1);
  });

  it("every role that reaches the customer sees the same list", async () => {
    const w = await ccWorld();
    await createCcUser(w);
    const expected = (await cc(w, "GET", path(w.customer.id), { expect: 200 })).body;
    for (const { token } of w.tokens.all) expect((await cc(w, "GET", path(w.customer.id), { token, expect: 200 })).body).toEqual(expected);
    expect((await cc(w, "GET", path(w.customer.id), { token: w.tokens.read.customer, expect: 200 })).body).toEqual(expected);
  });
});

describe("GET /v1/customer/{customerId}/users — errors", () => {
  it("malformed ids → 400 naming each", async () => {
    const w = await ccWorld();
    expectCc(await cc(w, "GET", path("123", "?resellerId=x")), 400, [
      { propertyName: "customerId", description: ["Must be a uuid."] },
      { propertyName: "resellerId", description: ["Must be a uuid."] },
    ]);
  });

  it("an unknown customer, or one not of the named reseller → 404", async () => {
    const w = await ccWorld();
    expectCc(await cc(w, "GET", path(crypto.randomUUID())), 404, [], "Customer not found.");
    expectCc(await cc(w, "GET", path(w.customer.id, `?resellerId=${w.otherReseller.id}`)), 404, [], "Customer not found.");
    expectCc(await cc(w, "GET", path(w.direct.id, `?resellerId=${w.reseller.id}`)), 404, [], "Customer not found.");
  });
});

describe("GET /v1/customer/{customerId}/users — security", () => {
  it("another customer for a customer token → 403; another reseller named by a reseller token → 403", async () => {
    const w = await ccWorld();
    expectCc(await cc(w, "GET", path(w.sibling.id), { token: w.tokens.customer }), 403);
    expectCc(await cc(w, "GET", path(w.customer.id, `?resellerId=${w.otherReseller.id}`), { token: w.tokens.reseller }), 403);
  });

  it("customers outside the reach answer 404: another reseller's, another tenant's (platform included)", async () => {
    const w = await ccWorld();
    const other = await ccWorld();
    await createCcUser(other);
    expectCc(await cc(w, "GET", path(w.direct.id), { token: w.tokens.reseller }), 404, [], "Customer not found.");
    expectCc(await cc(w, "GET", path(other.customer.id)), 404, [], "Customer not found.");
    expectCc(await cc(w, "GET", path(other.customer.id), { token: w.tokens.platform }), 404, [], "Customer not found.");
  });

  it("scope users:write alone is not enough", async () => {
    const w = await ccWorld();
    expectCc(await cc(w, "GET", path(w.customer.id), { token: w.tokens.write.tenantAdmin }), 403);
  });
});
