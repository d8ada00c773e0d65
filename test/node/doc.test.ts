/**
 * The OpenAPI document, validated by a real OpenAPI 3.1 validator (Redocly). Runs in Node (the
 * validator needs Node built-ins), on the same app the Worker builds; /doc reads no bindings.
 */
import { createConfig, lintFromString } from "@redocly/openapi-core";
import { describe, expect, it } from "vitest";
import { buildApp } from "../../src/app";

async function doc() {
  const res = await buildApp().request("http://api.test/doc", {}, { REQUEST_LOG: "off" });
  expect(res.status).toBe(200);
  return res.text();
}

describe("GET /doc", () => {
  it("is a valid OpenAPI 3.1 document (Redocly, recommended rules: no errors and no warnings)", async () => {
    const source = await doc();
    const config = await createConfig({ extends: ["recommended"] });
    const problems = await lintFromString({ source, absoluteRef: "http://api.test/doc", config });
    const found = problems.map((e) => `${e.severity} ${e.ruleId}: ${e.message} at ${e.location[0]?.pointer}`);
    expect(found).toEqual([]);
    expect(JSON.parse(source).openapi).toBe("3.1.0");
  });

  it("gives every operation a unique, stable operationId (surface.verbNoun) and a summary, for generated clients", async () => {
    const d = JSON.parse(await doc());
    const ops = Object.values(d.paths as Record<string, Record<string, { operationId?: string; summary?: string }>>).flatMap((item) => Object.values(item));
    const ids = ops.map((o) => o.operationId);
    expect(ids.every((id) => typeof id === "string" && /^(admin|token|worth|corti|cloudcockpit|scim)\.[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ops.length);
    expect(ops.every((o) => typeof o.summary === "string" && o.summary.length > 0)).toBe(true);
  });

  it("documents the bearer scheme and, on every authenticated operation, its security and error responses", async () => {
    const d = JSON.parse(await doc());
    expect(d.components.securitySchemes.bearerAuth).toEqual({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
    const ops = Object.entries(d.paths as Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ path, method, op })),
    );
    expect(ops.length).toBeGreaterThan(30);
    for (const { path, method, op } of ops.filter((o) => !o.path.endsWith("/auth/token"))) {
      expect(op.security, `${method} ${path}`).toEqual([{ bearerAuth: [] }]);
      for (const status of ["400", "401", "403", "500"]) expect(op.responses[status], `${method} ${path} ${status}`).toBeDefined();
    }
  });
});
