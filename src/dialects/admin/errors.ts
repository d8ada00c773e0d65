import { z } from "@hono/zod-openapi";
import { ERROR_CODES, type ErrorCode } from "../../core/errors";
import { DEFAULT_STATUS, errorHeaders, errorTable, type ErrorRenderer } from "../../http/errors";
import { errorResponses } from "../../http/openapi";

/** RFC 9457 problem details, with the error code and the correlation id as extension members. */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "about:blank" }),
    title: z.string().openapi({ example: "Not Found" }),
    status: z.number().int().openapi({ example: 404 }),
    detail: z.string().openapi({ example: "Customer not found." }),
    code: z.enum(ERROR_CODES),
    correlationId: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

/** Titles are RFC 9110's reason phrases (413 is "Content Too Large" there, 422 "Unprocessable Content"). */
const TITLES = errorTable((reason) => reason, { PAYLOAD_TOO_LARGE: { name: "Content Too Large" }, KEY_REUSED: { name: "Unprocessable Content" } });

export const ADMIN_STATUS = DEFAULT_STATUS satisfies Record<ErrorCode, number>;

export const renderProblem: ErrorRenderer = (c, err) => {
  const status = ADMIN_STATUS[err.code];
  const body: z.infer<typeof ProblemSchema> = {
    type: "about:blank",
    title: TITLES[err.code].name,
    status,
    // An internal error says nothing but that it happened; the correlation id finds the log line.
    detail: err.code === "INTERNAL" ? "Internal Server Error" : err.message,
    code: err.code,
    correlationId: c.var.correlationId,
  };
  if (err.issues.length > 0) body.errors = err.issues;
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/problem+json", ...errorHeaders(err, true) },
  });
};

const problem = (description: string) => ({ description, content: { "application/problem+json": { schema: ProblemSchema } } });

/** The error responses every authenticated admin route documents. */
export const adminErrors = errorResponses(
  problem,
  {
    400: "Invalid input: malformed id, body, query or cursor",
    403: "The token lacks the admin scope, reaches another tenant or project, or would grant more than it holds",
  },
  [401, 404, 413, 415, 429, 500],
);
/** The 422 of a create whose Idempotency-Key was used for another request. */
export const keyReusedResponse = errorResponses(problem, {}, [422]);
export const conflictResponse = { 409: problem("Conflict with an existing resource (unique key or still referenced)") } as const;
