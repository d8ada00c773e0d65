/**
 * `Idempotency-Key` on every create (docs/concurrency.md#idempotency-keys; the IETF httpapi draft's
 * semantics). A create route's handler answers through `once()`:
 *
 *  - no key: the verb runs and its result is rendered, as always;
 *  - a key: the verb gets a receipt (src/core/idempotency.ts). Before its batch it hands the receipt
 *    its planned result; the response is rendered from that once, sealed, and written by the same
 *    batch as the create — no extra round trip — and the very same response is answered;
 *  - a retry: its batch fails on the key's check, writing nothing; one more round trip reads the
 *    record: the same request (method, path, X-Tenant, body bytes) gets the first response again,
 *    byte for byte, with `Idempotent-Replayed: true`; another request gets 422.
 *
 * What is kept is sealed with AES-256-GCM under a key derived (HKDF) from the Worker's secrets and
 * bound to its (tenant, principal, key): a client secret or an e-mail in a kept response is never
 * readable in the table.
 */
import { z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { authConfig, type AuthEnv } from "../auth/config";
import { seal, unseal } from "../core/credentials/sealing";
import { DomainError } from "../core/errors";
import { abortWhenTaken, KEY_TAKEN_MARKER, readKey, recordKey, type KeyScope, type Receipt } from "../core/idempotency";
import { failedWith } from "../db/client";
import type { AppEnv } from "./types";

export const IDEMPOTENCY_KEY = "Idempotency-Key";
export const REPLAYED = "Idempotent-Replayed";

/** 1–255 visible ASCII characters (the header as sent, quotes included). */
const KEY_PATTERN = /^[\x21-\x7E]{1,255}$/;

/** The request header of a create, validated with the rest of the request (a bad key is the dialect's 400). */
export const IdempotencyHeaders = z.object({
  [IDEMPOTENCY_KEY]: z
    .string()
    .regex(KEY_PATTERN, "Must be 1 to 255 visible ASCII characters.")
    .optional()
    .openapi({
      param: {
        name: IDEMPOTENCY_KEY,
        in: "header",
        description:
          "Makes the create safe to retry: a retry with the same key and the same request (method, path, X-Tenant, body) within 24 hours answers the first response again, byte for byte, with `Idempotent-Replayed: true`, and changes nothing. The same key with another request is a 422. Keys are scoped to the caller (tenant and principal). A refused create (4xx) keeps nothing, so a corrected retry may reuse its key.",
      },
      example: "8e03978e-40d5-43e8-bc93-6894a57f9324",
    }),
});

/** Headers of a kept response that a client needs on a replay (the rest are the request's own). */
const KEPT_HEADERS = ["content-type", "location", "etag"];

const encoder = new TextEncoder();

async function sha256Hex(data: BufferSource): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Route middleware of a create, before its validators: the request's fingerprint when it carries a
 * well-formed key — SHA-256 over the method, path and query, X-Tenant and the body's bytes as sent.
 * Runs after the body limit, so it reads at most 64 KiB; the validators read the body it cached.
 */
export const fingerprintRequest = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const key = c.req.header(IDEMPOTENCY_KEY);
  if (key !== undefined && KEY_PATTERN.test(key)) {
    const url = new URL(c.req.url);
    const head = encoder.encode(`${c.req.method}\n${url.pathname}${url.search}\n${c.req.header("x-tenant") ?? ""}\n`);
    const body = new Uint8Array(await c.req.arrayBuffer());
    const all = new Uint8Array(head.length + body.length);
    all.set(head);
    all.set(body, head.length);
    c.set("requestFingerprint", await sha256Hex(all));
  }
  await next();
};

// ---- sealing (src/core/credentials/sealing.ts) -------------------------------------------------

/** The record is bound to its scope: a sealed response moved to another key does not open. */
const scopeContext = (s: KeyScope) => `${s.tenantScope}\n${s.principal}\n${s.key}`;

interface Kept {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const sealKept = (kept: Kept, scope: KeyScope, env: AuthEnv) => seal(authConfig(env), "idempotency-keys", JSON.stringify(kept), scopeContext(scope));
const unsealKept = async (text: string, scope: KeyScope, env: AuthEnv) => JSON.parse(await unseal(authConfig(env), "idempotency-keys", text, scopeContext(scope))) as Kept;

// ---- answering ---------------------------------------------------------------------------------

/**
 * Answers a create: `run` calls the verb with the receipt it is given (undefined without a key),
 * `render` turns its result — or, with a key, its planned result — into the response. `render`
 * must not touch the context's headers: it builds the whole response (status, body, Location).
 */
export async function once<P, R extends P, T extends Response>(
  c: Context<AppEnv>,
  run: (receipt: Receipt<P> | undefined) => Promise<R>,
  render: (result: P) => T,
): Promise<T> {
  const key = c.req.header(IDEMPOTENCY_KEY);
  const fingerprint = c.var.requestFingerprint;
  if (key === undefined || fingerprint === undefined) return render(await run(undefined));
  const p = c.var.principal;
  const scope: KeyScope = { tenantScope: p.tenantId ?? "", principal: p.sub, key };
  // A record that expired between a retry's two round trips: the create runs again, once.
  for (let attempt = 0; attempt < 2; attempt++) {
    const now = Date.now();
    let answer: T | undefined;
    const receipt: Receipt<P> = {
      seal: async (planned, eventId) => {
        answer = render(planned);
        const headers: Record<string, string> = {};
        for (const h of KEPT_HEADERS) {
          const v = answer.headers.get(h);
          if (v !== null) headers[h] = v;
        }
        const sealed = await sealKept({ status: answer.status, headers, body: await answer.clone().text() }, scope, c.env);
        return { front: abortWhenTaken(c.var.db, scope, now), back: recordKey(c.var.db, scope, { fingerprint, sealed }, eventId, now) };
      },
    };
    try {
      const result = await run(receipt);
      return answer ?? render(result);
    } catch (err) {
      if (!failedWith(err, KEY_TAKEN_MARKER)) throw err;
    }
    const record = await readKey(c.var.db, scope, Date.now());
    if (record === undefined) continue;
    if (record.fingerprint !== fingerprint) {
      throw new DomainError("KEY_REUSED", "This Idempotency-Key was already used for another request; send a new key for a new request.", {
        issues: [{ field: IDEMPOTENCY_KEY, message: "Already used with another method, path, X-Tenant or body." }],
      });
    }
    const kept = await unsealKept(record.sealed, scope, c.env);
    // The kept response, as the route rendered it (its type is the route's own).
    return new Response(kept.body, { status: kept.status, headers: { ...kept.headers, [REPLAYED]: "true" } }) as T;
  }
  throw new Error("idempotency: a key's record vanished twice");
}

/** `Idempotent-Replayed` in /doc: on the success responses of every operation that takes an Idempotency-Key. */
export function withReplayHeader<D extends object>(doc: D): D {
  type Op = { parameters?: { name?: string }[]; responses?: Record<string, { headers?: Record<string, unknown> }> };
  const paths = (doc as { paths?: Record<string, Record<string, Op>> }).paths ?? {};
  for (const item of Object.values(paths)) {
    for (const op of Object.values(item)) {
      if (!op.parameters?.some((p) => p.name === IDEMPOTENCY_KEY)) continue;
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        if (!status.startsWith("2")) continue;
        response.headers = {
          ...response.headers,
          [REPLAYED]: { description: "`true` when this is the response kept for the request's Idempotency-Key, answered again.", schema: { type: "string", enum: ["true"] } },
        };
      }
    }
  }
  return doc;
}
