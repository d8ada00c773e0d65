/**
 * Issuing access tokens (CONTRACT §2): OAuth 2.0 client credentials for machine accounts (and the
 * bootstrap platform account), and e-mail + password for users (Corti), with a lockout counted in D1.
 */
import { and, eq, isNotNull, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { accounts, customers, loginThrottle, subroles, tenants, users, SCOPES, type Scope } from "../db/schema";
import { normaliseEmail } from "../core/users/view";
import type { AuthConfig } from "./config";
import { verifyPassword } from "./password";
import { timingSafeEqualText, verifyClientSecret } from "./secrets";
import { signAccessToken, type AccessClaims } from "./tokens";

export const LOCKOUT_THRESHOLD = 10;
export const LOCKOUT_MS = 15 * 60_000;

export type TokenFailure = "invalid_client" | "invalid_scope" | "invalid_credentials";

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  scopes: readonly Scope[];
}

const ALL_SCOPES: readonly Scope[] = SCOPES;
/** A hash of the right shape, compared when the client id is unknown, so timing says nothing. */
const DUMMY_SECRET_HASH = "sha256$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

function grantScopes(held: readonly Scope[], requested: string | undefined): readonly Scope[] | null {
  if (requested === undefined || requested.trim() === "") return held;
  const asked = requested.trim().split(/\s+/);
  if (!asked.every((s) => (held as readonly string[]).includes(s))) return null;
  return held.filter((s) => asked.includes(s));
}

export async function clientCredentials(
  db: Db,
  cfg: AuthConfig,
  clientId: string,
  clientSecret: string,
  requestedScope: string | undefined,
): Promise<IssuedToken | Exclude<TokenFailure, "invalid_credentials">> {
  if (cfg.bootstrapClientId !== "" && cfg.bootstrapClientSecret !== "" && clientId === cfg.bootstrapClientId) {
    if (!(await timingSafeEqualText(clientSecret, cfg.bootstrapClientSecret))) return "invalid_client";
    const scopes = grantScopes(ALL_SCOPES, requestedScope);
    if (scopes === null) return "invalid_scope";
    return issue(cfg, { sub: clientId, role: "platform", tenantId: null, scopes });
  }
  const [account] = clientId.length > 128 ? [] : await db.select().from(accounts).where(eq(accounts.id, clientId));
  const ok = await verifyClientSecret(clientSecret, account?.secretHash ?? DUMMY_SECRET_HASH);
  if (!account || !ok || account.disabled) return "invalid_client";
  const scopes = grantScopes(account.scopes, requestedScope);
  if (scopes === null) return "invalid_scope";
  return issue(cfg, {
    sub: account.id,
    role: account.role,
    tenantId: account.tenantId,
    customerId: account.customerId,
    resellerId: account.resellerId,
    projectId: account.projectId,
    scopes,
  });
}

async function issue(cfg: AuthConfig, claims: AccessClaims): Promise<IssuedToken> {
  return { accessToken: await signAccessToken(claims, cfg), expiresIn: cfg.ttlSeconds, scopes: claims.scopes };
}

/** Subrole permissions → token scopes (CONTRACT §2). */
export function scopesFromPermissions(permissions: readonly string[]): Scope[] {
  const scopes: Scope[] = [];
  if (permissions.includes("customer_user:read")) scopes.push("users:read");
  if (permissions.includes("customer_user:write") || permissions.includes("customer_user:create")) scopes.push("users:write");
  return scopes;
}

/**
 * E-mail + password login. Unknown e-mail, wrong password, inactive user and locked e-mail all
 * return the same failure after the same work (one PBKDF2 verification). Two round trips at most:
 * the read batch, then the throttle write (none on a first-try success).
 */
export async function passwordLogin(
  db: Db,
  cfg: AuthConfig,
  email: string,
  password: string,
  tenantDomain: string | undefined,
  now = Date.now(),
): Promise<IssuedToken | "invalid_credentials"> {
  const emailNorm = normaliseEmail(email);
  const conditions = [eq(users.emailNorm, emailNorm), isNull(users.deletedAt), isNotNull(users.passwordHash)];
  if (tenantDomain !== undefined) conditions.push(eq(tenants.domain, tenantDomain.trim().toLowerCase()));
  const [candidates, throttle] = await db.batch([
    db
      .select({
        id: users.id,
        tenantId: users.tenantId,
        customerId: users.customerId,
        status: users.status,
        passwordHash: users.passwordHash,
        permissions: subroles.permissions,
        projectId: customers.projectId,
      })
      .from(users)
      .innerJoin(tenants, eq(tenants.id, users.tenantId))
      .leftJoin(customers, eq(customers.id, users.customerId))
      .leftJoin(subroles, eq(subroles.id, users.subroleId))
      .where(and(...conditions))
      .limit(2),
    db.select().from(loginThrottle).where(eq(loginThrottle.emailNorm, emailNorm)),
  ]);
  // An e-mail with passwords in two tenants is ambiguous without X-Tenant: refused like any failure.
  const user = candidates.length === 1 ? candidates[0] : undefined;
  const locked = throttle[0]?.lockedUntil != null && throttle[0].lockedUntil > now;
  const verified = await verifyPassword(password, user?.passwordHash ?? null, cfg.pepper);
  if (!user || !verified || locked || user.status !== "ACTIVE" || user.customerId === null) {
    await db
      .insert(loginThrottle)
      .values({ emailNorm, failures: 1, lockedUntil: null, updatedAt: now })
      .onConflictDoUpdate({
        target: loginThrottle.emailNorm,
        set: {
          failures: sql`case when ${loginThrottle.lockedUntil} is not null and ${loginThrottle.lockedUntil} <= ${now} then 1 else ${loginThrottle.failures} + 1 end`,
          lockedUntil: sql`case when ${loginThrottle.lockedUntil} is not null and ${loginThrottle.lockedUntil} <= ${now} then null
            when ${loginThrottle.failures} + 1 >= ${LOCKOUT_THRESHOLD} then coalesce(${loginThrottle.lockedUntil}, ${now + LOCKOUT_MS})
            else ${loginThrottle.lockedUntil} end`,
          updatedAt: now,
        },
      });
    return "invalid_credentials";
  }
  if (throttle.length > 0) await db.delete(loginThrottle).where(eq(loginThrottle.emailNorm, emailNorm));
  return issue(cfg, {
    sub: user.id,
    role: "customer",
    tenantId: user.tenantId,
    customerId: user.customerId,
    scopes: scopesFromPermissions(user.permissions ?? []),
  });
}
