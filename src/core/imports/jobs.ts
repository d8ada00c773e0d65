/**
 * Reading import jobs (docs/migration.md#import): a job with its counts, timings and first 1,000
 * row errors; all of its errors page by page (streamed by the route as NDJSON). A job is read by
 * the tenant's admins — a project-narrowed token only its own jobs (its errors quote its rows).
 */
import { and, asc, eq, ne, sql, type SQL } from "drizzle-orm";
import { importErrors, importJobs, type ImportMode, type ImportStatus, type Scope } from "../../db/schema";
import type { Ctx } from "../context";
import { notFound } from "../errors";
import type { Principal } from "../principal";
import { assertTenantClaim } from "../resources";

/** Row errors a job shows inline; the rest are at its errors resource. */
export const INLINE_ERRORS = 1000;
const ERRORS_PAGE = 1000;

export interface RowError {
  line: number;
  field: string | null;
  message: string;
}

export interface ImportJob {
  id: string;
  tenantId: string;
  mode: ImportMode;
  format: string;
  status: Exclude<ImportStatus, "uploading">;
  counts: { total: number; created: number; updated: number; skipped: number; failed: number };
  bytes: number;
  createdAt: number;
  createdBy: string;
  startedAt: number | null;
  finishedAt: number | null;
  error: string | null;
  errors: RowError[];
}

type JobRow = typeof importJobs.$inferSelect;

export function jobView(r: JobRow, errors: RowError[]): ImportJob {
  return {
    id: r.id,
    tenantId: r.tenantId,
    mode: r.mode,
    format: r.format,
    status: r.status as ImportJob["status"],
    counts: { total: r.total, created: r.created, updated: r.updated, skipped: r.skipped, failed: r.failed },
    bytes: r.bytes,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    error: r.error,
    errors,
  };
}

/** The claims a job keeps of the token that started it (never the token). */
export function claimsOf(p: Principal) {
  return { sub: p.sub, role: p.role, tenantId: p.tenantId, customerId: p.customerId, resellerId: p.resellerId, projectId: p.projectId, scopes: [...p.scopes], issuedAt: p.issuedAt };
}

export function principalOf(json: string): Principal {
  const c = JSON.parse(json) as ReturnType<typeof claimsOf>;
  return { ...c, scopes: new Set(c.scopes as Scope[]) };
}

/** Which of a tenant's jobs the caller reads: all of them, or (narrowed to a project) its own. */
function jobWhere(ctx: Ctx, tenantId: string, jobId: string): SQL {
  return and(
    eq(importJobs.id, jobId),
    eq(importJobs.tenantId, tenantId),
    ne(importJobs.status, "uploading"),
    ctx.principal.projectId === null ? undefined : eq(importJobs.createdBy, ctx.principal.sub),
  ) as SQL;
}

const ERROR_COLUMNS = { line: importErrors.line, field: importErrors.field, message: importErrors.message };

/** A job with its first INLINE_ERRORS row errors (one round trip). */
export async function getImport(ctx: Ctx, tenantId: string, jobId: string): Promise<ImportJob> {
  assertTenantClaim(ctx, tenantId);
  const [jobs, errors] = await ctx.db.batch([
    ctx.db.select().from(importJobs).where(jobWhere(ctx, tenantId, jobId)),
    ctx.db
      .select(ERROR_COLUMNS)
      .from(importErrors)
      .where(and(eq(importErrors.jobId, jobId), sql`exists (select 1 from ${importJobs} where ${jobWhere(ctx, tenantId, jobId)})`))
      .orderBy(asc(importErrors.line), asc(importErrors.seq))
      .limit(INLINE_ERRORS),
  ]);
  const job = jobs[0];
  if (!job) throw notFound("import");
  return jobView(job, errors);
}

/** All of a job's row errors, a page per round trip; the first rides with the job's own read, so an unknown job is a 404 before anything streams. */
export async function importErrorPages(ctx: Ctx, tenantId: string, jobId: string): Promise<AsyncGenerator<RowError[]>> {
  assertTenantClaim(ctx, tenantId);
  const page = (after: [number, number] | null) =>
    ctx.db
      .select({ ...ERROR_COLUMNS, seq: importErrors.seq })
      .from(importErrors)
      .where(and(eq(importErrors.jobId, jobId), after === null ? undefined : sql`(${importErrors.line}, ${importErrors.seq}) > (${after[0]}, ${after[1]})`))
      .orderBy(asc(importErrors.line), asc(importErrors.seq))
      .limit(ERRORS_PAGE);
  const [jobs, first] = await ctx.db.batch([ctx.db.select({ id: importJobs.id }).from(importJobs).where(jobWhere(ctx, tenantId, jobId)), page(null)]);
  if (jobs.length === 0) throw notFound("import");
  let rows = first;
  return (async function* () {
    for (;;) {
      if (rows.length > 0) yield rows.map(({ seq: _s, ...e }) => e);
      if (rows.length < ERRORS_PAGE) return;
      const last = rows[rows.length - 1]!;
      rows = await page([last.line, last.seq]);
    }
  })();
}
