import { sql, type SQL } from "drizzle-orm";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";

export type Db = DrizzleD1Database;

/** Counts D1 round trips of one request: every statement execution and every batch is one. */
export interface RoundTrips {
  count: number;
  /** Milliseconds spent waiting on D1 (in Workers the clock advances only across I/O). */
  ms: number;
}

function timed<T>(trips: RoundTrips, p: Promise<T>): Promise<T> {
  trips.count++;
  const t0 = performance.now();
  return p.finally(() => {
    trips.ms += performance.now() - t0;
  });
}

/**
 * The revocation check of a request's bearer token (docs/decisions/0007-privilege-ceiling.md): a
 * statement that fails — aborting the batch it rides in, writes included — when the token's subject
 * was revoked after the token was issued, is a disabled account, or is a user that is inactive or
 * deleted. Subjects the directory does not hold (operator-signed or external tokens) pass.
 * SQLite has no RAISE outside triggers; a JSON path without its `$` is an error whose text names it.
 */
export const REVOKED_MARKER = "token_revoked";
const revocationCheck = (subject: string, issuedAt: string) => `select case when
  exists (select 1 from token_revocations where subject = ${subject} and not_before > ${issuedAt})
  or exists (select 1 from accounts where id = ${subject} and disabled = 1)
  or exists (select 1 from users where id = ${subject} and (deleted_at is not null or status <> 'ACTIVE'))
then json_extract('{}', '${REVOKED_MARKER}') else 0 end as revoked`;
const REVOCATION_CHECK = revocationCheck("?1", "?2");

/** The same check for a batch of the principal's own (an import's chunks, long after its request): it fails the batch it rides in. */
export function revocationCheckSql(subject: string, issuedAtMs: number): SQL {
  const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
  const parts = revocationCheck(a, b).split(new RegExp(`(${a}|${b})`));
  return sql.join(parts.map((part) => (part === a ? sql`${subject}` : part === b ? sql`${issuedAtMs}` : sql.raw(part))));
}

/** Thrown by a request's first statement when its token is revoked (the transport answers 401). */
export class TokenRevokedError extends Error {
  constructor() {
    super("The access token has been revoked.");
    this.name = "TokenRevokedError";
  }
}

/** Whether a batch failed on a statement that aborts with `marker` (the revocation check, an idempotency key's check). */
export function failedWith(err: unknown, marker: string): boolean {
  for (let cur = err, i = 0; i < 5 && cur instanceof Error; i++, cur = cur.cause) if (cur.message.includes(marker)) return true;
  return false;
}

/**
 * Per request: its D1 session, the round-trip count, and the pending revocation check that rides
 * in front of the first round trip. A request whose bookmark header was refused fails on its first
 * round trip (so the verb's own claims checks still come first and the dialect words the 400).
 */
class RequestLink {
  check: D1PreparedStatement | undefined;
  refusal: Error | undefined;
  private opened: D1DatabaseSession | undefined;
  constructor(
    private readonly start: () => D1DatabaseSession,
    readonly trips: RoundTrips,
  ) {}

  /** The request's session, opened on first use (a request that never reads opens none). */
  get d1(): D1DatabaseSession {
    return (this.opened ??= this.start());
  }

  bookmark(): string | null {
    return this.opened?.getBookmark() ?? null;
  }

  /** Runs `statements` as one round trip, with the revocation check first if it is still pending. */
  async batch(statements: D1PreparedStatement[]): Promise<D1Result[]> {
    if (this.refusal) throw this.refusal;
    const check = this.check;
    this.check = undefined;
    if (check === undefined) return timed(this.trips, this.d1.batch(statements));
    try {
      return (await timed(this.trips, this.d1.batch([check, ...statements]))).slice(1);
    } catch (err) {
      throw failedWith(err, REVOKED_MARKER) ? new TokenRevokedError() : err;
    }
  }
}

/** `raw()` rows from a batch result (objects, in column order), as drizzle reads them from a batch. */
function rawRows<T>(result: D1Result, columnNames: boolean | undefined): T[] {
  const rows = (result.results as Record<string, unknown>[]).map((r) => Object.values(r));
  if (columnNames) return [Object.keys(result.results[0] ?? {}), ...rows] as T[];
  return rows as T[];
}

class CountingStatement {
  constructor(
    readonly inner: D1PreparedStatement,
    private readonly link: RequestLink,
  ) {}
  bind(...values: unknown[]): CountingStatement {
    return new CountingStatement(this.inner.bind(...values), this.link);
  }
  /** A single statement rides in a batch only while the revocation check is pending. */
  private async alone<T>(direct: () => Promise<T>, fromBatch: (r: D1Result) => T): Promise<T> {
    if (this.link.refusal) throw this.link.refusal;
    if (this.link.check === undefined) return timed(this.link.trips, direct());
    const [result] = await this.link.batch([this.inner]);
    return fromBatch(result as D1Result);
  }
  first<T>(column?: string): Promise<T | null> {
    return this.alone(
      () => (column === undefined ? this.inner.first<T>() : this.inner.first<T>(column)),
      (r) => {
        const row = (r.results[0] ?? null) as Record<string, unknown> | null;
        return (row === null ? null : column === undefined ? row : row[column]) as T | null;
      },
    );
  }
  run<T>(): Promise<D1Result<T>> {
    return this.alone(() => this.inner.run<T>(), (r) => r as D1Result<T>);
  }
  all<T>(): Promise<D1Result<T>> {
    return this.alone(() => this.inner.all<T>(), (r) => r as D1Result<T>);
  }
  raw<T>(options?: { columnNames?: boolean }): Promise<T[]> {
    // D1's overloads differ only in the tuple shape returned.
    return this.alone(
      () => (this.inner.raw as (o?: { columnNames?: boolean }) => Promise<T[]>).call(this.inner, options),
      (r) => rawRows<T>(r, options?.columnNames),
    );
  }
}

/**
 * A D1Database that counts round trips, for `Server-Timing: db;desc="N"` and for the tests and
 * benchmarks that hold each route to its budget, and that sends the revocation check with the
 * request's first round trip (so it costs none of its own). It forwards everything else untouched.
 */
function countingD1(link: RequestLink): D1Database {
  const wrapper = {
    prepare: (query: string) => new CountingStatement(link.d1.prepare(query), link),
    batch: (statements: unknown[]) => link.batch(statements.map((s) => (s instanceof CountingStatement ? s.inner : (s as D1PreparedStatement)))),
  };
  return wrapper as unknown as D1Database;
}

export interface RequestDb {
  db: Db;
  trips: RoundTrips;
  /**
   * Arms the revocation check of a verified token (subject, issue time in epoch ms): it rides the
   * request's first round trip. Call before the request's first query.
   */
  checkRevocation(subject: string, issuedAtMs: number): void;
  /** The latest bookmark of the request's session (null before its first round trip without one given). */
  bookmark(): string | null;
}

/**
 * A D1 bookmark as D1 issues them (and as `X-D1-Bookmark` carries them): four hex groups, the
 * last a 32-digit hash — e.g. `00000085-0000024c-00004c6d-8e61117bf38d7adb71b934ebbf891683`.
 * Anything else is refused before it reaches D1 (docs/scaling.md#bookmarks).
 */
export const BOOKMARK_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

export interface SessionStart {
  /** A bookmark the client sent back: the session reads at least this fresh. */
  bookmark?: string | undefined;
  /** Whether the request may write: its session then starts at the primary. */
  write: boolean;
  /** Thrown by the request's first round trip instead of running it (a refused bookmark). */
  refusal?: Error | undefined;
}

/**
 * One D1 session per request (docs/scaling.md): a read starts unconstrained — the nearest replica
 * may answer — a write starts at the primary, and a bookmark the client sends makes every read of
 * the session at least that fresh. One drizzle handle over it (cheap: no schema, so no relational
 * config is built).
 */
export function openDb(d1: D1Database, start: SessionStart = { write: true }): RequestDb {
  const trips: RoundTrips = { count: 0, ms: 0 };
  const constraint = start.refusal === undefined && start.bookmark !== undefined ? start.bookmark : start.write ? "first-primary" : "first-unconstrained";
  const link = new RequestLink(() => d1.withSession(constraint), trips);
  link.refusal = start.refusal;
  return {
    db: drizzle(countingD1(link)),
    trips,
    checkRevocation: (subject, issuedAtMs) => {
      link.check = link.d1.prepare(REVOCATION_CHECK).bind(subject, issuedAtMs);
    },
    bookmark: () => link.bookmark(),
  };
}
