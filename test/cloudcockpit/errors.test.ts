/**
 * CloudCockpit's error table, code by code (STYLE: one exhaustive table, unit-tested per code), and
 * the property names it reports (`groups[2].id`, `role.name`).
 */
import { describe, expect, it } from "vitest";
import { DomainError, ERROR_CODES, type ErrorCode } from "../../src/core/errors";
import { CC_ERRORS, ccErrorBody, propertyName, renderCloudCockpit } from "../../src/dialects/cloudcockpit/errors";

const ctx = (correlationId: string) => ({ var: { correlationId } }) as unknown as Parameters<typeof renderCloudCockpit>[0];

const expected: Record<ErrorCode, { status: number; type: string | null }> = {
  INVALID: { status: 400, type: "ValidationError" },
  CONFLICT: { status: 400, type: "ValidationError" },
  UNAUTHENTICATED: { status: 401, type: null },
  FORBIDDEN: { status: 403, type: null },
  NOT_FOUND: { status: 404, type: "NotFound" },
  PRECONDITION_FAILED: { status: 412, type: "PreconditionFailed" },
  PRECONDITION_REQUIRED: { status: 428, type: "PreconditionRequired" },
  KEY_REUSED: { status: 422, type: "UnprocessableEntity" },
  METHOD_NOT_ALLOWED: { status: 405, type: "MethodNotAllowed" },
  PAYLOAD_TOO_LARGE: { status: 413, type: "PayloadTooLarge" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, type: "UnsupportedMediaType" },
  RATE_LIMITED: { status: 429, type: "TooManyRequests" },
  INTERNAL: { status: 500, type: "InternalServerError" },
};

describe("error table", () => {
  it("covers every core code", () => {
    expect(Object.keys(CC_ERRORS).sort()).toEqual([...ERROR_CODES].sort());
  });

  for (const code of ERROR_CODES) {
    it(`${code} → ${expected[code].status}`, async () => {
      const err = new DomainError(code, "Something specific.", { issues: [{ field: "groups.2.id", message: "No group of this tenant has this id." }], retryAfter: 10 });
      const res = renderCloudCockpit(ctx("6c1e5b0e-8d55-4d2a-9f5e-3b0f2a9c4d11"), err);
      expect(res.status).toBe(expected[code].status);
      const text = await res.text();
      if (expected[code].type === null) {
        expect(text).toBe("");
        expect(res.headers.get("content-type")).toBeNull();
        expect(res.headers.get("www-authenticate")).toBe(code === "UNAUTHENTICATED" ? 'Bearer realm="customer-users"' : null);
        return;
      }
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(res.headers.get("retry-after")).toBe(code === "RATE_LIMITED" ? "10" : null);
      expect(JSON.parse(text)).toEqual({
        statusCode: expected[code].status,
        type: expected[code].type,
        description: code === "INTERNAL" ? "An unexpected error occurred." : "Something specific.",
        correlationId: "6c1e5b0e-8d55-4d2a-9f5e-3b0f2a9c4d11",
        errors: [{ propertyName: "groups[2].id", description: ["No group of this tenant has this id."] }],
      });
    });
  }

  it("a 500 says nothing of its cause", () => {
    const err = new DomainError("INTERNAL", "Internal Server Error", { cause: new Error("SQLITE_ERROR: no such table: users_secret") });
    expect(JSON.stringify(ccErrorBody(err, "c"))).not.toContain("SQLITE");
  });

  it("a schema failure has the generic description; issues are grouped per property, each message once", () => {
    const err = new DomainError("INVALID", "Invalid body: firstName, firstName, email.", {
      validation: true,
      issues: [
        { field: "firstName", message: "Must not be null." },
        { field: "email", message: "Not an e-mail address." },
        { field: "firstName", message: "At most 255 characters." },
        { field: "firstName", message: "Must not be null." },
      ],
    });
    expect(ccErrorBody(err, "c")).toEqual({
      statusCode: 400,
      type: "ValidationError",
      description: "One or more validation errors occurred.",
      correlationId: "c",
      errors: [
        { propertyName: "firstName", description: ["Must not be null.", "At most 255 characters."] },
        { propertyName: "email", description: ["Not an e-mail address."] },
      ],
    });
  });
});

describe("property names", () => {
  it.each([
    ["groups.2.id", "groups[2].id"],
    ["groups.10", "groups[10]"],
    ["groups", "groups"],
    ["subrole.code", "role.name"],
    ["subrole.id", "role.name"],
    ["subrole", "role"],
    ["role.name", "role.name"],
    ["email", "email"],
    ["X-Tenant", "X-Tenant"],
    ["cursor", "continuationToken"],
    ["", "body"],
  ])("%s → %s", (core, wire) => {
    expect(propertyName(core)).toBe(wire);
  });
});
