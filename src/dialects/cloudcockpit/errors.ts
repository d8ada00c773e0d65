/**
 * CloudCockpit's error envelope (seed 004): `{statusCode, type, description, correlationId,
 * errors:[{propertyName, description:[...]}]}`; 401 and 403 are answered without a body, as the
 * vendor documents them. One exhaustive table from the core's codes (docs/decisions/cloudcockpit-errors.md).
 */
import { z } from "@hono/zod-openapi";
import type { DomainError, FieldIssue } from "../../core/errors";
import { errorHeaders, errorTable, type ErrorRenderer } from "../../http/errors";

export const CcErrorSchema = z
  .object({
    statusCode: z.number().int().openapi({ format: "int32", example: 400, description: "The HTTP status code that represents a specific error scenario." }),
    type: z.string().nullable().openapi({ example: "ValidationError", description: "The type of error that occurred." }),
    description: z.string().nullable().openapi({ example: "One or more validation errors occurred.", description: "Describes the error scenario that occurred." }),
    correlationId: z.string().nullable().openapi({ example: "3f0c2a64-1f7e-4c55-9a57-4ad1f2f2d9b1", description: "The correlationId of the request that originated the error." }),
    errors: z
      .array(
        z.object({
          propertyName: z.string().nullable().openapi({ example: "groups[2].id", description: "The name of the property involved in the error." }),
          description: z.array(z.string()).nullable().openapi({ example: ["No group of this tenant has this id."], description: "A description of each error associated with the given property." }),
        }),
      )
      .nullable()
      .openapi({ description: "A list containing the detail of the errors that occurred in this error scenario." }),
  })
  .openapi("CloudCockpit_Error");
export type CcError = z.infer<typeof CcErrorSchema>;

/**
 * Status and `type` per core code. A duplicate e-mail or a taken id (CONFLICT) is a 400 naming the
 * property, as the contract fixes for CloudCockpit; no CloudCockpit route answers 409.
 */
export const CC_ERRORS = errorTable((reason) => reason.replace(/ /g, ""), {
  INVALID: { name: "ValidationError" },
  CONFLICT: { status: 400, name: "ValidationError" },
});

/** Core names that CloudCockpit spells differently. */
const RENAMED: Record<string, string> = {
  "": "body",
  subrole: "role",
  "subrole.code": "role.name",
  "subrole.id": "role.name",
  groupIds: "groups",
  cursor: "continuationToken",
};

/** A core field path as CloudCockpit names it: `groups.2.id` → `groups[2].id`, `subrole.code` → `role.name`. */
export function propertyName(field: string): string {
  // Own keys only: a body property named `toString` must not find Object.prototype's.
  const renamed = Object.hasOwn(RENAMED, field) ? (RENAMED[field] as string) : field;
  return renamed.replace(/\.(\d+)(?=\.|$)/g, "[$1]");
}

/** Issues grouped per property, in order of first appearance; each message once. */
export function groupIssues(issues: FieldIssue[]): { propertyName: string; description: string[] }[] {
  const out = new Map<string, string[]>();
  for (const i of issues) {
    const name = propertyName(i.field);
    const list = out.get(name) ?? [];
    if (!list.includes(i.message)) list.push(i.message);
    out.set(name, list);
  }
  return [...out].map(([name, description]) => ({ propertyName: name, description }));
}

/** The body of an error, or null when the status is answered without one (401, 403). */
export function ccErrorBody(err: DomainError, correlationId: string): CcError | null {
  const { status, name: type } = CC_ERRORS[err.code];
  if (status === 401 || status === 403) return null;
  let description: string = err.message;
  if (err.code === "INTERNAL") description = "An unexpected error occurred.";
  else if (err.validation) description = "One or more validation errors occurred.";
  return { statusCode: status, type, description, correlationId, errors: groupIssues(err.issues) };
}

export const renderCloudCockpit: ErrorRenderer = (c, err) => {
  const { status } = CC_ERRORS[err.code];
  const body = ccErrorBody(err, c.var.correlationId);
  const headers = errorHeaders(err, true);
  if (body === null) return new Response(null, { status, headers });
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
};
