/**
 * Worth's wire (seeds 000–002, docs/api/worth.md): snake_case bodies, the `{status, message, data}`
 * success envelope, and the list query language (`page`, `items_per_page`, `filter[...]`, plain
 * `field=value`, `search[...]`, `sort[...]`), with the mappers between it and the core's types.
 * Request bodies are strict: an unknown or mass-assigned property is a 400.
 */
import { z } from "@hono/zod-openapi";
import { idParam, intQueryParam } from "../../http/openapi";
import type { UserPatch } from "../../core/users/update-user";
import type { CreateUserInput } from "../../core/users/create-user";
import type { UserCondition, UserField, UserListQuery, UserSort } from "../../core/users/query-users";
import type { User } from "../../core/users/view";
import type { CustomerSubrole } from "../../core/subroles-for-customer";
import { CONTROL_MESSAGE, EMAIL_MESSAGE, hasControlCharacter, isEmail } from "../../core/users/fields";
import { USER_STATUSES } from "../../db/schema";

export const MAX_TEXT = 255;
export const DEFAULT_ITEMS_PER_PAGE = 10;
export const MAX_ITEMS_PER_PAGE = 100;
/** Pages past this are refused (offset paging deeper than 10^7 rows is no one's use case). */
export const MAX_PAGE = 100_000;

// ---------------------------------------------------------------------------------------------
// Shared pieces

const requiredString = (what = "a string") =>
  z.string({ error: (iss) => (iss.input === undefined ? "Required." : `Must be ${what}.`) });

/** A name-like text: 1–255 characters, not blank. */
const Text = requiredString()
  .max(MAX_TEXT, `At most ${MAX_TEXT} characters.`)
  .refine((s) => s.trim().length > 0, "Must not be blank.");

// The core's own field rules (src/core/users/fields.ts), run here too so that a refused e-mail,
// name or mobile is a validation error (ValidationMiddlewareError), not a domain one.
const noControl = (s: string) => !hasControlCharacter(s);

/** A user's first or last name: a Text without control characters. */
const Name = Text.refine(noControl, CONTROL_MESSAGE);

const Email = requiredString()
  .max(MAX_TEXT, `At most ${MAX_TEXT} characters.`)
  .refine(isEmail, EMAIL_MESSAGE)
  .openapi({ format: "email" });

/** An empty mobile means none. */
const Mobile = requiredString()
  .max(MAX_TEXT, `At most ${MAX_TEXT} characters.`)
  .refine(noControl, CONTROL_MESSAGE)
  .nullable()
  .transform((m) => (m === null || m.trim() === "" ? null : m))
  .openapi({ description: "Mobile number of the user; empty or null for none." });

export const UuidParam = (name: string) =>
  // Case-insensitive on input (RFC 9562 §4), as the stored ids are lower case.
  idParam({ error: "Must be a UUID." }).openapi({ param: { name, in: "path", required: true }, example: "053cfb4b-2073-4ede-afc0-26579bb3e1b8" });

// ---------------------------------------------------------------------------------------------
// Request bodies

const SubroleRef = z
  .strictObject(
    {
      id: Text.openapi({ description: "Unique identifier for the subrole" }),
      code: Text.openapi({ description: "Code representing the subrole" }),
      label: Text.openapi({ description: "Label or name of the subrole (informational: the stored label is kept)" }),
    },
    { error: (iss) => (iss.input === undefined ? "Required." : "Must be an object.") },
  )
  .openapi({ description: "Subrole details: id and code must name the same subrole of the customer (or a tenant-wide one)." });

export const CreateBody = z
  .strictObject(
    {
      first_name: Name.openapi({ description: "First name of the user" }),
      last_name: Name.openapi({ description: "Last name of the user" }),
      email: Email.openapi({ description: "Email address of the user" }),
      mobile: Mobile.optional(),
      subrole: SubroleRef,
    },
    { error: "The body must be a JSON object." },
  )
  .openapi("Worth_CreateCustomerUser");

const SubrolePatchRef = z
  .strictObject(
    {
      id: Text.optional(),
      code: Text.optional(),
      label: Text.optional(),
    },
    { error: "Must be an object." },
  )
  .refine((s) => s.id !== undefined || s.code !== undefined, "Give the subrole's id, its code, or both.")
  .openapi({ description: "Subrole details: id and/or code of a subrole of the customer (or a tenant-wide one); when both are given they must agree." });

export const PatchBody = z
  .strictObject(
    {
      first_name: Name.optional(),
      last_name: Name.optional(),
      email: Email.optional(),
      mobile: Mobile.optional(),
      subrole: SubrolePatchRef.optional(),
      status: z.enum(USER_STATUSES, { error: "One of ACTIVE, INACTIVE." }).optional().openapi({ description: "User status (ACTIVE or INACTIVE)" }),
    },
    { error: "The body must be a JSON object." },
  )
  // Only when nothing else failed: a body of unknown properties is not "empty".
  .refine((b) => Object.keys(b).length > 0, { message: "At least one property is required.", when: (p) => p.issues.length === 0 })
  .openapi("Worth_UpdateCustomerUser", { minProperties: 1 });

export function createInput(customerId: string, b: z.infer<typeof CreateBody>): CreateUserInput {
  return {
    owner: { customerId },
    firstName: b.first_name,
    lastName: b.last_name,
    email: b.email,
    mobile: b.mobile ?? null,
    // Stored ids are lower case; an id is compared case-insensitively, a code exactly.
    subrole: { id: b.subrole.id.toLowerCase(), code: b.subrole.code },
  };
}

export function patchInput(b: z.infer<typeof PatchBody>): UserPatch {
  const p: UserPatch = {};
  if (b.first_name !== undefined) p.firstName = b.first_name;
  if (b.last_name !== undefined) p.lastName = b.last_name;
  if (b.email !== undefined) p.email = b.email;
  if (b.mobile !== undefined) p.mobile = b.mobile;
  if (b.status !== undefined) p.status = b.status;
  if (b.subrole !== undefined) {
    p.subrole = {};
    if (b.subrole.id !== undefined) p.subrole.id = b.subrole.id.toLowerCase();
    if (b.subrole.code !== undefined) p.subrole.code = b.subrole.code;
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Responses

const Iso = z.string().openapi({ format: "date-time", example: "2024-02-12T14:16:49.053Z" });

export const UserRecord = z
  .object({
    id: z.string().openapi({ format: "uuid" }),
    first_name: z.string(),
    last_name: z.string(),
    email: z.string().openapi({ format: "email" }),
    mobile: z.string().nullable(),
    is_email_verified: z.boolean(),
    is_first_login: z.boolean(),
    created_at: Iso,
    // Not `format: uuid` as in Worth's seed: the bootstrap account's subject is its client id.
    created_by: z.string().openapi({ description: "The token subject that created the user: an account or user id (a UUID), or the bootstrap account's client id." }),
    updated_at: Iso,
    updated_by: z.string().openapi({ description: "The token subject that last changed the user (as created_by)." }),
    ext_auth_ref_id: z.string().openapi({ format: "uuid" }),
    status: z.enum(USER_STATUSES),
    subrole: z
      .object({
        id: z.string().openapi({ format: "uuid" }),
        code: z.string(),
        display_name: z.string(),
        label: z.string(),
        description: z.string(),
      })
      .nullable()
      .openapi({ description: "null only for a user that another surface created without a subrole." }),
  })
  .openapi("Worth_CustomerUser");
export type UserRecord = z.infer<typeof UserRecord>;

const success = <T extends z.ZodType>(data: T, message: string, name: string) =>
  z.object({ status: z.literal("success"), message: z.string().openapi({ example: message }), data }).openapi(name);

export const CreatedResponse = success(z.object({ user_id: z.string().openapi({ format: "uuid" }) }), "Customer user created.", "Worth_CustomerUserCreated");
export const ListResponse = success(
  z.object({
    records: z.array(UserRecord),
    total_pages: z.number().int(),
    total_items: z.string().openapi({ description: "The number of users matching the filters, as a decimal string.", example: "1" }),
  }),
  "Success",
  "Worth_CustomerUserList",
);
export const UserResponse = success(UserRecord, "Success", "Worth_CustomerUserResponse");
export const UpdatedResponse = z
  .object({ status: z.literal("success"), message: z.string().openapi({ example: "User details updated successfully" }) })
  .openapi("Worth_CustomerUserUpdated");
export const SubroleRecord = z.object({ id: z.string().openapi({ format: "uuid" }), code: z.string(), label: z.string(), display_name: z.string() }).openapi("Worth_Subrole");
export const SubrolesResponse = success(z.array(SubroleRecord), "Success", "Worth_SubroleList");

const iso = (ms: number) => new Date(ms).toISOString();

export function userToWire(u: User): UserRecord {
  return {
    id: u.id,
    first_name: u.firstName,
    last_name: u.lastName,
    email: u.email,
    mobile: u.mobile,
    is_email_verified: u.emailVerified,
    is_first_login: u.isFirstLogin,
    created_at: iso(u.createdAt),
    created_by: u.createdBy,
    updated_at: iso(u.updatedAt),
    updated_by: u.updatedBy,
    ext_auth_ref_id: u.extAuthRefId,
    status: u.status,
    subrole: u.subrole && {
      id: u.subrole.id,
      code: u.subrole.code,
      display_name: u.subrole.displayName,
      label: u.subrole.label,
      description: u.subrole.description,
    },
  };
}

export function subroleToWire(s: CustomerSubrole): z.infer<typeof SubroleRecord> {
  return { id: s.id, code: s.code, label: s.label, display_name: s.displayName };
}

/** Core field names (in the core's issues) → Worth's; anything else is already a wire name. */
export const WIRE_FIELD: Record<string, string> = {
  firstName: "first_name",
  lastName: "last_name",
  email: "email",
  mobile: "mobile",
  status: "status",
  "subrole.id": "subrole.id",
  "subrole.code": "subrole.code",
};

// ---------------------------------------------------------------------------------------------
// The list query language

type Kind = "text" | "uuid" | "status" | "bool" | "time";
interface ListField {
  core: UserField;
  kind: Kind;
  filter: boolean;
  search: boolean;
  sort: boolean;
}

/** Worth field → core field, and what each may be used for. */
export const LIST_FIELDS: Record<string, ListField> = {
  first_name: { core: "firstName", kind: "text", filter: true, search: true, sort: true },
  last_name: { core: "lastName", kind: "text", filter: true, search: true, sort: true },
  email: { core: "email", kind: "text", filter: true, search: true, sort: true },
  mobile: { core: "mobile", kind: "text", filter: true, search: true, sort: true },
  status: { core: "status", kind: "status", filter: true, search: false, sort: true },
  is_email_verified: { core: "emailVerified", kind: "bool", filter: true, search: false, sort: true },
  is_first_login: { core: "isFirstLogin", kind: "bool", filter: true, search: false, sort: true },
  subrole_id: { core: "subroleId", kind: "uuid", filter: true, search: false, sort: true },
  subrole_code: { core: "subroleCode", kind: "text", filter: true, search: true, sort: true },
  created_by: { core: "createdBy", kind: "text", filter: true, search: true, sort: true },
  created_at: { core: "createdAt", kind: "time", filter: true, search: false, sort: true },
  updated_at: { core: "updatedAt", kind: "time", filter: false, search: false, sort: true },
};
const names = (p: (f: ListField) => boolean) => Object.keys(LIST_FIELDS).filter((k) => p(LIST_FIELDS[k] as ListField));
export const FILTERABLE = names((f) => f.filter);
export const SEARCHABLE = names((f) => f.search);
export const SORTABLE = names((f) => f.sort);

export const ALLOWED_QUERY =
  `Allowed: page, items_per_page (1–${MAX_ITEMS_PER_PAGE}), filter[<field>]=value or <field>=value for ${FILTERABLE.join(", ")}; ` +
  `filter[created_at][gte|lte]=<ISO 8601>; search[<field>]=text for ${SEARCHABLE.join(", ")}; ` +
  `sort[<field>]=ASC|DESC for ${SORTABLE.join(", ")}.`;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-](?:0\d|1[0-4]):[0-5]\d)?)?$/;

/** ISO 8601 date or date-time → epoch ms; a date-time without an offset is UTC. NaN if invalid. */
export function isoToMs(s: string): number {
  const m = ISO_DATE.exec(s);
  if (!m) return NaN;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Date.parse would roll 2024-02-31 over to March; refuse dates and times that do not exist.
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return NaN;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return NaN;
  return Date.parse(m[4] === undefined ? `${s}T00:00:00Z` : m[7] === undefined ? `${s}Z` : s);
}

const single = (what: string) => z.string({ error: (iss) => (Array.isArray(iss.input) ? "Give this parameter once." : `Must be ${what}.`) });

/** A filter value's schema; piped and transformed schemas document their accepted values explicitly. */
function valueSchema(kind: Kind) {
  switch (kind) {
    case "text":
      return single("a string").min(1, "Must not be empty.").max(MAX_TEXT, `At most ${MAX_TEXT} characters.`);
    case "uuid":
      return single("a UUID")
        .pipe(z.uuid({ error: "Must be a UUID." }))
        .openapi({ type: "string", format: "uuid" });
    case "status":
      return single("ACTIVE or INACTIVE")
        .pipe(z.enum(USER_STATUSES, { error: "One of ACTIVE, INACTIVE." }))
        .openapi({ type: "string", enum: [...USER_STATUSES] });
    case "bool":
      return single("true or false")
        .pipe(z.enum(["true", "false"], { error: "true or false." }).transform((v) => v === "true"))
        .openapi({ type: "string", enum: ["true", "false"] });
    case "time":
      return single("an ISO 8601 date or date-time")
        .transform((v) => isoToMs(v))
        .refine((ms) => !Number.isNaN(ms), "Must be an ISO 8601 date or date-time, e.g. 2024-02-12T14:16:49.053Z.")
        .openapi({ type: "string", format: "date-time" });
  }
}

function intParam(min: number, max: number, fallback: number, description: string) {
  const message = `An integer from ${min} to ${max}.`;
  return intQueryParam(single("an integer"), { min, max, fallback, digits: 9, notInteger: message, outOfRange: message, description });
}

const queryShape: Record<string, z.ZodType> = {
  page: intParam(1, MAX_PAGE, 1, "1-based page number (default 1)."),
  items_per_page: intParam(1, MAX_ITEMS_PER_PAGE, DEFAULT_ITEMS_PER_PAGE, `Page size, 1–${MAX_ITEMS_PER_PAGE} (default ${DEFAULT_ITEMS_PER_PAGE}).`),
};
for (const name of FILTERABLE) {
  const f = LIST_FIELDS[name] as ListField;
  queryShape[`filter[${name}]`] = valueSchema(f.kind).optional().openapi({ description: `Exact match on ${name}${name === "email" ? " (case-insensitive)" : ""}.` });
}
queryShape["filter[created_at][gte]"] = valueSchema("time").optional().openapi({ description: "Created at or after this instant (ISO 8601)." });
queryShape["filter[created_at][lte]"] = valueSchema("time").optional().openapi({ description: "Created at or before this instant (ISO 8601)." });
for (const name of SEARCHABLE) {
  queryShape[`search[${name}]`] = single("a string").max(MAX_TEXT, `At most ${MAX_TEXT} characters.`).optional().openapi({ description: `Case-insensitive substring of ${name}; % and _ are literal.` });
}
for (const name of SORTABLE) {
  queryShape[`sort[${name}]`] = single("ASC or DESC")
    .regex(/^(asc|desc)$/i, "ASC or DESC.")
    .transform((d) => d.toLowerCase() as "asc" | "desc")
    .optional()
    .openapi({ type: "string", enum: ["ASC", "DESC"], description: `Sort by ${name}; several sort keys apply in the order given. Default: sort[created_at]=DESC.` });
}
for (const name of FILTERABLE) {
  queryShape[name] = valueSchema((LIST_FIELDS[name] as ListField).kind).optional().openapi({ description: `Same as filter[${name}].` });
}

/** Every parameter documented; any other is a 400 naming the allowed ones. */
export const ListQuery = z
  .object(queryShape)
  .catchall(z.unknown())
  .superRefine((q, ctx) => {
    for (const key of Object.keys(q)) {
      if (!Object.hasOwn(queryShape, key)) ctx.addIssue({ code: "custom", path: [key], message: `Not a query parameter of this route. ${ALLOWED_QUERY}` });
    }
  });

/**
 * The validated query → the core's list query. `order` is the order of the keys in the URL (it
 * decides the precedence of several sort keys).
 */
export function listQueryFromWire(customerId: string, q: Record<string, unknown>, order: string[]): UserListQuery {
  const where: UserCondition[] = [];
  const sort: UserSort[] = [];
  for (const key of new Set(order)) {
    const value = q[key];
    if (value === undefined || key === "page" || key === "items_per_page") continue;
    const m = /^(filter|search|sort)\[([a-z_]+)\](?:\[(gte|lte)\])?$/.exec(key);
    const [op, name, range] = m ? [m[1], m[2] as string, m[3]] : ["filter", key, undefined];
    const f = LIST_FIELDS[name] as ListField;
    if (op === "sort") sort.push({ field: f.core, dir: value as "asc" | "desc" });
    else if (op === "search") where.push({ op: "contains", field: f.core, value: value as string });
    else if (range !== undefined) where.push({ op: range as "gte" | "lte", field: f.core, value: value as number });
    else where.push({ op: "eq", field: f.core, value: value as string | number | boolean });
  }
  const limit = q.items_per_page as number;
  return {
    scope: { customerId },
    where,
    sort: sort.length > 0 ? sort : [{ field: "createdAt", dir: "desc" }],
    page: { kind: "offset", offset: ((q.page as number) - 1) * limit, limit, withTotal: true },
  };
}
