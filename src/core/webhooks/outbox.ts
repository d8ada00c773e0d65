/**
 * The outbox (docs/webhooks.md#delivery): every change writes its audit row in the change's own
 * batch; the rows not yet handed to the webhook Queue are the outbox (`queued_at` null, a partial
 * index). A request that wrote flushes its own rows after its response; a Cron Trigger sweeps what
 * a crash left behind. Send, then mark: a crash between the two re-sends (the consumer skips what
 * was delivered), it never loses. Rows of tenants with no enabled subscription, and rows that are
 * no webhook event, are only marked.
 */
import { and, asc, eq, isNull, lt, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { inJsonList } from "../../db/json-list";
import { auditEvents } from "../../db/schema";
import { userSnapshotSql } from "../users/view";
import { eventTypeOf } from "./events";

/** What the Queue carries: the event's id (the consumer reads the rest). */
export interface EventMessage {
  eventId: string;
  /** A manual retry: this subscription only. */
  webhookId?: string;
}

/** How long a request's own flush has before the sweep takes over (so the two never race). */
export const SWEEP_AFTER_MS = 60_000;

/**
 * Hands unqueued events to the Queue — those of one request (its correlation id), or, for the
 * sweep, those older than SWEEP_AFTER_MS — at most `limit`; returns how many were sent.
 */
export async function flushEvents(db: Db, queue: Queue<EventMessage>, which: { correlationId: string } | { olderThan: number }, limit = 100): Promise<{ seen: number; sent: number }> {
  const where: SQL[] = [isNull(auditEvents.queuedAt)];
  if ("correlationId" in which) where.push(eq(auditEvents.correlationId, which.correlationId));
  else where.push(lt(auditEvents.at, which.olderThan));
  const rows = await db
    .select({
      id: auditEvents.id,
      action: auditEvents.action,
      changes: auditEvents.changes,
      // Qualified by hand (drizzle writes a single-table query's columns bare).
      wanted: sql<number>`exists (select 1 from webhooks w where w.tenant_id = "audit_events"."tenant_id" and w.enabled = 1)`,
    })
    .from(auditEvents)
    .where(and(...where))
    .orderBy(asc(auditEvents.at))
    .limit(limit);
  if (rows.length === 0) return { seen: 0, sent: 0 };
  const send = rows.filter((r) => r.wanted && eventTypeOf(r.action, r.changes) !== null);
  if (send.length > 0) await queue.sendBatch(send.map((r) => ({ body: { eventId: r.id } })));
  // The ids as one parameter: a page of 100 ids bound one by one would pass D1's 100 bound parameters.
  await db
    .update(auditEvents)
    .set({ queuedAt: Date.now() })
    .where(sql`${auditEvents.id} in ${inJsonList(rows.map((r) => r.id))}`);
  return { seen: rows.length, sent: send.length };
}

/**
 * An audit row's `queued_at` as it is written: null (in the outbox) when its tenant has an enabled
 * subscription, else already done — a tenant without webhooks never pays for the outbox.
 */
export function queuedAtOnInsert(tenantId: SQL | string, at: number): SQL {
  // `w.` names the subscription's columns; `tenantId` may be a column of the row being written (bare, as drizzle writes it).
  return sql`case when exists (select 1 from webhooks w where w.tenant_id = ${tenantId} and w.enabled = 1) then null else ${at} end`;
}

/**
 * The last statement of a user write's batch: the event's user as the change left it, frozen in
 * the event while it is in the outbox of a tenant with webhooks (a tenant without pays an update
 * of nothing). A delivery carries this copy however late it runs, so events of one user arriving
 * out of order never show a later state under an earlier sequence.
 */
export function snapshotUser(db: Db, eventId: SQL | string) {
  return db
    .update(auditEvents)
    .set({ snapshot: userSnapshotSql(sql.raw(`"audit_events"."target_id"`)) })
    .where(and(eq(auditEvents.id, eventId), isNull(auditEvents.queuedAt)));
}
