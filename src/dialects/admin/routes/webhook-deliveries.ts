/** GET /tenants/{tenantId}/webhooks/{id}/deliveries — each subscription's delivery attempts (docs/webhooks.md#deliveries). */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { listDeliveries } from "../../../core/webhooks/deliveries";
import { coreCtx } from "../../../http/context";
import { BEARER } from "../../../http/openapi";
import type { AppEnv } from "../../../http/types";
import { adminErrors } from "../errors";
import { DeliverySchema, ListQuery, listOf, rowToWire, Uuid } from "../wire";

export function registerWebhookDeliveryRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/tenants/{tenantId}/webhooks/{id}/deliveries",
      operationId: "admin.listWebhookDeliveries",
      tags: ["Webhooks"],
      summary: "A subscription's deliveries, oldest first: per event, its latest attempt",
      security: BEARER,
      request: {
        params: z.object({ tenantId: Uuid.openapi({ param: { name: "tenantId", in: "path" } }), id: Uuid.openapi({ param: { name: "id", in: "path" } }) }),
        query: ListQuery,
      },
      responses: { 200: { description: "A page of deliveries", content: { "application/json": { schema: listOf(DeliverySchema, "WebhookDeliveryList") } } }, ...adminErrors },
    }),
    async (c) => {
      const { tenantId, id } = c.req.valid("param");
      const page = await listDeliveries(coreCtx(c), tenantId, id, c.req.valid("query"));
      return c.json({ data: page.data.map(rowToWire), nextCursor: page.nextCursor }, 200);
    },
  );
}
