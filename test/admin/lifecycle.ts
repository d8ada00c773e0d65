/**
 * The happy path every tenant-owned admin resource must walk, asserted whole: create (201, body,
 * Location, one audit event), read back, listed, patch (read back, one audit event with from/to),
 * delete (204, then 404, one audit event), each within its D1 round-trip budget.
 */
import { expect, it } from "vitest";
import { call, dbTrips, expectProblem, freshTenant, type Tenant } from "../harness";
import { BUDGET, base, corr, expectNoSecrets, expectOneEvent, idsOf, ISO, listAll, UUID } from "./helpers";

export interface LifecycleSpec<D> {
  kind: string;
  /** Audit action prefix and subject, e.g. `project`. */
  noun: string;
  /** Whatever the resource refers to (created before the test). */
  setup?: (t: Tenant) => Promise<D>;
  body: (d: D) => Record<string, unknown>;
  /** Every field of the created resource besides id, tenantId, createdAt, updatedAt. */
  expected: (d: D) => Record<string, unknown>;
  patch: (d: D) => Record<string, unknown>;
  /** Fields the read-back must have after the patch (defaults to the patch itself). */
  patched?: (d: D) => Record<string, unknown>;
  /** Fields present only in the create answer (accounts' clientSecret). */
  createOnly?: string[];
  /** Fields added to every wire item (accounts' clientId = id). */
  extra?: (id: string) => Record<string, unknown>;
}

export function lifecycle<D>(s: LifecycleSpec<D>): void {
  it(`${s.kind}: create → read → list → patch → delete, with audit events and round-trip budgets`, async () => {
    const t = await freshTenant();
    const d = (await s.setup?.(t)) as D;
    const path = `${base(t)}/${s.kind}`;

    // Create.
    const c1 = corr("create");
    const created = await call("POST", path, { token: t.admin, body: s.body(d), headers: { "x-correlation-id": c1 }, expect: 201 });
    const id = created.body.id as string;
    const createOnly = Object.fromEntries((s.createOnly ?? []).map((k) => [k, expect.any(String)]));
    expect(created.body).toEqual({ id: UUID, tenantId: t.id, ...s.expected(d), ...s.extra?.(id), ...createOnly, createdAt: ISO, updatedAt: ISO });
    expect(created.body.updatedAt).toBe(created.body.createdAt);
    expect(created.headers.get("location")).toBe(`${path}/${id}`);
    expect(created.headers.get("x-correlation-id")).toBe(c1);
    expect(created.headers.get("cache-control")).toBe("no-store");
    expect(dbTrips(created)).toBeLessThanOrEqual(BUDGET.create);
    const stored = { ...created.body };
    for (const k of s.createOnly ?? []) delete stored[k];
    expectNoSecrets(stored);
    // Events about a customer, or about what belongs to one, name that customer (decision 0007).
    const about = { customerId: s.noun === "customer" ? id : ((created.body.customerId as string | null | undefined) ?? null) };
    const ce = await expectOneEvent(t, c1, { action: `${s.noun}.created`, targetType: s.noun, targetId: id, ...about });
    expect(ce.changes).toMatchObject({ id, tenantId: t.id, ...s.expected(d) });

    // Read back, and listed.
    const got = await call("GET", `${path}/${id}`, { token: t.admin, expect: 200 });
    expect(got.body).toEqual(stored);
    expect(dbTrips(got)).toBe(BUDGET.get);
    const list = await call("GET", path, { token: t.admin, expect: 200 });
    expect(list.body.data).toContainEqual(stored);
    expect(dbTrips(list)).toBe(BUDGET.list);
    expectNoSecrets(list.text);

    // Patch, then read the change back.
    const c2 = corr("patch");
    const patch = s.patch(d);
    const patched = await call("PATCH", `${path}/${id}`, { token: t.admin, body: patch, headers: { "x-correlation-id": c2 }, expect: 200 });
    const after = { ...stored, ...(s.patched?.(d) ?? patch), updatedAt: ISO };
    expect(patched.body).toEqual(after);
    expect(Date.parse(patched.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(stored.createdAt as string));
    expect(dbTrips(patched)).toBeLessThanOrEqual(BUDGET.patch);
    expect((await call("GET", `${path}/${id}`, { token: t.admin, expect: 200 })).body).toEqual(patched.body);
    const changes = Object.fromEntries(Object.entries(s.patched?.(d) ?? patch).map(([k, v]) => [k, { from: stored[k] ?? null, to: v }]));
    await expectOneEvent(t, c2, { action: `${s.noun}.updated`, targetType: s.noun, targetId: id, changes, ...about });

    // Delete, then it is gone.
    const c3 = corr("delete");
    const del = await call("DELETE", `${path}/${id}`, { token: t.admin, headers: { "x-correlation-id": c3 }, expect: 204 });
    expect(del.text).toBe("");
    expect(dbTrips(del)).toBeLessThanOrEqual(BUDGET.delete);
    const de = await expectOneEvent(t, c3, { action: `${s.noun}.deleted`, targetType: s.noun, targetId: id, ...about });
    expect(de.changes).toMatchObject({ id, ...s.expected(d), ...(s.patched?.(d) ?? patch) });
    const gone = await call("GET", `${path}/${id}`, { token: t.admin });
    const noun = s.noun.charAt(0).toUpperCase() + s.noun.slice(1);
    expectProblem(gone, 404, "NOT_FOUND", { title: "Not Found", detail: `${noun} not found.` });
    expect(Object.keys(gone.body).sort()).toEqual(["code", "correlationId", "detail", "status", "title", "type"]);
    expect(idsOf(await listAll(path, t.admin))).not.toContain(id);
    expectProblem(await call("DELETE", `${path}/${id}`, { token: t.admin }), 404, "NOT_FOUND");
    expectProblem(await call("PATCH", `${path}/${id}`, { token: t.admin, body: patch }), 404, "NOT_FOUND");
  });
}
