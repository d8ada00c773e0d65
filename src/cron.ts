/**
 * The Cron Trigger (wrangler.toml `[triggers]`): purges the Idempotency-Key records whose 24 hours
 * are over (docs/concurrency.md#idempotency-keys) — an expired record is never replayed whether or
 * not it is purged yet; the purge keeps the table small —, sends webhook events a crash left
 * unqueued, resumes import jobs whose consumer went quiet and removes finished imports' staged rows.
 * Each job logs one line with its count.
 */
import { purgeExpiredKeys } from "./core/idempotency";
import { purgeImportRows, staleImports } from "./core/imports/upkeep";
import { flushEvents, SWEEP_AFTER_MS } from "./core/webhooks/outbox";
import { openDb, type Db } from "./db/client";
import type { AppBindings } from "./http/types";

/** Expired records deleted per statement, and statements per run (a run stays well inside a Cron's limits). */
const PURGE_BATCH = 1000;
const PURGE_ROUNDS = 50;

/** Everything the Cron Trigger does. */
export async function cron(env: AppBindings, now = Date.now()): Promise<void> {
  await purgeKeys(env, now);
  await sweepEvents(env, now);
  await resumeImports(env, now);
  await purgeImports(env, now);
}

/** Queues again the import jobs whose consumer went quiet (docs/migration.md#import). */
export function resumeImports(env: AppBindings, now = Date.now()): Promise<number> {
  return inSlices(env, "resume imports", 10, async (db) => {
    const ids = await staleImports(db, now);
    if (ids.length > 0) await env.IMPORTS.sendBatch(ids.map((jobId) => ({ body: { jobId } })));
    return { count: ids.length, done: ids.length < 100 };
  });
}

/** Removes the staged rows of finished imports, and uploads that never queued. */
export function purgeImports(env: AppBindings, now = Date.now()): Promise<number> {
  return inSlices(env, "purge import rows", PURGE_ROUNDS, async (db) => {
    const n = await purgeImportRows(db, now, 5 * PURGE_BATCH);
    return { count: n, done: n < 5 * PURGE_BATCH };
  });
}

/**
 * A job in slices: `step` runs until it says it is done or `rounds` are over; the counts it
 * returns are summed and logged in one line.
 */
async function inSlices(env: AppBindings, job: string, rounds: number, step: (db: Db) => Promise<{ count: number; done: boolean }>): Promise<number> {
  const { db } = openDb(env.DB, { write: true });
  let count = 0;
  for (let round = 0; round < rounds; round++) {
    const r = await step(db);
    count += r.count;
    if (r.done) break;
  }
  if (env.REQUEST_LOG !== "off") console.log(JSON.stringify({ level: "info", msg: "cron", job, count }));
  return count;
}

/** Sends the webhook events a crash left unqueued (older than a request's own flush would take), up to 1,000 a run. */
export function sweepEvents(env: AppBindings, now = Date.now()): Promise<number> {
  return inSlices(env, "sweep webhook events", 10, async (db) => {
    const seconds = Number(env.WEBHOOK_SWEEP_AFTER_SECONDS ?? NaN);
    const after = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : SWEEP_AFTER_MS;
    const n = await flushEvents(db, env.EVENTS, { olderThan: now - after });
    return { count: n.sent, done: n.seen === 0 };
  });
}

export function purgeKeys(env: AppBindings, now = Date.now()): Promise<number> {
  return inSlices(env, "purge idempotency keys", PURGE_ROUNDS, async (db) => {
    const n = await purgeExpiredKeys(db, now, PURGE_BATCH);
    return { count: n, done: n < PURGE_BATCH };
  });
}
