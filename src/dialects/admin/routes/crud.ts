/**
 * The five admin routes of a tenant-owned resource (POST, GET list, GET, PATCH, DELETE), built from
 * one description so that every resource documents and answers the same way.
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { createResource, deleteResource, getResource, listResources, updateResource, type ResourceSpec, type Row, type TenantTable } from "../../../core/resources";
import { coreCtx } from "../../../http/context";
import { fingerprintRequest, IdempotencyHeaders, once } from "../../../http/idempotency";
import type { Receipt } from "../../../core/idempotency";
import { BEARER, json, jsonBody } from "../../../http/openapi";
import type { AppBindings, AppEnv } from "../../../http/types";
import type { Ctx } from "../../../core/context";
import { adminErrors, conflictResponse, keyReusedResponse } from "../errors";
import { ListQuery, listOf, rowToWire, Uuid } from "../wire";

const TenantParam = z.object({ tenantId: Uuid.openapi({ param: { name: "tenantId", in: "path" } }) });
const ItemParams = TenantParam.extend({ id: Uuid.openapi({ param: { name: "id", in: "path" } }) });

/** What a custom create answers: the new id (for Location) and the body. */
export interface CustomCreated {
  id: string;
  body: Record<string, unknown>;
}

export interface CrudOptions<T extends TenantTable> {
  /** Path segment under /tenants/{tenantId}/, e.g. `projects`. */
  path: string;
  tag: string;
  /** Singular, for summaries. */
  noun: string;
  spec: ResourceSpec<T>;
  wire: z.ZodType;
  create: z.ZodType;
  patch: z.ZodType;
  /** Wire body → storage values of a create (defaults applied here, not in the core). */
  fromCreate: (body: never) => Record<string, unknown>;
  toWire?: (row: Row<T>) => Record<string, unknown>;
  /** Replaces the default create (accounts return their secret once). */
  customCreate?: (ctx: Ctx, tenantId: string, body: never, receipt: Receipt<CustomCreated> | undefined, env: AppBindings) => Promise<CustomCreated>;
  createdWire?: z.ZodType;
  /** A rule of a patch that needs the Worker's settings (a webhook's URL), checked before the core runs. */
  checkPatch?: (c: Context<AppEnv>, patch: Record<string, unknown>) => void;
}


export function registerCrud<T extends TenantTable>(app: OpenAPIHono<AppEnv>, o: CrudOptions<T>): void {
  const base = `/tenants/{tenantId}/${o.path}`;
  const toWire = o.toWire ?? ((r: Row<T>) => rowToWire(r as Record<string, unknown>));
  const location = (c: { req: { url: string } }, id: string) => `${new URL(c.req.url).pathname.replace(/\/$/, "")}/${id}`;
  // Stable operation ids for generated clients: admin.createProject, admin.listProjects, …
  const one = o.noun.replace(/(^|\s)(\w)/g, (_m, _s, c: string) => c.toUpperCase());
  const many = o.tag.replace(/\s/g, "");

  app.openapi(
    createRoute({
      method: "post",
      path: base,
      operationId: `admin.create${one}`,
      tags: [o.tag],
      summary: `Create a ${o.noun}`,
      security: BEARER,
      request: { headers: IdempotencyHeaders, params: TenantParam, body: jsonBody(o.create) },
      responses: {
        201: { ...json(o.createdWire ?? o.wire, `The ${o.noun} created`), headers: z.object({ Location: z.string() }) },
        ...adminErrors,
        ...conflictResponse,
        ...keyReusedResponse,
      },
      middleware: [fingerprintRequest()],
    }),
    async (c) => {
      const { tenantId } = c.req.valid("param");
      const body = c.req.valid("json") as never;
      const ctx = coreCtx(c);
      const answer = (created: { id: string; body: Record<string, unknown> }) => c.json(created.body, 201, { Location: location(c, created.id) });
      if (o.customCreate) {
        const custom = o.customCreate;
        return once(c, (receipt) => custom(ctx, tenantId, body, receipt, c.env), answer);
      }
      return once(
        c,
        (receipt) => createResource(ctx, o.spec, tenantId, o.fromCreate(body) as never, receipt),
        (row: Row<T>) => answer({ id: row.id as string, body: toWire(row) }),
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: base,
      operationId: `admin.list${many}`,
      tags: [o.tag],
      summary: `List the tenant's ${o.path}`,
      security: BEARER,
      request: { params: TenantParam, query: ListQuery },
      responses: { 200: json(listOf(o.wire, `${o.noun.replace(/\s/g, "")}List`), `A page of ${o.path}, oldest first`), ...adminErrors },
    }),
    async (c) => {
      const { tenantId } = c.req.valid("param");
      const page = await listResources(coreCtx(c), o.spec, tenantId, c.req.valid("query"));
      return c.json({ data: page.data.map(toWire), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: `${base}/{id}`,
      operationId: `admin.get${one}`,
      tags: [o.tag],
      summary: `Get a ${o.noun}`,
      security: BEARER,
      request: { params: ItemParams },
      responses: { 200: json(o.wire, `The ${o.noun}`), ...adminErrors },
    }),
    async (c) => {
      const { tenantId, id } = c.req.valid("param");
      return c.json(toWire(await getResource(coreCtx(c), o.spec, tenantId, id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: `${base}/{id}`,
      operationId: `admin.update${one}`,
      tags: [o.tag],
      summary: `Update a ${o.noun}`,
      security: BEARER,
      request: { params: ItemParams, body: jsonBody(o.patch) },
      responses: { 200: json(o.wire, `The ${o.noun} as updated`), ...adminErrors, ...conflictResponse },
    }),
    async (c) => {
      const { tenantId, id } = c.req.valid("param");
      const patch = c.req.valid("json") as never;
      o.checkPatch?.(c, patch);
      return c.json(toWire(await updateResource(coreCtx(c), o.spec, tenantId, id, patch)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: `${base}/{id}`,
      operationId: `admin.delete${one}`,
      tags: [o.tag],
      summary: `Delete a ${o.noun}`,
      security: BEARER,
      request: { params: ItemParams },
      responses: { 204: { description: `The ${o.noun} was deleted` }, ...adminErrors, ...conflictResponse },
    }),
    async (c) => {
      const { tenantId, id } = c.req.valid("param");
      await deleteResource(coreCtx(c), o.spec, tenantId, id);
      return c.body(null, 204);
    },
  );
}
