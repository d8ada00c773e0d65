import { env } from "cloudflare:workers";

/** One statement as it went to D1. */
export interface Recorded {
  sql: string;
  params: unknown[];
}

/** A D1Database that records every bound statement and forwards it to the test's real one. */
export function recordingD1(out: Recorded[]): D1Database {
  const wrap = (st: D1PreparedStatement, sql: string): unknown => ({
    inner: st,
    bind: (...params: unknown[]) => {
      out.push({ sql, params });
      return wrap(st.bind(...params), sql);
    },
    all: () => st.all(),
    raw: (o?: { columnNames?: boolean }) => (st.raw as (o?: { columnNames?: boolean }) => Promise<unknown[]>).call(st, o),
    run: () => st.run(),
    first: (c?: string) => (c === undefined ? st.first() : st.first(c)),
  });
  const session = {
    prepare: (sql: string) => wrap(env.DB.prepare(sql), sql),
    batch: (stmts: { inner: D1PreparedStatement }[]) => env.DB.batch(stmts.map((s) => s.inner)),
    getBookmark: () => null,
  };
  // The app opens one session per request (src/db/client.ts); here every session is this recorder.
  return { ...session, exec: (sql: string) => env.DB.exec(sql), withSession: () => session } as unknown as D1Database;
}

/** EXPLAIN QUERY PLAN of a recorded statement, one detail line per step. */
export async function plan(r: Recorded): Promise<string[]> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${r.sql}`)
    .bind(...r.params)
    .all<{ detail: string }>();
  return results.map((x) => x.detail);
}
