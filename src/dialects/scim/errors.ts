/**
 * SCIM's error body (RFC 7644 §3.12): `{schemas: [Error URN], status: "<code as a string>",
 * scimType?, detail}`, as `application/scim+json`. One exhaustive table from the core's codes; the
 * scimType of a 400 says what was wrong (docs/scim.md#errors): the filter (`invalidFilter`), a PATCH
 * path (`invalidPath`), a read-only attribute (`mutability`), an unparsable body (`invalidSyntax`),
 * else a value (`invalidValue`); a taken userName is 409 `uniqueness`.
 */
import { z } from "@hono/zod-openapi";
import type { DomainError } from "../../core/errors";
import { errorHeaders, errorTable, type ErrorRenderer } from "../../http/errors";

export const ERROR_URN = "urn:ietf:params:scim:api:messages:2.0:Error";
export const SCIM_JSON = "application/scim+json";

export const SCIM_TYPES = ["invalidFilter", "tooMany", "uniqueness", "mutability", "invalidSyntax", "invalidPath", "noTarget", "invalidValue", "invalidVers", "sensitive"] as const;
export type ScimType = (typeof SCIM_TYPES)[number];

export const ScimErrorSchema = z
  .object({
    schemas: z.array(z.literal(ERROR_URN)).openapi({ example: [ERROR_URN] }),
    status: z.string().openapi({ example: "400", description: "The HTTP status code, as a string." }),
    scimType: z.enum(SCIM_TYPES).optional().openapi({ description: "What kind of 400 (or 409 uniqueness) it is (RFC 7644 §3.12)." }),
    detail: z.string().openapi({ example: "The filter is not valid: Unknown attribute nickName." }),
  })
  .openapi("Scim_Error");
export type ScimError = z.infer<typeof ScimErrorSchema>;

export const SCIM_ERRORS = errorTable((reason) => reason, {});

/** A 400's scimType, from the field its first issue names (the verbs name fields, not SCIM). */
function scimTypeOf(err: DomainError): ScimType | undefined {
  if (err.code === "CONFLICT") return "uniqueness";
  if (err.code !== "INVALID") return undefined;
  const field = err.issues[0]?.field ?? "";
  // A verb of this surface names the kind itself (mutability, noTarget, invalidSyntax …).
  if ((SCIM_TYPES as readonly string[]).includes(field)) return field as ScimType;
  if (field === "filter") return "invalidFilter";
  if (field === "path" || field.startsWith("Operations.") && field.endsWith(".path")) return "invalidPath";
  // The body itself: not JSON, or not an object.
  if (field === "body" || (field === "" && err.validation)) return "invalidSyntax";
  return "invalidValue";
}

/** What a 400 says: its issues, each `field: message`, or the message alone. */
function detailOf(err: DomainError): string {
  if (err.code === "INTERNAL") return "An unexpected error occurred.";
  if (err.code !== "INVALID" || err.issues.length === 0) return err.message;
  return `${err.message} ${err.issues.map((i) => (i.field && !(SCIM_TYPES as readonly string[]).includes(i.field) ? `${i.field}: ${i.message}` : i.message)).join(" ")}`;
}

export function scimErrorBody(err: DomainError): ScimError {
  const { status } = SCIM_ERRORS[err.code];
  const scimType = scimTypeOf(err);
  return { schemas: [ERROR_URN], status: String(status), ...(scimType ? { scimType } : {}), detail: detailOf(err) };
}

export const renderScim: ErrorRenderer = (c, err) => {
  const { status } = SCIM_ERRORS[err.code];
  return new Response(JSON.stringify(scimErrorBody(err)), { status, headers: { "Content-Type": SCIM_JSON, ...errorHeaders(err, true) } });
};
