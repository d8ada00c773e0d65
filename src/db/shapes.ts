/**
 * Statements rendered once per isolate (docs/decisions/0008-edge-data-path.md): drizzle stays the
 * schema and the way a query is written, but the user verbs' statements are rendered to SQL once,
 * with placeholders, and only bound per request — a `Shape` for a fixed statement, a `ShapeFamily`
 * for a batch whose form varies (rendered once per form) — and rows are decoded by a decoder made
 * once per selection instead of drizzle's per-row, per-field entity checks; list pages travel as a
 * few JSON texts (`packedQuery`).
 *
 * All of it produces ordinary drizzle prepared queries over the request's own handle, so they batch
 * with any other statement, round trips stay counted (src/db/client.ts) and the revocation check
 * still rides the first one.
 */
import { Column, fillPlaceholders, is, SQL, sql, type Placeholder } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { Db } from "./client";

type Row = Record<string, unknown>;
type Decode = (rows: unknown[][]) => Row[];
type Mapper = { mapFromDriverValue(v: unknown): unknown } | undefined;

/** Renders SQL only: never executes (its client is never called). */
const renderer = drizzle({} as D1Database);

/** A flat selection (`{key: column | sql}`), as every selection of this codebase is. */
type Selection = Record<string, unknown>;

/** The selection of a built select (its fields) or write (its `returning`), if it returns rows. */
function selectionOf(q: unknown): Selection | undefined {
  const config = (q as { config?: { fields?: Selection; returning?: { path: string[]; field: unknown }[] } }).config;
  if (config?.fields) return config.fields;
  if (config?.returning) return Object.fromEntries(config.returning.map((f) => [f.path.join("."), f.field]));
  return undefined;
}

const decoders = new WeakMap<Selection, Decode>();

/** Rows (D1's arrays, in selection order) → objects, with each column's own driver mapping. */
function decoderOf(selection: Selection): Decode {
  let decode = decoders.get(selection);
  if (decode) return decode;
  const keys = Object.keys(selection);
  const maps: Mapper[] = Object.values(selection).map((f) => {
    if (is(f, Column)) return f;
    // `decoder` is drizzle's own (what `.mapWith()` sets); its types keep it internal.
    if (is(f, SQL)) return (f as unknown as { decoder: Mapper }).decoder;
    if (is(f, SQL.Aliased)) return (f.sql as unknown as { decoder: Mapper }).decoder;
    throw new Error("shapes: nested selections are not supported");
  });
  const n = keys.length;
  decode = (rows) => {
    const out = new Array<Row>(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as unknown[];
      const o: Row = {};
      for (let i = 0; i < n; i++) {
        const v = row[i];
        const m = maps[i];
        o[keys[i] as string] = v === null || v === undefined || m === undefined ? (v ?? null) : m.mapFromDriverValue(v);
      }
      out[r] = o;
    }
    return out;
  };
  decoders.set(selection, decode);
  return decode;
}

interface SessionLike {
  prepareQuery(
    query: { sql: string; params: unknown[] },
    fields: unknown,
    executeMethod: "all" | "run",
    isResponseInArrayMode: boolean,
    customResultMapper?: (rows: unknown[][]) => unknown,
  ): unknown;
}
const sessionOf = (db: Db) => (db as unknown as { session: SessionLike }).session;

/** What `db.batch([...])` accepts, as the type checker sees it. */
type BatchItem = Parameters<Db["batch"]>[0][number];

/** Rows per packed text: D1 refuses strings over 2 MB; 500 rows of even the longest users stay well under it. */
const PACK = 500;

/**
 * A page of rows sent by D1 as a few JSON texts (`json_group_array(json_array(…))` of PACK rows each)
 * and parsed natively: for long lists, D1 serialises a handful of values instead of an object per
 * row, and the Worker makes no object per row before the decoder's. `page` must select `p_rn`, the
 * row's position in the page's own order (`row_number() over (order by …)`): rows are put back in
 * that order after parsing, whatever order SQLite aggregates them in.
 */
export function packedRows<T>(db: Db, page: T, selection: Selection): T {
  const { query, map } = packedQuery(db, page, selection);
  return {
    _prepare() {
      const q = (query as unknown as { _prepare(): { customResultMapper?: unknown } })._prepare();
      q.customResultMapper = map;
      return q;
    },
  } as unknown as T;
}

/** packedRows' statement and its result mapper, apart (a statement family renders the one and keeps the other). */
export function packedQuery(db: Pick<Db, "select">, page: unknown, selection: Selection) {
  const names = Object.values(selection).map((f) => {
    if (is(f, Column)) return f.name;
    if (is(f, SQL.Aliased)) return f.fieldAlias;
    throw new Error("shapes: packed selections need named columns");
  });
  const packed = sql.raw(`json_group_array(json_array(p."p_rn", ${names.map((n) => `p."${n}"`).join(", ")}))`);
  const decode = decoderOf(selection);
  const query = db
    .select({ chunk: sql<string>`${packed}`.as("chunk") })
    .from(sql`(${page}) as p`)
    .groupBy(sql.raw(`(p."p_rn" - 1) / ${PACK}`));
  const map = (chunks: unknown[][]) => {
    const rows: unknown[][] = [];
    for (const [text] of chunks) for (const r of JSON.parse(text as string) as unknown[][]) rows.push(r);
    rows.sort((a, b) => (a[0] as number) - (b[0] as number));
    return decode(rows.map((r) => r.slice(1)));
  };
  return { query, map, packed: true as const };
}

/** The column packedRows orders by: a row's position in its page's order. */
export function pagePosition(orderBy: SQL[]): SQL.Aliased<number> {
  return sql<number>`row_number() over (order by ${sql.join(orderBy, sql`, `)})`.as("p_rn");
}

type Compiled = { sql: string; params: unknown[]; map: ((rows: unknown[][]) => unknown) | undefined };

/** A prepared query of this request from a compiled statement: bound values, rows decoded. */
function prepared(db: Db, c: Compiled, values: Record<string, unknown>): BatchItem {
  const query = { sql: c.sql, params: fillPlaceholders(c.params, values) };
  const q = sessionOf(db).prepareQuery(query, c.map ? [] : undefined, c.map ? "all" : "run", true, c.map);
  return { _prepare: () => q } as never;
}

type Renderable = { toSQL(): { sql: string; params: unknown[] } };
/** What a family's `make` returns per statement: a drizzle builder, or a packed page (packedQuery). */
type FamilyItem = Renderable | { query: Renderable; map: (rows: unknown[][]) => unknown; packed: true };

function compiled(item: unknown): Compiled {
  if ((item as { packed?: boolean }).packed === true) {
    const { query, map } = item as { query: Renderable; map: (rows: unknown[][]) => unknown };
    return { ...query.toSQL(), map };
  }
  const selection = selectionOf(item);
  return { ...(item as Renderable).toSQL(), map: selection ? decoderOf(selection) : undefined };
}

/**
 * A family of batches rendered once per isolate and per key: `make(db, p, args)` writes the
 * statements with drizzle, every request-specific value through a `p(name)` placeholder, and `args`
 * deciding only the form (which branches, how many statements) — the key must say everything
 * `args` decides. `bind(db, key, args, values)` returns the request's statements, in order.
 * `build(...)` renders the same statements with the values in place, uncached: the tests compare
 * the two, so a value that slipped past `p()` (and would be frozen into the cache) fails them.
 */
export class ShapeFamily<A> {
  private readonly cache = new Map<string, Compiled[]>();
  constructor(private readonly make: (db: typeof renderer, p: (name: string) => Placeholder | unknown, args: A) => (FamilyItem | unknown)[]) {}

  private compile(key: string, args: A): Compiled[] {
    let c = this.cache.get(key);
    if (c === undefined) {
      c = this.make(renderer, (name) => sql.placeholder(name), args).map(compiled);
      this.cache.set(key, c);
    }
    return c;
  }

  bind(db: Db, key: string, args: A, values: Record<string, unknown>): BatchItem[] {
    return this.compile(key, args).map((c) => prepared(db, c, values));
  }

  /** For tests: [cached statements filled with `values`, the same statements built with the values in place]. */
  compare(key: string, args: A, values: Record<string, unknown>): [{ sql: string; params: unknown[] }[], { sql: string; params: unknown[] }[]] {
    const cached = this.compile(key, args).map((c) => ({ sql: c.sql, params: fillPlaceholders(c.params, values) }));
    const direct = this.make(renderer, (name) => values[name], args).map((q) => {
      const { sql: text, params } = compiled(q);
      return { sql: text, params };
    });
    return [cached, direct];
  }
}

/**
 * A query shape rendered once per isolate. `make` writes it with drizzle, taking its values from
 * `p(name)` placeholders; `bind(db, values)` is the prepared query of this request (await its
 * `.all()` / `.run()`, or put it in a batch: results in order, rows decoded).
 */
export class Shape<V extends Record<string, unknown>, R extends Row = Row> {
  private compiled: Compiled | undefined;
  constructor(private readonly make: (db: typeof renderer, p: (name: keyof V & string) => Placeholder) => Renderable, private readonly selection?: Selection) {}

  /** The SQL text (for plans and tests). */
  get sql(): string {
    return this.compile().sql;
  }

  private compile(): Compiled {
    if (this.compiled === undefined) {
      this.compiled = { ...this.make(renderer, (name) => sql.placeholder(name)).toSQL(), map: this.selection ? decoderOf(this.selection) : undefined };
    }
    return this.compiled;
  }

  bind(db: Db, values: V): BatchItem & { all(): Promise<R[]>; run(): Promise<unknown> } {
    const item = prepared(db, this.compile(), values) as unknown as { _prepare(): { all(): Promise<R[]>; run(): Promise<unknown> } };
    const q = item._prepare();
    return { _prepare: () => q, all: () => q.all(), run: () => q.run() } as never;
  }
}
