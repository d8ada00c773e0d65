/**
 * The core user verbs, called directly (no HTTP): what every dialect relies on.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Ctx } from "../../src/core/context";
import { DomainError } from "../../src/core/errors";
import type { Principal } from "../../src/core/principal";
import { createUser } from "../../src/core/users/create-user";
import { deleteUser } from "../../src/core/users/delete-user";
import { getUser } from "../../src/core/users/get-user";
import { listTenantUsers } from "../../src/core/users/list-users";
import { queryUsers } from "../../src/core/users/query-users";
import { updateUser } from "../../src/core/users/update-user";
import { openDb } from "../../src/db/client";
import { call, create, freshTenant } from "../harness";

const deps = { pepper: env.PASSWORD_PEPPER };

function ctxFor(principal: Partial<Principal> & Pick<Principal, "role" | "tenantId">, correlationId = crypto.randomUUID()): Ctx {
  const { db } = openDb(env.DB);
  // A clock that advances on every reading: a verb that read it twice would store one time and
  // answer another, and the read-backs below would show it every time, not once in a while.
  let clock = Date.now();
  return {
    db,
    principal: { sub: "tester", customerId: null, resellerId: null, projectId: null, scopes: new Set(["users:read", "users:write"]), issuedAt: 0, ...principal },
    correlationId,
    now: () => ++clock,
    newId: () => crypto.randomUUID(),
    tokenLifetimeSeconds: 3631,
  };
}

async function fixture() {
  const t = await freshTenant();
  const reseller = await create(t, "resellers", { name: "R" });
  const customer = await create(t, "customers", { name: "C", resellerId: reseller.id });
  const other = await create(t, "customers", { name: "Other" });
  const subrole = await create(t, "subroles", { customerId: customer.id, code: "cro", label: "CRO", displayName: "Chief", description: "d", permissions: ["customer_user:read"] });
  const g1 = await create(t, "groups", { name: "Billing" });
  const g2 = await create(t, "groups", { name: "Alpha" });
  return { t, reseller, customer, other, subrole, g1, g2, admin: ctxFor({ role: "tenant_admin", tenantId: t.id }) };
}

async function auditFor(tenantAdmin: string, tenantId: string, correlationId: string) {
  return (await call("GET", `/api/v1/tenants/${tenantId}/audit-events?correlationId=${correlationId}`, { token: tenantAdmin, expect: 200 })).body.data;
}

describe("createUser", () => {
  it("writes the user, its groups and one audit event, and reads back identically through every read path", async () => {
    const f = await fixture();
    const ctx = ctxFor({ role: "tenant_admin", tenantId: f.t.id }, "corr-create");
    const created = await createUser(
      ctx,
      { owner: { customerId: f.customer.id }, firstName: " Ada ", lastName: "Lovelace", email: " Ada@Example.COM ", mobile: "+4512345678", subrole: { id: f.subrole.id, code: "cro" }, groupIds: [f.g1.id, f.g2.id] },
      deps,
    );
    expect(created).toMatchObject({
      tenantId: f.t.id,
      customerId: f.customer.id,
      resellerId: f.reseller.id,
      firstName: "Ada",
      lastName: "Lovelace",
      email: "Ada@Example.COM",
      mobile: "+4512345678",
      status: "ACTIVE",
      emailVerified: false,
      isFirstLogin: true,
      hasPassword: false,
      createdBy: "tester",
      updatedBy: "tester",
      subrole: { id: f.subrole.id, code: "cro", label: "CRO", displayName: "Chief", description: "d", permissions: ["customer_user:read"] },
    });
    const read = await getUser(f.admin, { userId: created.id, customerId: f.customer.id });
    // Groups come back sorted by name, whatever order they were given in.
    expect(read).toEqual({ ...created, groups: [{ id: f.g2.id, name: "Alpha" }, { id: f.g1.id, name: "Billing" }] });
    const page = await queryUsers(f.admin, { scope: { customerId: f.customer.id }, where: [], sort: [{ field: "createdAt", dir: "desc" }], page: { kind: "offset", offset: 0, limit: 10, withTotal: true } });
    expect(page.total).toBe(1);
    expect(page.users).toEqual([read]);
    const admin = await listTenantUsers(f.admin, f.t.id, {}, { limit: 10 });
    expect(admin.data).toEqual([read]);
    const events = await auditFor(f.t.admin, f.t.id, "corr-create");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: "user.created", targetType: "user", targetId: created.id, customerId: f.customer.id, actorId: "tester" });
    expect(JSON.stringify(events[0])).not.toMatch(/passwordHash|pbkdf2|emailNorm/);
  });

  it("two simultaneous creates of one e-mail (different case) → exactly one succeeds, one CONFLICT, one audit event", async () => {
    const f = await fixture();
    const ctx = ctxFor({ role: "tenant_admin", tenantId: f.t.id }, "corr-race");
    const results = await Promise.allSettled(
      ["race@example.com", "RACE@example.com "].map((email) => createUser(ctx, { owner: { customerId: f.customer.id }, firstName: "R", lastName: "R", email }, deps)),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const failed = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(failed.reason).toBeInstanceOf(DomainError);
    expect(failed.reason).toMatchObject({ code: "CONFLICT", subject: "email", issues: [{ field: "email", message: "Another customer user exists with the same email." }] });
    expect(await auditFor(f.t.admin, f.t.id, "corr-race")).toHaveLength(1);
  });

  it("a failed create (unknown group) writes nothing: no user, no audit event", async () => {
    const f = await fixture();
    const ctx = ctxFor({ role: "tenant_admin", tenantId: f.t.id }, "corr-fail");
    const missing = crypto.randomUUID();
    await expect(
      createUser(ctx, { owner: { customerId: f.customer.id }, firstName: "X", lastName: "Y", email: "x@y.z", groupIds: [f.g1.id, missing] }, deps),
    ).rejects.toMatchObject({ code: "INVALID", issues: [{ field: "groups.1.id", message: "No group of this tenant has this id." }] });
    expect((await listTenantUsers(f.admin, f.t.id, {}, { limit: 10 })).data).toEqual([]);
    expect(await auditFor(f.t.admin, f.t.id, "corr-fail")).toEqual([]);
  });

  it("a subrole of another customer, or an id/code that disagree, is refused", async () => {
    const f = await fixture();
    const foreign = await create(f.t, "subroles", { customerId: f.other.id, code: "other", label: "O", displayName: "O", permissions: [] });
    await expect(createUser(f.admin, { owner: { customerId: f.customer.id }, firstName: "A", lastName: "B", email: "a@b.c", subrole: { id: foreign.id, code: "other" } }, deps)).rejects.toMatchObject({
      code: "INVALID",
      issues: [{ field: "subrole.id" }],
    });
    await expect(createUser(f.admin, { owner: { customerId: f.customer.id }, firstName: "A", lastName: "B", email: "a@b.c", subrole: { id: f.subrole.id, code: "nope" } }, deps)).rejects.toMatchObject({
      code: "INVALID",
    });
  });

  it("reach: a customer principal of another customer is FORBIDDEN; another tenant's admin gets NOT_FOUND", async () => {
    const f = await fixture();
    const stranger = await freshTenant();
    const input = { owner: { customerId: f.customer.id }, firstName: "A", lastName: "B", email: "reach@b.c" };
    await expect(createUser(ctxFor({ role: "customer", tenantId: f.t.id, customerId: f.other.id }), input, deps)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(createUser(ctxFor({ role: "tenant_admin", tenantId: stranger.id }), input, deps)).rejects.toMatchObject({ code: "NOT_FOUND", subject: "customer" });
    await expect(createUser(ctxFor({ role: "reseller", tenantId: f.t.id, resellerId: crypto.randomUUID() }), input, deps)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await createUser(ctxFor({ role: "reseller", tenantId: f.t.id, resellerId: f.reseller.id }), input, deps)).customerId).toBe(f.customer.id);
  });
});

describe("updateUser / deleteUser", () => {
  it("updates fields, records old and new values, frees the e-mail on soft delete", async () => {
    const f = await fixture();
    const u = await createUser(f.admin, { owner: { customerId: f.customer.id }, firstName: "Old", lastName: "Name", email: "one@example.com", groupIds: [f.g1.id] }, deps);
    const ctx = ctxFor({ role: "tenant_admin", tenantId: f.t.id }, "corr-update");
    const updated = await updateUser(ctx, { userId: u.id, customerId: f.customer.id }, { firstName: "New", status: "INACTIVE", subrole: { code: "cro" }, groupIds: [f.g2.id] }, deps);
    expect(updated).toMatchObject({ firstName: "New", status: "INACTIVE", subrole: { id: f.subrole.id }, groups: [{ id: f.g2.id, name: "Alpha" }] });
    expect(await getUser(f.admin, { userId: u.id })).toEqual(updated);
    const [event] = await auditFor(f.t.admin, f.t.id, "corr-update");
    expect(event.changes).toEqual({
      firstName: { from: "Old", to: "New" },
      status: { from: "ACTIVE", to: "INACTIVE" },
      subroleId: { from: null, to: f.subrole.id },
      groupIds: { from: [f.g1.id], to: [f.g2.id] },
    });
    await deleteUser(f.admin, { userId: u.id, customerId: f.customer.id });
    await expect(getUser(f.admin, { userId: u.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(deleteUser(f.admin, { userId: u.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // The e-mail is free again once its user is removed.
    const again = await createUser(f.admin, { owner: { customerId: f.customer.id }, firstName: "A", lastName: "B", email: "ONE@example.com" }, deps);
    expect(again.id).not.toBe(u.id);
  });

  it("an e-mail change onto a taken e-mail is a CONFLICT and changes nothing", async () => {
    const f = await fixture();
    await createUser(f.admin, { owner: { customerId: f.customer.id }, firstName: "A", lastName: "A", email: "taken@example.com" }, deps);
    const u = await createUser(f.admin, { owner: { customerId: f.customer.id }, firstName: "B", lastName: "B", email: "b@example.com" }, deps);
    await expect(updateUser(f.admin, { userId: u.id }, { email: "Taken@Example.com", firstName: "Changed" }, deps)).rejects.toMatchObject({ code: "CONFLICT", subject: "email" });
    expect(await getUser(f.admin, { userId: u.id })).toMatchObject({ email: "b@example.com", firstName: "B" });
  });
});

describe("races", () => {
  it("two simultaneous deletes of one user: one succeeds, one NOT_FOUND, one audit event", async () => {
    const f = await fixture();
    const u = await createUser(f.admin, { owner: { customerId: f.customer.id }, firstName: "A", lastName: "B", email: "twice@example.com" }, deps);
    const ctx = ctxFor({ role: "tenant_admin", tenantId: f.t.id }, "corr-delete-race");
    const results = await Promise.allSettled([deleteUser(ctx, { userId: u.id }), deleteUser(ctx, { userId: u.id })]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason).toMatchObject({ code: "NOT_FOUND" });
    expect(await auditFor(f.t.admin, f.t.id, "corr-delete-race")).toHaveLength(1);
  });

  it("an update racing a delete: never an event for a change that did not happen", async () => {
    const f = await fixture();
    const u = await createUser(f.admin, { owner: { customerId: f.customer.id }, firstName: "A", lastName: "B", email: "race2@example.com" }, deps);
    const ctx = ctxFor({ role: "tenant_admin", tenantId: f.t.id }, "corr-update-race");
    const [upd] = await Promise.allSettled([updateUser(ctx, { userId: u.id }, { firstName: "Changed" }, deps), deleteUser(ctx, { userId: u.id })]);
    const events = await auditFor(f.t.admin, f.t.id, "corr-update-race");
    expect(events.map((e: { action: string }) => e.action).sort()).toEqual(upd.status === "fulfilled" ? ["user.deleted", "user.updated"] : ["user.deleted"]);
  });
});

describe("live-user counter (customer_user_counts, kept by triggers)", () => {
  it("follows creates, soft deletes and a repeated delete; Worth's total_items reads it", async () => {
    const f = await fixture();
    const made = [];
    for (const email of ["c1@example.com", "c2@example.com", "c3@example.com"]) {
      made.push(await createUser(f.admin, { owner: { customerId: f.customer.id }, firstName: "C", lastName: "C", email }, deps));
    }
    await deleteUser(f.admin, { userId: made[1]!.id });
    await expect(deleteUser(f.admin, { userId: made[1]!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await updateUser(f.admin, { userId: made[0]!.id }, { firstName: "Renamed" }, deps);
    const row = await env.DB.prepare("select live from customer_user_counts where customer_id = ?").bind(f.customer.id).first<{ live: number }>();
    expect(row).toEqual({ live: 2 });
    const worth = await call("GET", `/auth/api/v1/customers/${f.customer.id}/users`, { token: f.t.admin, expect: 200 });
    expect(worth.body.data.total_items).toBe("2");
    expect(worth.body.data.records).toHaveLength(2);
  });
});
