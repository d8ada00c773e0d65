import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import type { Ctx } from "../../src/core/context";
import { DomainError } from "../../src/core/errors";
import { deleteResource, updateResource } from "../../src/core/resources";
import { projectSpec } from "../../src/core/tenant-resources";
import { call, create, expectProblem, freshTenant, unique } from "../harness";
import { base, corr, eventsOf, idsOf, listAll, long } from "./helpers";
import { lifecycle } from "./lifecycle";

const key = () => unique("p").toLowerCase();

describe("projects", () => {
  lifecycle({
    kind: "projects",
    noun: "project",
    setup: async () => ({ key: key(), key2: key() }),
    body: (d) => ({ key: d.key, name: "Project One" }),
    expected: (d) => ({ key: d.key, name: "Project One" }),
    patch: (d) => ({ key: d.key2, name: "Project Renamed" }),
  });

  it("names are trimmed; 255 characters pass, 256 → 400 naming the field", async () => {
    const t = await freshTenant();
    const ok = await call("POST", `${base(t)}/projects`, { token: t.admin, body: { key: key(), name: `  ${long(255)}  ` }, expect: 201 });
    expect(ok.body.name).toBe(long(255));
    const r = await call("POST", `${base(t)}/projects`, { token: t.admin, body: { key: key(), name: long(256) } });
    expectProblem(r, 400, "INVALID", { detail: "Invalid body: name.", errors: [{ field: "name", message: "Too big: expected string to have <=255 characters" }] });
    const p = await call("PATCH", `${base(t)}/projects/${ok.body.id}`, { token: t.admin, body: { name: long(256) } });
    expectProblem(p, 400, "INVALID", { errors: [{ field: "name", message: "Too big: expected string to have <=255 characters" }] });
    expectProblem(await call("POST", `${base(t)}/projects`, { token: t.admin, body: { key: key(), name: "   " } }), 400, "INVALID", {
      errors: [{ field: "name", message: "Too small: expected string to have >=1 characters" }],
    });
  });

  it("keys are slugs: upper case, spaces, 65 characters → 400 naming key", async () => {
    const t = await freshTenant();
    const msg = "Lower-case letters, digits, '-' and '_', at most 64 characters, starting with a letter or digit.";
    for (const bad of ["Upper", "has space", long(65, "k"), "-leading", "", "ключ"]) {
      const r = await call("POST", `${base(t)}/projects`, { token: t.admin, body: { key: bad, name: "P" } });
      expectProblem(r, 400, "INVALID", { errors: [{ field: "key", message: msg }] });
    }
    await call("POST", `${base(t)}/projects`, { token: t.admin, body: { key: long(64, "k"), name: "P" }, expect: 201 });
    expect(await listAll(`${base(t)}/projects`, t.admin)).toHaveLength(1);
  });

  it("mass-assigned fields (id, tenantId, createdAt, updatedAt, secretHash) → 400 naming each, nothing written", async () => {
    const t = await freshTenant();
    const c = corr("mass");
    const r = await call("POST", `${base(t)}/projects`, {
      token: t.admin,
      headers: { "x-correlation-id": c },
      body: { key: key(), name: "P", id: crypto.randomUUID(), tenantId: crypto.randomUUID(), createdAt: 0, updatedAt: 0, secretHash: "x" },
    });
    const notAllowed = (field: string) => ({ field, message: "This property is not allowed." });
    expectProblem(r, 400, "INVALID", {
      detail: "Invalid body: id, tenantId, createdAt, updatedAt, secretHash.",
      errors: ["id", "tenantId", "createdAt", "updatedAt", "secretHash"].map(notAllowed),
    });
    expect(await listAll(`${base(t)}/projects`, t.admin)).toEqual([]);
    expect(await eventsOf(t, c)).toEqual([]);
    const p = await create(t, "projects", { key: key(), name: "P" });
    const pr = await call("PATCH", `${base(t)}/projects/${p.id}`, { token: t.admin, body: { id: crypto.randomUUID() } });
    expectProblem(pr, 400, "INVALID", { errors: [notAllowed("id")] });
  });

  it("a duplicate key in the tenant → 409 (create and patch); the same key in another tenant is fine", async () => {
    const [t, other] = await Promise.all([freshTenant(), freshTenant()]);
    const k = key();
    const first = await create(t, "projects", { key: k, name: "A" });
    const c = corr("dup");
    const dup = await call("POST", `${base(t)}/projects`, { token: t.admin, body: { key: k, name: "B" }, headers: { "x-correlation-id": c } });
    const conflict = { errors: [{ field: "key", message: "Another project of this tenant has this key." }], detail: "Another project of this tenant has this key." };
    expectProblem(dup, 409, "CONFLICT", conflict);
    expect(await eventsOf(t, c)).toEqual([]);
    await create(other, "projects", { key: k, name: "A" });
    const second = await create(t, "projects", { key: key(), name: "B" });
    expectProblem(await call("PATCH", `${base(t)}/projects/${second.id}`, { token: t.admin, body: { key: k } }), 409, "CONFLICT", conflict);
    expect(idsOf(await listAll(`${base(t)}/projects`, t.admin))).toEqual([first.id, second.id]);
  });

  it("two simultaneous creates of one key → exactly one 201 and one 409, one audit event", async () => {
    const t = await freshTenant();
    const k = key();
    const cs = [corr("race"), corr("race")];
    const replies = await Promise.all(cs.map((c) => call("POST", `${base(t)}/projects`, { token: t.admin, body: { key: k, name: "Race" }, headers: { "x-correlation-id": c } })));
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409]);
    expectProblem(replies.find((r) => r.status === 409)!, 409, "CONFLICT");
    const events = [...(await eventsOf(t, cs[0]!)), ...(await eventsOf(t, cs[1]!))];
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: "project.created", targetId: replies.find((r) => r.status === 201)!.body.id });
    expect(await listAll(`${base(t)}/projects`, t.admin)).toHaveLength(1);
  });

  it("four simultaneous deletes → one 204 and three 404s, one audit event", async () => {
    const t = await freshTenant();
    const p = await create(t, "projects", { key: key(), name: "Doomed" });
    const cs = [corr("del"), corr("del"), corr("del"), corr("del")];
    const replies = await Promise.all(cs.map((c) => call("DELETE", `${base(t)}/projects/${p.id}`, { token: t.admin, headers: { "x-correlation-id": c } })));
    expect(replies.map((r) => r.status).sort()).toEqual([204, 404, 404, 404]);
    const events = (await Promise.all(cs.map((c) => eventsOf(t, c)))).flat();
    expect(events.map((e) => e.action)).toEqual(["project.deleted"]);
  });

  it("deleting a project still referenced by a customer or an account → 409, and it still exists", async () => {
    const t = await freshTenant();
    const p1 = await create(t, "projects", { key: key(), name: "Used by customer" });
    const p2 = await create(t, "projects", { key: key(), name: "Used by account" });
    await create(t, "customers", { name: "C", projectId: p1.id });
    await create(t, "accounts", { name: "A", role: "tenant_admin", projectId: p2.id, scopes: ["users:read"] });
    for (const p of [p1, p2]) {
      const c = corr("inuse");
      const r = await call("DELETE", `${base(t)}/projects/${p.id}`, { token: t.admin, headers: { "x-correlation-id": c } });
      expectProblem(r, 409, "CONFLICT", { detail: "The project still has customers or accounts." });
      expect((await call("GET", `${base(t)}/projects/${p.id}`, { token: t.admin, expect: 200 })).body).toEqual(p);
      expect(await eventsOf(t, c)).toEqual([]);
    }
  });

  it("malformed ids and an empty patch → 400", async () => {
    const t = await freshTenant();
    const p = await create(t, "projects", { key: key(), name: "P" });
    expectProblem(await call("GET", `${base(t)}/projects/not-a-uuid`, { token: t.admin }), 400, "INVALID", {
      detail: "Invalid param: id.",
      errors: [{ field: "id", message: "Invalid UUID" }],
    });
    expectProblem(await call("DELETE", `${base(t)}/projects/${p.id}x`, { token: t.admin }), 400, "INVALID", { errors: [{ field: "id", message: "Invalid UUID" }] });
    expectProblem(await call("GET", `/api/v1/tenants/nope/projects`, { token: t.admin }), 400, "INVALID", { errors: [{ field: "tenantId", message: "Invalid UUID" }] });
    const empty = await call("PATCH", `${base(t)}/projects/${p.id}`, { token: t.admin, body: {} });
    expectProblem(empty, 400, "INVALID", { errors: [{ field: "", message: "At least one property is required." }] });
    expectProblem(await call("GET", `${base(t)}/projects/${crypto.randomUUID()}`, { token: t.admin }), 404, "NOT_FOUND", { detail: "Project not found." });
  });

  it("a patch that changes nothing answers the row and writes no audit event", async () => {
    const t = await freshTenant();
    const p = await create(t, "projects", { key: key(), name: "Same" });
    const c = corr("noop");
    const r = await call("PATCH", `${base(t)}/projects/${p.id}`, { token: t.admin, body: { name: "Same" }, headers: { "x-correlation-id": c }, expect: 200 });
    expect(r.body).toEqual(p);
    expect(await eventsOf(t, c)).toEqual([]);
  });
});

/** A Ctx whose `n`th batch (1-based) is preceded by `before`: the concurrent request. */
function racingCtx(tenantId: string, n: number, before: () => Promise<unknown>): Ctx {
  let batches = 0;
  const d1 = {
    prepare: (q: string) => env.DB.prepare(q),
    batch: async (stmts: D1PreparedStatement[]) => {
      if (++batches === n) await before();
      return env.DB.batch(stmts);
    },
  } as unknown as D1Database;
  return {
    db: drizzle(d1),
    principal: { sub: "racer", role: "tenant_admin", tenantId, customerId: null, resellerId: null, projectId: null, scopes: new Set(["admin"]), issuedAt: 0 },
    correlationId: corr("race"),
    now: () => Date.now(),
    newId: () => crypto.randomUUID(),
    tokenLifetimeSeconds: 3631,
  };
}

const deleteRow = (id: string) => () => env.DB.prepare("delete from projects where id = ?").bind(id).run();

async function expectNotFound(p: Promise<unknown>) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  expect((err as DomainError).code).toBe("NOT_FOUND");
}

/**
 * Races the local D1 serialises too well to provoke through HTTP: another request deletes the row
 * between a verb's read and its write batch. PATCH and DELETE must then answer 404 and write no
 * audit event (an audit trail of changes that never happened is a false record).
 */
describe("projects: a row deleted between the read and the write", () => {
  it("PATCH → NOT_FOUND and no audit event", async () => {
    const t = await freshTenant();
    const p = await create(t, "projects", { key: key(), name: "P" });
    // updateResource reads in its first batch and writes in its second: race the second.
    const ctx = racingCtx(t.id, 2, deleteRow(p.id));
    await expectNotFound(updateResource(ctx, projectSpec, t.id, p.id, { name: "Renamed" }));
    expect(await eventsOf(t, ctx.correlationId)).toEqual([]);
  });

  it("DELETE → NOT_FOUND and no audit event", async () => {
    const t = await freshTenant();
    const p = await create(t, "projects", { key: key(), name: "P" });
    // deleteResource reads with a single statement, then writes in its first batch.
    const ctx = racingCtx(t.id, 1, deleteRow(p.id));
    await expectNotFound(deleteResource(ctx, projectSpec, t.id, p.id));
    expect(await eventsOf(t, ctx.correlationId)).toEqual([]);
  });
});
