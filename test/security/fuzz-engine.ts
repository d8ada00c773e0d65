/**
 * The schema-driven fuzzer (issue 6 §3): for one operation of /doc it builds requests from the
 * operation's own request schemas — path, query and header parameters and the JSON body — and
 * sends three kinds of them:
 *
 * - valid: every part generated from its schema (real ids and unique values come from the file's
 *   fixtures through "hints"); it must not be refused as bad input (no 400/413/415 unless the
 *   fixture names the business reason);
 * - odd: still valid, but unusual — percent-encoded or upper-case ids, lone surrogates, RTL and
 *   zero-width characters, duplicate JSON keys whose last value is valid;
 * - invalid: one part broken — wrong types, missing required fields, extra (mass-assigned)
 *   properties, over-long strings, huge numbers, values outside enums, patterns and formats,
 *   invalid JSON, a wrong content type, deep nesting, duplicate keys whose last value is wrong,
 *   bodies over 64 KiB; it must be refused with a 4xx (some with an exact status).
 *
 * On top of these, hostile strings (issue 11 §9) go into every string field of the body, path and
 * query: control characters, quotes and brackets, combining marks, astral characters, and for
 * e-mail fields addresses `format: "email"` refuses or oddly accepts. Each such case is valid,
 * invalid or odd by the model in `hostileVerdict` (/doc's schema with its formats, then the core's
 * user-field rules).
 *
 * Every answer is then checked: never a 5xx; a status the operation documents; a body that fits the
 * schema /doc gives that status (no body where it documents none); and no secret, hash, SQL, driver
 * or stack text anywhere in it.
 */
import fc from "fast-check";
import { call, type Reply } from "../harness";
import { FORMATS, validate } from "../worth/contract";
import { FUZZ_CASES_PER_OPERATION, FUZZ_SEED, FUZZ_VERBOSE } from "./fuzz.config";

export type Schema = Record<string, unknown>;

export interface Doc {
  paths: Record<string, Record<string, DocOperation>>;
  components?: Record<string, Record<string, unknown>>;
}

interface Param {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema: Schema;
}

export interface DocOperation {
  parameters?: Param[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

export interface Operation {
  /** `METHOD /path/{param}` as in /doc. */
  key: string;
  method: string;
  path: string;
  op: DocOperation;
}

/** Every operation of the document, in document order. */
export function operationsOf(doc: Doc): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, op })),
  );
}

/** A hint returning this leaves the parameter or property out. */
export const OMIT = Symbol("omit");

/**
 * What a test file knows that the schema does not: which ids exist, which values must be unique.
 * Keys: `path:<name>`, `query:<name>`, `header:<name>`, `body` (the whole body) or `body.<prop>`.
 */
export type Hints = Record<string, fc.Arbitrary<unknown>>;

export interface OpFixture {
  /** Bearer token sent with every case (none for the token endpoint). */
  token?: string;
  hints?: Hints;
  /**
   * Statuses in 400/413/415 a valid request may get for a business reason the schema cannot
   * express, each with a predicate on the reply that recognises that reason.
   */
  validRefusals?: ((r: Reply) => boolean)[];
}

export type Kind = "valid" | "odd" | "invalid";

/** One request, ready to send. */
export interface Case {
  kind: Kind;
  label: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** For invalid cases whose refusal is exact (415, 413, ...). */
  expect?: number[];
}

// ------------------------------------------------------------------------------------------------
// Schemas

function resolve(doc: Doc, node: unknown): Schema {
  let n = (node ?? {}) as Schema;
  for (let i = 0; i < 10 && typeof n.$ref === "string"; i++) {
    const parts = (n.$ref as string).replace(/^#\//, "").split("/");
    let cur: unknown = doc;
    for (const p of parts) cur = (cur as Record<string, unknown>)[p];
    if (cur === undefined) throw new Error(`unresolved $ref ${n.$ref as string}`);
    n = cur as Schema;
  }
  return n;
}

/** The schema with its $ref resolved and its allOf parts merged into one. */
export function flat(doc: Doc, node: unknown): Schema {
  const s = resolve(doc, node);
  if (!Array.isArray(s.allOf)) return s;
  const merged: Schema = { ...s };
  delete merged.allOf;
  for (const part of s.allOf as unknown[]) {
    const p = flat(doc, part);
    for (const [k, v] of Object.entries(p)) {
      if (k === "properties") merged.properties = { ...(merged.properties as object), ...(v as object) };
      else if (k === "required") merged.required = [...((merged.required as string[]) ?? []), ...(v as string[])];
      else if (!(k in merged) || k !== "description") merged[k] = v;
    }
  }
  return merged;
}

function typesOf(s: Schema): string[] {
  if (s.type === undefined) return [];
  return Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
}

/** The JSON types a schema admits, or undefined when it admits anything we cannot tell. */
function allowedTypes(doc: Doc, node: unknown): Set<string> | undefined {
  const s = flat(doc, node);
  const alts = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (alts) {
    const out = new Set<string>();
    for (const a of alts) {
      const t = allowedTypes(doc, a);
      if (t === undefined) return undefined;
      for (const x of t) out.add(x);
    }
    return out;
  }
  const types = typesOf(s);
  if (types.length > 0) {
    const out = new Set(types);
    if (out.has("number")) out.add("integer");
    if (s.nullable === true) out.add("null");
    return out;
  }
  if (Array.isArray(s.enum)) return new Set((s.enum as unknown[]).map(jsonType));
  return undefined;
}

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

// ------------------------------------------------------------------------------------------------
// Valid values

let serial = 0;
/** A unique, boring e-mail every validator accepts (zod's z.email() included). */
export const uniqueEmail = (): fc.Arbitrary<string> =>
  fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/), fc.constantFrom("", "+tag", "_x", "-y")).map(([a, b]) => `${a}${b}.${(++serial).toString(36)}@fuzz.example.com`);

/** A unique lower-case DNS name (a tenant domain or an X-Tenant value). */
export const uniqueDomain = (): fc.Arbitrary<string> => fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/).map((s) => `${s}-${(++serial).toString(36)}.fuzz.example`);

/** Text that is not blank and fits the limits (ASCII mostly; odd Unicode is the "odd" kind's job). */
function text(min: number, max: number): fc.Arbitrary<string> {
  const cap = Math.max(min, Math.min(max, 40));
  return fc.oneof(
    { weight: 8, arbitrary: fc.string({ minLength: Math.max(min, 1), maxLength: cap }).filter((s) => s.trim().length > 0) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: Math.max(min, 1), maxLength: cap }).filter((s) => s.trim().length > 0 && s.length <= max) },
    { weight: 1, arbitrary: fc.constant("M".repeat(Math.max(min, Math.min(max, 255)))) },
  );
}

const isoDate = fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true }).map((d) => d.toISOString());

function stringArb(s: Schema): fc.Arbitrary<string> {
  const min = typeof s.minLength === "number" ? s.minLength : 0;
  const max = typeof s.maxLength === "number" ? s.maxLength : 1000;
  if (s.format === "uuid") return fc.uuid();
  if (s.format === "email") return uniqueEmail();
  if (s.format === "date-time") return isoDate;
  if (typeof s.pattern === "string") {
    try {
      return fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length >= min && v.length <= max);
    } catch {
      throw new Error(`pattern ${s.pattern} needs a hint`);
    }
  }
  return text(min, max);
}

function hintFor(hints: Hints, path: string): fc.Arbitrary<unknown> | undefined {
  return Object.hasOwn(hints, path) ? hints[path] : undefined;
}

/** A value valid for the schema; `path` (e.g. `body.subrole`) finds hints. */
export function valueArb(doc: Doc, node: unknown, hints: Hints, path: string): fc.Arbitrary<unknown> {
  const hinted = hintFor(hints, path);
  if (hinted) return hinted;
  const s = flat(doc, node);
  if ("const" in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  const alts = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (alts) return fc.oneof(...alts.map((a) => valueArb(doc, a, hints, path)));
  const types = typesOf(s);
  if (types.length > 1) {
    return fc.oneof(...types.map((t) => ({ weight: t === "null" ? 1 : 3, arbitrary: valueArb(doc, { ...s, type: t }, hints, path) })));
  }
  switch (types[0]) {
    case "null":
      return fc.constant(null);
    case "string":
      return stringArb(s);
    case "boolean":
      return fc.boolean();
    case "integer": {
      const min = typeof s.minimum === "number" ? s.minimum : -1000;
      const max = typeof s.maximum === "number" ? s.maximum : 1000;
      return fc.oneof({ weight: 4, arbitrary: fc.integer({ min, max: Math.min(max, min + 25) }) }, { weight: 1, arbitrary: fc.integer({ min, max }) });
    }
    case "number":
      return fc.double({ min: typeof s.minimum === "number" ? s.minimum : -1e6, max: typeof s.maximum === "number" ? s.maximum : 1e6, noNaN: true });
    case "array": {
      const maxItems = Math.min(typeof s.maxItems === "number" ? s.maxItems : 4, 4);
      const item = valueArb(doc, s.items, hints, `${path}[]`);
      const items = flat(doc, s.items);
      // Sets of enum values (permissions, scopes) are sets: no repeats.
      if (Array.isArray(items.enum)) return fc.subarray(items.enum as unknown[], { maxLength: maxItems });
      return fc.uniqueArray(item, { maxLength: maxItems, selector: (v) => JSON.stringify(v) });
    }
    case "object":
    case undefined: {
      const props = (s.properties ?? {}) as Record<string, unknown>;
      if (types[0] === undefined && Object.keys(props).length === 0) return fc.jsonValue({ maxDepth: 2 });
      const required = new Set((s.required as string[] | undefined) ?? []);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) model[k] = valueArb(doc, v, hints, `${path}.${k}`);
      const minProps = typeof s.minProperties === "number" ? s.minProperties : 0;
      return fc
        .record(model, { requiredKeys: [...required].filter((k) => k in model) })
        .map((o) => dropOmitted(o))
        .filter((o) => Object.keys(o as object).length >= minProps);
    }
    default:
      throw new Error(`no generator for type ${String(types[0])} at ${path}`);
  }
}

function dropOmitted(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== OMIT) out[k] = v;
  return out;
}

// ------------------------------------------------------------------------------------------------
// Requests

const NO_BODY = Symbol("no body");

interface Parts {
  path: Record<string, string>;
  /** Path values already encoded (odd cases); others are encodeURIComponent'ed. */
  encoded: Record<string, string>;
  /** Name, value and whether the value is already percent-encoded (odd bytes a client may send). */
  query: [string, string, boolean?][];
  headers: Record<string, string>;
  body: unknown;
  contentType: string | undefined;
  /** Sent as is instead of the serialised body. */
  raw?: string;
}

function queryValues(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  return [String(v)];
}

/** Valid request parts for an operation. */
function validParts(doc: Doc, o: Operation, fx: OpFixture): fc.Arbitrary<Parts> {
  const hints = fx.hints ?? {};
  const params = o.op.parameters ?? [];
  const pathModel: Record<string, fc.Arbitrary<unknown>> = {};
  const queryModel: Record<string, fc.Arbitrary<unknown>> = {};
  const headerModel: Record<string, fc.Arbitrary<unknown>> = {};
  const requiredQuery: string[] = [];
  const requiredHeaders: string[] = [];
  for (const p of params) {
    const arb = valueArb(doc, p.schema, hints, `${p.in}:${p.name}`);
    if (p.in === "path") pathModel[p.name] = arb;
    else if (p.in === "query") {
      queryModel[p.name] = arb;
      if (p.required) requiredQuery.push(p.name);
    } else if (p.in === "header") {
      headerModel[p.name] = arb;
      if (p.required) requiredHeaders.push(p.name);
    }
  }
  // Optional query parameters are few per request, as real clients send them.
  const optionalQuery = Object.keys(queryModel).filter((k) => !requiredQuery.includes(k));
  const queryArb = fc
    .subarray(optionalQuery, { maxLength: Math.min(3, optionalQuery.length) })
    .chain((chosen) => {
      const keys = [...requiredQuery, ...chosen];
      return fc.tuple(...keys.map((k) => queryModel[k]!)).map((vals) => {
        const out: [string, string, boolean?][] = [];
        keys.forEach((k, i) => {
          if (vals[i] === OMIT || vals[i] === undefined) return;
          for (const v of queryValues(vals[i])) out.push([k, v]);
        });
        return out;
      });
    });
  const body = o.op.requestBody;
  const types = body ? Object.keys(body.content) : [];
  const bodyArb: fc.Arbitrary<{ body: unknown; contentType: string | undefined }> =
    types.length === 0
      ? fc.constant({ body: NO_BODY, contentType: undefined })
      : // A text body (an import's CSV) has its own hint, `body@<media type>`: it is sent as it is.
        fc.constantFrom(...types).chain((t) => valueArb(doc, body!.content[t]!.schema, hints, t.startsWith("text/") ? `body@${t}` : "body").map((b) => ({ body: b, contentType: t })));
  return fc
    .record({
      path: fc.record(pathModel),
      query: queryArb,
      headers: fc.record(headerModel, { requiredKeys: requiredHeaders }),
      body: bodyArb,
    })
    .map((r) => ({
      path: Object.fromEntries(Object.entries(r.path).map(([k, v]) => [k, String(v)])),
      encoded: {},
      query: r.query,
      headers: Object.fromEntries(Object.entries(dropOmitted(r.headers)).map(([k, v]) => [k, String(v)])),
      body: r.body.body,
      contentType: r.body.contentType,
    }));
}

function serialise(o: Operation, parts: Parts, fx: OpFixture, kind: Kind, label: string, expect?: number[]): Case {
  const path = o.path.replace(/\{([^}]+)\}/g, (_, name: string) => parts.encoded[name] ?? encodeURIComponent(parts.path[name] ?? ""));
  const qs = parts.query.map(([k, v, raw]) => `${encodeURIComponent(k)}=${raw ? v : encodeURIComponent(v)}`).join("&");
  const headers: Record<string, string> = { ...parts.headers };
  if (fx.token !== undefined) headers.authorization = `Bearer ${fx.token}`;
  let body: string | undefined;
  if (parts.raw !== undefined) body = parts.raw;
  else if (parts.body !== NO_BODY && parts.body !== undefined) {
    body =
      parts.contentType === "application/x-www-form-urlencoded" && isFlat(parts.body)
        ? new URLSearchParams(parts.body as Record<string, string>).toString()
        : parts.contentType?.startsWith("text/") && typeof parts.body === "string"
          ? parts.body
          : JSON.stringify(parts.body);
  }
  if (parts.contentType !== undefined) headers["content-type"] = parts.contentType;
  return { kind, label, method: o.method, url: qs ? `${path}?${qs}` : path, headers, ...(body !== undefined ? { body } : {}), ...(expect ? { expect } : {}) };
}

function isFlat(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string");
}

// ------------------------------------------------------------------------------------------------
// Fields of a body, for mutations

interface Field {
  path: (string | number)[];
  schema: Schema;
  /** Schema of the object holding it (for required / additionalProperties). */
  parent: Schema;
}

/** Every property present in `value` whose schema is known, depth first. */
function fieldsOf(doc: Doc, node: unknown, value: unknown, path: (string | number)[] = []): Field[] {
  let s = flat(doc, node);
  const alts = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (alts) {
    const fit = alts.find((a) => validate(doc as never, a, value).length === 0);
    if (fit === undefined) return [];
    s = flat(doc, fit);
  }
  const out: Field[] = [];
  if (value !== null && typeof value === "object" && !Array.isArray(value) && s.properties) {
    for (const [k, child] of Object.entries(s.properties as Record<string, unknown>)) {
      if (!(k in (value as object))) continue;
      const cs = flat(doc, child);
      out.push({ path: [...path, k], schema: cs, parent: s });
      out.push(...fieldsOf(doc, cs, (value as Record<string, unknown>)[k], [...path, k]));
    }
  }
  if (Array.isArray(value) && value.length > 0 && s.items) out.push(...fieldsOf(doc, s.items, value[0], [...path, 0]));
  return out;
}

/** Objects in the body (the body itself included) with the schema describing each. */
function objectsOf(doc: Doc, node: unknown, value: unknown, path: (string | number)[] = []): { path: (string | number)[]; schema: Schema }[] {
  let s = flat(doc, node);
  const alts = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (alts) {
    const fit = alts.find((a) => validate(doc as never, a, value).length === 0);
    if (fit === undefined) return [];
    s = flat(doc, fit);
  }
  if (value === null || typeof value !== "object") return [];
  if (Array.isArray(value)) return value.length > 0 && s.items ? objectsOf(doc, s.items, value[0], [...path, 0]) : [];
  const out = [{ path, schema: s }];
  for (const [k, child] of Object.entries((s.properties ?? {}) as Record<string, unknown>)) {
    if (k in (value as object)) out.push(...objectsOf(doc, child, (value as Record<string, unknown>)[k], [...path, k]));
  }
  return out;
}

function setAt(root: unknown, path: (string | number)[], v: unknown): unknown {
  if (path.length === 0) return v;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let cur = copy;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<string | number, unknown>;
  cur[path.at(-1)!] = v;
  return copy;
}

function deleteAt(root: unknown, path: (string | number)[]): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let cur = copy;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<string | number, unknown>;
  delete cur[path.at(-1)!];
  return copy;
}

const nested = (depth: number, open: string, close: string, inner = "1") => `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
const DEEP_ARRAY_TEXT = nested(3000, "[", "]");
const DEEP_OBJECT_TEXT = nested(3000, '{"a":', "}");
const DEEP_ARRAY_VALUE: unknown = JSON.parse(nested(500, "[", "]"));
const BIG_BODY = JSON.stringify({ padding: "p".repeat(70 * 1024) });
const TEN_K = "y".repeat(10_000);

const breakerCache = new WeakMap<Schema, [string, unknown][]>();

/** Values that certainly break a field of this schema, each with a label (cached per schema). */
function breakers(doc: Doc, s: Schema): [string, unknown][] {
  let cached = breakerCache.get(s);
  if (!cached) breakerCache.set(s, (cached = computeBreakers(doc, s)));
  return cached;
}

function computeBreakers(doc: Doc, s: Schema): [string, unknown][] {
  const out: [string, unknown][] = [];
  const allowed = allowedTypes(doc, s);
  if (allowed) {
    const candidates: [string, unknown][] = [
      ["a number", 12345],
      ["a float", 1.5],
      ["a boolean", true],
      ["a string", "text"],
      ["an array", ["x"]],
      ["an object", { x: 1 }],
      ["null", null],
      ["a huge number", 1e308],
      ["2^64", 18446744073709551616],
      ["a deep array", DEEP_ARRAY_VALUE],
    ];
    for (const [label, v] of candidates) {
      const t = jsonType(v);
      if (!allowed.has(t) && !(t === "integer" && allowed.has("number"))) out.push([`${label} where ${[...allowed].join("|")} is expected`, v]);
    }
  }
  const types = typesOf(s);
  if (types.includes("string") || (allowed?.has("string") ?? false)) {
    if (typeof s.maxLength === "number") {
      out.push([`${s.maxLength + 1} characters (max ${s.maxLength})`, "x".repeat(s.maxLength + 1)]);
      out.push(["10,000 characters", TEN_K]);
    }
    if (typeof s.minLength === "number" && s.minLength > 0) out.push([`shorter than ${s.minLength}`, "x".repeat(s.minLength - 1)]);
    if (Array.isArray(s.enum)) out.push(["a value outside the enum", "NOT-IN-ENUM"]);
    if (s.format === "uuid") out.push(["not a uuid", "not-a-uuid"], ["a uuid with a tail", "3f0c2a64-1f7e-4c55-9a57-4ad1f2f2d9b1x"]);
    if (s.format === "email") out.push(["not an e-mail", "no-at-sign"], ["an e-mail with spaces inside", "a b@c d"]);
    if (s.format === "date-time") out.push(["not a date-time", "2026-13-45T99:99:99Z"]);
    if (typeof s.pattern === "string") {
      const re = new RegExp(s.pattern);
      for (const v of ["UPPER CASE!", "-leading", "a b", "é"]) if (!re.test(v)) out.push([`${JSON.stringify(v)} against ${s.pattern}`, v]);
    }
  }
  if (types.includes("integer") || types.includes("number")) {
    if (typeof s.maximum === "number") out.push([`above ${s.maximum}`, s.maximum + 1]);
    if (typeof s.minimum === "number") out.push([`below ${s.minimum}`, s.minimum - 1]);
    if (types.includes("integer")) out.push(["not an integer", 2.5]);
  }
  if (types.includes("array") && typeof s.maxItems === "number") {
    const item = flat(doc, s.items);
    const many = Array.isArray(item.enum) ? Array.from({ length: s.maxItems + 1 }, (_, i) => (item.enum as unknown[])[i % (item.enum as unknown[]).length]) : Array.from({ length: s.maxItems + 1 }, () => ({}));
    out.push([`more than ${s.maxItems} items`, many]);
  }
  if (types.includes("array") && allowed?.has("array")) {
    const item = flat(doc, s.items);
    const itemBreakers = breakers(doc, item).filter(([l]) => !l.startsWith("a deep"));
    if (itemBreakers[0]) out.push([`an item that is ${itemBreakers[0][0]}`, [itemBreakers[0][1]]]);
  }
  return out;
}

/** Strings for free-text fields: valid, but unusual. */
export const ODD_STRINGS = [
  "\ud800",
  "a\udfffb",
  "\u202egnp.exe",
  "zero\u200bwidth\u200djoin",
  "\ufeffbom",
  "\u0000nul",
  "עברית مرحبا",
  "🧪👩🏽‍🔬",
  "e\u0301\u0301\u0301",
  "' OR 1=1; DROP TABLE users; --",
  "<script>alert(1)</script>",
  "${jndi:ldap://x}",
  "%00%2e%2e%2f",
  "Ｆｕｌｌｗｉｄｔｈ",
];

/**
 * Odd values for free-text URL parameters, already percent-encoded: RTL override, zero-width
 * joiner, NUL, emoji, a lone surrogate and invalid or overlong UTF-8 (no well-formed string encodes
 * to those, so only raw bytes can carry them).
 */
export const ODD_URL_VALUES = ["%E2%80%AEgnp.exe", "zero%E2%80%8Bwidth", "%00", "%F0%9F%A7%AA", "%ED%A0%80", "%FF%FE%FD", "%C0%AF", "%25%32%66", "a%2Fb"];

function isFreeText(s: Schema): boolean {
  return (
    typesOf(s).includes("string") &&
    s.format === undefined &&
    s.pattern === undefined &&
    s.enum === undefined &&
    !(typeof s.maxLength === "number" && s.maxLength < 20) &&
    !(typeof s.minLength === "number" && s.minLength > 1)
  );
}

// ------------------------------------------------------------------------------------------------
// Hostile strings (issue 11 §9)

/** A hostile value; `value()` is called per case (valid e-mails are made unique). */
interface Hostile {
  label: string;
  value: () => string;
}

const constant = (label: string, v: string): Hostile => ({ label, value: () => v });

/** Sent to every string field. */
export const HOSTILE_STRINGS: Hostile[] = [
  constant("U+0001", "\u0001"),
  constant("U+007F", "\u007f"),
  constant("U+009F", "\u009f"),
  constant("a newline inside", "a\nb"),
  constant("a tab inside", "a\tb"),
  constant("NUL inside", "a\u0000b"),
  constant("quotes and brackets", `"'<>[]{}`),
  constant("a combining mark", "e\u0301"),
  constant("a combining mark alone", "\u0301 alone"),
  constant("an emoji (astral)", "😀"),
  constant("a mathematical letter (astral)", "𝔘"),
  constant("astral letters with combining marks", "𝔘\u0301𝔘\u0308 😀"),
];

/** Addresses that `format: "email"` refuses: each must be refused wherever an e-mail is documented. */
export const HOSTILE_EMAILS: Hostile[] = [
  constant("e-mail with a quote and an empty local part", '"@.example.com'),
  constant("e-mail with non-ASCII, brackets and a backslash", "Ω@<[é\\..example.com"),
  constant("e-mail without a dot in the domain", "a@b"),
  constant("e-mail with an empty domain label", "a@b..c"),
  constant("e-mail with a space", "a b@c.d"),
  constant("e-mail with a label starting with a hyphen", "a@-b.com"),
  constant("e-mail with a control character", "a\u0001b@example.com"),
  constant("e-mail with a newline inside", "a@example.com\nb@example.com"),
  constant("e-mail with an emoji", "😀@example.com"),
  constant("e-mail with two @", "a@b@example.com"),
  constant("e-mail ending in a dot", "a@example.com."),
];

/** Unusual addresses `format: "email"` accepts (unique per case, so a create is never a duplicate). */
export const ODD_VALID_EMAILS: Hostile[] = [
  { label: "e-mail in upper case with an apostrophe", value: () => `O'BRIEN+${(++serial).toString(36)}@EXAMPLE.COM` },
  { label: "e-mail with a tag and a deep domain", value: () => `First.Last+tag.${(++serial).toString(36)}@sub.example.co.uk` },
  { label: "e-mail with braces, a pipe and a tilde", value: () => `{x}|y~${(++serial).toString(36)}@xn--bcher-kva.example` },
];

/**
 * The product's rules for user text fields that /doc cannot express (src/core/users/fields.ts):
 * names refuse blank text and control characters, a mobile control characters.
 */
const USER_TEXT: Record<string, "name" | "mobile"> = { firstName: "name", lastName: "name", first_name: "name", last_name: "name", mobile: "mobile" };

const CONTROL = /\p{Cc}/u;

/** The string alternative of a schema (the schema itself unless it is a union), or undefined if it admits none. */
function stringSchemaOf(doc: Doc, node: unknown): Schema | undefined {
  const s = flat(doc, node);
  const alts = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (alts) {
    for (const a of alts) {
      const found = stringSchemaOf(doc, a);
      if (found) return found;
    }
    return undefined;
  }
  const allowed = allowedTypes(doc, s);
  return allowed === undefined || allowed.has("string") ? s : undefined;
}

/**
 * What the product must answer a string in a field (`property`: the body property's name; none for
 * a parameter, whose `first_name` is a filter, not a name):
 * - invalid (a 4xx) when /doc's schema refuses it — its type, enum, const, length, pattern, or
 *   format as ajv-formats defines it — or when the core's rule for user names and mobiles does;
 * - valid (never refused as bad input) when it is an e-mail by `format: "email"` (that format is
 *   the core's whole rule for an e-mail), or a user name or mobile the core's rule accepts;
 * - odd (not asserted) otherwise: the field's own rule is not modelled here (a reference to data
 *   such as a subrole code, a key, a secret, a filter).
 */
export function hostileVerdict(doc: Doc, schema: unknown, property: string | undefined, value: string): Kind {
  if (validate(doc as never, schema, value).length > 0) return "invalid";
  const s = stringSchemaOf(doc, schema);
  if (s?.format === "email") return FORMATS.email!(value) ? "valid" : "invalid";
  const rule = property !== undefined && Object.hasOwn(USER_TEXT, property) ? USER_TEXT[property] : undefined;
  if (rule === undefined) return "odd";
  if (CONTROL.test(value) || (rule === "name" && value.trim() === "")) return "invalid";
  return "valid";
}

/** The hostile values for a field: every string field gets the strings, an e-mail field the addresses too. */
function hostileValues(doc: Doc, schema: unknown): Hostile[] {
  const s = stringSchemaOf(doc, schema);
  if (s === undefined) return [];
  return s.format === "email" ? [...HOSTILE_STRINGS, ...HOSTILE_EMAILS, ...ODD_VALID_EMAILS] : HOSTILE_STRINGS;
}

/** Hostile strings in every string parameter (path, query) and body field, each case of the kind the model gives. */
function hostileMutations(doc: Doc, o: Operation, base: Parts): Mutation[] {
  const out: Mutation[] = [];
  const add = (where: string, schema: unknown, property: string | undefined, set: (v: string) => Partial<Parts>) => {
    for (const h of hostileValues(doc, schema)) {
      // Every value of a Hostile shares its verdict (unique e-mails differ only in a counter).
      const kind = hostileVerdict(doc, schema, property, h.value());
      out.push({ label: `${where}: hostile ${h.label}`, kind, make: () => ({ ...base, ...set(h.value()) }) });
    }
  };
  for (const p of o.op.parameters ?? []) {
    if (p.in === "path") add(`path ${p.name}`, p.schema, undefined, (v) => ({ path: { ...base.path, [p.name]: v } }));
    else if (p.in === "query") add(`query ${p.name}`, p.schema, undefined, (v) => ({ query: [...base.query.filter(([k]) => k !== p.name), [p.name, v]] }));
  }
  const json = o.op.requestBody?.content["application/json"]?.schema;
  const body = base.body;
  if (json && base.contentType === "application/json" && body !== null && typeof body === "object" && !Array.isArray(body)) {
    const fields = fieldsOf(doc, json, body).map((f) => ({ path: f.path, schema: f.schema as unknown }));
    // The body's own properties that the valid case left out (a PATCH's e-mail, a mobile) too.
    const root = flat(doc, json);
    if (root.anyOf === undefined && root.oneOf === undefined) {
      for (const [k, child] of Object.entries((root.properties ?? {}) as Record<string, unknown>)) if (!(k in body)) fields.push({ path: [k], schema: child });
    }
    for (const f of fields) {
      const name = f.path.at(-1);
      add(`body ${f.path.join(".")}`, f.schema, typeof name === "string" ? name : undefined, (v) => ({ body: setAt(body, f.path, v) }));
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// Cases

/** A change to the valid parts, built only when the case is picked. */
interface Mutation {
  label: string;
  make: () => Parts;
  expect?: number[];
  /** The case's kind when it is not the list's (hostile strings: the model decides per case). */
  kind?: Kind;
}

function invalidMutations(doc: Doc, o: Operation, base: Parts): Mutation[] {
  const out: Mutation[] = [];
  const params = o.op.parameters ?? [];
  const m = (label: string, change: () => Partial<Parts>, expect?: number[]): Mutation => ({ label, make: () => ({ ...base, ...change() }), ...(expect ? { expect } : {}) });
  for (const p of params) {
    const s = flat(doc, p.schema);
    const bad: [string, string][] = [];
    if (s.format === "uuid") bad.push(["not a uuid", "not-a-uuid"], ["a uuid with a tail", "3f0c2a64-1f7e-4c55-9a57-4ad1f2f2d9b10"], ["SQL", "' OR '1'='1"], ["NUL", "\u0000"]);
    if (s.format === "email") bad.push(["not an e-mail", "no-at-sign"]);
    if (s.format === "date-time") bad.push(["not a date-time", "yesterday"]);
    if (typeof s.maxLength === "number") bad.push([`${s.maxLength + 1} characters`, "z".repeat(s.maxLength + 1)]);
    if (typeof s.minLength === "number" && s.minLength > 0 && p.in === "query") bad.push(["empty", ""]);
    if (Array.isArray(s.enum)) bad.push(["outside the enum", "NOT-IN-ENUM"]);
    if (s.type === "integer") {
      bad.push(["not a number", "abc"], ["not an integer", "2.5"], ["a huge number", "1e309"]);
      if (typeof s.maximum === "number") bad.push([`above ${s.maximum}`, String(s.maximum + 1)]);
      if (typeof s.minimum === "number") bad.push([`below ${s.minimum}`, String(s.minimum - 1)]);
    }
    if (s.type === "boolean") bad.push(["not a boolean", "maybe"]);
    if (s.type === "array" && flat(doc, s.items).format === "uuid") bad.push(["an item that is not a uuid", "not-a-uuid"]);
    for (const [what, v] of bad) {
      const label = `${p.in} ${p.name}: ${what}`;
      if (p.in === "path") out.push(m(label, () => ({ path: { ...base.path, [p.name]: v } })));
      else if (p.in === "query") out.push(m(label, () => ({ query: [...base.query.filter(([k]) => k !== p.name), [p.name, v]] })));
      else if (p.in === "header" && isHeaderSafe(v)) out.push(m(label, () => ({ headers: { ...base.headers, [p.name]: v } })));
    }
    if (p.in === "header" && p.required) {
      const { [p.name]: _dropped, ...rest } = base.headers;
      out.push(m(`header ${p.name}: missing`, () => ({ headers: rest })));
      if (p.name === "X-Tenant") {
        out.push(m("header X-Tenant: not a domain", () => ({ headers: { ...base.headers, [p.name]: "not a domain!" } })));
        out.push(m("header X-Tenant: sent twice", () => ({ headers: { ...base.headers, [p.name]: `${base.headers[p.name] ?? "a.example"}, other.example` } })));
      }
    }
  }
  const rb = o.op.requestBody;
  // A body that is not JSON (an import's NDJSON or CSV file): a line that is no row is the row's
  // error in a 202 job (test/imports/), so only its media types are refused here.
  if (rb && !rb.content["application/json"]) {
    for (const type of ["text/plain", "application/json", "application/xml", undefined]) {
      out.push(m(`body: content type ${type ?? "missing"}`, () => ({ raw: "{}\n", contentType: type }), [415]));
    }
  }
  if (rb?.content["application/json"]) {
    const json = rb.content["application/json"]?.schema;
    const ct = "application/json";
    out.push(m("body: missing", () => ({ body: NO_BODY, contentType: ct })));
    for (const raw of ["{", '{"a":', "nul", "[1,]", "{'a':1}", '{"a":1}}', "\u0000"]) out.push(m(`body: invalid JSON ${JSON.stringify(raw)}`, () => ({ raw, contentType: ct }), [400]));
    for (const v of [[], "text", 42, null, true]) out.push(m(`body: JSON ${JSON.stringify(v)} instead of an object`, () => ({ body: v, contentType: ct }), [400]));
    out.push(m("body: 3,000 levels of nesting", () => ({ raw: DEEP_ARRAY_TEXT, contentType: ct }), [400]));
    out.push(m("body: 3,000 nested objects", () => ({ raw: DEEP_OBJECT_TEXT, contentType: ct }), [400]));
    const valid = base.body === NO_BODY ? {} : base.body;
    for (const type of ["text/plain", "application/xml", "multipart/form-data; boundary=x", undefined]) {
      if (type !== undefined && rb.content[type]) continue;
      out.push(m(`body: content type ${type ?? "missing"}`, () => ({ raw: JSON.stringify(valid), contentType: type }), [415]));
    }
    out.push(m("body: 70 KiB", () => ({ raw: BIG_BODY, contentType: ct }), [413]));
    if (json && base.contentType === ct && valid !== null && typeof valid === "object") {
      for (const f of fieldsOf(doc, json, valid)) {
        const where = f.path.join(".");
        for (const [what, v] of breakers(doc, f.schema)) out.push(m(`body ${where}: ${what}`, () => ({ body: setAt(valid, f.path, v) })));
        if (((f.parent.required as string[] | undefined) ?? []).includes(String(f.path.at(-1)))) {
          out.push(m(`body ${where}: missing (required)`, () => ({ body: deleteAt(valid, f.path) })));
        }
        const first = breakers(doc, f.schema)[0];
        if (f.path.length === 1 && first) {
          // Duplicate keys: JSON.parse keeps the last, so a wrong last value must be refused.
          const key = String(f.path[0]);
          out.push(m(`body: duplicate key ${key}, the last ${first[0]}`, () => ({ raw: withDuplicate(valid as Record<string, unknown>, key, (valid as Record<string, unknown>)[key], first[1]) })));
        }
      }
      for (const obj of objectsOf(doc, json, valid)) {
        const s = obj.schema;
        const at = obj.path.join(".") || "body";
        if (typeof s.minProperties === "number" && s.minProperties > 0) out.push(m(`${at}: empty object`, () => ({ body: setAt(valid, obj.path, {}) })));
        if (s.additionalProperties === false) {
          const props = (s.properties ?? {}) as Record<string, unknown>;
          for (const extra of ["id", "tenantId", "customerId", "passwordHash", "createdAt", "isAdmin", "__proto__", "constructor"]) {
            if (extra in props) continue;
            const target = obj.path.length === 0 ? valid : obj.path.reduce<unknown>((cur, p) => (cur as Record<string | number, unknown>)[p], valid);
            if (extra === "__proto__") {
              // JSON.stringify drops a __proto__ own key set by assignment; write it into the text.
              const inner = JSON.stringify(target);
              const rawObj = inner === "{}" ? '{"__proto__":{"admin":true}}' : `{"__proto__":{"admin":true},${inner.slice(1)}`;
              if (obj.path.length === 0) out.push(m(`${at}: extra property __proto__`, () => ({ raw: rawObj })));
              continue;
            }
            out.push(m(`${at}: extra property ${extra}`, () => ({ body: setAt(valid, [...obj.path, extra], extra === "isAdmin" ? true : "00000000-0000-4000-8000-000000000000") })));
          }
        }
      }
    }
  }
  return out;
}

/** Whether a value can be sent as a header at all (Latin-1, no control characters). */
function isHeaderSafe(v: string): boolean {
  return [...v].every((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) <= 0xff);
}

/** `{"key": first, ...the other properties, "key": last}` as JSON text. */
function withDuplicate(body: Record<string, unknown>, key: string, first: unknown, last: unknown): string {
  const others = Object.entries(body)
    .filter(([k]) => k !== key)
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  return `{${[`${JSON.stringify(key)}:${JSON.stringify(first)}`, ...others, `${JSON.stringify(key)}:${JSON.stringify(last)}`].join(",")}}`;
}

function upperAscii(s: string): string {
  return s.replace(/[a-f]/g, (c) => c.toUpperCase());
}

function percentAll(s: string): string {
  return [...new TextEncoder().encode(s)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join("");
}

function oddMutations(doc: Doc, o: Operation, base: Parts): Mutation[] {
  const out: Mutation[] = [];
  const m = (label: string, change: () => Partial<Parts>): Mutation => ({ label, make: () => ({ ...base, ...change() }) });
  for (const p of o.op.parameters ?? []) {
    const s = flat(doc, p.schema);
    const v = p.in === "path" ? base.path[p.name] : undefined;
    if (p.in === "path" && v !== undefined) {
      out.push(m(`path ${p.name}: every byte percent-encoded`, () => ({ encoded: { ...base.encoded, [p.name]: percentAll(v) } })));
      if (s.format === "uuid" || /^[0-9a-f-]{36}$/.test(v)) out.push(m(`path ${p.name}: upper case`, () => ({ path: { ...base.path, [p.name]: upperAscii(v) } })));
      if (s.format === "email") out.push(m(`path ${p.name}: upper case`, () => ({ path: { ...base.path, [p.name]: v.toUpperCase() } })));
    }
    // Free-text parameters (Corti's keys, searches, filters): odd Unicode and odd bytes.
    if ((p.in === "path" || p.in === "query") && isFreeText(s)) {
      for (const odd of ODD_URL_VALUES) {
        const label = `${p.in} ${p.name}: ${odd}`;
        if (p.in === "path") out.push(m(label, () => ({ encoded: { ...base.encoded, [p.name]: odd } })));
        else out.push(m(label, () => ({ query: [...base.query.filter(([k]) => k !== p.name), [p.name, odd, true]] })));
      }
    }
    if (p.in === "header" && p.name === "X-Tenant" && base.headers[p.name]) {
      out.push(m("header X-Tenant: upper case, padded", () => ({ headers: { ...base.headers, [p.name]: `  ${base.headers[p.name]!.toUpperCase()} ` } })));
    }
  }
  const json = o.op.requestBody?.content["application/json"]?.schema;
  if (json && base.contentType === "application/json" && base.body !== null && typeof base.body === "object") {
    for (const f of fieldsOf(doc, json, base.body)) {
      if (!isFreeText(f.schema)) continue;
      const max = typeof f.schema.maxLength === "number" ? f.schema.maxLength : 255;
      for (const odd of ODD_STRINGS) if (odd.length <= max) out.push(m(`body ${f.path.join(".")}: ${JSON.stringify(odd)}`, () => ({ body: setAt(base.body, f.path, `${odd} x`) })));
    }
    const key = Object.keys(base.body as object)[0];
    if (key !== undefined) {
      const body = base.body as Record<string, unknown>;
      out.push(m(`body: duplicate key ${key}, the last valid`, () => ({ raw: withDuplicate(body, key, 12345, body[key]) })));
    }
    out.push(m("body: content type with charset", () => ({ contentType: "application/json; charset=utf-8" })));
    out.push(m("body: content type in upper case", () => ({ contentType: "APPLICATION/JSON" })));
  }
  return out;
}

/** The cases of an operation: valid, odd and invalid, weighted towards the invalid. */
export function caseArb(doc: Doc, o: Operation, fx: OpFixture): fc.Arbitrary<Case> {
  return validParts(doc, o, fx).chain((base) => {
    const invalid = invalidMutations(doc, o, base);
    const odd = oddMutations(doc, o, base);
    const hostile = hostileMutations(doc, o, base);
    const pick = (list: Mutation[], kind: Kind) =>
      fc.nat({ max: list.length - 1 }).map((i) => {
        const x = list[i]!;
        return serialise(o, x.make(), fx, x.kind ?? kind, x.label, x.expect);
      });
    const kinds: fc.WeightedArbitrary<Case>[] = [{ weight: 4, arbitrary: fc.constant(serialise(o, base, fx, "valid", "valid")) }];
    if (odd.length > 0) kinds.push({ weight: 2, arbitrary: pick(odd, "odd") });
    if (invalid.length > 0) kinds.push({ weight: 4, arbitrary: pick(invalid, "invalid") });
    if (hostile.length > 0) kinds.push({ weight: 2, arbitrary: pick(hostile, "odd") });
    return fc.oneof(...kinds);
  });
}

// ------------------------------------------------------------------------------------------------
// Checks

/** Text no response may carry: driver errors, SQL, stack frames, password hashes. */
export const LEAKS: RegExp[] = [
  /D1_ERROR/,
  /SQLITE/i,
  /no such (table|column)/i,
  /constraint failed/i,
  /\bselect\b[^"]{0,200}\bfrom\b\s+["`]?(tenants|projects|resellers|customers|subroles|groups|users|user_groups|accounts|audit_events|login_throttle)\b/i,
  /\binsert\s+into\b/i,
  /\bdrizzle\b/i,
  /^\s+at\s/m,
  /\bat \S+ \(?\S+\.(?:js|ts|mjs):\d+:\d+\)?/,
  /\b(?:Type|Reference|Syntax|Range)Error\b/,
  /pbkdf2/i,
  /sha256\$/,
  /scrypt\$/,
];

export function describeCase(c: Case): string {
  const body = c.body === undefined ? "" : ` body=${c.body.length > 300 ? `${c.body.slice(0, 300)}…(${c.body.length} chars)` : c.body}`;
  const headers = Object.entries(c.headers)
    .filter(([k]) => k !== "authorization")
    .map(([k, v]) => `${k}: ${v.slice(0, 80)}`)
    .join("; ");
  return `[${c.kind}: ${c.label}] ${c.method} ${c.url.slice(0, 400)}${headers ? ` {${headers}}` : ""}${body}`;
}

/** Every check of issue 6 §3 on one reply; throws with the case and the reply when one fails. */
export function checkReply(doc: Doc, o: Operation, fx: OpFixture, c: Case, r: Reply, secrets: string[]): void {
  const fail = (why: string) => {
    throw new Error(`${why}\n  case: ${describeCase(c)}\n  reply: ${r.status} ${r.text.slice(0, 600)}`);
  };
  if (r.status >= 500) fail("a 5xx");
  const declared = o.op.responses[String(r.status)];
  if (declared === undefined) fail(`status ${r.status} is not documented for ${o.key} (documented: ${Object.keys(o.op.responses).join(", ")})`);
  // The body is checked against the schema documented for the media type it came as — JSON,
  // problem+json (the admin API's errors) or scim+json alike; an undocumented media type fails.
  const content = declared!.content as Record<string, { schema?: unknown }> | undefined;
  if (content !== undefined) {
    const type = (r.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    const media = Object.hasOwn(content, type) ? content[type] : undefined;
    if (media === undefined) fail(`content type ${type || "(none)"} is not documented for ${r.status} (documented: ${Object.keys(content).join(", ")})`);
    if (media?.schema !== undefined) {
      const errors = validate(doc as never, media.schema, r.body);
      if (errors.length > 0) fail(`the body does not fit the documented schema: ${errors.slice(0, 5).join("; ")}`);
    }
  } else if (r.text !== "") {
    fail("no body is documented for this status, but one came");
  }
  if (c.kind === "invalid") {
    if (r.status < 400 || r.status >= 500) fail("invalid input was not refused");
    if (c.expect && !c.expect.includes(r.status)) fail(`expected ${c.expect.join(" or ")}`);
  }
  if (c.kind === "valid" && [400, 413, 415].includes(r.status) && !(fx.validRefusals ?? []).some((ok) => ok(r))) {
    fail("valid input was refused as bad input");
  }
  for (const leak of LEAKS) if (leak.test(r.text)) fail(`the body leaks ${leak}`);
  for (const s of secrets) if (s.length >= 8 && r.text.includes(s)) fail("the body contains a secret");
  // A password sent in this request never comes back (JSON-escaped or not).
  const sent = c.body === undefined ? [] : [...c.body.matchAll(/"password"\s*:\s*"((?:[^"\\]|\\.){8,})"/g)].map((x) => x[1]!);
  for (const p of sent) {
    let plain = p;
    try {
      plain = JSON.parse(`"${p}"`) as string;
    } catch {
      // not a complete JSON string escape: compare the text as sent
    }
    if (r.text.includes(p) || r.text.includes(plain)) fail("the body echoes the password");
  }
}

/** Sends a case through the Worker. */
export function send(c: Case): Promise<Reply> {
  return call(c.method, c.url, { headers: c.headers, ...(c.body !== undefined ? { raw: c.body } : {}) });
}

/** A stable 32-bit seed per operation, derived from the base seed. */
export function seedFor(base: number, key: string): number {
  let h = base | 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Counts of the cases a property ran, per kind (to prove the generator exercises all three). */
export type Tally = Record<Kind, number> & { ok2xx: number; statuses: Record<string, number> };

/** Requests in flight at once: the Worker overlaps D1 I/O, so a file runs about twice as fast. */
const CONCURRENCY = 8;

/**
 * Runs FUZZ_CASES_PER_OPERATION cases against one operation. The cases are drawn by fast-check
 * from the operation's own seed (so case #n is the same case on every run with the same
 * VITE_FUZZ_SEED) and sent a few at a time; every failing case is reported with its number.
 */
export async function fuzzOperation(doc: Doc, o: Operation, fx: OpFixture, secrets: string[]): Promise<Tally> {
  const tally: Tally = { valid: 0, odd: 0, invalid: 0, ok2xx: 0, statuses: {} };
  const seed = seedFor(FUZZ_SEED, o.key);
  const cases = fc.sample(caseArb(doc, o, fx), { numRuns: FUZZ_CASES_PER_OPERATION, seed });
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      const c = cases[i]!;
      tally[c.kind]++;
      try {
        const r = await send(c);
        if (r.status < 300) tally.ok2xx++;
        const k = `${c.kind} ${r.status}`;
        tally.statuses[k] = (tally.statuses[k] ?? 0) + 1;
        checkReply(doc, o, fx, c, r, secrets);
      } catch (err) {
        failures.push(`case #${i}: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  if (FUZZ_VERBOSE) console.log(`${o.key}: ${JSON.stringify(Object.fromEntries(Object.entries(tally.statuses).sort()))}`);
  if (failures.length > 0) {
    throw new Error(
      `fuzz ${o.key}: ${failures.length} of ${cases.length} cases failed (operation seed ${seed}, from VITE_FUZZ_SEED=${FUZZ_SEED})\n${failures.slice(0, 4).join("\n")}`,
    );
  }
  return tally;
}
