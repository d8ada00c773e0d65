/**
 * One user is one row whichever dialect created it (docs/api/domain.md#one-user-one-row): a user created through Corti is
 * listed by Worth for the same customer with the same fields, `enabled:false` shows as INACTIVE
 * there, and the admin API sees the same row.
 */
import { describe, expect, it } from "vitest";
import { call } from "../harness";
import { cortiUser, PASSWORD, world } from "./helpers";

describe("Corti → Worth and the admin API", () => {
  it("the Worth list of the same customer shows the user with the same fields; enabled:false is status INACTIVE", async () => {
    const w = await world();
    const u = await cortiUser(w, { firstName: "Ada", lastName: "Lovelace", password: PASSWORD });
    const worthList = `/auth/api/v1/customers/${w.customer.id}/users`;

    const before = await call("GET", worthList, { token: w.tenant.admin, expect: 200 });
    expect(before.body.data.records).toHaveLength(1);
    expect(before.body.data.records[0]).toMatchObject({
      id: u.id,
      first_name: "Ada",
      last_name: "Lovelace",
      email: u.email,
      is_email_verified: false,
      created_at: u.createdAt,
      status: "ACTIVE",
      subrole: null,
    });

    const disabled = await call("PATCH", `${w.usersPath}/${u.id}`, { token: w.tenant.admin, body: { enabled: false }, expect: 200 });
    expect(disabled.body.enabled).toBe(false);
    const after = await call("GET", worthList, { token: w.tenant.admin, expect: 200 });
    expect(after.body.data.records).toEqual([{ ...before.body.data.records[0], status: "INACTIVE", updated_at: expect.any(String) }]);

    const admin = await call("GET", `/api/v1/tenants/${w.tenant.id}/users?customerId=${w.customer.id}`, { token: w.tenant.admin, expect: 200 });
    expect(admin.body.data).toEqual([
      expect.objectContaining({ id: u.id, customerId: w.customer.id, email: u.email, firstName: "Ada", lastName: "Lovelace", status: "INACTIVE", hasPassword: true, createdAt: u.createdAt }),
    ]);
  });

  it("a user deleted through Corti leaves the Worth list", async () => {
    const w = await world();
    const u = await cortiUser(w);
    await call("DELETE", `${w.usersPath}/${u.id}`, { token: w.tenant.admin, expect: 204 });
    const list = await call("GET", `/auth/api/v1/customers/${w.customer.id}/users`, { token: w.tenant.admin, expect: 200 });
    expect(list.body.data.records).toEqual([]);
  });
});
