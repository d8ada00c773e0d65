import { and, asc, eq, getTableColumns, gte, type SQL } from "drizzle-orm";
import { auditEvents } from "../db/schema";
import { narrowedAuditWhere } from "./ceiling";
import type { Ctx } from "./context";
import { assertTenantClaim } from "./resources";
import { exactFilters, tenantPage, type PageInput } from "./tenant-page";

export type AuditEventRow = Omit<typeof auditEvents.$inferSelect, "queuedAt" | "sequence" | "snapshot">;

export interface AuditFilter {
  correlationId?: string;
  action?: string;
  actorId?: string;
  targetId?: string;
  /** Epoch ms: events at or after. */
  since?: number;
}

/** An event as the admin API shows it: every column but the webhook outbox's (`queued_at`, and the delivery's `sequence` and user `snapshot`). */
const { queuedAt: _queuedAt, sequence: _sequence, snapshot: _snapshot, ...PUBLIC_COLUMNS } = getTableColumns(auditEvents);

/** A tenant's audit trail, oldest first, keyed by (at, id). */

export async function listAuditEvents(
  ctx: Ctx,
  tenantId: string,
  filter: AuditFilter,
  page: PageInput,
): Promise<{ data: AuditEventRow[]; nextCursor: string | null }> {
  assertTenantClaim(ctx, tenantId);
  const t = auditEvents;
  const conditions: SQL[] = [eq(t.tenantId, tenantId)];
  // A project-narrowed admin sees the events about its project's customers only.
  const narrowedTo = narrowedAuditWhere(ctx.principal, t.customerId);
  if (narrowedTo !== undefined) conditions.push(narrowedTo);
  conditions.push(...exactFilters(filter, { correlationId: t.correlationId, action: t.action, actorId: t.actorId, targetId: t.targetId }));
  if (filter.since !== undefined) conditions.push(gte(t.at, filter.since));
  const query = (after: SQL | undefined) =>
    ctx.db
      .select(PUBLIC_COLUMNS)
      .from(t)
      .where(and(...conditions, after))
      .orderBy(asc(t.at), asc(t.id))
      .limit(page.limit + 1);
  return tenantPage<AuditEventRow>(ctx, tenantId, `audit-events:${tenantId}`, { at: t.at, id: t.id }, page, query, (r) => [r.at, r.id]);
}
