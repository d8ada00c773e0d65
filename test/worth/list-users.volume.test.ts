/**
 * The Worth list over a customer of 1,000 live users (plus soft-deleted ones and a sibling
 * customer's, which must never appear): every filter, search and sort, and page boundaries. For
 * each query the union of all pages must equal the filtered set, in order, with no duplicates,
 * and `total_items`/`total_pages` must count the filtered set.
 *
 * 30 users are created through the API; the rest are inserted with one D1 batch (test-only fast
 * path, the same columns the core writes). The expected answers come from a model in this file:
 * SQLite's BINARY order for text (the data is ASCII), '' for missing values, ties broken by id in
 * the direction of the last sort key.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { create, dbTrips } from "../harness";
import { createWorthUser, worth, worthWorld, type WorthWorld } from "./helpers";

interface M {
  id: string;
  first_name: string;
  last_name: string;
  email: string;
  email_norm: string;
  mobile: string | null;
  status: "ACTIVE" | "INACTIVE";
  is_email_verified: boolean;
  is_first_login: boolean;
  subrole_id: string | null;
  subrole_code: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}
type Field = Exclude<keyof M, "id" | "email_norm">;

const API_USERS = 30;
const TOTAL = 1000;
const FIRST = ["Ann", "ann", "Bob", "Cyd", "dan", "Eve", "O'Neil", "100%_Pure", "Under_score"];
const LAST = ["Smith", "smith", "Jones", "Brown", "Lee", "Garcia", "A%B", "Miller"];
const DOMAINS = ["example.com", "Example.ORG", "MAIL.test"];
const BASE = Date.UTC(2024, 1, 12, 14, 16, 49, 53);

let w: WorthWorld;
let analyst: { id: string; code: string };
let creators: string[];
let model: M[];

async function loadModel(): Promise<M[]> {
  const { results } = await env.DB.prepare(
    `select u.id, u.first_name, u.last_name, u.email, u.email_norm, u.mobile, u.status, u.email_verified, u.is_first_login,
            u.subrole_id, s.code as subrole_code, u.created_by, u.created_at, u.updated_at
       from users u left join subroles s on s.id = u.subrole_id
      where u.customer_id = ? and u.deleted_at is null`,
  )
    .bind(w.customer.id)
    .all<Record<string, unknown>>();
  return results.map((r) => ({
    ...(r as unknown as M),
    is_email_verified: r.email_verified === 1,
    is_first_login: r.is_first_login === 1,
  }));
}

function insertStatement(o: { id: string; customerId: string; i: number; deletedAt: number | null }) {
  const { i } = o;
  const first = FIRST[i % FIRST.length] as string;
  const last = LAST[(i * 7) % LAST.length] as string;
  const email = `User${i}.${last.replace(/[^A-Za-z]/g, "")}@${DOMAINS[i % DOMAINS.length]}`;
  const subrole = [w.cro.id, w.viewer.id, analyst.id, w.cro.id, null, analyst.id, w.viewer.id][i % 7] ?? null;
  const createdAt = BASE + Math.floor(i / 4) * 60_000; // four users per instant: ties broken by id
  const by = creators[i % creators.length] as string;
  return env.DB.prepare(
    `insert into users (id, tenant_id, customer_id, reseller_id, first_name, last_name, email, email_norm, mobile, status,
       email_verified, is_first_login, subrole_id, password_hash, ext_auth_ref_id, created_at, created_by, updated_at, updated_by, deleted_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?, ?, ?, ?, ?, ?)`,
  ).bind(
    o.id,
    w.tenant.id,
    o.customerId,
    w.reseller.id,
    first,
    last,
    email,
    email.toLowerCase(),
    i % 4 === 0 ? null : `+1-555-${String(i % 37).padStart(4, "0")}`,
    i % 5 === 0 ? "INACTIVE" : "ACTIVE",
    i % 3 === 0 ? 1 : 0,
    i % 2 === 0 ? 1 : 0,
    subrole,
    crypto.randomUUID(),
    createdAt,
    by,
    createdAt + (i % 10) * 1000,
    by,
    o.deletedAt,
  );
}

beforeAll(async () => {
  w = await worthWorld();
  analyst = await create(w.tenant, "subroles", { customerId: w.customer.id, code: "analyst", label: "Analyst", displayName: "Analyst", permissions: [] });
  creators = [w.sub, crypto.randomUUID(), crypto.randomUUID()];
  // Through the API: a spread of names, mobiles, subroles; some set INACTIVE with PATCH.
  for (let i = 0; i < API_USERS; i++) {
    const token = i % 2 === 0 ? w.tokens.customer : w.tokens.tenantAdmin;
    const sub = [
      { id: w.cro.id, code: "cro", label: "CRO" },
      { id: w.viewer.id, code: "viewer", label: "Viewer" },
      { id: analyst.id, code: "analyst", label: "Analyst" },
    ][i % 3];
    const id = await createWorthUser(w, { first_name: FIRST[(i + 3) % FIRST.length], last_name: LAST[i % LAST.length], mobile: i % 3 === 0 ? null : `+44-${i}`, subrole: sub }, token);
    if (i % 4 === 0) await worth("PATCH", `/customers/${w.customer.id}/users/${id}`, { token: w.tokens.customer, body: { status: "INACTIVE" }, expect: 200 });
  }
  // The rest in one batch, plus soft-deleted users and a sibling customer's users that must never appear.
  const statements = [];
  for (let i = 0; i < TOTAL - API_USERS; i++) statements.push(insertStatement({ id: crypto.randomUUID(), customerId: w.customer.id, i, deletedAt: null }));
  for (let i = 0; i < 12; i++) statements.push(insertStatement({ id: crypto.randomUUID(), customerId: w.customer.id, i: 5000 + i, deletedAt: Date.now() }));
  for (let i = 0; i < 12; i++) statements.push(insertStatement({ id: crypto.randomUUID(), customerId: w.sibling.id, i: 6000 + i, deletedAt: null }));
  await env.DB.batch(statements);
  model = await loadModel();
  expect(model).toHaveLength(TOTAL);
}, 60_000);

// ---------------------------------------------------------------------------------------------
// The model of the engine's semantics

function key(u: M, f: Field): string | number {
  switch (f) {
    case "email":
      return u.email_norm;
    case "is_email_verified":
    case "is_first_login":
      return u[f] ? 1 : 0;
    case "mobile":
    case "subrole_id":
    case "subrole_code":
      return u[f] ?? "";
    default:
      return u[f];
  }
}
const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

function sorted(users: M[], sort: [Field, "ASC" | "DESC"][]): string[] {
  const keys = sort.length > 0 ? sort : ([["created_at", "DESC"]] as [Field, "ASC" | "DESC"][]);
  const lastDir = (keys.at(-1) as [Field, string])[1] === "ASC" ? 1 : -1;
  return [...users]
    .sort((a, b) => {
      for (const [f, d] of keys) {
        const c = cmp(key(a, f), key(b, f));
        if (c !== 0) return d === "ASC" ? c : -c;
      }
      return lastDir * cmp(a.id, b.id);
    })
    .map((u) => u.id);
}

const contains = (v: string | null, text: string) => (v ?? "").toLowerCase().includes(text.toLowerCase());

// ---------------------------------------------------------------------------------------------
// Reading every page

interface Page {
  ids: string[];
  total_pages: number;
  total_items: string;
}

async function page(query: string, n: number, perPage: number): Promise<Page> {
  const sep = query ? "&" : "";
  const r = await worth("GET", `/customers/${w.customer.id}/users?${query}${sep}items_per_page=${perPage}&page=${n}`, { token: w.tokens.customerRead });
  if (r.status !== 200) throw new Error(`${query} page ${n}: ${r.status} ${r.text}`);
  expect(dbTrips(r)).toBe(1);
  return { ids: r.body.data.records.map((u: { id: string }) => u.id), total_pages: r.body.data.total_pages, total_items: r.body.data.total_items };
}

/** Every page of a query: their union, checked against the expected ids in order, with the totals. */
async function expectPages(query: string, expected: string[], perPage = 100): Promise<void> {
  const pages = Math.ceil(expected.length / perPage);
  // Every page and the one past the last, concurrently.
  const all = await Promise.all(Array.from({ length: pages + 1 }, (_, k) => page(query, k + 1, perPage)));
  for (const [k, p] of all.entries()) {
    expect({ total_items: p.total_items, total_pages: p.total_pages }, `${query} page ${k + 1}`).toEqual({ total_items: String(expected.length), total_pages: pages });
    expect(p.ids.length, `${query} page ${k + 1} size`).toBe(Math.max(0, Math.min(perPage, expected.length - k * perPage)));
  }
  const union = all.flatMap((p) => p.ids);
  expect(new Set(union).size, `${query}: duplicates across pages`).toBe(union.length);
  expect(union, query).toEqual(expected);
}

const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

// ---------------------------------------------------------------------------------------------

describe("a customer of 1,000 users", () => {
  it("default order (created_at DESC, id DESC) over 10 pages equals the live set", async () => {
    await expectPages("", sorted(model, []));
  });

  const SORTABLE: Field[] = ["first_name", "last_name", "email", "mobile", "status", "is_email_verified", "is_first_login", "subrole_id", "subrole_code", "created_by", "created_at", "updated_at"];
  for (const f of SORTABLE) {
    it(`sort[${f}] ASC and DESC`, async () => {
      await Promise.all((["ASC", "DESC"] as const).map((dir) => expectPages(q({ [`sort[${f}]`]: dir }), sorted(model, [[f, dir]]))));
    });
  }

  it("several sort keys apply in the order given (and lower-case directions work)", async () => {
    await expectPages("sort[status]=ASC&sort[last_name]=desc", sorted(model, [["status", "ASC"], ["last_name", "DESC"]]));
    await expectPages("sort[last_name]=DESC&sort[status]=asc", sorted(model, [["last_name", "DESC"], ["status", "ASC"]]));
    await expectPages("sort[is_first_login]=DESC&sort[first_name]=ASC&sort[created_at]=DESC", sorted(model, [["is_first_login", "DESC"], ["first_name", "ASC"], ["created_at", "DESC"]]));
  });

  it("exact filters, as filter[field] and as plain field=value", async () => {
    const some = model[137] as M;
    const withMobile = model.find((u) => u.mobile !== null) as M;
    const cases: [string, string, (u: M) => boolean][] = [
      ["first_name", "Ann", (u) => u.first_name === "Ann"],
      ["first_name", "100%_Pure", (u) => u.first_name === "100%_Pure"],
      ["last_name", "smith", (u) => u.last_name === "smith"],
      ["email", some.email.toUpperCase(), (u) => u.email_norm === some.email_norm],
      ["mobile", withMobile.mobile as string, (u) => u.mobile === withMobile.mobile],
      ["status", "INACTIVE", (u) => u.status === "INACTIVE"],
      ["status", "ACTIVE", (u) => u.status === "ACTIVE"],
      ["is_email_verified", "true", (u) => u.is_email_verified],
      ["is_email_verified", "false", (u) => !u.is_email_verified],
      ["is_first_login", "true", (u) => u.is_first_login],
      ["subrole_id", analyst.id, (u) => u.subrole_id === analyst.id],
      ["subrole_code", "viewer", (u) => u.subrole_code === "viewer"],
      ["created_by", creators[1] as string, (u) => u.created_by === creators[1]],
      ["created_at", new Date(some.created_at).toISOString(), (u) => u.created_at === some.created_at],
    ];
    await Promise.all(
      cases.map(async ([field, value, pred]) => {
        const expected = sorted(model.filter(pred), []);
        expect(expected.length, `${field}=${value} selects something`).toBeGreaterThan(0);
        await expectPages(q({ [`filter[${field}]`]: value }), expected);
        await expectPages(q({ [field]: value }), expected);
      }),
    );
  });

  it("filters combine (AND), with sort and odd page sizes", async () => {
    const pred = (u: M) => u.status === "ACTIVE" && u.is_first_login && u.subrole_code === "cro";
    await expectPages("status=ACTIVE&filter[is_first_login]=true&filter[subrole_code]=cro&sort[email]=ASC", sorted(model.filter(pred), [["email", "ASC"]]), 7);
  });

  it("created_at ranges: gte, lte, both, date-only and offsets", async () => {
    const at = (k: number) => BASE + k * 60_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    const cases: [string, (u: M) => boolean][] = [
      [q({ "filter[created_at][gte]": iso(at(100)) }), (u) => u.created_at >= at(100)],
      [q({ "filter[created_at][lte]": iso(at(100)) }), (u) => u.created_at <= at(100)],
      [q({ "filter[created_at][gte]": iso(at(10)), "filter[created_at][lte]": iso(at(20)) }), (u) => u.created_at >= at(10) && u.created_at <= at(20)],
      [q({ "filter[created_at][gte]": "2024-02-13" }), (u) => u.created_at >= Date.UTC(2024, 1, 13)],
      [q({ "filter[created_at][lte]": "2024-02-12T16:16:49.053+02:00" }), (u) => u.created_at <= BASE],
      [q({ "filter[created_at][gte]": "2030-01-01T00:00:00Z" }), () => false],
    ];
    await Promise.all(cases.map(([query, pred]) => expectPages(query, sorted(model.filter(pred), []))));
  });

  it("search: case-insensitive substrings; % and _ are literal", async () => {
    const some = model[421] as M;
    const cases: [string, string, (u: M) => boolean][] = [
      ["first_name", "AN", (u) => contains(u.first_name, "an")],
      ["last_name", "SMI", (u) => contains(u.last_name, "smi")],
      ["email", "example.org", (u) => contains(u.email, "example.org")],
      ["email", some.email.slice(0, 8).toUpperCase(), (u) => contains(u.email, some.email.slice(0, 8))],
      ["mobile", "555-001", (u) => contains(u.mobile, "555-001")],
      ["subrole_code", "YST", (u) => contains(u.subrole_code, "yst")],
      ["created_by", (creators[2] as string).slice(0, 8), (u) => contains(u.created_by, (creators[2] as string).slice(0, 8))],
      ["first_name", "%", (u) => u.first_name.includes("%")],
      ["first_name", "_", (u) => u.first_name.includes("_")],
      ["last_name", "a%b", (u) => u.last_name === "A%B"],
      ["first_name", "'", (u) => u.first_name.includes("'")],
      ["first_name", "zzz", () => false],
    ];
    await Promise.all(cases.map(([field, text, pred]) => expectPages(q({ [`search[${field}]`]: text }), sorted(model.filter(pred), []))));
    // An empty search matches everything.
    await expectPages("search[first_name]=", sorted(model, []));
  });

  it("page boundaries: sizes 7, 1 and 100, on tied created_at instants", async () => {
    const all = sorted(model, []);
    await expectPages("", all, 7);
    const last = await page("", 1000, 1);
    expect(last).toEqual({ ids: [all[999]], total_pages: 1000, total_items: "1000" });
    expect(await page("", 1001, 1)).toEqual({ ids: [], total_pages: 1000, total_items: "1000" });
    // Page 2 of size 3 starts right after page 1, across a tie of four users at one instant.
    const [p1, p2] = await Promise.all([page("sort[created_at]=ASC", 1, 3), page("sort[created_at]=ASC", 2, 3)]);
    expect([...p1.ids, ...p2.ids]).toEqual(sorted(model, [["created_at", "ASC"]]).slice(0, 6));
  });
});
