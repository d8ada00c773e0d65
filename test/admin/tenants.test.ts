import { describe, expect, it } from "vitest";
import { call, dbTrips, expectProblem, freshTenant, platformToken, unique } from "../harness";
import { corr, eventsOf, expectOneEvent, ISO, listAll, long, UUID } from "./helpers";

describe("tenants", () => {
  it("platform creates a tenant: 201, Location, read back", async () => {
    const token = await platformToken();
    const domain = `${unique("Shop")}.Example.COM`;
    const r = await call("POST", "/api/v1/tenants", { token, body: { domain, name: "Shop" }, expect: 201 });
    expect(r.body).toMatchObject({ domain: domain.toLowerCase(), name: "Shop" });
    expect(r.headers.get("location")).toBe(`/api/v1/tenants/${r.body.id}`);
    expect(r.headers.get("cache-control")).toBe("no-store");
    const back = await call("GET", `/api/v1/tenants/${r.body.id}`, { token, expect: 200 });
    expect(back.body).toEqual(r.body);
    expect(dbTrips(back)).toBe(1);
  });

  it("duplicate domain (any case) → 409 problem", async () => {
    const token = await platformToken();
    const domain = `${unique("dup")}.example.com`;
    await call("POST", "/api/v1/tenants", { token, body: { domain, name: "A" }, expect: 201 });
    const r = await call("POST", "/api/v1/tenants", { token, body: { domain: domain.toUpperCase(), name: "B" } });
    expectProblem(r, 409, "CONFLICT", { errors: [{ field: "domain", message: "Another tenant has this domain." }] });
  });

  it("a tenant admin cannot create tenants, and sees only its own", async () => {
    const t = await freshTenant();
    const r = await call("POST", "/api/v1/tenants", { token: t.admin, body: { domain: `${unique("x")}.example.com`, name: "X" } });
    expectProblem(r, 403, "FORBIDDEN");
    const list = await call("GET", "/api/v1/tenants", { token: t.admin, expect: 200 });
    expect(list.body.data.map((x: { id: string }) => x.id)).toEqual([t.id]);
    expect(list.body.nextCursor).toBeNull();
  });

  it("a tenant admin of another tenant gets 403 on a tenant path", async () => {
    const [a, b] = await Promise.all([freshTenant(), freshTenant()]);
    expectProblem(await call("GET", `/api/v1/tenants/${b.id}`, { token: a.admin }), 403, "FORBIDDEN");
    expectProblem(await call("PATCH", `/api/v1/tenants/${b.id}`, { token: a.admin, body: { name: "stolen" } }), 403, "FORBIDDEN");
  });

  it("patch renames and writes an audit event", async () => {
    const t = await freshTenant();
    const r = await call("PATCH", `/api/v1/tenants/${t.id}`, { token: t.admin, body: { name: "Renamed" }, headers: { "x-correlation-id": "corr-rename-1" }, expect: 200 });
    expect(r.body.name).toBe("Renamed");
    expect(r.headers.get("x-correlation-id")).toBe("corr-rename-1");
    const events = await call("GET", `/api/v1/tenants/${t.id}/audit-events?correlationId=corr-rename-1`, { token: t.admin, expect: 200 });
    expect(events.body.data).toHaveLength(1);
    expect(events.body.data[0]).toMatchObject({ action: "tenant.updated", targetId: t.id, actorId: t.adminClientId, changes: { name: { to: "Renamed" } } });
  });

  it("bad input: invalid domain, unknown field, empty patch, malformed id, wrong content type, invalid JSON", async () => {
    const token = await platformToken();
    const bad = await call("POST", "/api/v1/tenants", { token, body: { domain: "not a domain", name: "x" } });
    expectProblem(bad, 400, "INVALID");
    expect(bad.body.errors[0].field).toBe("domain");
    const extra = await call("POST", "/api/v1/tenants", { token, body: { domain: `${unique("e")}.example.com`, name: "x", id: crypto.randomUUID() } });
    expectProblem(extra, 400, "INVALID", { errors: [{ field: "id", message: "This property is not allowed." }] });
    const t = await freshTenant();
    expectProblem(await call("PATCH", `/api/v1/tenants/${t.id}`, { token, body: {} }), 400, "INVALID");
    expectProblem(await call("GET", "/api/v1/tenants/not-a-uuid", { token }), 400, "INVALID");
    expectProblem(await call("POST", "/api/v1/tenants", { token, raw: "domain=x", headers: { "content-type": "text/plain" } }), 415, "UNSUPPORTED_MEDIA_TYPE");
    expectProblem(await call("POST", "/api/v1/tenants", { token, raw: "{not json", headers: { "content-type": "application/json" } }), 400, "INVALID");
  });

  it("unknown tenant → 404 for the platform", async () => {
    const token = await platformToken();
    expectProblem(await call("GET", `/api/v1/tenants/${crypto.randomUUID()}`, { token }), 404, "NOT_FOUND");
    expectProblem(await call("GET", `/api/v1/tenants/${crypto.randomUUID()}/projects`, { token }), 404, "NOT_FOUND");
  });
});

describe("unknown paths and methods", () => {
  it("a known path with another method → 405 with Allow, in the surface's body; an unknown path → 404", async () => {
    const token = await platformToken();
    const r = await call("DELETE", "/api/v1/tenants", { token });
    expectProblem(r, 405, "METHOD_NOT_ALLOWED");
    expect(r.headers.get("allow")).toBe("POST, GET");
    expectProblem(await call("GET", "/api/v1/nothing-here", { token }), 404, "NOT_FOUND");
    const root = await call("GET", "/nothing-here");
    expectProblem(root, 404, "NOT_FOUND");
  });
});

// The whole created body and its audit event; domain rules on patch (normalised, unique, audited
// only when something changes).
describe("tenant lifecycle", () => {
  it("create: the whole body, Location, one tenant.created event by the platform", async () => {
    const token = await platformToken();
    const c = corr("tenant");
    const domain = `${unique("life")}.example.com`;
    const r = await call("POST", "/api/v1/tenants", { token, body: { domain, name: "  Life  " }, headers: { "x-correlation-id": c }, expect: 201 });
    expect(r.body).toEqual({ id: UUID, domain, name: "Life", requireIfMatch: false, createdAt: ISO, updatedAt: r.body.createdAt });
    expect(r.headers.get("location")).toBe(`/api/v1/tenants/${r.body.id}`);
    const t = { id: r.body.id, domain, admin: token, adminClientId: "bootstrap" };
    const e = await expectOneEvent(t, c, { action: "tenant.created", targetType: "tenant", targetId: r.body.id }, "bootstrap");
    expect(e.changes).toMatchObject({ id: r.body.id, domain, name: "Life" });
    expect(await listAll("/api/v1/tenants", token)).toContainEqual(r.body);
  });

  it("patch: domain lower-cased, a taken domain → 409 with no event, an unchanged value → no event", async () => {
    const [t, other] = await Promise.all([freshTenant(), freshTenant()]);
    const c1 = corr("dom");
    const newDomain = `${unique("New")}.Example.com`;
    const r = await call("PATCH", `/api/v1/tenants/${t.id}`, { token: t.admin, body: { domain: newDomain }, headers: { "x-correlation-id": c1 }, expect: 200 });
    expect(r.body).toEqual({ id: t.id, domain: newDomain.toLowerCase(), name: `Tenant ${t.domain}`, requireIfMatch: false, createdAt: ISO, updatedAt: ISO });
    await expectOneEvent(t, c1, { action: "tenant.updated", targetType: "tenant", targetId: t.id, changes: { domain: { from: t.domain, to: newDomain.toLowerCase() } } });
    expect((await call("GET", `/api/v1/tenants/${t.id}`, { token: t.admin, expect: 200 })).body).toEqual(r.body);

    const c2 = corr("taken");
    const taken = await call("PATCH", `/api/v1/tenants/${t.id}`, { token: t.admin, body: { domain: other.domain.toUpperCase() }, headers: { "x-correlation-id": c2 } });
    expectProblem(taken, 409, "CONFLICT", { errors: [{ field: "domain", message: "Another tenant has this domain." }] });
    expect(await eventsOf(t, c2)).toEqual([]);

    const c3 = corr("same");
    await call("PATCH", `/api/v1/tenants/${t.id}`, { token: t.admin, body: { name: r.body.name }, headers: { "x-correlation-id": c3 }, expect: 200 });
    expect(await eventsOf(t, c3)).toEqual([]);

    for (const body of [{ name: long(256) }, { domain: "a..b" }, { domain: long(254, "a") }, { id: t.id }]) {
      expectProblem(await call("PATCH", `/api/v1/tenants/${t.id}`, { token: t.admin, body }), 400, "INVALID");
    }
  });
});
