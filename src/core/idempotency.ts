/**
 * Idempotency keys in the store (docs/concurrency.md#idempotency-keys): how a create keeps its
 * response for a retry, in the same batch as the create itself, and how a retry finds it.
 *
 * A create that carries a key gets a `Receipt` from the transport (src/http/idempotency.ts). The
 * verb hands it what it is about to create (the planned row, known before its batch) and the id of
 * the audit event its batch writes; the receipt renders the response from that, and returns two
 * statements for the verb's batch:
 *  - `front`, first in the batch: fails the whole batch (nothing written) when a live record of
 *    the key exists — D1 runs one batch at a time, so a check and a write in one batch are atomic;
 *  - `back`, last: drops an expired record of the key and writes the new one, only if the audit
 *    event exists — that is, only if the create happened. A refused create (any 4xx) stores nothing.
 * The retry's batch then fails on `front`, and the transport reads the record and replays it.
 */
import { and, eq, gt, lte, sql } from "drizzle-orm";
import { auditEvents, idempotencyKeys } from "../db/schema";
import type { Db } from "../db/client";

type BatchItem = import("drizzle-orm/batch").BatchItem<"sqlite">;

/** How long a key's response is replayed. */
export const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** The text in the error of a batch refused because its key is taken (see abortWhenTaken). */
export const KEY_TAKEN_MARKER = "idempotency_key_taken";

/** A key as the store scopes it: (tenant, principal, key). */
export interface KeyScope {
  /** The principal's tenant id, or '' for the platform. */
  tenantScope: string;
  principal: string;
  key: string;
}

/** What a retry finds: the request's fingerprint and the sealed response. */
export interface KeyRecord {
  fingerprint: string;
  sealed: string;
}

const matches = (s: KeyScope) => and(eq(idempotencyKeys.tenantScope, s.tenantScope), eq(idempotencyKeys.principal, s.principal), eq(idempotencyKeys.key, s.key));

/**
 * Fails the batch it rides in when a live record of the key exists. SQLite has no RAISE outside
 * triggers: a JSON path without its `$` is an error whose text names it (as the revocation check,
 * src/db/client.ts), evaluated only for a row that exists.
 */
export function abortWhenTaken(db: Db, scope: KeyScope, now: number): BatchItem {
  return db
    .select({ taken: sql`json_extract('{}', ${KEY_TAKEN_MARKER})` })
    .from(idempotencyKeys)
    .where(and(matches(scope), gt(idempotencyKeys.expiresAt, now)));
}

/** The record of a key, written only if the audit event `eventId` exists (the create happened); an expired record of the key goes first. */
export function recordKey(db: Db, scope: KeyScope, record: KeyRecord, eventId: string, now: number): BatchItem[] {
  const happened = sql`exists (select 1 from ${auditEvents} where ${auditEvents.id} = ${eventId})`;
  return [
    db.delete(idempotencyKeys).where(and(matches(scope), lte(idempotencyKeys.expiresAt, now))),
    db
      .insert(idempotencyKeys)
      .select(
        sql`select ${scope.tenantScope}, ${scope.principal}, ${scope.key}, ${record.fingerprint}, ${record.sealed}, ${now}, ${now + KEY_LIFETIME_MS} where ${happened}`,
      ),
  ];
}

/** The live record of a key, if any (a retry's second round trip). */
export async function readKey(db: Db, scope: KeyScope, now: number): Promise<KeyRecord | undefined> {
  const [row] = await db
    .select({ fingerprint: idempotencyKeys.fingerprint, sealed: idempotencyKeys.sealed })
    .from(idempotencyKeys)
    .where(and(matches(scope), gt(idempotencyKeys.expiresAt, now)));
  return row;
}

/** Deletes up to `limit` expired records (the Cron Trigger, src/index.ts); returns how many. */
export async function purgeExpiredKeys(db: Db, now: number, limit: number): Promise<number> {
  const expired = db.select({ rowid: sql`rowid` }).from(idempotencyKeys).where(lte(idempotencyKeys.expiresAt, now)).limit(limit);
  const result = await db.delete(idempotencyKeys).where(sql`rowid in ${expired}`).run();
  return result.meta.changes ?? 0;
}

/**
 * What a create verb gives a key's receipt: the planned result — exactly what it will return if
 * its batch runs — and the id of the audit event its batch writes. The receipt answers with the
 * statements for the front and the back of that batch.
 */
export interface Receipt<P> {
  seal(planned: P, eventId: string): Promise<{ front: BatchItem; back: BatchItem[] }>;
}

/** A receipt for a verb that plans a different value (e.g. the account and its one-time secret). */
export function mapReceipt<P, Q>(receipt: Receipt<Q> | undefined, f: (planned: P) => Q): Receipt<P> | undefined {
  return receipt === undefined ? undefined : { seal: (planned, eventId) => receipt.seal(f(planned), eventId) };
}

/**
 * A verb's batch with a receipt's statements around it, and how to find the verb's own results in
 * what the batch returns. Without a receipt, the batch as it was.
 */
export async function sealed<P>(receipt: Receipt<P> | undefined, planned: () => P, eventId: string, statements: BatchItem[]) {
  if (receipt === undefined) return { statements, own: <R>(results: R[]) => results };
  const { front, back } = await receipt.seal(planned(), eventId);
  return { statements: [front, ...statements, ...back], own: <R>(results: R[]) => results.slice(1, 1 + statements.length) };
}
