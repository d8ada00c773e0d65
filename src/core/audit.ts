import { getTableColumns, sql, type SQL } from "drizzle-orm";
import { auditEvents } from "../db/schema";
import type { Ctx } from "./context";
import { queuedAtOnInsert } from "./webhooks/outbox";

export interface AuditInput {
  /** A fresh id given by the caller when a later statement of the batch keys on the event (../idempotency.ts). */
  id?: string;
  tenantId: string;
  action: string;
  targetType: string;
  targetId: string;
  customerId?: string | null;
  changes: Record<string, unknown>;
}

/** Field names that never enter an audit event, whatever a caller passes. */
const SECRET_FIELDS = new Set(["password", "passwordHash", "secretHash", "clientSecret", "secret"]);

/**
 * The audit insert for a change, un-awaited, to be put in the same `DB.batch` as the change itself:
 * either both are written or neither is. With `onlyIf`, the event is written only when that SQL
 * condition holds at that point of the batch: put it before an UPDATE or DELETE, conditioned on
 * the target row still existing, so a row removed by a concurrent request since the verb read it
 * leaves no event for a change that never happened.
 */
export function auditInsert(ctx: Ctx, input: AuditInput, onlyIf?: SQL) {
  const changes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input.changes)) {
    changes[k] = SECRET_FIELDS.has(k) ? "[redacted]" : v;
  }
  const row: typeof auditEvents.$inferInsert = {
    id: input.id ?? ctx.newId(),
    tenantId: input.tenantId,
    at: ctx.now(),
    actorId: ctx.principal.sub,
    action: input.action,
    targetType: input.targetType,
    targetId: input.targetId,
    customerId: input.customerId ?? null,
    correlationId: ctx.correlationId,
    changes,
  };
  const queuedAt = queuedAtOnInsert(input.tenantId, row.at);
  if (onlyIf === undefined) return ctx.db.insert(auditEvents).values({ ...row, queuedAt });
  // INSERT … SELECT <values> WHERE <condition>: the columns in table order, each encoded as drizzle would.
  const values = Object.entries(getTableColumns(auditEvents)).map(([k, col]) => (k === "queuedAt" ? queuedAt : sql.param(row[k as keyof typeof row] ?? null, col)));
  return ctx.db.insert(auditEvents).select(sql`select ${sql.join(values, sql`, `)} where ${onlyIf}`);
}

/** `{field: {from, to}}` for each field whose value differs; the shape stored in `changes`. */
export function diff<T extends Record<string, unknown>>(before: T, patch: Partial<T>): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const [k, to] of Object.entries(patch)) {
    if (to === undefined) continue;
    const from = before[k];
    if (JSON.stringify(from) !== JSON.stringify(to)) out[k] = { from: from ?? null, to };
  }
  return out;
}

/** An audit event whose target only the batch knows (it is read by the same statement that writes the event). */
export interface AuditFromRow {
  /** The event's id: a fresh one, which the later writes of the batch key on (it exists only if this insert ran). */
  id: string;
  action: string;
  targetType: string;
  targetId: SQL;
  tenantId: SQL;
  customerId: SQL;
  /** A JSON text expression; its secrets are the caller's to leave out (never hashes). */
  changes: SQL;
  /** A user event's sequence: the user's version once the change is written (read from the target row). */
  sequence?: SQL;
}

/**
 * `insert into audit_events select … <from>`: the event of a write that rides in the same batch as
 * the reads it depends on (src/core/users/guards.ts). `from` is the `from … where …` that selects
 * the target row only when the write is allowed; no row, no event.
 */
export function auditInsertFrom(ctx: Ctx, e: AuditFromRow, from: SQL) {
  const values: Record<keyof typeof auditEvents.$inferInsert, SQL> = {
    id: sql`${e.id}`,
    tenantId: e.tenantId,
    at: sql`${ctx.now()}`,
    actorId: sql`${ctx.principal.sub}`,
    action: sql`${e.action}`,
    targetType: sql`${e.targetType}`,
    targetId: e.targetId,
    customerId: e.customerId,
    correlationId: sql`${ctx.correlationId}`,
    changes: e.changes,
    queuedAt: queuedAtOnInsert(e.tenantId, ctx.now()),
    sequence: e.sequence ?? sql`null`,
    snapshot: sql`null`,
  };
  const ordered = Object.keys(getTableColumns(auditEvents)).map((k) => values[k as keyof typeof values]);
  return ctx.db.insert(auditEvents).select(sql`select ${sql.join(ordered, sql`, `)} ${from}`);
}
