import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { exportUsers } from "../../../core/users/export-users";
import { getUser } from "../../../core/users/get-user";
import type { User } from "../../../core/users/view";
import { listTenantUsers } from "../../../core/users/list-users";
import { USER_STATUSES } from "../../../db/schema";
import { coreCtx } from "../../../http/context";
import { conditionalGet, ETAG_HEADER, IfNoneMatchHeaders } from "../../../http/etag";
import { BEARER, json } from "../../../http/openapi";
import { linesStream } from "../../../http/stream";
import type { AppEnv } from "../../../http/types";
import { adminErrors } from "../errors";
import { ListQuery, listOf, UserSchema, userToWire, Uuid } from "../wire";

const TenantParam = z.object({ tenantId: Uuid.openapi({ param: { name: "tenantId", in: "path" } }) });

/** An export's columns in CSV: the admin API's user, in its order (groupIds space-separated). */
const CSV_COLUMNS = Object.keys(UserSchema.shape) as (keyof z.infer<typeof UserSchema>)[];

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
function csvField(v: unknown): string {
  const s = v === null || v === undefined ? "" : Array.isArray(v) ? v.join(" ") : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** An export as a byte stream: a line per user (NDJSON), or a header row and a row per user (CSV). */
function exportStream(pages: AsyncGenerator<User[]>, format: "ndjson" | "csv"): ReadableStream<Uint8Array> {
  if (format === "ndjson") return linesStream(pages, (u) => `${JSON.stringify(userToWire(u))}\n`);
  return linesStream(
    pages,
    (u) => {
      const wire = userToWire(u);
      return `${CSV_COLUMNS.map((k) => csvField(wire[k])).join(",")}\r\n`;
    },
    `${CSV_COLUMNS.join(",")}\r\n`,
  );
}

export function registerUserRoutes(app: OpenAPIHono<AppEnv>): void {
  // Before /users/{userId}: "export" is no user id.
  app.openapi(
    createRoute({
      method: "get",
      path: "/tenants/{tenantId}/users/export",
      operationId: "admin.exportUsers",
      tags: ["Users"],
      summary: "Export every user the token reaches (or one customer's), streamed: NDJSON or CSV, no hashes, resumable",
      description:
        "Streams the tenant's live users in creation order, in the admin API's shape (never a password or its hash), " +
        "a page of 500 per round trip, in constant memory. `after` resumes after the last user received (its id). docs/migration.md#export.",
      security: BEARER,
      request: {
        params: TenantParam,
        query: z.object({
          customerId: Uuid.optional(),
          format: z.enum(["ndjson", "csv"]).optional().openapi({ description: "ndjson (default): a JSON User per line; csv: a header row, then a row per user." }),
          after: Uuid.optional().openapi({ description: "The id of the last user received: the export goes on from the next one." }),
        }),
      },
      responses: {
        200: {
          description: "The users, streamed",
          content: { "application/x-ndjson": { schema: { type: "string", description: "One User (the admin API's shape) per line." } }, "text/csv": { schema: { type: "string" } } },
        },
        ...adminErrors,
      },
    }),
    async (c) => {
      const { tenantId } = c.req.valid("param");
      const { format = "ndjson", customerId, after } = c.req.valid("query");
      const pages = await exportUsers(coreCtx(c), tenantId, { customerId: customerId?.toLowerCase(), after });
      return c.body(exportStream(pages, format), 200, {
        "Content-Type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson",
        "Content-Disposition": `attachment; filename="users-${tenantId}.${format}"`,
      }) as never;
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/tenants/{tenantId}/users",
      operationId: "admin.listUsers",
      tags: ["Users"],
      summary: "List the tenant's users (every customer, every dialect)",
      security: BEARER,
      request: {
        params: TenantParam,
        query: ListQuery.extend({
          customerId: Uuid.optional(),
          resellerId: Uuid.optional(),
          status: z.enum(USER_STATUSES).optional(),
          email: z.string().max(255).optional(),
        }),
      },
      responses: { 200: json(listOf(UserSchema, "UserList"), "A page of users, oldest first"), ...adminErrors },
    }),
    async (c) => {
      const { tenantId } = c.req.valid("param");
      const { limit, cursor, ...filter } = c.req.valid("query");
      const page = await listTenantUsers(coreCtx(c), tenantId, filter, { limit, cursor });
      return c.json({ data: page.data.map(userToWire), nextCursor: page.nextCursor }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/tenants/{tenantId}/users/{userId}",
      operationId: "admin.getUser",
      tags: ["Users"],
      summary: "Get a user",
      security: BEARER,
      request: { headers: IfNoneMatchHeaders, params: TenantParam.extend({ userId: Uuid.openapi({ param: { name: "userId", in: "path" } }) }) },
      responses: {
        200: { ...json(UserSchema, "The user"), headers: { ETag: ETAG_HEADER } },
        304: { description: "Not Modified: the user is as the If-None-Match tag names it (no body)", headers: { ETag: ETAG_HEADER } },
        ...adminErrors,
      },
    }),
    async (c) => {
      const { tenantId, userId } = c.req.valid("param");
      const user = await getUser(coreCtx(c), { userId, tenant: { id: tenantId } });
      return conditionalGet(c, user, () => c.json(userToWire(user), 200));
    },
  );
}
