/**
 * The JWT attack set of issue 6 (RFC 8725): the base set of broken tokens (brokenTokens(), which
 * matrix.edges.test.ts also runs against every route) plus the attacks it lacks, each with the status
 * a route must answer. Built from one valid token, whose claims the variants keep; `accept` cases are
 * the controls at the edges (inside the 30 s leeway).
 */
import { env } from "cloudflare:workers";
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { SURFACES, type SurfaceName } from "../../src/surfaces";
import { sign } from "../harness";
import { JWKS_PUBLIC } from "../fixtures/jwks";

/** The surfaces the set is run against, one route each (jwt.test.ts): every surface of the
 * registry (src/surfaces.ts) with bearer-authenticated routes, so all but the token endpoint. */
export const JWT_SURFACES = SURFACES.filter((s) => s.name !== "token").map((s) => s.name as Exclude<SurfaceName, "token">);

export interface JwtCase {
  label: string;
  /** The Authorization header (undefined: none). */
  header: string | undefined;
  /** Extra query string. */
  query?: string;
  /** 401 for an attack; 200 for a control that must still be accepted. */
  status: 200 | 401;
}

const b64url = (s: string | Uint8Array) =>
  btoa(typeof s === "string" ? s : String.fromCharCode(...s))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

/** The claims of a compact JWS, unverified. */
export function claimsOf(token: string): JWTPayload {
  const part = token.split(".")[1] as string;
  return JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/"))) as JWTPayload;
}

const wrongSecret = "a-completely-different-secret-0123456789abcdef";

/** The base set of broken tokens: every one must be a 401, whatever else the token says. */
export async function brokenTokens(valid: string): Promise<{ label: string; header: string | undefined; query?: string }[]> {
  const p = claimsOf(valid);
  const now = Math.floor(Date.now() / 1000);
  const [h, body] = valid.split(".") as [string, string];
  const unsigned = (alg: string) => `${b64url(JSON.stringify({ alg, typ: "JWT" }))}.${body}.`;
  // Escalated, and marked so that the payload differs even where the token already was the platform's.
  const tampered = { ...p, scope: "users:read users:write admin", role: "platform", edited: true };
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
    // An access token lives TOKEN_TTL_SECONDS; a SCIM token (token_use scim) ten years.
    { label: "lifetime over TOKEN_TTL_SECONDS (a SCIM token's: over ten years)", header: `Bearer ${await sign(timeless, { ttl: p.token_use === "scim" ? 10 * 365 * 24 * 3600 + 3600 : 7200 })}` },
    { label: "wrong aud", header: `Bearer ${await sign({ ...p, aud: "someone-else" })}` },
    { label: "aud missing", header: `Bearer ${await sign({ ...p, aud: undefined })}` },
    { label: "wrong iss", header: `Bearer ${await sign({ ...p, iss: "https://evil.example" })}` },
    { label: "token_use refresh", header: `Bearer ${await sign({ ...p, token_use: "refresh" })}` },
    { label: "token_use missing", header: `Bearer ${await sign({ ...p, token_use: undefined })}` },
    { label: "HS512 with the right key", header: `Bearer ${await new SignJWT(p).setProtectedHeader({ alg: "HS512" }).sign(new TextEncoder().encode(env.JWT_SECRET))}` },
  ];
}

/** An HMAC key of raw bytes (64 zero bytes is, by HMAC's padding, the same key as an empty one). */
function hmacKey(bytes: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/** A compact JWS over `header` and the encoded payload, HMAC-SHA256 with the raw key bytes, whatever `alg` says. */
async function rawHmac(headerJson: Record<string, unknown>, payloadB64: string, key: Uint8Array): Promise<string> {
  const input = `${b64url(JSON.stringify(headerJson))}.${payloadB64}`;
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(key), new TextEncoder().encode(input));
  return `${input}.${b64url(new Uint8Array(mac))}`;
}

/** Signs `claims` with an attacker's key and header (never the Worker's secret). */
async function forged(claims: JWTPayload, header: Record<string, unknown> & { alg: string }, key: CryptoKey | Uint8Array): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(header).sign(key);
}

/**
 * Every case: the 21 of brokenTokens() and the ones it lacks. `valid` is a working token of the
 * route under attack (self-issued, HS256); every variant keeps its claims.
 */
export async function jwtAttackCases(valid: string): Promise<JwtCase[]> {
  const p = claimsOf(valid);
  const now = Math.floor(Date.now() / 1000);
  const [, body, sig] = valid.split(".") as [string, string, string];
  const header = (alg: string, extra: Record<string, unknown> = {}) => b64url(JSON.stringify({ alg, typ: "JWT", ...extra }));
  const bearer = (t: string) => `Bearer ${t}`;
  // The claims without their times, so that sign() sets iat and exp from its `now`.
  const { iat: _iat, exp: _exp, nbf: _nbf, ...fresh } = p;
  const secret = new TextEncoder().encode(env.JWT_SECRET);
  const attacker = await generateKeyPair("RS256", { extractable: true });
  const attackerJwk = await exportJWK(attacker.publicKey);
  const emptyKey = await hmacKey(new Uint8Array(64));
  const known = new TextEncoder().encode("key");

  const broken = (await brokenTokens(valid)).map((c) => ({ ...c, status: 401 as const }));
  const added: JwtCase[] = [
    { label: "alg NONE", header: bearer(`${header("NONE")}.${body}.`), status: 401 },
    { label: "alg none keeping the original signature", header: bearer(`${header("none")}.${body}.${sig}`), status: 401 },
    { label: "alg hs256 (lower case), signed with the right key", header: bearer(await rawHmac({ alg: "hs256", typ: "JWT" }, body, secret)), status: 401 },
    { label: "alg ES256 on an HMAC of the right key (algorithm confusion)", header: bearer(await rawHmac({ alg: "ES256", typ: "JWT", kid: "test-es256" }, body, secret)), status: 401 },
    {
      label: "HS256 keyed with the external issuer's public key (algorithm confusion)",
      header: bearer(await forged(p, { alg: "HS256", typ: "JWT" }, new TextEncoder().encode(JSON.stringify(JWKS_PUBLIC)))),
      status: 401,
    },
    { label: "two bearer tokens in one header", header: `Bearer ${valid}, Bearer ${valid}`, status: 401 },
    { label: "token in the query string as well as the header", header: bearer(valid), query: `access_token=${valid}`, status: 401 },
    { label: "token= in the query string", header: undefined, query: `token=${valid}`, status: 401 },
    { label: "exp 60 s past (beyond the leeway)", header: bearer(await sign(fresh, { now: now - 660, ttl: 600 })), status: 401 },
    { label: "exp 10 s past (inside the leeway): accepted", header: bearer(await sign(fresh, { now: now - 610, ttl: 600 })), status: 200 },
    { label: "nbf 120 s ahead (beyond the leeway)", header: bearer(await sign({ ...p, nbf: now + 120 })), status: 401 },
    { label: "nbf 20 s ahead (inside the leeway): accepted", header: bearer(await sign({ ...p, nbf: now + 20 })), status: 200 },
    { label: "nbf a string", header: bearer(await sign({ ...p, nbf: String(now) as unknown as number })), status: 401 },
    { label: "iat 120 s ahead (beyond the leeway)", header: bearer(await sign(fresh, { now: now + 120 })), status: 401 },
    { label: "iat 20 s ahead (inside the leeway): accepted", header: bearer(await sign(fresh, { now: now + 20 })), status: 200 },
    { label: "iat missing", header: bearer(await sign({ ...p, iat: undefined })), status: 401 },
    { label: "iat a string", header: bearer(await sign({ ...p, iat: String(now) as unknown as number })), status: 401 },
    { label: "iss missing", header: bearer(await sign({ ...p, iss: undefined })), status: 401 },
    { label: "aud of another service only", header: bearer(await sign({ ...p, aud: ["someone-else", "another"] })), status: 401 },
    { label: "token_use id", header: bearer(await sign({ ...p, token_use: "id" })), status: 401 },
    { label: "crit header the verifier does not understand", header: bearer(await rawHmac({ alg: "HS256", typ: "JWT", crit: ["x-extension"], "x-extension": true }, body, secret)), status: 401 },
    { label: "kid ../../../../dev/null, keyed with the empty file", header: bearer(await forged(p, { alg: "HS256", typ: "JWT", kid: "../../../../../../dev/null" }, emptyKey)), status: 401 },
    { label: "kid with SQL selecting a known key", header: bearer(await forged(p, { alg: "HS256", typ: "JWT", kid: "x' UNION SELECT 'key' --" }, known)), status: 401 },
    { label: "jku to the attacker's key set", header: bearer(await forged(p, { alg: "RS256", typ: "JWT", kid: "evil", jku: "https://attacker.test/jwks.json" }, attacker.privateKey)), status: 401 },
    { label: "x5u to the attacker's certificate", header: bearer(await forged(p, { alg: "RS256", typ: "JWT", x5u: "https://attacker.test/cert.pem" }, attacker.privateKey)), status: 401 },
    { label: "embedded jwk of the attacker's key", header: bearer(await forged(p, { alg: "RS256", typ: "JWT", jwk: attackerJwk }, attacker.privateKey)), status: 401 },
    {
      label: "embedded symmetric jwk with the attacker's secret",
      header: bearer(await forged(p, { alg: "HS256", typ: "JWT", jwk: { kty: "oct", k: b64url(known) } }, known)),
      status: 401,
    },
    { label: "HS256 with the right key but a jku the verifier must ignore", header: bearer(await sign(p, { header: { jku: "https://attacker.test/jwks.json" } })), status: 200 },
  ];
  return [...broken, ...added];
}

/** The size of the set, built from a token of the same shape as the routes' (for the summary line). */
export async function countJwtAttacks(): Promise<{ attacks: number; controls: number }> {
  const token = await sign({ sub: "count", role: "tenant_admin", tenant_id: crypto.randomUUID(), scope: "admin" });
  const cases = await jwtAttackCases(token);
  return { attacks: cases.filter((c) => c.status === 401).length, controls: cases.filter((c) => c.status === 200).length };
}
