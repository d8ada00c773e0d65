/**
 * What every CloudCockpit route shares: the `X-Tenant` / `X-Correlation-Id` request headers, the
 * documented error responses, the validation hook that lists every offending property of the
 * request at once (headers, path, query and body together), and the core context with the tenant
 * the request names.
 */
import { z, type RouteConfig } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ZodError, ZodType } from "zod";
import { DomainError, type FieldIssue } from "../../core/errors";
import { errorResponses, surfaceRoute } from "../../http/openapi";
import { jsonBodies } from "../../http/middleware";
import { zodIssues } from "../../http/errors";
import type { AppEnv } from "../../http/types";
import { CcErrorSchema, renderCloudCockpit } from "./errors";
import { Uuid } from "./wire";


const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

export const CcHeaders = z.object({
  "X-Tenant": z
    .string({ error: "Required." })
    .superRefine((v, ctx) => {
      const d = v.trim().toLowerCase();
      if (d.length === 0) ctx.addIssue({ code: "custom", message: "Required." });
      else if (d.includes(",")) ctx.addIssue({ code: "custom", message: "Send the header once." });
      else if (!DOMAIN.test(d)) ctx.addIssue({ code: "custom", message: "Not a portal domain." });
    })
    .openapi({
      param: { name: "X-Tenant", in: "header", required: true, description: "The domain used to access the portal (compared case-insensitively)." },
      example: "portal.cloudcockpit.com",
    }),
  "X-Correlation-Id": z
    .guid({ error: "Must be a uuid." })
    .optional()
    .openapi({
      param: {
        name: "X-Correlation-Id",
        in: "header",
        description: "Optional uuid correlating the audit logs made by this request; echoed on the response, generated when absent.",
      },
      format: "uuid",
    }),
});

const errorBody = (description: string) => ({ description, content: { "application/json": { schema: CcErrorSchema } } });

/** The error responses of every CloudCockpit route. */
export const ccErrors = errorResponses(
  // 401 and 403 are answered without a body.
  (d, status) => (status === 401 || status === 403 ? { description: `${d} (no body)` } : errorBody(d)),
  {
    400: "Bad Request: each offending header, path, query or body property is listed",
    403: "Forbidden: the token lacks the scope, X-Tenant / the path is outside its claims, or the role would grant more than the token holds",
    404: "Not Found within the caller's reach (or, for a platform token, an unknown X-Tenant)",
    500: "Internal Server Error: the body carries only the correlation id",
  },
  [401, 429],
);

/** The extra error responses of routes with a body. */
/** The customer a `/v1/customer/{customerId}/users` route names, and the reseller it must belong to. */
export const CustomerPath = z.object({
  customerId: Uuid.openapi({ param: { name: "customerId", in: "path", required: true, description: "GUID Unique identifier for the customer." } }),
});
export const ResellerQuery = z.object({
  resellerId: Uuid.optional().openapi({
    param: { name: "resellerId", in: "query", description: "GUID Unique identifier for the reseller: the customer must belong to it." },
  }),
});

/** The 201 of both create routes: the new id as a JSON string, and where to find the user. */
export const createdResponse = {
  201: {
    description: "Created: the new user's id",
    headers: { Location: { description: "/v1/users/{email} of the new user", schema: { type: "string" as const } } },
    content: { "application/json": { schema: z.uuid().openapi({ example: "9b7f3a8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b" }) } },
  },
} as const;

/** Answers a create: 201, the id as a JSON string, Location of the user (addressed by e-mail). */
export function created(c: Context<AppEnv>, user: { id: string; email: string }) {
  c.header("Location", `/v1/users/${encodeURIComponent(user.email)}`);
  return c.json(user.id, 201);
}

export const bodyErrors = errorResponses(errorBody, {}, [413, 415]);

async function jsonValue(c: Context<AppEnv>): Promise<unknown> {
  try {
    return await c.req.json();
  } catch (err) {
    if (err instanceof DomainError) throw err; // the body limit
    return Symbol("malformed");
  }
}

/** Every issue of every part of the request the route validates, headers first, body last. */
async function allIssues(route: RouteConfig, c: Context<AppEnv>): Promise<FieldIssue[]> {
  const r = route.request ?? {};
  const issues: FieldIssue[] = [];
  const check = async (schema: unknown, value: unknown) => {
    if (schema === undefined) return;
    const res = await (schema as ZodType).safeParseAsync(value);
    if (!res.success) issues.push(...zodIssues(res.error));
  };
  const headers = r.headers as z.ZodObject | undefined;
  if (headers) await check(headers, Object.fromEntries(Object.keys(headers.shape).map((k) => [k, c.req.header(k)])));
  await check(r.params, c.req.param());
  await check(r.query, Object.fromEntries(Object.entries(c.req.queries()).map(([k, v]) => [k, v.length === 1 ? v[0] : v])));
  const media = r.body?.content["application/json"];
  const body = media !== undefined && "schema" in media ? media.schema : undefined;
  if (body !== undefined) {
    const value = await jsonValue(c);
    if (typeof value === "symbol") issues.push({ field: "", message: "The request body is not valid JSON." });
    else await check(body, value);
  }
  return issues;
}

/**
 * The validation hook of every CloudCockpit route: a failed validation is answered with every
 * offending property (zod-openapi stops at the first failing part; CloudCockpit clients get the
 * whole list).
 */
function ccHook(route: RouteConfig) {
  return async (result: { success: boolean; error?: ZodError }, c: Context<AppEnv>): Promise<Response | undefined> => {
    if (result.success) return undefined;
    const issues = await allIssues(route, c);
    if (issues.length === 0 && result.error) issues.push(...zodIssues(result.error));
    const err = new DomainError("INVALID", "One or more validation errors occurred.", { issues, validation: true });
    c.set("error", err);
    return renderCloudCockpit(c, err);
  };
}

/** The tenant a CloudCockpit request names: its `X-Tenant` portal domain (validated by CcHeaders). */
export function namedTenant(c: Context<AppEnv>): { domain: string } {
  return { domain: (c.req.header("x-tenant") ?? "").trim().toLowerCase() };
}

/** A CloudCockpit route: its tag, bearer scheme, X-Tenant headers, error responses and JSON body checks (src/http/openapi.ts). */
export const cockpitRoute = surfaceRoute({ tag: "CloudCockpit", errors: ccErrors, bodyErrors, headers: CcHeaders, bodyMiddleware: () => jsonBodies(), hook: ccHook });
