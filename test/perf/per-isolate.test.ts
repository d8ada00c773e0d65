/**
 * Budget: no per-request work that could be per-isolate. The Worker runs in the same isolate as
 * the tests, so a spy on WebCrypto sees its calls: once warm, an authenticated request imports no
 * key (the HMAC key of JWT_SECRET is imported once per isolate), and the app, its routes and
 * schemas are built at module load (src/index.ts), not per request.
 */
import { afterEach, expect, it, vi } from "vitest";
import { authConfig } from "../../src/auth/config";
import { call, freshTenant } from "../harness";

afterEach(() => vi.restoreAllMocks());

it("a warm authenticated request imports no key", async () => {
  const t = await freshTenant();
  await call("GET", `/api/v1/tenants/${t.id}`, { token: t.admin, expect: 200 });
  const importKey = vi.spyOn(crypto.subtle, "importKey");
  for (let i = 0; i < 5; i++) await call("GET", `/api/v1/tenants/${t.id}`, { token: t.admin, expect: 200 });
  expect(importKey).not.toHaveBeenCalled();
  // Control: the spy does see the Worker's calls (a password check imports its PBKDF2 material).
  await call("POST", "/auth/token", { body: { email: "nobody@example.com", password: "not-the-password-123" } });
  expect(importKey).toHaveBeenCalled();
});

it("the auth configuration is parsed once per env object", () => {
  const env = { JWT_SECRET: "x".repeat(40) };
  expect(authConfig(env)).toBe(authConfig(env));
});
