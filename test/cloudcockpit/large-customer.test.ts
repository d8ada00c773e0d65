/**
 * `GET /v1/customer/{id}/users` has no paging by contract: a customer of 10,000 users is answered
 * whole, sorted, in one D1 round trip. The users are seeded straight into D1 (10,000 API calls would
 * measure the create route instead), with a subrole and names of realistic length, so the list is
 * far larger than the 2 MB a single D1 string may hold (the page is packed in chunks,
 * src/db/shapes.ts); the time is printed for the closing note, and bounded loosely.
 */
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { buildApp } from "../../src/app";
import { recordingD1, type Recorded } from "../perf/recording-d1";
import { dbTrips } from "../harness";
import { cc, ccWorld } from "./helpers";

const N = 10_000;

it(`a customer of ${N} users: the whole sorted list, one round trip`, { timeout: 120_000 }, async () => {
  const w = await ccWorld();
  const now = Date.now();
  const rows = Array.from({ length: N }, (_, i) => {
    const id = crypto.randomUUID();
    const email = `bulk-${i}-${id.slice(0, 8)}@example.com`;
    return { id, first: `First${i % 97} ${"Maximilian".repeat(3)}`, last: `Last${String(i % 1013).padStart(4, "0")} ${"Oppenheimer".repeat(3)}`, email };
  });
  for (let i = 0; i < N; i += 1000) {
    const chunk = JSON.stringify(rows.slice(i, i + 1000));
    await env.DB.prepare(
      `insert into users (id, tenant_id, customer_id, reseller_id, first_name, last_name, email, email_norm, status, email_verified, is_first_login,
         subrole_id, ext_auth_ref_id, created_at, created_by, updated_at, updated_by)
       select j.value->>'id', ?1, ?2, ?3, j.value->>'first', j.value->>'last', j.value->>'email', j.value->>'email', 'ACTIVE', 0, 1,
         ?6, j.value->>'id', ?4, 'bench', ?4, 'bench' from json_each(?5) j`,
    )
      .bind(w.tenant.id, w.customer.id, w.reseller.id, now, chunk, w.cro.id)
      .run();
  }
  const started = performance.now();
  const r = await cc(w, "GET", `/customer/${w.customer.id}/users`, { expect: 200 });
  const ms = performance.now() - started;
  console.log(`GET /v1/customer/{id}/users, ${N} users: ${ms.toFixed(0)} ms, ${r.text.length} bytes, ${dbTrips(r)} D1 round trip(s)`);
  expect(dbTrips(r)).toBe(1);
  expect(r.body).toHaveLength(N);
  const expected = [...rows].sort((a, b) => (a.last !== b.last ? (a.last < b.last ? -1 : 1) : a.first !== b.first ? (a.first < b.first ? -1 : 1) : a.id < b.id ? -1 : 1));
  expect(r.body.map((u: { id: string }) => u.id)).toEqual(expected.map((u) => u.id));
  expect(ms).toBeLessThan(30_000);

  // D1 holds at most 2 MB in one string (its documented limit; local SQLite allows more): the page
  // travels in chunks, each well under it, however long the list.
  const recorded: Recorded[] = [];
  const res = await buildApp().fetch(
    new Request(`http://api.test/v1/customer/${w.customer.id}/users`, { headers: { authorization: `Bearer ${w.tokens.tenantAdmin}`, "x-tenant": w.tenant.domain } }),
    { ...env, DB: recordingD1(recorded) },
    { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext,
  );
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  const packed = recorded.find((r) => r.sql.includes("json_group_array(json_array("));
  expect(packed).toBeDefined();
  const sizes = await env.DB.prepare(`select count(*) as chunks, max(length(chunk)) as largest from (${packed!.sql})`)
    .bind(...packed!.params)
    .first<{ chunks: number; largest: number }>();
  console.log(`packed in ${sizes?.chunks} chunks, the largest ${sizes?.largest} characters`);
  expect(sizes!.chunks).toBe(Math.ceil(N / 500));
  expect(sizes!.largest).toBeLessThan(1_000_000);
});
