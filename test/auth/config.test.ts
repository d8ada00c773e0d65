/**
 * Secrets of weak strength are a deployment error (issue 10 §7): JWT_SECRET and, when set,
 * BOOTSTRAP_CLIENT_SECRET need at least 32 bytes. The Worker then answers every request that needs
 * its configuration with an opaque 500 (its log line names the variable, not its value), never with a
 * weaker check.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { authConfig } from "../../src/auth/config";
import { ConfigError } from "../../src/core/errors";
import { errorKind } from "../../src/http/errors";
import worker from "../../src/index";

const base = { ...env };

describe("secret strength", () => {
  it("refuses a bootstrap secret under 32 bytes and a JWT secret under 32 bytes; accepts 32 bytes and an unset bootstrap", () => {
    expect(() => authConfig({ ...base, BOOTSTRAP_CLIENT_SECRET: "x".repeat(31) })).toThrow("BOOTSTRAP_CLIENT_SECRET must be at least 32 bytes.");
    // Bytes, not characters: 16 two-byte characters are 32 bytes.
    expect(authConfig({ ...base, BOOTSTRAP_CLIENT_SECRET: "é".repeat(16) }).bootstrapClientSecret).toBe("é".repeat(16));
    expect(authConfig({ ...base, BOOTSTRAP_CLIENT_SECRET: "" }).bootstrapClientSecret).toBe("");
    expect(() => authConfig({ ...base, JWT_SECRET: "y".repeat(31) })).toThrow("JWT_SECRET must be set to at least 32 bytes.");
  });

  it("a deployment with a short bootstrap secret issues no platform token: an opaque 500 in the grant's wire", async () => {
    const request = new Request("http://api.test/auth/token", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "client_credentials", client_id: env.BOOTSTRAP_CLIENT_ID, client_secret: "short-secret" }),
    });
    const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
    const res = await worker.fetch(request as never, { ...base, BOOTSTRAP_CLIENT_SECRET: "short-secret" } as never, ctx);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: "Internal Server Error", code: "INTERNAL_SERVER_ERROR" });
  });

  it("the request log names the variable to fix, never its value (errorKind reads error names only)", () => {
    let thrown: unknown;
    try {
      authConfig({ ...base, BOOTSTRAP_CLIENT_SECRET: "short-secret" });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(errorKind(new Error("wrapped", { cause: thrown }))).toBe("Error <- ConfigError(BOOTSTRAP_CLIENT_SECRET)");
  });
});
