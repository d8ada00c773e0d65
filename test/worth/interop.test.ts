/**
 * One user is one row whichever surface wrote it (docs/api/domain.md#one-user-one-row): a user created or changed through
 * Worth is returned by the admin API's user list with the same values, and a user stored by
 * another surface (here: a row as the CloudCockpit path writes it, with no subrole) is returned by
 * Worth with the same values the admin API shows.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call } from "../harness";
import { createWorthUser, worth, worthWorld, type WorthWorld } from "./helpers";

let w: WorthWorld;
beforeAll(async () => {
  w = await worthWorld();
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- bodies compared field by field

/** The admin view of a user, mapped to Worth's wire field by field. */
function adminAsWorth(a: Json, subrole: Json | null): Json {
  return {
    id: a.id,
    first_name: a.firstName,
    last_name: a.lastName,
    email: a.email,
    mobile: a.mobile,
    is_email_verified: a.emailVerified,
    is_first_login: a.isFirstLogin,
    created_at: a.createdAt,
    created_by: a.createdBy,
    updated_at: a.updatedAt,
    updated_by: a.updatedBy,
    ext_auth_ref_id: a.extAuthRefId,
    status: a.status,
    subrole,
  };
}

/** A row as another surface writes it: no subrole, its own creator id, e-mail verified. */
async function insertAsOtherSurface(email: string): Promise<string> {
  const id = crypto.randomUUID();
  const now = Date.now();
  await env.DB.prepare(
    `insert into users (id, tenant_id, customer_id, reseller_id, first_name, last_name, email, email_norm, mobile, status, email_verified,
       is_first_login, subrole_id, password_hash, ext_auth_ref_id, created_at, created_by, updated_at, updated_by, deleted_at)
     values (?, ?, ?, ?, 'Other', 'Surface', ?, ?, null, 'ACTIVE', 1, 0, null, null, ?, ?, ?, ?, ?, null)`,
  )
    .bind(id, w.tenant.id, w.customer.id, w.reseller.id, email, email.toLowerCase(), crypto.randomUUID(), now, "cloudcockpit-client", now, "cloudcockpit-client")
    .run();
  return id;
}

const adminList = async () => (await call("GET", `/api/v1/tenants/${w.tenant.id}/users?customerId=${w.customer.id}&limit=200`, { token: w.tenant.admin, expect: 200 })).body.data as Json[];
const worthOne = async (id: string) => (await worth("GET", `/customers/${w.customer.id}/users/${id}`, { token: w.tokens.customer, expect: 200 })).body.data as Json;

describe("Worth ↔ admin API", () => {
  it("a user created through Worth is in the admin list with the same values", async () => {
    const id = await createWorthUser(w, { first_name: "Cross", last_name: "Over", mobile: "+1 555 0142" });
    const a = (await adminList()).find((u) => u.id === id) as Json;
    expect(a).toMatchObject({ customerId: w.customer.id, tenantId: w.tenant.id, resellerId: w.reseller.id, subroleId: w.cro.id, hasPassword: false, groupIds: [] });
    const mine = await worthOne(id);
    expect(adminAsWorth(a, mine.subrole)).toEqual(mine);
  });

  it("a change made through Worth is what the admin API shows", async () => {
    const id = await createWorthUser(w);
    await worth("PATCH", `/customers/${w.customer.id}/users/${id}`, { token: w.tokens.customer, body: { last_name: "Renamed", status: "INACTIVE", subrole: { code: "viewer" } }, expect: 200 });
    const a = (await call("GET", `/api/v1/tenants/${w.tenant.id}/users/${id}`, { token: w.tenant.admin, expect: 200 })).body;
    expect(a).toMatchObject({ lastName: "Renamed", status: "INACTIVE", subroleId: w.viewer.id });
    expect(adminAsWorth(a, (await worthOne(id)).subrole)).toEqual(await worthOne(id));
  });

  it("a user stored by another surface (no subrole) is listed by Worth as the admin API shows it", async () => {
    const id = await insertAsOtherSurface("Other.Surface@Example.com");
    const a = (await adminList()).find((u) => u.id === id) as Json;
    expect(a).toBeDefined();
    const list = await worth("GET", `/customers/${w.customer.id}/users?filter[email]=other.surface@example.com`, { token: w.tokens.customer, expect: 200 });
    expect(list.body.data.records).toEqual([adminAsWorth(a, null)]);
    expect(await worthOne(id)).toEqual(adminAsWorth(a, null));
    // Worth may give it a subrole; the admin API then shows it.
    await worth("PATCH", `/customers/${w.customer.id}/users/${id}`, { token: w.tokens.customer, body: { subrole: { id: w.cro.id, code: "cro" } }, expect: 200 });
    expect((await call("GET", `/api/v1/tenants/${w.tenant.id}/users/${id}`, { token: w.tenant.admin, expect: 200 })).body.subroleId).toBe(w.cro.id);
  });

  it("the same e-mail cannot exist twice across surfaces", async () => {
    await insertAsOtherSurface("Taken.Elsewhere@Example.com");
    const r = await worth("POST", `/customers/${w.customer.id}/users`, {
      token: w.tokens.customer,
      body: { first_name: "A", last_name: "B", email: "taken.ELSEWHERE@example.com", subrole: { id: w.cro.id, code: "cro", label: "CRO" } },
    });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe("Another customer user exists with the same email.");
  });
});
