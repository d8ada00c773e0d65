/**
 * The input rules every tenant-owned admin resource shares, as one table: empty patch, malformed
 * ids, mass-assigned fields, over-long names, an unknown tenant — each a whole problem body, with
 * nothing written.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, create, expectProblem, freshTenant, platformToken, unique, type Tenant } from "../harness";
import { base, corr, eventsOf, long } from "./helpers";

const KINDS: Record<string, { body: () => Record<string, unknown>; nameField: string }> = {
  projects: { body: () => ({ key: unique("p").toLowerCase(), name: "P" }), nameField: "name" },
  resellers: { body: () => ({ name: "R" }), nameField: "name" },
  customers: { body: () => ({ name: "C" }), nameField: "name" },
  subroles: { body: () => ({ code: unique("s").toLowerCase(), label: "L", displayName: "D", permissions: [] }), nameField: "label" },
  groups: { body: () => ({ name: unique("g") }), nameField: "name" },
  accounts: { body: () => ({ name: "A", role: "tenant_admin", scopes: [] }), nameField: "name" },
};

let t: Tenant;
const rows: Record<string, Record<string, unknown>> = {};

beforeAll(async () => {
  t = await freshTenant();
  for (const [kind, k] of Object.entries(KINDS)) {
    const row = await create(t, kind, k.body());
    delete row.clientSecret;
    rows[kind] = row;
  }
});

const notAllowed = (field: string) => ({ field, message: "This property is not allowed." });

describe("shared input rules of the admin resources", () => {
  for (const [kind, k] of Object.entries(KINDS)) {
    it(`${kind}: bad input → 400 naming the field; nothing written`, async () => {
      const c = corr("bad");
      const h = { "x-correlation-id": c };
      const path = `${base(t)}/${kind}`;
      const item = `${path}/${rows[kind]!.id}`;

      expectProblem(await call("PATCH", item, { token: t.admin, body: {}, headers: h }), 400, "INVALID", {
        detail: "Invalid body: body.",
        errors: [{ field: "", message: "At least one property is required." }],
      });
      const mass = await call("POST", path, { token: t.admin, body: { ...k.body(), id: crypto.randomUUID(), tenantId: t.id, createdAt: 1, updatedAt: 1 }, headers: h });
      expectProblem(mass, 400, "INVALID", { detail: "Invalid body: id, tenantId, createdAt, updatedAt.", errors: ["id", "tenantId", "createdAt", "updatedAt"].map(notAllowed) });
      const massPatch = await call("PATCH", item, { token: t.admin, body: { [k.nameField]: "ok", tenantId: crypto.randomUUID() }, headers: h });
      expectProblem(massPatch, 400, "INVALID", { errors: [notAllowed("tenantId")] });
      const tooLong = { errors: [{ field: k.nameField, message: "Too big: expected string to have <=255 characters" }] };
      expectProblem(await call("POST", path, { token: t.admin, body: { ...k.body(), [k.nameField]: long(256) }, headers: h }), 400, "INVALID", tooLong);
      expectProblem(await call("PATCH", item, { token: t.admin, body: { [k.nameField]: long(256) }, headers: h }), 400, "INVALID", tooLong);
      for (const method of ["GET", "PATCH", "DELETE"]) {
        const r = await call(method, `${path}/${String(rows[kind]!.id).slice(0, -1)}`, { token: t.admin, body: method === "PATCH" ? { [k.nameField]: "x" } : undefined, headers: h });
        expectProblem(r, 400, "INVALID", { detail: "Invalid param: id.", errors: [{ field: "id", message: "Invalid UUID" }] });
      }

      expect(await eventsOf(t, c)).toEqual([]);
      expect((await call("GET", item, { token: t.admin, expect: 200 })).body).toEqual(rows[kind]);
      const list = await call("GET", path, { token: t.admin, expect: 200 });
      // Only what beforeAll created (accounts: the tenant's admin account first).
      expect(list.body.data).toEqual(kind === "accounts" ? [expect.objectContaining({ clientId: t.adminClientId }), rows[kind]] : [rows[kind]]);
    });
  }

  it("an unknown tenant: 404 for the platform on every collection; 403 for a tenant admin", async () => {
    const platform = await platformToken();
    const ghost = base(crypto.randomUUID());
    for (const [kind, k] of Object.entries(KINDS)) {
      expectProblem(await call("POST", `${ghost}/${kind}`, { token: platform, body: k.body() }), 404, "NOT_FOUND", { detail: "Tenant not found." });
      expectProblem(await call("GET", `${ghost}/${kind}`, { token: platform }), 404, "NOT_FOUND", { detail: "Tenant not found." });
      expectProblem(await call("POST", `${ghost}/${kind}`, { token: t.admin, body: k.body() }), 403, "FORBIDDEN");
    }
    expectProblem(await call("GET", `${ghost}/audit-events`, { token: platform }), 404, "NOT_FOUND", { detail: "Tenant not found." });
  });
});
