import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { JWKS_PUBLIC, JWKS_TEST_ISSUER, JWKS_TEST_URL } from "./test/fixtures/jwks.ts";

/**
 * Every outbound fetch of the Worker under test lands here (there is no network): the test issuer's
 * JWKS is served, and anything else is counted and refused, so tests can prove that a token's
 * `jku`/`x5u` header never makes the Worker fetch anything.
 */
let refusedOutbound = 0;

/**
 * Webhook receivers (test/webhooks/): `https://receiver.test/<behaviour>/<name>` records every
 * delivery by name and answers by its behaviour — `ok` 200; `fail-N` 500 for the first N attempts,
 * then 200; `never` 503 — and `https://receiver.test/__received/<name>` lists what arrived.
 */
const received = new Map<string, { headers: Record<string, string>; body: string; at: number }[]>();
async function receiver(request: Request, url: URL): Promise<Response> {
  const [, behaviour = "", name = ""] = url.pathname.split("/");
  if (behaviour === "__received") return Response.json(received.get(name) ?? []);
  const list = received.get(name) ?? [];
  list.push({ headers: Object.fromEntries(request.headers), body: await request.text(), at: Date.now() });
  received.set(name, list);
  const failFirst = /^fail-(\d+)$/.exec(behaviour);
  if (behaviour === "never") return new Response("down", { status: 503 });
  if (failFirst && list.length <= Number(failFirst[1])) return new Response("not yet", { status: 500 });
  return new Response("ok");
}

async function outbound(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.host === "receiver.test") return receiver(request, url);
  if (request.url === JWKS_TEST_URL) return Response.json({ keys: [JWKS_PUBLIC] });
  if (url.host === "outbound.test" && url.pathname === "/refused") return Response.json({ refused: refusedOutbound });
  refusedOutbound++;
  return new Response("no network in tests", { status: 502 });
}

// Three projects: "workers" runs inside workerd with the Worker's own wrangler.toml, the committed
// migrations applied by test/setup.ts exactly as `wrangler d1 migrations apply` applies them;
// "workers-limits" is the same with the rate limits on and tiny (test/limits/); "node" runs the few
// checks whose tools need Node (the OpenAPI validator).
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                outboundService: outbound as never,
                bindings: {
                  JWKS_URL: JWKS_TEST_URL,
                  JWKS_ISSUER: JWKS_TEST_ISSUER,
                  TEST_MIGRATIONS: migrations,
                  JWT_SECRET: "test-jwt-secret-0123456789abcdef0123456789",
                  BOOTSTRAP_CLIENT_ID: "bootstrap",
                  BOOTSTRAP_CLIENT_SECRET: "test-bootstrap-secret-0123456789abcdef",
                  PASSWORD_PEPPER: "test-pepper-0123456789abcdef",
                  SERVER_TIMING: "on",
                  REQUEST_LOG: "off",
                  RATE_LIMITS: "off",
                  // Webhook retries without waiting (the backoff's formula has its own test), and the
                  // production URL rules whatever a developer's .dev.vars says.
                  WEBHOOK_RETRY_BASE_SECONDS: "0",
                  WEBHOOKS_ALLOW_PRIVATE_URLS: "off",
                },
              },
            }),
          ],
          test: {
            name: "workers",
            // One module graph for all files: the app, zod schemas and drizzle load once instead of
            // once per file (the suite ran in 4m35s isolated, 2m44s shared). Tests never depend on
            // shared state: each builds its own tenant through the harness.
            isolate: false,
            setupFiles: ["./test/setup.ts"],
            include: ["test/**/*.test.ts"],
            exclude: ["test/node/**", "test/limits/**"],
          },
        },
        // Rate limits on, with tiny Workers Rate Limiting bindings in place of wrangler.toml's (same
        // periods, so Retry-After holds); only the rate-limit tests (test/limits/) run here.
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                outboundService: outbound as never,
                ratelimits: {
                  USER_RATE_LIMITER: { namespace_id: "1001", simple: { limit: 5, period: 10 } },
                  TOKEN_RATE_LIMITER: { namespace_id: "1002", simple: { limit: 3, period: 60 } },
                  TOKEN_IP_RATE_LIMITER: { namespace_id: "1003", simple: { limit: 40, period: 60 } },
                },
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  JWT_SECRET: "test-jwt-secret-0123456789abcdef0123456789",
                  BOOTSTRAP_CLIENT_ID: "bootstrap",
                  BOOTSTRAP_CLIENT_SECRET: "test-bootstrap-secret-0123456789abcdef",
                  PASSWORD_PEPPER: "test-pepper-0123456789abcdef",
                  REQUEST_LOG: "off",
                  RATE_LIMITS: "on",
                },
              },
            }),
          ],
          test: {
            name: "workers-limits",
            setupFiles: ["./test/setup.ts"],
            include: ["test/limits/**/*.test.ts"],
            // Each test first waits (up to ~10 s) for a fresh limiter window: miniflare's windows
            // follow the wall clock, and the default 5 s timeout cut that wait short under load.
            testTimeout: 30_000,
          },
        },
        {
          test: { name: "node", environment: "node", include: ["test/node/**/*.test.ts"] },
        },
      ],
    },
  };
});
