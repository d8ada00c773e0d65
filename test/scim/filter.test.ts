/**
 * The SCIM filter compiler (src/core/scim/filter.ts) against a JavaScript reference: 1,000 users of
 * one customer (plus another customer's users and a soft-deleted user, which never match) are
 * seeded straight into D1, each also mapped to its SCIM representation; every filter runs as SQL
 * and through a small evaluator of the representation written here from RFC 7644's rules (the
 * library's own Tester compares values case-sensitively and answers `ne` false on a missing
 * attribute, so it is not used). The result sets must be equal, and not vacuous. Every filter's
 * query plan reads users through an index. Errors are asserted whole; sorting against a JS sort.
 */
import { env } from "cloudflare:workers";
import { and, eq, isNull, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import fc from "fast-check";
import { parse, type Filter } from "scim2-parse-filter";
import { beforeAll, describe, expect, it } from "vitest";
import { customers, subroles, users } from "../../src/db/schema";
import { DomainError } from "../../src/core/errors";
import { parseScimFilter, scimFilterSql, scimOrderBy } from "../../src/core/scim/filter";
import { create, freshTenant, type Tenant } from "../harness";
import { plan } from "../perf/recording-d1";

const N = 1000;
const OTHER = 40;
const BASE = Date.UTC(2024, 0, 1, 8, 0, 0, 0);

// ---------------------------------------------------------------------------------------------
// The seeded users
// ---------------------------------------------------------------------------------------------

interface Row {
  i: number;
  id: string;
  customerId: string;
  firstName: string;
  lastName: string;
  email: string;
  emailNorm: string;
  mobile: string | null;
  externalId: string | null;
  status: "ACTIVE" | "INACTIVE";
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
  groups: string[];
}

const GIVEN = ["Émilie", "émilie", "EMILIE", "Emilie", "Jürgen", "JÜRGEN", "ﬁona", "Fiona", "Zoë", "Ånne", "anna", "ANNA", "Bob", "İlker", "Sørina"];
const FAMILY = ["Straße", "STRASSE", "Strasse", "Müller", "MÜLLER", "Muller", "O'Brien", "o'brien", "100%_Real", "100 Real", "Smith", "smith", "de la Cruz", "Ñúñez", 'Johnson "Rock"'];

const fold = (s: string) => s.normalize("NFKC").toLowerCase();
const pad = (n: number, w: number) => String(n).padStart(w, "0");

function emailOf(i: number): string {
  switch (i % 4) {
    case 0:
      return `User.${i}@Example.COM`;
    case 1:
      return `first_last.${i}@corp.example.org`;
    case 2:
      return `pct%${i}@Example.net`;
    default:
      return `ÉLODIE.${i}@Exemple.FR`;
  }
}

function rowOf(i: number, customerId: string, g1: string, g2: string): Row {
  const createdAt = BASE + Math.floor(i / 3) * 3_600_123; // three users per instant: ties broken by id
  let mobile: string | null = i % 3 === 0 ? null : i % 3 === 1 ? `+44 7700 9${pad(i, 5)}` : `+1-555-${pad(i, 4)}`;
  if (i % 100 === 50) mobile = "";
  const q = Math.floor(i / 4) % 4;
  let externalId: string | null = q === 0 ? null : q === 1 ? `ext-${i}` : q === 2 ? `EXT-${i}` : `Ext_${i}%`;
  if (i % 200 === 7) externalId = "";
  const email = emailOf(i);
  return {
    i,
    id: crypto.randomUUID(),
    customerId,
    firstName: GIVEN[i % GIVEN.length] as string,
    lastName: FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length] as string,
    email,
    emailNorm: email.trim().toLowerCase(),
    mobile,
    externalId,
    status: i % 2 === 0 ? "ACTIVE" : "INACTIVE",
    createdAt,
    updatedAt: createdAt + ((i * 7919) % 1000) * 60_001,
    deletedAt: null,
    groups: [...(i % 5 === 0 ? [g1] : []), ...(i % 7 === 0 ? [g2] : [])],
  };
}

interface ScimUser {
  id: string;
  externalId?: string;
  userName: string;
  name: { givenName: string; familyName: string };
  emails: { value: string; type: string; primary: boolean }[];
  phoneNumbers: { value: string; type: string }[];
  active: boolean;
  meta: { created: string; lastModified: string };
  groups: { value: string }[];
}

function scimOf(r: Row): ScimUser {
  return {
    id: r.id,
    ...(r.externalId === null ? {} : { externalId: r.externalId }),
    userName: r.email,
    name: { givenName: r.firstName, familyName: r.lastName },
    emails: [{ value: r.email, type: "work", primary: true }],
    phoneNumbers: r.mobile ? [{ value: r.mobile, type: "mobile" }] : [],
    active: r.status === "ACTIVE",
    meta: { created: new Date(r.createdAt).toISOString(), lastModified: new Date(r.updatedAt).toISOString() },
    groups: r.groups.map((value) => ({ value })),
  };
}

// ---------------------------------------------------------------------------------------------
// The reference evaluator: RFC 7644 §3.4.2.2 over the representation, with our case rules
// ---------------------------------------------------------------------------------------------

type RefType = { type: "string"; norm: (s: string) => string } | { type: "boolean" } | { type: "dateTime" };
const str = (norm: (s: string) => string): RefType => ({ type: "string", norm });
const exact = (s: string) => s;
const lower = (s: string) => s.toLowerCase();
const emailNorm = (s: string) => s.trim().toLowerCase();

const TYPES: Record<string, RefType> = {
  id: str(exact),
  externalid: str(exact),
  username: str(emailNorm),
  "name.givenname": str(fold),
  "name.familyname": str(fold),
  "emails.value": str(emailNorm),
  "emails.type": str(lower),
  "emails.primary": { type: "boolean" },
  "phonenumbers.value": str(exact),
  "phonenumbers.type": str(lower),
  active: { type: "boolean" },
  "meta.created": { type: "dateTime" },
  "meta.lastmodified": { type: "dateTime" },
  "groups.value": str(exact),
};
const MULTI = new Set(["emails", "phonenumbers", "groups"]);
const URN = "urn:ietf:params:scim:schemas:core:2.0:user:";

/** An own key, case-insensitively (RFC 7644 §3.10). */
function get(obj: unknown, key: string): unknown {
  if (typeof obj !== "object" || obj === null) return undefined;
  const k = Object.keys(obj).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : (obj as Record<string, unknown>)[k];
}

/** UTF-8 byte order (SQLite's BINARY collation). */
function byteCompare(a: string, b: string): number {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}

/** An RFC 3339 value as (fractional) epoch milliseconds. */
function refInstant(v: string): number {
  const m = /^(.*?:\d\d)(?:\.(\d+))?([Zz]|[+-]\d\d:\d\d)$/.exec(v);
  if (!m) throw new Error(`not a date-time in a test: ${v}`);
  const whole = Date.parse(`${(m[1] as string).toUpperCase()}${(m[3] as string).toUpperCase()}`);
  return whole + Number(`0.${m[2] ?? "0"}`) * 1000;
}

function testValue(t: RefType, op: string, v: unknown, c: unknown): boolean {
  if (t.type === "boolean") return op === "eq" && v === c;
  let cmp: number;
  let a: string | number;
  let b: string | number;
  if (t.type === "dateTime") {
    a = Date.parse(v as string);
    b = refInstant(c as string);
    cmp = a - b;
  } else {
    a = t.norm(v as string);
    b = t.norm(c as string);
    cmp = byteCompare(a, b);
  }
  switch (op) {
    case "eq":
      return cmp === 0;
    case "co":
      return (a as string).includes(b as string);
    case "sw":
      return (a as string).startsWith(b as string);
    case "ew":
      return (a as string).endsWith(b as string);
    case "gt":
      return cmp > 0;
    case "ge":
      return cmp >= 0;
    case "lt":
      return cmp < 0;
    case "le":
      return cmp <= 0;
  }
  throw new Error(`op ${op}`);
}

/** Whether some of `values` (the attribute's values: none, one, or one per element) satisfies the comparison. */
function compareValues(values: unknown[], key: string, f: { op: string; compValue?: unknown }): boolean {
  const t = TYPES[key];
  if (!t) throw new Error(`reference: no type for ${key}`);
  const there = values.filter((v) => v !== undefined && v !== null);
  const present = there.some((v) => v !== "");
  if (f.op === "pr") return present;
  if (f.compValue === null) return f.op === "eq" ? !present : present;
  if (f.op === "ne") return !compareValues(values, key, { ...f, op: "eq" });
  return there.some((v) => testValue(t, f.op, v, f.compValue));
}

function strip(path: string): string {
  const l = path.toLowerCase();
  return l.startsWith(URN) ? l.slice(URN.length) : l;
}

function evaluate(u: ScimUser, f: Filter): boolean {
  switch (f.op) {
    case "and":
      return f.filters.every((x) => evaluate(u, x));
    case "or":
      return f.filters.some((x) => evaluate(u, x));
    case "not":
      return !evaluate(u, f.filter);
    case "[]": {
      const attr = strip(f.attrPath);
      return (get(u, attr) as unknown[]).some((el) => evaluateElement(el, attr, f.valFilter));
    }
    default: {
      const [attr, sub] = strip(f.attrPath).split(".") as [string, string | undefined];
      if (MULTI.has(attr)) {
        const s = sub ?? "value";
        return compareValues((get(u, attr) as unknown[]).map((el) => get(el, s)), `${attr}.${s}`, f);
      }
      if (sub === undefined && (attr === "name" || attr === "meta")) return Object.values(get(u, attr) as object).some((v) => v !== "");
      const v = sub === undefined ? get(u, attr) : get(get(u, attr), sub);
      return compareValues([v], sub === undefined ? attr : `${attr}.${sub}`, f);
    }
  }
}

function evaluateElement(el: unknown, attr: string, f: Filter): boolean {
  switch (f.op) {
    case "and":
      return f.filters.every((x) => evaluateElement(el, attr, x));
    case "or":
      return f.filters.some((x) => evaluateElement(el, attr, x));
    case "not":
      return !evaluateElement(el, attr, f.filter);
    case "[]":
      throw new Error("nested value path in a test");
    default:
      return compareValues([get(el, f.attrPath)], `${attr}.${f.attrPath.toLowerCase()}`, f);
  }
}

/** The reference reads a filter with the library, then its strings as JSON (as RFC 7644 says they are). */
function refParse(text: string): Filter {
  return JSON.parse(JSON.stringify(parseScimFilter(text))) as Filter;
}

// ---------------------------------------------------------------------------------------------
// The world
// ---------------------------------------------------------------------------------------------

let t: Tenant;
let customerA: string;
let customerB: string;
let g1: string;
let g2: string;
let rows: Row[];
let live: ScimUser[];
const db = drizzle(env.DB);

function scope(filter?: SQL) {
  return and(eq(users.tenantId, t.id), eq(users.customerId, customerA), isNull(users.deletedAt), filter);
}

async function insertRows(list: Row[]): Promise<void> {
  for (let i = 0; i < list.length; i += 500) {
    const chunk = list.slice(i, i + 500).map((r) => ({ ...r, firstFold: fold(r.firstName), lastFold: fold(r.lastName) }));
    await env.DB.prepare(
      `insert into users (id, tenant_id, customer_id, first_name, last_name, email, email_norm, mobile, external_id, first_name_fold, last_name_fold,
         status, email_verified, is_first_login, ext_auth_ref_id, created_at, created_by, updated_at, updated_by, deleted_at, version)
       select j.value->>'id', ?1, j.value->>'customerId', j.value->>'firstName', j.value->>'lastName', j.value->>'email', j.value->>'emailNorm',
         j.value->>'mobile', j.value->>'externalId', j.value->>'firstFold', j.value->>'lastFold', j.value->>'status', 1, 0, j.value->>'id',
         j.value->>'createdAt', 'scim-test', j.value->>'updatedAt', 'scim-test', j.value->>'deletedAt', 1
       from json_each(?2) j`,
    )
      .bind(t.id, JSON.stringify(chunk))
      .run();
    const links = chunk.flatMap((r) => r.groups.map((g) => ({ u: r.id, g })));
    if (links.length > 0) {
      await env.DB.prepare(`insert into user_groups (user_id, group_id) select j.value->>'u', j.value->>'g' from json_each(?1) j`).bind(JSON.stringify(links)).run();
    }
  }
}

beforeAll(async () => {
  t = await freshTenant();
  customerA = (await create(t, "customers", { name: "SCIM A" })).id;
  customerB = (await create(t, "customers", { name: "SCIM B" })).id;
  g1 = (await create(t, "groups", { name: "G1" })).id;
  g2 = (await create(t, "groups", { name: "G2" })).id;
  rows = Array.from({ length: N }, (_, i) => rowOf(i, customerA, g1, g2));
  // Another customer's users look like A's (same names, externalIds, groups), and so does a
  // soft-deleted user of A's: none may ever match.
  const others = Array.from({ length: OTHER }, (_, i) => ({ ...rowOf(i, customerB, g1, g2), email: `other.${i}@example.com`, emailNorm: `other.${i}@example.com` }));
  const deleted = { ...rowOf(5, customerA, g1, g2), email: "user.deleted@example.com", emailNorm: "user.deleted@example.com", deletedAt: BASE };
  await insertRows([...rows, ...others, deleted]);
  live = rows.map(scimOf);
}, 120_000);

// ---------------------------------------------------------------------------------------------
// Filters: SQL against the reference
// ---------------------------------------------------------------------------------------------

/** Placeholders: {id:N} {ID:N} (upper-cased) {idPrefix:N} {g1} {g2} {created:N} {createdOffset:N} {createdMicro:N} {updated:N} {updatedMicro:N}. */
function fill(template: string): string {
  return template.replace(/\{(\w+)(?::(\d+))?\}/g, (_, k: string, n?: string) => {
    const r = rows[Number(n ?? 0)] as Row;
    const iso = (ms: number) => new Date(ms).toISOString();
    switch (k) {
      case "id":
        return r.id;
      case "ID":
        return r.id.toUpperCase();
      case "idPrefix":
        return r.id.slice(0, 2);
      case "g1":
        return g1;
      case "g2":
        return g2;
      case "created":
        return iso(r.createdAt);
      case "createdOffset":
        return iso(r.createdAt + 2 * 3_600_000).replace("Z", "+02:00");
      case "createdMicro":
        return iso(r.createdAt).replace("Z", "456Z");
      case "updated":
        return iso(r.updatedAt);
      case "updatedMicro":
        return iso(r.updatedAt).replace("Z", "123Z");
      default:
        throw new Error(`placeholder ${k}`);
    }
  });
}

/** Filters whose answer is every user or none, on purpose. */
const ALL = "all";
const NONE = "none";

const FILTERS: [string, (typeof ALL | typeof NONE)?][] = [
  // userName: trimmed, lower-cased; LIKE's wildcards are plain characters
  ['userName eq "USER.4@example.com"'],
  ['userName eq " élodie.3@EXEMPLE.FR "'],
  ['userName ne "user.4@example.com"'],
  ['userName co "%"'],
  ['userName co "_"'],
  ['userName sw "user.1"'],
  ['userName ew ".ORG"'],
  ['userName gt "pct"'],
  ['userName le "first_last.5"'],
  ['userName pr', ALL],
  ['userName eq "x\' or \'1\'=\'1"', NONE],
  // emails: the one work e-mail, primary
  ['emails co "EXAMPLE.NET"'],
  ['emails.value ew "@exemple.fr"'],
  ['emails[type eq "work" and value co "@example"]'],
  ['emails[primary eq true and value sw "pct"]'],
  ['emails.type eq "WORK"', ALL],
  ['emails.type ne "work"', NONE],
  ['emails.primary eq false', NONE],
  ['emails pr', ALL],
  // externalId: exact, nullable, sometimes empty
  ['externalId eq "ext-5"'],
  ['externalId eq "EXT-10"'],
  ['externalId eq "ext-10"', NONE],
  ['externalId ne "ext-5"'],
  ['externalId eq ""'],
  ['externalId pr'],
  ['externalId eq null'],
  ['externalId ne null'],
  ['not (externalId pr)'],
  ['not (externalId eq "ext-5")'],
  ['externalId co "_1"'],
  ['externalId co "%"'],
  ['externalId sw "EXT"'],
  ['externalId ew "7"'],
  ['externalId gt "ext-5"'],
  ['externalId lt "EXT-5"'],
  ['externalId co ""'],
  // names: NFKC + Unicode lower case on both sides
  ['name.givenName eq "ÉMILIE"'],
  ['name.givenName eq "emilie"'],
  ['name.givenName sw "ﬁ"'],
  ['name.givenName co "Ü"'],
  ['name.givenName ew "E"'],
  ['name.familyName eq "STRASSE"'],
  ['name.familyName co "ß"'],
  ['name.familyName co "%_"'],
  ['name.familyName eq "O\\u0027Brien"'],
  ['name.familyName eq "johnson \\"rock\\""'],
  ['name.familyName gt "m"'],
  ['name.familyName le "müller"'],
  ['name.familyName ge "ñ"'],
  ['name.givenName pr', ALL],
  ['name pr', ALL],
  ['not (name.familyName co "ß")'],
  // phoneNumbers: the mobile, when there is one
  ['phoneNumbers pr'],
  ['not (phoneNumbers pr)'],
  ['phoneNumbers.value sw "+44"'],
  ['phoneNumbers[value sw "+44"]'],
  ['phoneNumbers[type eq "MOBILE" and not (value co "555")]'],
  ['phoneNumbers[value ne "+44 7700 900001"]'],
  ['phoneNumbers.value ne "+44 7700 900001"'],
  ['phoneNumbers.type eq "mobile"'],
  ['phoneNumbers.value eq ""', NONE],
  ['phoneNumbers.value eq null'],
  ['phoneNumbers.value gt "+2"'],
  ['not (phoneNumbers.value sw "+44")'],
  ['phoneNumbers ew "01"'],
  // active
  ['active eq true'],
  ['active eq false'],
  ['active ne true'],
  ['active pr', ALL],
  ['not (active eq true)'],
  ['active eq null', NONE],
  // meta: RFC 3339, any offset or precision
  ['meta.created gt "{created:300}"'],
  ['meta.created ge "{created:300}"'],
  ['meta.created eq "{created:300}"'],
  ['meta.created ne "{created:300}"'],
  ['meta.created lt "{createdOffset:300}"'],
  ['meta.created le "{createdOffset:300}"'],
  ['meta.created eq "{createdMicro:300}"', NONE],
  ['meta.created ge "{createdMicro:300}"'],
  ['meta.created gt "2024-01-10t00:00:00z"'],
  ['meta.lastModified le "{updatedMicro:500}"'],
  ['meta.lastModified lt "{updated:500}"'],
  ['meta.lastModified ge "{updatedMicro:500}"'],
  ['meta.lastModified gt "{created:500}" and meta.lastModified lt "{updated:900}"'],
  ['meta.lastModified pr', ALL],
  ['meta pr', ALL],
  // id: exact
  ['id eq "{id:10}"'],
  ['id eq "{ID:10}"', NONE],
  ['id ne "{id:10}"'],
  ['id sw "{idPrefix:10}"'],
  ['id gt "8"'],
  ['id co "-a"'],
  ['id pr', ALL],
  // groups: a user_groups row
  ['groups eq "{g1}"'],
  ['groups.value eq "{g2}"'],
  ['groups.value ne "{g1}"'],
  ['groups pr'],
  ['not (groups pr)'],
  ['groups eq null'],
  ['groups[value eq "{g1}" or value eq "{g2}"]'],
  ['groups[value ne "{g1}"]'],
  ['groups.value eq "{g1}" and groups.value eq "{g2}"'],
  ['groups.value eq "{g1}" and not (groups.value eq "{g2}")'],
  // logic, precedence, grouping
  ['active eq true and (name.familyName eq "smith" or phoneNumbers.value sw "+1")'],
  ['not (active eq true or externalId pr)'],
  ['userName sw "user" and not (emails.value co "1")'],
  ['active eq true or externalId sw "EXT" and phoneNumbers pr'],
  ['(active eq true or externalId sw "EXT") and phoneNumbers pr'],
  ['not (not (not (active eq true)))'],
  ['emails[type eq "work"].value co "example"'],
  // attribute names are case-insensitive; the core schema's URN may prefix them
  ['USERNAME Eq "user.4@example.com"'],
  ['Name.GivenName co "mil"'],
  ['EMAILS[TYPE eq "work" AND VALUE ew ".fr"]'],
  ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "pct"'],
  ['URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:name.familyName eq "müller"'],
  ['Meta.Created gt "{created:600}" AND ExternalID pr'],
  ['phonenumbers[TYPE eq "mobile"]'],
];

/**
 * Plan steps that read a whole table: a SCAN not through an index. Within the scope (tenant and
 * customer) users are never scanned at all, not even through an index: every plan SEARCHes.
 */
function fullScans(lines: string[]): string[] {
  return lines.filter((l) => (/^SCAN /.test(l) && !/^SCAN CONSTANT ROW/.test(l) && !/ USING (COVERING )?INDEX /.test(l)) || /^SCAN users\b/.test(l));
}

function query(filter: SQL) {
  return db.select({ id: users.id }).from(users).where(scope(filter));
}

describe("SCIM filters: SQL equals the reference", () => {
  it.each(FILTERS)("%s", async (template, extent) => {
    const text = fill(template);
    const compiled = scimFilterSql(parseScimFilter(text));
    const q = query(compiled);
    const got = (await q.all()).map((r) => r.id).sort();
    const ast = refParse(text);
    const want = live.filter((u) => evaluate(u, ast)).map((u) => u.id).sort();
    expect(got).toEqual(want);
    if (extent === ALL) expect(want).toHaveLength(N);
    else if (extent === NONE) expect(want).toHaveLength(0);
    else {
      expect(want.length, "a filter that tells users apart").toBeGreaterThan(0);
      expect(want.length, "a filter that tells users apart").toBeLessThan(N);
    }
    const stmt = q.toSQL();
    const lines = await plan({ sql: stmt.sql, params: stmt.params });
    expect(fullScans(lines), `${stmt.sql}\n${lines.join("\n")}`).toEqual([]);
    // Values are bound, never written into the statement: its only literals are the compiler's own.
    expect(new Set(stmt.sql.match(/'[^']*'/g) ?? [])).toSatisfy((lits: Set<string>) => [...lits].every((l) => l === "''" || l === "'ACTIVE'"));
    expect(stmt.sql.split("?").length - 1).toBe(stmt.params.length);
  });

  it("userName eq is found through users_tenant_email_uq, externalId eq through users_customer_external_idx", async () => {
    for (const [text, index] of [
      ['userName eq "User.8@example.com"', "users_tenant_email_uq"],
      ['externalId eq "ext-5"', "users_customer_external_idx"],
    ] as const) {
      const stmt = query(scimFilterSql(parseScimFilter(text))).toSQL();
      const lines = await plan({ sql: stmt.sql, params: stmt.params });
      expect(lines.join("\n"), text).toContain(`USING INDEX ${index} `);
    }
  });

  it("the subquery of groups names the outer user also in a joined query (as the SCIM list's page)", async () => {
    const where = scope(scimFilterSql(parseScimFilter(`groups eq "${g1}" and not (groups.value eq "${g2}")`)));
    const got = await db
      .select({ id: users.id, customer: customers.id, subrole: subroles.id })
      .from(users)
      .leftJoin(customers, eq(customers.id, users.customerId))
      .leftJoin(subroles, eq(subroles.id, users.subroleId))
      .where(where)
      .all();
    const want = rows.filter((r) => r.groups.includes(g1) && !r.groups.includes(g2)).map((r) => r.id);
    expect(got.map((r) => r.id).sort()).toEqual(want.sort());
    expect(want.length).toBeGreaterThan(0);
  });

  it("a value is never SQL: quotes, comments and wildcards match only themselves", async () => {
    for (const text of [`userName eq "a' or 1=1 --"`, `name.familyName eq "x\\"); drop table users; --"`, `externalId co "' or ''='"`, `userName sw "%"`, `userName ew "_"`]) {
      expect(await query(scimFilterSql(parseScimFilter(text))).all(), text).toEqual([]);
    }
    expect((await env.DB.prepare("select count(*) as n from users where customer_id = ?").bind(customerA).first<{ n: number }>())?.n).toBe(N + 1);
  });

  it("random filters (fast-check): SQL equals the reference", async () => {
    const sample = <T,>(xs: readonly T[]) => fc.constantFrom(...xs);
    const strings = [
      ...rows.slice(0, 60).flatMap((r) => [r.email, r.firstName, r.lastName, r.externalId ?? "x", r.mobile ?? "+44"]),
      "%", "_", "", "ß", "É", "é", "ss", "example", "EXT", "ext-1", "+1", "0", "9", "m", "O'", '"Rock"',
    ];
    const substrings = fc.tuple(sample(strings), fc.nat(), fc.nat()).map(([s, a, b]) => {
      const cps = Array.from(s);
      const from = cps.length === 0 ? 0 : a % cps.length;
      return cps.slice(from, from + (b % 6) + 1).join("");
    });
    const strValue = fc.oneof(sample(strings), substrings);
    const q = (v: unknown) => JSON.stringify(v);
    const strOps = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"] as const;
    const dateValue = fc.tuple(fc.integer({ min: 0, max: N - 1 }), fc.integer({ min: -2, max: 2 }), fc.boolean()).map(([i, d, micro]) => {
      const iso = new Date((rows[i] as Row).createdAt + d).toISOString();
      return micro ? iso.replace("Z", "001Z") : iso;
    });
    const top = fc.oneof(
      fc.tuple(sample(["userName", "externalId", "name.givenName", "name.familyName", "emails.value", "emails", "phoneNumbers.value", "phoneNumbers", "emails.type", "phoneNumbers.type", "id"]), sample(strOps), strValue).map(([a, o, v]) => `${a} ${o} ${q(v)}`),
      fc.tuple(sample(["userName", "externalId", "name.familyName", "phoneNumbers", "groups", "emails.primary", "active", "meta.created"]), sample(["pr", "eq null", "ne null"])).map(([a, o]) => `${a} ${o}`),
      fc.tuple(sample(["active", "emails.primary"]), sample(["eq", "ne"]), fc.boolean()).map(([a, o, v]) => `${a} ${o} ${v}`),
      fc.tuple(sample(["meta.created", "meta.lastModified"]), sample(["eq", "ne", "gt", "ge", "lt", "le"]), dateValue).map(([a, o, v]) => `${a} ${o} ${q(v)}`),
      fc.tuple(sample(["groups", "groups.value"]), sample(["eq", "ne"]), fc.constantFrom("g1", "g2", "none")).map(([a, o, g]) => `${a} ${o} ${q(g === "g1" ? g1 : g === "g2" ? g2 : crypto.randomUUID())}`),
    );
    const element = (attr: "emails" | "phoneNumbers") =>
      fc.oneof(
        fc.tuple(sample(["value", "type"]), sample(strOps), strValue).map(([a, o, v]) => `${a} ${o} ${q(v)}`),
        fc.tuple(sample(["value", "type"]), sample(["pr", "eq null", "ne null"])).map(([a, o]) => `${a} ${o}`),
        ...(attr === "emails" ? [fc.tuple(sample(["eq", "ne"]), fc.boolean()).map(([o, v]) => `primary ${o} ${v}`)] : []),
      );
    const valuePath = fc.oneof(
      sample(["emails", "phoneNumbers"] as const).chain((attr) =>
        fc.tuple(element(attr), element(attr), sample(["and", "or"]), fc.boolean()).map(([a, b, op, neg]) => `${attr}[${neg ? `not (${a})` : a} ${op} ${b}]`),
      ),
      fc.tuple(sample(["eq", "ne"]), fc.constantFrom("g1", "g2")).map(([o, g]) => `groups[value ${o} ${q(g === "g1" ? g1 : g2)}]`),
    );
    const { tree } = fc.letrec<{ tree: string; leaf: string }>((tie) => ({
      leaf: fc.oneof({ weight: 4, arbitrary: top }, { weight: 1, arbitrary: valuePath }),
      tree: fc.oneof(
        { maxDepth: 3, withCrossShrink: true },
        tie("leaf"),
        fc.tuple(tie("tree"), sample(["and", "or"]), tie("tree")).map(([a, op, b]) => `(${a}) ${op} (${b})`),
        tie("tree").map((a) => `not (${a})`),
      ),
    }));
    let nonTrivial = 0;
    await fc.assert(
      fc.asyncProperty(tree, async (text) => {
        const got = (await query(scimFilterSql(parseScimFilter(text))).all()).map((r) => r.id).sort();
        const ast = refParse(text);
        const want = live.filter((u) => evaluate(u, ast)).map((u) => u.id).sort();
        expect(got, text).toEqual(want);
        if (want.length > 0 && want.length < N) nonTrivial++;
        const stmt = query(scimFilterSql(parseScimFilter(text))).toSQL();
        expect(fullScans(await plan({ sql: stmt.sql, params: stmt.params })), text).toEqual([]);
      }),
      { numRuns: 300 },
    );
    expect(nonTrivial).toBeGreaterThan(60);
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

function thrown(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error("did not throw");
}

function expectFilterError(text: string, message: string): void {
  const err = thrown(() => scimFilterSql(parseScimFilter(text)));
  expect(err.code).toBe("INVALID");
  expect(err.message).toBe("The filter is not valid.");
  expect(err.issues).toEqual([{ field: "filter", message }]);
}

const SYNTAX = "The filter is not valid SCIM filter syntax (RFC 7644 §3.4.2.2).";
const DATE = (a: string) => `Attribute "${a}" is compared with an RFC 3339 date-time, such as "2024-01-31T09:30:00Z".`;

describe("SCIM filters: errors", () => {
  it.each([
    ["userName eq", SYNTAX],
    ['userName eq "x" extra', SYNTAX],
    ['userName equals "x"', SYNTAX],
    ['(userName eq "x"', SYNTAX],
    ["active eq True", SYNTAX],
    ['userName eq "a\\qb"', SYNTAX],
    ["", SYNTAX],
    ['nickName eq "x"', 'Unknown attribute "nickName".'],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1"', 'Unknown attribute "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber".'],
    ['name.middleName eq "x"', 'Unknown attribute "name.middleName".'],
    ['emails.display eq "x"', 'Unknown attribute "emails.display".'],
    ['emails[foo eq "x"]', 'Unknown attribute "emails.foo".'],
    ['addresses[type eq "work"]', 'Unknown attribute "addresses".'],
    ['constructor eq "x"', 'Unknown attribute "constructor".'],
    ["toString pr", 'Unknown attribute "toString".'],
    ['emails[__proto__ eq "x"]', 'Unknown attribute "emails.__proto__".'],
    ['emails.hasOwnProperty eq "x"', 'Unknown attribute "emails.hasOwnProperty".'],
    ['active eq "yes"', 'Attribute "active" is compared with true or false.'],
    ["userName eq 42", 'Attribute "userName" is compared with a string value.'],
    ["groups eq true", 'Attribute "groups.value" is compared with a string value.'],
    ['meta.created gt "yesterday"', DATE("meta.created")],
    ['meta.created gt "2024-02-30T00:00:00Z"', DATE("meta.created")],
    ['meta.lastModified lt "2024-01-31"', DATE("meta.lastModified")],
    ['meta.created eq "2024-01-31T25:00:00Z"', DATE("meta.created")],
    ["meta.created eq 1706693400000", DATE("meta.created")],
    ["active co true", 'Operator "co" is not supported on attribute "active".'],
    ["active gt false", 'Operator "gt" is not supported on attribute "active".'],
    ['meta.created sw "2024"', 'Operator "sw" is not supported on attribute "meta.created".'],
    ['groups.value co "a"', 'Operator "co" is not supported on attribute "groups.value".'],
    ["userName gt null", 'Attribute "userName" can be compared with null only by "eq" or "ne".'],
    ['name eq "x"', 'Attribute "name" is complex: compare one of its sub-attributes, such as "name.givenName".'],
    ['userName[value eq "x"]', 'Attribute "userName" does not take a value filter ([...]).'],
    ['emails[value eq "x" and groups[value eq "y"]]', "A value filter ([...]) cannot contain another value filter."],
    [`userName eq "${"a".repeat(2000)}"`, "The filter is longer than 2000 characters."],
    [`${"not (".repeat(21)}active eq true${")".repeat(21)}`, "The filter is nested deeper than 20 levels."],
    ['userName eq "a\nb"', "The filter contains a control character (such as a line break)."],
    [`userName eq "${"\n".repeat(40)}`, "The filter contains a control character (such as a line break)."],
    [Array.from({ length: 51 }, (_, i) => `id eq "${i}"`).join(" or "), "The filter binds more than 50 values: split it into simpler filters."],
  ])("%s", (text, message) => {
    expectFilterError(text, message);
  });

  it("20 levels of nesting, 2,000 characters and 50 values are allowed", () => {
    expect(() => scimFilterSql(parseScimFilter(`${"not (".repeat(20)}active eq true${")".repeat(20)}`))).not.toThrow();
    const long = `userName eq "${"a".repeat(2000 - 'userName eq ""'.length)}"`;
    expect(long).toHaveLength(2000);
    expect(() => scimFilterSql(parseScimFilter(long))).not.toThrow();
    expect(() => scimFilterSql(parseScimFilter(Array.from({ length: 50 }, (_, i) => `id eq "${i}"`).join(" or ")))).not.toThrow();
  });

  // (workerd's clocks stand still while code runs, so this is timed by finishing at all: the
  // library's string token backtracks exponentially on raw line breaks, 1,000 would never end.)
  it("adversarial inputs are refused, and at once", () => {
    for (const text of ["(".repeat(1990) + "a pr", "not (".repeat(398) + "a pr", `a eq "${"\\".repeat(1990)}`, `a eq ${"1".repeat(1990)}x`, "a[".repeat(990) + "b pr"]) {
      expectFilterError(text, SYNTAX);
    }
    expectFilterError(`userName eq "${"\n".repeat(1000)}`, "The filter contains a control character (such as a line break).");
  });

  it("string values are JSON strings (escapes read as RFC 7644 says)", () => {
    expect(parseScimFilter('name.familyName eq "a\\"b\\\\c\\u00e9\\n"')).toEqual({ op: "eq", attrPath: "name.familyName", compValue: 'a"b\\cé\n' });
    // the library alone keeps the escapes as written
    expect(parse('name.familyName eq "\\u00e9"')).toEqual({ op: "eq", attrPath: "name.familyName", compValue: "\\u00e9" });
  });
});

// ---------------------------------------------------------------------------------------------
// Sorting
// ---------------------------------------------------------------------------------------------

/** What a JS sort orders by: the value as the attribute compares it; null (no value) sorts last ascending. */
const SORT_KEYS: Record<string, (r: Row) => string | number | null> = {
  userName: (r) => r.emailNorm,
  "emails.value": (r) => r.emailNorm,
  "name.givenName": (r) => fold(r.firstName) || null,
  "name.familyName": (r) => fold(r.lastName) || null,
  "meta.created": (r) => r.createdAt,
  "meta.lastModified": (r) => r.updatedAt,
  externalId: (r) => r.externalId || null,
  phoneNumbers: (r) => r.mobile || null,
  id: (r) => r.id,
};

function jsSorted(key: (r: Row) => string | number | null, descending: boolean): string[] {
  const cmp = (a: Row, b: Row): number => {
    const x = key(a);
    const y = key(b);
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      const c = typeof x === "number" ? x - (y as number) : byteCompare(x, y as string);
      if (c !== 0) return c;
    }
    return byteCompare(a.id, b.id);
  };
  const sorted = [...rows].sort(cmp).map((r) => r.id);
  return descending ? sorted.reverse() : sorted;
}

describe("SCIM sorting", () => {
  const cases = Object.keys(SORT_KEYS).flatMap((k) => (["ascending", "descending"] as const).map((o) => [k, o] as const));
  it.each(cases)("sortBy=%s sortOrder=%s", async (sortBy, sortOrder) => {
    const got = (await db.select({ id: users.id }).from(users).where(scope()).orderBy(...scimOrderBy(sortBy, sortOrder)).all()).map((r) => r.id);
    expect(got).toEqual(jsSorted(SORT_KEYS[sortBy] as (r: Row) => string | number | null, sortOrder === "descending"));
  });

  it("sortBy names are case-insensitive and may carry the core schema's URN; sortOrder defaults to ascending", async () => {
    for (const sortBy of ["NAME.FAMILYNAME", "urn:ietf:params:scim:schemas:core:2.0:User:name.familyName"]) {
      const got = (await db.select({ id: users.id }).from(users).where(scope()).orderBy(...scimOrderBy(sortBy, undefined)).all()).map((r) => r.id);
      expect(got, sortBy).toEqual(jsSorted(SORT_KEYS["name.familyName"] as (r: Row) => string | null, false));
    }
  });

  it("without sortBy: creation order, then id, walked through an index with no sort step", async () => {
    const q = db.select({ id: users.id }).from(users).where(scope()).orderBy(...scimOrderBy(undefined, undefined));
    expect((await q.all()).map((r) => r.id)).toEqual(jsSorted((r) => r.createdAt, false));
    const stmt = q.toSQL();
    const lines = await plan({ sql: stmt.sql, params: stmt.params });
    expect(fullScans(lines)).toEqual([]);
    expect(lines.join("\n")).not.toMatch(/TEMP B-TREE/);
  });

  it.each([
    ["groups", 'Cannot sort by "groups": sortBy is one of id, externalId, userName, emails.value, name.givenName, name.familyName, phoneNumbers.value, meta.created, meta.lastModified.'],
    ["nickName", 'Cannot sort by "nickName": sortBy is one of id, externalId, userName, emails.value, name.givenName, name.familyName, phoneNumbers.value, meta.created, meta.lastModified.'],
    ["constructor", 'Cannot sort by "constructor": sortBy is one of id, externalId, userName, emails.value, name.givenName, name.familyName, phoneNumbers.value, meta.created, meta.lastModified.'],
    ["name; drop table users", "Cannot sort by the given attribute: sortBy is one of id, externalId, userName, emails.value, name.givenName, name.familyName, phoneNumbers.value, meta.created, meta.lastModified."],
    ["", "Cannot sort by the given attribute: sortBy is one of id, externalId, userName, emails.value, name.givenName, name.familyName, phoneNumbers.value, meta.created, meta.lastModified."],
  ])("an unknown sortBy (%s) is refused", (sortBy, message) => {
    const err = thrown(() => scimOrderBy(sortBy, "ascending"));
    expect(err.code).toBe("INVALID");
    expect(err.message).toBe("The sortBy is not valid.");
    expect(err.issues).toEqual([{ field: "sortBy", message }]);
  });
});
