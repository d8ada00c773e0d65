/**
 * Import jobs end to end (docs/migration.md#import), through the real route and the real imports
 * Queue: a file mixing valid rows, every validation error once, duplicates inside the file and
 * against the tenant, every password hash format, customers outside the token's reach and a
 * subrole above its ceiling → exact counts and errors, as a least-privileged importer (a
 * project-narrowed account holding `admin users:write` only) sees them; the users read back as
 * the admin API shows them; each imported password logs in through Corti's /auth/token and is then
 * rehashed; the same as CSV; nothing secret in any response, error or audit event.
 */
import { env } from "cloudflare:workers";
import { argon2i, argon2id } from "@noble/hashes/argon2.js";
import { pbkdf2 } from "@noble/hashes/pbkdf2.js";
import { scrypt } from "@noble/hashes/scrypt.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import bcrypt from "bcryptjs";
import { Webhook } from "standardwebhooks";
import { beforeAll, describe, expect, it } from "vitest";
import { expectCortiError } from "../corti/helpers";
import { call, unique } from "../harness";
import { world, type World } from "../world";
import { finished, imported, ndjson, upload } from "./helpers";

const PASSWORD = "Migrated-passw0rd-2026";
const salt = new TextEncoder().encode("import-salt-0123");
const b64 = (u: Uint8Array) => btoa(String.fromCharCode(...u)).replace(/=+$/, "");
const ab64 = (u: Uint8Array) => b64(u).replace(/\+/g, ".");

/** One hash per accepted format, each of PASSWORD (cheap parameters: the formats are under test, not the costs). */
const HASHES: [string, string][] = [
  ["bcrypt $2a$", bcrypt.hashSync(PASSWORD, 4).replace(/^\$2b\$/, "$2a$")],
  ["bcrypt $2b$", bcrypt.hashSync(PASSWORD, 4)],
  ["bcrypt $2y$", bcrypt.hashSync(PASSWORD, 4).replace(/^\$2b\$/, "$2y$")],
  ["argon2id PHC", `$argon2id$v=19$m=256,t=2,p=1$${b64(salt)}$${b64(argon2id(PASSWORD, salt, { t: 2, m: 256, p: 1, dkLen: 32 }))}`],
  ["argon2i PHC", `$argon2i$v=19$m=256,t=2,p=1$${b64(salt)}$${b64(argon2i(PASSWORD, salt, { t: 2, m: 256, p: 1, dkLen: 32 }))}`],
  ["scrypt PHC", `$scrypt$ln=10,r=8,p=1$${b64(salt)}$${b64(scrypt(PASSWORD, salt, { N: 1024, r: 8, p: 1, dkLen: 32 }))}`],
  ["PBKDF2-SHA256 PHC", `$pbkdf2-sha256$i=1000,l=32$${b64(salt)}$${b64(pbkdf2(sha256, PASSWORD, salt, { c: 1000, dkLen: 32 }))}`],
  ["PBKDF2-SHA256 passlib", `$pbkdf2-sha256$1000$${ab64(salt)}$${ab64(pbkdf2(sha256, PASSWORD, salt, { c: 1000, dkLen: 32 }))}`],
  ["PBKDF2-SHA512 passlib", `$pbkdf2-sha512$1000$${ab64(salt)}$${ab64(pbkdf2(sha512, PASSWORD, salt, { c: 1000, dkLen: 64 }))}`],
  ["PBKDF2-SHA256 Django", `pbkdf2_sha256$1000$djangosalt$${btoa(String.fromCharCode(...pbkdf2(sha256, PASSWORD, "djangosalt", { c: 1000, dkLen: 32 })))}`],
];

let w: World<"importer">;
let other: World;
let existing: string;

beforeAll(async () => {
  existing = `${unique("existing")}@example.com`;
  [w, other] = await Promise.all([
    world({
      projects: 2,
      customers: [
        { name: "A", project: 0, key: "a" },
        { name: "B", project: 0, key: "b" },
        { name: "C", project: 1, key: "c" },
      ],
      subroles: [
        { code: "viewer", label: "Viewer", displayName: "Viewer", permissions: ["customer_user:read"] },
        { code: "editor", label: "Editor", displayName: "Editor", permissions: ["customer_user:write"] },
      ],
      groups: [{ name: "Sales" }, { name: "Support" }],
      // The least-privileged importer: one project, and users:write without users:read.
      accounts: [{ name: "Importer", role: "tenant_admin", project: 0, scopes: ["admin", "users:write"] }],
      users: [{ via: "corti", customer: 1, email: existing, firstName: "Ex", lastName: "Isting" }],
      tokens: { importer: { account: 0 } },
    }),
    world({ customers: 1 }),
  ]);
});

const usersOf = async (customerId: string) =>
  (await call("GET", `/api/v1/tenants/${w.tenant.id}/users?customerId=${customerId}&limit=100`, { token: w.tenant.admin, expect: 200 })).body.data as Record<string, unknown>[];

describe("import (NDJSON): a mixed file", { timeout: 120_000 }, () => {
  it("creates the valid rows and reports every other exactly, as the importer's own creates would", async () => {
    const [A, B, C] = w.customers;
    const e = (tag: string) => `${unique(tag)}@example.com`;
    const first = e("first");
    const lines: unknown[] = [
      { customerId: A!.id, email: first, firstName: " Ada ", lastName: "Lovelace", mobile: "+44 20 7946 0000", externalId: "legacy-1", subroleCode: "editor", groups: ["Sales"], createdAt: "2020-01-02T03:04:05Z" },
      { projectKey: w.projects[0]!.key, customerKey: "b", email: e("second"), firstName: "Grace", lastName: "Hopper", status: "INACTIVE", groups: [w.groups[1]!.id, "Sales"] },
      "",
      { customerId: A!.id, email: "not-an-email", firstName: "N", lastName: "E" },
      { customerId: A!.id, email: e("nolast"), firstName: "N" },
      { customerId: A!.id, email: e("nick"), firstName: "N", lastName: "K", nickname: "nk" },
      { customerId: A!.id, email: e("status"), firstName: "S", lastName: "T", status: "DELETED" },
      { customerId: A!.id, email: e("group"), firstName: "G", lastName: "R", groups: ["Nope"] },
      { customerId: A!.id, email: e("subrole"), firstName: "S", lastName: "R", subroleCode: "nope" },
      { customerId: A!.id, email: e("ceiling"), firstName: "C", lastName: "L", subroleCode: "viewer" },
      "{not json",
      "[1,2]",
      { customerId: A!.id, email: first.toUpperCase(), firstName: "Dup", lastName: "Licate" },
      { customerId: B!.id, email: existing, firstName: "Ex", lastName: "Isting" },
      { customerId: C!.id, email: e("reach"), firstName: "R", lastName: "Each" },
      { customerId: other.customers[0]!.id, email: e("tenant"), firstName: "T", lastName: "Enant" },
      { customerId: A!.id, email: e("future"), firstName: "F", lastName: "Uture", createdAt: "2999-01-01T00:00:00Z" },
      { customerId: A!.id, email: e("md5"), firstName: "M", lastName: "D", passwordHash: "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/" },
      { customerId: A!.id, email: e("bell"), firstName: "Bell\u0007", lastName: "C" },
      ...HASHES.map(([label], i) => ({ customerId: A!.id, email: e(`hash${i}`), firstName: label, lastName: "Hashed", passwordHash: HASHES[i]![1] })),
    ];
    const file = ndjson(lines);
    const r = await upload(w.tenant.id, file, { token: w.tokens.importer });
    expect(r.status, r.text).toBe(202);
    expect(r.headers.get("location")).toBe(`/api/v1/tenants/${w.tenant.id}/imports/${r.body.id}`);
    expect(r.body).toEqual({
      id: expect.any(String),
      tenantId: w.tenant.id,
      mode: "create",
      format: "ndjson",
      status: "queued",
      counts: { total: 28, created: 0, updated: 0, skipped: 0, failed: 0 },
      bytes: new TextEncoder().encode(file).length,
      createdAt: expect.any(String),
      createdBy: w.accounts[0]!.id,
      startedAt: null,
      finishedAt: null,
      error: null,
      errors: [],
    });
    const done = await finished(w.tenant.id, r.body.id, w.tokens.importer);
    const notImported = "Not a password hash this directory imports: bcrypt, Argon2id/Argon2i, scrypt or PBKDF2-SHA256/SHA512 (see docs/migration.md).";
    expect(done.body).toEqual({
      ...r.body,
      status: "completed",
      counts: { total: 28, created: 12, updated: 0, skipped: 0, failed: 16 },
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
      errors: [
        { line: 4, field: "email", message: "Not an e-mail address." },
        { line: 5, field: "lastName", message: "Required." },
        { line: 6, field: "nickname", message: "Not a field of an import row." },
        { line: 7, field: "status", message: "Must be one of ACTIVE, INACTIVE." },
        { line: 8, field: "groups.0", message: "No group of this tenant has this name or id." },
        { line: 9, field: "subroleCode", message: "No subrole of this customer has this code." },
        { line: 10, field: "subroleCode", message: "The subrole grants users:read, which the token does not hold." },
        { line: 11, field: null, message: "Not JSON." },
        { line: 12, field: null, message: "Not a JSON object." },
        { line: 13, field: "email", message: "The e-mail is on line 1 of the file already." },
        { line: 14, field: "email", message: "Another customer user exists with the same email." },
        { line: 15, field: "customerId", message: "Customer not found." },
        { line: 16, field: "customerId", message: "Customer not found." },
        { line: 17, field: "createdAt", message: "Must not be in the future." },
        { line: 18, field: "passwordHash", message: notImported },
        { line: 19, field: "firstName", message: "Must not contain control characters." },
      ],
    });
    // All of them at the errors resource, as NDJSON.
    const errs = await call("GET", `/api/v1/tenants/${w.tenant.id}/imports/${r.body.id}/errors`, { token: w.tokens.importer, expect: 200 });
    expect(errs.headers.get("content-type")).toBe("application/x-ndjson");
    expect(errs.text.split("\n").filter(Boolean).map((l) => JSON.parse(l))).toEqual(done.body.errors);

    // The users as the admin API shows them.
    const inA = await usersOf(A!.id);
    const ada = inA.find((u) => u.email === first.toLowerCase() || u.email === first)!;
    expect(ada).toEqual({
      id: expect.any(String),
      tenantId: w.tenant.id,
      customerId: A!.id,
      resellerId: null,
      firstName: "Ada",
      lastName: "Lovelace",
      email: first,
      mobile: "+44 20 7946 0000",
      externalId: "legacy-1",
      status: "ACTIVE",
      emailVerified: false,
      isFirstLogin: true,
      subroleId: w.subroles[1]!.id,
      groupIds: [w.groups[0]!.id],
      hasPassword: false,
      extAuthRefId: expect.any(String),
      createdAt: "2020-01-02T03:04:05.000Z",
      createdBy: w.accounts[0]!.id,
      updatedAt: expect.any(String),
      updatedBy: w.accounts[0]!.id,
      version: 1,
    });
    const grace = (await usersOf(B!.id)).find((u) => u.firstName === "Grace")!;
    expect({ status: grace.status, groups: [...(grace.groupIds as string[])].sort() }).toEqual({ status: "INACTIVE", groups: [w.groups[0]!.id, w.groups[1]!.id].sort() });
    expect(inA.filter((u) => u.lastName === "Hashed").map((u) => [u.firstName, u.hasPassword]).sort()).toEqual(HASHES.map(([label]) => [label, true]).sort());
    // C (another project) and the other tenant got nothing; the existing user is as it was.
    expect(await usersOf(C!.id)).toEqual([]);
    const ex = (await usersOf(B!.id)).find((u) => u.email === existing)!;
    expect(ex.firstName).toBe("Ex");

    // One user.created per user, keyed to the job; no hash anywhere the API or the audit trail shows.
    const events = await env.DB.prepare("select action, changes from audit_events where correlation_id = ?").bind(r.body.id).all<{ action: string; changes: string }>();
    expect(events.results.map((x) => x.action)).toEqual(Array(12).fill("user.created"));
    const shown = [done.text, errs.text, JSON.stringify(inA), ...events.results.map((x) => x.changes)].join("\n");
    for (const [, hash] of HASHES) expect(shown).not.toContain(hash.slice(-20));
    expect(shown).not.toContain("$1$saltsalt");
    // The staged rows keep no data once written (a hash is not kept past its import).
    const staged = await env.DB.prepare("select count(*) as n from import_rows where job_id = ? and data is not null").bind(r.body.id).first<number>("n");
    expect(staged).toBe(0);
  });

  it.each(HASHES)("%s: the imported password logs in through Corti's /auth/token, then is this directory's own hash", async (label, hash) => {
    const email = `${unique("login")}@example.com`;
    const job = await imported(w.tenant.id, ndjson([{ customerId: w.customers[0]!.id, email, firstName: label, lastName: "Login", passwordHash: hash }]), { token: w.tenant.admin });
    expect(job.body.counts).toEqual({ total: 1, created: 1, updated: 0, skipped: 0, failed: 0 });
    const stored = () => env.DB.prepare("select password_hash as h from users where email_norm = ?").bind(email).first<string>("h");
    expect(await stored()).toBe(hash);
    expectCortiError(await call("POST", "/functions/v1/public/auth/token", { body: { email, password: "Not-the-passw0rd-2026" } }), 401);
    const ok = await call("POST", "/functions/v1/public/auth/token", { body: { email, password: PASSWORD } });
    expect(ok.status, ok.text).toBe(200);
    let now = hash;
    for (let i = 0; i < 100 && now === hash; i++) {
      await new Promise((res) => setTimeout(res, 20));
      now = (await stored()) as string;
    }
    expect(now).toMatch(/^pbkdf2-sha256\$v=1\$i=100000\$/);
    expect((await call("POST", "/functions/v1/public/auth/token", { body: { email, password: PASSWORD } })).status).toBe(200);
  });
});

describe("import (CSV)", { timeout: 60_000 }, () => {
  it("a header row, quoted fields, lists separated by spaces or as JSON, empty cells not given, a line of the wrong width", async () => {
    const a = `${unique("csv-a")}@example.com`;
    const b = `${unique("csv-b")}@example.com`;
    const c = `${unique("csv-c")}@example.com`;
    const csv = [
      "customerId,email,firstName,lastName,mobile,groups,subroleCode",
      `${w.customers[0]!.id},${a},"Lovelace, Ada","Byron ""Ada""",,Sales Support,editor`,
      `${w.customers[0]!.id},${b},"Bo",Beta,,"[""Sales""]",`,
      `${w.customers[0]!.id},${unique("multi")}@example.com,Multi,"two`,
      `lines",,,`,
      `${w.customers[0]!.id},${c},Too,Many,Fields,Sales,editor,extra`,
      "",
    ].join("\r\n");
    const job = await imported(w.tenant.id, csv, { token: w.tenant.admin, type: "text/csv; charset=utf-8" });
    expect({ format: job.body.format, counts: job.body.counts, errors: job.body.errors }).toEqual({
      format: "csv",
      counts: { total: 4, created: 2, updated: 0, skipped: 0, failed: 2 },
      // A line break is a control character in a name, as in every create.
      errors: [
        { line: 4, field: "lastName", message: "Must not contain control characters." },
        { line: 6, field: null, message: "The line does not have as many fields as the header." },
      ],
    });
    const users = await usersOf(w.customers[0]!.id);
    const ua = users.find((u) => u.email === a)!;
    expect({ first: ua.firstName, last: ua.lastName, mobile: ua.mobile, groups: [...(ua.groupIds as string[])].sort(), subrole: ua.subroleId }).toEqual({
      first: "Lovelace, Ada",
      last: 'Byron "Ada"',
      mobile: null,
      groups: [w.groups[0]!.id, w.groups[1]!.id].sort(),
      subrole: w.subroles[1]!.id,
    });
    const ub = users.find((u) => u.email === b)!;
    expect({ last: ub.lastName, groups: ub.groupIds, subrole: ub.subroleId }).toEqual({ last: "Beta", groups: [w.groups[0]!.id], subrole: null });
  });

  it("an unclosed quote ends the upload with a 400 naming the line; nothing is queued", async () => {
    const csv = `customerId,email,firstName,lastName\r\n${w.customers[0]!.id},x@example.com,"open,Y\r\n`;
    const r = await upload(w.tenant.id, csv, { token: w.tenant.admin, type: "text/csv" });
    expect(r.body).toEqual({
      type: "about:blank",
      title: "Bad Request",
      status: 400,
      code: "INVALID",
      detail: "The CSV cannot be read at line 3: a quote is not closed, or a record is longer than 65536 characters.",
      errors: [{ field: "body", message: "Not CSV (RFC 4180) with a header row." }],
      correlationId: r.headers.get("x-correlation-id"),
    });
  });
});

describe("import: webhook events", { timeout: 60_000 }, () => {
  it("every imported user is a signed user.created delivery carrying the user as imported (sequence 1), past a flush's page of 100", async () => {
    const t = await world({ customers: 1 });
    const name = unique("imp-rcv");
    const hook = await call("POST", `/api/v1/tenants/${t.tenant.id}/webhooks`, { token: t.tenant.admin, body: { url: `https://receiver.test/ok/${name}`, events: ["user.created"] }, expect: 201 });
    // 150: more events than one hand-over to the Queue takes (100), in one chunk.
    const emails = Array.from({ length: 150 }, (_, i) => `${unique(`hook${i}`)}@example.com`);
    const job = await imported(t.tenant.id, ndjson(emails.map((email, i) => ({ customerId: t.customers[0]!.id, email, firstName: `F${i}`, lastName: "Hook", ...(i < 3 ? { passwordHash: HASHES[0]![1] } : {}) }))), { token: t.tenant.admin });
    expect({ status: job.body.status, counts: job.body.counts }).toEqual({ status: "completed", counts: { total: 150, created: 150, updated: 0, skipped: 0, failed: 0 } });
    let got: { headers: Record<string, string>; body: string }[] = [];
    for (let i = 0; i < 400 && got.length < 150; i++) {
      await new Promise((r) => setTimeout(r, 50));
      got = (await (await fetch(`https://receiver.test/__received/${name}`)).json()) as typeof got;
    }
    const bodies = got.map((g) => JSON.parse(g.body) as { type: string; data: { sequence: number; user: Record<string, unknown> } });
    expect(bodies.map((b) => [b.type, b.data.sequence, b.data.user.email, b.data.user.hasPassword]).sort()).toEqual(emails.map((e, i) => ["user.created", 1, e, i < 3]).sort());
    for (const g of got) expect(new Webhook(hook.body.secret as string).verify(g.body, g.headers)).toBeTruthy();
    expect(got.map((g) => g.body).join("\n")).not.toContain(HASHES[0]![1].slice(-20));
  });
});
