import { z } from "@hono/zod-openapi";
import type { ErrorCode } from "../../core/errors";
import { errorHeaders, type ErrorRenderer } from "../../http/errors";

/** Corti's error body: `{message, code, details?}`; `details` lists each invalid field. */
export const CortiErrorSchema = z
  .object({
    message: z.string().openapi({ example: "Customer not found." }),
    code: z.string().openapi({ example: "NOT_FOUND" }),
    details: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: "One entry per invalid field (validation errors and conflicts)." }),
  })
  .openapi("Corti_Error");

/**
 * The one table from the core's error codes to Corti's status and `code`. Corti documents 400,
 * 401, 403, 404 and 500; the contract (docs/api/corti.md#errors) adds 409 for a duplicate e-mail; the transport-level codes
 * (413, 415, 429) keep their HTTP meaning.
 */
export const CORTI_ERRORS = {
  INVALID: { status: 400, code: "BAD_REQUEST" },
  UNAUTHENTICATED: { status: 401, code: "UNAUTHORIZED" },
  FORBIDDEN: { status: 403, code: "FORBIDDEN" },
  NOT_FOUND: { status: 404, code: "NOT_FOUND" },
  METHOD_NOT_ALLOWED: { status: 405, code: "METHOD_NOT_ALLOWED" },
  CONFLICT: { status: 409, code: "CONFLICT" },
  PAYLOAD_TOO_LARGE: { status: 413, code: "PAYLOAD_TOO_LARGE" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
  RATE_LIMITED: { status: 429, code: "TOO_MANY_REQUESTS" },
  INTERNAL: { status: 500, code: "INTERNAL_SERVER_ERROR" },
} as const satisfies Record<ErrorCode, { status: number; code: string }>;

/** Corti's status per code (kept for callers that need only the status). */
export const CORTI_STATUS = Object.fromEntries(Object.entries(CORTI_ERRORS).map(([k, v]) => [k, v.status])) as {
  [K in ErrorCode]: (typeof CORTI_ERRORS)[K]["status"];
};

export const renderCorti: ErrorRenderer = (c, err) => {
  const { status, code } = CORTI_ERRORS[err.code];
  const body: z.infer<typeof CortiErrorSchema> = {
    // A 500 says nothing but that it happened; the correlation id header finds the log line.
    message: err.code === "INTERNAL" ? "Internal Server Error" : err.message,
    code,
  };
  if (err.issues.length > 0 && err.code !== "INTERNAL") body.details = err.issues;
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...errorHeaders(err, true) } });
};

const error = (description: string) => ({ description, content: { "application/json": { schema: CortiErrorSchema } } });

/** The error responses of every authenticated Corti route. */
export const cortiErrors = {
  400: error("Invalid input: path, query or body (details name each field)"),
  401: error("Missing, malformed, expired or wrongly signed bearer token"),
  403: error("The token lacks the route's scope or role, or would grant more than it holds (another user's password)"),
  404: error("The project, customer or user does not exist within the caller's reach"),
  429: error("Rate limited (Retry-After says when to retry)"),
  500: error("Internal error; the body says nothing more"),
} as const;

/** The error responses of Corti routes with a JSON body. */
export const cortiBodyErrors = {
  ...cortiErrors,
  413: error("Body over 64 KiB"),
  415: error("Body is not application/json"),
} as const;

export const cortiConflict = (description: string) => ({ 409: error(description) }) as const;
