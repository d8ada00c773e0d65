/**
 * The X-Tenant matrix (issue 5): own / other / unknown / missing / duplicated domain × every route ×
 * each role, with nothing written by any refused call; and the X-Correlation-Id rules.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, type Reply } from "../harness";
import { cc, ccWorld, createCcUser, expectCc, listCustomer, newUser, unknownDomain, type CcWorld } from "./helpers";

let w: CcWorld;
let other: CcWorld;
beforeAll(async () => {
  [w, other] = await Promise.all([ccWorld(), ccWorld()]);
});

type Role = "platform" | "tenant_admin" | "reseller" | "customer";
const ROLES: Role[] = ["platform", "tenant_admin", "reseller", "customer"];
const token = (role: Role) => w.tokens.all.find((t) => t.label === role)!.token;

interface RouteCase {
  name: string;
  /** Sends the route with this X-Tenant (null: none); `fresh` is data made for this role's run. */
  send: (role: Role, tenant: string | null, fresh: { email: string }) => Promise<Reply>;
  /** Status with the caller's own domain. */
  own: (role: Role) => number;
  /** Status for a platform token naming another existing tenant. */
  platformOther: number;
  /** Whether the route writes (then refused calls must leave no trace). */
  writes: boolean;
}

const ROUTES: RouteCase[] = [
  {
    name: "POST /v1/customer/{customerId}/users",
    send: (role, tenant) => cc(w, "POST", `/customer/${w.customer.id}/users`, { token: token(role), tenant, body: newUser({ lastName: `xt-${role}` }) }),
    own: () => 201,
    platformOther: 404,
    writes: true,
  },
  {
    name: "GET /v1/customer/{customerId}/users",
    send: (role, tenant) => cc(w, "GET", `/customer/${w.customer.id}/users`, { token: token(role), tenant }),
    own: () => 200,
    platformOther: 404,
    writes: false,
  },
  {
    name: "POST /v1/reseller/{resellerId}/users",
    send: (role, tenant) => cc(w, "POST", `/reseller/${w.reseller.id}/users`, { token: token(role), tenant, body: newUser({ lastName: `xt-${role}` }) }),
    own: (role) => (role === "customer" ? 403 : 201),
    platformOther: 404,
    writes: true,
  },
  {
    name: "GET /v1/users",
    send: (role, tenant) => cc(w, "GET", "/users", { token: token(role), tenant }),
    own: () => 200,
    platformOther: 200,
    writes: false,
  },
  {
    name: "GET /v1/users/groups",
    send: (role, tenant) => cc(w, "GET", "/users/groups", { token: token(role), tenant }),
    own: () => 200,
    platformOther: 200,
    writes: false,
  },
  {
    name: "PATCH /v1/users/{email}",
    send: (role, tenant, fresh) => cc(w, "PATCH", `/users/${encodeURIComponent(fresh.email)}`, { token: token(role), tenant, body: { firstName: "Changed" } }),
    own: () => 204,
    platformOther: 404,
    writes: true,
  },
  {
    name: "DELETE /v1/users/{email}",
    send: (role, tenant, fresh) => cc(w, "DELETE", `/users/${encodeURIComponent(fresh.email)}`, { token: token(role), tenant }),
    own: () => 204,
    platformOther: 404,
    writes: true,
  },
];

/** Everything CloudCockpit shows of the world's tenant, to prove refused calls wrote nothing. */
async function snapshot(): Promise<unknown> {
  const users = await call("GET", `/api/v1/tenants/${w.tenant.id}/users?limit=200`, { token: w.tenant.admin, expect: 200 });
  return users.body.data.map((u: Record<string, unknown>) => [u.id, u.firstName, u.updatedAt]);
}

describe("X-Tenant × route × role", () => {
  for (const r of ROUTES) {
    for (const role of ROLES) {
      it(`${r.name} as ${role}: other → ${role === "platform" ? r.platformOther : 403}, unknown → ${role === "platform" ? 404 : 403}, missing/duplicated → 400, own → ${r.own(role)}`, async () => {
        const fresh = await createCcUser(w, { lastName: `fresh-${role}` });
        const before = await snapshot();

        const otherReply = await r.send(role, other.tenant.domain, fresh);
        if (role !== "platform") expectCc(otherReply, 403);
        else if (r.platformOther === 200) expect(otherReply.status).toBe(200);
        else expectCc(otherReply, 404);

        const unknown = await r.send(role, unknownDomain(), fresh);
        if (role === "platform") expectCc(unknown, 404, [], "No tenant has this domain.");
        else expectCc(unknown, 403);

        expectCc(await r.send(role, null, fresh), 400, [{ propertyName: "X-Tenant", description: ["Required."] }]);
        expectCc(await r.send(role, `${w.tenant.domain}, ${w.tenant.domain}`, fresh), 400, [{ propertyName: "X-Tenant", description: ["Send the header once."] }]);
        expectCc(await r.send(role, `${w.tenant.domain}, ${other.tenant.domain}`, fresh), 400, [{ propertyName: "X-Tenant", description: ["Send the header once."] }]);
        if (r.writes) expect(await snapshot()).toEqual(before);

        const own = await r.send(role, w.tenant.domain, fresh);
        if (r.own(role) >= 400) expectCc(own, r.own(role));
        else expect(own.status, own.text).toBe(r.own(role));
      });
    }
  }
});

describe("X-Tenant values", () => {
  it("is compared case-insensitively and trimmed", async () => {
    const r = await cc(w, "GET", "/users/groups", { tenant: `  ${w.tenant.domain.toUpperCase()} `, expect: 200 });
    expect(r.body.items).toEqual(w.groups);
  });

  it("what is not a domain → 400; other tenants' data stays out of every list", async () => {
    expectCc(await cc(w, "GET", "/users", { tenant: "not a domain!" }), 400, [{ propertyName: "X-Tenant", description: ["Not a portal domain."] }]);
    expectCc(await cc(w, "GET", "/users", { tenant: "" }), 400, [{ propertyName: "X-Tenant", description: ["Required."] }]);
    await createCcUser(other, { lastName: "Foreign" });
    const mine = await cc(w, "GET", "/users?search=Foreign", { token: w.tokens.platform, expect: 200 });
    expect(mine.body.items).toEqual([]);
  });
});

describe("X-Correlation-Id", () => {
  it("a uuid is echoed (as sent) and stored on the audit events", async () => {
    const id = crypto.randomUUID().toUpperCase();
    const r = await cc(w, "POST", `/customer/${w.customer.id}/users`, { body: newUser(), correlationId: id, expect: 201 });
    expect(r.headers.get("x-correlation-id")).toBe(id);
    const events = await call("GET", `/api/v1/tenants/${w.tenant.id}/audit-events?correlationId=${id}`, { token: w.tenant.admin, expect: 200 });
    expect(events.body.data).toEqual([expect.objectContaining({ action: "user.created", targetId: r.body, correlationId: id })]);
  });

  it("one that is not a uuid → 400 naming it (with every other offending property), nothing written", async () => {
    const before = await listCustomer(w);
    const r = await cc(w, "POST", `/customer/${w.customer.id}/users`, { body: newUser({ firstName: null }), correlationId: "abc-123" });
    expectCc(r, 400, [
      { propertyName: "X-Correlation-Id", description: ["Must be a uuid."] },
      { propertyName: "firstName", description: ["Must not be null."] },
    ]);
    expect(r.body.correlationId).toBe("abc-123");
    expectCc(await cc(w, "GET", "/users", { correlationId: `${crypto.randomUUID()}, ${crypto.randomUUID()}` }), 400, [
      { propertyName: "X-Correlation-Id", description: ["Must be a uuid."] },
    ]);
    expectCc(await cc(w, "DELETE", `/users/${encodeURIComponent(before[0]?.email ?? "x@example.com")}`, { correlationId: "not-a-uuid" }), 400, [
      { propertyName: "X-Correlation-Id", description: ["Must be a uuid."] },
    ]);
    expect(await listCustomer(w)).toEqual(before);
  });

  it("a value unsafe to echo is replaced by a generated uuid in the header and the body", async () => {
    const r = await cc(w, "GET", "/users", { correlationId: "<script>" });
    expect(r.status).toBe(400);
    const echoed = r.headers.get("x-correlation-id");
    expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.correlationId).toBe(echoed);
  });
});
