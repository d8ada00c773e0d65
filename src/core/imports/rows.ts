/**
 * An import's row (docs/migration.md#rows): what a line of the file may say, read into what the
 * user verbs take — types, required fields, the field rules of every create (fieldIssues), the
 * hash's format. What needs the store (reach, subrole, groups, uniqueness, ceiling) is checked in
 * ./process.ts with the core's own functions.
 */
import { fullFormats } from "ajv-formats/dist/formats";
import { USER_STATUSES, type UserStatus } from "../../db/schema";
import { parseImportedHash } from "../credentials/imported";
import type { FieldIssue } from "../errors";
import { fieldIssues } from "../users/fields";
import type { SubroleSelector } from "../users/rules";
import { normaliseEmail } from "../users/view";

/** What a row may name, as the admin API names it. */
export const ROW_FIELDS = [
  "customerId",
  "projectKey",
  "customerKey",
  "email",
  "firstName",
  "lastName",
  "mobile",
  "externalId",
  "status",
  "subroleCode",
  "subroleId",
  "groups",
  "groupIds",
  "createdAt",
  "passwordHash",
] as const;

/** The admin API's read-only user fields (an export's lines): accepted and ignored, so an export imports as it is. */
export const IGNORED_FIELDS = ["id", "tenantId", "resellerId", "emailVerified", "isFirstLogin", "hasPassword", "extAuthRefId", "createdBy", "updatedAt", "updatedBy", "version"] as const;

const KNOWN = new Set<string>([...ROW_FIELDS, ...IGNORED_FIELDS]);

/**
 * A staged line (import_rows.data): a row is its JSON object; a line that is no row at all (not
 * JSON, not an object, a CSV line of the wrong width) is a one-element array holding its error.
 */
export function stagedLine(data: string): { raw: Record<string, unknown> } | { error: string } {
  const v = JSON.parse(data) as Record<string, unknown> | [string];
  return Array.isArray(v) ? { error: v[0] } : { raw: v };
}

/** A row read: the customer it names, the profile, and what places the user. `undefined` = not given (an upsert keeps it). */
export interface ImportRow {
  owner: { customerId: string } | { projectKey: string; customerKey: string };
  email: string;
  emailNorm: string;
  firstName: string;
  lastName: string;
  mobile?: string | null;
  externalId?: string | null;
  status?: UserStatus;
  /** null: no subrole. */
  subrole?: SubroleSelector | null;
  /** Names or ids of the tenant's groups. */
  groups?: string[];
  createdAt?: number;
  passwordHash?: string;
}

const DATE_TIME = fullFormats["date-time"] as { validate: (s: string) => boolean };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The e-mail a staged row is deduplicated by (as the unique index compares it), if it has one. */
export function rowEmailNorm(raw: Record<string, unknown>): string | null {
  return typeof raw.email === "string" ? normaliseEmail(raw.email.trim()) : null;
}

/**
 * A row's shape: the row, or its issues (each once, in field order). `now` bounds `createdAt`
 * (an imported user was not created in the future).
 */
export function readRow(raw: Record<string, unknown>, now: number): { row: ImportRow } | { issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  for (const k of Object.keys(raw)) if (!KNOWN.has(k)) issues.push({ field: k, message: "Not a field of an import row." });
  const str = (field: string, opts: { required?: boolean; nullable?: boolean } = {}): string | null | undefined => {
    const v = raw[field];
    if (v === undefined) {
      if (opts.required) issues.push({ field, message: "Required." });
      return undefined;
    }
    if (v === null && opts.nullable) return null;
    if (typeof v !== "string") {
      issues.push({ field, message: opts.nullable ? "Must be a string or null." : "Must be a string." });
      return undefined;
    }
    return v;
  };
  const list = (field: string): string[] | undefined => {
    const v = raw[field];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
      issues.push({ field, message: "Must be a list of strings." });
      return undefined;
    }
    return v as string[];
  };

  const customerId = str("customerId");
  const projectKey = str("projectKey");
  const customerKey = str("customerKey");
  let owner: ImportRow["owner"] | undefined;
  if (customerId !== undefined && customerId !== null) {
    if (!UUID.test(customerId)) issues.push({ field: "customerId", message: "Not a UUID." });
    else owner = { customerId: customerId.toLowerCase() };
    if (projectKey !== undefined || customerKey !== undefined) issues.push({ field: "customerId", message: "Give customerId, or projectKey and customerKey, not both." });
  } else if (projectKey && customerKey) owner = { projectKey, customerKey };
  else if (!issues.some((i) => i.field === "customerId" || i.field === "projectKey" || i.field === "customerKey"))
    issues.push({ field: "customerId", message: "Required (or projectKey and customerKey)." });

  const email = str("email", { required: true });
  const firstName = str("firstName", { required: true });
  const lastName = str("lastName", { required: true });
  const mobile = str("mobile", { nullable: true });
  const externalId = str("externalId", { nullable: true });

  let status: UserStatus | undefined;
  if (raw.status !== undefined) {
    if (typeof raw.status === "string" && (USER_STATUSES as readonly string[]).includes(raw.status)) status = raw.status as UserStatus;
    else issues.push({ field: "status", message: `Must be one of ${USER_STATUSES.join(", ")}.` });
  }

  const subroleCode = str("subroleCode", { nullable: true });
  const subroleId = str("subroleId", { nullable: true });
  if (typeof subroleId === "string" && !UUID.test(subroleId)) issues.push({ field: "subroleId", message: "Not a UUID." });
  let subrole: SubroleSelector | null | undefined;
  if (typeof subroleCode === "string" || typeof subroleId === "string") {
    subrole = { ...(typeof subroleId === "string" ? { id: subroleId.toLowerCase() } : {}), ...(typeof subroleCode === "string" ? { code: subroleCode } : {}) };
  } else if (subroleCode === null || subroleId === null) subrole = null;

  const named = list("groups");
  const ids = list("groupIds");
  if (named !== undefined && ids !== undefined) issues.push({ field: "groups", message: "Give groups or groupIds, not both." });
  const groups = named ?? ids;

  let createdAt: number | undefined;
  const created = str("createdAt");
  if (typeof created === "string") {
    const t = DATE_TIME.validate(created) ? Date.parse(created) : NaN;
    if (!Number.isFinite(t)) issues.push({ field: "createdAt", message: "Not a date-time (RFC 3339, e.g. 2024-05-01T09:30:00Z)." });
    else if (t > now) issues.push({ field: "createdAt", message: "Must not be in the future." });
    else createdAt = t;
  }

  const hash = str("passwordHash");
  if (typeof hash === "string") {
    const parsed = parseImportedHash(hash);
    if ("error" in parsed) issues.push({ field: "passwordHash", message: parsed.error });
  }

  // The field rules of every create (../users/fields.ts), on the text fields given.
  issues.push(...fieldIssues({ email, firstName, lastName, mobile, externalId }));

  if (issues.length > 0 || owner === undefined || typeof email !== "string" || typeof firstName !== "string" || typeof lastName !== "string") return { issues };
  const row: ImportRow = { owner, email, emailNorm: normaliseEmail(email.trim()), firstName, lastName };
  if (mobile !== undefined) row.mobile = mobile;
  if (externalId !== undefined) row.externalId = externalId;
  if (status !== undefined) row.status = status;
  if (subrole !== undefined) row.subrole = subrole;
  if (groups !== undefined) row.groups = groups;
  if (createdAt !== undefined) row.createdAt = createdAt;
  if (typeof hash === "string") row.passwordHash = hash;
  return { row };
}
