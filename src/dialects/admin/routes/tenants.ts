import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { createTenant, getTenant, listTenants, updateTenant, type TenantRow } from "../../../core/tenants";
import { coreCtx } from "../../../http/context";
import { BEARER, json } from "../../../http/openapi";
import type { AppEnv } from "../../../http/types";
import { fingerprintRequest, IdempotencyHeaders, once } from "../../../http/idempotency";
import { adminErrors, conflictResponse, keyReusedResponse } from "../errors";
import { ListQuery, listOf, rowToWire, TenantCreate, TenantPatch, TenantSchema, Uuid } from "../wire";

const Params = z.object({ tenantId: Uuid.openapi({ param: { name: "tenantId", in: "path" } }) });

export function registerTenantRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/tenants",
      operationId: "admin.createTenant",
      tags: ["Tenants"],
      summary: "Create a tenant (platform only)",
      security: BEARER,
      request: { headers: IdempotencyHeaders, body: { required: true, content: { "application/json": { schema: TenantCreate } } } },
      responses: {
        201: { ...json(TenantSchema, "The tenant created"), headers: z.object({ Location: z.string() }) },
        ...adminErrors,
        ...conflictResponse,
        ...keyReusedResponse,
      },
      middleware: [fingerprintRequest()],
    }),
    async (c) => {
      const input = c.req.valid("json");
      return once(
        c,
        (receipt) => createTenant(coreCtx(c), input, receipt),
        (row: TenantRow) => c.json(rowToWire(row), 201, { Location: `/api/v1/tenants/${row.id}` }),
      );
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/tenants",
      operationId: "admin.listTenants",
      tags: ["Tenants"],
      summary: "List tenants (the platform sees all, a tenant admin its own)",
      security: BEARER,
      request: { query: ListQuery },
      responses: { 200: json(listOf(TenantSchema, "TenantList"), "A page of tenants"), ...adminErrors },
    }),
    async (c) => {
      const page = await listTenants(coreCtx(c), c.req.valid("query"));
      return c.json({ data: page.data.map(rowToWire), nextCursor: page.nextCursor }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/tenants/{tenantId}",
      operationId: "admin.getTenant",
      tags: ["Tenants"],
      summary: "Get a tenant",
      security: BEARER,
      request: { params: Params },
      responses: { 200: json(TenantSchema, "The tenant"), ...adminErrors },
    }),
    async (c) => c.json(rowToWire(await getTenant(coreCtx(c), c.req.valid("param").tenantId)), 200),
  );
  app.openapi(
    createRoute({
      method: "patch",
      path: "/tenants/{tenantId}",
      operationId: "admin.updateTenant",
      tags: ["Tenants"],
      summary: "Update a tenant",
      security: BEARER,
      request: { params: Params, body: { required: true, content: { "application/json": { schema: TenantPatch } } } },
      responses: { 200: json(TenantSchema, "The tenant as updated"), ...adminErrors, ...conflictResponse },
    }),
    async (c) => c.json(rowToWire(await updateTenant(coreCtx(c), c.req.valid("param").tenantId, c.req.valid("json"))), 200),
  );
}
