/**
 * POST /auth/token, mounted at the root and under Corti's base. The grant decides the wire:
 * `grant_type=client_credentials` speaks OAuth 2.0 (RFC 6749 §4.4, errors per §5.2); a JSON
 * `{email, password}` speaks Corti (`{accessToken, tokenType, expiresIn}`, errors `{message, code}`).
 */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { authConfig } from "../../auth/config";
import { PASSWORD_MAX_CODE_POINTS } from "../../core/credentials/password";
import { clientCredentials, passwordLogin } from "../../auth/token-service";
import { DomainError, invalid, unauthenticated } from "../../core/errors";
import { normaliseError } from "../../http/errors";
import { BODY_LIMIT_BYTES, enforceRateLimit, jsonBodies } from "../../http/middleware";
import type { AppEnv } from "../../http/types";
import { CortiErrorSchema, renderCorti } from "../corti/errors";

type Fields = Record<string, string>;

const OAuthError = z
  .object({
    // RFC 6749 §5.2's codes, and `slow_down` (RFC 8628 §3.5's name for "polling too fast") on 429.
    error: z.enum(["invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope", "slow_down"]),
    error_description: z.string().optional(),
  })
  .openapi("OAuthError");
const ClientCredentialsRequest = z
  .object({
    grant_type: z.literal("client_credentials"),
    client_id: z.string().optional().openapi({ description: "Or HTTP Basic authentication" }),
    client_secret: z.string().optional(),
    scope: z.string().optional().openapi({ example: "users:read users:write" }),
  })
  .openapi("ClientCredentialsRequest");
// An address that is not an e-mail (format: email) fails like an unknown one: 401, never a hint.
const PasswordLoginRequest = z.object({ email: z.string().max(255).openapi({ format: "email" }), password: z.string().max(256) }).openapi("PasswordLoginRequest");
const OAuthToken = z
  .object({ access_token: z.string(), token_type: z.literal("Bearer"), expires_in: z.number().int(), scope: z.string() })
  .openapi("OAuthTokenResponse");
const CortiToken = z.object({ accessToken: z.string(), tokenType: z.literal("bearer"), expiresIn: z.number().int() }).openapi("Corti_TokenResponse");

function oauthError(c: Context<AppEnv>, status: 400 | 401 | 429 | 500, error: z.infer<typeof OAuthError>["error"] | "server_error", description: string, basic = false) {
  c.header("Cache-Control", "no-store");
  if (status === 401) c.header("WWW-Authenticate", basic ? 'Basic realm="customer-users"' : 'Bearer realm="customer-users"');
  return c.json({ error, error_description: description }, status);
}

async function readFields(c: Context<AppEnv>): Promise<Fields> {
  const type = c.req.header("content-type") ?? "";
  let raw: unknown;
  if (/^application\/x-www-form-urlencoded/i.test(type)) {
    raw = Object.fromEntries(new URLSearchParams(new TextDecoder().decode(await c.req.arrayBuffer())));
  } else {
    try {
      raw = await c.req.json();
    } catch {
      throw invalid("The request body is not valid JSON.", [{ field: "body", message: "Malformed JSON." }]);
    }
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw invalid("The request body must be an object.");
  const out: Fields = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== "string") throw invalid(`${k} must be a string.`, [{ field: k, message: "Must be a string." }]);
    out[k] = v;
  }
  return out;
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const m = /^Basic +([A-Za-z0-9+/]+=*)$/i.exec(header ?? "");
  if (!m) return undefined;
  try {
    const decoded = atob(m[1] as string);
    const i = decoded.indexOf(":");
    if (i < 0) return undefined;
    // RFC 6749 §2.3.1: both parts are form-urlencoded before Base64.
    return { id: decodeURIComponent(decoded.slice(0, i).replace(/\+/g, " ")), secret: decodeURIComponent(decoded.slice(i + 1).replace(/\+/g, " ")) };
  } catch {
    return undefined;
  }
}

async function handle(c: Context<AppEnv>, cortiBase: boolean): Promise<Response> {
  const env = c.env;
  const cfg = authConfig(env);
  let fields: Fields;
  try {
    fields = await readFields(c);
  } catch (err) {
    return cortiBase ? renderCorti(c, normaliseError(err)) : oauthError(c, 400, "invalid_request", (err as Error).message);
  }
  // Unauthenticated work is bounded per client address before any per-client or per-e-mail limit,
  // so fresh client ids or unknown e-mails cannot buy unlimited hashing.
  let perAddress: DomainError | undefined;
  try {
    await enforceRateLimit(env.TOKEN_IP_RATE_LIMITER, env.RATE_LIMITS, `ip:${c.req.header("cf-connecting-ip") ?? "unknown"}`, 60);
  } catch (err) {
    perAddress = err as DomainError;
  }
  if (fields.grant_type !== undefined) {
    if (perAddress) {
      c.header("Retry-After", "60");
      return oauthError(c, 429, "slow_down", "Too many token requests.");
    }
    if (fields.grant_type !== "client_credentials") return oauthError(c, 400, "unsupported_grant_type", "Only client_credentials is supported.");
    const basic = basicCredentials(c.req.header("authorization"));
    const id = basic?.id ?? fields.client_id;
    const secret = basic?.secret ?? fields.client_secret;
    if (basic && (fields.client_id !== undefined || fields.client_secret !== undefined) && fields.client_id !== basic.id)
      return oauthError(c, 400, "invalid_request", "Use one client authentication method.");
    if (!id || !secret) return oauthError(c, 401, "invalid_client", "Client authentication failed.", basic !== undefined);
    try {
      await enforceRateLimit(env.TOKEN_RATE_LIMITER, env.RATE_LIMITS, `client:${id}`, 60);
    } catch {
      c.header("Retry-After", "60");
      return oauthError(c, 429, "slow_down", "Too many token requests.");
    }
    const result = await clientCredentials(c.var.db, cfg, id, secret, fields.scope);
    if (result === "invalid_client") return oauthError(c, 401, "invalid_client", "Client authentication failed.", basic !== undefined);
    if (result === "invalid_scope") return oauthError(c, 400, "invalid_scope", "The requested scope exceeds what the client holds.");
    return c.json({ access_token: result.accessToken, token_type: "Bearer", expires_in: result.expiresIn, scope: result.scopes.join(" ") }, 200);
  }
  if (fields.email !== undefined || fields.password !== undefined) {
    const email = fields.email ?? "";
    const password = fields.password ?? "";
    const issues = [];
    if (email === "" || email.length > 255) issues.push({ field: "email", message: "Required, at most 255 characters." });
    if (password === "" || [...password].length > PASSWORD_MAX_CODE_POINTS * 4) issues.push({ field: "password", message: "Required." });
    if (issues.length > 0) return renderCorti(c, invalid(`Invalid body: ${issues.map((i) => i.field).join(", ")}.`, issues));
    if (perAddress) return renderCorti(c, perAddress);
    try {
      await enforceRateLimit(env.TOKEN_RATE_LIMITER, env.RATE_LIMITS, `email:${email.trim().toLowerCase()}`, 60);
    } catch (err) {
      return renderCorti(c, err as DomainError);
    }
    const result = await passwordLogin(c.var.db, cfg, email, password, c.req.header("x-tenant"), c.var.afterResponse);
    if (result === "invalid_credentials") return renderCorti(c, unauthenticated("Invalid email or password."));
    return c.json({ accessToken: result.accessToken, tokenType: "bearer", expiresIn: result.expiresIn }, 200);
  }
  const missing = "Send grant_type=client_credentials with client credentials, or a JSON {email, password}.";
  return cortiBase ? renderCorti(c, invalid(missing, [{ field: "body", message: missing }])) : oauthError(c, 400, "invalid_request", missing);
}

/** The token endpoint. Its request is parsed by hand (two grants, two media types), and documented below. */
export function tokenRouter(cortiBase: boolean): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  const [mediaType, limit] = jsonBodies({ allowForm: true });
  app.use("/auth/token", mediaType as never, limit as never);
  app.onError((err, c) => {
    const e = normaliseError(err);
    c.set("error", e);
    if (cortiBase || e.code === "INTERNAL") return renderCorti(c, e);
    const status = e.code === "PAYLOAD_TOO_LARGE" ? 413 : e.code === "UNSUPPORTED_MEDIA_TYPE" ? 415 : 400;
    c.header("Cache-Control", "no-store");
    return c.json({ error: "invalid_request", error_description: e.message }, status);
  });
  app.post("/auth/token", (c) => handle(c, cortiBase));
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/auth/token",
    operationId: cortiBase ? "corti.login" : "token.issue",
    tags: [cortiBase ? "Corti" : "Authentication"],
    summary: cortiBase ? "Log in with e-mail and password (Corti)" : "Obtain an access token (client credentials, or e-mail and password)",
    description:
      `Body limit ${BODY_LIMIT_BYTES / 1024} KiB. Ten attempts in a row without success lock a user for 15 minutes (counted per user, so per tenant). ` +
      "A login may name its tenant with X-Tenant (its portal domain); without it the password alone decides which tenant's user it opens. " +
      "Requests are limited per client address, and per client id or e-mail (429 with Retry-After).",
    // No bearer token: the client authenticates with its credentials in the body or HTTP Basic.
    security: [{}, { clientBasic: [] }],
    request: {
      body: {
        required: true,
        content: {
          "application/x-www-form-urlencoded": { schema: ClientCredentialsRequest },
          "application/json": { schema: z.union([ClientCredentialsRequest, PasswordLoginRequest]) },
        },
      },
    },
    responses: {
      200: { description: "Token issued", content: { "application/json": { schema: z.union([OAuthToken, CortiToken]) } } },
      400: { description: "Invalid request", content: { "application/json": { schema: z.union([OAuthError, CortiErrorSchema]) } } },
      401: { description: "Invalid client or credentials", content: { "application/json": { schema: z.union([OAuthError, CortiErrorSchema]) } } },
      413: { description: "Body over 64 KiB", content: { "application/json": { schema: z.union([OAuthError, CortiErrorSchema]) } } },
      415: { description: "Neither JSON nor form", content: { "application/json": { schema: z.union([OAuthError, CortiErrorSchema]) } } },
      429: { description: "Rate limited", content: { "application/json": { schema: z.union([OAuthError, CortiErrorSchema]) } } },
      500: { description: "Internal error", content: { "application/json": { schema: CortiErrorSchema } } },
    },
  });
  return app;
}
