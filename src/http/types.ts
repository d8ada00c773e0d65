import type { Ctx } from "../core/context";
import type { DomainError } from "../core/errors";
import type { Principal } from "../core/principal";
import type { Db, RequestDb, RoundTrips } from "../db/client";

/** Secrets and optional variables that `wrangler types` cannot see in wrangler.toml. */
export interface AppBindings extends Env {
  JWKS_ISSUER?: string;
  JWKS_AUDIENCE?: string;
  /**
   * Crash drills only (scripts/crash-drill.mjs): a write's after-response hand-over of its webhook
   * events waits this long, so a drill can kill the server between the commit and the Queue send.
   */
  WEBHOOK_FLUSH_DELAY_MS?: string;
  /** How old an unqueued event must be before the Cron sweep sends it (default 60: a request's own hand-over goes first). */
  WEBHOOK_SWEEP_AFTER_SECONDS?: string;
}

export interface AppVariables {
  correlationId: string;
  db: Db;
  trips: RoundTrips;
  /** Arms the bearer token's revocation check on the request's first round trip (src/db/client.ts). */
  checkRevocation: RequestDb["checkRevocation"];
  /**
   * Work for after the response (the Worker's waitUntil), started once its headers are set: its
   * round trips are not the response's (Server-Timing and the log line count the response's own).
   */
  afterResponse: (work: () => Promise<unknown>) => void;
  principal: Principal;
  /** SHA-256 of a create carrying a well-formed Idempotency-Key (src/http/idempotency.ts). */
  requestFingerprint?: string;
  /** Set by the error handler of the dialect that answered, for the request log line. */
  error?: DomainError;
}

export interface AppEnv {
  Bindings: AppBindings;
  Variables: AppVariables;
}

export type { Ctx };
