/**
 * The optional external issuer (docs/api/auth.md#external-issuer): RS256/ES256 tokens with the same claims, verified
 * against the keys at JWKS_URL (cached per isolate). In tests the JWKS is served by the outbound
 * handler of vitest.config.ts.
 */
import { importJWK, SignJWT, type JWTPayload } from "jose";
import { describe, expect, it } from "vitest";
import { JWKS_OTHER_PRIVATE, JWKS_PRIVATE, JWKS_TEST_ISSUER } from "../fixtures/jwks";
import { call, expectProblem, freshTenant, TEST_AUDIENCE } from "../harness";

async function external(payload: JWTPayload, opts: { key?: object; header?: Record<string, unknown>; iss?: string } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const key = await importJWK((opts.key ?? JWKS_PRIVATE) as never, "ES256");
  return new SignJWT({ token_use: "access", ...payload })
    .setProtectedHeader({ alg: "ES256", kid: "test-es256", ...opts.header })
    .setIssuer(opts.iss ?? JWKS_TEST_ISSUER)
    .setAudience(TEST_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .setSubject("external-admin")
    .sign(key);
}

const refusedOutbound = async () => ((await (await fetch("https://outbound.test/refused")).json()) as { refused: number }).refused;

describe("external issuer (JWKS_URL)", () => {
  it("accepts an ES256 token of the external issuer with the same claims", async () => {
    const t = await freshTenant();
    const token = await external({ role: "tenant_admin", tenant_id: t.id, scope: "admin users:read" });
    const r = await call("GET", `/api/v1/tenants/${t.id}`, { token, expect: 200 });
    expect(r.body.id).toBe(t.id);
  });

  it("refuses a token signed by another key with the same kid, the wrong issuer, or our issuer's name", async () => {
    const t = await freshTenant();
    const claims = { role: "tenant_admin", tenant_id: t.id, scope: "admin" };
    for (const token of [
      await external(claims, { key: JWKS_OTHER_PRIVATE }),
      await external(claims, { iss: "https://evil.test/" }),
      await external(claims, { iss: "customer-users" }),
    ]) {
      expectProblem(await call("GET", `/api/v1/tenants/${t.id}`, { token }), 401, "UNAUTHENTICATED");
    }
  });

  it("never fetches what a token's jku / x5u / jwk header points to", async () => {
    const t = await freshTenant();
    const before = await refusedOutbound();
    const claims = { role: "tenant_admin", tenant_id: t.id, scope: "admin" };
    for (const header of [{ jku: "https://evil.test/jwks.json" }, { x5u: "https://evil.test/cert.pem" }, { kid: "../../etc/passwd" }, { kid: "' OR 1=1 --" }]) {
      const token = await external(claims, { key: JWKS_OTHER_PRIVATE, header });
      expectProblem(await call("GET", `/api/v1/tenants/${t.id}`, { token }), 401, "UNAUTHENTICATED");
    }
    expect(await refusedOutbound()).toBe(before);
  });
});
