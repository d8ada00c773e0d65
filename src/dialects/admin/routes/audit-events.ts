import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { listAuditEvents } from "../../../core/audit-events";
import { coreCtx } from "../../../http/context";
import { BEARER } from "../../../http/openapi";
import type { AppEnv } from "../../../http/types";
import { adminErrors } from "../errors";
import { AuditEventSchema, ListQuery, listOf, rowToWire, Uuid } from "../wire";

const Filter = z.string().min(1).max(255).optional();

export function registerAuditRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/tenants/{tenantId}/audit-events",
      operationId: "admin.listAuditEvents",
      tags: ["Audit events"],
      summary: "The tenant's audit trail, oldest first",
      security: BEARER,
      request: {
        params: z.object({ tenantId: Uuid.openapi({ param: { name: "tenantId", in: "path" } }) }),
        query: ListQuery.extend({
          correlationId: Filter,
          action: Filter,
          actorId: Filter,
          targetId: Filter,
          since: z.iso.datetime({ offset: true }).optional().openapi({ description: "ISO 8601; events at or after." }),
        }),
      },
      responses: { 200: { description: "A page of audit events", content: { "application/json": { schema: listOf(AuditEventSchema, "AuditEventList") } } }, ...adminErrors },
    }),
    async (c) => {
      const { tenantId } = c.req.valid("param");
      const { limit, cursor, since, ...filter } = c.req.valid("query");
      const page = await listAuditEvents(coreCtx(c), tenantId, { ...filter, ...(since ? { since: Date.parse(since) } : {}) }, { limit, cursor });
      return c.json({ data: page.data.map(rowToWire), nextCursor: page.nextCursor }, 200);
    },
  );
}
