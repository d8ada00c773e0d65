/**
 * The authorization matrix (docs/api/auth.md#reach), reusable by every surface: each case is a token (or its
 * absence, or a broken one) and the status the route must answer, with the body asserted by the
 * surface's own error check. Tokens are real: signed with the Worker's secret or a wrong one.
 */
import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { describe, it } from "vitest";
import { sign, type Reply } from "./harness";

export interface MatrixRoute {
  /** e.g. "GET /api/v1/tenants/{id}" — for test names. */
  name: string;
  /** Sends the request with this Authorization header value (undefined: none) and extra query. */
  send: (authorization: string | undefined, query?: string) => Promise<Reply>;
  /** A token that succeeds on this route. */
  valid: () => Promise<string>;
  /** Same principal, but lacking the route's scope. */
  noScope: () => Promise<string>;
  /** The route's success status. */
  ok: number;
  /** Tokens that reach outside: each with the status the contract requires (403 or 404). */
  outside?: () => Promise<{ label: string; token: string; status: 403 | 404 }[]>;
  /** Asserts the surface's error body for a status. */
  expectError: (r: Reply, status: number) => void;
}

const wrongSecret = "a-completely-different-secret-0123456789abcdef";

/** Payload of a valid token, for variations. */
function decode(token: string): Record<string, unknown> {
  const part = token.split(".")[1] as string;
  return JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/")));
}

function b64url(s: string): string {
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The broken-token cases: every one must be 401, whatever else the token says. */
export async function brokenTokens(valid: string): Promise<{ label: string; header: string | undefined; query?: string }[]> {
  const p = decode(valid);
  const now = Math.floor(Date.now() / 1000);
  const [h, body] = valid.split(".") as [string, string];
  const unsigned = (alg: string) => `${b64url(JSON.stringify({ alg, typ: "JWT" }))}.${body}.`;
  const tampered = { ...p, scope: "users:read users:write admin", role: "platform" };
  // The claims without their times, so that sign() sets iat and exp from its `now` and `ttl`
  // (an explicit `undefined` would make sign() drop the claim instead: "missing", not "expired").
  const { iat: _iat, exp: _exp, ...timeless } = p;
  return [
    { label: "no token", header: undefined },
    { label: "malformed", header: "Bearer not.a.jwt" },
    { label: "garbage", header: "Bearer abc" },
    { label: "non-Bearer scheme", header: `Basic ${valid}` },
    { label: "token in the query string", header: undefined, query: `access_token=${valid}` },
    { label: "alg none", header: `Bearer ${unsigned("none")}` },
    { label: "alg None", header: `Bearer ${unsigned("None")}` },
    { label: "signature stripped", header: `Bearer ${h}.${body}.` },
    { label: "payload edited after signing", header: `Bearer ${h}.${b64url(JSON.stringify(tampered))}.${valid.split(".")[2]}` },
    { label: "wrong signing key", header: `Bearer ${await sign(p, { secret: wrongSecret })}` },
    { label: "expired", header: `Bearer ${await sign(timeless, { now: now - 7200, ttl: 600 })}` },
    { label: "exp missing", header: `Bearer ${await sign({ ...p, exp: undefined })}` },
    { label: "exp a string", header: `Bearer ${await sign({ ...p, exp: String(now + 600) as unknown as number })}` },
    { label: "iat in the future", header: `Bearer ${await sign(timeless, { now: now + 600 })}` },
    { label: "lifetime over TOKEN_TTL_SECONDS", header: `Bearer ${await sign(timeless, { ttl: 7200 })}` },
    { label: "wrong aud", header: `Bearer ${await sign({ ...p, aud: "someone-else" })}` },
    { label: "aud missing", header: `Bearer ${await sign({ ...p, aud: undefined })}` },
    { label: "wrong iss", header: `Bearer ${await sign({ ...p, iss: "https://evil.example" })}` },
    { label: "token_use refresh", header: `Bearer ${await sign({ ...p, token_use: "refresh" })}` },
    { label: "token_use missing", header: `Bearer ${await sign({ ...p, token_use: undefined })}` },
    { label: "HS512 with the right key", header: `Bearer ${await new SignJWT(p).setProtectedHeader({ alg: "HS512" }).sign(new TextEncoder().encode(env.JWT_SECRET))}` },
  ];
}

/** Registers the whole matrix for one route as vitest cases. */
export function authMatrix(route: MatrixRoute): void {
  describe(`authorization matrix: ${route.name}`, () => {
    it("valid token → success", async () => {
      const r = await route.send(`Bearer ${await route.valid()}`);
      if (r.status !== route.ok) throw new Error(`expected ${route.ok}, got ${r.status}: ${r.text}`);
    });
    it("every broken token → 401", async () => {
      for (const c of await brokenTokens(await route.valid())) {
        const r = await route.send(c.header, c.query);
        try {
          route.expectError(r, 401);
        } catch (e) {
          throw new Error(`${c.label}: ${(e as Error).message} (got ${r.status} ${r.text})`, { cause: e });
        }
      }
    });
    it("missing scope → 403", async () => {
      route.expectError(await route.send(`Bearer ${await route.noScope()}`), 403);
    });
    if (route.outside) {
      it("outside the token's reach → 403 when the claims decide, 404 otherwise", async () => {
        for (const o of await route.outside!()) {
          const r = await route.send(`Bearer ${o.token}`);
          try {
            route.expectError(r, o.status);
          } catch (e) {
            throw new Error(`${o.label}: ${(e as Error).message} (got ${r.status} ${r.text})`, { cause: e });
          }
        }
      });
    }
  });
}
