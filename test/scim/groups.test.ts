/**
 * SCIM Groups (docs/decisions/0011-scim.md#groups): the tenant's groups as each customer's identity
 * provider sees them — its own users as members, never another customer's — and group push as Okta
 * and Microsoft Entra send it; each membership change read back on the other surfaces and in the
 * audit trail; errors whole, writing nothing.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, dbTrips, unique } from "../harness";
import { world, type World } from "../world";
import { expectScimError, PATCH_URN, scim, scimToken } from "./helpers";

const GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group";
let w: World;
let a: string;
let b: string;
/** Users of customer A (a1, a2) and of customer B (b1), made through SCIM. */
let a1: string, a2: string, b1: string;
let eng: { id: string; name: string };
let sales: { id: string; name: string };

const patch = (...Operations: Record<string, unknown>[]) => ({ schemas: [PATCH_URN], Operations });
const user = async (token: string) => (await scim("POST", "/Users", token, { userName: `${unique("g")}@example.com`, name: { givenName: "G", familyName: "M" } })).body.id as string;
const memberIds = (body: { members?: { value: string }[] }) => (body.members ?? []).map((m) => m.value).sort();

beforeAll(async () => {
  w = await world({
    projects: 1,
    customers: [
      { name: "A", project: 0, key: "a" },
      { name: "B", project: 0, key: "b" },
    ],
    groups: [{ name: "Engineering" }, { name: "Sales" }],
  });
  eng = w.groups[0] as { id: string; name: string };
  sales = w.groups[1] as { id: string; name: string };
  [a, b] = await Promise.all([scimToken(w.tenant, w.customers[0]!.id), scimToken(w.tenant, w.customers[1]!.id)]);
  [a1, a2, b1] = await Promise.all([user(a), user(a), user(b)]);
  // B's provider puts its user in Engineering first.
  const r = await scim("PATCH", `/Groups/${eng.id}`, b, patch({ op: "add", path: "members", value: [{ value: b1 }] }));
  expect(r.status, r.text).toBe(200);
});

describe("SCIM Groups", () => {
  it("Okta's group push: find by displayName, link, add members, remove one by value path — only A's users, B's membership untouched", async () => {
    const found = await scim("GET", `/Groups?filter=${encodeURIComponent('displayName eq "engineering"')}`, a);
    expect(found.status).toBe(200);
    expect(dbTrips(found)).toBe(1);
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0]).toEqual({
      schemas: [GROUP_URN],
      id: eng.id,
      displayName: "Engineering",
      members: [],
      meta: { resourceType: "Group", created: expect.any(String), lastModified: expect.any(String), location: `http://api.test/scim/v2/Groups/${eng.id}` },
    });
    // Okta "links" the pushed group: a replace of its own name.
    const linked = await scim("PATCH", `/Groups/${eng.id}`, a, patch({ op: "replace", value: { id: eng.id, displayName: "Engineering" } }));
    expect(linked.status, linked.text).toBe(200);
    const added = await scim("PATCH", `/Groups/${eng.id}`, a, patch({ op: "add", path: "members", value: [{ value: a1, display: "a1" }, { value: a2 }] }));
    expect(added.status, added.text).toBe(200);
    expect(memberIds(added.body)).toEqual([a1, a2].sort());
    expect(dbTrips(added)).toBe(3);
    // B still sees its own member only; A never saw it.
    expect(memberIds((await scim("GET", `/Groups/${eng.id}`, b)).body)).toEqual([b1]);
    // Each added user shows the group on every surface, its version moved, the change audited.
    const u = await scim("GET", `/Users/${a1}`, a);
    expect(u.body.groups).toEqual([{ value: eng.id, display: "Engineering", $ref: `http://api.test/scim/v2/Groups/${eng.id}` }]);
    expect(u.body.meta.version).toBe(`W/"${a1}.2"`);
    const admin = await call("GET", `/api/v1/tenants/${w.tenant.id}/users/${a1}`, { token: w.tenant.admin, expect: 200 });
    expect(admin.body.groupIds).toEqual([eng.id]);
    const audit = await call("GET", `/api/v1/tenants/${w.tenant.id}/audit-events?targetId=${a1}`, { token: w.tenant.admin, expect: 200 });
    const last = (audit.body.data as { action: string; changes: unknown; actorId: string }[]).at(-1)!;
    expect([last.action, last.changes, last.actorId.startsWith("scim:")]).toEqual(["user.updated", { groupIds: { from: [], to: [eng.id] } }, true]);

    const removed = await scim("PATCH", `/Groups/${eng.id}`, a, patch({ op: "remove", path: `members[value eq "${a1}"]` }));
    expect(memberIds(removed.body)).toEqual([a2]);
    expect((await call("GET", `/api/v1/tenants/${w.tenant.id}/users/${a1}`, { token: w.tenant.admin })).body.groupIds).toEqual([]);
    expect(memberIds((await scim("GET", `/Groups/${eng.id}`, b)).body)).toEqual([b1]);
  });

  it("Entra's: lookup without members, Add and Remove with value lists, a replace of the whole membership, PUT", async () => {
    const found = await scim("GET", `/Groups?filter=${encodeURIComponent('displayName eq "Sales"')}&excludedAttributes=members`, a);
    expect(found.body.Resources).toEqual([{ schemas: [GROUP_URN], id: sales.id, displayName: "Sales", meta: expect.any(Object) }]);
    const add = await scim("PATCH", `/Groups/${sales.id}`, a, patch({ op: "Add", path: "members", value: [{ value: a1 }, { value: a2 }] }));
    expect(memberIds(add.body)).toEqual([a1, a2].sort());
    const rm = await scim("PATCH", `/Groups/${sales.id}`, a, patch({ op: "Remove", path: "members", value: [{ value: a2 }] }));
    expect(memberIds(rm.body)).toEqual([a1]);
    const replaced = await scim("PATCH", `/Groups/${sales.id}`, a, patch({ op: "Replace", path: "members", value: [{ value: a2 }] }));
    expect(memberIds(replaced.body)).toEqual([a2]);
    const put = await scim("PUT", `/Groups/${sales.id}`, a, { schemas: [GROUP_URN], displayName: "Sales", members: [{ value: a1 }] });
    expect(put.status, put.text).toBe(200);
    expect(memberIds(put.body)).toEqual([a1]);
    // Removing every member removes A's only.
    await scim("PATCH", `/Groups/${eng.id}`, a, patch({ op: "remove", path: "members" }));
    expect(memberIds((await scim("GET", `/Groups/${eng.id}`, a)).body)).toEqual([]);
    expect(memberIds((await scim("GET", `/Groups/${eng.id}`, b)).body)).toEqual([b1]);
  });

  it("refusals, whole, writing nothing: another customer's user, a rename, creating or deleting a group, another tenant's group, a bad filter", async () => {
    const before = memberIds((await scim("GET", `/Groups/${sales.id}`, a)).body);
    expectScimError(await scim("PATCH", `/Groups/${sales.id}`, a, patch({ op: "add", path: "members", value: [{ value: b1 }] })), 400, "invalidValue", `The members are not valid. members: ${b1} is not a user of this customer.`);
    const ghost = crypto.randomUUID();
    expectScimError(await scim("PUT", `/Groups/${sales.id}`, a, { schemas: [GROUP_URN], displayName: "Sales", members: [{ value: ghost }] }), 400, "invalidValue", `The members are not valid. members: ${ghost} is not a user of this customer.`);
    expectScimError(
      await scim("PATCH", `/Groups/${sales.id}`, a, patch({ op: "replace", path: "displayName", value: "Renamed" })),
      400,
      "mutability",
      "The group's name is the tenant's. displayName is read-only through SCIM: the operator names the tenant's groups.",
    );
    expectScimError(await scim("PUT", `/Groups/${sales.id}`, a, { schemas: [GROUP_URN], displayName: "Renamed", members: [] }), 400, "mutability", "The group's name is the tenant's. displayName is read-only through SCIM: the operator names the tenant's groups.");
    // A PUT must say it is a Group: a body that does not would empty the customer's memberships.
    expectScimError(await scim("PUT", `/Groups/${sales.id}`, a, { members: [] }), 400, "invalidValue", "Invalid body: schemas. schemas: Required.");
    // Removing someone who is not a member is nothing to do (an IdP retries removals).
    const noop = await scim("PATCH", `/Groups/${sales.id}`, a, patch({ op: "remove", path: `members[value eq "${a2}"]` }, { op: "remove", path: `members[value eq "${a2}"]` }));
    expect(memberIds(noop.body)).toEqual(before.filter((m) => m !== a2));
    expect(memberIds((await scim("GET", `/Groups/${sales.id}`, a)).body)).toEqual(before.filter((m) => m !== a2));
    const created = await scim("POST", "/Groups", a, { schemas: [GROUP_URN], displayName: "New" });
    expectScimError(created, 405, undefined, "Method POST is not allowed here; use GET.");
    expect(created.headers.get("allow")).toBe("GET");
    expectScimError(await scim("DELETE", `/Groups/${sales.id}`, a), 405, undefined, "Method DELETE is not allowed here; use GET, PUT, PATCH.");
    const other = await world({ groups: [{ name: "Elsewhere" }] });
    expectScimError(await scim("GET", `/Groups/${other.groups[0]!.id}`, a), 404, undefined, "Group not found.");
    expectScimError(await scim("PATCH", `/Groups/${other.groups[0]!.id}`, a, patch({ op: "remove", path: "members" })), 404, undefined, "Group not found.");
    expectScimError(await scim("GET", `/Groups?filter=${encodeURIComponent('members.value eq "x"')}`, a), 400, "invalidFilter", "The filter is not valid. filter: Groups are filtered by id and displayName, with eq, ne and pr (and, or, not).");
    const names = await call("GET", `/api/v1/tenants/${w.tenant.id}/groups`, { token: w.tenant.admin, expect: 200 });
    expect((names.body.data as { name: string }[]).map((g) => g.name).sort()).toEqual(["Engineering", "Sales"]);
  });
});
