/**
 * Customers addressed inside a project (Corti's paths: `/projects/{projectId}/customers/{customerId}`),
 * where each segment is a key or an id. The resolution is built as un-run subqueries, so that a
 * verb puts it in the same D1 batch as its own reads and a request costs no extra round trip; the
 * verb then checks the row it finds against the principal's reach like any other (404 if out of it).
 *
 * Precedence (docs/decisions/corti-addressing.md): a key wins over an id, since keys are what
 * Corti clients send. A project key is unique per tenant only, so a caller bound to a tenant
 * resolves it within that tenant; the platform (no tenant) resolves a key only when exactly one
 * project in the store has it, and otherwise must send the project's id.
 */
import { and, desc, eq, inArray, ne, notExists, or, sql, type SQL } from "drizzle-orm";
import { alias, QueryBuilder, type SQLiteColumn } from "drizzle-orm/sqlite-core";
import { customers, projects } from "../db/schema";
import type { Principal } from "./principal";

/** A project named by its key or id, looked for within `tenantId` (null: the platform, any tenant). */
export interface ProjectRef {
  keyOrId: string;
  tenantId: string | null;
}

/** The project a principal names: within its own tenant, or anywhere for the platform. */
export function projectRef(p: Principal, keyOrId: string): ProjectRef {
  return { keyOrId, tenantId: p.role === "platform" ? null : p.tenantId };
}

const qb = new QueryBuilder();
const refProject = alias(projects, "ref_project");
const otherProject = alias(projects, "ref_other_project");
const refCustomer = alias(customers, "ref_customer");

/** Subquery: the id of the project a ref names (no row if none). */
export function projectIdQuery(ref: ProjectRef) {
  const r = ref.keyOrId;
  const byKey =
    ref.tenantId !== null
      ? eq(refProject.key, r)
      : and(
          eq(refProject.key, r),
          notExists(qb.select({ one: sql`1` }).from(otherProject).where(and(eq(otherProject.key, r), ne(otherProject.id, refProject.id)))),
        );
  // Keys are case-sensitive; ids are stored in lower case and compared case-insensitively (ids are
  // ASCII, which SQLite's lower() folds; done in SQL so a shape rendered once can take a placeholder).
  const byId = eq(refProject.id, sql`lower(${r})`);
  const where = ref.tenantId !== null ? and(eq(refProject.tenantId, ref.tenantId), or(byKey, byId)) : or(byKey, byId);
  return qb
    .select({ id: refProject.id })
    .from(refProject)
    .where(where)
    .orderBy(desc(sql`${refProject.key} = ${r}`))
    .limit(1);
}

/** Subquery: the id of the customer `customerKeyOrId` of the project a ref names (no row if none). */
export function customerIdQuery(project: ProjectRef, customerKeyOrId: string) {
  const r = customerKeyOrId;
  return qb
    .select({ id: refCustomer.id })
    .from(refCustomer)
    // Each branch of the OR is an index lookup on its own ((project_id, key) and the primary key);
    // written as one AND over an OR, SQLite scanned the customers table.
    .where(
      or(
        and(inArray(refCustomer.projectId, projectIdQuery(project)), eq(refCustomer.key, r)),
        and(eq(refCustomer.id, sql`lower(${r})`), inArray(refCustomer.projectId, projectIdQuery(project))),
      ),
    )
    .orderBy(desc(sql`coalesce(${refCustomer.key} = ${r}, 0)`))
    .limit(1);
}

/** How a verb is told which customer: its id, or (with `project`) its key or id within that project. */
export interface CustomerAddress {
  customerId: string;
  /** When set, `customerId` is the customer's key or id within this project. */
  project?: ProjectRef | undefined;
}

/** `col` equals the customer an address names: a plain comparison, or a subquery for a project-scoped key. */
export function customerMatch(col: SQLiteColumn, a: CustomerAddress): SQL {
  return a.project === undefined ? eq(col, a.customerId) : inArray(col, customerIdQuery(a.project, a.customerId));
}
