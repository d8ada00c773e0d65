import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { authConfig, type AuthConfig } from "../auth/config";
import { verifyAccessToken } from "../auth/tokens";
import { DomainError, forbidden, invalid, unauthenticated } from "../core/errors";
import type { Principal } from "../core/principal";
import { flushEvents } from "../core/webhooks/outbox";
import { BOOKMARK_PATTERN, openDb } from "../db/client";
import type { Scope } from "../db/schema";
import { errorKind } from "./errors";
import type { AppEnv } from "./types";

export const BODY_LIMIT_BYTES = 64 * 1024;
const SAFE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The read-your-writes header (docs/scaling.md#bookmarks): sent back by clients, set on every response that touched D1. */
export const BOOKMARK_HEADER = "X-D1-Bookmark";
const READS = new Set(["GET", "HEAD"]);

/** The session a request starts: its bookmark if it sent a valid one, else a refusal for its first round trip. */
function sessionStart(c: Parameters<MiddlewareHandler<AppEnv>>[0]) {
  const given = c.req.header(BOOKMARK_HEADER);
  const write = !READS.has(c.req.method);
  if (given === undefined) return { write };
  const bookmark = given.trim();
  if (BOOKMARK_PATTERN.test(bookmark)) return { write, bookmark };
  const issue = { field: BOOKMARK_HEADER, message: "Not a bookmark this API issued: send back an X-D1-Bookmark response header as it came, or nothing." };
  return { write, refusal: invalid(`The ${BOOKMARK_HEADER} header is not a D1 bookmark.`, [issue]) };
}

/**
 * Root middleware: correlation id, per-request db handle, `Server-Timing`, `Cache-Control` and one
 * structured log line per request. It runs before every dialect and the docs.
 */
export const requestContext = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const started = performance.now();
  const given = c.req.header("x-correlation-id");
  const correlationId = given !== undefined && SAFE_CORRELATION_ID.test(given) ? given : crypto.randomUUID();
  c.set("correlationId", correlationId);
  const { db, trips, checkRevocation, bookmark } = openDb(c.env.DB, sessionStart(c));
  c.set("db", db);
  c.set("trips", trips);
  c.set("checkRevocation", checkRevocation);
  const deferred: (() => Promise<unknown>)[] = [];
  c.set("afterResponse", (work) => void deferred.push(work));
  await next();
  c.header("X-Correlation-Id", correlationId);
  const latest = trips.count > 0 ? bookmark() : null;
  if (latest !== null) c.header(BOOKMARK_HEADER, latest);
  if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  if (c.env.SERVER_TIMING === "on") c.header("Server-Timing", `db;desc="${trips.count}";dur=${trips.ms.toFixed(1)}`);
  if (c.env.REQUEST_LOG !== "off") {
    const err = c.var.error;
    const line: Record<string, unknown> = {
      level: c.res.status >= 500 ? "error" : "info",
      msg: "request",
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      durationMs: Math.round(performance.now() - started),
      dbTrips: trips.count,
      correlationId,
    };
    // A create answered from its Idempotency-Key's kept response (docs/concurrency.md).
    if (c.res.headers.get("Idempotent-Replayed") === "true") line.replayed = true;
    if (err) {
      line.errorCode = err.code;
      if (err.code === "INTERNAL") line.errorKind = errorKind(err.cause);
    }
    console.log(JSON.stringify(line));
  }
  // A write that succeeded hands its events to the webhook Queue, after its response (src/core/webhooks/outbox.ts).
  if (!READS.has(c.req.method) && c.res.status < 400 && trips.count > 0) {
    const delay = Number(c.env.WEBHOOK_FLUSH_DELAY_MS ?? 0);
    deferred.push(async () => {
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      return flushEvents(db, c.env.EVENTS, { correlationId });
    });
  }
  for (const work of deferred) c.executionCtx.waitUntil(work().catch((err: unknown) => console.log(JSON.stringify({ level: "error", msg: "after response", errorKind: errorKind(err), correlationId }))));
};

/**
 * Verifies the bearer token (an access token; a SCIM token on /scim/v2) and sets the principal. Only `Authorization: Bearer <jwt>` is accepted:
 * another scheme, a repeated header or a token in the query string is 401.
 */
export const authenticate = (verify: (token: string, cfg: AuthConfig) => Promise<Principal> = verifyAccessToken): MiddlewareHandler<AppEnv> => async (c, next) => {
  const query = new URL(c.req.url).searchParams;
  if (query.has("access_token") || query.has("token")) throw unauthenticated();
  const header = c.req.header("authorization") ?? "";
  const m = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/i.exec(header);
  if (!m) throw unauthenticated();
  const principal = await verify(m[1] as string, authConfig(c.env));
  c.set("principal", principal);
  // Revoked tokens are refused by the request's first statement, in the round trip it sends anyway.
  c.var.checkRevocation(principal.sub, principal.issuedAt);
  await next();
};

/** 403 unless the verified principal holds the scope. */
export const requireScope =
  (scope: Scope): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    if (!c.var.principal.scopes.has(scope)) throw forbidden("The token lacks the required scope.");
    await next();
  };

/** The admin API: scope `admin` and a role that administers tenants. */
export const requireAdmin = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const p = c.var.principal;
  if (!p.scopes.has("admin") || (p.role !== "platform" && p.role !== "tenant_admin")) throw forbidden("The token does not grant the admin API.");
  await next();
};

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;.*)?$/i;

/**
 * 413 past 64 KiB (streamed bodies included: the limit counts bytes as they arrive, not a
 * Content-Length) and 415 for a body that is not JSON. Both are thrown, so each dialect answers
 * them in its own envelope.
 */
export const jsonBodies = (opts: { allowForm?: boolean; streamed?: RegExp } = {}): MiddlewareHandler<AppEnv>[] => {
  // A POST to a `streamed` path (an import's upload) checks its own media type and size.
  const exempt = (c: Context<AppEnv>) => opts.streamed !== undefined && c.req.method === "POST" && opts.streamed.test(c.req.path);
  const limit = bodyLimit({
    maxSize: BODY_LIMIT_BYTES,
    onError: () => {
      throw new DomainError("PAYLOAD_TOO_LARGE", "The request body is larger than 64 KiB.");
    },
  });
  return [
    async (c, next) => {
      if (exempt(c)) return next();
      const m = c.req.method;
      // A request without a body has no media type to refuse (a POST that takes none: a secret's
      // rotation); one whose route needs a body is then refused by its validation (400).
      const bodyless = c.req.raw.body === null && (c.req.header("content-length") ?? "0") === "0";
      if ((m === "POST" || m === "PUT" || m === "PATCH") && !bodyless) {
        const type = c.req.header("content-type") ?? "";
        const form = opts.allowForm === true && /^application\/x-www-form-urlencoded\s*(?:;.*)?$/i.test(type);
        if (!JSON_TYPE.test(type) && !form) {
          throw new DomainError("UNSUPPORTED_MEDIA_TYPE", "The request body must be application/json.");
        }
      }
      await next();
    },
    async (c, next) => (exempt(c) ? next() : limit(c, next)),
  ];
};

/**
 * Workers Rate Limiting (docs/api/auth.md#rate-limits). `key` names the bucket (tenant, client id, e-mail);
 * `RATE_LIMITS=off` disables it. The binding's period is the longest a client has to wait.
 */
export async function enforceRateLimit(limiter: RateLimit | undefined, enabled: string | undefined, key: string, periodSeconds: number): Promise<void> {
  if (enabled === "off" || limiter === undefined) return;
  const { success } = await limiter.limit({ key });
  if (!success) throw new DomainError("RATE_LIMITED", "Too many requests.", { retryAfter: periodSeconds });
}

/**
 * The per-tenant limit of the user routes of every dialect (docs/api/auth.md#rate-limits), keyed by the token's
 * tenant (platform tokens share one bucket). Runs after authenticate().
 */
export const userRouteLimit = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const p = c.var.principal;
  await enforceRateLimit(c.env.USER_RATE_LIMITER, c.env.RATE_LIMITS, `tenant:${p.tenantId ?? "platform"}`, 10);
  await next();
};
