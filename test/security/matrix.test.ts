/**
 * The authorization matrix (issue 6, docs/api/auth.md#reach), generated from matrix.data.ts: every documented
 * operation × 8 principals × 4 targets, each cell's status and its surface's body asserted. Also:
 * /doc has no operation the matrix lacks (and the matrix none /doc lacks), rows of one operation in
 * different dialects agree except where the data says why not, Corti's operations addressed by ids
 * answer every cell as by keys, and a target out of reach answers exactly like a missing one (no
 * existence oracle). Cases beyond the eight principals: matrix.edges.test.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { SURFACES, surfaceOf } from "../../src/surfaces";
import { call, type Reply } from "../harness";
import { CORTI_BY_IDS, expected, MATRIX, MATRIX_CELLS, PRINCIPALS, TARGETS, type CellKey, type Principal, type Row, type Target } from "./matrix.data";
import { bodyOptions, expectSurfaceError, expectSurfaceSuccess, fill } from "./matrix.surfaces";
import { matrixWorld, type MatrixWorld } from "./matrix.world";

let world: MatrixWorld;
beforeAll(async () => {
  world = await matrixWorld();
}, 60_000);

interface Cell {
  row: Row;
  principal: Principal;
  target: Target;
}
interface Outcome extends Cell {
  reply: Reply;
  failure?: string;
}

const cells: Cell[] = MATRIX.flatMap((row) => PRINCIPALS.flatMap((principal) => TARGETS.map((target) => ({ row, principal, target }))));

async function runCell({ row, principal, target }: Cell, seq: number): Promise<Outcome> {
  const uniq = `m${seq}-${crypto.randomUUID().slice(0, 8)}`;
  const v = { ...world.values[target] };
  if (row.fresh && target !== "none") Object.assign(v, await world.fresh(row.fresh, target));
  const method = row.route.split(" ")[0] as string;
  const headers: Record<string, string> = {};
  for (const [k, h] of Object.entries(row.headers ?? {})) headers[k] = fill(h, v);
  const auth = world.auth[principal];
  if (auth !== undefined) headers.authorization = auth;
  // Every create runs with an Idempotency-Key (docs/concurrency.md), and is sent again below.
  // (A token, a delivery's retry and a secret's rotation are POSTs that create nothing.)
  const creates = method === "POST" && !/\/(token|retry|rotate-secret)$/.test(row.route);
  if (creates) headers["Idempotency-Key"] = `matrix-${uniq}`;
  const status = expected(row, principal, target);
  // Every user write runs conditional (docs/concurrency.md): `*` where it is allowed; a stale tag
  // where it is refused — which must not change the refusal (no 412 or 428 for a user out of reach).
  if ((method === "PATCH" || method === "DELETE") && /\/users\/\{/i.test(row.path)) headers["If-Match"] = status === row.ok ? "*" : '"00000000-0000-4000-8000-000000000000.1"';
  const body = row.body?.(v, uniq);
  const send = () => call(method, fill(row.path, v), bodyOptions(row, body, headers));
  const reply = await send();
  try {
    if (reply.status !== status) throw new Error(`expected ${status}, got ${reply.status}: ${reply.text.slice(0, 300)}`);
    if (status === row.ok) expectSurfaceSuccess(row, reply, v, body);
    else expectSurfaceError(row.surface, reply, status, row.notFound);
    if (creates) {
      // The retry: an allowed create answers its kept response again; a refusal kept nothing and is refused again.
      const again = await send();
      expect(again.status, "the retry's status").toBe(status);
      expect(again.headers.get("idempotent-replayed"), "the retry replays").toBe(status === row.ok ? "true" : null);
      if (status === row.ok) expect(again.text).toBe(reply.text);
      else expectSurfaceError(row.surface, again, status, row.notFound);
    }
    // Every answer of every cell, error or not.
    expect(reply.headers.get("cache-control")).toBe("no-store");
    expect(reply.headers.get("x-correlation-id")).toBeTruthy();
    if (row.fresh && target !== "none") {
      // A refused delete removed nothing; an allowed one removed the item.
      expect(await world.exists(row.fresh, target, v), "the item exists after the request").toBe(status !== row.ok);
    }
    return { row, principal, target, reply };
  } catch (e) {
    return { row, principal, target, reply, failure: (e as Error).message.split("\n").slice(0, 6).join(" ") };
  }
}

/** Runs each cell once, at most 16 at a time. */
async function runCells(list: Cell[]): Promise<Outcome[]> {
  const out: Outcome[] = new Array(list.length);
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const i = next++;
      out[i] = await runCell(list[i] as Cell, i);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return out;
}

/** Every cell of the matrix, run once for the tests below to read. */
let outcomes: Promise<Outcome[]> | undefined;
function runAll(): Promise<Outcome[]> {
  outcomes ??= runCells(cells);
  return outcomes;
}

const label = (o: Cell) => `${o.row.route} · ${o.principal} → ${o.target}`;

describe("authorization matrix", () => {
  it("/doc documents exactly the operations the matrix covers", async () => {
    const doc = await call("GET", "/doc", { expect: 200 });
    const documented = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const covered = MATRIX.map((r) => r.route);
    expect(new Set(covered).size, "one row per operation").toBe(covered.length);
    expect({ notInMatrix: documented.filter((d) => !covered.includes(d)), notInDoc: covered.filter((c) => !documented.includes(c)) }).toEqual({
      notInMatrix: [],
      notInDoc: [],
    });
    expect(MATRIX_CELLS).toBe(documented.length * PRINCIPALS.length * TARGETS.length);
  });

  it("covers every surface of the registry (src/surfaces.ts); each row's path belongs to the surface whose body it asserts", () => {
    const registryName = (r: Row) => (r.surface === "oauth" ? "token" : r.surface === "cortiLogin" ? "corti" : r.surface);
    for (const r of MATRIX) expect(surfaceOf(r.path.split("?")[0] as string).name, r.route).toBe(registryName(r));
    expect([...new Set(MATRIX.map(registryName))].sort()).toEqual(SURFACES.map((s) => s.name).sort());
  });

  it("rows of one operation agree across dialects, except the cells whose difference is declared with its reason", () => {
    const problems: string[] = [];
    const ops = new Map<string, Row[]>();
    for (const r of MATRIX) if (r.op) ops.set(r.op, [...(ops.get(r.op) ?? []), r]);
    expect([...ops.keys()].sort()).toEqual(["customers.create", "customers.list", "customers.update", "users.create", "users.delete", "users.list", "users.update"]);
    for (const [op, [ref, ...others]] of ops) {
      expect(others.length, `${op} is reached through more than one surface`).toBeGreaterThan(0);
      for (const row of others) {
        for (const p of PRINCIPALS) {
          for (const t of TARGETS) {
            const key: CellKey = `${p} ${t}`;
            // Success statuses differ by vendor (200/201/204); compare decisions: allowed or the error status.
            const mine = expected(row, p, t) === row.ok ? "allowed" : expected(row, p, t);
            const theirs = expected(ref!, p, t) === ref!.ok ? "allowed" : expected(ref!, p, t);
            const declared = row.differs?.[key];
            if (mine !== theirs && !declared) problems.push(`${op}: ${row.route} ${key} is ${mine}, ${ref!.route} ${theirs}, and no reason is given`);
            if (mine === theirs && declared) problems.push(`${op}: ${row.route} ${key} is declared different but agrees (${mine})`);
            if (declared !== undefined && declared.length < 40) problems.push(`${op}: ${row.route} ${key}: the reason is too short to be one`);
          }
        }
      }
    }
    for (const r of MATRIX) if (r.differs && !r.op) problems.push(`${r.route} declares differences but belongs to no op`);
    expect(problems).toEqual([]);
  });

  it(`every cell answers its expected status in its surface's body (${MATRIX_CELLS} cells)`, async () => {
    const results = await runAll();
    expect(results).toHaveLength(MATRIX_CELLS);
    const failures = results.filter((o) => o.failure).map((o) => `${label(o)}: ${o.failure}`);
    expect(failures).toEqual([]);
  }, 120_000);

  const byIds: Cell[] = CORTI_BY_IDS.flatMap((row) => PRINCIPALS.flatMap((principal) => TARGETS.map((target) => ({ row, principal, target }))));
  it(`Corti's operations addressed by ids answer every cell as by keys (${byIds.length} cells)`, async () => {
    const failures = (await runCells(byIds)).filter((o) => o.failure).map((o) => `${label(o)}: ${o.failure}`);
    expect(failures).toEqual([]);
  }, 120_000);

  it("a target out of reach answers byte for byte like a missing one (no existence oracle)", async () => {
    const results = await runAll();
    const problems: string[] = [];
    let compared = 0;
    const strip = (o: Outcome) => {
      const cid = o.reply.headers.get("x-correlation-id") ?? "";
      return JSON.stringify({ type: o.reply.headers.get("content-type"), body: cid ? o.reply.text.split(cid).join("<cid>") : o.reply.text });
    };
    for (const row of MATRIX) {
      for (const p of PRINCIPALS) {
        const of = (t: Target) => results.find((o) => o.row === row && o.principal === p && o.target === t) as Outcome;
        const missing = of("none");
        for (const t of ["own", "B", "C"] as const) {
          const o = of(t);
          if (o.reply.status !== 404 || missing.reply.status !== 404) continue;
          compared++;
          if (strip(o) !== strip(missing)) problems.push(`${label(o)}: ${o.reply.text} ≠ missing: ${missing.reply.text}`);
        }
      }
    }
    expect(problems).toEqual([]);
    // As many comparisons as the data has cells of an existing target out of reach (not vacuous).
    const outOfReach = MATRIX.flatMap((row) => PRINCIPALS.flatMap((p) => (["own", "B", "C"] as const).filter((t) => expected(row, p, t) === 404 && expected(row, p, "none") === 404)));
    expect(compared).toBe(outOfReach.length);
    expect(compared).toBeGreaterThan(50);
  }, 120_000);
});
