/**
 * SCIM 2.0 Users (docs/scim.md) with tokens issued the way an operator issues them: the request
 * sequences Okta's and Microsoft Entra's provisioning services send — lookup by userName or
 * externalId, create, deactivate, reactivate, rename, e-mail change, deprovision — each change read
 * back through Worth, Corti, CloudCockpit and the admin API at once; errors in SCIM's body, whole,
 * writing nothing; round trips per route.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, dbTrips, expectProblem, unique, type Reply } from "../harness";
import { expectWorthError } from "../worth/helpers";
import { world, type World } from "../world";
import { expectScimError, LIST_URN, PATCH_URN, scim, scimToken, USER_URN } from "./helpers";

const CORTI = "/functions/v1/public";
let w: World;
let token: string;
/** A SCIM token of the second customer: never sees the first's users. */
let otherToken: string;

beforeAll(async () => {
  w = await world({
    projects: 1,
    customers: [
      { name: "Acme", project: 0, key: "acme" },
      { name: "Other", project: 0, key: "other" },
    ],
    groups: [{ name: "Engineering" }],
  });
  token = await scimToken(w.tenant, w.customers[0]!.id);
  otherToken = await scimToken(w.tenant, w.customers[1]!.id);
});

const email = () => `${unique("scim")}@example.com`;
const patch = (...Operations: Record<string, unknown>[]) => ({ schemas: [PATCH_URN], Operations });

/** The user as every other surface shows it (by id, and by e-mail on CloudCockpit). */
async function everywhere(id: string, mail: string) {
  const c = w.customers[0]!;
  const [worth, corti, cc, admin] = await Promise.all([
    call("GET", `/auth/api/v1/customers/${c.id}/users/${id}`, { token: w.tenant.admin }),
    call("GET", `${CORTI}/projects/${w.projects[0]!.key}/customers/acme/users?pageSize=100`, { token: w.tenant.admin }),
    call("GET", `/v1/customer/${c.id}/users`, { token: w.tenant.admin, headers: { "x-tenant": w.tenant.domain } }),
    call("GET", `/api/v1/tenants/${w.tenant.id}/users/${id}`, { token: w.tenant.admin }),
  ]);
  return {
    worth: worth.status === 200 ? worth.body.data : null,
    corti: (corti.body.users as { id: string; email: string; enabled: boolean; firstName: string }[]).find((u) => u.id === id) ?? null,
    cc: (cc.body as { id: string; email: string; firstName: string }[]).find((u) => u.email === mail) ?? null,
    admin: admin.status === 200 ? admin.body : null,
  };
}

describe("SCIM tokens", () => {
  it("issued once through the admin API, listed without the token, used (lastUsedAt), revoked at once", async () => {
    const c = w.customers[0]!;
    const base = `/api/v1/tenants/${w.tenant.id}/customers/${c.id}/scim-tokens`;
    const issued = await call("POST", base, { token: w.tenant.admin, body: { description: "Okta" }, expect: 201 });
    expect(issued.body).toEqual({
      id: expect.any(String),
      tenantId: w.tenant.id,
      customerId: c.id,
      description: "Okta",
      createdAt: expect.any(String),
      createdBy: expect.any(String),
      lastUsedAt: null,
      token: expect.any(String),
    });
    expect(issued.headers.get("location")).toBe(`${base}/${issued.body.id}`);
    const t = issued.body.token as string;
    expect((await scim("GET", "/Users?count=1", t)).status).toBe(200);
    const list = await call("GET", base, { token: w.tenant.admin, expect: 200 });
    const row = (list.body.data as Record<string, unknown>[]).find((x) => x.id === issued.body.id);
    expect(row).toEqual({ ...issued.body, token: undefined, lastUsedAt: expect.any(String) });
    expect(list.text).not.toContain(t);
    // An access token is not a SCIM token, nor the other way round.
    expectScimError(await scim("GET", "/Users", w.tenant.admin), 401, undefined, "Unauthorized.");
    expectWorthError(await call("GET", `/auth/api/v1/customers/${c.id}/users`, { token: t }), 401);
    expectProblem(await call("GET", `/api/v1/tenants/${w.tenant.id}`, { token: t }), 401, "UNAUTHENTICATED");

    const revoked = await call("DELETE", `${base}/${issued.body.id}`, { token: w.tenant.admin });
    expect(revoked.status).toBe(204);
    const after = await scim("GET", "/Users", t);
    expectScimError(after, 401, undefined, "Unauthorized.");
    // The discovery resources read nothing of the customer, and refuse it all the same.
    for (const path of ["/ServiceProviderConfig", "/ResourceTypes", "/Schemas"]) expectScimError(await scim("GET", path, t), 401, undefined, "Unauthorized.");
    expect(after.headers.get("www-authenticate")).toBe('Bearer realm="customer-users"');
    expectProblemNotFound(await call("DELETE", `${base}/${issued.body.id}`, { token: w.tenant.admin }));
    const audit = await call("GET", `/api/v1/tenants/${w.tenant.id}/audit-events?targetId=${issued.body.id}`, { token: w.tenant.admin, expect: 200 });
    expect((audit.body.data as { action: string }[]).map((e) => e.action)).toEqual(["scim_token.created", "scim_token.revoked"]);
    expect(audit.text).not.toContain(t);
  });

  it("a customer holding SCIM tokens is not deleted (409, whole) until they are revoked", async () => {
    const x = await world({ customers: [{ name: "X" }] });
    const c = x.customers[0]!;
    await scimToken(x.tenant, c.id);
    const r = await call("DELETE", `/api/v1/tenants/${x.tenant.id}/customers/${c.id}`, { token: x.tenant.admin });
    expect(r.body).toEqual({
      type: "about:blank",
      title: "Conflict",
      status: 409,
      code: "CONFLICT",
      detail: "The customer still has users, subroles, accounts or SCIM tokens (removed users are kept for the audit trail; revoke its SCIM tokens first).",
      correlationId: r.headers.get("x-correlation-id"),
    });
    const tokens = await call("GET", `/api/v1/tenants/${x.tenant.id}/customers/${c.id}/scim-tokens`, { token: x.tenant.admin, expect: 200 });
    await call("DELETE", `/api/v1/tenants/${x.tenant.id}/customers/${c.id}/scim-tokens/${tokens.body.data[0].id}`, { token: x.tenant.admin, expect: 204 });
    expect((await call("DELETE", `/api/v1/tenants/${x.tenant.id}/customers/${c.id}`, { token: x.tenant.admin })).status).toBe(204);
  });

  it("the ceiling: an admin who does not hold users:read and users:write cannot issue one (403, nothing issued); another tenant's admin: 403", async () => {
    const c = w.customers[1]!;
    const base = `/api/v1/tenants/${w.tenant.id}/customers/${c.id}/scim-tokens`;
    const acct = await call("POST", `/api/v1/tenants/${w.tenant.id}/accounts`, { token: w.tenant.admin, body: { name: unique("readonly"), role: "tenant_admin", scopes: ["admin", "users:read"] }, expect: 201 });
    const grant = await call("POST", "/auth/token", { body: { grant_type: "client_credentials", client_id: acct.body.clientId, client_secret: acct.body.clientSecret }, expect: 200 });
    const before = await call("GET", base, { token: w.tenant.admin, expect: 200 });
    const r = await call("POST", base, { token: grant.body.access_token, body: {} });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({
      type: "about:blank",
      title: "Forbidden",
      status: 403,
      code: "FORBIDDEN",
      detail: "A SCIM token grants users:write, which the token does not hold.",
      correlationId: r.headers.get("x-correlation-id"),
    });
    expect((await call("GET", base, { token: w.tenant.admin, expect: 200 })).body.data).toEqual(before.body.data);
  });
});

function expectProblemNotFound(r: Reply) {
  expectProblem(r, 404, "NOT_FOUND", { detail: "Token not found." });
}

describe("SCIM Users: Okta's sequence", () => {
  it("lookup, create, read, deactivate, reactivate, rename and e-mail change (PUT), deprovision — each visible on every surface at once", async () => {
    const mail = email();
    // Okta first looks the user up by userName.
    const lookup = await scim("GET", `/Users?filter=${encodeURIComponent(`userName eq "${mail}"`)}&startIndex=1&count=100`, token);
    expect(lookup.status).toBe(200);
    expect(lookup.body).toEqual({ schemas: [LIST_URN], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
    expect(dbTrips(lookup)).toBe(1);

    const created = await scim("POST", "/Users", token, {
      schemas: [USER_URN],
      userName: mail,
      name: { givenName: "Ada", familyName: "Lovelace" },
      emails: [{ primary: true, value: mail, type: "work" }],
      displayName: "Ada Lovelace",
      locale: "en-US",
      externalId: "00u1okta",
      groups: [],
      password: "Okta-Sync3d-Passw0rd!",
      active: true,
    });
    expect(created.status, created.text).toBe(201);
    expect(dbTrips(created)).toBe(1);
    const id = created.body.id as string;
    expect(created.headers.get("content-type")).toBe("application/scim+json");
    expect(created.headers.get("location")).toBe(`http://api.test/scim/v2/Users/${id}`);
    expect(created.headers.get("etag")).toBe(`"${id}.1"`);
    expect(created.body).toEqual({
      schemas: [USER_URN],
      id,
      externalId: "00u1okta",
      userName: mail,
      name: { givenName: "Ada", familyName: "Lovelace", formatted: "Ada Lovelace" },
      displayName: "Ada Lovelace",
      emails: [{ value: mail, type: "work", primary: true }],
      active: true,
      groups: [],
      meta: { resourceType: "User", created: expect.any(String), lastModified: expect.any(String), location: `http://api.test/scim/v2/Users/${id}`, version: `W/"${id}.1"` },
    });
    expect(JSON.stringify(created.body)).not.toContain("Passw0rd");
    let seen = await everywhere(id, mail);
    expect([seen.worth?.email, seen.corti?.email, seen.cc?.email, seen.admin?.email, seen.admin?.externalId]).toEqual([mail, mail, mail, mail, "00u1okta"]);
    // The synced password logs in (Corti's e-mail + password login).
    expect((await call("POST", `${CORTI}/auth/token`, { body: { email: mail, password: "Okta-Sync3d-Passw0rd!" } })).status).toBe(200);

    const got = await scim("GET", `/Users/${id}`, token);
    expect(got.body).toEqual(created.body);
    expect(dbTrips(got)).toBe(1);
    const found = await scim("GET", `/Users?filter=${encodeURIComponent(`userName eq "${mail.toUpperCase()}"`)}`, token);
    expect(found.body.Resources.map((u: { id: string }) => u.id)).toEqual([id]);

    // Deactivate, as Okta sends it: a PATCH without path.
    const off = await scim("PATCH", `/Users/${id}`, token, patch({ op: "replace", value: { active: false } }));
    expect(off.status, off.text).toBe(200);
    expect(off.body.active).toBe(false);
    expect(dbTrips(off)).toBe(2);
    seen = await everywhere(id, mail);
    expect([seen.corti?.enabled, seen.admin?.status, seen.worth?.status]).toEqual([false, "INACTIVE", "INACTIVE"]);
    expect((await call("POST", `${CORTI}/auth/token`, { body: { email: mail, password: "Okta-Sync3d-Passw0rd!" } })).status).not.toBe(200);

    const on = await scim("PATCH", `/Users/${id}`, token, patch({ op: "replace", value: { active: true } }));
    expect(on.body.active).toBe(true);
    expect((await everywhere(id, mail)).admin?.status).toBe("ACTIVE");

    // Profile push: Okta replaces the whole user (PUT) — a new first name and a new e-mail.
    const next = email();
    const put = await scim("PUT", `/Users/${id}`, token, {
      schemas: [USER_URN],
      id,
      userName: next,
      name: { givenName: "Augusta", familyName: "Lovelace" },
      emails: [{ primary: true, value: next, type: "work" }],
      externalId: "00u1okta",
      active: true,
      groups: [],
    });
    expect(put.status, put.text).toBe(200);
    expect(dbTrips(put)).toBe(1);
    expect([put.body.userName, put.body.name.givenName, put.body.meta.version]).toEqual([next, "Augusta", `W/"${id}.4"`]);
    seen = await everywhere(id, next);
    expect([seen.worth?.first_name, seen.corti?.firstName, seen.cc?.firstName, seen.admin?.email]).toEqual(["Augusta", "Augusta", "Augusta", next]);
    expect((await everywhere(id, mail)).cc).toBeNull();

    // Deprovision.
    const gone = await scim("DELETE", `/Users/${id}`, token);
    expect(gone.status).toBe(204);
    expect(dbTrips(gone)).toBe(1);
    seen = await everywhere(id, next);
    expect(seen).toEqual({ worth: null, corti: null, cc: null, admin: null });
    expectScimError(await scim("GET", `/Users/${id}`, token), 404, undefined, "User not found.");
    // Audited as the SCIM token.
    const audit = await call("GET", `/api/v1/tenants/${w.tenant.id}/audit-events?targetId=${id}`, { token: w.tenant.admin, expect: 200 });
    const events = audit.body.data as { action: string; actorId: string }[];
    expect(events.map((e) => e.action)).toEqual(["user.created", "user.updated", "user.updated", "user.updated", "user.deleted"]);
    expect(new Set(events.map((e) => e.actorId)).size).toBe(1);
    expect(events[0]!.actorId).toMatch(/^scim:/);
    expect(audit.text).not.toContain("Passw0rd");
  });
});

describe("SCIM Users: Microsoft Entra's sequence", () => {
  it("lookup by externalId, create, PATCH with Replace / Add and \"False\", e-mail change by userName, deprovision", async () => {
    const mail = email();
    const ext = crypto.randomUUID();
    const lookup = await scim("GET", `/Users?filter=${encodeURIComponent(`externalId eq "${ext}"`)}`, token);
    expect(lookup.body.totalResults).toBe(0);
    const created = await scim("POST", "/Users", token, {
      schemas: [USER_URN, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
      externalId: ext,
      userName: mail,
      active: true,
      displayName: "Grace Hopper",
      emails: [{ primary: true, type: "work", value: mail }],
      meta: { resourceType: "User" },
      name: { formatted: "Grace Hopper", familyName: "Hopper", givenName: "Grace" },
      roles: [],
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { department: "Navy" },
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;
    const byExt = await scim("GET", `/Users?filter=${encodeURIComponent(`externalId eq "${ext}"`)}`, token);
    expect(byExt.body.Resources.map((u: { id: string }) => u.id)).toEqual([id]);
    // Entra's other matching attribute: the work e-mail by value path.
    const byMail = await scim("GET", `/Users?filter=${encodeURIComponent(`emails[type eq "work"].value eq "${mail.toUpperCase()}"`)}`, token);
    expect(byMail.body.Resources.map((u: { id: string }) => u.id)).toEqual([id]);

    // Entra's deviations: a capitalised op, a boolean as a string.
    const off = await scim("PATCH", `/Users/${id}`, token, patch({ op: "Replace", path: "active", value: "False" }));
    expect(off.status, off.text).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await everywhere(id, mail)).corti?.enabled).toBe(false);
    const on = await scim("PATCH", `/Users/${id}`, token, patch({ op: "Replace", path: "active", value: "True" }));
    expect(on.body.active).toBe(true);

    // Several operations at once: a name, a phone number by value path, the e-mail (userName).
    const next = email();
    const changed = await scim(
      "PATCH",
      `/Users/${id}`,
      token,
      patch(
        { op: "Add", path: "name.givenName", value: "Amazing Grace" },
        { op: "Add", path: 'phoneNumbers[type eq "mobile"].value', value: "+1 555 0100" },
        { op: "Replace", path: "userName", value: next },
      ),
    );
    expect(changed.status, changed.text).toBe(200);
    expect([changed.body.userName, changed.body.name.givenName, changed.body.phoneNumbers]).toEqual([next, "Amazing Grace", [{ value: "+1 555 0100", type: "mobile", primary: true }]]);
    const seen = await everywhere(id, next);
    expect([seen.admin?.email, seen.admin?.firstName, seen.admin?.mobile, seen.cc?.firstName]).toEqual([next, "Amazing Grace", "+1 555 0100", "Amazing Grace"]);
    // Remove the phone number.
    const removed = await scim("PATCH", `/Users/${id}`, token, patch({ op: "Remove", path: "phoneNumbers" }));
    expect(removed.body.phoneNumbers).toBeUndefined();
    expect((await everywhere(id, next)).admin?.mobile).toBeNull();

    // Entra's soft deprovision (active "False"), then the delete.
    await scim("PATCH", `/Users/${id}`, token, patch({ op: "Replace", path: "active", value: "False" }));
    expect((await scim("DELETE", `/Users/${id}`, token)).status).toBe(204);
    expect((await everywhere(id, next)).admin).toBeNull();
  });
});

describe("SCIM Users: reach, lists and errors", () => {
  it("a customer's SCIM token sees and changes only its customer's users (others: 404, nothing changed)", async () => {
    const mail = email();
    const created = await scim("POST", "/Users", token, { userName: mail, name: { givenName: "A", familyName: "B" } });
    const id = created.body.id as string;
    expectScimError(await scim("GET", `/Users/${id}`, otherToken), 404, undefined, "User not found.");
    expectScimError(await scim("PATCH", `/Users/${id}`, otherToken, patch({ op: "replace", path: "active", value: false })), 404, undefined, "User not found.");
    expectScimError(await scim("PUT", `/Users/${id}`, otherToken, { userName: mail, name: { givenName: "X", familyName: "Y" } }), 404, undefined, "User not found.");
    expectScimError(await scim("DELETE", `/Users/${id}`, otherToken), 404, undefined, "User not found.");
    const list = await scim("GET", `/Users?filter=${encodeURIComponent(`userName eq "${mail}"`)}`, otherToken);
    expect(list.body.totalResults).toBe(0);
    expect((await scim("GET", `/Users/${id}`, token)).body).toEqual(created.body);
  });

  it("a replace without active leaves the status as it is (never reactivates); with it, sets it", async () => {
    const mail = email();
    const id = (await scim("POST", "/Users", token, { userName: mail, name: { givenName: "A", familyName: "B" }, active: false })).body.id as string;
    const put = await scim("PUT", `/Users/${id}`, token, { userName: mail, name: { givenName: "C", familyName: "B" } });
    expect([put.status, put.body.active, put.body.name.givenName]).toEqual([200, false, "C"]);
    const on = await scim("PUT", `/Users/${id}`, token, { userName: mail, name: { givenName: "C", familyName: "B" }, active: true });
    expect(on.body.active).toBe(true);
    expect((await call("GET", `/api/v1/tenants/${w.tenant.id}/users/${id}`, { token: w.tenant.admin })).body.status).toBe("ACTIVE");
  });

  it("pages by startIndex and count, sorted; attributes and excludedAttributes", async () => {
    const tag = unique("page").toLowerCase();
    for (const n of ["c", "a", "b"]) await scim("POST", "/Users", otherToken, { userName: `${n}-${tag}@example.com`, name: { givenName: n, familyName: tag } });
    const filter = encodeURIComponent(`name.familyName eq "${tag}"`);
    const p1 = await scim("GET", `/Users?filter=${filter}&sortBy=userName&startIndex=1&count=2&attributes=userName`, otherToken);
    expect(p1.body).toEqual({
      schemas: [LIST_URN],
      totalResults: 3,
      startIndex: 1,
      itemsPerPage: 2,
      Resources: [
        { schemas: [USER_URN], id: expect.any(String), userName: `a-${tag}@example.com` },
        { schemas: [USER_URN], id: expect.any(String), userName: `b-${tag}@example.com` },
      ],
    });
    const p2 = await scim("GET", `/Users?filter=${filter}&sortBy=userName&sortOrder=descending&startIndex=3&count=2&excludedAttributes=meta,name,emails,groups`, otherToken);
    expect(p2.body.Resources).toEqual([{ schemas: [USER_URN], id: expect.any(String), userName: `a-${tag}@example.com`, displayName: `a ${tag}`, active: true }]);
    const none = await scim("GET", `/Users?filter=${filter}&count=0`, otherToken);
    expect([none.body.totalResults, none.body.Resources]).toEqual([3, []]);
  });

  it("errors in SCIM's body, whole, writing nothing", async () => {
    const mail = email();
    const first = await scim("POST", "/Users", token, { userName: mail, name: { givenName: "A", familyName: "B" } });
    const id = first.body.id as string;
    const count = async () => (await scim("GET", `/Users?filter=${encodeURIComponent(`userName eq "${mail}"`)}`, token)).body.totalResults as number;

    expectScimError(await scim("POST", "/Users", token, { userName: mail.toUpperCase(), name: { givenName: "C", familyName: "D" } }), 409, "uniqueness", "Another customer user exists with the same email.");
    expectScimError(await scim("POST", "/Users", token, { userName: email() }), 400, "invalidValue", "Invalid body: name. name: Required.");
    expectScimError(await scim("POST", "/Users", token, { userName: email(), name: { givenName: "A" } }), 400, "invalidValue", "Invalid body: name.familyName. name.familyName: Required.");
    expectScimError(await scim("POST", "/Users", token, { userName: "not an e-mail", name: { givenName: "C", familyName: "D" } }), 400, "invalidValue", "The user is not valid. email: Not an e-mail address.");
    expectScimError(await scim("GET", `/Users?filter=${encodeURIComponent("userName eq")}`, token), 400, "invalidFilter", /^The filter is not valid/);
    expectScimError(await scim("GET", `/Users?filter=${encodeURIComponent('nickName eq "x"')}`, token), 400, "invalidFilter", /nickName/);
    expectScimError(await scim("PATCH", `/Users/${id}`, token, patch({ op: "replace", path: "groups", value: [{ value: crypto.randomUUID() }] })), 400, "mutability", "The patch changes a read-only attribute. groups is read-only on a User: change memberships through /Groups.");
    expectScimError(await scim("PATCH", `/Users/${id}`, token, patch({ op: "replace", path: "id", value: crypto.randomUUID() })), 400, "mutability", "The patch changes a read-only attribute. id is read-only.");
    expectScimError(
      await scim("PATCH", `/Users/${id}`, token, patch({ op: "replace", path: 'emails[type eq "home"]', value: { value: "x@example.com" } })),
      400,
      "noTarget",
      'The patch does not apply to this user. Target location is a multi-valued attribute for which a value selection filter (emails[type eq "home"]) has been supplied and no record match was made.',
    );
    expectScimError(await scim("PATCH", `/Users/${id}`, token, patch({ op: "remove" })), 400, "noTarget", 'The patch does not apply to this user. Missing path in "remove" patch operation');
    expectScimError(await scim("PATCH", `/Users/${id}`, token, patch({ op: "move", path: "active", value: false })), 400, "invalidValue", "Invalid body: Operations.0.op. Operations.0.op: Must be add, replace or remove.");
    expectScimError(await scim("PATCH", `/Users/${id}`, token, patch({ op: "remove", path: "name.givenName" })), 400, "invalidValue", "The patched user is not valid. name.givenName: Required.");
    expectScimError(await scim("PATCH", `/Users/${id}`, token, patch({ op: "replace", path: "active", value: "maybe" })), 400, "invalidValue", "The patched user is not valid. active: Must be a boolean.");
    const stale = await scim("PATCH", `/Users/${id}`, token, patch({ op: "replace", path: "active", value: false }), { headers: { "if-match": `W/"${id}.9"` } });
    expectScimError(stale, 412, undefined, "The user was changed since that version was read: read it again, then retry.");
    const bad = await call("POST", "/scim/v2/Users", { token, raw: "{not json", headers: { "content-type": "application/scim+json" } });
    expectScimError(bad, 400, "invalidSyntax", "The request body is not valid JSON. body: Malformed JSON.");
    expectScimError(await scim("GET", `/Users/${crypto.randomUUID()}`, token), 404, undefined, "User not found.");
    expectScimError(await scim("GET", "/Users/not-a-uuid", token), 400, "invalidValue", "Invalid param: id. id: Not a user id.");
    // Nothing was written: one user, as created.
    expect(await count()).toBe(1);
    expect((await scim("GET", `/Users/${id}`, token)).body).toEqual(first.body);
  });

  it("the discovery resources", async () => {
    const spc = await scim("GET", "/ServiceProviderConfig", token);
    expect(spc.body).toMatchObject({ patch: { supported: true }, bulk: { supported: false }, filter: { supported: true, maxResults: 200 }, etag: { supported: true }, sort: { supported: true } });
    const types = await scim("GET", "/ResourceTypes", token);
    expect(types.body.Resources.map((r: { id: string; endpoint: string }) => [r.id, r.endpoint])).toEqual([
      ["User", "/Users"],
      ["Group", "/Groups"],
    ]);
    const schemas = await scim("GET", "/Schemas", token);
    expect(schemas.body.Resources.map((r: { id: string }) => r.id)).toEqual([USER_URN, "urn:ietf:params:scim:schemas:core:2.0:Group"]);
    expect(schemas.body.Resources[0].attributes.map((a: { name: string }) => a.name)).toContain("userName");
  });
});
