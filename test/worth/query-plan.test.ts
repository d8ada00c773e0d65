/**
 * The query plan of Worth's default list query (CONTRACT closing note): the statements queryUsers
 * sends for `GET /customers/{id}/users` are recorded and run again under EXPLAIN QUERY PLAN. The
 * page must walk the partial index users_customer_created_idx backwards (no scan of the users
 * table, no sort step), and the count must read an index only (users_customer_live_idx).
 */
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { beforeAll, describe, expect, it } from "vitest";
import type { Ctx } from "../../src/core/context";
import { queryUsers } from "../../src/core/users/query-users";
import { ListQuery, listQueryFromWire } from "../../src/dialects/worth/wire";
import { createWorthUser, worthWorld, type WorthWorld } from "./helpers";

let w: WorthWorld;
beforeAll(async () => {
  w = await worthWorld();
  for (let i = 0; i < 3; i++) await createWorthUser(w);
});

interface Recorded {
  sql: string;
  params: unknown[];
}

/** A D1Database that records each bound statement and forwards it. */
function recordingD1(out: Recorded[]): D1Database {
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
  return {
    prepare: (sql: string) => wrap(env.DB.prepare(sql), sql),
    batch: (stmts: { inner: D1PreparedStatement }[]) => env.DB.batch(stmts.map((s) => s.inner)),
  } as unknown as D1Database;
}

async function plan(r: Recorded): Promise<string[]> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${r.sql}`)
    .bind(...r.params)
    .all<{ detail: string }>();
  return results.map((x) => x.detail);
}

describe("the default list query", () => {
  it("uses users_customer_created_idx: no scan of users, no sort step, one batch", async () => {
    const recorded: Recorded[] = [];
    const ctx: Ctx = {
      db: drizzle(recordingD1(recorded)),
      principal: { sub: "plan", role: "tenant_admin", tenantId: w.tenant.id, customerId: null, resellerId: null, projectId: null, scopes: new Set(["users:read"]) },
      correlationId: "plan",
      now: () => Date.now(),
      newId: () => crypto.randomUUID(),
    };
    const result = await queryUsers(ctx, listQueryFromWire(w.customer.id, ListQuery.parse({}), []));
    expect(result.total).toBe(3);
    expect(recorded).toHaveLength(3); // owner, count, page — sent as one batch

    const [owner, count, page] = await Promise.all(recorded.map(plan));

    expect(page!.some((l) => /^SEARCH users USING INDEX users_customer_created_idx \(customer_id=\?\)/.test(l)), page!.join("\n")).toBe(true);
    // total_items reads the index only (users_customer_live_idx), never a table row per user.
    expect(count, count!.join("\n")).toEqual(["SEARCH users USING COVERING INDEX users_customer_live_idx (customer_id=? AND deleted_at=?)"]);
    for (const lines of [count, page] as string[][]) {
      expect(lines.filter((l) => /^SCAN users\b/.test(l) && !/USING/.test(l)), lines.join("\n")).toEqual([]);
    }
    expect(page!.some((l) => /TEMP B-TREE/.test(l)), page!.join("\n")).toBe(false);
    expect(owner!.every((l) => /^SEARCH customers USING/.test(l)), owner!.join("\n")).toBe(true);
  });
});
