/**
 * Corti's one error table, code by code: status, `code`, body shape and headers. A 500 says
 * nothing but that it happened, whatever the error carried.
 */
import { describe, expect, it } from "vitest";
import { DomainError, ERROR_CODES, toDomainError, type ErrorCode } from "../../src/core/errors";
import { CORTI_ERRORS, CORTI_STATUS, renderCorti } from "../../src/dialects/corti/errors";
import { call } from "../harness";
import { CORTI } from "./helpers";

const ctx = {} as Parameters<typeof renderCorti>[0];
const EXPECTED: Record<ErrorCode, [number, string]> = {
  INVALID: [400, "BAD_REQUEST"],
  UNAUTHENTICATED: [401, "UNAUTHORIZED"],
  FORBIDDEN: [403, "FORBIDDEN"],
  NOT_FOUND: [404, "NOT_FOUND"],
  METHOD_NOT_ALLOWED: [405, "METHOD_NOT_ALLOWED"],
  CONFLICT: [409, "CONFLICT"],
  PRECONDITION_FAILED: [412, "PRECONDITION_FAILED"],
  PRECONDITION_REQUIRED: [428, "PRECONDITION_REQUIRED"],
  KEY_REUSED: [422, "UNPROCESSABLE_ENTITY"],
  PAYLOAD_TOO_LARGE: [413, "PAYLOAD_TOO_LARGE"],
  UNSUPPORTED_MEDIA_TYPE: [415, "UNSUPPORTED_MEDIA_TYPE"],
  RATE_LIMITED: [429, "TOO_MANY_REQUESTS"],
  INTERNAL: [500, "INTERNAL_SERVER_ERROR"],
};

describe("Corti error table", () => {
  it("covers every core code exactly", () => {
    expect(Object.keys(CORTI_ERRORS).sort()).toEqual([...ERROR_CODES].sort());
    expect(Object.keys(CORTI_STATUS).sort()).toEqual([...ERROR_CODES].sort());
  });

  it.each(ERROR_CODES.filter((c) => c !== "INTERNAL"))("%s → its status and code, the message, details only when there are issues", async (code) => {
    const [status, wire] = EXPECTED[code];
    expect(CORTI_STATUS[code]).toBe(status);
    const plain = renderCorti(ctx, new DomainError(code, "Something precise."));
    expect(plain.status).toBe(status);
    expect(plain.headers.get("content-type")).toBe("application/json");
    expect(await plain.json()).toEqual({ message: "Something precise.", code: wire });
    const detailed = renderCorti(ctx, new DomainError(code, "With issues.", { issues: [{ field: "email", message: "Bad." }] }));
    expect(await detailed.json()).toEqual({ message: "With issues.", code: wire, details: [{ field: "email", message: "Bad." }] });
  });

  it("401 carries the Bearer challenge; 429 carries Retry-After", () => {
    expect(renderCorti(ctx, new DomainError("UNAUTHENTICATED", "No.")).headers.get("www-authenticate")).toBe('Bearer realm="customer-users"');
    expect(renderCorti(ctx, new DomainError("RATE_LIMITED", "Slow down.", { retryAfter: 10 })).headers.get("retry-after")).toBe("10");
  });

  it("500: the fixed text only, never the message, issues or cause", async () => {
    const leaky = new DomainError("INTERNAL", "SQLITE_ERROR: no such column users.password_hash", { issues: [{ field: "sql", message: "select *" }], cause: new Error("secret") });
    const r = renderCorti(ctx, leaky);
    expect(r.status).toBe(500);
    expect(await r.text()).toBe(JSON.stringify({ message: "Internal Server Error", code: "INTERNAL_SERVER_ERROR" }));
    const unknown = renderCorti(ctx, toDomainError(new TypeError("x is undefined at /src/core/...")));
    expect(await unknown.json()).toEqual({ message: "Internal Server Error", code: "INTERNAL_SERVER_ERROR" });
  });

  it("an unknown path under the Corti base answers 404 in Corti's body", async () => {
    const r = await call("GET", `${CORTI}/no-such-route`);
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ message: "No such route.", code: "NOT_FOUND" });
  });
});
