/**
 * The imports Queue's consumer (docs/migration.md#import): a message names a job; its chunks are
 * written one after another (src/core/imports/process.ts) for up to SLICE_MS, then the job is handed
 * on in a fresh message — a file of any size fits a consumer's limits, and a crash resumes at the
 * first row not written. After repeated failures the message lands in the dead-letter queue, whose
 * consumer ends the job as failed (rows already written stay written).
 */
import { authConfig } from "../auth/config";
import { CLOCK_LEEWAY_SECONDS } from "../auth/tokens";
import { failJob, processChunk, type ChunkOutcome } from "../core/imports/process";
import { flushEvents } from "../core/webhooks/outbox";
import { openDb, type Db } from "../db/client";
import { errorKind } from "../http/errors";
import type { AppBindings } from "../http/types";

export const IMPORTS_QUEUE = "customer-users-imports";
export const IMPORTS_DEAD_LETTER_QUEUE = "customer-users-imports-dlq";

export interface ImportMessage {
  jobId: string;
}

/** How long one message works on a job before handing it on. */
const SLICE_MS = 20_000;

/** Hands the webhook events of a job's chunk to the webhook Queue (a tenant without subscriptions has none waiting). */
async function flushJobEvents(db: Db, queue: Queue, jobId: string): Promise<void> {
  for (let round = 0; round < 50; round++) {
    const { seen } = await flushEvents(db, queue, { correlationId: jobId }, 100);
    if (seen < 100) return;
  }
}

/** Writes a job's chunks for up to `sliceMs`: "done", or "more" when time ran out first. */
export async function runImport(env: AppBindings, jobId: string, sliceMs = SLICE_MS, fault?: Parameters<typeof processChunk>[0]["fault"]): Promise<ChunkOutcome> {
  const { db } = openDb(env.DB, { write: true });
  const cfg = authConfig(env);
  const deps = { db, pepper: cfg.pepper, tokenLifetimeSeconds: cfg.ttlSeconds + CLOCK_LEEWAY_SECONDS + 1, fault };
  const t0 = Date.now();
  for (;;) {
    const outcome = await processChunk(deps, jobId);
    await flushJobEvents(db, env.EVENTS, jobId);
    if (outcome === "done") return "done";
    if (Date.now() - t0 >= sliceMs) return "more";
  }
}

export async function consumeImports(batch: MessageBatch<ImportMessage>, env: AppBindings): Promise<void> {
  if (batch.queue === IMPORTS_DEAD_LETTER_QUEUE) {
    const { db } = openDb(env.DB, { write: true });
    for (const m of batch.messages) {
      await failJob(db, m.body.jobId, "The import stopped after repeated failures; the rows not yet written were not. Import the rest again (mode=upsert skips what is there).");
    }
    batch.ackAll();
    return;
  }
  for (const m of batch.messages) {
    try {
      if ((await runImport(env, m.body.jobId)) === "more") await env.IMPORTS.send({ jobId: m.body.jobId });
      m.ack();
    } catch (err) {
      console.log(JSON.stringify({ level: "error", msg: "import chunk", errorKind: errorKind(err) }));
      m.retry({ delaySeconds: 5 });
    }
  }
}
