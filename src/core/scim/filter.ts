/**
 * SCIM 2.0 filters (RFC 7644 §3.4.2.2) and sorting (§3.4.2.3) over `users`: a filter is parsed by
 * scim2-parse-filter, then compiled to one drizzle SQL boolean expression over the columns of the
 * user a SCIM client sees (docs/scim.md#filters). Every value the client sends is a bound
 * parameter; every error is an INVALID whose one issue (field `filter` or `sortBy`) names at most
 * the attribute, never the library's own text.
 *
 * The attributes, their types and case rules (attribute names are case-insensitive, §3.10; the
 * core User schema URN may prefix them):
 *
 * | attribute                          | column / value                          | type      | values compared      |
 * | ---------------------------------- | --------------------------------------- | --------- | -------------------- |
 * | id                                 | users.id                                | string    | exactly              |
 * | externalId                         | users.external_id (nullable)            | string    | exactly              |
 * | userName, emails, emails.value     | users.email_norm                        | string    | trimmed, lower-cased |
 * | name.givenName / name.familyName   | users.first_name_fold / last_name_fold  | string    | foldForSearch        |
 * | emails.type / emails.primary       | "work" / true                           | str/bool  | lower-cased / —      |
 * | phoneNumbers, phoneNumbers.value   | users.mobile (no phone when null or '') | string    | exactly              |
 * | phoneNumbers.type                  | "mobile", when the user has a phone     | string    | lower-cased          |
 * | active                             | users.status = 'ACTIVE'                 | boolean   | eq, ne, pr only      |
 * | meta.created / meta.lastModified   | users.created_at / updated_at (ms)      | dateTime  | RFC 3339 values      |
 * | groups, groups.value               | a user_groups row with that group_id    | reference | eq, ne, pr only      |
 *
 * Semantics, the same everywhere (the tests hold them against a JavaScript evaluator of the SCIM
 * representation, test/scim/filter.test.ts):
 * - Every compiled expression is two-valued (0 or 1, never NULL): a comparison on a nullable column
 *   is guarded by `col is not null`, so `not (…)` is the complement SCIM means.
 * - `ne` is `not eq`: a user without the attribute (no externalId, no phone, not in the group) is
 *   "not equal". Within a value path (`phoneNumbers[value ne "x"]`) it is the element's: the user
 *   has a phone, and its value is not "x".
 * - `pr` is "has a non-empty value"; `eq null` is `not pr`, `ne null` is `pr`; null with any
 *   other operator is refused.
 * - A multi-valued attribute matches when one of its values does: `emails.value co "x"` is
 *   `emails[value co "x"]` (users have one e-mail, and none or one phone).
 * - Strings order and compare by code point (SQLite's BINARY collation over UTF-8), after the
 *   attribute's normalisation of both sides. `co`/`sw`/`ew` never use LIKE (whose `%`, `_` are
 *   wildcards and which folds ASCII case only): instr and substr compare characters exactly.
 * - dateTime values are RFC 3339 date-times (any offset, any precision: beyond the millisecond they
 *   compare exactly against the stored epoch milliseconds).
 */
import { asc, desc, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { parse, type Filter } from "scim2-parse-filter";
import { userGroups, users } from "../../db/schema";
import { invalid, type DomainError } from "../errors";
import { foldForSearch, normaliseEmail } from "../users/view";

const MAX_LENGTH = 2000;
const MAX_DEPTH = 20;
/** Bound values per filter: D1 binds at most 100 per statement, and the list query adds its own. */
const MAX_PARAMS = 50;

const CORE_USER_URN = "urn:ietf:params:scim:schemas:core:2.0:user:";

const MSG = {
  syntax: "The filter is not valid SCIM filter syntax (RFC 7644 §3.4.2.2).",
  tooLong: `The filter is longer than ${MAX_LENGTH} characters.`,
  tooDeep: `The filter is nested deeper than ${MAX_DEPTH} levels.`,
  control: "The filter contains a control character (such as a line break).",
  tooMany: `The filter binds more than ${MAX_PARAMS} values: split it into simpler filters.`,
  nestedValuePath: "A value filter ([...]) cannot contain another value filter.",
};

const filterError = (message: string): DomainError => invalid("The filter is not valid.", [{ field: "filter", message }]);
const sortError = (message: string): DomainError => invalid("The sortBy is not valid.", [{ field: "sortBy", message }]);

/** An attribute name as an error names it: as written, never longer than a name can sensibly be. */
function quoted(name: string): string {
  return `"${name.length > 100 ? `${name.slice(0, 100)}…` : name}"`;
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/**
 * A SCIM filter's AST (scim2-parse-filter's): refused when longer than 2,000 characters, nested
 * deeper than 20 logical levels (and/or/not/[...]), or not valid syntax. String values are read as
 * the JSON strings RFC 7644 says they are (`\"`, `\\`, `\u00e9`), which the library alone does not.
 */
export function parseScimFilter(text: string): Filter {
  if (typeof text !== "string") throw filterError(MSG.syntax);
  if (text.length > MAX_LENGTH) throw filterError(MSG.tooLong);
  // The library's string token backtracks exponentially on raw line breaks; JSON strings (and
  // RFC 7644's ABNF) never hold raw control characters anyway.
  if (/\p{Cc}/u.test(text)) throw filterError(MSG.control);
  let ast: Filter;
  try {
    ast = parse(text);
  } catch {
    throw filterError(MSG.syntax);
  }
  if (depthOf(ast) > MAX_DEPTH) throw filterError(MSG.tooDeep);
  return decoded(ast);
}

/** Logical levels: a comparison is 0, each and/or/not/[...] above it adds one. */
function depthOf(f: Filter): number {
  switch (f.op) {
    case "and":
    case "or":
      return 1 + Math.max(0, ...f.filters.map(depthOf));
    case "not":
      return 1 + depthOf(f.filter);
    case "[]":
      return 1 + depthOf(f.valFilter);
    default:
      return 0;
  }
}

/**
 * The AST with each string value read as JSON. The library doubles every backslash of a quoted
 * value except one before a quote, then JSON-parses it: what it returns is the literal as written
 * with each `\"` turned into `"`, from which the literal (and its JSON reading) is recovered.
 */
function decoded(f: Filter): Filter {
  switch (f.op) {
    case "and":
    case "or":
      return { op: f.op, filters: f.filters.map(decoded) };
    case "not":
      return { op: "not", filter: decoded(f.filter) };
    case "[]":
      return { op: "[]", attrPath: f.attrPath, valFilter: decoded(f.valFilter) };
    case "pr":
      return { op: "pr", attrPath: f.attrPath };
    default: {
      if (typeof f.compValue !== "string") return { op: f.op, attrPath: f.attrPath, compValue: f.compValue };
      let value: unknown;
      try {
        value = JSON.parse(`"${f.compValue.replace(/"/g, '\\"')}"`);
      } catch {
        throw filterError(MSG.syntax);
      }
      return { op: f.op, attrPath: f.attrPath, compValue: value as string };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Conditions: SQL that is never NULL, or a constant folded in JavaScript
// ---------------------------------------------------------------------------------------------

type Cond = SQL | boolean;

function all(conds: Cond[]): Cond {
  if (conds.some((c) => c === false)) return false;
  const rest = conds.filter((c): c is SQL => c !== true);
  if (rest.length === 0) return true;
  if (rest.length === 1) return rest[0] as SQL;
  return sql`(${sql.join(rest, sql` and `)})`;
}

function any(conds: Cond[]): Cond {
  if (conds.some((c) => c === true)) return true;
  const rest = conds.filter((c): c is SQL => c !== false);
  if (rest.length === 0) return false;
  if (rest.length === 1) return rest[0] as SQL;
  return sql`(${sql.join(rest, sql` or `)})`;
}

function not(c: Cond): Cond {
  return typeof c === "boolean" ? !c : sql`(not (${c}))`;
}

/**
 * A folded constant as SQL. False is `(1 = 0)`, not `0`: SQLite folds `… and 0` into a WHERE of
 * `0` and then plans a scan of any index (never run: a constant WHERE is tested once, before the
 * loop), which reads like a full scan; `1 = 0` is tested just as early and keeps the scope's plan.
 */
function toSql(c: Cond): SQL {
  return c === true ? sql`1` : c === false ? sql`(1 = 0)` : c;
}

/** Binds the values of one filter, counting them (D1's per-statement limit). */
class Binder {
  private count = 0;
  bind(value: string | number): SQL {
    if (++this.count > MAX_PARAMS) throw filterError(MSG.tooMany);
    return sql`${value}`;
  }
}

/** Code-point order: SQLite's BINARY collation of UTF-8 text. */
function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) as number);
  const y = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}

// ---------------------------------------------------------------------------------------------
// Attributes
// ---------------------------------------------------------------------------------------------

type CompareOp = "eq" | "ne" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le";
type Op = CompareOp | "pr";
/** A comparison the attribute compiles itself (`ne` is always `not eq`). */
type PositiveOp = Exclude<CompareOp, "ne">;

interface DateTimeValue {
  /** Epoch milliseconds, the fraction beyond them cut off. */
  ms: number;
  /** Whether the value has a non-zero fraction of a millisecond. */
  sub: boolean;
}
type Value = string | boolean | DateTimeValue;
type Kind = "string" | "boolean" | "dateTime" | "reference";

/** One comparable attribute (or sub-attribute of a multi-valued one). */
interface Scalar {
  /** Its canonical name, as errors give it. */
  name: string;
  kind: Kind;
  present(): Cond;
  compare(op: PositiveOp, value: Value, b: Binder): Cond;
}

const OPS: Record<Kind, ReadonlySet<Op>> = {
  string: new Set<Op>(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr"]),
  boolean: new Set<Op>(["eq", "ne", "pr"]),
  dateTime: new Set<Op>(["eq", "ne", "gt", "ge", "lt", "le", "pr"]),
  reference: new Set<Op>(["eq", "ne", "pr"]),
};

type Column = SQLiteColumn | SQL;

/**
 * A text column compared after `norm`; a null or (for `pr`) empty value is absent. The value of an
 * element that exists only when it has one (`inElement`: a phone, a group row) is never absent
 * there: its multi-valued attribute's `some` holds the element's existence.
 */
function textColumn(name: string, col: Column, o: { nullable: boolean; norm: (s: string) => string; kind?: "string" | "reference"; inElement?: boolean }): Scalar {
  const guard = (c: SQL): SQL => (o.nullable ? sql`(${col} is not null and ${c})` : c);
  return {
    name,
    kind: o.kind ?? "string",
    present: () => (o.inElement ? true : o.nullable ? sql`(${col} is not null and ${col} <> '')` : sql`(${col} <> '')`),
    compare(op, value, b) {
      const v = o.norm(value as string);
      // Every string contains, starts and ends with "": the attribute only needs a value.
      if (v === "" && (op === "co" || op === "sw" || op === "ew")) return o.nullable ? sql`(${col} is not null)` : true;
      switch (op) {
        case "eq":
          return guard(sql`${col} = ${b.bind(v)}`);
        case "co":
          return guard(sql`instr(${col}, ${b.bind(v)}) > 0`);
        case "sw":
          return guard(sql`substr(${col}, 1, length(${b.bind(v)})) = ${b.bind(v)}`);
        case "ew":
          return guard(sql`substr(${col}, -length(${b.bind(v)})) = ${b.bind(v)}`);
        case "gt":
          return guard(sql`${col} > ${b.bind(v)}`);
        case "ge":
          return guard(sql`${col} >= ${b.bind(v)}`);
        case "lt":
          return guard(sql`${col} < ${b.bind(v)}`);
        case "le":
          return guard(sql`${col} <= ${b.bind(v)}`);
      }
    },
  };
}

/** A string every user (or every element) has: compared in JavaScript, after lower-casing. */
function constantText(name: string, constant: string): Scalar {
  const norm = (s: string) => s.toLowerCase();
  return {
    name,
    kind: "string",
    present: () => constant !== "",
    compare(op, value) {
      const a = norm(constant);
      const v = norm(value as string);
      switch (op) {
        case "eq":
          return a === v;
        case "co":
          return a.includes(v);
        case "sw":
          return a.startsWith(v);
        case "ew":
          return a.endsWith(v);
        case "gt":
          return compareCodePoints(a, v) > 0;
        case "ge":
          return compareCodePoints(a, v) >= 0;
        case "lt":
          return compareCodePoints(a, v) < 0;
        case "le":
          return compareCodePoints(a, v) <= 0;
      }
    },
  };
}

/** A boolean held by a never-NULL condition (or a constant). */
function booleanOf(name: string, isTrue: Cond): Scalar {
  return {
    name,
    kind: "boolean",
    present: () => true,
    compare: (_op, value) => (value === true ? isTrue : not(isTrue)),
  };
}

/** An epoch-milliseconds column (never null) compared with an RFC 3339 date-time. */
function dateTimeColumn(name: string, col: SQLiteColumn): Scalar {
  return {
    name,
    kind: "dateTime",
    present: () => true,
    compare(op, value, b) {
      // A value between two milliseconds: col > v is col > ms, col >= v too; col < v is col <= ms.
      const { ms, sub } = value as DateTimeValue;
      switch (op) {
        case "eq":
          return sub ? false : sql`${col} = ${b.bind(ms)}`;
        case "gt":
          return sql`${col} > ${b.bind(ms)}`;
        case "ge":
          return sub ? sql`${col} > ${b.bind(ms)}` : sql`${col} >= ${b.bind(ms)}`;
        case "lt":
          return sub ? sql`${col} <= ${b.bind(ms)}` : sql`${col} < ${b.bind(ms)}`;
        case "le":
          return sql`${col} <= ${b.bind(ms)}`;
        default:
          throw new Error(`dateTime has no ${op}`); // unreachable: OPS.dateTime
      }
    },
  };
}

/** A multi-valued attribute: its sub-attributes, over one element, and "some element satisfies". */
interface Multi {
  name: string;
  subs: Record<string, Scalar>;
  some(element: Cond): Cond;
}

/** A complex singular attribute: only `pr` applies to it as a whole. */
interface Complex {
  name: string;
  /** Keys of SINGLE. */
  subs: string[];
  example: string;
}

const MOBILE_PRESENT = sql`(${users.mobile} is not null and ${users.mobile} <> '')`;
/** The alias of user_groups inside a groups subquery; the outer user is named by hand (see below). */
const UG_GROUP_ID = sql.raw(`"scim_ug"."group_id"`);

const SINGLE: Record<string, Scalar> = {
  id: textColumn("id", users.id, { nullable: false, norm: (s) => s }),
  externalid: textColumn("externalId", users.externalId, { nullable: true, norm: (s) => s }),
  username: textColumn("userName", users.emailNorm, { nullable: false, norm: normaliseEmail }),
  "name.givenname": textColumn("name.givenName", users.firstNameFold, { nullable: true, norm: foldForSearch }),
  "name.familyname": textColumn("name.familyName", users.lastNameFold, { nullable: true, norm: foldForSearch }),
  active: booleanOf("active", sql`(${users.status} = 'ACTIVE')`),
  "meta.created": dateTimeColumn("meta.created", users.createdAt),
  "meta.lastmodified": dateTimeColumn("meta.lastModified", users.updatedAt),
};

const COMPLEX: Record<string, Complex> = {
  name: { name: "name", subs: ["name.givenname", "name.familyname"], example: "name.givenName" },
  meta: { name: "meta", subs: ["meta.created", "meta.lastmodified"], example: "meta.created" },
};

const MULTI: Record<string, Multi> = {
  // One e-mail, always there.
  emails: {
    name: "emails",
    subs: {
      value: textColumn("emails.value", users.emailNorm, { nullable: false, norm: normaliseEmail }),
      type: constantText("emails.type", "work"),
      primary: booleanOf("emails.primary", true),
    },
    some: (element) => element,
  },
  // None or one: the mobile, when there is one.
  phonenumbers: {
    name: "phoneNumbers",
    subs: {
      // Only ever compared under MOBILE_PRESENT (`some`): never null there. (A NULL an inner `not`
      // might make of a null mobile is ANDed with MOBILE_PRESENT's 0, which is 0.)
      value: textColumn("phoneNumbers.value", users.mobile, { nullable: false, norm: (s) => s, inElement: true }),
      type: constantText("phoneNumbers.type", "mobile"),
    },
    some: (element) => all([MOBILE_PRESENT, element]),
  },
  // The user's user_groups rows. drizzle renders a column of a single-table query bare ("id"),
  // which inside this subquery would not name the outer user: it is qualified by hand.
  groups: {
    name: "groups",
    subs: { value: textColumn("groups.value", UG_GROUP_ID, { nullable: false, norm: (s) => s, kind: "reference", inElement: true }) },
    some: (element) =>
      element === false
        ? false
        : sql`exists (select 1 from ${userGroups} as "scim_ug" where "scim_ug"."user_id" = ${sql.raw(`"users"."id"`)}${element === true ? sql`` : sql` and ${element}`})`,
  },
};

/** A table's own entry (never Object.prototype's: `constructor` is no attribute). */
function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** The attribute path without the core User schema's URN, lower-cased (names are case-insensitive). */
function canonicalPath(attrPath: string): string {
  const lower = attrPath.toLowerCase();
  return lower.startsWith(CORE_USER_URN) ? lower.slice(CORE_USER_URN.length) : lower;
}

type Target = { scalar: Scalar; multi?: Multi } | { complex: Complex };

/** What a top-level attribute path compares. */
function resolve(attrPath: string): Target {
  const path = canonicalPath(attrPath);
  const single = own(SINGLE, path);
  if (single) return { scalar: single };
  const dot = path.indexOf(".");
  const head = dot === -1 ? path : path.slice(0, dot);
  const sub = dot === -1 ? "value" : path.slice(dot + 1);
  const multi = own(MULTI, head);
  const scalar = multi && own(multi.subs, sub);
  if (multi && scalar) return { scalar, multi };
  const complex = own(COMPLEX, path);
  if (complex) return { complex };
  throw filterError(`Unknown attribute ${quoted(attrPath)}.`);
}

/** The value of a comparison, checked against the attribute's type. */
function valueFor(scalar: Scalar, compValue: unknown): Value {
  switch (scalar.kind) {
    case "string":
    case "reference":
      if (typeof compValue !== "string") throw filterError(`Attribute ${quoted(scalar.name)} is compared with a string value.`);
      return compValue;
    case "boolean":
      if (typeof compValue !== "boolean") throw filterError(`Attribute ${quoted(scalar.name)} is compared with true or false.`);
      return compValue;
    case "dateTime": {
      const v = typeof compValue === "string" ? parseDateTime(compValue) : undefined;
      if (v === undefined) throw filterError(`Attribute ${quoted(scalar.name)} is compared with an RFC 3339 date-time, such as "2024-01-31T09:30:00Z".`);
      return v;
    }
  }
}

/** A comparison (or `pr`) on one scalar, at the level it is evaluated at (the user, or an element). */
function compareScalar(scalar: Scalar, op: Op, compValue: unknown, b: Binder): Cond {
  if (!OPS[scalar.kind].has(op)) throw filterError(`Operator "${op}" is not supported on attribute ${quoted(scalar.name)}.`);
  if (op === "pr") return scalar.present();
  if (compValue === null) {
    if (op === "eq") return not(scalar.present());
    if (op === "ne") return scalar.present();
    throw filterError(`Attribute ${quoted(scalar.name)} can be compared with null only by "eq" or "ne".`);
  }
  const value = valueFor(scalar, compValue);
  return op === "ne" ? not(scalar.compare("eq", value, b)) : scalar.compare(op, value, b);
}

/** The filter's comparison ops, as the library spells them (lower case). */
function isOp(op: string): op is Op {
  return op === "pr" || op === "eq" || op === "ne" || op === "co" || op === "sw" || op === "ew" || op === "gt" || op === "ge" || op === "lt" || op === "le";
}

function compile(f: Filter, b: Binder): Cond {
  switch (f.op) {
    case "and":
      return all(f.filters.map((x) => compile(x, b)));
    case "or":
      return any(f.filters.map((x) => compile(x, b)));
    case "not":
      return not(compile(f.filter, b));
    case "[]": {
      const path = canonicalPath(f.attrPath);
      const multi = own(MULTI, path);
      if (!multi) {
        if (own(SINGLE, path) || own(COMPLEX, path)) throw filterError(`Attribute ${quoted(f.attrPath)} does not take a value filter ([...]).`);
        throw filterError(`Unknown attribute ${quoted(f.attrPath)}.`);
      }
      return multi.some(compileElement(f.valFilter, multi, b));
    }
    default: {
      if (!isOp(f.op)) throw filterError(MSG.syntax);
      const compValue = f.op === "pr" ? undefined : f.compValue;
      const target = resolve(f.attrPath);
      if ("complex" in target) {
        const { complex } = target;
        if (f.op !== "pr") throw filterError(`Attribute ${quoted(complex.name)} is complex: compare one of its sub-attributes, such as ${quoted(complex.example)}.`);
        return any(complex.subs.map((s) => (SINGLE[s] as Scalar).present()));
      }
      const { scalar, multi } = target;
      if (!multi) return compareScalar(scalar, f.op, compValue, b);
      // Some value of a multi-valued attribute matches; `ne` (and `eq null`) is "none does".
      if (f.op === "ne" && compValue !== null) return not(multi.some(compareScalar(scalar, "eq", compValue, b)));
      if (f.op === "eq" && compValue === null) return not(multi.some(scalar.present()));
      if (f.op === "ne") return multi.some(scalar.present());
      return multi.some(compareScalar(scalar, f.op, compValue, b));
    }
  }
}

/** A value path's filter, over one element of `multi` (sub-attributes named bare: `type`, `value`). */
function compileElement(f: Filter, multi: Multi, b: Binder): Cond {
  switch (f.op) {
    case "and":
      return all(f.filters.map((x) => compileElement(x, multi, b)));
    case "or":
      return any(f.filters.map((x) => compileElement(x, multi, b)));
    case "not":
      return not(compileElement(f.filter, multi, b));
    case "[]":
      throw filterError(MSG.nestedValuePath);
    default: {
      if (!isOp(f.op)) throw filterError(MSG.syntax);
      const scalar = own(multi.subs, f.attrPath.toLowerCase());
      if (!scalar) throw filterError(`Unknown attribute ${quoted(`${multi.name}.${f.attrPath}`)}.`);
      return compareScalar(scalar, f.op, f.op === "pr" ? undefined : f.compValue, b);
    }
  }
}

/**
 * The filter as a SQL boolean expression over `users` (to AND with the caller's own scope: tenant,
 * customer, live rows). Throws INVALID (field `filter`) on an unknown attribute, an operator the
 * attribute's type does not take, or a value of the wrong type.
 */
export function scimFilterSql(filter: Filter): SQL {
  return toSql(compile(filter, new Binder()));
}

// ---------------------------------------------------------------------------------------------
// RFC 3339 date-times
// ---------------------------------------------------------------------------------------------

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** An RFC 3339 date-time (§5.6) as epoch milliseconds; undefined when it is not one. */
function parseDateTime(text: string): DateTimeValue | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = "", sign, oh = "00", om = "00"] = m as unknown as string[];
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const second = Number(s);
  const daysInMonth = [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (month < 1 || month > 12 || day < 1 || day > (daysInMonth[month - 1] as number)) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || second > 60 || Number(oh) > 23 || Number(om) > 59) return undefined;
  // A leap second (:60) is the instant the next minute starts, as POSIX time counts it.
  const ms3 = (frac + "000").slice(0, 3);
  const utc = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${second === 60 ? "59" : s}.${ms3}Z`);
  if (Number.isNaN(utc)) return undefined;
  const offset = sign === undefined ? 0 : (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
  return { ms: utc + (second === 60 ? 1000 : 0) - offset, sub: /[1-9]/.test(frac.slice(3)) };
}

// ---------------------------------------------------------------------------------------------
// Sorting
// ---------------------------------------------------------------------------------------------

/** What each sortable attribute sorts by: the value as compared (caseExact or normalised); '' sorts as no value. */
const SORTS: Record<string, { expr: SQLiteColumn | SQL; nullable: boolean }> = {
  id: { expr: users.id, nullable: false },
  externalid: { expr: sql`nullif(${users.externalId}, '')`, nullable: true },
  username: { expr: users.emailNorm, nullable: false },
  emails: { expr: users.emailNorm, nullable: false },
  "emails.value": { expr: users.emailNorm, nullable: false },
  "name.givenname": { expr: sql`nullif(${users.firstNameFold}, '')`, nullable: true },
  "name.familyname": { expr: sql`nullif(${users.lastNameFold}, '')`, nullable: true },
  phonenumbers: { expr: sql`nullif(${users.mobile}, '')`, nullable: true },
  "phonenumbers.value": { expr: sql`nullif(${users.mobile}, '')`, nullable: true },
  "meta.created": { expr: users.createdAt, nullable: false },
  "meta.lastmodified": { expr: users.updatedAt, nullable: false },
};

/**
 * ORDER BY terms for SCIM's sortBy/sortOrder (§3.4.2.3): by the attribute's value as it compares
 * (case-insensitive attributes by their normalised column), users without a value last when
 * ascending and first when descending, then by id in the same direction. Without sortBy: the
 * customer's creation order (createdAt, id ascending; sortOrder alone changes nothing).
 */
export function scimOrderBy(sortBy: string | undefined, sortOrder: "ascending" | "descending" | undefined): SQL[] {
  if (sortBy === undefined) return [asc(users.createdAt), asc(users.id)];
  const key = own(SORTS, canonicalPath(sortBy));
  if (!key) {
    const named = /^[\w.:/-]{1,100}$/.test(sortBy) ? ` ${quoted(sortBy)}` : " the given attribute";
    throw sortError(`Cannot sort by${named}: sortBy is one of id, externalId, userName, emails.value, name.givenName, name.familyName, phoneNumbers.value, meta.created, meta.lastModified.`);
  }
  const descending = sortOrder === "descending";
  const by = (e: SQLiteColumn | SQL): SQL => (descending ? desc(e) : asc(e));
  const first = key.nullable ? (descending ? sql`${key.expr} desc nulls first` : sql`${key.expr} asc nulls last`) : by(key.expr);
  return key.expr === users.id ? [first] : [first, by(users.id)];
}
