/**
 * A project's customers, addressed the way Corti addresses them (project key or id, customer key
 * or id). These verbs only resolve the path and check reach in one read; the create and the update
 * themselves are the generic resource verbs' write halves (resources.ts + customerSpec), so a
 * customer made here is the same row, with the same uniqueness and audit, as one made through the
 * admin API. Each verb costs one read batch plus at most one write batch.
 */
import { asc, inArray } from "drizzle-orm";
import { customers, projects } from "../db/schema";
import type { Ctx } from "./context";
import { forbidden, notFound } from "./errors";
import { customerIdQuery, projectIdQuery, type ProjectRef } from "./project-scope";
import type { Receipt } from "./idempotency";
import { applyResourceUpdate, insertResource } from "./resources";
import { customerSpec } from "./tenant-resources";

export type CustomerRow = typeof customers.$inferSelect;

export interface ProjectCustomerInput {
  name: string;
  /** The customer's key (Corti's `customerId`), unique per project. */
  key: string;
  tenantName?: string | null | undefined;
  region?: string | null | undefined;
  isNfr?: boolean | undefined;
}

export type ProjectCustomerPatch = Partial<Pick<CustomerRow, "name" | "tenantName" | "region" | "isNfr">>;

/** Customers are managed by the platform and tenant admins only (docs/api/corti.md#base-and-operations). */
function assertCustomerAdmin(ctx: Ctx): void {
  const r = ctx.principal.role;
  if (r !== "platform" && r !== "tenant_admin") throw forbidden("Only platform and tenant admins manage customers.");
}

function projectQuery(ctx: Ctx, ref: ProjectRef) {
  return ctx.db.select({ id: projects.id, tenantId: projects.tenantId }).from(projects).where(inArray(projects.id, projectIdQuery(ref)));
}

/** The project found, if the principal reaches it (its tenant, and its project claim if any); else 404. */
function projectInReachOr404(ctx: Ctx, row: { id: string; tenantId: string } | undefined): { id: string; tenantId: string } {
  const p = ctx.principal;
  if (!row) throw notFound("project");
  if (p.role !== "platform" && (row.tenantId !== p.tenantId || (p.projectId !== null && p.projectId !== row.id))) throw notFound("project");
  return row;
}

export async function createProjectCustomer(ctx: Ctx, project: ProjectRef, input: ProjectCustomerInput, receipt?: Receipt<CustomerRow>): Promise<CustomerRow> {
  assertCustomerAdmin(ctx);
  const found = projectInReachOr404(ctx, (await projectQuery(ctx, project))[0]);
  return insertResource(ctx, customerSpec, found.tenantId, {
    projectId: found.id,
    resellerId: null,
    key: input.key,
    name: input.name,
    tenantName: input.tenantName ?? null,
    region: input.region ?? null,
    isNfr: input.isNfr ?? false,
  }, receipt);
}

/** A page of the project's customers, oldest first (ties by id); one round trip. */
export async function listProjectCustomers(
  ctx: Ctx,
  project: ProjectRef,
  page: { offset: number; limit: number },
): Promise<{ customers: CustomerRow[]; hasMore: boolean }> {
  assertCustomerAdmin(ctx);
  const [projectRows, rows] = await ctx.db.batch([
    projectQuery(ctx, project),
    ctx.db
      .select()
      .from(customers)
      .where(inArray(customers.projectId, projectIdQuery(project)))
      .orderBy(asc(customers.createdAt), asc(customers.id))
      .limit(page.limit + 1)
      .offset(page.offset),
  ]);
  projectInReachOr404(ctx, projectRows[0]);
  return { customers: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
}

export async function updateProjectCustomer(ctx: Ctx, project: ProjectRef, customerKeyOrId: string, patch: ProjectCustomerPatch): Promise<CustomerRow> {
  assertCustomerAdmin(ctx);
  const [projectRows, customerRows] = await ctx.db.batch([
    projectQuery(ctx, project),
    ctx.db
      .select()
      .from(customers)
      .where(inArray(customers.id, customerIdQuery(project, customerKeyOrId))),
  ]);
  projectInReachOr404(ctx, projectRows[0]);
  const existing = customerRows[0];
  if (!existing) throw notFound("customer");
  const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as ProjectCustomerPatch;
  return applyResourceUpdate(ctx, customerSpec, existing.tenantId, existing, given);
}
