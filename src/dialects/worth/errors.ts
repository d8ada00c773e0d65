/**
 * Worth's error bodies (seeds 000–002, docs/api/worth.md#errors) from one exhaustive table. Two shapes:
 * API errors `{status:"fail", message, errorCode, data:{errorName}}` and the gateway-level
 * `{message, errorCode}` of 401, 403, 429 and 500. `errorName` tells a schema failure
 * (`ValidationMiddlewareError`) from a domain refusal (`CustomersApiError`).
 */
import { z } from "@hono/zod-openapi";
import { DomainError, type ErrorCode } from "../../core/errors";
import { errorHeaders, type ErrorRenderer } from "../../http/errors";
import { errorResponses } from "../../http/openapi";
import { WIRE_FIELD } from "./wire";

export const VALIDATION_ERROR = "ValidationMiddlewareError";
export const API_ERROR = "CustomersApiError";
export const DUPLICATE_EMAIL = "Another customer user exists with the same email.";

export const WorthFailSchema = z
  .object({
    status: z.literal("fail"),
    message: z.string().openapi({ example: DUPLICATE_EMAIL }),
    errorCode: z.string().openapi({ example: "INVALID" }),
    data: z.object({ errorName: z.enum([VALIDATION_ERROR, API_ERROR]).openapi({ example: API_ERROR }) }),
  })
  .openapi("Worth_Error");

export const WorthShortErrorSchema = z
  .object({ message: z.string().openapi({ example: "Unauthorized" }), errorCode: z.string().openapi({ example: "ERR_UNAUTHORIZED" }) })
  .openapi("Worth_GatewayError");

type Fail = z.infer<typeof WorthFailSchema>;
type Short = z.infer<typeof WorthShortErrorSchema>;

interface WorthRow {
  status: number;
  shape: "fail" | "short";
  errorCode: string;
  /** Fixed text; otherwise the error's own message (its field issues, when it has some). */
  message?: string | ((err: DomainError) => string);
  /** Fixed errorName; otherwise by `err.validation`. */
  errorName?: typeof VALIDATION_ERROR | typeof API_ERROR;
}

const NOT_FOUND_TEXT: Partial<Record<NonNullable<DomainError["subject"]>, string>> = {
  user: "Customer user Not Found",
  customer: "Customer Not Found",
  route: "Route Not Found",
};

/** `first_name: Required. subrole.id: ...` — the fields in Worth's names, so the message names them. */
function issuesText(err: DomainError): string {
  if (err.issues.length === 0) return err.message;
  return err.issues.map((i) => (i.field ? `${WIRE_FIELD[i.field] ?? i.field}: ${i.message}` : i.message)).join(" ");
}

export const WORTH_ERRORS = {
  INVALID: { status: 400, shape: "fail", errorCode: "INVALID", message: issuesText },
  UNAUTHENTICATED: { status: 401, shape: "short", errorCode: "ERR_UNAUTHORIZED", message: "Unauthorized" },
  FORBIDDEN: { status: 403, shape: "short", errorCode: "ERR_FORBIDDEN", message: "Forbidden" },
  NOT_FOUND: { status: 404, shape: "fail", errorCode: "NOT_FOUND", message: (e) => NOT_FOUND_TEXT[e.subject ?? "route"] ?? "Not Found", errorName: API_ERROR },
  METHOD_NOT_ALLOWED: { status: 405, shape: "fail", errorCode: "METHOD_NOT_ALLOWED", errorName: API_ERROR },
  // Worth documents a duplicate e-mail as a 400 INVALID (seed 000), not a 409.
  CONFLICT: { status: 400, shape: "fail", errorCode: "INVALID", message: (e) => (e.subject === "email" ? DUPLICATE_EMAIL : e.message), errorName: API_ERROR },
  // Not in Worth's seeds (they know neither If-Match nor Idempotency-Key): its fail shape, the status's own code.
  PRECONDITION_FAILED: { status: 412, shape: "fail", errorCode: "PRECONDITION_FAILED", errorName: API_ERROR },
  PRECONDITION_REQUIRED: { status: 428, shape: "fail", errorCode: "PRECONDITION_REQUIRED", errorName: API_ERROR },
  KEY_REUSED: { status: 422, shape: "fail", errorCode: "IDEMPOTENCY_KEY_REUSED", errorName: API_ERROR },
  PAYLOAD_TOO_LARGE: { status: 413, shape: "fail", errorCode: "INVALID", errorName: VALIDATION_ERROR },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, shape: "fail", errorCode: "INVALID", errorName: VALIDATION_ERROR },
  RATE_LIMITED: { status: 429, shape: "short", errorCode: "ERR_TOO_MANY_REQUESTS", message: "Too Many Requests" },
  INTERNAL: { status: 500, shape: "short", errorCode: "ERR_INTERNAL_SERVER", message: "Internal Server Error" },
} as const satisfies Record<ErrorCode, WorthRow>;

/** A route's own wording of a code (e.g. PATCH's 404 is `INVALID` "Customer user does not exist"). */
export type Wording = Partial<Record<ErrorCode, { errorCode?: string; message?: string }>>;

/** A DomainError carrying the wording of the route that raised it. */
export class WordedError extends DomainError {
  readonly wording: Wording;
  constructor(err: DomainError, wording: Wording) {
    super(err.code, err.message, { issues: err.issues, subject: err.subject, retryAfter: err.retryAfter, validation: err.validation, cause: err.cause });
    this.wording = wording;
  }
}

/** Runs a verb; its errors of the codes in `wording` are answered with the route's wording. */
export async function worded<T>(run: Promise<T>, wording: Wording): Promise<T> {
  try {
    return await run;
  } catch (err) {
    if (err instanceof DomainError && wording[err.code] !== undefined) throw new WordedError(err, wording);
    throw err;
  }
}

/** The status and body Worth answers for an error (pure; the renderer adds the headers). */
export function worthError(err: DomainError): { status: number; body: Fail | Short } {
  const row: WorthRow = WORTH_ERRORS[err.code];
  const own = err instanceof WordedError ? err.wording[err.code] : undefined;
  const errorCode = own?.errorCode ?? row.errorCode;
  const fixed = typeof row.message === "function" ? row.message(err) : row.message;
  const message = own?.message ?? fixed ?? err.message;
  if (row.shape === "short") return { status: row.status, body: { message, errorCode } };
  const errorName = row.errorName ?? (err.validation ? VALIDATION_ERROR : API_ERROR);
  return { status: row.status, body: { status: "fail", message, errorCode, data: { errorName } } };
}

export const renderWorth: ErrorRenderer = (_c, err) => {
  const { status, body } = worthError(err);
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...errorHeaders(err, true) } });
};

export const fail = (description: string) => ({ description, content: { "application/json": { schema: WorthFailSchema } } });
const short = (description: string) => ({ description, content: { "application/json": { schema: WorthShortErrorSchema } } });

/** The error responses every Worth route documents (what the shared middleware can answer). */
export const worthErrors = errorResponses(
  (d, status) => (status === 400 || status === 404 ? fail(d) : short(d)),
  {
    400: "Invalid input (ValidationMiddlewareError: malformed id, body or query) or refused (CustomersApiError)",
    403: "The token lacks the scope, names another customer, or would grant more than it holds (a subrole, another user's e-mail)",
  },
  [401, 404, 429, 500],
);

/** Extra error responses of the routes with a request body. */
export const bodyErrors = errorResponses(fail, {}, [413, 415]);

/** PATCH answers an unknown user as Worth documents it (seed 002): 404 with errorCode INVALID. */
export const PATCH_WORDING: Wording = { NOT_FOUND: { errorCode: "INVALID", message: "Customer user does not exist" } };
export const patchNotFound = fail("Customer user does not exist (errorCode INVALID, as Worth documents it)");
