/**
 * What every route file declares the same way, once: JSON responses and bodies for /doc, and the
 * route factory of a surface (its tag and the bearer scheme filled in), so a route file holds only
 * what is its own — method, path, operationId, summary, scope, request and responses.
 */
import { createRoute, type RouteConfig, type z } from "@hono/zod-openapi";

/** A JSON response of `schema` for /doc. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

/** A required JSON request body of `schema`. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({ required: true, content: { "application/json": { schema } } });

/** Every authenticated operation's security requirement in /doc. */
export const BEARER = [{ bearerAuth: [] }];

/**
 * The route factory of a surface: `surfaceRoute("Worth")({ method, path, operationId, … })` is a
 * `createRoute` with the surface's tag and the bearer scheme.
 */
export function surfaceRoute(tag: string) {
  return <const R extends Omit<RouteConfig, "tags" | "security">>(route: R) => createRoute({ ...route, tags: [tag], security: BEARER });
}
