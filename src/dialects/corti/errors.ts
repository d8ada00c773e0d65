import { z } from "@hono/zod-openapi";
import type { ErrorCode } from "../../core/errors";
import { DEFAULT_STATUS, errorHeaders, type ErrorRenderer } from "../../http/errors";

/** Corti's error body: `{message, code, details?}`; `details` lists each invalid field. */
export const CortiErrorSchema = z
  .object({
    message: z.string(),
    code: z.string(),
    details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi("Corti_Error");

const CODES = {
  INVALID: "BAD_REQUEST",
  UNAUTHENTICATED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  METHOD_NOT_ALLOWED: "METHOD_NOT_ALLOWED",
  CONFLICT: "CONFLICT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  INTERNAL: "INTERNAL_SERVER_ERROR",
} as const satisfies Record<ErrorCode, string>;

/** Corti answers a duplicate e-mail with 409 (CONTRACT §4), as the default table does. */
export const CORTI_STATUS = DEFAULT_STATUS satisfies Record<ErrorCode, number>;

export const renderCorti: ErrorRenderer = (c, err) => {
  const status = CORTI_STATUS[err.code];
  const body: z.infer<typeof CortiErrorSchema> = {
    message: err.code === "INTERNAL" ? "Internal Server Error" : err.message,
    code: CODES[err.code],
  };
  if (err.issues.length > 0) body.details = err.issues;
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...errorHeaders(err, true) } });
};
