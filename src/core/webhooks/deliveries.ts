/**
 * What a delivery reads and writes (docs/webhooks.md#delivery): an event with the tenant's enabled
 * subscriptions, the deliveries of it already made and — for a user event — its snapshot of the user
 * (or, for an event older than snapshots, the user as stored, deleted users too), in one round trip; and one row per (subscription, event) holding its latest
 * attempt.
 */
import { and, asc, eq, getTableColumns, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { auditEvents, customers, subroles, users, webhookAttempts, webhookDeliveries, webhooks, type DELIVERY_STATUSES } from "../../db/schema";
import type { Ctx } from "../context";
import { conflict, notFound } from "../errors";
import { assertWritable, getResource } from "../resources";
import { tenantPage, type PageInput } from "../tenant-page";
import { webhookSpec } from "../tenant-resources";
import { toUser, userFromSnapshot, userSelection, type User, type UserSelectionRow } from "../users/view";
import { eventTypeOf, subscribed, type EventType } from "./events";

export type Subscription = typeof webhooks.$inferSelect;

export interface PendingEvent {
  id: string;
  type: EventType;
  at: number;
  tenantId: string;
  customerId: string | null;
  targetType: string;
  targetId: string;
  /** The changed fields' names (never their values: a password change says `password`, nothing more). */
  changed: string[];
  /** A user event's place in its user's history (the user's version once the change was written). */
  sequence: number | null;
  /** The user of a user event, as the change left it (as stored now for an event written before snapshots). */
  user: User | null;
  /** The subscriptions that take it and have no succeeded delivery of it yet. */
  due: Subscription[];
}

/** The event and what its delivery needs; null when it is no longer deliverable (unknown id, not an event). */
export async function pendingEvent(db: Db, eventId: string, onlyWebhook?: string): Promise<PendingEvent | null> {
  const [events, subs, done, userRows] = await db.batch([
    db.select().from(auditEvents).where(eq(auditEvents.id, eventId)),
    db
      .select()
      .from(webhooks)
      .where(and(eq(webhooks.enabled, true), sql`${webhooks.tenantId} = (select ${auditEvents.tenantId} from ${auditEvents} where ${auditEvents.id} = ${eventId})`)),
    db
      .select({ webhookId: webhookDeliveries.webhookId })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.eventId, eventId), eq(webhookDeliveries.status, "succeeded"))),
    db
      .select(userSelection)
      .from(users)
      .leftJoin(customers, eq(customers.id, users.customerId))
      .leftJoin(subroles, eq(subroles.id, users.subroleId))
      .where(sql`${users.id} = (select ${auditEvents.targetId} from ${auditEvents} where ${auditEvents.id} = ${eventId} and ${auditEvents.targetType} = 'user')`),
  ]);
  const e = events[0];
  if (!e) return null;
  const type = eventTypeOf(e.action, e.changes);
  if (type === null) return null;
  const delivered = new Set(done.map((d) => d.webhookId));
  const due = subs.filter((s) => (onlyWebhook === undefined || s.id === onlyWebhook) && !delivered.has(s.id) && subscribed(s.events, type) && (s.customerId === null || s.customerId === e.customerId));
  const row = userRows[0] as UserSelectionRow | undefined;
  return {
    id: e.id,
    type,
    at: e.at,
    tenantId: e.tenantId,
    customerId: e.customerId,
    targetType: e.targetType,
    targetId: e.targetId,
    changed: e.action.endsWith(".updated") ? Object.keys(e.changes) : [],
    sequence: e.sequence,
    user: userFromSnapshot(e.snapshot) ?? (row ? toUser(row) : null),
    due,
  };
}

export interface Attempt {
  webhookId: string;
  tenantId: string;
  eventId: string;
  eventType: EventType;
  status: (typeof DELIVERY_STATUSES)[number];
  responseStatus: number | null;
  durationMs: number | null;
  error: string | null;
}

/**
 * Records an attempt: the delivery's state (one row per subscription and event: `succeeded`, or
 * still `pending`, with its count of attempts) and the attempt itself, numbered from that count —
 * unless the subscription was deleted meanwhile (its deliveries went with it).
 */
export function recordAttempt(db: Db, a: Attempt, now: number) {
  const d = webhookDeliveries;
  const state = db
    .insert(d)
    .select(
      sql`select ${crypto.randomUUID()}, ${a.tenantId}, ${a.webhookId}, ${a.eventId}, ${a.eventType}, 1, ${a.status}, ${a.responseStatus}, ${a.durationMs}, ${a.error}, ${now}, ${now} where exists (select 1 from ${webhooks} where ${webhooks.id} = ${a.webhookId})`,
    )
    .onConflictDoUpdate({
      target: [d.webhookId, d.eventId],
      set: { attempts: sql`${d.attempts} + 1`, status: a.status, responseStatus: a.responseStatus, durationMs: a.durationMs, error: a.error, updatedAt: now },
    });
  const attempt = db
    .insert(webhookAttempts)
    .select(
      sql`select ${crypto.randomUUID()}, ${d.tenantId}, ${d.webhookId}, ${d.eventId}, ${d.eventType}, ${d.attempts}, ${a.status === "succeeded" ? "succeeded" : "failed"}, ${a.responseStatus}, ${a.durationMs}, ${a.error}, ${now} from ${d} where ${d.webhookId} = ${a.webhookId} and ${d.eventId} = ${a.eventId}`,
    );
  return [state, attempt] as const;
}

/** The dead-letter queue's verdict: every delivery of the event not yet succeeded has failed for good. */
export function markFailed(db: Db, eventId: string, now: number) {
  return db
    .update(webhookDeliveries)
    .set({ status: "failed", updatedAt: now })
    .where(and(eq(webhookDeliveries.eventId, eventId), sql`${webhookDeliveries.status} <> 'succeeded'`));
}

/** An attempt as listed: with where its delivery stands now. */
export type AttemptRow = typeof webhookAttempts.$inferSelect & { deliveryStatus: string };

const ATTEMPT_COLUMNS = {
  ...getTableColumns(webhookAttempts),
  // Qualified by hand: drizzle writes a single-table query's columns bare, which inside this
  // subquery would name the delivery's own columns.
  deliveryStatus: sql<string>`(select d.status from webhook_deliveries d where d.webhook_id = "webhook_attempts"."webhook_id" and d.event_id = "webhook_attempts"."event_id")`.as("delivery_status"),
};

/**
 * A subscription's delivery attempts, oldest first, in cursor pages: 404 when the subscription is
 * not the caller's to see (the generic read's reach and narrowing, ../resources.ts).
 */
export async function listDeliveries(ctx: Ctx, tenantId: string, webhookId: string, page: PageInput): Promise<{ data: AttemptRow[]; nextCursor: string | null }> {
  await getResource(ctx, webhookSpec, tenantId, webhookId);
  const t = webhookAttempts;
  const query = (after: SQL | undefined) =>
    ctx.db
      .select(ATTEMPT_COLUMNS)
      .from(t)
      .where(and(eq(t.tenantId, tenantId), eq(t.webhookId, webhookId), after))
      .orderBy(asc(t.at), asc(t.id))
      .limit(page.limit + 1);
  return tenantPage<AttemptRow>(ctx, tenantId, `deliveries:${webhookId}`, { at: t.at, id: t.id }, page, query, (r) => [r.at, r.id]);
}

/**
 * A manual retry, named by one of the delivery's attempts: the delivery back to pending, and its
 * event handed to the Queue again for this subscription only. 404 when the attempt is not the
 * caller's to see; 409 once the delivery has succeeded.
 */
export async function retryDelivery(ctx: Ctx, queue: Queue<{ eventId: string; webhookId?: string }>, tenantId: string, webhookId: string, attemptId: string): Promise<AttemptRow> {
  await getResource(ctx, webhookSpec, tenantId, webhookId);
  assertWritable(ctx, webhookSpec, tenantId);
  const a = webhookAttempts;
  const [attempt] = await ctx.db
    .select(ATTEMPT_COLUMNS)
    .from(a)
    .where(and(eq(a.id, attemptId), eq(a.webhookId, webhookId), eq(a.tenantId, tenantId)));
  if (!attempt) throw notFound("delivery");
  const [reopened] = await ctx.db
    .update(webhookDeliveries)
    .set({ status: "pending", updatedAt: ctx.now() })
    .where(and(eq(webhookDeliveries.webhookId, webhookId), eq(webhookDeliveries.eventId, attempt.eventId), sql`${webhookDeliveries.status} <> 'succeeded'`))
    .returning({ status: webhookDeliveries.status });
  if (!reopened) throw conflict("delivery", "This delivery has succeeded; there is nothing to retry.");
  await queue.send({ eventId: attempt.eventId, webhookId });
  return { ...attempt, deliveryStatus: reopened.status };
}
