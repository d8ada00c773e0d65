import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import { DomainError, ERROR_CODES, toDomainError, unauthenticated, type ErrorCode, type FieldIssue } from "../core/errors";
import { TokenRevokedError } from "../db/client";
import type { AppEnv } from "./types";

/**
 * How a dialect answers an error: one function per dialect, fed by one exhaustive table there.
 * Everything that fails in a request reaches it as a DomainError.
 */
export type ErrorRenderer = (c: Context<AppEnv>, err: DomainError) => Response;

/** Zod issues as field issues with dotted paths (`groups.2.id`), one per offending property. */
export function zodIssues(error: ZodError): FieldIssue[] {
  return error.issues.flatMap((i) => {
    const path = i.path.map(String).join(".");
    if (i.code === "unrecognized_keys") {
      // One issue per unknown key, each under its own dotted path (not all keys joined into one).
      return i.keys.map((k) => ({ field: [path, k].filter(Boolean).join("."), message: "This property is not allowed." }));
    }
    return [{ field: path, message: i.message }];
  });
}

export function validationError(error: ZodError, target: string): DomainError {
  const issues = zodIssues(error);
  // An unknown property is reported once per property, each under its own name.
  const expanded = issues.flatMap((i) => (i.field.includes(",") ? i.field.split(",").map((f) => ({ ...i, field: f })) : [i]));
  const names = expanded.map((i) => i.field || target).join(", ");
  return new DomainError("INVALID", `Invalid ${target}: ${names}.`, { issues: expanded, validation: true });
}

/**
 * Normalises anything thrown in a dialect: framework errors (malformed JSON, body limit) become
 * their DomainError; unknown errors become an opaque INTERNAL, logged with its kind only.
 */
export function normaliseError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  if (err instanceof HTTPException) {
    if (err.status === 400) {
      // A schema-level failure like any other validation error (Worth names these apart).
      return new DomainError("INVALID", "The request body is not valid JSON.", { issues: [{ field: "body", message: "Malformed JSON." }], validation: true });
    }
    if (err.status === 413) return new DomainError("PAYLOAD_TOO_LARGE", "The request body is larger than 64 KiB.");
  }
  // A revoked token, or a refused bookmark, is found by the request's first statement (drizzle
  // wraps the driver's error).
  for (let cur: unknown = err, i = 0; i < 5 && cur instanceof Error; i++, cur = cur.cause) {
    if (cur instanceof TokenRevokedError) return unauthenticated();
    if (cur instanceof DomainError) return cur;
  }
  return toDomainError(err);
}

/** What may be logged of an internal error: its class and SQLite code, never its text or params. */
export function errorKind(err: unknown): string {
  const names: string[] = [];
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur instanceof Error; i++) {
    const sqlite = /SQLITE_[A-Z_]+/.exec(cur.message)?.[0];
    names.push(sqlite ? `${cur.name}(${sqlite})` : cur.name);
    cur = cur.cause;
  }
  return names.join(" <- ") || typeof err;
}

/**
 * The status each code has unless a vendor documents another (a dialect spreads this table and
 * overrides, e.g. Worth answers a duplicate e-mail with 400).
 */
export const DEFAULT_STATUS = {
  INVALID: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PRECONDITION_REQUIRED: 428,
  KEY_REUSED: 422,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
} as const satisfies Record<ErrorCode, number>;

/**
 * The reason phrase of each status the product answers, as RFC 7231 words them (422 as RFC 4918, 428 as RFC 6585) (the vendors spell
 * their error names from these: Corti `PAYLOAD_TOO_LARGE`, CloudCockpit `PayloadTooLarge`).
 */
export const REASON: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  428: "Precondition Required",
  429: "Too Many Requests",
  500: "Internal Server Error",
};

/**
 * A dialect's table from core code to its status and the name it gives the error: the status is
 * DEFAULT_STATUS's unless the vendor documents another, the name is spelled from the status's
 * reason phrase (`spell`) unless the vendor names it otherwise. One exhaustive table per dialect,
 * built the same way.
 */
export function errorTable<N extends string>(
  spell: (reason: string) => N,
  vendor: Partial<Record<ErrorCode, { status?: number; name?: N }>> = {},
): Record<ErrorCode, { status: number; name: N }> {
  const table = {} as Record<ErrorCode, { status: number; name: N }>;
  for (const code of ERROR_CODES) {
    const status = vendor[code]?.status ?? DEFAULT_STATUS[code];
    table[code] = { status, name: vendor[code]?.name ?? spell(REASON[status] as string) };
  }
  return table;
}

/** Headers every dialect sends with an error: the Bearer challenge on 401, Retry-After on 429. */
export function errorHeaders(err: DomainError, withChallenge: boolean): Record<string, string> {
  const h: Record<string, string> = {};
  if (err.code === "UNAUTHENTICATED" && withChallenge) h["WWW-Authenticate"] = 'Bearer realm="customer-users"';
  if (err.code === "RATE_LIMITED" && err.retryAfter !== undefined) h["Retry-After"] = String(err.retryAfter);
  return h;
}
