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
 *  - `back`, last: writes the key's record (replacing an expired one), only if the audit event
 *    exists — that is, only if the create happened. A refused create (any 4xx) stores nothing.
 * The retry's batch then fails on `front`, and the transport reads the record and replays it.
 */
import { and, eq, gt, lte, sql, type Placeholder } from "drizzle-orm";
import type { Db } from "../db/client";
import { auditEvents, idempotencyKeys } from "../db/schema";
import { Shape } from "../db/shapes";

type BatchItem = import("drizzle-orm/batch").BatchItem<"sqlite">;

/** How long a key's response is replayed. */
export const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** The text in the error of a batch refused because its key is taken (see abortWhenTaken). */
export const KEY_TAKEN_MARKER = "idempotency_key_taken";

/** A key as the store scopes it: (tenant, principal, key). */
export type KeyScope = {
  /** The principal's tenant id, or '' for the platform. */
  tenantScope: string;
  principal: string;
  key: string;
};

/** What a retry finds: the request's fingerprint and the sealed response. */
export type KeyRecord = {
  fingerprint: string;
  sealed: string;
};

// The statements are rendered once per isolate (src/db/shapes.ts): a key costs a create no
// statement building, only its values.
type ScopeValues = KeyScope & { now: number };
const matches = (p: (name: keyof ScopeValues) => Placeholder) =>
  and(eq(idempotencyKeys.tenantScope, p("tenantScope")), eq(idempotencyKeys.principal, p("principal")), eq(idempotencyKeys.key, p("key")));

/**
 * Fails the batch it rides in when a live record of the key exists. SQLite has no RAISE outside
 * triggers: a JSON path without its `$` is an error whose text names it (as the revocation check,
 * src/db/client.ts), evaluated only for a row that exists.
 */
const takenCheck = new Shape<ScopeValues>((db, p) =>
  db
    .select({ taken: sql`json_extract('{}', ${KEY_TAKEN_MARKER})` })
    .from(idempotencyKeys)
    .where(and(matches(p), gt(idempotencyKeys.expiresAt, p("now")))),
);

/**
 * The record, only if the create's audit event exists. A record of the key that is still there can
 * only be an expired one (the batch's check failed it otherwise): it is replaced in place.
 */
type RecordValues = ScopeValues & KeyRecord & { eventId: string; expiresAt: number };
const recordInsert = new Shape<RecordValues>((db, p) =>
  db
    .insert(idempotencyKeys)
    .select(
      sql`select ${p("tenantScope")}, ${p("principal")}, ${p("key")}, ${p("fingerprint")}, ${p("sealed")}, ${p("now")}, ${p("expiresAt")} where exists (select 1 from ${auditEvents} where ${auditEvents.id} = ${p("eventId")})`,
    )
    .onConflictDoUpdate({
      target: [idempotencyKeys.tenantScope, idempotencyKeys.principal, idempotencyKeys.key],
      set: { fingerprint: sql`excluded.fingerprint`, sealed: sql`excluded.sealed`, createdAt: sql`excluded.created_at`, expiresAt: sql`excluded.expires_at` },
    }),
);

const KEY_RECORD = { fingerprint: idempotencyKeys.fingerprint, sealed: idempotencyKeys.sealed };
const recordRead = new Shape<ScopeValues, KeyRecord>(
  (db, p) => db.select(KEY_RECORD).from(idempotencyKeys).where(and(matches(p), gt(idempotencyKeys.expiresAt, p("now")))),
  KEY_RECORD,
);

const scoped = (s: KeyScope, now: number): ScopeValues => ({ tenantScope: s.tenantScope, principal: s.principal, key: s.key, now });

/** Fails the batch it rides in when a live record of the key exists (put it first). */
export function abortWhenTaken(db: Db, scope: KeyScope, now: number): BatchItem {
  return takenCheck.bind(db, scoped(scope, now));
}

/** The record of a key, written only if the audit event `eventId` exists (the create happened), replacing an expired one. */
export function recordKey(db: Db, scope: KeyScope, record: KeyRecord, eventId: string, now: number): BatchItem[] {
  return [recordInsert.bind(db, { ...scoped(scope, now), ...record, eventId, expiresAt: now + KEY_LIFETIME_MS })];
}

/** The live record of a key, if any (a retry's second round trip). */
export async function readKey(db: Db, scope: KeyScope, now: number): Promise<KeyRecord | undefined> {
  const [row] = await recordRead.bind(db, scoped(scope, now)).all();
  return row;
}

/** Deletes up to `limit` expired records (the Cron Trigger, src/cron.ts); returns how many. */
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
