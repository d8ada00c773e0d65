/**
 * The Cron Trigger (wrangler.toml `[triggers]`): purges the Idempotency-Key records whose 24 hours
 * are over (docs/concurrency.md#idempotency-keys). An expired record is never replayed whether or
 * not it is purged yet; the purge keeps the table small. Logs one line with the count.
 */
import { purgeExpiredKeys } from "./core/idempotency";
import { openDb } from "./db/client";
import type { AppBindings } from "./http/types";

/** Expired records deleted per statement, and statements per run (a run stays well inside a Cron's limits). */
const PURGE_BATCH = 1000;
const PURGE_ROUNDS = 50;

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
