/**
 * Issuing access tokens (docs/api/auth.md#token-endpoint): OAuth 2.0 client credentials for machine accounts (and the
 * bootstrap platform account), and e-mail + password for users (Corti), with a lockout per user.
 */
import { and, asc, eq, getTableColumns, isNotNull, isNull, sql } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import { scopesFromPermissions } from "../core/ceiling";
import { isImportedHash } from "../core/credentials/imported";
import { hashPassword, verifyPassword } from "../core/credentials/password";
import { timingSafeEqualText, verifyClientSecret } from "../core/credentials/secrets";
import { normaliseDomain, tenantIdOfDomain } from "../core/tenant-gate";
import { normaliseEmail } from "../core/users/view";
import type { Db } from "../db/client";
import { Shape, ShapeFamily } from "../db/shapes";
import { accounts, loginThrottle, subroles, users, SCOPES, type Permission, type Scope } from "../db/schema";
import type { AuthConfig } from "./config";
import { signAccessToken, type AccessClaims } from "./tokens";

const qb = new QueryBuilder();

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

const ACCOUNT = getTableColumns(accounts);
/** The client-credentials lookup, rendered once per isolate (src/db/shapes.ts). */
const accountById = new Shape<{ id: string }, typeof accounts.$inferSelect>((db, p) => db.select(ACCOUNT).from(accounts).where(eq(accounts.id, p("id"))), ACCOUNT);

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
    return issue(cfg, { sub: clientId, role: "platform", tenantId: null, scopes }, Date.now());
  }
  // The token is issued as of this read: a revocation committed after it refuses the token.
  const readAt = Date.now();
  const [account] = clientId.length > 128 ? [] : await accountById.bind(db, { id: clientId }).all();
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
  }, readAt);
}

/** Signs a token whose grant was read at `readAt` (epoch ms; see signAccessToken). */
async function issue(cfg: AuthConfig, claims: AccessClaims, readAt: number): Promise<IssuedToken> {
  return { accessToken: await signAccessToken(claims, cfg, readAt), expiresIn: cfg.ttlSeconds, scopes: claims.scopes };
}

const CANDIDATE = {
  id: users.id,
  tenantId: users.tenantId,
  customerId: users.customerId,
  status: users.status,
  passwordHash: users.passwordHash,
  permissions: subroles.permissions,
  attempts: loginThrottle.failures,
};

/**
 * A login's batch, rendered once per isolate for each of its two forms (src/db/shapes.ts): with
 * `X-Tenant` (one candidate, in the tenant the domain names) or without (the oldest
 * LOGIN_CANDIDATES holding the e-mail). The reservation of an attempt for each candidate, then the
 * candidates with their counts.
 */
const loginStatements = new ShapeFamily<{ named: boolean }>((db, p, f) => {
  const where = and(
    eq(users.emailNorm, p("email") as string),
    isNull(users.deletedAt),
    isNotNull(users.passwordHash),
    f.named ? eq(users.tenantId, tenantIdOfDomain(p("domain") as string)) : undefined,
  );
  const order = [asc(users.createdAt), asc(users.id)];
  const slots = f.named ? 1 : LOGIN_CANDIDATES;
  const t = loginThrottle;
  const now = p("now");
  const expired = sql`${t.lockedUntil} is not null and ${t.lockedUntil} <= ${now}`;
  return [
    db
      .insert(t)
      .select(
        qb
          .select({ userId: users.id, failures: sql<number>`1`.as("failures"), lockedUntil: sql<null>`null`.as("locked_until"), updatedAt: sql<number>`${now}`.as("updated_at") })
          .from(users)
          .where(where)
          .orderBy(...order)
          .limit(slots),
      )
      .onConflictDoUpdate({
        target: t.userId,
        set: {
          failures: sql`case when ${expired} then 1 else ${t.failures} + 1 end`,
          lockedUntil: sql`case when ${expired} then null when ${t.failures} + 1 = ${LOCKOUT_THRESHOLD} then ${p("lockedUntil")} else ${t.lockedUntil} end`,
          updatedAt: sql`${now}`,
        },
      }),
    db.select(CANDIDATE).from(users).leftJoin(subroles, eq(subroles.id, users.subroleId)).leftJoin(t, eq(t.userId, users.id)).where(where).orderBy(...order).limit(slots),
  ];
});

/** For tests: a login's cached statements, filled, against the same statements built with its values in place. */
export function compareLoginShape(email: string, tenantDomain: string | undefined, now: number) {
  const values = { email: normaliseEmail(email), now, lockedUntil: now + LOCKOUT_MS, ...(tenantDomain === undefined ? {} : { domain: normaliseDomain(tenantDomain) }) };
  return loginStatements.compare(String(tenantDomain !== undefined), { named: tenantDomain !== undefined }, values);
}

/** Logins without a tenant verify exactly this many hashes: the oldest users holding the e-mail. */
export const LOGIN_CANDIDATES = 3;

/**
 * E-mail + password login, decided by one tenant's data (docs/decisions/0007-privilege-ceiling.md):
 *
 * - With `X-Tenant` only that tenant's user is a candidate; without it, the password alone decides
 *   among the oldest LOGIN_CANDIDATES users holding the e-mail in any tenant (the first it opens
 *   wins). The same number of PBKDF2 verifications runs whatever the number of candidates — dummy
 *   hashes fill the empty slots — and every failure has one answer, so neither the status, the
 *   body nor the timing says whether other tenants hold the e-mail.
 * - Attempts are counted per user (so per tenant), and reserved in the same statement batch that
 *   reads the candidates, before any hash is verified: concurrent guesses cannot pass the
 *   threshold; the LOCKOUT_THRESHOLD-th attempt in a row without success locks the user for
 *   LOCKOUT_MS. A success clears the winner's count only: for every other candidate the attempt
 *   was a wrong guess, and stays counted. Unknown e-mails write nothing.
 *
 * Round trips: one (reserve + read) on the response path. A success's release of the winner's
 * count is sent by `defer` (the Worker's waitUntil, after the response): the same statement as
 * before, off the client's latency. An attempt in the moment between them is cleared with it, as an
 * attempt between the two round trips was before (docs/scaling.md#one-round-trip-per-write).
 */
export async function passwordLogin(
  db: Db,
  cfg: AuthConfig,
  email: string,
  password: string,
  tenantDomain: string | undefined,
  defer: (work: () => Promise<unknown>) => void,
  now = Date.now(),
): Promise<IssuedToken | "invalid_credentials"> {
  const slots = tenantDomain === undefined ? LOGIN_CANDIDATES : 1;
  const values = { email: normaliseEmail(email), now, lockedUntil: now + LOCKOUT_MS, ...(tenantDomain === undefined ? {} : { domain: normaliseDomain(tenantDomain) }) };
  const [, candidates] = (await db.batch(loginStatements.bind(db, String(tenantDomain !== undefined), { named: tenantDomain !== undefined }, values) as never)) as [
    unknown,
    { id: string; tenantId: string; customerId: string | null; status: string; passwordHash: string | null; permissions: Permission[] | null; attempts: number | null }[],
  ];
  const verified = await Promise.all(Array.from({ length: slots }, (_, i) => verifyPassword(password, candidates[i]?.passwordHash ?? null, cfg.pepper)));
  const user = candidates.find(
    (c, i) => verified[i] === true && (c.attempts ?? 0) <= LOCKOUT_THRESHOLD && c.status === "ACTIVE" && c.customerId !== null,
  );
  if (!user) return "invalid_credentials";
  // Only the winner's count is cleared. The attempt stands for every other candidate: from its point
  // of view the password was a wrong guess — and the caller chose it (it may have set the winner's
  // password itself), so another user's success is no evidence for anyone else.
  // A password hash imported from another system is replaced by our own on its first success, in
  // the same deferred batch (hashed there too, off the response) — only if it is still that hash (a
  // password changed meanwhile wins).
  const imported = user.passwordHash !== null && isImportedHash(user.passwordHash) ? user.passwordHash : null;
  defer(async () => {
    const rehash = imported === null ? [] : [db.update(users).set({ passwordHash: await hashPassword(password, cfg.pepper) }).where(and(eq(users.id, user.id), eq(users.passwordHash, imported)))];
    await db.batch([db.delete(loginThrottle).where(eq(loginThrottle.userId, user.id)), ...rehash] as never);
  });
  return issue(
    cfg,
    { sub: user.id, role: "customer", tenantId: user.tenantId, customerId: user.customerId, scopes: scopesFromPermissions(user.permissions ?? []) },
    // As of the read (`now` precedes it): a revocation committed since refuses this token.
    now,
  );
}
