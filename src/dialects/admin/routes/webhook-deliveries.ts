/**
 * A subscription's operations beyond the five of every resource (docs/webhooks.md): its deliveries,
 * a manual retry of one, and the rotation of its signing secret.
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { listDeliveries, retryDelivery } from "../../../core/webhooks/deliveries";
import { rotateWebhookSecret } from "../../../core/webhooks/subscriptions";
import { coreCtx, webhookDeps } from "../../../http/context";
import { BEARER, json } from "../../../http/openapi";
import type { AppEnv } from "../../../http/types";
import { adminErrors, conflictResponse } from "../errors";
import { DeliverySchema, ListQuery, listOf, rowToWire, Uuid, WebhookCreated, webhookToWire } from "../wire";

const Params = z.object({ tenantId: Uuid.openapi({ param: { name: "tenantId", in: "path" } }), id: Uuid.openapi({ param: { name: "id", in: "path" } }) });

export function registerWebhookDeliveryRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/tenants/{tenantId}/webhooks/{id}/deliveries",
      operationId: "admin.listWebhookDeliveries",
      tags: ["Webhooks"],
      summary: "A subscription's delivery attempts, oldest first: each with its number, outcome, the receiver's status and duration",
      security: BEARER,
      request: { params: Params, query: ListQuery },
      responses: { 200: { description: "A page of deliveries", content: { "application/json": { schema: listOf(DeliverySchema, "WebhookDeliveryList") } } }, ...adminErrors },
    }),
    async (c) => {
      const { tenantId, id } = c.req.valid("param");
      const page = await listDeliveries(coreCtx(c), tenantId, id, c.req.valid("query"));
      return c.json({ data: page.data.map(rowToWire), nextCursor: page.nextCursor }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/tenants/{tenantId}/webhooks/{id}/deliveries/{deliveryId}/retry",
      operationId: "admin.retryWebhookDelivery",
      tags: ["Webhooks"],
      summary: "Deliver an attempt's event again to this subscription (while its delivery has not succeeded)",
      security: BEARER,
      request: { params: Params.extend({ deliveryId: Uuid.openapi({ param: { name: "deliveryId", in: "path" } }) }) },
      responses: { 202: json(DeliverySchema, "Queued again: the attempt named, its delivery now pending"), ...adminErrors, ...conflictResponse },
    }),
    async (c) => {
      const { tenantId, id, deliveryId } = c.req.valid("param");
      return c.json(rowToWire(await retryDelivery(coreCtx(c), c.env.EVENTS, tenantId, id, deliveryId)), 202);
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/tenants/{tenantId}/webhooks/{id}/rotate-secret",
      operationId: "admin.rotateWebhookSecret",
      tags: ["Webhooks"],
      summary: "A new signing secret, shown once; the old one keeps signing beside it for 24 hours",
      security: BEARER,
      request: { params: Params },
      responses: { 200: json(WebhookCreated, "The subscription and its new secret"), ...adminErrors },
    }),
    async (c) => {
      const { tenantId, id } = c.req.valid("param");
      const { webhook, secret } = await rotateWebhookSecret(coreCtx(c), tenantId, id, webhookDeps(c.env));
      return c.json({ ...webhookToWire(webhook), secret } as never, 200);
    },
  );
}
