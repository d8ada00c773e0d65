/** GET /scim/v2/ServiceProviderConfig — what this service provider supports (RFC 7643 §5). */
import { z } from "@hono/zod-openapi";
import { confirmScimToken } from "../../../core/scim/users";
import { coreCtx } from "../../../http/context";
import { scimBase, scimResponse, scimRoute } from "../route";
import { scimJson } from "../wire";
import { MAX_COUNT } from "./list-users";

const Supported = z.object({ supported: z.boolean() });
export const ServiceProviderConfigSchema = z
  .object({
    schemas: z.array(z.string()),
    documentationUri: z.string(),
    patch: Supported,
    bulk: Supported.extend({ maxOperations: z.number().int(), maxPayloadSize: z.number().int() }),
    filter: Supported.extend({ maxResults: z.number().int() }),
    changePassword: Supported,
    sort: Supported,
    etag: Supported,
    authenticationSchemes: z.array(z.object({ type: z.string(), name: z.string(), description: z.string(), primary: z.boolean() })),
    meta: z.object({ resourceType: z.string(), location: z.string() }),
  })
  .openapi("Scim_ServiceProviderConfig");

export const { route, register } = scimRoute("get /ServiceProviderConfig", "scim.getServiceProviderConfig", "users:read", {
  summary: "Service provider configuration",
  description: "PATCH, filters, sorting, ETags and password changes are supported; bulk is not.",
  responses: { 200: scimJson(ServiceProviderConfigSchema, "The configuration") },
}, async (c) => {
  await confirmScimToken(coreCtx(c));
  return scimResponse(
    c,
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
      documentationUri: `${new URL(c.req.url).origin}/docs/scim`,
      patch: { supported: true },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: true, maxResults: MAX_COUNT },
      changePassword: { supported: true },
      sort: { supported: true },
      etag: { supported: true },
      authenticationSchemes: [{ type: "oauthbearertoken", name: "OAuth Bearer Token", description: "A SCIM token issued by the admin API for one customer (docs/scim.md#tokens).", primary: true }],
      meta: { resourceType: "ServiceProviderConfig", location: `${scimBase(c)}/ServiceProviderConfig` },
    },
    200,
  );
});
