/**
 * An import's upload (docs/migration.md#import): the job is opened, the body is read as a stream —
 * NDJSON line by line, CSV through `csv-parse`'s streaming parser — and every line is staged in
 * `import_rows` a slice at a time (one statement per slice, its rows as one JSON parameter, so a
 * slice never nears D1's 100 bound parameters), while the bytes are counted and hashed (the
 * request's fingerprint for its Idempotency-Key). Memory holds one slice, whatever the file's size.
 * The job is queued by `queueImport` in one batch with its audit event (and a key's record).
 */
import { parse as csvParser } from "csv-parse/stream";
import { and, eq, getTableColumns, sql } from "drizzle-orm";
import { importJobs, importRows, tenants, type ImportMode } from "../../db/schema";
import { auditInsert } from "../audit";
import type { Ctx } from "../context";
import { DomainError, forbidden, notFound } from "../errors";
import { sealed, type Receipt } from "../idempotency";
import { assertTenantClaim } from "../resources";
import { rowEmailNorm } from "./rows";
import { claimsOf, jobView, type ImportJob } from "./jobs";

export type ImportFormat = "ndjson" | "csv";

/** The largest body an import reads (bytes as sent). */
export const MAX_IMPORT_BYTES = 100 * 1024 * 1024;
/** The longest line (characters): a user row is far shorter; anything longer is refused as a line, unread. */
export const MAX_LINE = 64 * 1024;
/** Rows per staging statement, and the most characters of row text one carries. */
const STAGE_ROWS = 500;
const STAGE_CHARS = 128 * 1024;

export interface StagedUpload {
  total: number;
  bytes: number;
  /** SHA-256 (hex) of `head` then the body's bytes: the request's fingerprint. */
  fingerprint: string;
}

/** A job as opened: what its queueing answers without reading it back. */
export type OpenedImport = typeof importJobs.$inferSelect;

/** Opens a job (not visible until queued). 403 without `users:write` (an import creates users) or for another tenant; 404 for an unknown tenant. */
export async function openImport(ctx: Ctx, tenantId: string, mode: ImportMode, format: ImportFormat): Promise<OpenedImport> {
  assertTenantClaim(ctx, tenantId);
  if (!ctx.principal.scopes.has("users:write")) throw forbidden("An import creates and changes users: the token needs users:write.");
  const now = ctx.now();
  const job: OpenedImport = {
    id: ctx.newId(),
    tenantId,
    mode,
    format,
    status: "uploading",
    principal: JSON.stringify(claimsOf(ctx.principal)),
    createdBy: ctx.principal.sub,
    total: 0,
    created: 0,
    updated: 0,
    skipped: 0,
    failed: 0,
    bytes: 0,
    createdAt: now,
    startedAt: null,
    finishedAt: null,
    heartbeatAt: now,
    error: null,
  };
  // In the table's column order, only for a tenant that exists (the read beside it says which).
  const values = Object.keys(getTableColumns(importJobs)).map((k) => sql`${job[k as keyof OpenedImport]}`);
  const [tenant] = await ctx.db.batch([
    ctx.db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId)),
    ctx.db.insert(importJobs).select(sql`select ${sql.join(values, sql`, `)} where exists (select 1 from ${tenants} where ${tenants.id} = ${tenantId})`),
  ]);
  if (tenant.length === 0) throw notFound("tenant");
  return job;
}

export const tooLarge = () => new DomainError("PAYLOAD_TOO_LARGE", `The import is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB.`);

/** The body's chunks, counted against the limit and hashed as they pass (workerd's native DigestStream: SHA-256 incrementally). */
function metered(body: ReadableStream<Uint8Array>, head: Uint8Array) {
  const digest = new crypto.DigestStream("SHA-256");
  const hash = digest.getWriter();
  void hash.write(head);
  const state = { bytes: 0 };
  const reader = body.getReader();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      state.bytes += value.byteLength;
      if (state.bytes > MAX_IMPORT_BYTES) {
        await reader.cancel();
        return controller.error(tooLarge());
      }
      await hash.write(value);
      controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  const hex = async () => {
    await hash.close();
    return Array.from(new Uint8Array(await digest.digest), (b) => b.toString(16).padStart(2, "0")).join("");
  };
  return { stream, state, digest: hex };
}

/** A line read: its number, and the row (with, for NDJSON, its text as sent, staged as it is) or why it is none. */
type Line = { line: number; row: Record<string, unknown>; text?: string } | { line: number; error: string };

/** One NDJSON line: an object, or the line's error. */
function ndjsonLine(line: number, text: string): Line {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { line, error: "Not JSON." };
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) return { line, error: "Not a JSON object." };
  return { line, row: v as Record<string, unknown>, text: text.trim() };
}

/** NDJSON's lines (blank ones skipped), numbered from 1 as in the file. */
async function* ndjsonLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<Line> {
  const decoder = new TextDecoder();
  let buffer = "";
  let line = 0;
  let overlong = false;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      line++;
      const text = buffer.slice(0, nl).replace(/\r$/, "");
      buffer = buffer.slice(nl + 1);
      if (overlong) {
        overlong = false;
        yield { line, error: `The line is longer than ${MAX_LINE} characters.` };
      } else if (text.trim() !== "") yield ndjsonLine(line, text);
    }
    // A line that never ends is not held: past the limit it is dropped as it arrives, and refused at its end.
    if (buffer.length > MAX_LINE) {
      overlong = true;
      buffer = "";
    }
    if (done) break;
  }
  if (overlong || buffer.trim() !== "") {
    line++;
    yield overlong ? { line, error: `The line is longer than ${MAX_LINE} characters.` } : ndjsonLine(line, buffer);
  }
}

/** CSV's records (a header row, then a user per row), numbered by the line each starts on. */
async function* csvLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<Line> {
  const parser = csvParser({ columns: true, info: true, raw: true, relax_column_count: true, bom: true, skip_empty_lines: true, max_record_size: MAX_LINE });
  type Rec = { record: Record<string, string>; raw: string; info: { lines: number; invalid_field_length: number } };
  let widthErrors = 0;
  // csv-parse counts a CRLF inside a quoted field as two lines: its count, less those, is the file's.
  let overcount = 0;
  try {
    for await (const { record, raw, info } of stream.pipeThrough(parser as unknown as TransformStream<Uint8Array, Rec>)) {
      const inner = raw.replace(/\r$/, "");
      overcount += (inner.match(/\r\n/g) ?? []).length;
      // The line the record starts on (a quoted field may span lines).
      const line = info.lines - overcount - (inner.match(/\r\n|\r|\n/g) ?? []).length;
      if (info.invalid_field_length !== widthErrors) {
        widthErrors = info.invalid_field_length;
        yield { line, error: "The line does not have as many fields as the header." };
        continue;
      }
      const row: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(record)) {
        if (v === "") continue;
        // Lists (groups, groupIds): a JSON array, or values separated by spaces (ids, names without spaces).
        if (k === "groups" || k === "groupIds") row[k] = v.trimStart().startsWith("[") ? safeJson(v) : v.split(/\s+/).filter((s) => s !== "");
        else row[k] = v;
      }
      yield { line, row };
    }
  } catch (err) {
    if (err instanceof DomainError) throw err;
    // csv-parse's own error (an unclosed quote, a record past the size limit) ends the file: where, not the parser's text.
    const line = (err as { lines?: number }).lines;
    throw new DomainError("INVALID", `The CSV cannot be read${typeof line === "number" ? ` at line ${line}` : ""}: a quote is not closed, or a record is longer than ${MAX_LINE} characters.`, {
      issues: [{ field: "body", message: "Not CSV (RFC 4180) with a header row." }],
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Reads the body into the job's staged rows. Throws (having staged part) on a body past the limit
 * or unreadable CSV: the caller discards the job.
 */
export async function stageRows(ctx: Ctx, jobId: string, body: ReadableStream<Uint8Array>, format: ImportFormat, head: Uint8Array): Promise<StagedUpload> {
  const m = metered(body, head);
  let slice: [number, string | null, string][] = [];
  let chars = 0;
  let total = 0;
  let pending: Promise<unknown> = Promise.resolve();
  const flush = async () => {
    if (slice.length === 0) return;
    const rows = JSON.stringify(slice);
    slice = [];
    chars = 0;
    // One write in flight while the next slice is read.
    await pending;
    pending = ctx.db.run(
      sql`insert into ${importRows} (job_id, line, email_norm, data) select ${jobId}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') from json_each(${rows})`,
    );
  };
  for await (const l of format === "csv" ? csvLines(m.stream) : ndjsonLines(m.stream)) {
    // A row is staged as its JSON object; a line that is none as a one-element array holding its error (./rows.ts).
    const data = "error" in l ? JSON.stringify([l.error]) : (l.text ?? JSON.stringify(l.row));
    slice.push([l.line, "error" in l ? null : rowEmailNorm(l.row), data]);
    chars += data.length;
    total++;
    if (slice.length >= STAGE_ROWS || chars >= STAGE_CHARS) await flush();
  }
  await flush();
  await pending;
  return { total, bytes: m.state.bytes, fingerprint: await m.digest() };
}

/**
 * Queues a staged job: its totals, status `queued` and its audit event (`import.created`) in one
 * batch — with an Idempotency-Key's check and record around them. Returns the job as queued.
 */
export async function queueImport(ctx: Ctx, opened: OpenedImport, upload: StagedUpload, receipt?: Receipt<ImportJob>): Promise<ImportJob> {
  const now = ctx.now();
  const eventId = ctx.newId();
  const queued = { status: "queued" as const, total: upload.total, bytes: upload.bytes, heartbeatAt: now };
  const job = jobView({ ...opened, ...queued }, []);
  const batch = await sealed(receipt, () => job, eventId, [
    ctx.db
      .update(importJobs)
      .set(queued)
      .where(and(eq(importJobs.id, opened.id), eq(importJobs.status, "uploading"))),
    auditInsert(ctx, {
      id: eventId,
      tenantId: opened.tenantId,
      action: "import.created",
      targetType: "import",
      targetId: opened.id,
      changes: { mode: opened.mode, format: opened.format, total: upload.total, bytes: upload.bytes },
    }),
  ]);
  await ctx.db.batch(batch.statements as never);
  return job;
}

/** Removes a job that will not run (an upload refused, a retry answered from its key's record) and what it staged. */
export async function discardImport(ctx: Ctx, jobId: string): Promise<void> {
  await ctx.db.batch([
    ctx.db.delete(importRows).where(eq(importRows.jobId, jobId)),
    ctx.db.delete(importJobs).where(and(eq(importJobs.id, jobId), eq(importJobs.status, "uploading"))),
  ]);
}
