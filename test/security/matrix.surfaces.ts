/**
 * How each surface answers, for the security suite: its error body (through the surface's own test
 * helper) and the shape of its success body. Shared by the matrix, the JWT attacks and hygiene.
 */
import { expect } from "vitest";
import { expectCc } from "../cloudcockpit/helpers";
import { expectCortiError } from "../corti/helpers";
import { expectProblem, type Reply } from "../harness";
import { expectScimError } from "../scim/helpers";
import { expectWorthError } from "../worth/helpers";
import type { Row, Surface, Values } from "./matrix.data";

const ADMIN_CODES: Record<number, string> = {
  400: "INVALID",
  401: "UNAUTHENTICATED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
};

/** Worth's `{status:"fail"}` envelope for the statuses its matrix helper does not cover. */
const WORTH_FAIL: Record<number, { errorCode: string; errorName: string }> = {
  400: { errorCode: "INVALID", errorName: expect.any(String) as unknown as string },
  405: { errorCode: "METHOD_NOT_ALLOWED", errorName: "CustomersApiError" },
  413: { errorCode: "INVALID", errorName: "ValidationMiddlewareError" },
  415: { errorCode: "INVALID", errorName: "ValidationMiddlewareError" },
};

/** The surface's error answer for a status, whole (each surface's own helper where it has one). */
export function expectSurfaceError(surface: Surface, r: Reply, status: number, notFound?: Row["notFound"]): void {
  switch (surface) {
    case "admin":
      return expectProblem(r, status, ADMIN_CODES[status] ?? "?");
    case "worth": {
      const fail = WORTH_FAIL[status];
      if (!fail) return expectWorthError(r, status, notFound?.message, notFound?.code);
      expect({ status: r.status, body: r.body }).toEqual({
        status,
        body: { status: "fail", message: expect.any(String), errorCode: fail.errorCode, data: { errorName: fail.errorName } },
      });
      expect(r.headers.get("content-type")).toBe("application/json");
      return;
    }
    case "corti":
    case "cortiLogin":
      if (status !== 405) return expectCortiError(r, status);
      expect({ status: r.status, body: r.body }).toEqual({ status, body: { message: expect.any(String), code: "METHOD_NOT_ALLOWED" } });
      expect(r.headers.get("content-type")).toBe("application/json");
      return;
    case "cloudcockpit":
      return expectCc(r, status, status === 400 ? (expect.any(Array) as never) : []);
    case "scim":
      return expectScimError(r, status, status === 400 ? (expect.any(String) as never) : undefined);
    case "oauth":
      // RFC 6749 §5.2: an unknown client is 401 invalid_client, with a challenge.
      expect({ status: r.status, body: r.body }).toEqual({ status, body: { error: "invalid_client", error_description: expect.any(String) } });
      expect(r.headers.get("content-type")).toMatch(/^application\/json/);
      expect(r.headers.get("www-authenticate")).toMatch(/^Bearer /);
  }
}

/** A template with its `{placeholders}` filled from the values. */
export function fill(template: string, v: Values): string {
  return template.replace(/\{(\w+)\}/g, (_m, k: string) => {
    const value = v[k];
    if (value === undefined) throw new Error(`no value for {${k}} in ${template}`);
    return encodeURIComponent(value);
  });
}

function at(body: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((o, k) => (o !== null && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), body);
}

/** The surface's success answer: the body its dialect documents for the status (and the target's id where the row says). */
/** A row's request options: its body as JSON, or as its own media type (an import's NDJSON line). */
export function bodyOptions(row: Row, body: unknown, headers: Record<string, string>): { headers: Record<string, string>; body?: unknown; raw?: string } {
  if (body === undefined) return { headers };
  if (row.contentType) return { raw: `${JSON.stringify(body)}\n`, headers: { ...headers, "content-type": row.contentType } };
  return { headers, body };
}

export function expectSurfaceSuccess(row: Row, r: Reply, v: Values, sent?: unknown): void {
  expect(r.status).toBe(row.ok);
  if (row.ok === 204) {
    expect(r.text).toBe("");
    return;
  }
  // An export streams NDJSON: a JSON user per line; an import's errors a JSON error per line.
  if (row.route.endsWith("/users/export") || row.route.endsWith("/errors")) {
    expect(r.headers.get("content-type")).toBe("application/x-ndjson");
    for (const line of r.text.split("\n").filter(Boolean)) expect(JSON.parse(line)).toEqual(expect.objectContaining(row.route.endsWith("/errors") ? { line: expect.any(Number) } : { id: expect.any(String) }));
    return;
  }
  expect(r.headers.get("content-type")).toMatch(row.surface === "scim" ? /^application\/scim\+json$/ : /^application\/json/);
  switch (row.surface) {
    case "scim":
      if (row.ok === 201) expect(r.headers.get("location")).toBe(`http://api.test/scim/v2/Users/${r.body.id}`);
      expect(Array.isArray(r.body.schemas)).toBe(true);
      break;
    case "admin":
      // A create (201) and an import (202, a job) say where the new resource is.
      if (row.ok === 201 || row.route.endsWith("/imports")) expect(r.headers.get("location")).toBe(`${fill(row.path, v)}/${r.body.id}`);
      expect(typeof r.body).toBe("object");
      if (r.body.data !== undefined) expect(Array.isArray(r.body.data)).toBe(true);
      else expect(typeof r.body.id).toBe("string");
      break;
    case "worth":
      expect(r.body).toMatchObject({ status: "success", message: expect.any(String) });
      break;
    case "corti":
      expect(r.body !== null && typeof r.body === "object").toBe(true);
      break;
    case "cloudcockpit":
      if (row.ok === 201) {
        // The new id as a JSON string; Location names the user as CloudCockpit addresses users: by e-mail.
        expect(r.body).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(r.headers.get("location")).toBe(`/v1/users/${encodeURIComponent((sent as { email: string }).email)}`);
      } else {
        expect(Array.isArray(r.body) || Array.isArray(r.body.items)).toBe(true);
      }
      break;
    case "oauth":
      expect(r.body).toEqual({ access_token: expect.any(String), token_type: "Bearer", expires_in: expect.any(Number), scope: expect.any(String) });
      break;
    case "cortiLogin":
      expect(r.body).toEqual({ accessToken: expect.any(String), tokenType: "bearer", expiresIn: expect.any(Number) });
      break;
  }
  if (row.returnsId) expect(at(r.body, row.returnsId.at)).toBe(v[row.returnsId.value]);
}
