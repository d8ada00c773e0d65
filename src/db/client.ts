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

class CountingStatement {
  constructor(
    readonly inner: D1PreparedStatement,
    private readonly trips: RoundTrips,
  ) {}
  bind(...values: unknown[]): CountingStatement {
    return new CountingStatement(this.inner.bind(...values), this.trips);
  }
  first<T>(column?: string): Promise<T | null> {
    return timed(this.trips, column === undefined ? this.inner.first<T>() : this.inner.first<T>(column));
  }
  run<T>(): Promise<D1Result<T>> {
    return timed(this.trips, this.inner.run<T>());
  }
  all<T>(): Promise<D1Result<T>> {
    return timed(this.trips, this.inner.all<T>());
  }
  raw<T>(options?: { columnNames?: boolean }): Promise<T[]> {
    // D1's overloads differ only in the tuple shape returned.
    return timed(this.trips, (this.inner.raw as (o?: { columnNames?: boolean }) => Promise<T[]>).call(this.inner, options));
  }
}

/**
 * A D1Database that counts round trips, for `Server-Timing: db;desc="N"` and for the tests and
 * benchmarks that hold each route to its budget. It forwards everything else untouched.
 */
function countingD1(db: D1Database, trips: RoundTrips): D1Database {
  const wrapper = {
    prepare: (query: string) => new CountingStatement(db.prepare(query), trips),
    batch: (statements: unknown[]) =>
      timed(trips, db.batch(statements.map((s) => (s instanceof CountingStatement ? s.inner : (s as D1PreparedStatement))))),
    exec: (query: string) => timed(trips, db.exec(query)),
    withSession: (...args: Parameters<D1Database["withSession"]>) => db.withSession(...args),
    dump: () => db.dump(),
  };
  return wrapper as unknown as D1Database;
}

/** One drizzle handle per request (cheap: no schema, so no relational config is built). */
export function openDb(d1: D1Database): { db: Db; trips: RoundTrips } {
  const trips: RoundTrips = { count: 0, ms: 0 };
  return { db: drizzle(countingD1(d1, trips)), trips };
}
