/**
 * The webhook Queue's consumer (docs/webhooks.md#delivery): for each event, every subscription that
 * takes it and has not had it yet gets one signed POST (Standard Webhooks headers; a 10 s timeout);
 * each attempt is recorded. A 2xx is a success; anything else, a timeout or a network error leaves
 * the message to retry with exponential backoff (WEBHOOK_RETRY_BASE_SECONDS × 2^(attempt−1)), at
 * most 8 attempts (wrangler.toml `max_retries`), after which the message lands in the dead-letter
 * queue, whose consumer marks the event's unfinished deliveries failed. A retried message delivers
 * only to the subscriptions still missing it.
 */
import { unseal } from "../core/credentials/sealing";
import { secretContext } from "../core/webhooks/subscriptions";
import { markFailed, pendingEvent, recordAttempt, type PendingEvent, type Subscription } from "../core/webhooks/deliveries";
import type { EventMessage } from "../core/webhooks/outbox";
import { signedHeaders } from "../core/webhooks/signing";
import { openDb } from "../db/client";
import { authConfig } from "../auth/config";
import { userToWire } from "../dialects/admin/wire";
import { errorKind } from "../http/errors";
import type { AppBindings } from "../http/types";

export const DEAD_LETTER_QUEUE = "customer-users-events-dlq";
const TIMEOUT_MS = 10_000;
/** Queues delays a message at most 12 hours. */
const MAX_DELAY_SECONDS = 43_200;

/** The body of an event's delivery: its id, type and time, its tenant and customer, and what changed — a user event carries the user in the admin API's shape. */
export function payloadOf(e: PendingEvent): string {
  const data: Record<string, unknown> = { id: e.targetId, changed: e.changed };
  if (e.sequence !== null) data.sequence = e.sequence;
  if (e.user) data.user = userToWire(e.user);
  return JSON.stringify({ id: e.id, type: e.type, timestamp: new Date(e.at).toISOString(), tenantId: e.tenantId, customerId: e.customerId, data });
}

/** The secrets that sign for a subscription now: its own, and a rotated one during its 24 hours. */
async function secretsOf(env: AppBindings, s: Subscription, now: number): Promise<string[]> {
  const cfg = authConfig(env);
  const out = [await unseal(cfg, "webhook-secrets", s.secret, secretContext(s.tenantId))];
  if (s.previousSecret && s.previousUntil !== null && s.previousUntil > now) out.push(await unseal(cfg, "webhook-secrets", s.previousSecret, secretContext(s.tenantId)));
  return out;
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number | null; error: string | null; ms: number }> {
  const t0 = Date.now();
  try {
    const res = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", "user-agent": "customer-users-webhooks/1", ...headers }, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: "manual" });
    await res.body?.cancel();
    return { status: res.status, error: res.status >= 200 && res.status < 300 ? null : `HTTP ${res.status}`, ms: Date.now() - t0 };
  } catch (err) {
    return { status: null, error: err instanceof Error && err.name === "TimeoutError" ? "timeout" : "network error", ms: Date.now() - t0 };
  }
}

/** Delivers one event to the subscriptions still missing it; true when none is left. */
export async function deliverEvent(env: AppBindings, eventId: string, onlyWebhook?: string): Promise<boolean> {
  const { db } = openDb(env.DB, { write: true });
  const e = await pendingEvent(db, eventId, onlyWebhook);
  if (e === null || e.due.length === 0) return true;
  const body = payloadOf(e);
  const now = Date.now();
  const results = await Promise.all(
    e.due.map(async (s) => {
      const r = await post(s.url, body, signedHeaders(await secretsOf(env, s, now), e.id, new Date(now), body));
      return { s, r };
    }),
  );
  const done = Date.now();
  await db.batch(
    results.flatMap(({ s, r }) =>
      recordAttempt(
        db,
        { webhookId: s.id, tenantId: e.tenantId, eventId: e.id, eventType: e.type, status: r.error === null ? "succeeded" : "pending", responseStatus: r.status, durationMs: r.ms, error: r.error },
        done,
      ),
    ) as never,
  );
  return results.every(({ r }) => r.error === null);
}

export function backoffSeconds(env: AppBindings, attempt: number): number {
  const base = Number(env.WEBHOOK_RETRY_BASE_SECONDS ?? "30");
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, base) * 2 ** (attempt - 1));
}

/** The Worker's queue handler: deliveries, or the dead-letter queue's verdicts. */
export async function consume(batch: MessageBatch<EventMessage>, env: AppBindings): Promise<void> {
  if (batch.queue === DEAD_LETTER_QUEUE) {
    const { db } = openDb(env.DB, { write: true });
    const now = Date.now();
    await db.batch(batch.messages.map((m) => markFailed(db, m.body.eventId, now)) as never);
    batch.ackAll();
    return;
  }
  // The batch's events in parallel: a slow receiver holds up only its own events.
  await Promise.all(
    batch.messages.map(async (m) => {
      try {
        if (await deliverEvent(env, m.body.eventId, m.body.webhookId)) m.ack();
        else m.retry({ delaySeconds: backoffSeconds(env, m.attempts) });
      } catch (err) {
        console.log(JSON.stringify({ level: "error", msg: "webhook delivery", errorKind: errorKind(err) }));
        m.retry({ delaySeconds: backoffSeconds(env, m.attempts) });
      }
    }),
  );
}
