/**
 * The one error vocabulary of the product. The core and the shared middleware throw these codes;
 * each dialect has a single exhaustive table from code to its status and body (see
 * src/dialects/<name>/errors.ts). Messages are written for the API's callers: they never carry SQL,
 * stack text, secrets or internal identifiers of other tenants.
 */
export const ERROR_CODES = [
  "INVALID",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  /** An If-Match that no longer matches: someone else changed the user first (docs/concurrency.md). */
  "PRECONDITION_FAILED",
  /** The tenant requires If-Match on user writes and the request sent none. */
  "PRECONDITION_REQUIRED",
  /** An Idempotency-Key already used for another request (method, path or body differ). */
  "KEY_REUSED",
  "METHOD_NOT_ALLOWED",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "RATE_LIMITED",
  "INTERNAL",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One offending input: `field` is a dotted path such as `groups.2.id` or `email`. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** What a NOT_FOUND or CONFLICT is about, so a dialect can pick its vendor's wording. */
export type Subject =
  | "tenant"
  | "project"
  | "reseller"
  | "customer"
  | "subrole"
  | "group"
  | "account"
  | "user"
  | "route"
  | "email"
  | "credentials"
  | "webhook"
  | "delivery"
  | "token"
  | "import";

export interface DomainErrorOptions {
  issues?: FieldIssue[];
  subject?: Subject;
  /** Seconds, for RATE_LIMITED. */
  retryAfter?: number;
  /** True when the input failed its schema (before any verb ran); some vendors name this apart. */
  validation?: boolean;
  cause?: unknown;
}

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly issues: FieldIssue[];
  readonly subject: Subject | undefined;
  readonly retryAfter: number | undefined;
  readonly validation: boolean;

  constructor(code: ErrorCode, message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DomainError";
    this.code = code;
    this.issues = options.issues ?? [];
    this.subject = options.subject;
    this.retryAfter = options.retryAfter;
    this.validation = options.validation ?? false;
  }
}

export const invalid = (message: string, issues: FieldIssue[] = [], subject?: Subject) =>
  new DomainError("INVALID", message, { issues, subject });
export const notFound = (subject: Subject, message = `${capitalise(subject)} not found.`) =>
  new DomainError("NOT_FOUND", message, { subject });
export const conflict = (subject: Subject, message: string, issues: FieldIssue[] = []) =>
  new DomainError("CONFLICT", message, { subject, issues });
export const forbidden = (message = "Forbidden.") => new DomainError("FORBIDDEN", message);
export const unauthenticated = (message = "Unauthorized.") => new DomainError("UNAUTHENTICATED", message);

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Turns anything thrown into a DomainError. Unknown errors become an opaque INTERNAL whose
 * message is fixed: the original stays in `cause` for the log line, never in a response.
 */
export function toDomainError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  return new DomainError("INTERNAL", "Internal Server Error", { cause: err });
}

/**
 * A deployment error (a missing or weak secret). Its name carries the variable — the request log
 * records error names, never messages (`errorKind` in src/http/errors.ts) — so the log says what to
 * fix without its value. The request answers an opaque 500.
 */
export class ConfigError extends Error {
  constructor(variable: string, message: string) {
    super(message);
    this.name = `ConfigError(${variable})`;
  }
}

/**
 * The checks a verb ran on what its batch read and the SQL guard of its write disagree (src/core/
 * users/guards.ts, resources.ts): a bug, never a client's fault — answered as an opaque 500.
 */
export class GuardMismatch extends Error {
  constructor(verb: string) {
    super(`${verb}: the write guard and the checks disagree`);
    this.name = "GuardMismatch";
  }
}
