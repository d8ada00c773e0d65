/**
 * Contract checks for the Worth routes: every response is validated against the seed's own
 * response schema for its status (seeds 000–002, committed under test/fixtures/) and against the
 * schema this Worker documents at /doc, whose declared status codes must include the status.
 *
 * Ajv cannot run here (workerd forbids code generation from strings), so this is a small
 * validator for the subset of JSON Schema / OpenAPI the documents use. String formats are checked
 * by the standard's own validators — ajv-formats' full mode — never by a regex of the product's.
 */
import { fullFormats } from "ajv-formats/dist/formats";
import { expect } from "vitest";
import { parse } from "yaml";
import seed000 from "../fixtures/worth-000-create-customer-user.yaml?raw";
import seed001 from "../fixtures/worth-001-get-customer-users.yaml?raw";
import seed002 from "../fixtures/worth-002-update-customer-user.yaml?raw";
import { call, type Reply } from "../harness";
import { W } from "./helpers";

type Schema = Record<string, unknown>;
type Doc = { paths: Record<string, Record<string, Operation>>; components?: Record<string, Record<string, unknown>> };
interface Operation {
  responses: Record<string, unknown>;
}

export const SEEDS: Record<string, Doc> = {
  "POST /customers/{customerID}/users": parse(seed000) as Doc,
  "GET /customers/{customerID}/users": parse(seed001) as Doc,
  "PATCH /customers/{customerID}/users/{userID}": parse(seed002) as Doc,
};

/** The operations of the Worth dialect, as `METHOD /path` under the base. */
export const OPERATIONS = [
  "POST /customers/{customerID}/users",
  "GET /customers/{customerID}/users",
  "GET /customers/{customerID}/users/{userID}",
  "PATCH /customers/{customerID}/users/{userID}",
  "GET /customers/{customerID}/subroles",
] as const;
export type OperationKey = (typeof OPERATIONS)[number];

function resolve(doc: Doc, node: unknown): Schema {
  let n = node as Schema;
  for (let i = 0; i < 10 && typeof n?.$ref === "string"; i++) {
    const parts = (n.$ref as string).replace(/^#\//, "").split("/");
    let cur: unknown = doc;
    for (const p of parts) cur = (cur as Record<string, unknown>)[p];
    if (cur === undefined) throw new Error(`unresolved $ref ${n.$ref as string}`);
    n = cur as Schema;
  }
  return n;
}

/** A format of ajv-formats as a predicate: a regular expression, a function, or `{validate}` holding either. */
function formatCheck(format: unknown): (s: string) => boolean {
  const f = typeof format === "object" && format !== null && !(format instanceof RegExp) ? (format as { validate: unknown }).validate : format;
  if (f instanceof RegExp) return (s) => f.test(s);
  if (typeof f === "function") return (s) => (f as (s: string) => boolean)(s) === true;
  throw new Error(`not a string format: ${String(format)}`);
}

/** The formats /doc uses, enforced as JSON Schema's standard validators define them. */
export const FORMATS: Record<string, (s: string) => boolean> = {
  uuid: formatCheck(fullFormats.uuid),
  "date-time": formatCheck(fullFormats["date-time"]),
  email: formatCheck(fullFormats.email),
};

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** Every violation of `schema` by `value`, as `path: problem` lines (empty when it conforms). */
export function validate(doc: Doc, schemaNode: unknown, value: unknown, path = "$"): string[] {
  const s = resolve(doc, schemaNode);
  const errs: string[] = [];
  if (s.anyOf || s.oneOf) {
    const alts = (s.anyOf ?? s.oneOf) as unknown[];
    const ok = alts.filter((a) => validate(doc, a, value, path).length === 0).length;
    if (s.oneOf ? ok !== 1 : ok === 0) errs.push(`${path}: matches ${ok} of the ${s.oneOf ? "oneOf" : "anyOf"} alternatives`);
  }
  for (const part of (s.allOf as unknown[] | undefined) ?? []) errs.push(...validate(doc, part, value, path));
  const t = typeOf(value);
  if (value === null && s.nullable === true) return errs;
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    const fits = types.some((ty) => ty === t || (ty === "number" && t === "integer"));
    if (!fits) return [...errs, `${path}: expected ${types.join("|")}, got ${t}`];
  }
  if (s.enum && !(s.enum as unknown[]).includes(value)) errs.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if ("const" in s && s.const !== value) errs.push(`${path}: expected const ${JSON.stringify(s.const)}`);
  if (t === "string") {
    const str = value as string;
    const f = s.format as string | undefined;
    if (f && FORMATS[f] && !FORMATS[f](str)) errs.push(`${path}: ${JSON.stringify(str)} is not a ${f}`);
    if (typeof s.maxLength === "number" && str.length > s.maxLength) errs.push(`${path}: longer than ${s.maxLength}`);
    if (typeof s.minLength === "number" && str.length < s.minLength) errs.push(`${path}: shorter than ${s.minLength}`);
    if (typeof s.pattern === "string" && !new RegExp(s.pattern).test(str)) errs.push(`${path}: does not match ${s.pattern}`);
  }
  if (t === "integer" || t === "number") {
    if (typeof s.minimum === "number" && (value as number) < s.minimum) errs.push(`${path}: below ${s.minimum}`);
    if (typeof s.maximum === "number" && (value as number) > s.maximum) errs.push(`${path}: above ${s.maximum}`);
  }
  if (t === "object") {
    const obj = value as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, unknown>;
    for (const r of (s.required as string[] | undefined) ?? []) if (!(r in obj)) errs.push(`${path}: missing required ${r}`);
    for (const [k, v] of Object.entries(obj)) {
      if (k in props) errs.push(...validate(doc, props[k], v, `${path}.${k}`));
      else if (s.additionalProperties === false) errs.push(`${path}: unexpected property ${k}`);
      else if (typeof s.additionalProperties === "object") errs.push(...validate(doc, s.additionalProperties, v, `${path}.${k}`));
    }
    if (typeof s.minProperties === "number" && Object.keys(obj).length < s.minProperties) errs.push(`${path}: fewer than ${s.minProperties} properties`);
  }
  if (t === "array" && s.items) (value as unknown[]).forEach((v, i) => errs.push(...validate(doc, s.items, v, `${path}[${i}]`)));
  return errs;
}

function operation(doc: Doc, key: string, prefix = ""): Operation {
  const [method, path] = key.split(" ") as [string, string];
  const op = doc.paths[`${prefix}${path}`]?.[method.toLowerCase()];
  if (!op) throw new Error(`${key} is not in the document`);
  return op;
}

/** The JSON schema a document gives an operation's response status, or undefined if it gives none. */
export function responseSchema(doc: Doc, key: string, status: number, prefix = ""): { declared: boolean; schema: unknown } {
  const res = operation(doc, key, prefix).responses[String(status)];
  if (res === undefined) return { declared: false, schema: undefined };
  const content = resolve(doc, res).content as Record<string, { schema: unknown }> | undefined;
  return { declared: true, schema: content?.["application/json"]?.schema };
}

/** The statuses a document declares for an operation. */
export function declaredStatuses(doc: Doc, key: string, prefix = ""): number[] {
  return Object.keys(operation(doc, key, prefix).responses).map(Number).sort();
}

let ours: Promise<Doc> | undefined;
/** This Worker's OpenAPI document (/doc). */
export function ownDoc(): Promise<Doc> {
  ours ??= call("GET", "/doc", { expect: 200 }).then((r) => r.body as Doc);
  return ours;
}

/**
 * Asserts a response conforms: its status is declared by /doc for the operation and its body fits
 * /doc's schema; where the seed documents the status, the body fits the seed's schema too.
 */
export async function expectConforms(key: OperationKey, r: Reply): Promise<void> {
  const own = responseSchema(await ownDoc(), key, r.status, W);
  expect(own.declared, `${key}: status ${r.status} is not declared in /doc`).toBe(true);
  expect(validate(await ownDoc(), own.schema, r.body), `${key} ${r.status} vs /doc`).toEqual([]);
  const seed = SEEDS[key];
  if (seed) {
    const s = responseSchema(seed, key, r.status);
    if (s.declared) expect(validate(seed, s.schema, r.body), `${key} ${r.status} vs the seed`).toEqual([]);
  }
}

/** Whether the seed of an operation documents a status (for tests that must hit the seed's schema). */
export function seedDeclares(key: OperationKey, status: number): boolean {
  const seed = SEEDS[key];
  return seed !== undefined && responseSchema(seed, key, status).declared;
}
