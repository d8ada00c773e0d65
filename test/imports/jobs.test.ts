/**
 * Import jobs as jobs (docs/migration.md#import): an interrupted job resumes without duplicates; two
 * consumers racing on one job write each row once; an export imports back in upsert mode with no
 * change, and a changed row is an update through the core (version, audit, event type); an
 * Idempotency-Key replays the job; past 1,000 errors the job shows the first and the errors
 * resource streams them all; who may start and read a job; a revoked token stops its job; the
 * media type and the 100 MB limit.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { authConfig } from "../../src/auth/config";
import { verifyAccessToken } from "../../src/auth/tokens";
import type { Ctx } from "../../src/core/context";
import { CHUNK_CHARS, CHUNK_ROWS, processChunk } from "../../src/core/imports/process";
import { STALE_AFTER_MS } from "../../src/core/imports/upkeep";
import { purgeImports, resumeImports } from "../../src/cron";
import { openImport, queueImport, stageRows } from "../../src/core/imports/stage";
import { openDb } from "../../src/db/client";
import { runImport } from "../../src/imports/consumer";
import { call, dbTrips, unique, type Reply } from "../harness";
import { world } from "../world";
import { finished, imported, ndjson, upload } from "./helpers";

/** A job staged and queued through the core, as the route does, but not handed to the Queue: the test runs it. */
async function stagedJob(token: string, tenantId: string, body: string, mode: "create" | "upsert" = "create"): Promise<string> {
  const principal = await verifyAccessToken(token, authConfig(env));
  const ctx: Ctx = { db: openDb(env.DB).db, principal, correlationId: crypto.randomUUID(), now: () => Date.now(), newId: () => crypto.randomUUID(), tokenLifetimeSeconds: 3600 };
  const opened = await openImport(ctx, tenantId, mode, "ndjson");
  const up = await stageRows(ctx, opened.id, new Response(body).body!, "ndjson", new Uint8Array());
  await queueImport(ctx, opened, up);
  return opened.id;
}

const count = async (query: string, ...binds: unknown[]) => (await env.DB.prepare(query).bind(...binds).first<number>("n")) as number;
const job = (tenantId: string, id: string, token: string) => call("GET", `/api/v1/tenants/${tenantId}/imports/${id}`, { token, expect: 200 });
const problem = (r: Reply, status: number, code: string, title: string, detail: string, errors?: unknown[]) =>
  expect(r.body).toEqual({ type: "about:blank", title, status, code, detail, ...(errors ? { errors } : {}), correlationId: r.headers.get("x-correlation-id") });

/** How many rows of a file a chunk takes: CHUNK_ROWS, or fewer when their text reaches CHUNK_CHARS (process.ts). */
function firstChunk(file: unknown[]): number {
  let chars = 0;
  for (let i = 0; i < Math.min(file.length, CHUNK_ROWS); i++) {
    if (chars >= CHUNK_CHARS) return i;
    chars += JSON.stringify(file[i]).length;
  }
  return Math.min(file.length, CHUNK_ROWS);
}

/** `n` rows for customer `c`, every 7th invalid (no last name). */
function rows(c: string, n: number, tag: string) {
  return Array.from({ length: n }, (_, i) => (i % 7 === 6 ? { customerId: c, email: `${tag}-${i}@example.com`, firstName: "No" } : { customerId: c, email: `${tag}-${i}@example.com`, firstName: `F${i}`, lastName: `L${i}` }));
}

describe("import jobs", { timeout: 180_000 }, () => {
  it("an interrupted job resumes where it stopped: every row written once, every error once", async () => {
    const w = await world({ customers: 1 });
    const tag = unique("resume");
    const n = CHUNK_ROWS * 2 + 200;
    const file = rows(w.customers[0]!.id, n, tag);
    const id = await stagedJob(w.tenant.admin, w.tenant.id, ndjson(file));
    const invalid = Math.floor(n / 7);
    // A crash in the second chunk, before its batch: the first chunk is written, the second not at all.
    let chunk = 0;
    await expect(
      runImport(env, id, Infinity, (point) => {
        if (point === "before-write" && ++chunk === 2) throw new Error("crash");
      }),
    ).rejects.toThrow("crash");
    const mid = (await job(w.tenant.id, id, w.tenant.admin)).body;
    const first = firstChunk(file);
    const firstInvalid = Math.floor(first / 7);
    expect({ status: mid.status, counts: mid.counts }).toEqual({ status: "running", counts: { total: n, created: first - firstInvalid, updated: 0, skipped: 0, failed: firstInvalid } });
    expect(await count("select count(*) as n from users where tenant_id = ?", w.tenant.id)).toBe(first - firstInvalid);
    // Restarted (a Queue retry): on from the first row not written.
    expect(await runImport(env, id, Infinity)).toBe("done");
    const end = (await job(w.tenant.id, id, w.tenant.admin)).body;
    expect({ status: end.status, counts: end.counts }).toEqual({ status: "completed", counts: { total: n, created: n - invalid, updated: 0, skipped: 0, failed: invalid } });
    expect(await count("select count(*) as n from users where tenant_id = ?", w.tenant.id)).toBe(n - invalid);
    expect(await count("select count(distinct email_norm) as n from users where tenant_id = ?", w.tenant.id)).toBe(n - invalid);
    expect(await count("select count(*) as n from audit_events where correlation_id = ? and action = 'user.created'", id)).toBe(n - invalid);
    expect(await count("select count(*) as n from import_errors where job_id = ?", id)).toBe(invalid);
    expect(end.errors.map((e: { line: number }) => e.line)).toEqual(Array.from({ length: invalid }, (_, k) => 7 * k + 7));
  });

  it("the Cron resumes a job whose consumer went quiet (a lost message), and removes a finished job's staged rows", async () => {
    const w = await world({ customers: 1 });
    const id = await stagedJob(w.tenant.admin, w.tenant.id, ndjson(rows(w.customers[0]!.id, 20, unique("cron"))));
    // Queued, never handed to the Queue; quiet for longer than STALE_AFTER_MS.
    await env.DB.prepare("update import_jobs set heartbeat_at = heartbeat_at - ? where id = ?").bind(STALE_AFTER_MS + 1, id).run();
    expect(await resumeImports(env)).toBeGreaterThanOrEqual(1);
    const end = await finished(w.tenant.id, id, w.tenant.admin);
    expect(end.body.counts).toEqual({ total: 20, created: 18, updated: 0, skipped: 0, failed: 2 });
    expect(await count("select count(*) as n from import_rows where job_id = ?", id)).toBe(20);
    await purgeImports(env);
    expect(await count("select count(*) as n from import_rows where job_id = ?", id)).toBe(0);
    // The job and its errors stay.
    expect((await job(w.tenant.id, id, w.tenant.admin)).body.errors).toHaveLength(2);
  });

  it("round trips: a chunk is 3 whatever its rows; the upload of a small file 3; a job read 1, its errors 1", async () => {
    const w = await world({ customers: 1, groups: 1 });
    const many = rows(w.customers[0]!.id, 500, unique("trips")).map((r, i) => (i % 2 ? { ...r, groups: [w.groups[0]!.name] } : r));
    expect(firstChunk(many)).toBe(500);
    const id = await stagedJob(w.tenant.admin, w.tenant.id, ndjson(many));
    const { db, trips } = openDb(env.DB);
    // Under both of a chunk's limits: the one chunk is the last, and completes the job.
    expect(await processChunk({ db, pepper: env.PASSWORD_PEPPER, tokenLifetimeSeconds: 3600 }, id)).toBe("done");
    expect(trips.count).toBe(3);
    expect((await job(w.tenant.id, id, w.tenant.admin)).body.counts).toEqual({ total: 500, created: 500 - 71, updated: 0, skipped: 0, failed: 71 });
    const up = await upload(w.tenant.id, ndjson(rows(w.customers[0]!.id, 3, unique("small"))), { token: w.tenant.admin });
    // Open the job, stage the slice, queue it.
    expect(dbTrips(up)).toBe(3);
    expect(dbTrips(await job(w.tenant.id, up.body.id, w.tenant.admin))).toBe(1);
    expect(dbTrips(await call("GET", `/api/v1/tenants/${w.tenant.id}/imports/${up.body.id}/errors`, { token: w.tenant.admin, expect: 200 }))).toBe(1);
  });

  it("an e-mail twice in the file: the first line that passes holds it, in the same chunk or a later one", async () => {
    const w = await world({ customers: 1 });
    const c = w.customers[0]!.id;
    const [x, y] = [`${unique("dx")}@example.com`, `${unique("dy")}@example.com`];
    const filler = rows(c, CHUNK_ROWS - 3, unique("fill")).map((r) => ({ ...r, lastName: "Filler" }));
    const file = [
      { customerId: c, email: x, firstName: "Refused" }, // line 1: no last name → x stays free
      { customerId: c, email: y, firstName: "Y", lastName: "First" }, // line 2 holds y
      { customerId: c, email: y, firstName: "Y", lastName: "Same chunk" }, // line 3: y is line 2's
      ...filler, // lines 4 … CHUNK_ROWS
      { customerId: c, email: x.toUpperCase(), firstName: "X", lastName: "Later" }, // a later chunk: x is free → created
      { customerId: c, email: y, firstName: "Y", lastName: "Again" }, // y is line 2's, a chunk before
      { customerId: c, email: x, firstName: "X", lastName: "Third" }, // x is now the line above's
    ];
    const n = CHUNK_ROWS;
    expect(firstChunk(file)).toBeLessThanOrEqual(n);
    const id = await stagedJob(w.tenant.admin, w.tenant.id, ndjson(file));
    expect(await runImport(env, id, Infinity)).toBe("done");
    const end = (await job(w.tenant.id, id, w.tenant.admin)).body;
    expect(end.errors.filter((e: { line: number }) => e.line <= 3 || e.line > n)).toEqual([
      { line: 1, field: "lastName", message: "Required." },
      { line: 3, field: "email", message: "The e-mail is on line 2 of the file already." },
      { line: n + 2, field: "email", message: "The e-mail is on line 2 of the file already." },
      { line: n + 3, field: "email", message: `The e-mail is on line ${n + 1} of the file already.` },
    ]);
    const names = await env.DB.prepare("select email_norm as e, last_name as l from users where tenant_id = ? and email_norm in (?, ?) order by l").bind(w.tenant.id, x, y).all<{ e: string; l: string }>();
    expect(names.results).toEqual([
      { e: y, l: "First" },
      { e: x, l: "Later" },
    ]);
  });

  it("two consumers on one job at once (forced): each chunk is written by one of them, once", async () => {
    const w = await world({ customers: 1 });
    const n = CHUNK_ROWS + 100;
    const id = await stagedJob(w.tenant.admin, w.tenant.id, ndjson(rows(w.customers[0]!.id, n, unique("race"))));
    // Both read the first chunk, and neither writes until both have planned it.
    let arrived = 0;
    let release!: () => void;
    const together = new Promise<void>((r) => (release = r));
    const barrier = async (point: string) => {
      if (point !== "before-write" || arrived >= 2) return;
      if (++arrived === 2) release();
      await together;
    };
    const outcomes = await Promise.all([runImport(env, id, Infinity, barrier), runImport(env, id, Infinity, barrier)]);
    expect(outcomes).toEqual(["done", "done"]);
    const invalid = Math.floor(n / 7);
    const end = (await job(w.tenant.id, id, w.tenant.admin)).body;
    expect({ status: end.status, counts: end.counts }).toEqual({ status: "completed", counts: { total: n, created: n - invalid, updated: 0, skipped: 0, failed: invalid } });
    expect(await count("select count(*) as n from users where tenant_id = ?", w.tenant.id)).toBe(n - invalid);
    expect(await count("select count(*) as n from audit_events where correlation_id = ?", id)).toBe(n - invalid);
    expect(await count("select count(*) as n from import_errors where job_id = ?", id)).toBe(invalid);
  });

  it("an export imports back in upsert mode with no change (NDJSON and CSV); a changed row is an update through the core", async () => {
    const w = await world({
      projects: 1,
      customers: [
        { name: "A", project: 0, key: "a" },
        { name: "B", project: 0, key: "b" },
      ],
      subroles: [{ code: "viewer", label: "Viewer", displayName: "Viewer", permissions: ["customer_user:read"] }],
      groups: 2,
      users: [{ via: "corti", customer: 1, email: `${unique("pw")}@example.com`, firstName: "Has", lastName: "Password", password: "Export-passw0rd-123456" }],
    });
    const [A] = w.customers;
    const tag = unique("rt");
    await imported(
      w.tenant.id,
      ndjson([
        { customerId: A!.id, email: `${tag}-1@example.com`, firstName: "Ada", lastName: "L", mobile: "+1 555", externalId: "x-1", subroleCode: "viewer", groups: [w.groups[0]!.name, w.groups[1]!.name] },
        { customerId: A!.id, email: `${tag}-2@example.com`, firstName: "Bo", lastName: "M", status: "INACTIVE", createdAt: "2019-05-06T07:08:09.123Z" },
        { projectKey: w.projects[0]!.key, customerKey: "b", email: `${tag}-3@example.com`, firstName: "Cy", lastName: "N", groups: [] },
      ]),
      { token: w.tenant.admin },
    );
    const exported = async (format: string) => (await call("GET", `/api/v1/tenants/${w.tenant.id}/users/export?format=${format}`, { token: w.tenant.admin, expect: 200 })).text;
    const before = await exported("ndjson");
    expect(before.split("\n").filter(Boolean)).toHaveLength(4);
    for (const [format, type] of [
      ["ndjson", "application/x-ndjson"],
      ["csv", "text/csv"],
    ]) {
      const back = await imported(w.tenant.id, await exported(format!), { token: w.tenant.admin, mode: "upsert", type: type! });
      expect({ format, counts: back.body.counts, errors: back.body.errors }).toEqual({ format, counts: { total: 4, created: 0, updated: 0, skipped: 4, failed: 0 }, errors: [] });
      expect(await exported("ndjson")).toBe(before);
    }
    // A changed row is an update (version + 1, its audit event); a new e-mail a create; another customer's e-mail an error.
    const lines = before.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const ada = lines.find((u) => u.firstName === "Ada")!;
    const bo = lines.find((u) => u.firstName === "Bo")!;
    const cy = lines.find((u) => u.firstName === "Cy")!;
    const changed = await imported(
      w.tenant.id,
      ndjson([
        { ...ada, firstName: "Augusta", groupIds: [w.groups[0]!.id] },
        { ...bo, status: "ACTIVE" },
        { ...cy, customerId: A!.id },
        { customerId: A!.id, email: `${tag}-4@example.com`, firstName: "Di", lastName: "O" },
      ]),
      { token: w.tenant.admin, mode: "upsert" },
    );
    expect({ counts: changed.body.counts, errors: changed.body.errors }).toEqual({
      counts: { total: 4, created: 1, updated: 2, skipped: 0, failed: 1 },
      errors: [{ line: 3, field: "email", message: "Another customer user exists with the same email." }],
    });
    const adaNow = (await call("GET", `/api/v1/tenants/${w.tenant.id}/users/${ada.id}`, { token: w.tenant.admin, expect: 200 })).body;
    expect({ firstName: adaNow.firstName, groupIds: adaNow.groupIds, version: adaNow.version, subroleId: adaNow.subroleId }).toEqual({ firstName: "Augusta", groupIds: [w.groups[0]!.id], version: 2, subroleId: ada.subroleId });
    const events = await env.DB.prepare("select action, changes from audit_events where target_id in (?, ?) and action = 'user.updated' order by target_id = ?").bind(ada.id, bo.id, bo.id).all<{ action: string; changes: string }>();
    expect(events.results.map((e) => JSON.parse(e.changes))).toEqual([
      { firstName: { from: "Ada", to: "Augusta" }, groupIds: { from: [...(ada.groupIds as string[])].sort(), to: [w.groups[0]!.id] } },
      { status: { from: "INACTIVE", to: "ACTIVE" } },
    ]);
  });

  it("Idempotency-Key: the same upload again answers the same job (replayed, nothing imported twice); another body with the key is a 422", async () => {
    const w = await world({ customers: 1 });
    const key = unique("key");
    const body = ndjson([{ customerId: w.customers[0]!.id, email: `${unique("idem")}@example.com`, firstName: "I", lastName: "D" }]);
    const first = await upload(w.tenant.id, body, { token: w.tenant.admin, key });
    expect(first.status).toBe(202);
    const again = await upload(w.tenant.id, body, { token: w.tenant.admin, key });
    expect({ status: again.status, replayed: again.headers.get("idempotent-replayed"), body: again.text, location: again.headers.get("location") }).toEqual({
      status: 202,
      replayed: "true",
      body: first.text,
      location: first.headers.get("location"),
    });
    await finished(w.tenant.id, first.body.id, w.tenant.admin);
    const other = await upload(w.tenant.id, body.replace('"I"', '"J"'), { token: w.tenant.admin, key });
    expect(other.status).toBe(422);
    problem(other, 422, "KEY_REUSED", "Unprocessable Content", "This Idempotency-Key was already used for another request; send a new key for a new request.", [
      { field: "Idempotency-Key", message: "Already used with another method, path, X-Tenant or body." },
    ]);
    expect(await count("select count(*) as n from users where tenant_id = ?", w.tenant.id)).toBe(1);
    // The replayed and refused uploads' staging is gone after their responses.
    for (let i = 0; i < 50 && (await count("select count(*) as n from import_jobs where tenant_id = ?", w.tenant.id)) > 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await count("select count(*) as n from import_jobs where tenant_id = ?", w.tenant.id)).toBe(1);
  });

  it("past 1,000 row errors: the job shows the first 1,000, the errors resource streams them all in file order", async () => {
    const w = await world({ customers: 1 });
    const bad = Array.from({ length: 1_100 }, (_, i) => ({ customerId: w.customers[0]!.id, email: `bad-${i}`, firstName: "B", lastName: "D" }));
    const done = await imported(w.tenant.id, ndjson(bad), { token: w.tenant.admin });
    expect(done.body.counts).toEqual({ total: 1_100, created: 0, updated: 0, skipped: 0, failed: 1_100 });
    const expected = bad.map((_, i) => ({ line: i + 1, field: "email", message: "Not an e-mail address." }));
    expect(done.body.errors).toEqual(expected.slice(0, 1_000));
    const all = await call("GET", `/api/v1/tenants/${w.tenant.id}/imports/${done.body.id}/errors`, { token: w.tenant.admin, expect: 200 });
    expect(all.text.split("\n").filter(Boolean).map((l) => JSON.parse(l))).toEqual(expected);
  });

  it("who may import and read a job: users:write needed; another tenant's admin refused; a project-narrowed admin reads its own jobs only", async () => {
    const w = await world({
      projects: 1,
      customers: [{ name: "A", project: 0 }],
      accounts: [
        { name: "Reader", role: "tenant_admin", scopes: ["admin", "users:read"] },
        { name: "Narrow", role: "tenant_admin", project: 0, scopes: ["admin", "users:read", "users:write"] },
      ],
      tokens: { reader: { account: 0 }, narrow: { account: 1 } },
    });
    const other = await world();
    const body = ndjson([{ customerId: w.customers[0]!.id, email: `${unique("who")}@example.com`, firstName: "W", lastName: "H" }]);
    const noWrite = await upload(w.tenant.id, body, { token: w.tokens.reader });
    problem(noWrite, 403, "FORBIDDEN", "Forbidden", "An import creates and changes users: the token needs users:write.");
    problem(await upload(w.tenant.id, body, { token: other.tenant.admin }), 403, "FORBIDDEN", "Forbidden", "Forbidden.");
    expect(await count("select count(*) as n from import_jobs where tenant_id = ?", w.tenant.id)).toBe(0);

    const adminJob = await imported(w.tenant.id, body, { token: w.tenant.admin });
    const narrowJob = await imported(w.tenant.id, body.replace("who", "who2"), { token: w.tokens.narrow });
    expect((await job(w.tenant.id, narrowJob.body.id, w.tokens.narrow)).body.id).toBe(narrowJob.body.id);
    expect((await job(w.tenant.id, narrowJob.body.id, w.tenant.admin)).body.id).toBe(narrowJob.body.id);
    const hidden = await call("GET", `/api/v1/tenants/${w.tenant.id}/imports/${adminJob.body.id}`, { token: w.tokens.narrow });
    problem(hidden, 404, "NOT_FOUND", "Not Found", "Import not found.");
    problem(await call("GET", `/api/v1/tenants/${w.tenant.id}/imports/${adminJob.body.id}/errors`, { token: w.tokens.narrow }), 404, "NOT_FOUND", "Not Found", "Import not found.");
    problem(await call("GET", `/api/v1/tenants/${w.tenant.id}/imports/${adminJob.body.id}`, { token: other.tenant.admin }), 403, "FORBIDDEN", "Forbidden", "Forbidden.");
    problem(await call("GET", `/api/v1/tenants/${other.tenant.id}/imports/${adminJob.body.id}`, { token: other.tenant.admin }), 404, "NOT_FOUND", "Not Found", "Import not found.");
  });

  it("a job whose token is revoked (its account disabled) stops: nothing more is written, the job says why", async () => {
    const w = await world({ customers: 1, accounts: [{ name: "Importer", role: "tenant_admin", scopes: ["admin", "users:write"] }], tokens: { importer: { account: 0 } } });
    const id = await stagedJob(w.tokens.importer, w.tenant.id, ndjson(rows(w.customers[0]!.id, 10, unique("rev"))));
    await call("PATCH", `/api/v1/tenants/${w.tenant.id}/accounts/${w.accounts[0]!.id}`, { token: w.tenant.admin, body: { disabled: true }, expect: 200 });
    expect(await runImport(env, id, Infinity)).toBe("done");
    const end = (await job(w.tenant.id, id, w.tenant.admin)).body;
    expect({ status: end.status, counts: end.counts, error: end.error }).toEqual({
      status: "failed",
      counts: { total: 10, created: 0, updated: 0, skipped: 0, failed: 0 },
      error: "The token that started this import was revoked, or its account disabled or its user deactivated: the rows not yet written were not.",
    });
    expect(await count("select count(*) as n from users where tenant_id = ?", w.tenant.id)).toBe(0);
  });

  it("a body that is not NDJSON or CSV is a 415; past 100 MB a 413; neither leaves a job", async () => {
    const w = await world({ customers: 1 });
    const json = await upload(w.tenant.id, "{}", { token: w.tenant.admin, type: "application/json" });
    problem(json, 415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported Media Type", "An import is application/x-ndjson (a user per line) or text/csv (a header row, then a user per row).");
    const MiB = new Uint8Array(1024 * 1024).fill(0x78);
    let sent = 0;
    const huge = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ > 100) c.close();
        else c.enqueue(MiB);
      },
    });
    const big = await upload(w.tenant.id, huge, { token: w.tenant.admin });
    problem(big, 413, "PAYLOAD_TOO_LARGE", "Content Too Large", "The import is larger than 100 MB.");
    for (let i = 0; i < 50 && (await count("select count(*) as n from import_jobs where tenant_id = ?", w.tenant.id)) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await count("select count(*) as n from import_jobs where tenant_id = ?", w.tenant.id)).toBe(0);
  });
});
