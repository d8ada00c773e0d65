/**
 * Token revocation (docs/decisions/0007-privilege-ceiling.md, "Revocation"), end to end with tokens
 * from real accounts and real logins: a change that disables, removes or narrows a subject — or
 * changes its password or subrole — makes every older token of that subject answer 401 on its very
 * next request, on every surface, in that surface's own 401 body, without one more D1 round trip
 * (the check rides the request's first one). Writes sent with a revoked token leave nothing behind.
 * Subjects the directory does not hold keep working. The comparison is `not_before > iat_ms`: our
 * tokens carry the millisecond their grant was read; other issuers' tokens the second (`iat` × 1000).
 */
import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { call, clientToken, create, dbTrips, expectProblem, freshTenant, sign, unique, type Reply, type Tenant } from "../harness";

const W = "/auth/api/v1";
const C = "/functions/v1/public";
/** Passwords within 16–64 code points. */
const PASSWORD = "My$ecureP@ssw0rd123!";
const NEW_PASSWORD = "Another$ecret-Passphrase-42";
/** Generous: several tests hash passwords (PBKDF2, 100,000 iterations) and wait for a clock second. */
const SLOW = 60_000;
/** How long a revocation is kept: the token lifetime, the 30 s clock leeway and one second. */
const LIFETIME_MS = (Number(env.TOKEN_TTL_SECONDS) + 30 + 1) * 1000;

type Surface = "worth" | "corti" | "cloudcockpit" | "admin";
/** What a customer token (account or user login) can call. */
const USER_SURFACES: readonly Surface[] = ["worth", "corti", "cloudcockpit"];
/** What a tenant_admin token can call. */
const ADMIN_SURFACES: readonly Surface[] = [...USER_SURFACES, "admin"];

interface Subrole {
  id: string;
  code: string;
  label: string;
}

interface World {
  t: Tenant;
  project: { id: string; key: string };
  customer: { id: string; key: string };
  /** customer_user:read + customer_user:write → users:read users:write. */
  editor: Subrole;
  /** customer_user:read → users:read. */
  reader: Subrole;
}

/** A fresh tenant with a project, a customer of it (both with keys) and two subroles of the customer. */
async function world(): Promise<World> {
  const t = await freshTenant();
  const projectKey = unique("p").toLowerCase();
  const project = await create(t, "projects", { key: projectKey, name: "Project" });
  const customerKey = unique("c");
  const customer = await create(t, "customers", { name: "Customer", projectId: project.id, key: customerKey });
  const subrole = async (code: string, permissions: string[]): Promise<Subrole> => {
    const s = await create(t, "subroles", { customerId: customer.id, code, label: code.toUpperCase(), displayName: code, permissions });
    return { id: s.id, code: s.code, label: s.label };
  };
  const editor = await subrole("editor", ["customer_user:read", "customer_user:write"]);
  const reader = await subrole("reader", ["customer_user:read"]);
  return { t, project: { id: project.id, key: projectKey }, customer: { id: customer.id, key: customerKey }, editor, reader };
}

const paths = (w: World) => ({
  worth: `${W}/customers/${w.customer.id}/users`,
  corti: `${C}/projects/${w.project.key}/customers/${w.customer.key}/users`,
  cloudcockpit: `/v1/customer/${w.customer.id}/users`,
  admin: `/api/v1/tenants/${w.t.id}/projects`,
});

// ---- principals -------------------------------------------------------------------------------

interface Account {
  id: string;
  secret: string;
}

/** A machine account created by the tenant admin (a customer account is bound to the world's customer). */
async function account(w: World, role: "customer" | "tenant_admin", scopes = role === "customer" ? ["users:read", "users:write"] : ["users:read", "users:write", "admin"]): Promise<Account> {
  const a = await create(w.t, "accounts", { name: unique("svc"), role, scopes, ...(role === "customer" ? { customerId: w.customer.id } : {}) });
  return { id: a.clientId, secret: a.clientSecret };
}

const accountPath = (w: World, a: Account) => `/api/v1/tenants/${w.t.id}/accounts/${a.id}`;

async function patchAccount(w: World, a: Account, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<void> {
  await call("PATCH", accountPath(w, a), { token: w.t.admin, body, headers, expect: 200 });
}

/** The raw client-credentials reply (to see a refusal). */
const clientCredentials = (a: Account) => call("POST", "/auth/token", { body: { grant_type: "client_credentials", client_id: a.id, client_secret: a.secret } });

interface User {
  id: string;
  email: string;
}

/** A user with a password, created through Corti, given `subrole` through Worth (both by the tenant admin). */
async function user(w: World, subrole: Subrole, password = PASSWORD): Promise<User> {
  const email = `${unique("u")}@example.com`;
  const r = await call("POST", paths(w).corti, { token: w.t.admin, body: { email, firstName: "Ada", lastName: "Lovelace", password }, expect: 201 });
  const id = r.body.id as string;
  await call("PATCH", `${W}/customers/${w.customer.id}/users/${id}`, { token: w.t.admin, body: { subrole: { code: subrole.code } }, expect: 200 });
  return { id, email };
}

const cortiUserPath = (w: World, u: User) => `${paths(w).corti}/${u.id}`;

/** The raw login reply at Corti's token endpoint. */
const loginReply = (email: string, password: string) => call("POST", `${C}/auth/token`, { body: { email, password } });

/** A real login; returns the access token. */
async function login(u: User, password = PASSWORD): Promise<string> {
  const r = await loginReply(u.email, password);
  expect(r.status, r.text).toBe(200);
  return r.body.accessToken as string;
}

/** A customer token of the world's customer signed with the real secret (`now` is its `iat`, in seconds). */
const signed = (w: World, sub: string, now?: number) =>
  sign({ sub, role: "customer", tenant_id: w.t.id, customer_id: w.customer.id, scope: "users:read" }, now === undefined ? {} : { now });

// ---- probes -----------------------------------------------------------------------------------

/** The list route of a surface (one D1 round trip when it succeeds). */
function list(w: World, surface: Surface, token: string): Promise<Reply> {
  const headers: Record<string, string> = surface === "cloudcockpit" ? { "x-tenant": w.t.domain } : {};
  return call("GET", paths(w)[surface], { token, headers });
}

/** The token is served on each surface: 200, within the list's budget of one round trip. */
async function expectServed(w: World, token: string, surfaces: readonly Surface[]): Promise<void> {
  for (const s of surfaces) {
    const r = await list(w, s, token);
    expect(r.status, `${s}: ${r.text}`).toBe(200);
    expect(dbTrips(r), s).toBe(1);
  }
}

/** A surface's whole 401 answer (the same for a revoked token as for any token that does not verify). */
function expectUnauthorized(r: Reply, surface: Surface): void {
  expect(r.status, `${surface}: ${r.text}`).toBe(401);
  expect(r.headers.get("www-authenticate"), surface).toBe('Bearer realm="customer-users"');
  switch (surface) {
    case "worth":
      expect(r.headers.get("content-type")).toBe("application/json");
      expect(r.body).toEqual({ message: "Unauthorized", errorCode: "ERR_UNAUTHORIZED" });
      break;
    case "corti":
      expect(r.headers.get("content-type")).toBe("application/json");
      expect(r.body).toEqual({ message: "Unauthorized.", code: "UNAUTHORIZED" });
      break;
    case "cloudcockpit":
      expect(r.text).toBe("");
      expect(r.headers.get("content-type")).toBeNull();
      expect(r.headers.get("x-correlation-id")).toBeTruthy();
      break;
    case "admin":
      expectProblem(r, 401, "UNAUTHENTICATED");
      expect(r.body).toEqual({
        type: "about:blank",
        title: "Unauthorized",
        status: 401,
        detail: "Unauthorized.",
        code: "UNAUTHENTICATED",
        correlationId: r.headers.get("x-correlation-id"),
      });
      break;
  }
}

/**
 * The token is refused on each surface, on its very next request: 401 in the surface's body, and
 * the refused list cost what the list costs when it succeeds (one round trip, the check inside it).
 */
async function expectRefused(w: World, token: string, surfaces: readonly Surface[]): Promise<void> {
  for (const s of surfaces) {
    const r = await list(w, s, token);
    expectUnauthorized(r, s);
    expect(dbTrips(r), s).toBe(1);
  }
}

/** The claims of a token as issued (not verified here: the Worker verifies it). */
const claims = (token: string) => decodeJwt(token) as { sub: string; iat: number; iat_ms: number; scope: string };

interface RevocationRow {
  subject: string;
  not_before: number;
  expires_at: number;
}

const revocationOf = (subject: string) => env.DB.prepare("select subject, not_before, expires_at from token_revocations where subject = ?").bind(subject).first<RevocationRow>();

/** Audit events written under a correlation id (read with the tenant admin token). */
async function eventsOf(w: World, correlationId: string): Promise<{ action: string; targetId: string }[]> {
  const r = await call("GET", `/api/v1/tenants/${w.t.id}/audit-events?correlationId=${correlationId}&limit=200`, { token: w.t.admin, expect: 200 });
  return r.body.data;
}

/** The tenant's live users with this e-mail (admin API). */
async function usersWithEmail(w: World, email: string): Promise<{ id: string }[]> {
  const r = await call("GET", `/api/v1/tenants/${w.t.id}/users?email=${encodeURIComponent(email)}&limit=200`, { token: w.t.admin, expect: 200 });
  return r.body.data;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Waits for the start of the next clock second (a little past it). */
const nextSecond = () => sleep(1000 - (Date.now() % 1000) + 5);

// ---- accounts -----------------------------------------------------------------------------------

describe("accounts", () => {
  for (const role of ["customer", "tenant_admin"] as const) {
    const surfaces = role === "customer" ? USER_SURFACES : ADMIN_SURFACES;
    it(`${role} account disabled → its token is 401 on ${surfaces.join(", ")}; re-enabled → the old token stays refused, a new one works`, async () => {
      const w = await world();
      const a = await account(w, role);
      const token = await clientToken(a.id, a.secret);
      await expectServed(w, token, surfaces);

      await patchAccount(w, a, { disabled: true });
      await expectRefused(w, token, surfaces);
      // A disabled account gets no new token either.
      const denied = await clientCredentials(a);
      expect(denied.status).toBe(401);
      expect(denied.body).toEqual({ error: "invalid_client", error_description: "Client authentication failed." });

      await patchAccount(w, a, { disabled: false });
      await expectRefused(w, token, surfaces);
      const fresh = await clientToken(a.id, a.secret);
      await expectServed(w, fresh, surfaces);
      // The old token is still refused after the new one was served (nothing was cached or reset).
      await expectRefused(w, token, ["worth"]);
    }, SLOW);
  }

  it("a change that does not touch the grant (the name) ends no token", async () => {
    const w = await world();
    const a = await account(w, "customer");
    const token = await clientToken(a.id, a.secret);
    await patchAccount(w, a, { name: unique("renamed") });
    await expectServed(w, token, USER_SURFACES);
    expect(await revocationOf(a.id)).toBeNull();
  }, SLOW);

  it("account deleted → its token is 401; its tombstone in token_revocations lives a token lifetime", async () => {
    const w = await world();
    const a = await account(w, "customer");
    const token = await clientToken(a.id, a.secret);
    await expectServed(w, token, USER_SURFACES);

    const before = Date.now();
    await call("DELETE", accountPath(w, a), { token: w.t.admin, expect: 204 });
    const after = Date.now();
    await expectRefused(w, token, USER_SURFACES);

    const row = await revocationOf(a.id);
    expect(row).not.toBeNull();
    expect(row!.not_before).toBeGreaterThanOrEqual(before);
    expect(row!.not_before).toBeLessThanOrEqual(after);
    expect(row!.expires_at - row!.not_before).toBe(LIFETIME_MS);
    expect(row!.expires_at).toBeGreaterThanOrEqual(before + LIFETIME_MS);
    expect(row!.expires_at).toBeLessThanOrEqual(after + LIFETIME_MS);
    // The account row itself is gone: only the tombstone refuses the token.
    expect(await env.DB.prepare("select count(*) as n from accounts where id = ?").bind(a.id).first("n")).toBe(0);
    expect((await clientCredentials(a)).status).toBe(401);
  }, SLOW);

  it("scopes narrowed (users:read users:write → users:read) → the old token is 401; a new one carries users:read only", async () => {
    const w = await world();
    const a = await account(w, "customer");
    const token = await clientToken(a.id, a.secret);
    expect(claims(token).scope).toBe("users:read users:write");
    await expectServed(w, token, USER_SURFACES);

    await patchAccount(w, a, { scopes: ["users:read"] });
    await expectRefused(w, token, USER_SURFACES);

    const fresh = await clientToken(a.id, a.secret);
    expect(claims(fresh).scope).toBe("users:read");
    await expectServed(w, fresh, USER_SURFACES);
    // It cannot write: refused by scope (403) in Worth's body, before the store is touched.
    const email = `${unique("w")}@example.com`;
    const r = await call("POST", paths(w).worth, { token: fresh, body: { first_name: "No", last_name: "Write", email, subrole: w.reader } });
    expect({ status: r.status, body: r.body }).toEqual({ status: 403, body: { message: "Forbidden", errorCode: "ERR_FORBIDDEN" } });
    expect(await usersWithEmail(w, email)).toEqual([]);
  }, SLOW);
});

// ---- users ----------------------------------------------------------------------------------

describe("users", () => {
  const deactivations = [
    {
      via: "Corti PATCH enabled:false",
      off: (w: World, u: User) => call("PATCH", cortiUserPath(w, u), { token: w.t.admin, body: { enabled: false }, expect: 200 }),
      on: (w: World, u: User) => call("PATCH", cortiUserPath(w, u), { token: w.t.admin, body: { enabled: true }, expect: 200 }),
    },
    {
      via: 'Worth PATCH status:"INACTIVE"',
      off: (w: World, u: User) => call("PATCH", `${W}/customers/${w.customer.id}/users/${u.id}`, { token: w.t.admin, body: { status: "INACTIVE" }, expect: 200 }),
      on: (w: World, u: User) => call("PATCH", `${W}/customers/${w.customer.id}/users/${u.id}`, { token: w.t.admin, body: { status: "ACTIVE" }, expect: 200 }),
    },
  ];
  for (const d of deactivations) {
    it(`user set inactive (${d.via}) → its login token is 401 everywhere; active again → the old token stays refused, a new login works`, async () => {
      const w = await world();
      const u = await user(w, w.editor);
      const token = await login(u);
      await expectServed(w, token, USER_SURFACES);

      await d.off(w, u);
      await expectRefused(w, token, USER_SURFACES);
      const denied = await loginReply(u.email, PASSWORD);
      expect(denied.status).toBe(401);
      expect(denied.body).toEqual({ message: "Invalid email or password.", code: "UNAUTHORIZED" });

      await d.on(w, u);
      await expectRefused(w, token, USER_SURFACES);
      const fresh = await login(u);
      await expectServed(w, fresh, USER_SURFACES);
    }, SLOW);
  }

  it("user deleted (Corti DELETE) → its login token is 401 everywhere and it cannot log in", async () => {
    const w = await world();
    const u = await user(w, w.editor);
    const token = await login(u);
    await expectServed(w, token, USER_SURFACES);

    await call("DELETE", cortiUserPath(w, u), { token: w.t.admin, expect: 204 });
    await expectRefused(w, token, USER_SURFACES);
    expect((await loginReply(u.email, PASSWORD)).status).toBe(401);
  }, SLOW);

  it("password changed → the older token is 401; a login with the new password in the same second works (its iat_ms is after the revocation)", async () => {
    const w = await world();
    const u = await user(w, w.editor);
    const token = await login(u);
    await expectServed(w, token, USER_SURFACES);

    // Change the password and log in again within one clock second (tried up to three times).
    let sameSecond: { fresh: string; notBefore: number } | undefined;
    for (let attempt = 0; attempt < 3 && sameSecond === undefined; attempt++) {
      await nextSecond();
      const password = `${NEW_PASSWORD}-${attempt}`;
      await call("PATCH", cortiUserPath(w, u), { token: w.t.admin, body: { password }, expect: 200 });
      const fresh = await login(u, password);
      const done = Date.now();
      const notBefore = (await revocationOf(u.id))!.not_before;
      if (Math.floor(done / 1000) === Math.floor(notBefore / 1000) && notBefore % 1000 !== 0) sameSecond = { fresh, notBefore };
    }
    expect(sameSecond, "the change and the login never fell in one clock second").toBeDefined();
    const { fresh, notBefore } = sameSecond!;
    // Issued in the second of the revocation, after it: the same `iat`, a later `iat_ms`.
    expect(claims(fresh).iat).toBe(Math.floor(notBefore / 1000));
    expect(claims(fresh).iat_ms).toBeGreaterThan(notBefore);
    await expectServed(w, fresh, USER_SURFACES);
    await expectRefused(w, token, USER_SURFACES);
    // The old password no longer logs in.
    expect((await loginReply(u.email, PASSWORD)).status).toBe(401);
  }, SLOW);

  it("subrole changed (Worth PATCH subrole) → the older token is 401; a new login carries the new subrole's scopes", async () => {
    const w = await world();
    const u = await user(w, w.editor);
    const token = await login(u);
    expect(claims(token).scope).toBe("users:read users:write");
    await expectServed(w, token, USER_SURFACES);

    await call("PATCH", `${W}/customers/${w.customer.id}/users/${u.id}`, { token: w.t.admin, body: { subrole: { code: w.reader.code } }, expect: 200 });
    await expectRefused(w, token, USER_SURFACES);

    const fresh = await login(u);
    expect(claims(fresh).scope).toBe("users:read");
    await expectServed(w, fresh, USER_SURFACES);
  }, SLOW);

  it("a subrole's permissions changed (admin PATCH) → the tokens of every holder are 401; holders of other subroles keep theirs", async () => {
    const w = await world();
    const [u1, u2, other] = [await user(w, w.editor), await user(w, w.editor), await user(w, w.reader)];
    const [t1, t2, tOther] = [await login(u1), await login(u2), await login(other)];
    for (const t of [t1, t2, tOther]) await expectServed(w, t, USER_SURFACES);
    const subrole = `/api/v1/tenants/${w.t.id}/subroles/${w.editor.id}`;
    // Every user has a row already (giving it its subrole revoked its earlier tokens).
    const [r1, r2, rOther] = [await revocationOf(u1.id), await revocationOf(u2.id), await revocationOf(other.id)];

    // A change that leaves the permissions alone ends nothing.
    await call("PATCH", subrole, { token: w.t.admin, body: { label: "Renamed" }, expect: 200 });
    for (const t of [t1, t2]) await expectServed(w, t, ["worth"]);

    await call("PATCH", subrole, { token: w.t.admin, body: { permissions: ["customer_user:read"] }, expect: 200 });
    await expectRefused(w, t1, USER_SURFACES);
    await expectRefused(w, t2, USER_SURFACES);
    await expectServed(w, tOther, USER_SURFACES);
    // The holders' rows moved forward; the other user's did not.
    expect((await revocationOf(u1.id))!.not_before).toBeGreaterThan(r1!.not_before);
    expect((await revocationOf(u2.id))!.not_before).toBeGreaterThan(r2!.not_before);
    expect(await revocationOf(other.id)).toEqual(rOther);

    const fresh = await login(u1);
    expect(claims(fresh).scope).toBe("users:read");
    await expectServed(w, fresh, USER_SURFACES);
  }, SLOW);
});

// ---- writes -------------------------------------------------------------------------------------

describe("a revoked token writes nothing", () => {
  it("a disabled customer account's creates through Worth, Corti and CloudCockpit: 401 each, no user, no audit event", async () => {
    const w = await world();
    const a = await account(w, "customer");
    const token = await clientToken(a.id, a.secret);
    await expectServed(w, token, ["worth"]);
    const disabling = crypto.randomUUID();
    await patchAccount(w, a, { disabled: true }, { "x-correlation-id": disabling });
    // The audit filter finds what a live request wrote (so an empty answer below means something).
    expect((await eventsOf(w, disabling)).map((e) => [e.action, e.targetId])).toEqual([["account.updated", a.id]]);

    const attempts = [
      {
        surface: "worth" as const,
        send: (email: string, headers: Record<string, string>) =>
          call("POST", paths(w).worth, { token, headers, body: { first_name: "Revoked", last_name: "Write", email, subrole: w.reader } }),
      },
      {
        surface: "corti" as const,
        send: (email: string, headers: Record<string, string>) =>
          call("POST", paths(w).corti, { token, headers, body: { email, firstName: "Revoked", lastName: "Write", password: PASSWORD } }),
      },
      {
        surface: "cloudcockpit" as const,
        send: (email: string, headers: Record<string, string>) =>
          call("POST", paths(w).cloudcockpit, { token, headers: { ...headers, "x-tenant": w.t.domain }, body: { firstName: "Revoked", lastName: "Write", email, groups: [] } }),
      },
    ];
    for (const { surface, send } of attempts) {
      const email = `${unique(surface)}@example.com`;
      const correlationId = crypto.randomUUID();
      const r = await send(email, { "x-correlation-id": correlationId });
      expectUnauthorized(r, surface);
      expect(r.headers.get("x-correlation-id")).toBe(correlationId);
      expect(dbTrips(r), surface).toBe(1); // the create's read batch, refused; its write never sent
      expect(await usersWithEmail(w, email), surface).toEqual([]);
      expect(await eventsOf(w, correlationId), surface).toEqual([]);
    }
  }, SLOW);

  it("a revoked user's update through Corti: 401, the user unchanged, no audit event", async () => {
    const w = await world();
    const u = await user(w, w.editor);
    const token = await login(u);
    await call("PATCH", cortiUserPath(w, u), { token: w.t.admin, body: { password: NEW_PASSWORD }, expect: 200 });
    const correlationId = crypto.randomUUID();
    const r = await call("PATCH", cortiUserPath(w, u), { token, headers: { "x-correlation-id": correlationId }, body: { firstName: "Hijacked" } });
    expectUnauthorized(r, "corti");
    expect(dbTrips(r)).toBe(1);
    expect(await eventsOf(w, correlationId)).toEqual([]);
    const row = await env.DB.prepare("select first_name from users where id = ?").bind(u.id).first("first_name");
    expect(row).toBe("Ada");
  }, SLOW);

  it("a deleted tenant_admin account's admin API create (POST /projects): 401 problem, no project, no audit event", async () => {
    const w = await world();
    const a = await account(w, "tenant_admin");
    const token = await clientToken(a.id, a.secret);
    await expectServed(w, token, ["admin"]);
    await call("DELETE", accountPath(w, a), { token: w.t.admin, expect: 204 });

    const key = unique("revoked").toLowerCase();
    const correlationId = crypto.randomUUID();
    const r = await call("POST", `/api/v1/tenants/${w.t.id}/projects`, { token, headers: { "x-correlation-id": correlationId }, body: { key, name: "Never" } });
    expectUnauthorized(r, "admin");
    expect(r.body.correlationId).toBe(correlationId);
    expect(dbTrips(r)).toBe(1);
    const projects = await call("GET", `/api/v1/tenants/${w.t.id}/projects?limit=200`, { token: w.t.admin, expect: 200 });
    expect(projects.body.data.map((p: { key: string }) => p.key)).toEqual([w.project.key]);
    expect(await eventsOf(w, correlationId)).toEqual([]);
  }, SLOW);
});

// ---- what is not revoked, and the comparison itself -------------------------------------------

describe("the not_before comparison", () => {
  it("a token whose subject the directory does not hold keeps working (hand-signed, random sub)", async () => {
    const w = await world();
    // Revocations of others in the same tenant change nothing for it.
    const a = await account(w, "customer");
    await patchAccount(w, a, { disabled: true });
    const token = await signed(w, crypto.randomUUID());
    await expectServed(w, token, USER_SURFACES);
  }, SLOW);

  it("another issuer's token (seconds only) after a password change: iat before the revocation's second → 401; the next second → 200", async () => {
    const w = await world();
    const u = await user(w, w.editor);
    await call("PATCH", cortiUserPath(w, u), { token: w.t.admin, body: { password: NEW_PASSWORD }, expect: 200 });
    const notBefore = (await revocationOf(u.id))!.not_before;
    const second = Math.floor(notBefore / 1000);

    await expectRefused(w, await signed(w, u.id, second - 5), USER_SURFACES);
    await expectServed(w, await signed(w, u.id, second + 1), USER_SURFACES);
    // The revocation's own second: refused exactly when not_before lies past the second's start.
    const boundary = await list(w, "worth", await signed(w, u.id, second));
    expect(boundary.status).toBe(notBefore > second * 1000 ? 401 : 200);
  }, SLOW);

  /*
   * A token issued in the second of a revocation, after it, works; it must still be refused by a
   * revocation that comes after it in the same second: the token was issued before that one.
   */
  it("a token issued in the second of a revocation is refused by a later revocation in that second: account grant changed", async () => {
    let seen: { token: string; w: World } | undefined;
    for (let attempt = 0; attempt < 3 && seen === undefined; attempt++) {
      const w = await world();
      const a = await account(w, "customer");
      await nextSecond();
      await patchAccount(w, a, { scopes: ["users:read"] }); // revocation 1
      const first = (await revocationOf(a.id))!.not_before;
      const token = await clientToken(a.id, a.secret); // issued after revocation 1, in its second
      await patchAccount(w, a, { scopes: ["users:write"] }); // revocation 2, after the token was issued
      const second = (await revocationOf(a.id))!.not_before;
      // The case under test: all three in one clock second (not at its very start).
      if (Math.floor(first / 1000) === Math.floor(second / 1000) && first % 1000 !== 0) seen = { token, w };
    }
    expect(seen, "the three steps never fell in one clock second").toBeDefined();
    const { token, w } = seen!;
    expect(claims(token).scope).toBe("users:read"); // a scope the account no longer holds
    await expectRefused(w, token, USER_SURFACES);
  }, SLOW);

  it("a token issued in the second of a revocation is refused by a later revocation in that second: login right after a password change, then a subrole downgrade", async () => {
    let seen: { token: string; w: World } | undefined;
    for (let attempt = 0; attempt < 3 && seen === undefined; attempt++) {
      const w = await world();
      const u = await user(w, w.editor);
      await nextSecond();
      const password = `${NEW_PASSWORD}-${attempt}`;
      await call("PATCH", cortiUserPath(w, u), { token: w.t.admin, body: { password }, expect: 200 }); // revocation 1
      const first = (await revocationOf(u.id))!.not_before;
      const token = await login(u, password); // issued after revocation 1, in its second
      await call("PATCH", `${W}/customers/${w.customer.id}/users/${u.id}`, { token: w.t.admin, body: { subrole: { code: w.reader.code } }, expect: 200 }); // revocation 2
      const second = (await revocationOf(u.id))!.not_before;
      if (Math.floor(first / 1000) === Math.floor(second / 1000) && first % 1000 !== 0) seen = { token, w };
    }
    expect(seen, "the three steps never fell in one clock second").toBeDefined();
    const { token, w } = seen!;
    expect(claims(token).scope).toBe("users:read users:write"); // the editor's scopes, taken away by the downgrade
    // Its next request, a write that only the old subrole allowed: refused, nothing written.
    const email = `${unique("late")}@example.com`;
    const r = await call("POST", paths(w).worth, { token, body: { first_name: "After", last_name: "Downgrade", email, subrole: w.reader } });
    expectUnauthorized(r, "worth");
    expect(await usersWithEmail(w, email)).toEqual([]);
    await expectRefused(w, token, USER_SURFACES);
  }, SLOW);
});
