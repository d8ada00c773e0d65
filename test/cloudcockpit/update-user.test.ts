/** PATCH /v1/users/{email} — happy, error and security cases. */
import { describe, expect, it } from "vitest";
import { call, dbTrips } from "../harness";
import { cc, ccWorld, createCcUser, expectCc, listCustomer, newUser, unique } from "./helpers";

const path = (email: string) => `/users/${encodeURIComponent(email)}`;

describe("PATCH /v1/users/{email} — happy", () => {
  it("204; names, role and groups change and read back; the path e-mail is case-insensitive", async () => {
    const w = await ccWorld();
    const u = await createCcUser(w, { role: { name: "cro" }, groups: [{ id: w.groups[0]!.id }] });
    const r = await cc(w, "PATCH", path(u.email.toUpperCase()), {
      body: { firstName: "Janet", lastName: "Roe", role: { name: "viewer" }, groups: [{ id: w.groups[2]!.id, name: "whatever" }, { id: w.groups[1]!.id }] },
      expect: 204,
    });
    expect(r.text).toBe("");
    expect(dbTrips(r)).toBe(1);
    expect(await listCustomer(w)).toEqual([
      {
        id: u.id,
        firstName: "Janet",
        lastName: "Roe",
        email: u.email,
        role: { name: "viewer" },
        groups: [
          { id: w.groups[1]!.id, name: "Beta" },
          { id: w.groups[2]!.id, name: "Gamma" },
        ],
      },
    ]);
  });

  it("absent fields are kept; role null removes the role; groups [] clears them; an empty patch changes nothing", async () => {
    const w = await ccWorld();
    const u = await createCcUser(w, { role: { name: "cro" }, groups: [{ id: w.groups[0]!.id }] });
    await cc(w, "PATCH", path(u.email), { body: {}, expect: 204 });
    expect((await listCustomer(w))[0]).toMatchObject({ role: { name: "cro" }, groups: [{ id: w.groups[0]!.id, name: "Alpha" }] });
    await cc(w, "PATCH", path(u.email), { body: { role: null, groups: [] }, expect: 204 });
    expect((await listCustomer(w))[0]).toEqual({ id: u.id, firstName: "Jane", lastName: "Doe", email: u.email, role: null, groups: [] });
  });

  it("the e-mail may change when free; the user is then found by the new one only", async () => {
    const w = await ccWorld();
    const u = await createCcUser(w);
    const next = `${unique("new")}@example.com`;
    await cc(w, "PATCH", path(u.email), { body: { email: next }, expect: 204 });
    expect((await listCustomer(w))[0]!.email).toBe(next);
    expectCc(await cc(w, "PATCH", path(u.email), { body: { firstName: "X" } }), 404, [], "User not found.");
    await cc(w, "PATCH", path(next), { body: { firstName: "X" }, expect: 204 });
  });

  it("an id in the body that is the user's (or null, or the nil uuid) is accepted", async () => {
    const w = await ccWorld();
    const u = await createCcUser(w);
    await cc(w, "PATCH", path(u.email), { body: { id: u.id.toUpperCase(), lastName: "A" }, expect: 204 });
    await cc(w, "PATCH", path(u.email), { body: { id: null, lastName: "B" }, expect: 204 });
    await cc(w, "PATCH", path(u.email), { body: { id: "00000000-0000-0000-0000-000000000000", lastName: "C" }, expect: 204 });
    expect((await listCustomer(w))[0]!.lastName).toBe("C");
  });

  it("a reseller-level user is updated the same way; the audit event carries the correlation id", async () => {
    const w = await ccWorld();
    const body = newUser();
    await cc(w, "POST", `/reseller/${w.reseller.id}/users`, { body, expect: 201 });
    const correlationId = crypto.randomUUID();
    await cc(w, "PATCH", path(body.email as string), { token: w.tokens.reseller, body: { lastName: "Changed" }, correlationId, expect: 204 });
    const events = await call("GET", `/api/v1/tenants/${w.tenant.id}/audit-events?correlationId=${correlationId}`, { token: w.tenant.admin, expect: 200 });
    expect(events.body.data).toEqual([expect.objectContaining({ action: "user.updated", changes: { lastName: { from: "Doe", to: "Changed" } } })]);
  });
});

describe("PATCH /v1/users/{email} — errors (whole body, nothing written)", () => {
  it("null and over-long fields, unknown properties, a bad e-mail: one 400 naming each", async () => {
    const w = await ccWorld();
    const u = await createCcUser(w);
    const r = await cc(w, "PATCH", path(u.email), { body: { firstName: null, lastName: "x".repeat(256), email: "nope", groups: null, status: "INACTIVE", role: { code: "x" } } });
    expectCc(r, 400, [
      { propertyName: "firstName", description: ["Must not be null."] },
      { propertyName: "lastName", description: ["At most 255 characters."] },
      { propertyName: "email", description: ["Not an e-mail address."] },
      { propertyName: "role.code", description: ["This property is not allowed."] },
      { propertyName: "groups", description: ["Must not be null."] },
      { propertyName: "status", description: ["This property is not allowed."] },
    ]);
    expect((await listCustomer(w))[0]).toMatchObject({ firstName: "Jane", lastName: "Doe", email: u.email });
  });

  it("an e-mail taken by another user → 400 naming email; an unknown role or group → 400 naming it", async () => {
    const w = await ccWorld();
    const a = await createCcUser(w, { lastName: "A" });
    const b = await createCcUser(w, { lastName: "B" }, w.sibling.id);
    expectCc(await cc(w, "PATCH", path(a.email), { body: { email: b.email.toUpperCase() } }), 400, [
      { propertyName: "email", description: ["Another customer user exists with the same email."] },
    ]);
    expectCc(await cc(w, "PATCH", path(a.email), { body: { role: { name: "sib" }, groups: [{ id: crypto.randomUUID() }] } }), 400, [
      { propertyName: "role.name", description: ["No subrole of this customer has this code."] },
      { propertyName: "groups[0].id", description: ["No group of this tenant has this id."] },
    ]);
    expect((await listCustomer(w))[0]).toMatchObject({ email: a.email, role: null, groups: [] });
  });

  it("a path that is not an e-mail → 400; an unknown e-mail, or an id that is not the user's → 404", async () => {
    const w = await ccWorld();
    const u = await createCcUser(w);
    expectCc(await cc(w, "PATCH", "/users/not-an-email", { body: {} }), 400, [{ propertyName: "email", description: ["Not an e-mail address."] }]);
    expectCc(await cc(w, "PATCH", path(`${"x".repeat(250)}@example.com`), { body: {} }), 400, [{ propertyName: "email", description: ["At most 255 characters."] }]);
    expectCc(await cc(w, "PATCH", path("nobody@example.com"), { body: { firstName: "X" } }), 404, [], "User not found.");
    expectCc(await cc(w, "PATCH", path(u.email), { body: { id: crypto.randomUUID(), firstName: "X" } }), 404, [], "User not found.");
    expectCc(await cc(w, "PATCH", path(u.email), { body: { id: "x" } }), 400, [{ propertyName: "id", description: ["Must be a uuid."] }]);
    expect((await listCustomer(w))[0]!.firstName).toBe("Jane");
  });

  it("invalid JSON, wrong content type", async () => {
    const w = await ccWorld();
    const u = await createCcUser(w);
    expectCc(await cc(w, "PATCH", path(u.email), { raw: "{", headers: { "content-type": "application/json" } }), 400, [{ propertyName: "body", description: ["Malformed JSON."] }]);
    expectCc(await cc(w, "PATCH", path(u.email), { raw: "firstName=x", headers: { "content-type": "text/plain" } }), 415, [], "The request body must be application/json.");
  });
});

describe("PATCH /v1/users/{email} — security", () => {
  it("a user outside the token's reach answers 404: another customer's, another reseller's, another tenant's", async () => {
    const w = await ccWorld();
    const sib = await createCcUser(w, {}, w.sibling.id);
    const direct = await createCcUser(w, {}, w.direct.id);
    const other = await ccWorld();
    const elsewhere = await createCcUser(other);
    expectCc(await cc(w, "PATCH", path(sib.email), { token: w.tokens.customer, body: { firstName: "X" } }), 404, [], "User not found.");
    expectCc(await cc(w, "PATCH", path(direct.email), { token: w.tokens.reseller, body: { firstName: "X" } }), 404, [], "User not found.");
    expectCc(await cc(w, "PATCH", path(elsewhere.email), { body: { firstName: "X" } }), 404, [], "User not found.");
    expectCc(await cc(w, "PATCH", path(elsewhere.email), { token: w.tokens.platform, body: { firstName: "X" } }), 404, [], "User not found.");
    expect((await listCustomer(other))[0]!.firstName).toBe("Jane");
    expect((await listCustomer(w, w.sibling.id))[0]!.firstName).toBe("Jane");
  });

  it("the same e-mail in two tenants: each X-Tenant changes its own user only", async () => {
    const a = await ccWorld();
    const b = await ccWorld();
    const email = `${unique("twin")}@example.com`;
    await createCcUser(a, { email });
    await createCcUser(b, { email });
    await cc(a, "PATCH", path(email), { token: a.tokens.platform, body: { firstName: "InA" }, expect: 204 });
    expect((await listCustomer(a))[0]!.firstName).toBe("InA");
    expect((await listCustomer(b))[0]!.firstName).toBe("Jane");
  });

  it("users:read alone → 403", async () => {
    const w = await ccWorld();
    const u = await createCcUser(w);
    expectCc(await cc(w, "PATCH", path(u.email), { token: w.tokens.read.tenantAdmin, body: { firstName: "X" } }), 403);
    expect((await listCustomer(w))[0]!.firstName).toBe("Jane");
  });
});
