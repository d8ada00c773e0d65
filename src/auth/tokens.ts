/**
 * Access tokens (docs/api/auth.md#claims), signed and verified with `jose` on WebCrypto. Self-issued tokens are
 * HS256 only; tokens of an external issuer (JWKS_URL) are RS256/ES256 only. The algorithm list is
 * explicit on every verification, so `alg: none` and algorithm confusion are refused by the
 * library before any claim is read.
 */
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from "jose";
import { unauthenticated } from "../core/errors";
import type { Principal } from "../core/principal";
import { ROLES, SCOPES, type Role, type Scope } from "../db/schema";
import type { AuthConfig } from "./config";

export const CLOCK_LEEWAY_SECONDS = 30;

// Per-isolate caches: key import and JWKS fetches happen once, not per request.
const hmacKeys = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    hmacKeys.set(secret, key);
  }
  return key;
}
const remoteKeySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
function remoteKeySet(url: string) {
  let set = remoteKeySets.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000, timeoutDuration: 5_000 });
    remoteKeySets.set(url, set);
  }
  return set;
}

export interface AccessClaims {
  sub: string;
  role: Role;
  tenantId: string | null;
  customerId?: string | null;
  resellerId?: string | null;
  projectId?: string | null;
  scopes: readonly Scope[];
}

/**
 * Signs a self-issued token. `issuedAtMs` is when the grant it carries was read (not when it is
 * signed): a revocation committed in between must still refuse it. Besides `iat` (seconds) the
 * token carries that instant in milliseconds (`iat_ms`, private), which revocation compares with.
 */
export async function signAccessToken(claims: AccessClaims, cfg: AuthConfig, issuedAtMs = Date.now()): Promise<string> {
  const nowSeconds = Math.floor(issuedAtMs / 1000);
  const payload: JWTPayload = { token_use: "access", role: claims.role, scope: claims.scopes.join(" "), iat_ms: issuedAtMs };
  if (claims.tenantId) payload.tenant_id = claims.tenantId;
  if (claims.customerId) payload.customer_id = claims.customerId;
  if (claims.resellerId) payload.reseller_id = claims.resellerId;
  if (claims.projectId) payload.project_id = claims.projectId;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(cfg.issuer)
    .setAudience(cfg.audience)
    .setSubject(claims.sub)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + cfg.ttlSeconds)
    .setJti(crypto.randomUUID())
    .sign(await hmacKey(cfg.secret));
}

const optionalString = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);

/**
 * Verifies a bearer token and returns the principal it proves. Every failure is the same
 * UNAUTHENTICATED: callers learn nothing about which check failed.
 */
export async function verifyAccessToken(token: string, cfg: AuthConfig): Promise<Principal> {
  let payload: JWTPayload;
  try {
    const { alg } = decodeProtectedHeader(token);
    const common = { clockTolerance: CLOCK_LEEWAY_SECONDS, requiredClaims: ["exp", "iat", "sub", "iss", "aud"] };
    if (alg === "HS256") {
      ({ payload } = await jwtVerify(token, await hmacKey(cfg.secret), { ...common, algorithms: ["HS256"], issuer: cfg.issuer, audience: cfg.audience }));
    } else if (cfg.jwksUrl !== null && (alg === "RS256" || alg === "ES256")) {
      ({ payload } = await jwtVerify(token, remoteKeySet(cfg.jwksUrl), {
        ...common,
        algorithms: ["RS256", "ES256"],
        issuer: cfg.jwksIssuer,
        audience: cfg.jwksAudience,
      }));
    } else {
      throw unauthenticated();
    }
  } catch {
    throw unauthenticated();
  }
  return principalFromClaims(payload, cfg);
}

function principalFromClaims(p: JWTPayload, cfg: AuthConfig): Principal {
  const now = Math.floor(Date.now() / 1000);
  const { iat, exp } = p;
  if (typeof iat !== "number" || typeof exp !== "number") throw unauthenticated();
  if (iat > now + CLOCK_LEEWAY_SECONDS) throw unauthenticated();
  if (exp - iat > cfg.ttlSeconds) throw unauthenticated();
  if (p.token_use !== "access") throw unauthenticated();
  const role = p.role;
  if (typeof role !== "string" || !(ROLES as readonly string[]).includes(role)) throw unauthenticated();
  const tenantId = optionalString(p.tenant_id);
  const customerId = optionalString(p.customer_id);
  const resellerId = optionalString(p.reseller_id);
  if (role !== "platform" && tenantId === null) throw unauthenticated();
  if (role === "customer" && customerId === null) throw unauthenticated();
  if (role === "reseller" && resellerId === null) throw unauthenticated();
  const scope = typeof p.scope === "string" ? p.scope : "";
  const scopes = new Set(scope.split(" ").filter((s): s is Scope => (SCOPES as readonly string[]).includes(s)));
  return {
    sub: p.sub as string,
    role: role as Role,
    tenantId: role === "platform" ? null : tenantId,
    customerId: role === "customer" ? customerId : null,
    resellerId: role === "reseller" ? resellerId : null,
    projectId: optionalString(p.project_id),
    scopes,
    // Our own tokens say the millisecond; others (operator-signed, external issuer) only the second.
    issuedAt: typeof p.iat_ms === "number" && Number.isInteger(p.iat_ms) && Math.floor(p.iat_ms / 1000) === iat ? p.iat_ms : iat * 1000,
  };
}

/** The subject of a SCIM token: what its requests are audited as, and what revoking it names. */
export const scimSubject = (tokenId: string): string => `scim:${tokenId}`;

/** What a SCIM token grants: its customer's users, read and written, on `/scim/v2` only. */
export const SCIM_SCOPES: readonly Scope[] = ["users:read", "users:write"];

/** How long a SCIM token lives: an identity provider holds it until it is revoked — or for ten years. */
export const SCIM_TOKEN_LIFETIME_SECONDS = 10 * 365 * 24 * 3600;

/**
 * Signs a SCIM token (docs/scim.md#tokens): long-lived (SCIM_TOKEN_LIFETIME_SECONDS; it ends when
 * revoked), usable only on `/scim/v2` (`token_use: "scim"`, which verifyAccessToken refuses; and the
 * SCIM surface refuses access tokens), reaching one customer.
 */
export async function signScimToken(t: { id: string; tenantId: string; customerId: string }, cfg: AuthConfig, issuedAtMs: number): Promise<string> {
  const payload: JWTPayload = { token_use: "scim", role: "customer", tenant_id: t.tenantId, customer_id: t.customerId, scope: SCIM_SCOPES.join(" "), iat_ms: issuedAtMs };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(cfg.issuer)
    .setAudience(cfg.audience)
    .setSubject(scimSubject(t.id))
    .setIssuedAt(Math.floor(issuedAtMs / 1000))
    .setExpirationTime(Math.floor(issuedAtMs / 1000) + SCIM_TOKEN_LIFETIME_SECONDS)
    .setJti(t.id)
    .sign(await hmacKey(cfg.secret));
}

/** Verifies a SCIM token; the principal is its customer's, with SCIM_SCOPES. Every failure is the same UNAUTHENTICATED. */
export async function verifyScimToken(token: string, cfg: AuthConfig): Promise<Principal> {
  let p: JWTPayload;
  try {
    ({ payload: p } = await jwtVerify(token, await hmacKey(cfg.secret), {
      algorithms: ["HS256"],
      issuer: cfg.issuer,
      audience: cfg.audience,
      clockTolerance: CLOCK_LEEWAY_SECONDS,
      requiredClaims: ["exp", "iat", "sub", "iss", "aud", "jti"],
    }));
  } catch {
    throw unauthenticated();
  }
  const tenantId = optionalString(p.tenant_id);
  const customerId = optionalString(p.customer_id);
  if (p.token_use !== "scim" || p.role !== "customer" || tenantId === null || customerId === null || typeof p.jti !== "string" || p.sub !== scimSubject(p.jti)) throw unauthenticated();
  const { iat, exp } = p;
  if (typeof iat !== "number" || typeof exp !== "number" || iat > Math.floor(Date.now() / 1000) + CLOCK_LEEWAY_SECONDS || exp - iat > SCIM_TOKEN_LIFETIME_SECONDS) throw unauthenticated();
  // The millisecond of the grant, as access tokens carry it (revocation compares it); else the second.
  const issuedAt = typeof p.iat_ms === "number" && Number.isInteger(p.iat_ms) && Math.floor(p.iat_ms / 1000) === iat ? p.iat_ms : iat * 1000;
  return { sub: p.sub, role: "customer", tenantId, customerId, resellerId: null, projectId: null, scopes: new Set(SCIM_SCOPES), issuedAt };
}
