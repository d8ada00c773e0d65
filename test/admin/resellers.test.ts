import { describe, expect, it } from "vitest";
import { call, create, expectProblem, freshTenant } from "../harness";
import { base, corr, eventsOf, listAll, long, seedUser } from "./helpers";
import { lifecycle } from "./lifecycle";

describe("resellers", () => {
  lifecycle({
    kind: "resellers",
    noun: "reseller",
    body: () => ({ name: "Northwind" }),
    expected: () => ({ name: "Northwind" }),
    patch: () => ({ name: "Northwind Traders" }),
  });

  it("names may repeat (no unique rule), are trimmed, ≤ 255 characters; unknown fields → 400", async () => {
    const t = await freshTenant();
    const a = await create(t, "resellers", { name: " Same " });
    const b = await create(t, "resellers", { name: "Same" });
    expect([a.name, b.name]).toEqual(["Same", "Same"]);
    expectProblem(await call("POST", `${base(t)}/resellers`, { token: t.admin, body: { name: long(256) } }), 400, "INVALID", {
      errors: [{ field: "name", message: "Too big: expected string to have <=255 characters" }],
    });
    expectProblem(await call("POST", `${base(t)}/resellers`, { token: t.admin, body: { name: "X", projectId: crypto.randomUUID() } }), 400, "INVALID", {
      errors: [{ field: "projectId", message: "This property is not allowed." }],
    });
    expectProblem(await call("POST", `${base(t)}/resellers`, { token: t.admin, body: {} }), 400, "INVALID", {
      errors: [{ field: "name", message: "Invalid input: expected string, received undefined" }],
    });
    expect(await listAll(`${base(t)}/resellers`, t.admin)).toEqual([a, b]);
  });

  it("deleting a reseller still referenced by a customer, a reseller-level user or an account → 409, and it still exists", async () => {
    const t = await freshTenant();
    const inUse = { detail: "The reseller still has customers, users or accounts." };
    const byCustomer = await create(t, "resellers", { name: "C" });
    await create(t, "customers", { name: "C", resellerId: byCustomer.id });
    const byUser = await create(t, "resellers", { name: "U" });
    await seedUser({ owner: { resellerId: byUser.id } });
    const byAccount = await create(t, "resellers", { name: "A" });
    await create(t, "accounts", { name: "a", role: "reseller", resellerId: byAccount.id, scopes: ["users:read"] });
    for (const r of [byCustomer, byUser, byAccount]) {
      const c = corr("inuse");
      expectProblem(await call("DELETE", `${base(t)}/resellers/${r.id}`, { token: t.admin, headers: { "x-correlation-id": c } }), 409, "CONFLICT", inUse);
      expect((await call("GET", `${base(t)}/resellers/${r.id}`, { token: t.admin, expect: 200 })).body).toEqual(r);
      expect(await eventsOf(t, c)).toEqual([]);
    }
  });
});
