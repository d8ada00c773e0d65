/**
 * The audit trail: filters, `since`, paging, tenant isolation, and that no event carries a secret.
 */
import { describe, expect, it } from "vitest";
import { call, create, dbTrips, expectProblem, freshTenant, platformToken } from "../harness";
import { base, corr, expectNoSecrets, idsOf, ISO, listAll, UUID } from "./helpers";

describe("audit events", () => {
  it("filters by correlationId, action, actorId, targetId and since; each event whole", async () => {
    const t = await freshTenant();
    const platform = await platformToken();
    const c1 = corr("one");
    const g = await call("POST", `${base(t)}/groups`, { token: t.admin, body: { name: "G" }, headers: { "x-correlation-id": c1 }, expect: 201 });
    const c2 = corr("two");
    await call("PATCH", `${base(t)}/groups/${g.body.id}`, { token: platform, body: { name: "H" }, headers: { "x-correlation-id": c2 }, expect: 200 });
    const r = await create(t, "resellers", { name: "R" });

    const q = async (query: string) => (await call("GET", `${base(t)}/audit-events?${query}`, { token: t.admin, expect: 200 })).body.data as Record<string, unknown>[];
    const created = await q(`correlationId=${c1}`);
    expect(created).toEqual([
      {
        id: UUID,
        tenantId: t.id,
        at: ISO,
        actorId: t.adminClientId,
        action: "group.created",
        targetType: "group",
        targetId: g.body.id,
        customerId: null,
        correlationId: c1,
        changes: { id: g.body.id, tenantId: t.id, name: "G", createdAt: expect.any(Number), updatedAt: expect.any(Number) },
      },
    ]);
    const updated = await q(`correlationId=${c2}`);
    expect(updated).toEqual([expect.objectContaining({ action: "group.updated", actorId: "bootstrap", changes: { name: { from: "G", to: "H" } } })]);
    expect(idsOf(await q(`targetId=${g.body.id}`))).toEqual([created[0]!.id, updated[0]!.id]);
    expect((await q("action=reseller.created")).map((e) => e.targetId)).toEqual([r.id]);
    expect((await q("actorId=bootstrap")).map((e) => e.action)).toEqual(["tenant.created", "account.created", "group.updated"]);
    expect((await q(`actorId=bootstrap&action=group.updated`)).map((e) => e.correlationId)).toEqual([c2]);
    expect(await q(`correlationId=${corr("none")}`)).toEqual([]);

    const since = updated[0]!.at as string;
    const after = await q(`since=${encodeURIComponent(since)}`);
    const everything = await q("limit=200");
    // Exactly the events at or after `since`, inclusive.
    expect(idsOf(after)).toEqual(idsOf(everything.filter((e) => (e.at as string) >= since)));
    expect(idsOf(after)).toContain(updated[0]!.id);
    expect(after.length).toBeLessThan(everything.length);
    expect(await q("since=2999-01-01T00:00:00Z")).toEqual([]);
    expect((await q("since=2000-01-01T00:00:00%2B02:00")).length).toBeGreaterThanOrEqual(4);
  });

  it("the whole trail of a fresh tenant, oldest first, in one round trip", async () => {
    const t = await freshTenant();
    const r = await call("GET", `${base(t)}/audit-events`, { token: t.admin, expect: 200 });
    expect(r.body.data.map((e: { action: string }) => e.action)).toEqual(["tenant.created", "account.created"]);
    expect(r.body.nextCursor).toBeNull();
    expect(dbTrips(r)).toBe(1);
    const ats = r.body.data.map((e: { at: string }) => e.at);
    expect([...ats].sort()).toEqual(ats);
  });

  it("no event ever holds a secret or a hash, whatever was audited", async () => {
    const t = await freshTenant();
    const c = await create(t, "customers", { name: "C" });
    const a = await create(t, "accounts", { name: "svc", role: "customer", customerId: c.id, scopes: ["users:read"] });
    await call("PATCH", `${base(t)}/accounts/${a.id}`, { token: t.admin, body: { disabled: true }, expect: 200 });
    await call("DELETE", `${base(t)}/accounts/${a.id}`, { token: t.admin, expect: 204 });
    const all = await listAll(`${base(t)}/audit-events`, t.admin);
    expect(all.map((e) => e.action)).toEqual(["tenant.created", "account.created", "customer.created", "account.created", "account.updated", "account.deleted"]);
    expectNoSecrets(all);
    expect(JSON.stringify(all)).not.toContain(a.clientSecret);
  });

  it("another tenant's trail: 403 for its admin path, nothing of it in this tenant's trail", async () => {
    const [a, b] = await Promise.all([freshTenant(), freshTenant()]);
    const c = corr("b-only");
    await call("POST", `${base(b)}/groups`, { token: b.admin, body: { name: "G" }, headers: { "x-correlation-id": c }, expect: 201 });
    expectProblem(await call("GET", `${base(b)}/audit-events`, { token: a.admin }), 403, "FORBIDDEN");
    expect((await call("GET", `${base(a)}/audit-events?correlationId=${c}`, { token: a.admin, expect: 200 })).body.data).toEqual([]);
    const mine = await listAll(`${base(a)}/audit-events`, a.admin);
    expect(mine.every((e) => e.tenantId === a.id)).toBe(true);
    const platform = await platformToken();
    expect((await call("GET", `${base(b)}/audit-events?correlationId=${c}`, { token: platform, expect: 200 })).body.data).toHaveLength(1);
  });

  it("bad filters → 400 naming the parameter", async () => {
    const t = await freshTenant();
    const cases: [string, string][] = [
      ["since=yesterday", "since"],
      ["since=2026-02-30T00:00:00Z", "since"],
      ["since=2026-01-01", "since"],
      ["since=1700000000000", "since"],
      ["action=", "action"],
      [`targetId=${"x".repeat(256)}`, "targetId"],
      ["actorId=", "actorId"],
      ["correlationId=", "correlationId"],
    ];
    for (const [query, field] of cases) {
      const r = await call("GET", `${base(t)}/audit-events?${query}`, { token: t.admin });
      expectProblem(r, 400, "INVALID", { detail: `Invalid query: ${field}.` });
      expect(r.body.errors).toEqual([{ field, message: expect.any(String) }]);
    }
  });
});
