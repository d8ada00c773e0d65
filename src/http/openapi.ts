/**
 * What every route file declares the same way, once: JSON responses and bodies for /doc, and the
 * route factory of a surface (its tag and the bearer scheme filled in), so a route file holds only
 * what is its own — method, path, operationId, summary, scope, request and responses.
 */
import { createRoute, z as zod, type OpenAPIHono, type RouteConfig, type RouteHandler, type z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { Scope } from "../db/schema";
import { ETAG_HEADER, IfMatchHeaders, IfNoneMatchHeaders } from "./etag";
import { fingerprintRequest, IdempotencyHeaders } from "./idempotency";
import { requireAdmin, requireScope } from "./middleware";
import type { AppEnv } from "./types";

/** A JSON response of `schema` for /doc. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

/** A required JSON request body of `schema`. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({ required: true, content: { "application/json": { schema } } });

/** Every authenticated operation's security requirement in /doc. */
export const BEARER = [{ bearerAuth: [] }];

/** Who may call an operation: a scope, or the admin API's check (scope admin with an administering role). */
export type Access = Scope | "admin";

const NEEDS: Record<Access, string> = {
  "users:read": "Needs scope users:read.",
  "users:write": "Needs scope users:write.",
  admin: "Needs scope admin with role platform or tenant_admin.",
};

type Method = "get" | "post" | "put" | "patch" | "delete";

/**
 * A user operation's part in ETags (src/http/etag.ts): `read` takes If-None-Match (304) and answers
 * ETag; `write` takes If-Match (412, 428) and a PATCH answers the new ETag; `create` answers the new
 * user's ETag.
 */
export type Versioned = "read" | "write" | "create";

/** What every route of a surface has, added by its route factory so no route file repeats it. */
export interface SurfaceDefaults {
  tag: string;
  /** The error responses of every route. */
  errors: Record<number, unknown>;
  /** The extra error responses (413, 415) of routes with a request body. */
  bodyErrors: Record<number, unknown>;
  /** The surface's error body in /doc for a status's description (the statuses only some routes answer: 422 …). */
  errorBody: (description: string, status: number) => unknown;
  /** Request headers every route declares (CloudCockpit's X-Tenant / X-Correlation-Id). */
  headers?: z.ZodObject;
  /** Middleware of routes with a request body, after the access check (a surface whose router does not apply it). */
  bodyMiddleware?: () => MiddlewareHandler[];
  /** The validation hook of every route (CloudCockpit lists every offending property); default: the dialect router's. */
  hook?: (route: RouteConfig) => unknown;
}

/**
 * The route factory of a surface: `export const { route, register } = worthRoute("get /customers/{customerID}/users",
 * "worth.listCustomerUsers", "users:read", { summary, description, request, responses }, async (c) => …)`
 * declares an operation and the handler that answers it. The route is a `createRoute` with the
 * surface's tag, the bearer scheme, its shared headers and error responses, and the access check
 * both enforced (the route's first middleware) and documented (its description says what it needs)
 * from one value. A route file states only what is its own.
 *
 * A POST creates something: it takes an `Idempotency-Key` (src/http/idempotency.ts) — the header is
 * validated with the request, the request's fingerprint taken before the body is parsed, and the
 * 422 of a reused key documented — and its handler answers through `once()`.
 */
export function surfaceRoute(d: SurfaceDefaults) {
  return <const R extends Omit<RouteConfig, "tags" | "security" | "method" | "path" | "operationId">>(
    signature: `${Method} /${string}`,
    operationId: string,
    access: Access,
    spec: R & { description: string; versioned?: Versioned },
    handler: RouteHandler<R & { method: Method; path: string }, AppEnv>,
  ) => {
    const [method, path] = signature.split(" ") as [Method, string];
    const { versioned, ...own } = spec;
    const check = access === "admin" ? requireAdmin() : requireScope(access);
    const hasBody = own.request?.body !== undefined;
    const creates = method === "post";
    const headers = [d.headers, creates ? IdempotencyHeaders : undefined, versioned === "read" ? IfNoneMatchHeaders : versioned === "write" ? IfMatchHeaders : undefined]
      .filter((h) => h !== undefined)
      .reduce<z.ZodObject | undefined>((all, h) => (all ? all.extend(h.shape) : h), undefined);
    // Every success of a user's GET, PATCH and create carries its ETag (a DELETE's 204 has none).
    const tagged = versioned !== undefined && method !== "delete";
    const responses = Object.fromEntries(
      Object.entries(own.responses as Record<string, { headers?: Record<string, unknown> }>).map(([status, r]) => [
        status,
        tagged && status.startsWith("2") ? { ...r, headers: { ...r.headers, ETag: ETAG_HEADER } } : r,
      ]),
    );
    const route = createRoute({
      ...own,
      method,
      path,
      operationId,
      tags: [d.tag],
      security: BEARER,
      description: `${own.description} ${NEEDS[access]}`,
      request: { ...(headers ? { headers } : {}), ...own.request } as R["request"],
      // The route's own responses win (e.g. Worth's PATCH words its 404 itself).
      responses: {
        ...d.errors,
        ...(hasBody ? d.bodyErrors : {}),
        ...(creates ? errorResponses(d.errorBody, {}, [422]) : {}),
        ...(versioned === "write" ? errorResponses(d.errorBody, {}, [412, 428]) : {}),
        ...(versioned === "read" ? { 304: { description: "Not Modified: the user is as the If-None-Match tag names it (no body)", headers: { ETag: ETAG_HEADER } } } : {}),
        ...responses,
      } as R["responses"],
      middleware: [check, ...(hasBody && d.bodyMiddleware ? d.bodyMiddleware() : []), ...(creates ? [fingerprintRequest()] : [])],
    });
    return { route, register: (app: OpenAPIHono<AppEnv>): void => void app.openapi(route, handler as never, d.hook?.(route) as never) };
  };
}

/** What these statuses mean on every surface, in /doc's words (a surface may word one itself). */
export const COMMON_ERRORS = {
  401: "Missing, malformed, expired or wrongly signed bearer token",
  404: "Not found within the caller's reach (answered exactly like a missing one)",
  413: "Body over 64 KiB",
  415: "Body is not application/json",
  412: "If-Match names another version of the user: it changed since it was read (nothing was changed)",
  422: "The Idempotency-Key was already used for another request (method, path, X-Tenant or body differ)",
  428: "The tenant requires If-Match on user changes (requireIfMatch) and none was sent",
  429: "Rate limited; Retry-After says when to retry",
  500: "Internal error; the body says nothing more (the correlation id finds the log line)",
} as const;

/**
 * A surface's documented error responses: each description wrapped in the surface's error body
 * (`body`, which may pick a shape by status), the surface's own words for what it words itself and
 * the common meanings (COMMON_ERRORS) for the rest.
 */
export function errorResponses<D, const K extends number, const C extends keyof typeof COMMON_ERRORS = never>(
  body: (description: string, status: number) => D,
  own: Record<K, string | D>,
  common: readonly C[] = [],
): Record<K | C, D> {
  const out = {} as Record<number, D>;
  for (const s of common) out[s] = body(COMMON_ERRORS[s], s);
  for (const [s, d] of Object.entries(own) as [string, string | D][]) out[Number(s)] = typeof d === "string" ? body(d, Number(s)) : d;
  return out as Record<K | C, D>;
}

/**
 * A whole-number query parameter in [min, max] with a default: digits only (no sign, exponent or
 * hex), as a string that `base` accepts (each dialect words its own messages).
 */
export function intQueryParam(
  base: z.ZodString,
  o: { min: number; max: number; fallback: number; digits: number; notInteger: string; outOfRange: string; description: string; name?: string },
) {
  return base
    .regex(new RegExp(`^\\d{1,${o.digits}}$`), o.notInteger)
    .transform(Number)
    .refine((n) => n >= o.min && n <= o.max, o.outOfRange)
    .optional()
    .transform((n) => n ?? o.fallback)
    .openapi({
      ...(o.name === undefined ? {} : { param: { name: o.name, in: "query" as const } }),
      type: "integer",
      minimum: o.min,
      maximum: o.max,
      default: o.fallback,
      description: o.description,
    });
}

/**
 * An id on input: a UUID, compared case-insensitively (RFC 9562 §4), so it is lower-cased as it is
 * read — an upper-case id names the same row on every surface. `error` words a refusal the
 * dialect's way.
 */
export function idParam(error?: Parameters<typeof zod.uuid>[0]) {
  return zod.uuid(error).toLowerCase();
}
