/**
 * SCIM test helpers: a SCIM token issued the way an operator issues one (the admin API, by a real
 * tenant admin's token), calls that speak `application/scim+json`, and whole-body error assertions.
 */
import { expect } from "vitest";
import { call, type CallOptions, type Reply, type Tenant } from "../harness";

export const S = "/scim/v2";
export const USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User";
export const PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const LIST_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const ERROR_URN = "urn:ietf:params:scim:api:messages:2.0:Error";

/** A SCIM token for a customer, issued through the admin API by `issuer` (the tenant's admin by default). */
export async function scimToken(t: Tenant, customerId: string, issuer = t.admin): Promise<string> {
  const r = await call("POST", `/api/v1/tenants/${t.id}/customers/${customerId}/scim-tokens`, { token: issuer, body: { description: "test IdP" }, expect: 201 });
  return r.body.token as string;
}

/** A SCIM call: the token, and `application/scim+json` for a body, as identity providers send them. */
export function scim(method: string, path: string, token: string, body?: unknown, opts: Omit<CallOptions, "token" | "body"> = {}): Promise<Reply> {
  return call(method, `${S}${path}`, { ...opts, token, ...(body !== undefined ? { body, headers: { "content-type": "application/scim+json", ...opts.headers } } : {}) });
}

/** A SCIM error, whole: its status (as a string too), scimType when given, detail, and the media type. */
export function expectScimError(r: Reply, status: number, scimType?: string, detail: string | RegExp = expect.any(String) as unknown as string): void {
  expect({ status: r.status, body: r.body }).toEqual({
    status,
    body: { schemas: [ERROR_URN], status: String(status), ...(scimType ? { scimType } : {}), detail: detail instanceof RegExp ? expect.stringMatching(detail) : detail },
  });
  expect(r.headers.get("content-type")).toBe("application/scim+json");
}
