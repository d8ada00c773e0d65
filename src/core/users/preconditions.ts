/**
 * Conditional writes on a user (docs/concurrency.md#etags): every write increments `users.version`;
 * a user's entity tag is its id and version. A PATCH or DELETE may ask for a version (If-Match);
 * the check is part of the write's SQL guard — one conditional statement, no read-then-write race —
 * and is then answered precisely from what the batch read: 412 when the user moved on, 428 when the
 * user's tenant requires If-Match (`tenants.require_if_match`) and none was sent.
 */
import { sql, type SQL } from "drizzle-orm";
import { tenants, users } from "../../db/schema";
import type { Db } from "../../db/client";
import { DomainError } from "../errors";

/** What a write asks of the user's current version: any ("*": it exists) or one of these tags. */
export type IfMatch = "*" | string[];

export interface Preconditions {
  /** Absent: nothing asked (unless the tenant requires it). */
  ifMatch?: IfMatch | undefined;
}

/** The form of a write's precondition, for its statement family's key. */
export type PreconditionForm = "none" | "any" | "tags";

export function preconditionForm(c: Preconditions): PreconditionForm {
  return c.ifMatch === undefined ? "none" : c.ifMatch === "*" ? "any" : "tags";
}

/** The value of the `ifMatch` placeholder (the tags as a JSON array). */
export function preconditionValues(c: Preconditions): Record<string, unknown> {
  return { ifMatch: Array.isArray(c.ifMatch) ? JSON.stringify(c.ifMatch) : "[]" };
}

/** A user's entity tag (unquoted): its id and version. A re-created user at the same address never shares one. */
export function userTag(u: { id: string; version: number }): string {
  return `${u.id}.${u.version}`;
}

/** The entity tag of the user row in SQL (as userTag). */
const TAG_SQL = sql`(${users.id} || '.' || ${users.version})`;

/** The tenant of the user row requires If-Match. */
const REQUIRED_SQL = sql`exists (select 1 from ${tenants} where ${tenants.id} = ${users.tenantId} and ${tenants.requireIfMatch} = 1)`;

/** The guard term of a write over the user row: the precondition holds. */
export function preconditionSql(form: PreconditionForm, p: (name: string) => unknown): SQL {
  if (form === "any") return sql`1`;
  if (form === "tags") return sql`${TAG_SQL} in (select value from json_each(${p("ifMatch")}))`;
  return sql`not ${REQUIRED_SQL}`;
}

/** The read a write's checks need besides the user: whether its tenant requires If-Match (`where` selects the user row). */
export function requirementQuery(db: Db, where: SQL) {
  return db.select({ required: sql<number>`${REQUIRED_SQL}` }).from(users).where(where);
}

/** The precondition checked on what the batch read (the user as it was; whether its tenant requires If-Match). */
export function assertPreconditions(c: Preconditions, user: { id: string; version: number }, required: boolean): void {
  if (c.ifMatch === undefined) {
    if (required) throw new DomainError("PRECONDITION_REQUIRED", "This tenant requires If-Match on user changes: send the user's ETag.", { issues: [{ field: "If-Match", message: "Required." }] });
    return;
  }
  if (c.ifMatch !== "*" && !c.ifMatch.includes(userTag(user))) {
    throw new DomainError("PRECONDITION_FAILED", "The user was changed since that version was read: read it again, then retry.", {
      issues: [{ field: "If-Match", message: "Does not match the user's current ETag." }],
    });
  }
}
