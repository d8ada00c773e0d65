/**
 * The Cron Trigger (wrangler.toml `[triggers]`): purges the Idempotency-Key records whose 24 hours
 * are over (docs/concurrency.md#idempotency-keys). An expired record is never replayed whether or
 * not it is purged yet; the purge keeps the table small. Logs one line with the count.
 */
import { purgeExpiredKeys } from "./core/idempotency";
import { flushEvents, SWEEP_AFTER_MS } from "./core/webhooks/outbox";
import { openDb } from "./db/client";
import type { AppBindings } from "./http/types";

/** Expired records deleted per statement, and statements per run (a run stays well inside a Cron's limits). */
const PURGE_BATCH = 1000;
const PURGE_ROUNDS = 50;

/** Everything the Cron Trigger does. */
export async function cron(env: AppBindings, now = Date.now()): Promise<void> {
  await purgeKeys(env, now);
  await sweepEvents(env, now);
}

/** Sends the webhook events a crash left unqueued (older than a request's own flush would take), up to 1,000 a run. */
export async function sweepEvents(env: AppBindings, now = Date.now()): Promise<number> {
  const { db } = openDb(env.DB, { write: true });
  let sent = 0;
  for (let round = 0; round < 10; round++) {
    const n = await flushEvents(db, env.EVENTS, { olderThan: now - SWEEP_AFTER_MS });
    sent += n.sent;
    if (n.seen === 0) break;
  }
  if (env.REQUEST_LOG !== "off") console.log(JSON.stringify({ level: "info", msg: "cron", job: "sweep webhook events", sent }));
  return sent;
}

export async function purgeKeys(env: AppBindings, now = Date.now()): Promise<number> {
  const { db } = openDb(env.DB, { write: true });
  let purged = 0;
  for (let round = 0; round < PURGE_ROUNDS; round++) {
    const n = await purgeExpiredKeys(db, now, PURGE_BATCH);
    purged += n;
    if (n < PURGE_BATCH) break;
  }
  if (env.REQUEST_LOG !== "off") console.log(JSON.stringify({ level: "info", msg: "cron", job: "purge idempotency keys", purged }));
  return purged;
}
