/**
 * The Cron Trigger's part of imports (src/cron.ts): jobs whose consumer went quiet are handed to the
 * Queue again (a message lost with a crashed process; the chunk lease makes a duplicate harmless),
 * and staged rows are removed once their job is over — and with them uploads that never queued.
 */
import { and, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { importJobs, importRows } from "../../db/schema";

/** A queued or running job with no chunk written for this long is resumed. */
export const STALE_AFTER_MS = 5 * 60_000;
/** An upload not queued after this long was cut off: it is removed. */
const ABANDONED_AFTER_MS = 60 * 60_000;

/** Marks the stale jobs as seen now and returns their ids (at most `limit`), to be queued again. */
export async function staleImports(db: Db, now: number, limit = 100): Promise<string[]> {
  const rows = await db
    .update(importJobs)
    .set({ heartbeatAt: now })
    .where(
      sql`${importJobs.id} in (select ${importJobs.id} from ${importJobs} where ${importJobs.status} in ('queued', 'running') and ${importJobs.heartbeatAt} < ${now - STALE_AFTER_MS} limit ${limit})`,
    )
    .returning({ id: importJobs.id });
  return rows.map((r) => r.id);
}

/** Deletes up to `limit` staged rows of finished jobs and of abandoned uploads (then those uploads); returns how many rows. */
export async function purgeImportRows(db: Db, now: number, limit: number): Promise<number> {
  const over = sql`select ${importJobs.id} from ${importJobs} where ${importJobs.status} in ('completed', 'failed') or (${importJobs.status} = 'uploading' and ${importJobs.createdAt} < ${now - ABANDONED_AFTER_MS})`;
  const [deleted] = await db.batch([
    db.delete(importRows).where(sql`rowid in (select rowid from ${importRows} where ${importRows.jobId} in (${over}) limit ${limit})`),
    db
      .delete(importJobs)
      .where(
        and(
          inArray(importJobs.status, ["uploading"]),
          lt(importJobs.createdAt, now - ABANDONED_AFTER_MS),
          sql`not exists (select 1 from ${importRows} where ${importRows.jobId} = ${importJobs.id})`,
        ),
      ),
  ]);
  return deleted.meta.changes ?? 0;
}
