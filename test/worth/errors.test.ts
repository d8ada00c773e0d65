/** Worth's error table, code by code, and the per-route wording of PATCH's 404. */
import { describe, expect, it } from "vitest";
import { DomainError, ERROR_CODES, type ErrorCode } from "../../src/core/errors";
import { PATCH_WORDING, renderWorth, worded, WordedError, worthError } from "../../src/dialects/worth/errors";

const fail = (status: number, errorCode: string, message: string, errorName = "CustomersApiError") => ({ status, body: { status: "fail", message, errorCode, data: { errorName } } });

const EXPECTED: Record<ErrorCode, ReturnType<typeof worthError>> = {
  INVALID: fail(400, "INVALID", "email: Not an e-mail address."),
  UNAUTHENTICATED: { status: 401, body: { message: "Unauthorized", errorCode: "ERR_UNAUTHORIZED" } },
  FORBIDDEN: { status: 403, body: { message: "Forbidden", errorCode: "ERR_FORBIDDEN" } },
  NOT_FOUND: fail(404, "NOT_FOUND", "Customer user Not Found"),
  METHOD_NOT_ALLOWED: fail(405, "METHOD_NOT_ALLOWED", "the text"),
  CONFLICT: fail(400, "INVALID", "Another customer user exists with the same email."),
  PRECONDITION_FAILED: fail(412, "PRECONDITION_FAILED", "the text"),
  PRECONDITION_REQUIRED: fail(428, "PRECONDITION_REQUIRED", "the text"),
  KEY_REUSED: fail(422, "IDEMPOTENCY_KEY_REUSED", "the text"),
  PAYLOAD_TOO_LARGE: fail(413, "INVALID", "the text", "ValidationMiddlewareError"),
  UNSUPPORTED_MEDIA_TYPE: fail(415, "INVALID", "the text", "ValidationMiddlewareError"),
  RATE_LIMITED: { status: 429, body: { message: "Too Many Requests", errorCode: "ERR_TOO_MANY_REQUESTS" } },
  INTERNAL: { status: 500, body: { message: "Internal Server Error", errorCode: "ERR_INTERNAL_SERVER" } },
};

function sample(code: ErrorCode): DomainError {
  switch (code) {
    case "INVALID":
      return new DomainError(code, "The user is not valid.", { issues: [{ field: "email", message: "Not an e-mail address." }] });
    case "NOT_FOUND":
      return new DomainError(code, "User not found.", { subject: "user" });
    case "CONFLICT":
      return new DomainError(code, "whatever the core says", { subject: "email" });
    case "INTERNAL":
      return new DomainError(code, "SQLITE_ERROR: no such table: users (secret detail)");
    default:
      return new DomainError(code, "the text");
  }
}

describe("the Worth error table", () => {
  for (const code of ERROR_CODES) {
    it(`${code} → ${EXPECTED[code].status}`, () => {
      expect(worthError(sample(code))).toEqual(EXPECTED[code]);
    });
  }

  it("INVALID: schema failures are ValidationMiddlewareError; core field names become Worth's", () => {
    const err = new DomainError("INVALID", "x", { validation: true, issues: [{ field: "firstName", message: "At most 255 characters." }, { field: "subrole.code", message: "No." }] });
    expect(worthError(err)).toEqual(fail(400, "INVALID", "first_name: At most 255 characters. subrole.code: No.", "ValidationMiddlewareError"));
    expect(worthError(new DomainError("INVALID", "Plain message."))).toEqual(fail(400, "INVALID", "Plain message."));
  });

  it("NOT_FOUND wording by subject", () => {
    expect(worthError(new DomainError("NOT_FOUND", "x", { subject: "customer" })).body).toMatchObject({ message: "Customer Not Found" });
    expect(worthError(new DomainError("NOT_FOUND", "x", { subject: "route" })).body).toMatchObject({ message: "Route Not Found" });
    expect(worthError(new DomainError("NOT_FOUND", "x", { subject: "tenant" })).body).toMatchObject({ message: "Not Found" });
  });

  it("CONFLICT other than e-mail keeps the core's message", () => {
    expect(worthError(new DomainError("CONFLICT", "A user with this id already exists.", { subject: "user" }))).toEqual(fail(400, "INVALID", "A user with this id already exists."));
  });

  it("a 500 never carries the internal message", () => {
    expect(JSON.stringify(worthError(sample("INTERNAL")))).not.toContain("SQLITE");
  });

  it("PATCH's wording: 404 with errorCode INVALID, only for NOT_FOUND", async () => {
    const rethrown = await worded(Promise.reject(new DomainError("NOT_FOUND", "User not found.", { subject: "user" })), PATCH_WORDING).catch((e: unknown) => e);
    expect(rethrown).toBeInstanceOf(WordedError);
    expect(worthError(rethrown as DomainError)).toEqual(fail(404, "INVALID", "Customer user does not exist"));
    const other = await worded(Promise.reject(sample("CONFLICT")), PATCH_WORDING).catch((e: unknown) => e);
    expect(other).not.toBeInstanceOf(WordedError);
    expect(await worded(Promise.resolve(7), PATCH_WORDING)).toBe(7);
  });

  it("renderWorth: JSON, the Bearer challenge on 401, Retry-After on 429", async () => {
    const c = {} as Parameters<typeof renderWorth>[0];
    const r401 = renderWorth(c, sample("UNAUTHENTICATED"));
    expect(r401.headers.get("content-type")).toBe("application/json");
    expect(r401.headers.get("www-authenticate")).toBe('Bearer realm="customer-users"');
    expect(await r401.json()).toEqual(EXPECTED.UNAUTHENTICATED.body);
    const r429 = renderWorth(c, new DomainError("RATE_LIMITED", "Too many requests.", { retryAfter: 10 }));
    expect(r429.status).toBe(429);
    expect(r429.headers.get("retry-after")).toBe("10");
  });
});
