/**
 * The verbs shared by every tenant-owned configuration resource (projects, resellers, customers,
 * subroles, groups, accounts): one implementation of create / get / list / update / delete with
 * the tenant check, reference checks, uniqueness by index, audit in the same batch and exact
 * cursor paging. Each resource supplies a small spec (src/core/tenant-resources.ts); none
 * re-implements these rules.
 */
import { and, asc, eq, exists, getTableColumns, sql, type InferSelectModel, type SQL } from "drizzle-orm";
import { QueryBuilder, type SQLiteColumn, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { tenants } from "../db/schema";
import { auditInsert, diff } from "./audit";
import { assertNotNarrowed, narrowedWhere } from "./ceiling";
import type { Ctx } from "./context";
import { constraintConflict, type UniqueRule } from "./db-errors";
import { forbidden, GuardMismatch, invalid, notFound, type FieldIssue, type Subject } from "./errors";
import { tenantForbiddenByClaims, type Principal } from "./principal";
import { sealed, type Receipt } from "./idempotency";
import { tenantPage } from "./tenant-page";

/** A table owned by a tenant, with the columns every resource has. */
export type TenantTable = SQLiteTable & {
  id: SQLiteColumn;
  tenantId: SQLiteColumn;
  createdAt: SQLiteColumn;
  updatedAt: SQLiteColumn;
};

/** A reference to check: `id` must be a row of `table` within the same tenant. */
export interface RefCheck {
  field: string;
  subject: Subject;
  table: TenantTable;
  id: string;
}

export interface ResourceSpec<T extends TenantTable> {
  subject: Subject;
  table: T;
  /** Audit action prefix, e.g. `project` → `project.created`. */
  action: string;
  uniques: UniqueRule[];
  /** Answer when a delete is refused by a foreign key (the resource is still referenced). */
  inUseMessage: string;
  /** References of a create or a patch that must exist in the tenant. */
  refs?: (values: Partial<InferSelectModel<T>>) => RefCheck[];
  /** Cross-field rules checked on the merged row of a create or an update (INVALID issues). */
  check?: (row: Partial<InferSelectModel<T>>) => FieldIssue[];
  /** Columns kept out of audit events (hashes). */
  secretColumns?: string[];
  /**
   * Tenant-wide configuration (projects, resellers, groups): a project-narrowed principal reads it
   * but never writes it (403). What else it sees is narrowedWhere's (src/core/ceiling.ts).
   */
  tenantWide?: boolean;
  /**
   * The privilege ceiling on a row as it is and as a write would leave it (src/core/ceiling.ts):
   * throws FORBIDDEN when the principal may not hold or hand out what the row grants.
   */
  ceiling?: (p: Principal, row: Partial<InferSelectModel<T>>) => void;
  /** Statements to run in the same batch as an update (e.g. revocations, denormalised columns). */
  onUpdate?: (ctx: Ctx, before: InferSelectModel<T>, after: InferSelectModel<T>) => BatchItem[];
  /** Statements to run in the same batch as a delete. */
  onDelete?: (ctx: Ctx, before: InferSelectModel<T>) => BatchItem[];
}

type BatchItem = import("drizzle-orm/batch").BatchItem<"sqlite">;

/** The principal's reads of a resource: the tenant's rows, less what a narrowed principal cannot see. */
function visible<T extends TenantTable>(ctx: Ctx, spec: ResourceSpec<T>, tenantId: string, ...more: SQL[]): SQL | undefined {
  return and(eq(spec.table.tenantId, tenantId), narrowedWhere(ctx.principal, spec.subject), ...more);
}

/** A write by this principal to this resource: the tenant claim, then tenant-wide configuration. */
export function assertWritable<T extends TenantTable>(ctx: Ctx, spec: ResourceSpec<T>, tenantId: string): void {
  assertTenantClaim(ctx, tenantId);
  if (spec.tenantWide) assertNotNarrowed(ctx.principal, spec.subject);
}

/** 403 when the claims alone say the tenant is out of reach (tenant_admin of another tenant). */
export function assertTenantClaim(ctx: Ctx, tenantId: string): void {
  if (tenantForbiddenByClaims(ctx.principal, tenantId)) throw forbidden();
}

const qb = new QueryBuilder();

function tenantExists(ctx: Ctx, tenantId: string) {
  return ctx.db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId));
}

// Drizzle cannot type a query over a table chosen at run time; the casts below stay inside this
// module, whose callers get the precise row type back.
export type Row<T extends TenantTable> = InferSelectModel<T>;
type AnyTable = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- see above

/** A reference the principal cannot see (another project's customer, for a narrowed one) does not exist for it. */
function refQueries(ctx: Ctx, tenantId: string, refs: RefCheck[]) {
  return refs.map((r) =>
    ctx.db
      .select({ id: r.table.id })
      .from(r.table as AnyTable)
      .where(and(eq(r.table.id, r.id), eq(r.table.tenantId, tenantId), narrowedWhere(ctx.principal, r.subject))),
  );
}

function refIssues(refs: RefCheck[], results: unknown[][]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  refs.forEach((r, i) => {
    if ((results[i] ?? []).length === 0) issues.push({ field: r.field, message: `No ${r.subject} with this id exists in the tenant.` });
  });
  return issues;
}

/** The customer an event is about (customers themselves, and what belongs to one), for filters and narrowed readers. */
function auditCustomer<T extends TenantTable>(spec: ResourceSpec<T>, row: Record<string, unknown>): string | null {
  if (spec.subject === "customer") return row.id as string;
  return typeof row.customerId === "string" ? row.customerId : null;
}

function redact<T extends TenantTable>(spec: ResourceSpec<T>, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) if (!spec.secretColumns?.includes(k)) out[k] = v;
  return out;
}

function mapWriteError<T extends TenantTable>(spec: ResourceSpec<T>, err: unknown): never {
  throw constraintConflict(err, spec.uniques, { subject: spec.subject, message: spec.inUseMessage }) ?? err;
}

/** The row a create writes, after the tenant claim, the privilege ceiling and the spec's cross-field rules. */
function newRow<T extends TenantTable>(ctx: Ctx, spec: ResourceSpec<T>, tenantId: string, input: Omit<Row<T>, "id" | "tenantId" | "createdAt" | "updatedAt">): Row<T> {
  assertWritable(ctx, spec, tenantId);
  const now = ctx.now();
  const row = { ...input, id: ctx.newId(), tenantId, createdAt: now, updatedAt: now } as Row<T>;
  spec.ceiling?.(ctx.principal, row);
  const issues = spec.check?.(row) ?? [];
  if (issues.length > 0) throw invalid(`The ${spec.subject} is not valid.`, issues);
  return row;
}

/**
 * A create in one round trip (docs/scaling.md#one-round-trip-per-write): the reads its checks look
 * at (the tenant, each reference) and the insert — an `INSERT … SELECT` from the tenant's row that
 * runs only while every reference exists for the caller — and its event, keyed on the new row. The
 * checks then run on what was read, so a missing tenant is still 404 and a missing reference still
 * the 400 naming it, and nothing was written. The ceiling and the spec's rules decide from the
 * values alone, before the batch.
 */
export async function createResource<T extends TenantTable>(
  ctx: Ctx,
  spec: ResourceSpec<T>,
  tenantId: string,
  input: Omit<Row<T>, "id" | "tenantId" | "createdAt" | "updatedAt">,
  receipt?: Receipt<Row<T>>,
): Promise<Row<T>> {
  const row = newRow(ctx, spec, tenantId, input);
  const refs = spec.refs?.(row) ?? [];
  const reads = refQueries(ctx, tenantId, refs);
  const columns = getTableColumns(spec.table as AnyTable) as Record<string, SQLiteColumn>;
  // Every column, in the table's order (as drizzle's INSERT … SELECT wants them).
  const planned = plannedRow(spec, row);
  const selected = Object.fromEntries(Object.entries(columns).map(([k, col]) => [k, sql`${sql.param((planned as Record<string, unknown>)[k], col)}`.as(k)]));
  const insert = ctx.db
    .insert(spec.table as AnyTable)
    .select(qb.select(selected).from(tenants).where(and(eq(tenants.id, tenantId), ...reads.map((r) => exists(r)))))
    .returning();
  const eventId = ctx.newId();
  const batch = await sealed(receipt, () => planned, eventId, [
    tenantExists(ctx, tenantId),
    ...reads,
    insert,
    auditInsert(ctx, { id: eventId, ...createdEvent(ctx, spec, tenantId, row) }, stillThere(ctx, spec, tenantId, row.id as string)),
  ]);
  let results: unknown[][];
  try {
    results = batch.own((await ctx.db.batch(batch.statements as never)) as unknown[][]);
  } catch (err) {
    mapWriteError(spec, err);
  }
  const [tenant = [], ...rest] = results;
  const inserted = rest[refs.length] as Row<T>[];
  const refused = tenant.length === 0 ? notFound("tenant") : refIssues(refs, rest.slice(0, refs.length));
  if (refused instanceof Error || refused.length > 0) {
    if (inserted.length > 0) throw new GuardMismatch(`createResource(${spec.subject})`);
    if (refused instanceof Error) throw refused;
    throw invalid(`The ${spec.subject} refers to something that does not exist.`, refused);
  }
  const created = inserted[0];
  if (!created) throw new GuardMismatch(`createResource(${spec.subject})`);
  return created;
}

/**
 * The row as a create writes it: its values, and for the columns it leaves out their declared
 * defaults (as values() would write them), in the table's order. What the create returns — and
 * what a response kept for an Idempotency-Key is rendered from (./idempotency.ts).
 */
function plannedRow<T extends TenantTable>(spec: ResourceSpec<T>, row: Row<T>): Row<T> {
  const columns = getTableColumns(spec.table as AnyTable) as Record<string, SQLiteColumn>;
  return Object.fromEntries(
    Object.entries(columns).map(([k, col]) => {
      const given = (row as Record<string, unknown>)[k];
      return [k, given !== undefined ? given : col.default !== undefined ? col.default : null];
    }),
  ) as Row<T>;
}

/** The event of a create: the row as written, secrets left out. */
function createdEvent<T extends TenantTable>(ctx: Ctx, spec: ResourceSpec<T>, tenantId: string, row: Row<T>) {
  return {
    tenantId,
    action: `${spec.action}.created`,
    targetType: spec.subject,
    targetId: row.id as string,
    customerId: auditCustomer(spec, row as Record<string, unknown>),
    changes: redact(spec, row as Record<string, unknown>),
  };
}

/**
 * The write half of a create (one batch: the row and its audit event), for a verb whose own read
 * has already proved the tenant and every reference — e.g. a customer created under a project
 * resolved by key (src/core/project-customers.ts) — so the create costs no second read.
 */
export async function insertResource<T extends TenantTable>(
  ctx: Ctx,
  spec: ResourceSpec<T>,
  tenantId: string,
  input: Omit<Row<T>, "id" | "tenantId" | "createdAt" | "updatedAt">,
  receipt?: Receipt<Row<T>>,
): Promise<Row<T>> {
  const row = newRow(ctx, spec, tenantId, input);
  const eventId = ctx.newId();
  const batch = await sealed(receipt, () => plannedRow(spec, row), eventId, [
    ctx.db
      .insert(spec.table as AnyTable)
      .values(row)
      .returning(),
    auditInsert(ctx, { id: eventId, ...createdEvent(ctx, spec, tenantId, row) }),
  ]);
  try {
    const [inserted] = batch.own((await ctx.db.batch(batch.statements as never)) as unknown[]);
    return (inserted as Row<T>[])[0] as Row<T>;
  } catch (err) {
    mapWriteError(spec, err);
  }
}

export async function getResource<T extends TenantTable>(ctx: Ctx, spec: ResourceSpec<T>, tenantId: string, id: string): Promise<Row<T>> {
  assertTenantClaim(ctx, tenantId);
  const rows = await ctx.db
    .select()
    .from(spec.table as AnyTable)
    .where(visible(ctx, spec, tenantId, eq(spec.table.id, id)));
  const row = rows[0] as Row<T> | undefined;
  if (!row) throw notFound(spec.subject);
  return row;
}

export interface ListInput {
  limit: number;
  cursor?: string | undefined;
}

/**
 * Lists a tenant's resources oldest first, keyed by (created_at, id): page 2 starts right after
 * the last item of page 1 even when rows are inserted in between; the last page has no cursor.
 */
export async function listResources<T extends TenantTable>(
  ctx: Ctx,
  spec: ResourceSpec<T>,
  tenantId: string,
  input: ListInput,
): Promise<{ data: Row<T>[]; nextCursor: string | null }> {
  assertTenantClaim(ctx, tenantId);
  const t = spec.table;
  const query = (after: SQL | undefined) =>
    ctx.db
      .select()
      .from(t as AnyTable)
      .where(visible(ctx, spec, tenantId, ...(after ? [after] : [])))
      .orderBy(asc(t.createdAt), asc(t.id))
      .limit(input.limit + 1);
  const keyOf = (r: Row<T>): [number, string] => [r.createdAt as number, r.id as string];
  return tenantPage(ctx, tenantId, `${spec.subject}s:${tenantId}`, { at: t.createdAt, id: t.id }, input, query, keyOf);
}

export async function updateResource<T extends TenantTable>(
  ctx: Ctx,
  spec: ResourceSpec<T>,
  tenantId: string,
  id: string,
  patch: Partial<Omit<Row<T>, "id" | "tenantId" | "createdAt" | "updatedAt">>,
): Promise<Row<T>> {
  assertWritable(ctx, spec, tenantId);
  const refs = spec.refs?.(patch as Partial<Row<T>>) ?? [];
  const [existingRows, ...refRows] = await ctx.db.batch([
    ctx.db
      .select()
      .from(spec.table as AnyTable)
      .where(visible(ctx, spec, tenantId, eq(spec.table.id, id))),
    ...refQueries(ctx, tenantId, refs),
  ]);
  const existing = (existingRows as Row<T>[])[0];
  if (!existing) throw notFound(spec.subject);
  return applyResourceUpdate(ctx, spec, tenantId, existing, patch, refIssues(refs, refRows));
}

/**
 * The write half of an update (one batch: the change and its audit event; none if nothing
 * changes), for a verb that has read the row itself, within the caller's reach, in its own batch.
 * `refProblems` are problems that verb already found (e.g. missing references).
 */
export async function applyResourceUpdate<T extends TenantTable>(
  ctx: Ctx,
  spec: ResourceSpec<T>,
  tenantId: string,
  existing: Row<T>,
  patch: Partial<Omit<Row<T>, "id" | "tenantId" | "createdAt" | "updatedAt">>,
  refProblems: FieldIssue[] = [],
): Promise<Row<T>> {
  assertWritable(ctx, spec, tenantId);
  const id = existing.id as string;
  const merged = { ...existing, ...patch } as Row<T>;
  // Neither what the row grants now nor what it would grant may exceed the principal's ceiling
  // (decided from the values alone, before whether the references they name exist for it).
  spec.ceiling?.(ctx.principal, existing);
  spec.ceiling?.(ctx.principal, merged);
  const issues = [...refProblems, ...(spec.check?.(merged) ?? [])];
  if (issues.length > 0) throw invalid(`The ${spec.subject} is not valid.`, issues);
  const changes = diff(existing as Record<string, unknown>, patch as Record<string, unknown>);
  if (Object.keys(changes).length === 0) return existing;
  try {
    const [, updated] = await ctx.db.batch([
      auditInsert(
        ctx,
        { tenantId, action: `${spec.action}.updated`, targetType: spec.subject, targetId: id, customerId: auditCustomer(spec, merged as Record<string, unknown>), changes: redact(spec, changes) },
        stillThere(ctx, spec, tenantId, id),
      ),
      ctx.db
        .update(spec.table as AnyTable)
        .set({ ...patch, updatedAt: ctx.now() })
        .where(and(eq(spec.table.id, id), eq(spec.table.tenantId, tenantId)))
        .returning(),
      ...(spec.onUpdate?.(ctx, existing, merged) ?? []),
    ]);
    const row = (updated as Row<T>[])[0];
    if (!row) throw notFound(spec.subject); // deleted between the read and the write: no event either
    return row;
  } catch (err) {
    mapWriteError(spec, err);
  }
}

export async function deleteResource<T extends TenantTable>(ctx: Ctx, spec: ResourceSpec<T>, tenantId: string, id: string): Promise<void> {
  assertWritable(ctx, spec, tenantId);
  const existing = await getResource(ctx, spec, tenantId, id);
  spec.ceiling?.(ctx.principal, existing);
  let deleted: unknown[];
  try {
    [, deleted] = await ctx.db.batch([
      auditInsert(
        ctx,
        {
          tenantId,
          action: `${spec.action}.deleted`,
          targetType: spec.subject,
          targetId: id,
          customerId: auditCustomer(spec, existing as Record<string, unknown>),
          changes: redact(spec, existing as Record<string, unknown>),
        },
        stillThere(ctx, spec, tenantId, id),
      ),
      ctx.db
        .delete(spec.table as AnyTable)
        .where(and(eq(spec.table.id, id), eq(spec.table.tenantId, tenantId)))
        .returning({ id: spec.table.id }),
      ...(spec.onDelete?.(ctx, existing) ?? []),
    ]);
  } catch (err) {
    mapWriteError(spec, err);
  }
  // A concurrent delete won since the read: 404 like any later delete, and no second event.
  if (deleted.length === 0) throw notFound(spec.subject);
}

/**
 * The condition for an update's or delete's audit event, placed before the write in its batch: the
 * row is still there, so the write that follows will change it (the batch is one transaction).
 */
function stillThere<T extends TenantTable>(ctx: Ctx, spec: ResourceSpec<T>, tenantId: string, id: string) {
  return exists(
    ctx.db
      .select({ one: sql`1` })
      .from(spec.table as AnyTable)
      .where(and(eq(spec.table.id, id), eq(spec.table.tenantId, tenantId))),
  );
}
