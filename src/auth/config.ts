import { ConfigError } from "../core/errors";

/** Authentication settings read from the Worker's env (docs/api/auth.md#configuration), validated once per isolate per env. */
export interface AuthConfig {
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  jwksUrl: string | null;
  jwksIssuer: string;
  jwksAudience: string;
  bootstrapClientId: string;
  bootstrapClientSecret: string;
  pepper: string;
}

export interface AuthEnv {
  JWT_SECRET?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  TOKEN_TTL_SECONDS?: string;
  JWKS_URL?: string;
  JWKS_ISSUER?: string;
  JWKS_AUDIENCE?: string;
  BOOTSTRAP_CLIENT_ID?: string;
  BOOTSTRAP_CLIENT_SECRET?: string;
  PASSWORD_PEPPER?: string;
}

const cache = new WeakMap<object, AuthConfig>();

/**
 * Reads the configuration; a missing or short JWT_SECRET, or a short BOOTSTRAP_CLIENT_SECRET, is a
 * deployment error (opaque 500 and a log line naming the variable: ConfigError), never a silently
 * weaker check.
 */
export function authConfig(env: AuthEnv): AuthConfig {
  const hit = cache.get(env);
  if (hit) return hit;
  const secret = env.JWT_SECRET ?? "";
  if (new TextEncoder().encode(secret).length < 32) throw new ConfigError("JWT_SECRET", "JWT_SECRET must be set to at least 32 bytes.");
  // The bootstrap secret opens the platform itself: no weaker than the signing key (when set at all).
  const bootstrapSecret = env.BOOTSTRAP_CLIENT_SECRET ?? "";
  if (bootstrapSecret !== "" && new TextEncoder().encode(bootstrapSecret).length < 32) throw new ConfigError("BOOTSTRAP_CLIENT_SECRET", "BOOTSTRAP_CLIENT_SECRET must be at least 32 bytes.");
  const ttl = Number(env.TOKEN_TTL_SECONDS ?? "3600");
  if (!Number.isInteger(ttl) || ttl <= 0) throw new ConfigError("TOKEN_TTL_SECONDS", "TOKEN_TTL_SECONDS must be a positive integer.");
  const issuer = env.JWT_ISSUER || "customer-users";
  const audience = env.JWT_AUDIENCE || "customer-users-api";
  const cfg: AuthConfig = {
    secret,
    issuer,
    audience,
    ttlSeconds: ttl,
    jwksUrl: env.JWKS_URL ? env.JWKS_URL : null,
    jwksIssuer: env.JWKS_ISSUER || issuer,
    jwksAudience: env.JWKS_AUDIENCE || audience,
    bootstrapClientId: env.BOOTSTRAP_CLIENT_ID ?? "",
    bootstrapClientSecret: bootstrapSecret,
    pepper: env.PASSWORD_PEPPER ?? "",
  };
  cache.set(env, cfg);
  return cfg;
}
