/**
 * What every SCIM route shares (docs/scim.md): its tag, the bearer scheme (a SCIM token), the
 * documented error responses in SCIM's body, and JSON bodies (`application/scim+json` or
 * `application/json`) up to 64 KiB.
 */
import type { Context } from "hono";
import { errorResponses, surfaceRoute } from "../../http/openapi";
import { jsonBodies } from "../../http/middleware";
import type { AppEnv } from "../../http/types";
import { SCIM_JSON, ScimErrorSchema } from "./errors";

const errorBody = (description: string) => ({ description, content: { [SCIM_JSON]: { schema: ScimErrorSchema } } });

export const scimErrors = errorResponses(
  errorBody,
  {
    400: "Bad Request: scimType says what (invalidFilter, invalidPath, invalidValue, invalidSyntax, mutability)",
    403: "Forbidden: the token is not a SCIM token of a customer",
  },
  [401, 404, 429, 500],
);
export const bodyErrors = errorResponses(errorBody, { 409: "Conflict: the userName (e-mail) is taken in the tenant — scimType uniqueness" }, [413, 415]);

export const scimRoute = surfaceRoute({ tag: "SCIM", errors: scimErrors, bodyErrors, errorBody, bodyMiddleware: () => jsonBodies() });

/** The surface's absolute base URL, for `meta.location` and `$ref`. */
export const scimBase = (c: Context<AppEnv>): string => `${new URL(c.req.url).origin}/scim/v2`;

/**
 * A SCIM response: the body as `application/scim+json`. (Typed as the route's own JSON response:
 * zod-openapi types a handler's answers by `c.json`, and the body is the documented schema's.)
 */
export function scimResponse(c: Context<AppEnv>, body: unknown, status: 200 | 201, headers: Record<string, string> = {}): never {
  return c.body(JSON.stringify(body), status, { "Content-Type": SCIM_JSON, ...headers }) as never;
}
