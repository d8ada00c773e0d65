import type { Context } from "hono";
import { authConfig } from "../auth/config";
import { CLOCK_LEEWAY_SECONDS, SCIM_SCOPES, scimSubject, signScimToken } from "../auth/tokens";
import type { Ctx } from "../core/context";
import type { ScimTokenDeps } from "../core/scim/tokens";
import type { WebhookDeps } from "../core/webhooks/subscriptions";
import type { AppBindings, AppEnv } from "./types";

/** The core's view of this request: its db handle, principal and correlation id. */
export function coreCtx(c: Context<AppEnv>): Ctx {
  return {
    db: c.var.db,
    principal: c.var.principal,
    correlationId: c.var.correlationId,
    now: () => Date.now(),
    newId: () => crypto.randomUUID(),
    tokenLifetimeSeconds: authConfig(c.env).ttlSeconds + CLOCK_LEEWAY_SECONDS + 1,
  };
}

/** What webhook subscriptions need: the secrets that seal their signing secrets, and whether private URLs are allowed (development). */
export function webhookDeps(env: AppBindings): WebhookDeps {
  return { secrets: authConfig(env), allowPrivateUrls: env.WEBHOOKS_ALLOW_PRIVATE_URLS === "on" };
}

/** How SCIM tokens are signed and whom they authenticate as (src/auth/tokens.ts). */
export function scimTokenDeps(env: AppBindings): ScimTokenDeps {
  const cfg = authConfig(env);
  return { sign: (row, at) => signScimToken(row, cfg, at), subject: scimSubject, scopes: SCIM_SCOPES };
}

/** What the user verbs need besides the context: the pepper for password hashing. */
export function passwordDeps(c: Context<AppEnv>): { pepper: string } {
  return { pepper: authConfig(c.env).pepper };
}
