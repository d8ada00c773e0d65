/**
 * Logins stay inside one tenant (docs/decisions/0007-privilege-ceiling.md): an e-mail held in
 * several tenants is opened by the password alone (or by X-Tenant), never refused as such; the
 * lockout is per (tenant, user) and taken atomically before any hash is verified, so concurrent
 * guesses cannot pass it; unknown e-mails write nothing; the answer and the work are the same
 * whatever the number of tenants holding the e-mail. Every refusal is asserted whole, byte for byte
 * against the refusal of an e-mail nobody holds.
 */
import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { LOCKOUT_MS, LOCKOUT_THRESHOLD, LOGIN_CANDIDATES } from "../../src/auth/token-service";
import { call, dbTrips, unique, type Reply } from "../harness";
import { CORTI, cortiUser, world, type World } from "../corti/helpers";

const SLOW = 120_000;
const REFUSED = { message: "Invalid email or password.", code: "UNAUTHORIZED" };

/** A distinct password of 16–64 code points. */
const pw = (label: string) => `${label}-${crypto.randomUUID().slice(0, 12)}-Pw!`;
const sharedEmail = (label = "shared") => `${unique(label)}@example.com`;

interface LoginOptions {
  /** The tenant the login names in X-Tenant. */
  tenant?: World;
  path?: string;
}

function login(email: string, password: string, o: LoginOptions = {}): Promise<Reply> {
  return call("POST", o.path ?? `${CORTI}/auth/token`, {
    body: { email, password },
    headers: o.tenant ? { "x-tenant": o.tenant.tenant.domain } : {},
  });
}

/** The refusal every failure must equal: an e-mail no tenant holds. */
async function reference(): Promise<Reply> {
  const r = await login(`${unique("nobody")}@example.com`, "no-such-password-anywhere");
  expect(r.status).toBe(401);
  expect(r.body).toEqual(REFUSED);
  return r;
}

function expectRefused(r: Reply, ref: Reply): void {
  expect(r.status, r.text).toBe(401);
  expect(r.body).toEqual(REFUSED);
  expect(r.text).toBe(ref.text);
  expect(r.headers.get("content-type")).toBe(ref.headers.get("content-type"));
  expect(r.headers.get("www-authenticate")).toBe(ref.headers.get("www-authenticate"));
  expect(r.headers.get("cache-control")).toBe(ref.headers.get("cache-control"));
}

/** Asserts a success and returns the token's claims. */
function expectOpened(r: Reply, w: World, userId: string) {
  expect(r.status, r.text).toBe(200);
  expect(r.body).toEqual({ accessToken: expect.any(String), tokenType: "bearer", expiresIn: 3600 });
  const claims = decodeJwt(r.body.accessToken);
  expect(claims).toMatchObject({ sub: userId, role: "customer", tenant_id: w.tenant.id, customer_id: w.customer.id });
  return claims;
}

interface ThrottleRow {
  failures: number;
  locked_until: number | null;
  updated_at: number;
}

function throttle(userId: string): Promise<ThrottleRow | null> {
  return env.DB.prepare("select failures, locked_until, updated_at from login_throttle where user_id = ?").bind(userId).first<ThrottleRow>();
}

/**
 * The winner's row once its release has landed: a success releases its count after the response
 * (waitUntil, src/auth/token-service.ts), so a test that asserts the release waits for it — bounded,
 * and failing with the row it last saw.
 */
async function released(userId: string): Promise<ThrottleRow | null> {
  let row = await throttle(userId);
  for (let i = 0; i < 100 && row !== null; i++) {
    await new Promise((r) => setTimeout(r, 20));
    row = await throttle(userId);
  }
  return row;
}

async function setFailures(userId: string, failures: number, lockedUntil: number | null = null): Promise<void> {
  await env.DB.prepare(
    "insert into login_throttle (user_id, failures, locked_until, updated_at) values (?1, ?2, ?3, ?4) on conflict (user_id) do update set failures = ?2, locked_until = ?3, updated_at = ?4",
  )
    .bind(userId, failures, lockedUntil, Date.now())
    .run();
}

async function orphanRows(): Promise<number> {
  const r = await env.DB.prepare("select count(*) as n from login_throttle where user_id not in (select id from users)").first<{ n: number }>();
  return r?.n ?? -1;
}

describe("one e-mail in several tenants", () => {
  it("without X-Tenant the password alone decides which tenant's user opens; a wrong one is the unknown e-mail's 401", async () => {
    const [a, b] = [await world(), await world()];
    const email = sharedEmail();
    const [pa, pb] = [pw("A"), pw("B")];
    const ua = await cortiUser(a, { email, password: pa });
    const ub = await cortiUser(b, { email, password: pb });
    const ref = await reference();

    // Formerly refused as "held in two tenants" (an oracle): now each password opens its own user.
    for (const path of [`${CORTI}/auth/token`, "/auth/token"]) {
      const ra = await login(email, pa, { path });
      expect(expectOpened(ra, a, ua.id).tenant_id).toBe(a.tenant.id);
      const rb = await login(email.toUpperCase(), pb, { path });
      expect(expectOpened(rb, b, ub.id).tenant_id).toBe(b.tenant.id);
    }
    const wrong = await login(email, "wrong-password-for-both-tenants");
    expectRefused(wrong, ref);
  }, SLOW);

  it("with X-Tenant only that tenant's user is a candidate", async () => {
    const [a, b] = [await world(), await world()];
    const email = sharedEmail();
    const [pa, pb] = [pw("A"), pw("B")];
    const ua = await cortiUser(a, { email, password: pa });
    const ub = await cortiUser(b, { email, password: pb });
    const ref = await reference();

    expectRefused(await login(email, pa, { tenant: b }), ref);
    expectRefused(await login(email, pb, { tenant: a }), ref);
    expectOpened(await login(email, pa, { tenant: a }), a, ua.id);
    expectOpened(await login(email, pb, { tenant: b }), b, ub.id);
    // A tenant nobody holds: no candidate at all.
    const nowhere = await call("POST", `${CORTI}/auth/token`, { body: { email, password: pa }, headers: { "x-tenant": `${unique("none")}.example.com` } });
    expectRefused(nowhere, ref);
  }, SLOW);
});

describe("the lockout is per (tenant, user)", () => {
  it(`${LOCKOUT_THRESHOLD} wrong guesses in A lock A's user only; B's successes never unlock it`, async () => {
    const [a, b] = [await world(), await world()];
    const email = sharedEmail();
    // The same password in both tenants: without X-Tenant, A's user (the older) would be first.
    const password = pw("same");
    const ua = await cortiUser(a, { email, password });
    const ub = await cortiUser(b, { email, password });
    const ref = await reference();

    for (let i = 0; i < LOCKOUT_THRESHOLD; i++) expectRefused(await login(email, "wrong-guess-against-a-only", { tenant: a }), ref);
    const afterGuesses = await throttle(ua.id);
    expect(afterGuesses).toMatchObject({ failures: LOCKOUT_THRESHOLD, locked_until: expect.any(Number) });
    expect(await throttle(ub.id)).toBeNull();

    // Locked: the right password in A is refused, like any failure.
    expectRefused(await login(email, password, { tenant: a }), ref);
    const locked = await throttle(ua.id);
    expect(locked).toEqual({ failures: LOCKOUT_THRESHOLD + 1, locked_until: afterGuesses?.locked_until, updated_at: expect.any(Number) });

    // B's user with the same e-mail still logs in, named...
    expectOpened(await login(email, password, { tenant: b }), b, ub.id);
    expect(await throttle(ua.id)).toEqual(locked);
    // ...or not: the password alone skips A's locked user and opens B's; A's lock stands (the attempt
    // counts against A too: B's success is no evidence for A), its end unchanged.
    expectOpened(await login(email, password), b, ub.id);
    expect(await throttle(ua.id)).toEqual({ ...locked, failures: LOCKOUT_THRESHOLD + 2, updated_at: expect.any(Number) });
    expect(await released(ub.id)).toBeNull();
    expectRefused(await login(email, password, { tenant: a }), ref);
  }, SLOW);
});

describe("concurrent guesses cannot pass the threshold", () => {
  it("25 wrong guesses at once are all counted; the lock holds against the right password", async () => {
    const w = await world();
    const password = pw("right");
    const u = await cortiUser(w, { password });
    const ref = await reference();
    const before = Date.now();

    const replies = await Promise.all(Array.from({ length: 25 }, () => login(u.email, "a-wrong-guess-at-once")));
    for (const r of replies) expectRefused(r, ref);
    const row = await throttle(u.id);
    expect(row?.failures).toBe(25);
    expect(row?.locked_until).toEqual(expect.any(Number));
    expect(row?.locked_until).toBeGreaterThanOrEqual(before + LOCKOUT_MS);
    expect(row?.locked_until).toBeLessThanOrEqual(Date.now() + LOCKOUT_MS);

    expectRefused(await login(u.email, password), ref);
    expectRefused(await login(u.email, password, { tenant: w }), ref);
    expect((await throttle(u.id))?.failures).toBe(27);
  }, SLOW);

  it(`${LOCKOUT_THRESHOLD} concurrent wrong guesses use up every attempt: the next, with the right password, is refused`, async () => {
    const w = await world();
    const password = pw("right");
    const u = await cortiUser(w, { password });
    const ref = await reference();

    const replies = await Promise.all(Array.from({ length: LOCKOUT_THRESHOLD }, () => login(u.email, "a-wrong-guess-at-once", { tenant: w })));
    for (const r of replies) expectRefused(r, ref);
    expect(await throttle(u.id)).toMatchObject({ failures: LOCKOUT_THRESHOLD, locked_until: expect.any(Number) });
    expectRefused(await login(u.email, password), ref);
  }, SLOW);

  it("one attempt left, right passwords at once: each is decided by its own reservation, none verified past the threshold", async () => {
    const w = await world();
    const password = pw("right");
    const u = await cortiUser(w, { password });
    const ref = await reference();
    await setFailures(u.id, LOCKOUT_THRESHOLD - 1);

    // Record every write to this user's throttle row, in order (test-only triggers, dropped after).
    const tag = crypto.randomUUID().replace(/-/g, "");
    const log = `test_throttle_log_${tag}`;
    const when = `when new.user_id = '${u.id}'`;
    await env.DB.exec(`create table ${log} (seq integer primary key autoincrement, op text not null, failures integer not null)`);
    await env.DB.exec(`create trigger ${log}_i after insert on login_throttle ${when} begin insert into ${log} (op, failures) values ('reserve', new.failures); end`);
    await env.DB.exec(`create trigger ${log}_u after update on login_throttle ${when} begin insert into ${log} (op, failures) values ('reserve', new.failures); end`);
    await env.DB.exec(`create trigger ${log}_d after delete on login_throttle when old.user_id = '${u.id}' begin insert into ${log} (op, failures) values ('release', old.failures); end`);
    let replies: Reply[];
    let ops: { op: string; failures: number }[];
    try {
      replies = await Promise.all(Array.from({ length: 8 }, () => login(u.email, password)));
      // Each success releases after its response: wait for the last release before reading the log.
      await released(u.id);
      ops = (await env.DB.prepare(`select op, failures from ${log} order by seq`).all<{ op: string; failures: number }>()).results;
    } finally {
      for (const t of ["i", "u", "d"]) await env.DB.exec(`drop trigger if exists ${log}_${t}`);
      await env.DB.exec(`drop table if exists ${log}`);
    }

    // However the eight interleave: each reserved exactly once before its hash was verified, and
    // exactly those whose reservation was within the threshold opened; the rest were refused.
    const reservations = ops.filter((o) => o.op === "reserve").map((o) => o.failures);
    expect(reservations).toHaveLength(replies.length);
    expect(reservations[0]).toBe(LOCKOUT_THRESHOLD);
    const opened = replies.filter((r) => r.status === 200);
    const refused = replies.filter((r) => r.status !== 200);
    expect(opened.length).toBeGreaterThanOrEqual(1);
    expect(opened.length).toBe(reservations.filter((n) => n <= LOCKOUT_THRESHOLD).length);
    expect(refused.length).toBe(reservations.filter((n) => n > LOCKOUT_THRESHOLD).length);
    for (const r of opened) expectOpened(r, w, u.id);
    for (const r of refused) expectRefused(r, ref);
    // Reservations past the threshold come only before the first release (the success's reset).
    const firstRelease = ops.findIndex((o) => o.op === "release");
    expect(firstRelease).toBeGreaterThan(0);
    expect(ops.slice(0, firstRelease).map((o) => o.failures)).toEqual(Array.from({ length: firstRelease }, (_, i) => LOCKOUT_THRESHOLD + i));
    expect(ops.slice(firstRelease).every((o) => o.op === "release" || o.failures <= LOCKOUT_THRESHOLD)).toBe(true);
    // The last success deletes the row (after its response).
    expect(await released(u.id)).toBeNull();
    expectOpened(await login(u.email, password), w, u.id);
  }, SLOW);
});

describe("unknown e-mails and bounded work", () => {
  it("unknown e-mails write no throttle row", async () => {
    const w = await world();
    await cortiUser(w, { password: pw("someone") });
    const ref = await reference();
    const since = Date.now();
    expect(await orphanRows()).toBe(0);

    const emails = Array.from({ length: 5 }, () => `${unique("unknown")}@example.com`);
    for (const email of emails) expectRefused(await login(email, "whatever-password-1234"), ref);
    // Also when a tenant is named: a tenant that exists, an e-mail it does not hold.
    expectRefused(await login(`${unique("unknown")}@example.com`, "whatever-password-1234", { tenant: w }), ref);

    expect(await orphanRows()).toBe(0);
    const written = await env.DB.prepare("select count(*) as n from login_throttle where updated_at >= ? and user_id not in (select id from users)").bind(since).first<{ n: number }>();
    expect(written?.n).toBe(0);
  }, SLOW);

  it(`the same answer and trips for an e-mail in 0, 1, 2 or 4 tenants; the ${LOGIN_CANDIDATES} oldest holders are candidates, a 4th needs X-Tenant`, async () => {
    expect(LOGIN_CANDIDATES).toBe(3);
    const worlds: World[] = [];
    for (let i = 0; i < 4; i++) worlds.push(await world());
    const w1 = worlds[0] as World;
    const w4 = worlds[3] as World;
    const e1 = sharedEmail("one");
    const e2 = sharedEmail("two");
    const e4 = sharedEmail("four");
    await cortiUser(w1, { email: e1, password: pw("e1") });
    await cortiUser(w1, { email: e2, password: pw("e2a") });
    await cortiUser(worlds[1] as World, { email: e2, password: pw("e2b") });
    const passwords = worlds.map((_, i) => pw(`e4-${i}`));
    const holders: { id: string }[] = [];
    for (const [i, w] of worlds.entries()) holders.push(await cortiUser(w, { email: e4, password: passwords[i] }));
    // The holders were created in this order: the 4th is the newest.
    const created = await Promise.all(
      holders.map(async (h) => (await env.DB.prepare("select created_at from users where id = ?").bind(h.id).first<{ created_at: number }>())?.created_at ?? NaN),
    );
    expect([...created].sort((x, y) => x - y)).toEqual(created);
    expect(new Set(created).size).toBe(4);

    const ref = await reference();
    const wrong = "wrong-password-everywhere";
    const replies = {
      0: await login(`${unique("nobody")}@example.com`, wrong),
      1: await login(e1, wrong),
      2: await login(e2, wrong),
      4: await login(e4, wrong),
    };
    for (const r of Object.values(replies)) {
      expectRefused(r, ref);
      expect(dbTrips(r)).toBe(1);
    }

    // The three oldest open without X-Tenant; the newest only with its X-Tenant.
    for (const i of [0, 1, 2]) expectOpened(await login(e4, passwords[i] as string), worlds[i] as World, (holders[i] as { id: string }).id);
    const newest = await login(e4, passwords[3] as string);
    expectRefused(newest, ref);
    expect(dbTrips(newest)).toBe(1);
    expectOpened(await login(e4, passwords[3] as string, { tenant: w4 }), w4, (holders[3] as { id: string }).id);
    // The newest was never a candidate without X-Tenant: no attempt reserved on it (its success deleted any).
    expect(await released((holders[3] as { id: string }).id)).toBeNull();
  }, SLOW);
});

describe("who may be opened, and what a success clears", () => {
  it("an inactive older user in A and an active one in B, same e-mail and password: the password opens B's", async () => {
    const [a, b] = [await world(), await world()];
    const email = sharedEmail();
    const password = pw("same");
    const ua = await cortiUser(a, { email, password });
    const ub = await cortiUser(b, { email, password });
    await call("PATCH", `${a.usersPath}/${ua.id}`, { token: a.tenant.admin, body: { enabled: false }, expect: 200 });
    const ref = await reference();

    expectOpened(await login(email, password), b, ub.id);
    expectRefused(await login(email, password, { tenant: a }), ref);
    expectOpened(await login(email, password, { tenant: b }), b, ub.id);
  }, SLOW);

  it("a success clears the winner's count only: for the other candidates the attempt was a wrong guess and stays counted", async () => {
    const [a, b] = [await world(), await world()];
    const email = sharedEmail();
    const [px, py] = [pw("X"), pw("Y")];
    const x = await cortiUser(a, { email, password: px });
    const y = await cortiUser(b, { email, password: py });
    await setFailures(y.id, 3);
    await setFailures(x.id, 2);

    expectOpened(await login(email, px), a, x.id);
    expect(await released(x.id)).toBeNull();
    expect(await throttle(y.id)).toMatchObject({ failures: 4, locked_until: null });
  }, SLOW);

  it("round trips: one for any failure and one for a success (its release is sent after the response)", async () => {
    const w = await world();
    const password = pw("trips");
    const u = await cortiUser(w, { password });
    const ref = await reference();
    expect(dbTrips(ref)).toBe(1);
    const wrong = await login(u.email, "wrong-password-for-trips");
    expectRefused(wrong, ref);
    expect(dbTrips(wrong)).toBe(1);
    const wrongNamed = await login(u.email, "wrong-password-for-trips", { tenant: w });
    expectRefused(wrongNamed, ref);
    expect(dbTrips(wrongNamed)).toBe(1);
    for (const o of [{}, { tenant: w }]) {
      const ok = await login(u.email, password, o);
      expectOpened(ok, w, u.id);
      expect(dbTrips(ok)).toBe(1);
    }
    await setFailures(u.id, LOCKOUT_THRESHOLD, Date.now() + LOCKOUT_MS);
    const locked = await login(u.email, password);
    expectRefused(locked, ref);
    expect(dbTrips(locked)).toBe(1);
  }, SLOW);
});

describe("another tenant's user cannot buy back guesses", () => {
  // Victim V in tenant B; the attacker administers tenant A and gives its own user X the victim's
  // e-mail. Each guess G: set X's password to G, log in without X-Tenant. V (older) is verified
  // first; when G is wrong, X opens. An earlier draft of the login "handed back" to V the attempt
  // reserved on it whenever another candidate opened, so V's counter never moved and the lockout
  // never came (found by this test; see docs/decisions/0007-privilege-ceiling.md).
  it(`more than ${LOCKOUT_THRESHOLD} wrong verifications of V's password lock V, whoever opens`, async () => {
    const [victim, attacker] = [await world(), await world()];
    const email = sharedEmail("victim");
    const secret = pw("victim");
    const v = await cortiUser(victim, { email, password: secret });
    const x = await cortiUser(attacker, { email, password: pw("attacker") });
    const ref = await reference();

    for (let i = 0; i < LOCKOUT_THRESHOLD + 2; i++) {
      const guess = pw(`guess${i}`);
      await call("PATCH", `${attacker.usersPath}/${x.id}`, { token: attacker.tenant.admin, body: { password: guess }, expect: 200 });
      // The guess is wrong for V, so X (the attacker's own user) opens.
      expectOpened(await login(email, guess), attacker, x.id);
    }
    // Each of those logins verified a wrong password against V's hash: V must be locked now.
    const row = await throttle(v.id);
    expect(row?.failures, "V's failures after the guesses").toBe(LOCKOUT_THRESHOLD + 2);
    expect(row?.locked_until, "V is locked").toBeGreaterThan(Date.now());
    // The attacker's next guess is V's password: it must not open V.
    await call("PATCH", `${attacker.usersPath}/${x.id}`, { token: attacker.tenant.admin, body: { password: secret }, expect: 200 });
    const hit = await login(email, secret);
    // V is locked, so the right guess opens only the attacker's own user.
    expect(hit.status).toBe(200);
    expect(decodeJwt(hit.body.accessToken).sub, "the user the right guess opened").toBe(x.id);
    expectRefused(await login(email, secret, { tenant: victim }), ref);
  }, SLOW);
});
