import { describe, expect, it } from "vitest";
import { call, create, expectProblem, freshTenant } from "../harness";
import { base, corr, eventsOf, listAll, long, seedUser } from "./helpers";
import { lifecycle } from "./lifecycle";

describe("groups", () => {
  lifecycle({
    kind: "groups",
    noun: "group",
    body: () => ({ name: "Operators" }),
    expected: () => ({ name: "Operators" }),
    patch: () => ({ name: "Night operators" }),
  });

  it("names are unique per tenant (409 on create and patch), free across tenants, ≤ 255 characters", async () => {
    const [t, other] = await Promise.all([freshTenant(), freshTenant()]);
    const a = await create(t, "groups", { name: "Ops" });
    const conflict = { detail: "Another group of this tenant has this name.", errors: [{ field: "name", message: "Another group of this tenant has this name." }] };
    const c = corr("dup");
    expectProblem(await call("POST", `${base(t)}/groups`, { token: t.admin, body: { name: "Ops" }, headers: { "x-correlation-id": c } }), 409, "CONFLICT", conflict);
    expect(await eventsOf(t, c)).toEqual([]);
    await create(other, "groups", { name: "Ops" });
    const b = await create(t, "groups", { name: "Dev" });
    const c2 = corr("dup-patch");
    expectProblem(await call("PATCH", `${base(t)}/groups/${b.id}`, { token: t.admin, body: { name: "Ops" }, headers: { "x-correlation-id": c2 } }), 409, "CONFLICT", conflict);
    // The refused update leaves no event (its event and the write are one batch).
    expect(await eventsOf(t, c2)).toEqual([]);
    expectProblem(await call("POST", `${base(t)}/groups`, { token: t.admin, body: { name: long(256) } }), 400, "INVALID", {
      errors: [{ field: "name", message: "Too big: expected string to have <=255 characters" }],
    });
    expectProblem(await call("POST", `${base(t)}/groups`, { token: t.admin, body: { name: 42 } }), 400, "INVALID", {
      errors: [{ field: "name", message: "Invalid input: expected string, received number" }],
    });
    expect(await listAll(`${base(t)}/groups`, t.admin)).toEqual([a, b]);
  });

  it("simultaneous creates of one name → one 201, one 409, one audit event", async () => {
    const t = await freshTenant();
    const cs = [corr("race"), corr("race")];
    const rs = await Promise.all(cs.map((c) => call("POST", `${base(t)}/groups`, { token: t.admin, body: { name: "Same" }, headers: { "x-correlation-id": c } })));
    expect(rs.map((r) => r.status).sort()).toEqual([201, 409]);
    expect((await Promise.all(cs.map((c) => eventsOf(t, c)))).flat()).toHaveLength(1);
  });

  it("deleting a group that still has members → 409, and it still exists", async () => {
    const t = await freshTenant();
    const c = await create(t, "customers", { name: "C" });
    const g = await create(t, "groups", { name: "Members" });
    await seedUser({ owner: { customerId: c.id }, groupIds: [g.id] });
    expectProblem(await call("DELETE", `${base(t)}/groups/${g.id}`, { token: t.admin }), 409, "CONFLICT", { detail: "The group still has members." });
    expect((await call("GET", `${base(t)}/groups/${g.id}`, { token: t.admin, expect: 200 })).body).toEqual(g);
  });
});
