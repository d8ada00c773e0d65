import { z } from "@hono/zod-openapi";
import type { ErrorCode } from "../../core/errors";
import { errorHeaders, errorTable, type ErrorRenderer } from "../../http/errors";
import { errorResponses } from "../../http/openapi";

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
export const CORTI_ERRORS = errorTable((reason) => reason.toUpperCase().replace(/ /g, "_"));

/** Corti's status per code (kept for callers that need only the status). */
export const CORTI_STATUS = Object.fromEntries(Object.entries(CORTI_ERRORS).map(([k, v]) => [k, v.status])) as Record<ErrorCode, number>;

export const renderCorti: ErrorRenderer = (c, err) => {
  const { status, name: code } = CORTI_ERRORS[err.code];
  const body: z.infer<typeof CortiErrorSchema> = {
    // A 500 says nothing but that it happened; the correlation id header finds the log line.
    message: err.code === "INTERNAL" ? "Internal Server Error" : err.message,
    code,
  };
  if (err.issues.length > 0 && err.code !== "INTERNAL") body.details = err.issues;
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...errorHeaders(err, true) } });
};

export const error = (description: string) => ({ description, content: { "application/json": { schema: CortiErrorSchema } } });

/** The error responses of every authenticated Corti route. */
export const cortiErrors = errorResponses(
  error,
  {
    400: "Invalid input: path, query or body (details name each field)",
    403: "The token lacks the route's scope or role, or would grant more than it holds (another user's password)",
  },
  [401, 404, 429, 500],
);

/** The error responses of Corti routes with a JSON body. */
export const cortiBodyErrors = { ...cortiErrors, ...errorResponses(error, {}, [413, 415]) };

export const cortiConflict = (description: string) => ({ 409: error(description) }) as const;
