/**
 * A customer's SCIM tokens (docs/scim.md#tokens): issue (the token shown once), list (with their
 * last use), revoke (at once). The caller must reach the customer and hold what a token grants.
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { issueScimToken, listScimTokens, revokeScimToken, type IssuedScimToken } from "../../../core/scim/tokens";
import { coreCtx, scimTokenDeps } from "../../../http/context";
import { fingerprintRequest, IdempotencyHeaders, once } from "../../../http/idempotency";
import { BEARER, json, jsonBody } from "../../../http/openapi";
import type { AppEnv } from "../../../http/types";
import { adminErrors, keyReusedResponse } from "../errors";
import { ListQuery, listOf, ScimTokenCreate, ScimTokenCreated, ScimTokenSchema, scimTokenToWire, Uuid } from "../wire";

const CustomerParams = z.object({
  tenantId: Uuid.openapi({ param: { name: "tenantId", in: "path" } }),
  customerId: Uuid.openapi({ param: { name: "customerId", in: "path" } }),
});
const TokenParams = CustomerParams.extend({ id: Uuid.openapi({ param: { name: "id", in: "path" } }) });
const BASE = "/tenants/{tenantId}/customers/{customerId}/scim-tokens";

export function registerScimTokenRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    createRoute({
      method: "post",
      path: BASE,
      operationId: "admin.createScimToken",
      tags: ["SCIM tokens"],
      summary: "Issue a SCIM token for the customer's identity provider (shown once)",
      description: "The token reaches this customer's users only, on /scim/v2 only, until revoked. The caller must hold users:read and users:write (what the token grants).",
      security: BEARER,
      request: { headers: IdempotencyHeaders, params: CustomerParams, body: jsonBody(ScimTokenCreate) },
      responses: { 201: { ...json(ScimTokenCreated, "The token, shown once"), headers: z.object({ Location: z.string() }) }, ...adminErrors, ...keyReusedResponse },
      middleware: [fingerprintRequest()],
    }),
    async (c) => {
      const { tenantId, customerId } = c.req.valid("param");
      const body = c.req.valid("json");
      return once(
        c,
        (receipt) => issueScimToken(coreCtx(c), tenantId, customerId, body, scimTokenDeps(c.env), receipt),
        ({ row, token }: IssuedScimToken) => c.json({ ...scimTokenToWire(row), token }, 201, { Location: `/api/v1${BASE.replace("{tenantId}", tenantId).replace("{customerId}", customerId)}/${row.id}` }),
      );
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: BASE,
      operationId: "admin.listScimTokens",
      tags: ["SCIM tokens"],
      summary: "The customer's SCIM tokens, oldest first, with their last use (never the tokens)",
      security: BEARER,
      request: { params: CustomerParams, query: ListQuery },
      responses: { 200: json(listOf(ScimTokenSchema, "ScimTokenList"), "A page of tokens"), ...adminErrors },
    }),
    async (c) => {
      const { tenantId, customerId } = c.req.valid("param");
      const page = await listScimTokens(coreCtx(c), tenantId, customerId, c.req.valid("query"));
      return c.json({ data: page.data.map(scimTokenToWire), nextCursor: page.nextCursor }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "delete",
      path: `${BASE}/{id}`,
      operationId: "admin.revokeScimToken",
      tags: ["SCIM tokens"],
      summary: "Revoke a SCIM token: every request it signs from now on is refused",
      security: BEARER,
      request: { params: TokenParams },
      responses: { 204: { description: "Revoked" }, ...adminErrors },
    }),
    async (c) => {
      const { tenantId, customerId, id } = c.req.valid("param");
      await revokeScimToken(coreCtx(c), tenantId, customerId, id, scimTokenDeps(c.env));
      return c.body(null, 204);
    },
  );
}
