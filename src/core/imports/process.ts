/**
 * An import's work (docs/migration.md#import), a chunk at a time — called by the imports Queue's
 * consumer until the job is done. A chunk is three round trips whatever its size:
 *
 *  1. the job and its next CHUNK_ROWS staged rows, in file order;
 *  2. what the rows name: their customers (by id, or project key + customer key), subroles,
 *     groups, the tenant's live users with their e-mails, and the earlier lines of the file holding them;
 *  3. one batch: the revocation check of the token that started the job, the chunk's lease, the new
 *     users, their group links, their audit events (and the webhook snapshots), the row errors, the
 *     staged rows marked done, and the job's counters — all or nothing. A restart resumes at the
 *     first row not marked done: no row is written twice.
 *
 * Every row is held to what its own create would be, with the core's functions: the field rules
 * (fieldIssues), reach (checkOwnerReach), the subrole (pickSubrole) within the token's ceiling
 * (assertPermissionsWithin), the groups (groupIssues), e-mail uniqueness (the unique index; in the
 * file, the first line of an e-mail that passes holds it, and later lines with it are refused). In upsert mode a row whose e-mail is a user of
 * its customer changes that user through `updateUser` itself (versions, token revocation, audit and
 * webhook events) — one round trip per user that actually changes; an unchanged one is skipped.
 */
import { and, eq, getTableColumns, isNull, sql } from "drizzle-orm";
import { auditEvents, groups, importErrors, importJobs, importRows, subroles, userGroups, users } from "../../db/schema";
import { failedWith, revocationCheckSql, REVOKED_MARKER, type Db } from "../../db/client";
import { inJsonList } from "../../db/json-list";
import { assertPermissionsWithin } from "../ceiling";
import { constraintConflict } from "../db-errors";
import type { Ctx } from "../context";
import { DomainError, type FieldIssue } from "../errors";
import { checkOwnerReach, groupIssues, MAX_GROUPS, pickSubrole, userUniques, type OwnerRow } from "../users/rules";
import { updateUser, type UserPatch } from "../users/update-user";
import { profileColumns, userSnapshotSql } from "../users/view";
import { queuedAtOnInsert } from "../webhooks/outbox";
import { principalOf, type RowError } from "./jobs";
import { readRow, stagedLine, type ImportRow } from "./rows";

/**
 * Rows per chunk, and the most row text one carries: a chunk's statements carry its rows as JSON
 * parameters (never one parameter per value), each far under D1's 2 MB for a value — and small
 * enough that the Worker's garbage of a chunk is short-lived (V8 frees strings of this size in its
 * young generation; larger ones wait for a full collection).
 */
export const CHUNK_ROWS = 1000;
export const CHUNK_CHARS = 128 * 1024;
/** Upserted users changed at once (each is its own core update). */
const UPDATE_CONCURRENCY = 8;
const CHUNK_TAKEN = "import_chunk_taken";
const EMAIL_TAKEN = userUniques[0]!.message;

export interface ProcessDeps {
  db: Db;
  pepper: string;
  tokenLifetimeSeconds: number;
  now?: () => number;
  /** Tests: throws (a crash) or waits (a forced race) at a named point of a chunk. */
  fault?: (point: "before-write" | "after-updates") => void | Promise<void>;
}

export type ChunkOutcome = "more" | "done";

type Staged = { line: number; data: string };
type CustomerRow = OwnerRow & { projectKey: string | null; key: string | null };
type SubroleRow = { id: string; code: string; permissions: string; customerId: string | null };
type GroupRow = { id: string; name: string; tenantId: string };
type ExistingUser = {
  id: string;
  emailNorm: string;
  customerId: string | null;
  firstName: string;
  lastName: string;
  mobile: string | null;
  externalId: string | null;
  status: string;
  subroleId: string | null;
  passwordHash: string | null;
  groupIds: string;
};

const json = (v: unknown) => JSON.stringify(v);

/** Writes the job's next chunk; "done" when nothing is left (the job is then completed or failed). */
export async function processChunk(deps: ProcessDeps, jobId: string): Promise<ChunkOutcome> {
  // A unique index that a concurrent create won meanwhile fails the batch: the chunk is read again, and that row is a duplicate.
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptChunk(deps, jobId);
    } catch (err) {
      if (attempt < 3 && constraintConflict(err, userUniques)) continue;
      throw err;
    }
  }
}

async function attemptChunk(deps: ProcessDeps, jobId: string): Promise<ChunkOutcome> {
  const { db } = deps;
  const now = (deps.now ?? Date.now)();
  const [jobs, chunk] = await db.batch([
    db.select().from(importJobs).where(eq(importJobs.id, jobId)),
    // The next rows in file order, at most CHUNK_ROWS and about CHUNK_CHARS of row text (at least one row).
    db
      .select({ line: sql<number>`line`, data: sql<string>`data` })
      // The window runs over the CHUNK_ROWS rows the inner query takes (by the pending index), not over every pending row.
      .from(
        sql`(select line, data, sum(length(data)) over (order by line) as upto from
          (select ${importRows.line} as line, ${importRows.data} as data from ${importRows} where ${importRows.jobId} = ${jobId} and ${importRows.data} is not null order by ${importRows.line} limit ${CHUNK_ROWS}))`,
      )
      .where(sql`upto - length(data) < ${CHUNK_CHARS}`),
  ]);
  const staged: Staged[] = chunk;
  const job = jobs[0];
  if (!job || job.status === "completed" || job.status === "failed" || job.status === "uploading") return "done";
  if (staged.length === 0) {
    await db
      .update(importJobs)
      .set({ status: "completed", startedAt: sql`coalesce(${importJobs.startedAt}, ${now})`, finishedAt: now, heartbeatAt: now })
      .where(and(eq(importJobs.id, jobId), sql`${importJobs.status} in ('queued', 'running')`));
    return "done";
  }
  const principal = principalOf(job.principal);
  const ctx: Ctx = { db, principal, correlationId: jobId, now: () => now, newId: () => crypto.randomUUID(), tokenLifetimeSeconds: deps.tokenLifetimeSeconds };
  const tenantId = job.tenantId;

  // ---- the rows' shapes --------------------------------------------------------------------
  const errors: RowError[] = [];
  const fail = (line: number, issues: { field: string | null; message: string }[]) => issues.forEach((i) => errors.push({ line, field: i.field, message: i.message }));
  const rows: { line: number; row: ImportRow }[] = [];
  for (const s of staged) {
    const one = stagedLine(s.data);
    if ("error" in one) {
      fail(s.line, [{ field: null, message: one.error }]);
      continue;
    }
    const read = readRow(one.raw, now);
    if ("issues" in read) fail(s.line, read.issues);
    else rows.push({ line: s.line, row: read.row });
  }

  // ---- what they name (one round trip) -------------------------------------------------------
  const ids = rows.flatMap(({ row }) => ("customerId" in row.owner ? [row.owner.customerId] : []));
  const keys = rows.flatMap(({ row }) => ("projectKey" in row.owner ? [[row.owner.projectKey, row.owner.customerKey]] : []));
  const subroleIds = rows.flatMap(({ row }) => (row.subrole?.id ? [row.subrole.id] : []));
  const subroleCodes = rows.flatMap(({ row }) => (row.subrole?.code ? [row.subrole.code] : []));
  const groupRefs = rows.flatMap(({ row }) => row.groups ?? []);
  const emails = rows.map(({ row }) => row.emailNorm);
  const [customerRows, subroleRows, groupRows, existingRows, firstLines] = (await db.batch([
    db
      // Aliased: D1 answers a batch's rows as objects, where two columns named `key` would be one.
      .select({ id: sql`c.id`, tenantId: sql`c.tenant_id`, resellerId: sql`c.reseller_id`, projectId: sql`c.project_id`, key: sql`c.key as customer_key`, projectKey: sql`p.key as project_key` })
      .from(sql`customers c left join projects p on p.id = c.project_id`)
      .where(
        sql`c.tenant_id = ${tenantId} and (c.id in ${inJsonList(ids)} or (p.key, c.key) in (select json_extract(value, '$[0]'), json_extract(value, '$[1]') from json_each(${json(keys)})))`,
      ),
    db
      .select({ id: subroles.id, code: subroles.code, permissions: sql`${subroles.permissions}`, customerId: subroles.customerId })
      .from(subroles)
      .where(and(eq(subroles.tenantId, tenantId), sql`(${subroles.id} in ${inJsonList(subroleIds)} or ${subroles.code} in ${inJsonList(subroleCodes)})`)),
    db
      .select({ id: groups.id, name: groups.name, tenantId: groups.tenantId })
      .from(groups)
      .where(and(eq(groups.tenantId, tenantId), sql`(${groups.id} in ${inJsonList(groupRefs)} or ${groups.name} in ${inJsonList(groupRefs)})`)),
    db
      .select({
        id: users.id,
        emailNorm: users.emailNorm,
        customerId: users.customerId,
        firstName: users.firstName,
        lastName: users.lastName,
        mobile: users.mobile,
        externalId: users.externalId,
        status: users.status,
        subroleId: users.subroleId,
        passwordHash: users.passwordHash,
        groupIds: sql<string>`(select json_group_array(group_id) from (select ${userGroups.groupId} as group_id from ${userGroups} where ${userGroups.userId} = ${users.id} order by 1))`,
      })
      .from(users)
      .where(and(eq(users.tenantId, tenantId), isNull(users.deletedAt), sql`${users.emailNorm} in ${inJsonList(emails)}`)),
    db
      .select({ emailNorm: sql<string>`${importRows.emailNorm}`, line: sql<number>`min(${importRows.line})` })
      .from(importRows)
      // Earlier chunks' lines that were not refused (a refused line's e-mail is cleared by its chunk's batch).
      .where(and(eq(importRows.jobId, jobId), sql`${importRows.line} < ${staged[0]!.line}`, sql`${importRows.emailNorm} in ${inJsonList(emails)}`))
      .groupBy(importRows.emailNorm),
] as never)) as [CustomerRow[], SubroleRow[], GroupRow[], ExistingUser[], { emailNorm: string; line: number }[]];
  const existingByEmail = new Map(existingRows.map((u) => [u.emailNorm, u]));
  // The line that holds each e-mail: an earlier chunk's, or this chunk's first row that passed.
  const firstLine = new Map(firstLines.map((f) => [f.emailNorm, f.line]));

  // ---- each row, as its create (or update) would check it ------------------------------------
  const creates: { line: number; row: ImportRow; customer: CustomerRow; subroleId: string | null; groupIds: string[] }[] = [];
  const updates: { line: number; userId: string; patch: UserPatch }[] = [];
  let skipped = 0;
  for (const { line, row } of rows) {
    const issues: FieldIssue[] = [];
    const first = firstLine.get(row.emailNorm);
    if (first !== undefined && first < line) issues.push({ field: "email", message: `The e-mail is on line ${first} of the file already.` });
    const o = row.owner;
    const ownerField = "customerId" in o ? "customerId" : "customerKey";
    const found = customerRows.find((c) => ("customerId" in o ? c.id === o.customerId : c.projectKey === o.projectKey && c.key === o.customerKey));
    let customer: CustomerRow | undefined;
    try {
      checkOwnerReach(ctx, { customerId: found?.id ?? ("customerId" in o ? o.customerId : "") }, found);
      customer = found;
    } catch (err) {
      issues.push({ field: ownerField, message: err instanceof DomainError ? err.message : "Customer not found." });
    }
    let subroleId: string | null | undefined = row.subrole === null ? null : undefined;
    if (row.subrole && customer) {
      const candidates = subroleRows.filter((s) => s.customerId === null || s.customerId === customer.id).map((s) => ({ ...s, permissions: JSON.parse(s.permissions) as [] }));
      const picked = pickSubrole(row.subrole, candidates);
      const field = row.subrole.code !== undefined ? "subroleCode" : "subroleId";
      if ("field" in picked) issues.push({ field, message: picked.message });
      else {
        try {
          // Handing out a subrole is a grant: only of what the token that started the job holds (src/core/ceiling.ts).
          assertPermissionsWithin(principal, picked.permissions, "The subrole");
          subroleId = picked.id;
        } catch (err) {
          issues.push({ field, message: (err as Error).message });
        }
      }
    }
    let groupIds: string[] | undefined;
    if (row.groups !== undefined) {
      groupIds = [];
      row.groups.forEach((ref, i) => {
        const g = groupRows.find((x) => x.id === ref) ?? groupRows.find((x) => x.name === ref);
        if (g) groupIds!.push(g.id);
        else issues.push({ field: `groups.${i}`, message: "No group of this tenant has this name or id." });
      });
      if (groupIds.length === row.groups.length) issues.push(...groupIssues(groupIds, groupRows, tenantId));
      else if (row.groups.length > MAX_GROUPS) issues.push({ field: "groups", message: `At most ${MAX_GROUPS} groups.` });
    }
    const existing = existingByEmail.get(row.emailNorm);
    if (existing && (job.mode === "create" || existing.customerId !== customer?.id) && !issues.some((i) => i.field === "email")) issues.push({ field: "email", message: EMAIL_TAKEN });
    if (issues.length > 0 || !customer) {
      fail(line, issues);
      continue;
    }
    firstLine.set(row.emailNorm, line);
    if (!existing) {
      creates.push({ line, row, customer, subroleId: subroleId ?? null, groupIds: groupIds ?? [] });
      continue;
    }
    const patch = upsertPatch(existing, row, subroleId, groupIds);
    if (patch === null) skipped++;
    else updates.push({ line, userId: existing.id, patch });
  }

  // ---- upserts: each through the core's own update -------------------------------------------
  let updated = 0;
  for (let i = 0; i < updates.length; i += UPDATE_CONCURRENCY) {
    await Promise.all(
      updates.slice(i, i + UPDATE_CONCURRENCY).map(async (u) => {
        try {
          await updateUser(ctx, { userId: u.userId, tenant: { id: tenantId } }, u.patch, { pepper: deps.pepper });
          updated++;
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          fail(u.line, err.issues.length > 0 ? err.issues : [{ field: null, message: err.message }]);
        }
      }),
    );
  }
  await deps.fault?.("after-updates");

  // ---- the chunk's writes (one batch) --------------------------------------------------------
  const lines = staged.map((s) => s.line);
  const planned = creates.map((c) => plannedRow(ctx, tenantId, c));
  const links = planned.flatMap((p, i) => creates[i]!.groupIds.map((g) => [p.id, g]));
  const events = planned.map((p, i) => [ctx.newId(), p.id, p.customerId, json(auditChanges(p, creates[i]!.groupIds))]);
  const errorRows = errors.map((e, i) => [e.line, i, e.field, e.message]);
  const failedLines = new Set(errors.map((e) => e.line)).size;
  // Nothing is staged after the job is queued: a chunk short of its limits is the last one.
  const last = staged.length < CHUNK_ROWS && staged.reduce((n, r) => n + r.data.length, 0) < CHUNK_CHARS;
  await deps.fault?.("before-write");
  try {
    await db.batch([
      // The token that started the job, revoked (or its account disabled) since: nothing more is written.
      db.select({ revoked: sql`revoked` }).from(sql`(${revocationCheckSql(principal.sub, principal.issuedAt)})`),
      // The chunk's lease: another consumer that wrote these rows first makes this batch fail, whole.
      db
        .select({ taken: sql`json_extract('{}', ${CHUNK_TAKEN})` })
        .from(importJobs)
        .where(
          and(
            eq(importJobs.id, jobId),
            sql`(select count(*) from ${importRows} where ${importRows.jobId} = ${jobId} and ${importRows.line} in ${inJsonList(lines)} and ${importRows.data} is not null) <> ${lines.length}`,
          ),
        ),
      db.insert(users).select(sql`select ${sql.raw(USER_COLUMNS_FROM_JSON)} from json_each(${json(planned.map(plannedValues))})`),
      db.insert(userGroups).select(sql`select json_extract(value, '$[0]'), json_extract(value, '$[1]') from json_each(${json(links)})`),
      // In the table's column order: id, tenant, at, actor, action, target type and id, customer, correlation, changes, queued_at, sequence, snapshot.
      db
        .insert(auditEvents)
        .select(
          sql`select json_extract(value, '$[0]'), ${tenantId}, ${now}, ${principal.sub}, 'user.created', 'user', json_extract(value, '$[1]'), json_extract(value, '$[2]'), ${jobId},
            json_extract(value, '$[3]'), ${queuedAtOnInsert(tenantId, now)}, 1, null from json_each(${json(events)})`,
        ),
      db
        .update(auditEvents)
        .set({ snapshot: userSnapshotSql(sql.raw(`"audit_events"."target_id"`)) })
        .where(and(sql`${auditEvents.id} in ${inJsonList(events.map((e) => e[0]))}`, isNull(auditEvents.queuedAt))),
      db
        .insert(importErrors)
        .select(sql`select ${jobId}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]') from json_each(${json(errorRows)})`),
      // Written: the text goes (a hash is not kept past its import); a refused line's e-mail too, so a later line may take it.
      db
        .update(importRows)
        .set({ data: null, emailNorm: sql`case when ${importRows.line} in ${inJsonList([...new Set(errors.map((e) => e.line))])} then null else ${importRows.emailNorm} end` })
        .where(and(eq(importRows.jobId, jobId), sql`${importRows.line} in ${inJsonList(lines)}`)),
      db
        .update(importJobs)
        .set({
          status: last ? "completed" : "running",
          created: sql`${importJobs.created} + ${creates.length}`,
          updated: sql`${importJobs.updated} + ${updated}`,
          skipped: sql`${importJobs.skipped} + ${skipped}`,
          failed: sql`${importJobs.failed} + ${failedLines}`,
          startedAt: sql`coalesce(${importJobs.startedAt}, ${now})`,
          finishedAt: last ? now : null,
          heartbeatAt: now,
        })
        .where(eq(importJobs.id, jobId)),
    ] as never);
  } catch (err) {
    if (failedWith(err, CHUNK_TAKEN)) return "more";
    if (failedWith(err, REVOKED_MARKER)) {
      await failJob(db, jobId, "The token that started this import was revoked, or its account disabled or its user deactivated: the rows not yet written were not.", now);
      return "done";
    }
    throw err;
  }
  return last ? "done" : "more";
}

/** Ends a job as failed, with the reason (for the caller, never internal text). */
export async function failJob(db: Db, jobId: string, reason: string, now = Date.now()): Promise<void> {
  await db
    .update(importJobs)
    .set({ status: "failed", error: reason, finishedAt: now, heartbeatAt: now })
    .where(and(eq(importJobs.id, jobId), sql`${importJobs.status} in ('queued', 'running')`));
}

/** What an upsert changes of an existing user: the fields the row gives that differ; null when none does. */
function upsertPatch(u: ExistingUser, row: ImportRow, subroleId: string | null | undefined, groupIds: string[] | undefined): UserPatch | null {
  const patch: UserPatch = {};
  const p = profileColumns({ firstName: row.firstName, lastName: row.lastName });
  if (p.firstName !== u.firstName) patch.firstName = row.firstName;
  if (p.lastName !== u.lastName) patch.lastName = row.lastName;
  if (row.mobile !== undefined && row.mobile !== u.mobile) patch.mobile = row.mobile;
  if (row.externalId !== undefined && row.externalId !== u.externalId) patch.externalId = row.externalId;
  if (row.status !== undefined && row.status !== u.status) patch.status = row.status;
  if (subroleId !== undefined && subroleId !== u.subroleId) patch.subrole = subroleId === null ? null : { id: subroleId };
  if (groupIds !== undefined && json([...groupIds].sort()) !== json((JSON.parse(u.groupIds) as string[]).sort())) patch.groupIds = groupIds;
  if (row.passwordHash !== undefined && row.passwordHash !== u.passwordHash) patch.importedHash = row.passwordHash;
  return Object.keys(patch).length === 0 ? null : patch;
}

/** A new user's row, as createUser plans one (../users/create-user.ts), placed by what the chunk read: every column of `users`. */
function plannedRow(ctx: Ctx, tenantId: string, c: { row: ImportRow; customer: CustomerRow; subroleId: string | null }): Planned {
  const r = c.row;
  const profile = profileColumns({ firstName: r.firstName, lastName: r.lastName, email: r.email, mobile: r.mobile ?? null, externalId: r.externalId ?? null });
  const now = ctx.now();
  const actor = ctx.principal.sub;
  return {
    id: ctx.newId(),
    tenantId,
    customerId: c.customer.id,
    resellerId: c.customer.resellerId,
    firstName: profile.firstName as string,
    lastName: profile.lastName as string,
    email: profile.email as string,
    emailNorm: profile.emailNorm as string,
    mobile: profile.mobile ?? null,
    externalId: profile.externalId ?? null,
    firstNameFold: profile.firstNameFold as string,
    lastNameFold: profile.lastNameFold as string,
    status: r.status ?? "ACTIVE",
    emailVerified: false,
    isFirstLogin: true,
    subroleId: c.subroleId,
    passwordHash: r.passwordHash ?? null,
    extAuthRefId: ctx.newId(),
    createdAt: r.createdAt ?? now,
    createdBy: actor,
    updatedAt: now,
    updatedBy: actor,
    deletedAt: null,
    version: 1,
  };
}
type Planned = Required<typeof users.$inferInsert>;
const USER_COLUMN_KEYS = Object.keys(getTableColumns(users)) as (keyof Planned)[];
/** The select list of a chunk's user insert: each column from its place in a planned row's JSON array, in the table's order. */
const USER_COLUMNS_FROM_JSON = USER_COLUMN_KEYS.map((_, i) => `json_extract(value, '$[${i}]')`).join(", ");
const plannedValues = (p: Planned) => USER_COLUMN_KEYS.map((k) => (typeof p[k] === "boolean" ? Number(p[k]) : p[k]));

/** A created user's audit `changes`, as createUser writes them: the stored fields (never the hash), its groups and whether it has a password. */
function auditChanges(p: Planned, groupIds: string[]) {
  const { emailNorm: _e, firstNameFold: _f, lastNameFold: _l, passwordHash, deletedAt: _d, version: _v, ...shown } = p;
  return { ...shown, groupIds, hasPassword: passwordHash !== null };
}
