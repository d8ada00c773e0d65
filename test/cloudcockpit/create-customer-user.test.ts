/** POST /v1/customer/{customerId}/users — happy, error and security cases. */
import { describe, expect, it } from "vitest";
import { call, create, dbTrips, freshTenant, sign } from "../harness";
import { cc, ccWorld, expectCc, isUuid, listCustomer, newUser, unique } from "./helpers";

const path = (customerId: string, query = "") => `/customer/${customerId}/users${query}`;

describe("POST /v1/customer/{customerId}/users — happy", () => {
  it("201 with the new id as a JSON string and a Location; the user reads back with its role and groups", async () => {
    const w = await ccWorld();
    const body = newUser({ role: { name: "cro" }, groups: [{ id: w.groups[1]!.id, name: "ignored" }, { id: w.groups[0]!.id }] });
    const r = await cc(w, "POST", path(w.customer.id), { body, expect: 201 });
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(isUuid(r.body)).toBe(true);
    expect(r.headers.get("location")).toBe(`/v1/users/${encodeURIComponent(body.email as string)}`);
    expect(r.headers.get("cache-control")).toBe("no-store");
    expect(dbTrips(r)).toBe(1);
    expect(await listCustomer(w)).toEqual([
      {
        id: r.body,
        firstName: "Jane",
        lastName: "Doe",
        email: body.email,
        role: { name: "cro" },
        groups: [
          { id: w.groups[0]!.id, name: "Alpha" },
          { id: w.groups[1]!.id, name: "Beta" },
        ],
      },
    ]);
  });

  it("keeps a client-chosen id (any case); null or the nil uuid means generated", async () => {
    const w = await ccWorld();
    const id = crypto.randomUUID();
    const a = await cc(w, "POST", path(w.customer.id), { body: newUser({ id: id.toUpperCase() }), expect: 201 });
    expect(a.body).toBe(id);
    const b = await cc(w, "POST", path(w.customer.id), { body: newUser({ id: null }), expect: 201 });
    const c = await cc(w, "POST", path(w.customer.id), { body: newUser({ id: "00000000-0000-0000-0000-000000000000" }), expect: 201 });
    expect(isUuid(b.body) && isUuid(c.body) && b.body !== c.body).toBe(true);
    expect((await listCustomer(w)).map((u) => u.id).sort()).toEqual([id, b.body, c.body].sort());
  });

  it("a tenant-wide role code is accepted; no role, null, {} and {name: null} all mean none", async () => {
    const w = await ccWorld();
    await cc(w, "POST", path(w.customer.id), { body: newUser({ lastName: "A", role: { name: "viewer" } }), expect: 201 });
    await cc(w, "POST", path(w.customer.id), { body: newUser({ lastName: "B" }), expect: 201 });
    await cc(w, "POST", path(w.customer.id), { body: newUser({ lastName: "C", role: null }), expect: 201 });
    await cc(w, "POST", path(w.customer.id), { body: newUser({ lastName: "D", role: {} }), expect: 201 });
    await cc(w, "POST", path(w.customer.id), { body: newUser({ lastName: "E", role: { name: null } }), expect: 201 });
    expect((await listCustomer(w)).map((u) => [u.lastName, u.role])).toEqual([
      ["A", { name: "viewer" }],
      ["B", null],
      ["C", null],
      ["D", null],
      ["E", null],
    ]);
  });

  it("resellerId naming the customer's reseller is accepted", async () => {
    const w = await ccWorld();
    await cc(w, "POST", path(w.customer.id, `?resellerId=${w.reseller.id}`), { body: newUser(), expect: 201 });
    expect(await listCustomer(w)).toHaveLength(1);
  });

  it("every role that reaches the customer may create (platform through X-Tenant)", async () => {
    const w = await ccWorld();
    for (const { label, token } of w.tokens.all) {
      await cc(w, "POST", path(w.customer.id), { token, body: newUser({ lastName: label }), expect: 201 });
    }
    expect((await listCustomer(w)).map((u) => u.lastName)).toEqual(["customer", "platform", "reseller", "tenant_admin"]);
  });

  it("the correlation id is echoed and stored on the audit event", async () => {
    const w = await ccWorld();
    const correlationId = crypto.randomUUID();
    const r = await cc(w, "POST", path(w.customer.id), { body: newUser(), correlationId, expect: 201 });
    expect(r.headers.get("x-correlation-id")).toBe(correlationId);
    const events = await call("GET", `/api/v1/tenants/${w.tenant.id}/audit-events?correlationId=${correlationId}`, { token: w.tenant.admin, expect: 200 });
    expect(events.body.data).toHaveLength(1);
    expect(events.body.data[0]).toMatchObject({ action: "user.created", targetId: r.body, customerId: w.customer.id, correlationId });
    const anon = await cc(w, "POST", path(w.customer.id), { body: newUser(), expect: 201 });
    expect(isUuid(anon.headers.get("x-correlation-id"))).toBe(true);
  });
});

describe("POST /v1/customer/{customerId}/users — errors (whole body, nothing written)", () => {
  it("null, missing and over-long fields: one 400 naming each property", async () => {
    const w = await ccWorld();
    const r = await cc(w, "POST", path(w.customer.id), { body: { firstName: null, lastName: "x".repeat(256), email: null } });
    expectCc(r, 400, [
      { propertyName: "firstName", description: ["Must not be null."] },
      { propertyName: "lastName", description: ["At most 255 characters."] },
      { propertyName: "email", description: ["Must not be null."] },
      { propertyName: "groups", description: ["Required."] },
    ]);
    expect(r.body.description).toBe("One or more validation errors occurred.");
    const blank = await cc(w, "POST", path(w.customer.id), { body: newUser({ firstName: "  ", email: "not-an-email", groups: null }) });
    expectCc(blank, 400, [
      { propertyName: "firstName", description: ["Must not be blank."] },
      { propertyName: "email", description: ["Not an e-mail address."] },
      { propertyName: "groups", description: ["Must not be null."] },
    ]);
    expect(await listCustomer(w)).toEqual([]);
  });

  it("unknown and mass-assigned properties, also inside role and groups", async () => {
    const w = await ccWorld();
    const r = await cc(w, "POST", path(w.customer.id), {
      body: newUser({ customerId: w.sibling.id, passwordHash: "x", role: { name: "cro", id: "x" }, groups: [{ id: w.groups[0]!.id, tenantId: "x" }] }),
    });
    expectCc(r, 400, [
      { propertyName: "role.id", description: ["This property is not allowed."] },
      { propertyName: "groups[0].tenantId", description: ["This property is not allowed."] },
      { propertyName: "customerId", description: ["This property is not allowed."] },
      { propertyName: "passwordHash", description: ["This property is not allowed."] },
    ]);
    expect(await listCustomer(w)).toEqual([]);
  });

  it("an unknown role, another customer's role, and groups that are not the tenant's: 400 naming role.name and groups[i].id", async () => {
    const w = await ccWorld();
    const other = await freshTenant();
    const foreignGroup = await create(other, "groups", { name: "Elsewhere" });
    for (const name of ["nope", "sib"]) {
      expectCc(await cc(w, "POST", path(w.customer.id), { body: newUser({ role: { name } }) }), 400, [
        { propertyName: "role.name", description: ["No subrole of this customer has this code."] },
      ]);
    }
    const r = await cc(w, "POST", path(w.customer.id), {
      body: newUser({ groups: [{ id: w.groups[0]!.id }, { id: crypto.randomUUID() }, { id: foreignGroup.id }] }),
    });
    expectCc(r, 400, [
      { propertyName: "groups[1].id", description: ["No group of this tenant has this id."] },
      { propertyName: "groups[2].id", description: ["No group of this tenant has this id."] },
    ]);
    expectCc(await cc(w, "POST", path(w.customer.id), { body: newUser({ groups: [{ id: w.groups[0]!.id }, { id: w.groups[0]!.id }] }) }), 400, [
      { propertyName: "groups", description: ["A group is listed twice."] },
    ]);
    expect(await listCustomer(w)).toEqual([]);
  });

  it("a duplicate e-mail (any case, any customer of the tenant) → 400 naming email", async () => {
    const w = await ccWorld();
    const email = `${unique("dup")}@example.com`;
    await cc(w, "POST", path(w.sibling.id), { body: newUser({ email }), expect: 201 });
    const r = await cc(w, "POST", path(w.customer.id), { body: newUser({ email: `  ${email.toUpperCase()} ` }) });
    expectCc(r, 400, [{ propertyName: "email", description: ["Another customer user exists with the same email."] }], "Another customer user exists with the same email.");
    expect(await listCustomer(w)).toEqual([]);
  });

  it("a taken id → 400 naming id", async () => {
    const w = await ccWorld();
    const id = crypto.randomUUID();
    await cc(w, "POST", path(w.customer.id), { body: newUser({ id }), expect: 201 });
    expectCc(await cc(w, "POST", path(w.customer.id), { body: newUser({ id }) }), 400, [{ propertyName: "id", description: ["A user with this id already exists."] }]);
    expect(await listCustomer(w)).toHaveLength(1);
  });

  it("malformed ids in the path, the query and the body are all named at once", async () => {
    const w = await ccWorld();
    const r = await cc(w, "POST", path("not-a-uuid", "?resellerId=nope"), { body: newUser({ id: "string", groups: [{ id: "string" }] }) });
    expectCc(r, 400, [
      { propertyName: "customerId", description: ["Must be a uuid."] },
      { propertyName: "resellerId", description: ["Must be a uuid."] },
      { propertyName: "id", description: ["Must be a uuid."] },
      { propertyName: "groups[0].id", description: ["Must be a uuid."] },
    ]);
  });

  it("invalid JSON, a body that is not an object, wrong content type, a body over 64 KiB", async () => {
    const w = await ccWorld();
    expectCc(await cc(w, "POST", path(w.customer.id), { raw: "{nope", headers: { "content-type": "application/json" } }), 400, [
      { propertyName: "body", description: ["Malformed JSON."] },
    ]);
    expectCc(await cc(w, "POST", path(w.customer.id), { body: ["x"] }), 400, [{ propertyName: "body", description: ["Invalid input: expected object, received array"] }]);
    expectCc(await cc(w, "POST", path(w.customer.id), { raw: "firstName=x", headers: { "content-type": "application/x-www-form-urlencoded" } }), 415, [], "The request body must be application/json.");
    expectCc(await cc(w, "POST", path(w.customer.id), { raw: "", headers: {} }), 415, [], "The request body must be application/json.");
    expectCc(await cc(w, "POST", path(w.customer.id), { body: newUser({ firstName: "x".repeat(70_000) }) }), 413, [], "The request body is larger than 64 KiB.");
    expect(await listCustomer(w)).toEqual([]);
  });

  it("an unknown customer, or one not of the named reseller → 404", async () => {
    const w = await ccWorld();
    expectCc(await cc(w, "POST", path(crypto.randomUUID()), { body: newUser() }), 404, [], "Customer not found.");
    expectCc(await cc(w, "POST", path(w.customer.id, `?resellerId=${w.otherReseller.id}`), { body: newUser() }), 404, [], "Customer not found.");
    expectCc(await cc(w, "POST", path(w.direct.id, `?resellerId=${w.reseller.id}`), { body: newUser() }), 404, [], "Customer not found.");
    expect(await listCustomer(w)).toEqual([]);
  });
});

describe("POST /v1/customer/{customerId}/users — security", () => {
  it("a customer token naming another customer → 403; a reseller token naming another reseller → 403", async () => {
    const w = await ccWorld();
    expectCc(await cc(w, "POST", path(w.sibling.id), { token: w.tokens.customer, body: newUser() }), 403);
    expectCc(await cc(w, "POST", path(w.customer.id, `?resellerId=${w.otherReseller.id}`), { token: w.tokens.reseller, body: newUser() }), 403);
    expect(await listCustomer(w, w.sibling.id)).toEqual([]);
  });

  it("a customer outside the token's reach answers like a missing one (404)", async () => {
    const w = await ccWorld();
    const other = await ccWorld();
    expectCc(await cc(w, "POST", path(w.direct.id), { token: w.tokens.reseller, body: newUser() }), 404, [], "Customer not found.");
    expectCc(await cc(w, "POST", path(other.customer.id), { body: newUser() }), 404, [], "Customer not found.");
    // The platform through X-Tenant reaches only that tenant's customers.
    expectCc(await cc(w, "POST", path(other.customer.id), { token: w.tokens.platform, body: newUser() }), 404, [], "Customer not found.");
    const projectAdmin = await sign({ sub: crypto.randomUUID(), role: "tenant_admin", tenant_id: w.tenant.id, project_id: crypto.randomUUID(), scope: "users:write" });
    expectCc(await cc(w, "POST", path(w.customer.id), { token: projectAdmin, body: newUser() }), 404, [], "Customer not found.");
    expect(await listCustomer(other, other.customer.id)).toEqual([]);
    expect(await listCustomer(w, w.direct.id)).toEqual([]);
  });

  it("scope users:read is not enough (403); a token in the query string is refused (401)", async () => {
    const w = await ccWorld();
    expectCc(await cc(w, "POST", path(w.customer.id), { token: w.tokens.read.tenantAdmin, body: newUser() }), 403);
    const r = await call("POST", `/v1${path(w.customer.id)}?access_token=${w.tenant.admin}`, { headers: { "x-tenant": w.tenant.domain }, body: newUser() });
    expectCc(r, 401);
    expect(await listCustomer(w)).toEqual([]);
  });
});
