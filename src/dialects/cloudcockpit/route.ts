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
import { tagged } from "../../http/etag";
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
export function created(c: Context<AppEnv>, user: { id: string; email: string; version: number }) {
  return tagged(c.json(user.id, 201, { Location: `/v1/users/${encodeURIComponent(user.email)}` }), user);
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

type Part = "query" | "param" | "header" | "json";
/** The order in which zod-openapi validates the parts of a request (and stops at the first failure). */
const VALIDATION_ORDER: readonly Part[] = ["query", "param", "header", "json"];
/** The order in which CloudCockpit lists them: headers first, body last. */
const ANSWER_ORDER: readonly Part[] = ["header", "param", "query", "json"];

/** The issues of one part of the request against the route's schema for it (none when it has none). */
async function partIssues(route: RouteConfig, part: Part, c: Context<AppEnv>): Promise<FieldIssue[]> {
  const r = route.request ?? {};
  const parse = async (schema: unknown, value: unknown): Promise<FieldIssue[]> => {
    if (schema === undefined) return [];
    const res = await (schema as ZodType).safeParseAsync(value);
    return res.success ? [] : zodIssues(res.error);
  };
  switch (part) {
    case "header": {
      const headers = r.headers as z.ZodObject | undefined;
      return headers ? parse(headers, Object.fromEntries(Object.keys(headers.shape).map((k) => [k, c.req.header(k)]))) : [];
    }
    case "param":
      return parse(r.params, c.req.param());
    case "query":
      return parse(r.query, Object.fromEntries(Object.entries(c.req.queries()).map(([k, v]) => [k, v.length === 1 ? v[0] : v])));
    case "json": {
      const media = r.body?.content["application/json"];
      const body = media !== undefined && "schema" in media ? media.schema : undefined;
      if (body === undefined) return [];
      const value = await jsonValue(c);
      return typeof value === "symbol" ? [{ field: "", message: "The request body is not valid JSON." }] : parse(body, value);
    }
  }
}

/**
 * The validation hook of every CloudCockpit route: a failed validation is answered with every
 * offending property. zod-openapi stops at the first failing part; the hook takes that part's
 * issues as reported and validates only the parts zod-openapi has not reached yet — each part is
 * validated once — then lists them headers first, body last.
 */
function ccHook(route: RouteConfig) {
  return async (result: { success: boolean; error?: ZodError; target?: string }, c: Context<AppEnv>): Promise<Response | undefined> => {
    if (result.success) return undefined;
    const failed = (result.target ?? "json") as Part;
    const byPart = new Map<Part, FieldIssue[]>([[failed, result.error ? zodIssues(result.error) : []]]);
    for (const part of VALIDATION_ORDER.slice(VALIDATION_ORDER.indexOf(failed) + 1)) byPart.set(part, await partIssues(route, part, c));
    const issues = ANSWER_ORDER.flatMap((part) => byPart.get(part) ?? []);
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
export const cockpitRoute = surfaceRoute({ tag: "CloudCockpit", errors: ccErrors, bodyErrors, errorBody, headers: CcHeaders, bodyMiddleware: () => jsonBodies(), hook: ccHook });
