/**
 * Data integrity across the surfaces (issue 6 §4): one e-mail created twenty times at once through
 * three dialects wins once; a write whose later statement fails leaves nothing behind; a failed
 * create writes no audit event; and every mutation is read back at once in every dialect.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, create, dbTrips, freshTenant, unique, type Reply, type Tenant } from "../harness";

const W = "/auth/api/v1";
const C = "/functions/v1/public";

interface World {
  t: Tenant;
  project: { id: string; key: string };
  customer: { id: string; key: string };
  subrole: { id: string; code: string; label: string };
  cc: Record<string, string>;
  worthUsers: string;
  cortiUsers: string;
  ccUsers: string;
}

async function world(): Promise<World> {
  const t = await freshTenant();
  const project = await create(t, "projects", { key: unique("p").toLowerCase(), name: "P" });
  const customer = await create(t, "customers", { name: "C", projectId: project.id, key: unique("c") });
  const s = await create(t, "subroles", { customerId: customer.id, code: "cro", label: "CRO", displayName: "CRO", permissions: ["customer_user:read"] });
  const subrole = { id: s.id, code: s.code, label: s.label };
  return {
    t,
    project,
    customer,
    subrole,
    cc: { "x-tenant": t.domain },
    worthUsers: `${W}/customers/${customer.id}/users`,
    cortiUsers: `${C}/projects/${project.key}/customers/${customer.key}/users`,
    ccUsers: `/v1/customer/${customer.id}/users`,
  };
}

/** The tenant's live users with this e-mail (any case), through the admin API. */
async function usersWithEmail(w: World, email: string): Promise<{ id: string; email: string; firstName: string; groupIds: string[] }[]> {
  const r = await call("GET", `/api/v1/tenants/${w.t.id}/users?email=${encodeURIComponent(email.toLowerCase())}&limit=200`, { token: w.t.admin, expect: 200 });
  return r.body.data;
}

/** Audit events written under a correlation id. */
async function eventsOf(w: World, correlationId: string): Promise<{ action: string; targetId: string }[]> {
  const r = await call("GET", `/api/v1/tenants/${w.t.id}/audit-events?correlationId=${correlationId}&limit=200`, { token: w.t.admin, expect: 200 });
  return r.body.data;
}

const tag = () => crypto.randomUUID();
/** The correlation id of the request under test. */
let last = "";
const h = () => ({ "x-correlation-id": last });

let w: World;
beforeAll(async () => {
  w = await world();
});

describe("one e-mail, twenty concurrent creates through three dialects", () => {
  it("exactly one wins; every other gets its dialect's duplicate error; one row, one audit event", async () => {
    const local = unique("race");
    const variants = [`${local}@race.example.com`, `${local.toUpperCase()}@RACE.EXAMPLE.COM`, `${local}@Race.Example.Com`, `${local[0]!.toUpperCase()}${local.slice(1)}@race.EXAMPLE.com`];
    const dialects = ["worth", "corti", "cloudcockpit"] as const;
    const attempts = Array.from({ length: 20 }, (_, i) => ({ dialect: dialects[i % 3]!, email: variants[i % variants.length]!, correlationId: tag() }));
    const replies = await Promise.all(
      attempts.map(({ dialect, email, correlationId }) => {
        const headers = { "x-correlation-id": correlationId };
        if (dialect === "worth") {
          return call("POST", w.worthUsers, { token: w.t.admin, headers, body: { first_name: "Race", last_name: "Worth", email, subrole: w.subrole } });
        }
        if (dialect === "corti") return call("POST", w.cortiUsers, { token: w.t.admin, headers, body: { email, firstName: "Race", lastName: "Corti" } });
        return call("POST", w.ccUsers, { token: w.t.admin, headers: { ...headers, ...w.cc }, body: { firstName: "Race", lastName: "CloudCockpit", email, groups: [] } });
      }),
    );
    const wins = replies.filter((r) => r.status < 300);
    expect(wins.map((r) => r.status)).toHaveLength(1);
    replies.forEach((r, i) => {
      if (r.status < 300) return;
      const d = attempts[i]!.dialect;
      if (d === "worth") {
        expect({ status: r.status, body: r.body }).toEqual({
          status: 400,
          body: { status: "fail", message: "Another customer user exists with the same email.", errorCode: "INVALID", data: { errorName: "CustomersApiError" } },
        });
      } else if (d === "corti") {
        expect(r.status, r.text).toBe(409);
        expect(r.body).toMatchObject({ code: "CONFLICT", message: expect.any(String) });
        expect(Object.keys(r.body).filter((k) => !["message", "code", "details"].includes(k))).toEqual([]);
      } else {
        expect(r.status, r.text).toBe(400);
        expect(r.body).toMatchObject({ statusCode: 400, type: "ValidationError", correlationId: attempts[i]!.correlationId });
        expect(r.body.errors[0].propertyName).toBe("email");
      }
    });
    const rows = await usersWithEmail(w, variants[0]!);
    expect(rows).toHaveLength(1);
    // One creation event in the whole tenant for that user, under the winner's correlation id.
    const winner = attempts[replies.findIndex((r) => r.status < 300)]!;
    expect((await eventsOf(w, winner.correlationId)).map((e) => [e.action, e.targetId])).toEqual([["user.created", rows[0]!.id]]);
    for (const a of attempts.filter((x) => x !== winner)) expect(await eventsOf(w, a.correlationId)).toEqual([]);
  });
});

describe("a multi-row write whose later statement fails leaves nothing behind", () => {
  /**
   * A group removed between the verb's read and its write batch. To make it happen every time, a
   * trigger removes the group inside the batch, right after the user row is written: the group link
   * (a later statement of the same batch) then fails its foreign key and D1 rolls back the whole
   * batch — the user row, and the trigger's own delete with it. Before the fix this was a 500.
   */
  async function groupVanishesAfter(event: "insert" | "update", userWhere: string, groupId: string, run: () => Promise<Reply>): Promise<Reply> {
    const name = `vanish_${crypto.randomUUID().replace(/-/g, "")}`;
    await env.DB.prepare(`create trigger ${name} after ${event} on users when ${userWhere} begin delete from groups where id = '${groupId}'; end`).run();
    try {
      return await run();
    } finally {
      await env.DB.prepare(`drop trigger ${name}`).run();
    }
  }

  const retryText = "Something this request refers to was removed while it ran; retry.";

  it("create [user, group links, audit]: the link fails → 400 in CloudCockpit's body, no user, no link, no event", async () => {
    const [g, keep] = [await create(w.t, "groups", { name: unique("vanish") }), await create(w.t, "groups", { name: unique("keep") })];
    const email = `${unique("vanish")}@late.example.com`;
    const correlationId = tag();
    const r = await groupVanishesAfter("insert", `new.email = '${email}'`, g.id, () =>
      call("POST", w.ccUsers, { token: w.t.admin, headers: { ...w.cc, "x-correlation-id": correlationId }, body: { firstName: "Late", lastName: "Fail", email, groups: [{ id: keep.id }, { id: g.id }] } }),
    );
    expect(r.status, r.text).toBe(400);
    expect(r.body).toEqual({ statusCode: 400, type: "ValidationError", description: retryText, correlationId, errors: [] });
    expect(dbTrips(r)).toBe(1); // reads and write in one batch: the link fails, the whole batch rolls back
    expect(await usersWithEmail(w, email)).toEqual([]);
    expect(await env.DB.prepare("select count(*) as n from user_groups where group_id in (?, ?)").bind(g.id, keep.id).first("n")).toBe(0);
    expect(await eventsOf(w, correlationId)).toEqual([]);
    // The trigger's delete was rolled back with the batch: the group is still there.
    expect((await call("GET", `/api/v1/tenants/${w.t.id}/groups/${g.id}`, { token: w.t.admin })).status).toBe(200);
  });

  it("update [audit, user row, unlink, link]: the link fails after the user row changed → 400, name, groups and events unchanged", async () => {
    const [base, g] = [await create(w.t, "groups", { name: unique("base") }), await create(w.t, "groups", { name: unique("vanish") })];
    const email = `${unique("vanish")}@late.example.com`;
    const id = (await call("POST", w.ccUsers, { token: w.t.admin, headers: w.cc, body: { firstName: "Before", lastName: "Patch", email, groups: [{ id: base.id }] }, expect: 201 })).body;
    const correlationId = tag();
    const r = await groupVanishesAfter("update", `new.id = '${id}'`, g.id, () =>
      call("PATCH", `/v1/users/${encodeURIComponent(email)}`, { token: w.t.admin, headers: { ...w.cc, "x-correlation-id": correlationId }, body: { firstName: "After", groups: [{ id: g.id }] } }),
    );
    expect(r.status, r.text).toBe(400);
    expect(r.body).toEqual({ statusCode: 400, type: "ValidationError", description: retryText, correlationId, errors: [] });
    expect(await usersWithEmail(w, email)).toMatchObject([{ id, firstName: "Before", groupIds: [base.id] }]);
    expect(await eventsOf(w, correlationId)).toEqual([]);
  });

  /**
   * The same, as a real race: a create (or a PATCH) naming a group while an admin deletes it. The
   * scheduler decides the interleaving; whichever happens, the outcome is whole — the change with
   * its link and its event (and the delete refused, the group has a member), or a 400 and nothing.
   * When the delete lands between the verb's read and its batch, the verb retries and answers as if
   * the group had never been there.
   */
  it("a real race: CloudCockpit creates naming a group an admin deletes at the same time → all or nothing, never a 500", async () => {
    for (let round = 0; round < 25; round++) {
      const [g, keep] = await Promise.all([create(w.t, "groups", { name: unique("g") }), create(w.t, "groups", { name: unique("keep") })]);
      const email = `${unique("late")}@late.example.com`;
      const correlationId = tag();
      const [cr, del] = await Promise.all([
        call("POST", w.ccUsers, { token: w.t.admin, headers: { ...w.cc, "x-correlation-id": correlationId }, body: { firstName: "Late", lastName: "Fail", email, groups: [{ id: keep.id }, { id: g.id }] } }),
        call("DELETE", `/api/v1/tenants/${w.t.id}/groups/${g.id}`, { token: w.t.admin }),
      ]);
      const rows = await usersWithEmail(w, email);
      if (cr.status === 201) {
        expect(del.status, del.text).toBe(409); // the group has a member now
        expect(rows.map((u) => u.groupIds.sort())).toEqual([[keep.id, g.id].sort()]);
        expect((await eventsOf(w, correlationId)).map((e) => e.action)).toEqual(["user.created"]);
        continue;
      }
      expect(cr.status, cr.text).toBe(400);
      expect(del.status).toBe(204);
      expect(cr.body).toMatchObject({ statusCode: 400, type: "ValidationError", correlationId });
      expect(cr.body.errors).toEqual([{ propertyName: "groups[1].id", description: ["No group of this tenant has this id."] }]);
      expect(rows).toEqual([]);
      expect(await env.DB.prepare("select count(*) as n from user_groups where group_id in (?, ?)").bind(g.id, keep.id).first("n")).toBe(0);
      expect(await eventsOf(w, correlationId)).toEqual([]);
    }
  });

  it("a real race: CloudCockpit PATCHes naming a group an admin deletes at the same time → both changes or neither", async () => {
    const email = `${unique("patch")}@late.example.com`;
    const base = await create(w.t, "groups", { name: unique("base") });
    await call("POST", w.ccUsers, { token: w.t.admin, headers: w.cc, body: { firstName: "Before", lastName: "Patch", email, groups: [{ id: base.id }] }, expect: 201 });
    for (let round = 0; round < 25; round++) {
      const g = await create(w.t, "groups", { name: unique("g") });
      const correlationId = tag();
      const name = `After ${round}`;
      const [p, del] = await Promise.all([
        call("PATCH", `/v1/users/${encodeURIComponent(email)}`, { token: w.t.admin, headers: { ...w.cc, "x-correlation-id": correlationId }, body: { firstName: name, groups: [{ id: g.id }] } }),
        call("DELETE", `/api/v1/tenants/${w.t.id}/groups/${g.id}`, { token: w.t.admin }),
      ]);
      const [row] = await usersWithEmail(w, email);
      if (p.status === 204) {
        expect(del.status, del.text).toBe(409);
        expect(row).toMatchObject({ firstName: name, groupIds: [g.id] });
        expect((await eventsOf(w, correlationId)).map((e) => e.action)).toEqual(["user.updated"]);
        // Back to the base state for the next round.
        await call("PATCH", `/v1/users/${encodeURIComponent(email)}`, { token: w.t.admin, headers: w.cc, body: { firstName: "Before", groups: [{ id: base.id }] }, expect: 204 });
        continue;
      }
      expect(p.status, p.text).toBe(400);
      expect(del.status).toBe(204);
      expect(p.body.errors).toEqual([{ propertyName: "groups[0].id", description: ["No group of this tenant has this id."] }]);
      expect(row).toMatchObject({ firstName: "Before", groupIds: [base.id] });
      expect(await eventsOf(w, correlationId)).toEqual([]);
    }
  });

  it("the batch's last statement refused (fault injected on the audit insert): no user, no group link, an opaque 500", async () => {
    // A trigger stands in for any failure of the last statement (storage error, limit): the user
    // row and its links were written earlier in the same batch and must be rolled back with it.
    const id = crypto.randomUUID();
    const g = await create(w.t, "groups", { name: unique("fault") });
    await env.DB.prepare(`create trigger fault_${id.replace(/-/g, "")} before insert on audit_events when new.target_id = '${id}' begin select raise(abort, 'injected fault'); end`).run();
    try {
      const email = `${unique("fault")}@fault.example.com`;
      const r = await call("POST", w.ccUsers, { token: w.t.admin, headers: w.cc, body: { id, firstName: "Fault", lastName: "Injected", email, groups: [{ id: g.id }] } });
      expect(r.status).toBe(500);
      expect(r.body).toEqual({ statusCode: 500, type: "InternalServerError", description: "An unexpected error occurred.", correlationId: r.headers.get("x-correlation-id"), errors: [] });
      expect(r.text).not.toMatch(/injected|SQLITE|D1_ERROR/i);
      expect(await env.DB.prepare("select count(*) as n from users where id = ?").bind(id).first("n")).toBe(0);
      expect(await env.DB.prepare("select count(*) as n from user_groups where user_id = ?").bind(id).first("n")).toBe(0);
      expect(await usersWithEmail(w, email)).toEqual([]);
    } finally {
      await env.DB.prepare(`drop trigger fault_${id.replace(/-/g, "")}`).run();
    }
    // Without the fault the very same create goes through: it was the fault, not the input.
    const ok = await call("POST", w.ccUsers, { token: w.t.admin, headers: w.cc, body: { id, firstName: "Fault", lastName: "Injected", email: `${unique("ok")}@fault.example.com`, groups: [{ id: g.id }] } });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body).toBe(id);
  });
});

describe("a failed create writes no audit event", () => {
  it("duplicate e-mail, taken id, invalid body, unknown subrole or group — in every dialect — leave no event", async () => {
    const email = `${unique("dup")}@audit.example.com`;
    const first = tag();
    const created = await call("POST", w.ccUsers, { token: w.t.admin, headers: { ...w.cc, "x-correlation-id": first }, body: { firstName: "A", lastName: "B", email, groups: [] }, expect: 201 });
    // The check can see events: the successful create wrote exactly one.
    expect((await eventsOf(w, first)).map((e) => e.action)).toEqual(["user.created"]);
    const failures: [string, () => Promise<Reply>, number][] = [
      ["Worth duplicate", () => call("POST", w.worthUsers, { token: w.t.admin, headers: h(), body: { first_name: "A", last_name: "B", email: email.toUpperCase(), subrole: w.subrole } }), 400],
      ["Worth unknown subrole", () => call("POST", w.worthUsers, { token: w.t.admin, headers: h(), body: { first_name: "A", last_name: "B", email: `${unique("x")}@a.example.com`, subrole: { ...w.subrole, id: crypto.randomUUID() } } }), 400],
      ["Corti duplicate", () => call("POST", w.cortiUsers, { token: w.t.admin, headers: h(), body: { email, firstName: "A", lastName: "B" } }), 409],
      ["Corti short password", () => call("POST", w.cortiUsers, { token: w.t.admin, headers: h(), body: { email: `${unique("x")}@a.example.com`, firstName: "A", lastName: "B", password: "short" } }), 400],
      ["CloudCockpit duplicate", () => call("POST", w.ccUsers, { token: w.t.admin, headers: { ...h(), ...w.cc }, body: { firstName: "A", lastName: "B", email: ` ${email.toUpperCase()} `, groups: [] } }), 400],
      ["CloudCockpit taken id", () => call("POST", w.ccUsers, { token: w.t.admin, headers: { ...h(), ...w.cc }, body: { id: created.body, firstName: "A", lastName: "B", email: `${unique("x")}@a.example.com`, groups: [] } }), 400],
      ["CloudCockpit unknown group", () => call("POST", w.ccUsers, { token: w.t.admin, headers: { ...h(), ...w.cc }, body: { firstName: "A", lastName: "B", email: `${unique("x")}@a.example.com`, groups: [{ id: crypto.randomUUID() }] } }), 400],
      ["admin duplicate group", async () => call("POST", `/api/v1/tenants/${w.t.id}/groups`, { token: w.t.admin, headers: h(), body: { name: (await create(w.t, "groups", { name: unique("dupg") })).name } }), 409],
    ];
    for (const [label, send, status] of failures) {
      last = tag();
      const r = await send();
      expect(r.status, `${label}: ${r.text}`).toBe(status);
      expect(await eventsOf(w, last), label).toEqual([]);
    }
    expect(await usersWithEmail(w, email)).toHaveLength(1);
  });
});

describe("read-your-writes after every mutation, in every dialect", () => {
  it("Worth: create → get and list show it; patch → get and list show the change", async () => {
    const email = `${unique("ryw")}@worth.example.com`;
    const id = (await call("POST", w.worthUsers, { token: w.t.admin, body: { first_name: "Read", last_name: "Mine", email, subrole: w.subrole }, expect: 200 })).body.data.user_id;
    const got = await call("GET", `${w.worthUsers}/${id}`, { token: w.t.admin, expect: 200 });
    expect(got.body.data).toMatchObject({ id, first_name: "Read", last_name: "Mine", email, status: "ACTIVE", subrole: { id: w.subrole.id, code: "cro" } });
    const listed = await call("GET", `${w.worthUsers}?filter[email]=${encodeURIComponent(email)}`, { token: w.t.admin, expect: 200 });
    expect(listed.body.data.records.map((u: { id: string }) => u.id)).toEqual([id]);
    await call("PATCH", `${w.worthUsers}/${id}`, { token: w.t.admin, body: { first_name: "Changed", status: "INACTIVE", mobile: "+4512345678" }, expect: 200 });
    expect((await call("GET", `${w.worthUsers}/${id}`, { token: w.t.admin, expect: 200 })).body.data).toMatchObject({ first_name: "Changed", status: "INACTIVE", mobile: "+4512345678" });
    const after = await call("GET", `${w.worthUsers}?filter[first_name]=Changed&filter[email]=${encodeURIComponent(email)}`, { token: w.t.admin, expect: 200 });
    expect(after.body.data.records).toHaveLength(1);
  });

  it("Corti: create → list shows it; patch → list shows the change; delete → gone from every surface", async () => {
    const email = `${unique("ryw")}@corti.example.com`;
    const created = await call("POST", w.cortiUsers, { token: w.t.admin, body: { email, firstName: "Read", lastName: "Mine" }, expect: 201 });
    const find = async () => ((await call("GET", `${w.cortiUsers}?pageSize=100`, { token: w.t.admin, expect: 200 })).body.users as { id: string }[]).find((u) => u.id === created.body.id);
    expect(await find()).toMatchObject({ id: created.body.id, email, firstName: "Read", lastName: "Mine", enabled: true });
    await call("PATCH", `${w.cortiUsers}/${created.body.id}`, { token: w.t.admin, body: { firstName: "Changed", enabled: false }, expect: 200 });
    expect(await find()).toMatchObject({ firstName: "Changed", enabled: false });
    await call("DELETE", `${w.cortiUsers}/${created.body.id}`, { token: w.t.admin, expect: 204 });
    expect(await find()).toBeUndefined();
    expect((await call("GET", `${w.worthUsers}/${created.body.id}`, { token: w.t.admin })).status).toBe(404);
    expect(await usersWithEmail(w, email)).toEqual([]);
  });

  it("CloudCockpit: create → both lists show it; patch → they show the change; delete → gone from every surface", async () => {
    const email = `${unique("ryw")}@cc.example.com`;
    const g = await create(w.t, "groups", { name: unique("ryw") });
    const id = (await call("POST", w.ccUsers, { token: w.t.admin, headers: w.cc, body: { firstName: "Read", lastName: "Mine", email, role: { name: "cro" }, groups: [{ id: g.id }] }, expect: 201 })).body;
    const search = async () => (await call("GET", `/v1/users?search=${encodeURIComponent(email)}`, { token: w.t.admin, headers: w.cc, expect: 200 })).body.items;
    const inCustomer = async () => ((await call("GET", w.ccUsers, { token: w.t.admin, headers: w.cc, expect: 200 })).body as { id: string }[]).find((u) => u.id === id);
    const expected = { id, firstName: "Read", lastName: "Mine", email, role: { name: "cro" }, groups: [{ id: g.id, name: g.name }] };
    expect(await search()).toEqual([expected]);
    expect(await inCustomer()).toEqual(expected);
    await call("PATCH", `/v1/users/${encodeURIComponent(email)}`, { token: w.t.admin, headers: w.cc, body: { lastName: "Changed", role: null, groups: [] }, expect: 204 });
    const changed = { ...expected, lastName: "Changed", role: null, groups: [] };
    expect(await search()).toEqual([changed]);
    expect(await inCustomer()).toEqual(changed);
    await call("DELETE", `/v1/users/${encodeURIComponent(email.toUpperCase())}`, { token: w.t.admin, headers: w.cc, expect: 204 });
    expect(await search()).toEqual([]);
    expect(await inCustomer()).toBeUndefined();
    expect((await call("GET", `${w.worthUsers}/${id}`, { token: w.t.admin })).status).toBe(404);
  });

  it("admin API: create → get and list show it; patch → get shows the change; delete → 404 and gone from the list", async () => {
    const base = `/api/v1/tenants/${w.t.id}/resellers`;
    const r = await call("POST", base, { token: w.t.admin, body: { name: "Read mine" }, expect: 201 });
    expect((await call("GET", `${base}/${r.body.id}`, { token: w.t.admin, expect: 200 })).body).toEqual(r.body);
    const list = async () => ((await call("GET", `${base}?limit=200`, { token: w.t.admin, expect: 200 })).body.data as { id: string; name: string }[]).find((x) => x.id === r.body.id);
    expect(await list()).toEqual(r.body);
    await call("PATCH", `${base}/${r.body.id}`, { token: w.t.admin, body: { name: "Changed" }, expect: 200 });
    expect((await call("GET", `${base}/${r.body.id}`, { token: w.t.admin, expect: 200 })).body.name).toBe("Changed");
    expect((await list())?.name).toBe("Changed");
    await call("DELETE", `${base}/${r.body.id}`, { token: w.t.admin, expect: 204 });
    expect((await call("GET", `${base}/${r.body.id}`, { token: w.t.admin })).status).toBe(404);
    expect(await list()).toBeUndefined();
  });
});
