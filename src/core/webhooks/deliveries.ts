/**
 * What a delivery reads and writes (docs/webhooks.md#delivery): an event with the tenant's enabled
 * subscriptions, the deliveries of it already made and — for a user event — the user as stored
 * (deleted users too), in one round trip; and one row per (subscription, event) holding its latest
 * attempt.
 */
import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { auditEvents, customers, subroles, users, webhookDeliveries, webhooks, type DELIVERY_STATUSES } from "../../db/schema";
import type { Ctx } from "../context";
import { conflict, notFound } from "../errors";
import { assertWritable, getResource } from "../resources";
import { tenantPage, type PageInput } from "../tenant-page";
import { webhookSpec } from "../tenant-resources";
import { toUser, userSelection, type User, type UserSelectionRow } from "../users/view";
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
  /** The user of a user event, as stored now. */
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
    user: row ? toUser(row) : null,
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
 * Records a delivery's latest attempt (one row per subscription and event; `attempts` counts them,
 * manual retries included) — unless the subscription was deleted meanwhile (its deliveries went with it).
 */
export function recordAttempt(db: Db, a: Attempt, now: number) {
  return db
    .insert(webhookDeliveries)
    .select(
      sql`select ${crypto.randomUUID()}, ${a.tenantId}, ${a.webhookId}, ${a.eventId}, ${a.eventType}, 1, ${a.status}, ${a.responseStatus}, ${a.durationMs}, ${a.error}, ${now}, ${now} where exists (select 1 from ${webhooks} where ${webhooks.id} = ${a.webhookId})`,
    )
    .onConflictDoUpdate({
      target: [webhookDeliveries.webhookId, webhookDeliveries.eventId],
      set: { attempts: sql`${webhookDeliveries.attempts} + 1`, status: a.status, responseStatus: a.responseStatus, durationMs: a.durationMs, error: a.error, updatedAt: now },
    });
}

/** The dead-letter queue's verdict: every delivery of the event not yet succeeded has failed for good. */
export function markFailed(db: Db, eventId: string, now: number) {
  return db
    .update(webhookDeliveries)
    .set({ status: "failed", updatedAt: now })
    .where(and(eq(webhookDeliveries.eventId, eventId), sql`${webhookDeliveries.status} <> 'succeeded'`));
}

export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

/**
 * A subscription's deliveries, oldest first, in cursor pages: 404 when the subscription is not the
 * caller's to see (the generic read's reach and narrowing, ../resources.ts).
 */
export async function listDeliveries(ctx: Ctx, tenantId: string, webhookId: string, page: PageInput): Promise<{ data: DeliveryRow[]; nextCursor: string | null }> {
  await getResource(ctx, webhookSpec, tenantId, webhookId);
  const t = webhookDeliveries;
  const query = (after: SQL | undefined) =>
    ctx.db
      .select()
      .from(t)
      .where(and(eq(t.tenantId, tenantId), eq(t.webhookId, webhookId), after))
      .orderBy(asc(t.createdAt), asc(t.id))
      .limit(page.limit + 1);
  return tenantPage<DeliveryRow>(ctx, tenantId, `deliveries:${webhookId}`, { at: t.createdAt, id: t.id }, page, query, (r) => [r.createdAt, r.id]);
}

/**
 * A manual retry of a delivery that failed for good (or is still pending): back to pending, and
 * its event handed to the Queue again for this subscription only. 404 when the delivery is not the
 * caller's to see.
 */
export async function retryDelivery(ctx: Ctx, queue: Queue<{ eventId: string; webhookId?: string }>, tenantId: string, webhookId: string, deliveryId: string): Promise<DeliveryRow> {
  await getResource(ctx, webhookSpec, tenantId, webhookId);
  assertWritable(ctx, webhookSpec, tenantId);
  const now = ctx.now();
  const [row] = await ctx.db
    .update(webhookDeliveries)
    .set({ status: "pending", updatedAt: now })
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.webhookId, webhookId), eq(webhookDeliveries.tenantId, tenantId), sql`${webhookDeliveries.status} <> 'succeeded'`))
    .returning();
  if (!row) {
    const [exists] = await ctx.db.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.webhookId, webhookId), eq(webhookDeliveries.tenantId, tenantId)));
    if (!exists) throw notFound("delivery");
    throw conflict("delivery", "This delivery has succeeded; there is nothing to retry.");
  }
  await queue.send({ eventId: row.eventId, webhookId });
  return row;
}
