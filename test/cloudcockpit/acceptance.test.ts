/**
 * Issue 5's acceptance: seed 004's curl example answered as documented; one user, one row, whichever
 * dialect looks (Worth, Corti, the admin API), created and deleted here; audit events found by the
 * correlation id of the request that wrote them.
 */
import { describe, expect, it } from "vitest";
import { SEED_004_HEADERS, SEED_004_PAYLOAD } from "../fixtures/cloudcockpit-004-create-customer-user";
import { call, create } from "../harness";
import { cc, ccWorld, expectCc, isUuid, listCustomer, unique } from "./helpers";

/** The seed's headers (lower-cased, as the harness merges its own content type by that name). */
const seedHeaders = (over: Record<string, string>) =>
  Object.fromEntries(Object.entries({ ...SEED_004_HEADERS, ...over }).map(([k, v]) => [k.toLowerCase(), v]));

describe("seed 004's curl example", () => {
  it("as printed: 400 naming id (and every other placeholder that is not valid); nothing written", async () => {
    const w = await ccWorld();
    const r = await call("POST", `/v1/customer/${w.customer.id}/users`, {
      token: w.tokens.tenantAdmin,
      headers: seedHeaders({ "X-Tenant": w.tenant.domain }),
      body: SEED_004_PAYLOAD,
    });
    expectCc(r, 400, [
      { propertyName: "X-Correlation-Id", description: ["Must be a uuid."] },
      { propertyName: "id", description: ["Must be a uuid."] },
      { propertyName: "email", description: ["Not an e-mail address."] },
      { propertyName: "groups[0].id", description: ["Must be a uuid."] },
    ]);
    expect(r.body.correlationId).toBe("string");
    expect(await listCustomer(w)).toEqual([]);
  });

  it("with real values in the placeholders: 201, the id as a JSON string, Location, and the user as sent", async () => {
    const w = await ccWorld();
    const id = crypto.randomUUID();
    const correlationId = crypto.randomUUID();
    const email = `${unique("string")}@example.com`;
    const r = await call("POST", `/v1/customer/${w.customer.id}/users`, {
      token: w.tokens.tenantAdmin,
      headers: seedHeaders({ "X-Tenant": w.tenant.domain, "X-Correlation-Id": correlationId }),
      body: { ...SEED_004_PAYLOAD, id, email, groups: [{ id: w.groups[0]!.id, name: "string" }] },
      expect: 201,
    });
    expect(r.text).toBe(JSON.stringify(id));
    expect(r.headers.get("location")).toBe(`/v1/users/${encodeURIComponent(email)}`);
    expect(r.headers.get("x-correlation-id")).toBe(correlationId);
    expect(await listCustomer(w)).toEqual([{ id, firstName: "string", lastName: "string", email, role: null, groups: [{ id: w.groups[0]!.id, name: "Alpha" }] }]);
  });
});

describe("one user, every dialect", () => {
  it("created here: visible through Worth, Corti and the admin API; deleted here: gone from all of them", async () => {
    const w = await ccWorld();
    const project = await create(w.tenant, "projects", { key: unique("p").toLowerCase(), name: "Project" });
    const customer = await create(w.tenant, "customers", { name: "Shared", projectId: project.id, key: "shared", resellerId: w.reseller.id });
    const email = `${unique("shared")}@example.com`;
    const id = (await cc(w, "POST", `/customer/${customer.id}/users`, { body: { firstName: "Ada", lastName: "Lovelace", email, groups: [] }, expect: 201 })).body as string;
    const token = w.tokens.tenantAdmin;

    const worth = async () => (await call("GET", `/auth/api/v1/customers/${customer.id}/users`, { token, expect: 200 })).body.data.records;
    const corti = async () => (await call("GET", `/functions/v1/public/projects/${project.key}/customers/shared/users`, { token, expect: 200 })).body.users;
    const admin = async () => (await call("GET", `/api/v1/tenants/${w.tenant.id}/users?customerId=${customer.id}`, { token, expect: 200 })).body.data;

    expect(await worth()).toEqual([expect.objectContaining({ id, first_name: "Ada", last_name: "Lovelace", email, status: "ACTIVE" })]);
    expect(await corti()).toEqual([expect.objectContaining({ id, firstName: "Ada", lastName: "Lovelace", email, enabled: true })]);
    expect(await admin()).toEqual([expect.objectContaining({ id, customerId: customer.id, resellerId: w.reseller.id, email })]);

    await cc(w, "DELETE", `/users/${encodeURIComponent(email)}`, { expect: 204 });
    expect(await worth()).toEqual([]);
    expect(await corti()).toEqual([]);
    expect(await admin()).toEqual([]);
    expect(await listCustomer(w, customer.id)).toEqual([]);
  });
});

describe("audit by correlation id", () => {
  it("the events of a create, an update and a delete are found by their X-Correlation-Id; none leak another tenant", async () => {
    const w = await ccWorld();
    const x = crypto.randomUUID();
    const email = `${unique("audit")}@example.com`;
    const id = (await cc(w, "POST", `/customer/${w.customer.id}/users`, { correlationId: x, body: { firstName: "A", lastName: "B", email, groups: [] }, expect: 201 })).body;
    await cc(w, "PATCH", `/users/${encodeURIComponent(email)}`, { correlationId: x, body: { firstName: "C" }, expect: 204 });
    await cc(w, "DELETE", `/users/${encodeURIComponent(email)}`, { correlationId: x, expect: 204 });
    const events = await call("GET", `/api/v1/tenants/${w.tenant.id}/audit-events?correlationId=${x}`, { token: w.tenant.admin, expect: 200 });
    expect(events.body.data.map((e: { action: string; targetId: string; correlationId: string }) => [e.action, e.targetId, e.correlationId])).toEqual([
      ["user.created", id, x],
      ["user.updated", id, x],
      ["user.deleted", id, x],
    ]);
    expect(isUuid(id)).toBe(true);
    const other = await ccWorld();
    const none = await call("GET", `/api/v1/tenants/${other.tenant.id}/audit-events?correlationId=${x}`, { token: other.tenant.admin, expect: 200 });
    expect(none.body.data).toEqual([]);
  });

  it("a refused request writes no event", async () => {
    const w = await ccWorld();
    const x = crypto.randomUUID();
    expectCc(await cc(w, "POST", `/customer/${w.customer.id}/users`, { correlationId: x, body: { firstName: "A", lastName: "B", email: "a@example.com", groups: [{ id: crypto.randomUUID() }] } }), 400, [
      { propertyName: "groups[0].id", description: ["No group of this tenant has this id."] },
    ]);
    const events = await call("GET", `/api/v1/tenants/${w.tenant.id}/audit-events?correlationId=${x}`, { token: w.tenant.admin, expect: 200 });
    expect(events.body.data).toEqual([]);
  });
});
