/**
 * POST /functions/v1/public/projects/{projectId}/customers/{customerId}/users — happy paths,
 * password boundaries, errors (whole bodies, nothing written) and reach. The authorization matrix
 * of this route is in matrix.test.ts.
 */
import { describe, expect, it } from "vitest";
import { call, create, dbTrips, freshTenant, sign, unique } from "../harness";
import { BUDGET, customerToken, CORTI, cortiUser, expectNoSecrets, ISO, login, newEmail, PASSWORD, secondCustomer, UUID, world, type World } from "./helpers";

const listed = async (w: World, path = w.usersPath) => (await call("GET", `${path}?pageSize=100`, { token: w.tenant.admin, expect: 200 })).body.users as Record<string, unknown>[];

describe("create user: happy", () => {
  it("201 with the user, read back from the list; project and customer by key", async () => {
    const w = await world();
    const email = newEmail();
    const r = await call("POST", w.usersPath, { token: w.tenant.admin, body: { email, firstName: " Ada ", lastName: "Lovelace", password: PASSWORD } });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toEqual({ id: UUID, email, firstName: "Ada", lastName: "Lovelace", emailVerified: false, enabled: true, createdAt: ISO });
    expect(r.headers.get("cache-control")).toBe("no-store");
    expect(dbTrips(r)).toBeLessThanOrEqual(BUDGET.create);
    expectNoSecrets(r.text);
    expect(await listed(w)).toEqual([r.body]);
  });

  it("project and customer may each be named by id instead of key", async () => {
    const w = await world();
    const paths = [
      `${CORTI}/projects/${w.project.id}/customers/${w.customer.id}/users`,
      `${CORTI}/projects/${w.project.key}/customers/${w.customer.id}/users`,
      `${CORTI}/projects/${w.project.id}/customers/${w.customer.key}/users`,
    ];
    const made = [];
    for (const path of paths) made.push((await call("POST", path, { token: w.tenant.admin, body: { email: newEmail(), firstName: "A", lastName: "B" }, expect: 201 })).body);
    expect(await listed(w)).toEqual(made);
  });

  it("without a password: created, but cannot log in", async () => {
    const w = await world();
    const u = await cortiUser(w);
    expect((await login(u.email, PASSWORD)).status).toBe(401);
  });

  it("a customer token with users:write creates in its own customer, named by key", async () => {
    const w = await world();
    const r = await call("POST", w.usersPath, { token: await customerToken(w, "users:write"), body: { email: newEmail(), firstName: "A", lastName: "B" } });
    expect(r.status, r.text).toBe(201);
    expect(await listed(w)).toEqual([r.body]);
  });

  it("the e-mail is unique case-insensitively per tenant; another tenant may reuse it", async () => {
    const [w, other] = await Promise.all([world(), world()]);
    const email = newEmail();
    await cortiUser(w, { email });
    await cortiUser(other, { email: email.toUpperCase() });
  });
});

describe("create user: password boundaries (16–64 code points after NFKC)", () => {
  const tooShort = { message: "The user is not valid.", code: "BAD_REQUEST", details: [{ field: "password", message: "Must be 16 to 64 characters (Unicode code points, after NFKC normalisation)." }] };
  const emoji = "😀"; // one code point, two UTF-16 units

  it("15 → 400, 16 → 201, 64 → 201, 65 → 400; 64 astral code points → 201, 65 → 400", async () => {
    const w = await world();
    const cases: [string, number][] = [
      ["a".repeat(15), 400],
      ["b".repeat(16), 201],
      ["c".repeat(64), 201],
      ["d".repeat(65), 400],
      [emoji.repeat(64), 201],
      [emoji.repeat(65), 400],
      [emoji.repeat(15), 400],
    ];
    for (const [password, status] of cases) {
      const r = await call("POST", w.usersPath, { token: w.tenant.admin, body: { email: newEmail(), firstName: "A", lastName: "B", password } });
      expect(r.status, `${[...password].length} code points: ${r.text}`).toBe(status);
      if (status === 400) expect(r.body).toEqual(tooShort);
    }
    expect(await listed(w)).toHaveLength(3);
  });

  it("length counts after NFKC: 32 × 'ﬀ' (64 after) → 201, 33 × 'ﬀ' (66 after) → 400; over 1024 UTF-16 units → 400", async () => {
    const w = await world();
    const ok = await call("POST", w.usersPath, { token: w.tenant.admin, body: { email: newEmail(), firstName: "A", lastName: "B", password: "ﬀ".repeat(32) } });
    expect(ok.status, ok.text).toBe(201);
    const long = await call("POST", w.usersPath, { token: w.tenant.admin, body: { email: newEmail(), firstName: "A", lastName: "B", password: "ﬀ".repeat(33) } });
    expect(long.body).toEqual(tooShort);
    const huge = await call("POST", w.usersPath, { token: w.tenant.admin, body: { email: newEmail(), firstName: "A", lastName: "B", password: "x".repeat(1025) } });
    expect(huge.status).toBe(400);
    expect(huge.body).toEqual({ message: "Invalid body: password.", code: "BAD_REQUEST", details: [{ field: "password", message: tooShort.details[0]!.message }] });
  });

  it("never truncated: the 63-code-point prefix of a 64-code-point password does not log in; the whole does", async () => {
    const w = await world();
    const password = `${emoji}${"Zy9!".repeat(15)}abc`; // 64 code points, the first astral
    expect([...password]).toHaveLength(64);
    const u = await cortiUser(w, { password });
    const prefix = [...password].slice(0, 63).join("");
    expect((await login(u.email, prefix)).status).toBe(401);
    expect((await login(u.email, password)).status).toBe(200);
  });

  it("NFC and NFD spellings of the same password both log in", async () => {
    const w = await world();
    const nfc = "Crème-brûlée-Ångström-naïve".normalize("NFC");
    const nfd = nfc.normalize("NFD");
    expect(nfd).not.toBe(nfc);
    const u = await cortiUser(w, { password: nfd });
    expect((await login(u.email, nfc)).status).toBe(200);
    expect((await login(u.email, nfd)).status).toBe(200);
  });
});

describe("create user: errors (whole body, nothing written)", () => {
  it("duplicate e-mail (other case, spaces) → 409", async () => {
    const w = await world();
    const email = newEmail();
    await cortiUser(w, { email });
    const r = await call("POST", w.usersPath, { token: w.tenant.admin, body: { email: `  ${email.toUpperCase()} `, firstName: "A", lastName: "B" } });
    expect(r.status).toBe(409);
    expect(r.body).toEqual({
      message: "Another customer user exists with the same email.",
      code: "CONFLICT",
      details: [{ field: "email", message: "Another customer user exists with the same email." }],
    });
    expect(await listed(w)).toHaveLength(1);
  });

  it("the same e-mail in another customer of the tenant → 409", async () => {
    const w = await world();
    const second = await secondCustomer(w);
    const email = newEmail();
    await cortiUser(w, { email });
    const r = await call("POST", second.usersPath, { token: w.tenant.admin, body: { email, firstName: "A", lastName: "B" } });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe("CONFLICT");
  });

  it("missing required fields → 400 naming each", async () => {
    const w = await world();
    const r = await call("POST", w.usersPath, { token: w.tenant.admin, body: {} });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      message: "Invalid body: email, firstName, lastName.",
      code: "BAD_REQUEST",
      details: [
        { field: "email", message: "Invalid input: expected string, received undefined" },
        { field: "firstName", message: "Invalid input: expected string, received undefined" },
        { field: "lastName", message: "Invalid input: expected string, received undefined" },
      ],
    });
  });

  it("unknown and mass-assigned properties → 400 naming each", async () => {
    const w = await world();
    const r = await call("POST", w.usersPath, {
      token: w.tenant.admin,
      body: { email: newEmail(), firstName: "A", lastName: "B", id: crypto.randomUUID(), customerId: w.customer.id, passwordHash: "pbkdf2-sha256$v=1$i=1$AA$AA", createdAt: "2020-01-01T00:00:00Z", enabled: false, emailVerified: true },
    });
    expect(r.status).toBe(400);
    const fields = ["id", "customerId", "passwordHash", "createdAt", "enabled", "emailVerified"];
    expect(r.body).toEqual({
      message: `Invalid body: ${fields.join(", ")}.`,
      code: "BAD_REQUEST",
      details: fields.map((field) => ({ field, message: "This property is not allowed." })),
    });
    expect(await listed(w)).toEqual([]);
  });

  it("blank names, a malformed e-mail, strings over 255 → 400", async () => {
    const w = await world();
    const blank = await call("POST", w.usersPath, { token: w.tenant.admin, body: { email: "not-an-email", firstName: "  ", lastName: "B" } });
    expect(blank.body).toEqual({
      message: "The user is not valid.",
      code: "BAD_REQUEST",
      details: [
        { field: "firstName", message: "Must not be blank." },
        { field: "email", message: "Not an e-mail address." },
      ],
    });
    const long = await call("POST", w.usersPath, { token: w.tenant.admin, body: { email: `${"e".repeat(250)}@example.com`, firstName: "f".repeat(256), lastName: "B" } });
    expect(long.status).toBe(400);
    expect(long.body).toEqual({
      message: "Invalid body: email, firstName.",
      code: "BAD_REQUEST",
      details: [
        { field: "email", message: "Too big: expected string to have <=255 characters" },
        { field: "firstName", message: "Too big: expected string to have <=255 characters" },
      ],
    });
    const typed = await call("POST", w.usersPath, { token: w.tenant.admin, body: { email: 42, firstName: ["A"], lastName: null } });
    expect(typed.status).toBe(400);
    expect(typed.body.details.map((d: { field: string }) => d.field)).toEqual(["email", "firstName", "lastName"]);
    expect(await listed(w)).toEqual([]);
  });

  it("invalid JSON, a non-object body, a wrong content type, a body over 64 KiB", async () => {
    const w = await world();
    const token = w.tenant.admin;
    const bad = await call("POST", w.usersPath, { token, raw: "{not json", headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ message: "The request body is not valid JSON.", code: "BAD_REQUEST", details: [{ field: "body", message: "Malformed JSON." }] });
    const arr = await call("POST", w.usersPath, { token, body: [] });
    expect(arr.status).toBe(400);
    expect(arr.body).toEqual({ message: "Invalid body: body.", code: "BAD_REQUEST", details: [{ field: "", message: "Invalid input: expected object, received array" }] });
    const form = await call("POST", w.usersPath, { token, raw: "email=a@b.c", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(form.status).toBe(415);
    expect(form.body).toEqual({ message: "The request body must be application/json.", code: "UNSUPPORTED_MEDIA_TYPE" });
    const none = await call("POST", w.usersPath, { token, raw: JSON.stringify({ email: newEmail(), firstName: "A", lastName: "B" }) });
    expect(none.status).toBe(415);
    const big = await call("POST", w.usersPath, { token, body: { email: newEmail(), firstName: "A", lastName: "B", pad: "x".repeat(70_000) } });
    expect(big.status).toBe(413);
    expect(big.body).toEqual({ message: "The request body is larger than 64 KiB.", code: "PAYLOAD_TOO_LARGE" });
    expect(await listed(w)).toEqual([]);
  });

  it("over-long or empty path segments → 400; unknown project or customer → 404", async () => {
    const w = await world();
    const token = w.tenant.admin;
    const body = { email: newEmail(), firstName: "A", lastName: "B" };
    const long = await call("POST", `${CORTI}/projects/${"p".repeat(65)}/customers/${w.customer.key}/users`, { token, body });
    expect(long.status).toBe(400);
    expect(long.body).toEqual({ message: "Invalid param: projectId.", code: "BAD_REQUEST", details: [{ field: "projectId", message: "Too big: expected string to have <=64 characters" }] });
    const noProject = await call("POST", `${CORTI}/projects/${unique("nope")}/customers/${w.customer.key}/users`, { token, body });
    expect(noProject.status).toBe(404);
    expect(noProject.body).toEqual({ message: "Customer not found.", code: "NOT_FOUND" });
    const noCustomer = await call("POST", `${w.customersPath}/${unique("nope")}/users`, { token, body });
    expect(noCustomer.body).toEqual({ message: "Customer not found.", code: "NOT_FOUND" });
    expect(noCustomer.status).toBe(404);
    const ghost = await call("POST", `${w.customersPath}/${crypto.randomUUID()}/users`, { token, body });
    expect(ghost.status).toBe(404);
  });
});

describe("create user: reach", () => {
  it("a customer of another project, even in the same tenant, → 404 (by key and by id)", async () => {
    const w = await world();
    const otherProject = await create(w.tenant, "projects", { key: unique("other").toLowerCase(), name: "Other" });
    const body = { email: newEmail(), firstName: "A", lastName: "B" };
    for (const customer of [w.customer.key, w.customer.id]) {
      const r = await call("POST", `${CORTI}/projects/${otherProject.key}/customers/${customer}/users`, { token: w.tenant.admin, body });
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ message: "Customer not found.", code: "NOT_FOUND" });
    }
    expect(await listed(w)).toEqual([]);
  });

  it("a project of another tenant → 404, by key and by id, exactly like a missing one", async () => {
    const [w, other] = await Promise.all([world(), freshTenant()]);
    const body = { email: newEmail(), firstName: "A", lastName: "B" };
    const missing = await call("POST", `${CORTI}/projects/${unique("x")}/customers/${unique("y")}/users`, { token: other.admin, body });
    for (const path of [w.usersPath, `${CORTI}/projects/${w.project.id}/customers/${w.customer.id}/users`]) {
      const r = await call("POST", path, { token: other.admin, body });
      expect(r.status).toBe(404);
      expect(r.text).toBe(missing.text);
    }
    expect(await listed(w)).toEqual([]);
  });

  it("a customer token of another customer → 404 (keys are not comparable with its claims); without users:write → 403", async () => {
    const w = await world();
    const second = await secondCustomer(w);
    const body = { email: newEmail(), firstName: "A", lastName: "B" };
    const other = await call("POST", w.usersPath, { token: await customerToken(w, "users:write", second.id), body });
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ message: "Customer not found.", code: "NOT_FOUND" });
    const readOnly = await call("POST", w.usersPath, { token: await customerToken(w, "users:read"), body });
    expect(readOnly.status).toBe(403);
    expect(readOnly.body).toEqual({ message: "The token lacks the required scope.", code: "FORBIDDEN" });
    expect(await listed(w)).toEqual([]);
  });

  it("a tenant admin narrowed to another project (project_id claim) → 404", async () => {
    const w = await world();
    const otherProject = await create(w.tenant, "projects", { key: unique("other").toLowerCase(), name: "Other" });
    const token = await sign({ sub: crypto.randomUUID(), role: "tenant_admin", tenant_id: w.tenant.id, project_id: otherProject.id, scope: "users:read users:write" });
    const r = await call("POST", w.usersPath, { token, body: { email: newEmail(), firstName: "A", lastName: "B" } });
    expect(r.status).toBe(404);
  });
});
