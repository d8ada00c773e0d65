/**
 * Import jobs (docs/migration.md#import): upload a file of users (NDJSON or CSV, up to 100 MB,
 * streamed), follow the job, read its row errors. The rows are written by the imports Queue's
 * consumer (src/imports/consumer.ts).
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { DomainError } from "../../../core/errors";
import { importErrorPages, getImport, type ImportJob } from "../../../core/imports/jobs";
import { IGNORED_FIELDS } from "../../../core/imports/rows";
import { discardImport, MAX_IMPORT_BYTES, openImport, queueImport, stageRows, tooLarge, type ImportFormat } from "../../../core/imports/stage";
import { IMPORT_MODES, USER_STATUSES } from "../../../db/schema";
import { coreCtx } from "../../../http/context";
import { IDEMPOTENCY_KEY, IdempotencyHeaders, once, REPLAYED } from "../../../http/idempotency";
import { BEARER, json } from "../../../http/openapi";
import { ndjsonStream } from "../../../http/stream";
import type { AppEnv } from "../../../http/types";
import { adminErrors, keyReusedResponse } from "../errors";
import { Uuid } from "../wire";

/** Where imports are posted: their bodies are streams, not the 64 KiB JSON of every other admin route (../router.ts). */
export const IMPORT_UPLOAD_PATH = /^\/api\/v1\/tenants\/[^/]+\/imports$/;

const Iso = z.string().openapi({ format: "date-time" });
const TenantParam = z.object({ tenantId: Uuid.openapi({ param: { name: "tenantId", in: "path" } }) });
const JobParams = TenantParam.extend({ importId: Uuid.openapi({ param: { name: "importId", in: "path" } }) });

/** A line of an import file (docs/migration.md#rows). */
export const ImportRowSchema = z
  .object({
    customerId: Uuid.optional().openapi({ description: "The user's customer; or projectKey and customerKey." }),
    projectKey: z.string().optional(),
    customerKey: z.string().optional(),
    email: z.string().openapi({ format: "email" }),
    firstName: z.string(),
    lastName: z.string(),
    mobile: z.string().nullable().optional(),
    externalId: z.string().nullable().optional().openapi({ description: "The previous system's id for the user (SCIM externalId)." }),
    status: z.enum(USER_STATUSES).optional().openapi({ description: "ACTIVE when not given." }),
    subroleCode: z.string().nullable().optional().openapi({ description: "A subrole of the customer or the tenant, by code (null: none)." }),
    subroleId: Uuid.nullable().optional().openapi({ description: "Or by id, as an export gives it." }),
    groups: z.array(z.string()).optional().openapi({ description: "The tenant's groups, by name or id; in CSV separated by spaces, or a JSON array." }),
    groupIds: z.array(Uuid).optional().openapi({ description: "Or by id, as an export gives them." }),
    createdAt: Iso.optional().openapi({ description: "When the user was created in the previous system (not in the future); now when not given." }),
    passwordHash: z
      .string()
      .optional()
      .openapi({ description: "bcrypt ($2a$/$2b$/$2y$), Argon2id/Argon2i (PHC), scrypt (PHC) or PBKDF2-SHA256/SHA512 (PHC, passlib or Django form), within the limits of docs/migration.md#password-hashes." }),
    ...Object.fromEntries(IGNORED_FIELDS.map((f) => [f, z.unknown().optional().openapi({ description: "An export's read-only field: ignored." })])),
  })
  .openapi("ImportRow", { description: "One user per line (NDJSON), or per row under a header row (CSV). Fields not listed here are a row error." });

const RowErrorSchema = z.object({ line: z.number().int().min(1), field: z.string().nullable(), message: z.string() }).openapi("ImportRowError");

const ImportJobSchema = z
  .object({
    id: Uuid,
    tenantId: Uuid,
    mode: z.enum(IMPORT_MODES),
    format: z.enum(["ndjson", "csv"]),
    status: z.enum(["queued", "running", "completed", "failed"]),
    counts: z.object({
      total: z.number().int().min(0).openapi({ description: "Rows in the file (blank lines aside)." }),
      created: z.number().int().min(0),
      updated: z.number().int().min(0),
      skipped: z.number().int().min(0).openapi({ description: "Upsert: rows equal to their user already." }),
      failed: z.number().int().min(0).openapi({ description: "Rows refused (each with its errors)." }),
    }),
    bytes: z.number().int().min(0),
    createdAt: Iso,
    createdBy: z.string(),
    startedAt: Iso.nullable(),
    finishedAt: Iso.nullable(),
    error: z.string().nullable().openapi({ description: "Why the job failed as a whole (rows not yet written stay unwritten)." }),
    errors: z.array(RowErrorSchema).openapi({ description: "The first 1,000 row errors, in file order; all of them at …/errors." }),
  })
  .openapi("ImportJob");

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
function jobToWire(j: ImportJob): z.infer<typeof ImportJobSchema> {
  return { ...j, format: j.format as "ndjson" | "csv", createdAt: new Date(j.createdAt).toISOString(), startedAt: iso(j.startedAt), finishedAt: iso(j.finishedAt) };
}

const encoder = new TextEncoder();

function formatOf(contentType: string | undefined): ImportFormat {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/x-ndjson" || type === "application/jsonl") return "ndjson";
  if (type === "text/csv") return "csv";
  throw new DomainError("UNSUPPORTED_MEDIA_TYPE", "An import is application/x-ndjson (a user per line) or text/csv (a header row, then a user per row).");
}

export function registerImportRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/tenants/{tenantId}/imports",
      operationId: "admin.createImport",
      tags: ["Imports"],
      summary: "Import users from a file (NDJSON or CSV, up to 100 MB, streamed): a job that creates — or upserts by e-mail — every row",
      description:
        "The body is read as it arrives and staged; the rows are then written by a background job, a chunk at a time, each held to the rules of a single create " +
        "(fields, reach, subrole within the token's own permissions, groups, unique e-mail). Answers 202 with the job; follow it at `Location`. " +
        "Needs `users:write`. `mode=upsert` updates the user of the same e-mail (of the same customer) with the fields a row gives. docs/migration.md#import.",
      security: BEARER,
      request: {
        headers: IdempotencyHeaders,
        params: TenantParam,
        query: z.object({ mode: z.enum(IMPORT_MODES).optional().openapi({ description: "create (default): an e-mail that exists is a row error; upsert: it is updated." }) }),
        body: {
          required: true,
          content: {
            "application/x-ndjson": { schema: ImportRowSchema },
            "text/csv": { schema: z.string().openapi({ description: "A header row naming ImportRow fields, then a row per user (RFC 4180); an empty cell is a field not given." }) },
          },
        },
      },
      responses: {
        202: { ...json(ImportJobSchema, "The job, queued"), headers: z.object({ Location: z.string() }) },
        ...adminErrors,
        ...keyReusedResponse,
      },
    }),
    async (c) => {
      const { tenantId } = c.req.valid("param");
      const { mode = "create" } = c.req.valid("query");
      const format = formatOf(c.req.header("content-type"));
      // A declared length past the limit is refused before anything is read (a chunked body is counted as it arrives).
      if (Number(c.req.header("content-length") ?? 0) > MAX_IMPORT_BYTES) throw tooLarge();
      const ctx = coreCtx(c);
      const opened = await openImport(ctx, tenantId, mode, format);
      const discard = () => c.var.afterResponse(() => discardImport(ctx, opened.id));
      try {
        const url = new URL(c.req.url);
        const head = encoder.encode(`${c.req.method}\n${url.pathname}${url.search}\n${c.req.header("x-tenant") ?? ""}\n`);
        const upload = await stageRows(ctx, opened.id, c.req.raw.body ?? new ReadableStream({ start: (ctl) => ctl.close() }), format, head);
        // The fingerprint of an Idempotency-Key is the body's as it streamed by (src/http/idempotency.ts).
        if (c.req.valid("header")[IDEMPOTENCY_KEY] !== undefined) c.set("requestFingerprint", upload.fingerprint);
        const res = await once<ImportJob, ImportJob, Response>(
          c,
          (receipt) => queueImport(ctx, opened, upload, receipt),
          (job) => c.json(jobToWire(job), 202, { Location: `/api/v1/tenants/${tenantId}/imports/${job.id}` }),
        );
        if (res.headers.get(REPLAYED) === "true") discard();
        else await c.env.IMPORTS.send({ jobId: opened.id });
        return res as never;
      } catch (err) {
        discard();
        throw err;
      }
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/tenants/{tenantId}/imports/{importId}",
      operationId: "admin.getImport",
      tags: ["Imports"],
      summary: "An import job: status, counts, timings and the first 1,000 row errors",
      security: BEARER,
      request: { params: JobParams },
      responses: { 200: json(ImportJobSchema, "The job"), ...adminErrors },
    }),
    async (c) => {
      const { tenantId, importId } = c.req.valid("param");
      return c.json(jobToWire(await getImport(coreCtx(c), tenantId, importId.toLowerCase())), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/tenants/{tenantId}/imports/{importId}/errors",
      operationId: "admin.listImportErrors",
      tags: ["Imports"],
      summary: "All of an import's row errors, streamed as NDJSON in file order",
      security: BEARER,
      request: { params: JobParams },
      responses: {
        200: { description: "One ImportRowError per line", content: { "application/x-ndjson": { schema: z.string().openapi({ description: "One ImportRowError ({line, field, message}) per line." }) } } },
        ...adminErrors,
      },
    }),
    async (c) => {
      const { tenantId, importId } = c.req.valid("param");
      const pages = await importErrorPages(coreCtx(c), tenantId, importId.toLowerCase());
      return c.body(ndjsonStream(pages), 200, { "Content-Type": "application/x-ndjson" }) as never;
    },
  );
}

