/**
 * SCIM 2.0's User (RFC 7643 §4.1) ↔ the core user (docs/scim.md#attributes): the only place that
 * knows SCIM's attribute names.
 *
 *   userName ↔ email (unique per tenant, case-insensitively)   name.givenName / familyName ↔ firstName / lastName
 *   emails ↔ [the e-mail, type work, primary]                 phoneNumbers ↔ [mobile, type mobile]
 *   active ↔ status ACTIVE / INACTIVE                          externalId ↔ externalId (as given)
 *   groups (read-only) ↔ the user's groups                     meta.version ↔ the ETag; password (write-only) ↔ password
 *
 * What an identity provider sends beyond these (other core or extension attributes) is accepted
 * and not stored; `active` as the strings "True"/"False" (Microsoft Entra) is read as a boolean.
 */
import { z } from "@hono/zod-openapi";
import type { ScimGroup } from "../../core/scim/groups";
import type { UserPatch } from "../../core/users/update-user";
import type { User } from "../../core/users/view";
import { etag } from "../../http/etag";
import { SCIM_JSON } from "./errors";

export const USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const LIST_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/** A SCIM response body in /doc. */
export const scimJson = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { [SCIM_JSON]: { schema } } });
/** A SCIM request body: `application/scim+json` (what the RFC names) or `application/json` (what some clients send). */
export const scimBody = <T extends z.ZodType>(schema: T) => ({ required: true, content: { [SCIM_JSON]: { schema }, "application/json": { schema } } });

const Iso = z.string().openapi({ format: "date-time" });

export const ScimUserSchema = z
  .object({
    schemas: z.array(z.string()).openapi({ example: [USER_URN] }),
    id: z.uuid(),
    externalId: z.string().optional(),
    // Every attribute but schemas and id may be left out by `attributes` / `excludedAttributes`.
    userName: z.string().optional().openapi({ format: "email", description: "The user's e-mail: unique in the tenant, compared case-insensitively." }),
    name: z.object({ givenName: z.string(), familyName: z.string(), formatted: z.string() }).partial().optional(),
    displayName: z.string().optional(),
    emails: z.array(z.object({ value: z.string().openapi({ format: "email" }), type: z.string(), primary: z.boolean() })).optional(),
    phoneNumbers: z.array(z.object({ value: z.string(), type: z.string(), primary: z.boolean() })).optional(),
    active: z.boolean().optional(),
    groups: z.array(z.object({ value: z.uuid(), display: z.string(), $ref: z.string() })).optional(),
    meta: z.object({ resourceType: z.literal("User"), created: Iso, lastModified: Iso, location: z.string(), version: z.string() }).partial().optional(),
  })
  .openapi("Scim_User");

export const ScimListSchema = z
  .object({
    schemas: z.array(z.literal(LIST_URN)),
    totalResults: z.number().int().min(0),
    startIndex: z.number().int().min(1),
    itemsPerPage: z.number().int().min(0),
    Resources: z.array(ScimUserSchema),
  })
  .openapi("Scim_UserList");

/** A ListResponse (RFC 7644 §3.4.2): a page of resources from `startIndex` (1-based), and how many match in all. */
export function listResponse<R>(resources: R[], totalResults = resources.length, startIndex = 1) {
  return { schemas: [LIST_URN], totalResults, startIndex, itemsPerPage: resources.length, Resources: resources };
}

/** "True" / "False" (any case) as Entra sends them, else the boolean itself. */
const Bool = z.union([z.boolean(), z.string().regex(/^([Tt]rue|[Ff]alse|TRUE|FALSE)$/).transform((s) => s.toLowerCase() === "true")], { error: "Must be a boolean." });
const Text = z.string().max(255);
/** A name part: required on a create and a replace (the core's users have both names). */
const NamePart = z.string({ error: (i) => (i.input === undefined ? "Required." : "Must be a string.") }).max(255);
const MultiValued = z.array(z.looseObject({ value: z.string().max(255).optional(), type: z.string().max(64).optional(), primary: Bool.optional() })).max(20);

/** A User as a client writes it (POST, PUT, and what a PATCH leaves): unknown attributes are accepted and ignored. */
export const ScimUserInput = z
  .looseObject({
    schemas: z.array(z.string().max(255)).max(10).optional(),
    userName: Text.openapi({ format: "email", description: "The user's e-mail: unique in the tenant, compared case-insensitively." }),
    externalId: Text.nullable().optional(),
    name: z.looseObject({ givenName: NamePart, familyName: NamePart, formatted: z.string().max(1024).optional() }, { error: (i) => (i.input === undefined ? "Required." : "Must be an object.") }),
    displayName: z.string().max(1024).optional(),
    emails: MultiValued.optional(),
    phoneNumbers: MultiValued.optional(),
    active: Bool.optional(),
    password: z.string().max(1024).optional().openapi({ minLength: 16, maxLength: 64, description: "Sets the password: 16–64 Unicode code points (NFKC); never returned." }),
  })
  .openapi("Scim_UserInput");
export type ScimUserInput = z.infer<typeof ScimUserInput>;

export const PatchBody = z
  .strictObject({
    schemas: z.array(z.literal(PATCH_URN)).min(1).max(1),
    Operations: z
      .array(
        z.looseObject({
          // Microsoft Entra sends `Replace`, `Add`, `Remove`.
          op: z.string().regex(/^(add|replace|remove)$/i, "Must be add, replace or remove."),
          path: z.string().max(1024).optional(),
          value: z.unknown().optional(),
        }),
      )
      .min(1)
      .max(50),
  })
  .openapi("Scim_PatchOp");
export type PatchBody = z.infer<typeof PatchBody>;

/** The user's mobile among its phone numbers: the one typed mobile, else the primary one, else the first. */
function pickMobile(numbers: ScimUserInput["phoneNumbers"]): string | null {
  if (!numbers || numbers.length === 0) return null;
  const n = numbers.find((x) => x.type?.toLowerCase() === "mobile") ?? numbers.find((x) => x.primary === true) ?? numbers[0];
  return n?.value ?? null;
}

/** The core's profile of a written User: what a create takes, and what a replace sets. */
export function profileOf(u: ScimUserInput) {
  return {
    email: u.userName,
    firstName: u.name.givenName,
    lastName: u.name.familyName,
    mobile: pickMobile(u.phoneNumbers),
    externalId: u.externalId ?? null,
    // No `active` leaves the status as it is (a create: ACTIVE): a replace that omits it never reactivates a user.
    status: u.active === undefined ? undefined : u.active ? ("ACTIVE" as const) : ("INACTIVE" as const),
  };
}

/** A replace (PUT, or the result of a PATCH) as the core change from the user as it is: only what differs. */
export function changeOf(user: User, u: ScimUserInput): UserPatch {
  const next = profileOf(u);
  const patch: UserPatch = {};
  if (next.email.trim() !== user.email) patch.email = next.email;
  if (next.firstName !== user.firstName) patch.firstName = next.firstName;
  if (next.lastName !== user.lastName) patch.lastName = next.lastName;
  if (next.mobile !== user.mobile) patch.mobile = next.mobile;
  if (next.externalId !== user.externalId) patch.externalId = next.externalId;
  if (next.status !== undefined && next.status !== user.status) patch.status = next.status;
  if (u.password !== undefined) patch.password = u.password;
  return patch;
}

/** A core user as SCIM shows it; `base` is the surface's absolute URL (`https://…/scim/v2`). */
export function toScimUser(u: User, base: string): z.infer<typeof ScimUserSchema> {
  return {
    schemas: [USER_URN],
    id: u.id,
    ...(u.externalId !== null ? { externalId: u.externalId } : {}),
    userName: u.email,
    name: { givenName: u.firstName, familyName: u.lastName, formatted: `${u.firstName} ${u.lastName}` },
    displayName: `${u.firstName} ${u.lastName}`,
    emails: [{ value: u.email, type: "work", primary: true }],
    ...(u.mobile !== null ? { phoneNumbers: [{ value: u.mobile, type: "mobile", primary: true }] } : {}),
    active: u.status === "ACTIVE",
    groups: u.groups.map((g) => ({ value: g.id, display: g.name, $ref: `${base}/Groups/${g.id}` })),
    meta: {
      resourceType: "User",
      created: new Date(u.createdAt).toISOString(),
      lastModified: new Date(u.updatedAt).toISOString(),
      location: `${base}/Users/${u.id}`,
      version: `W/${etag(u)}`,
    },
  };
}

/** Attributes every response carries whatever `attributes`/`excludedAttributes` say (RFC 7643 §7 `returned: always`). */
const ALWAYS = new Set(["schemas", "id"]);

/**
 * RFC 7644 §3.4.2.5: `attributes` keeps only the named attributes (and sub-attributes: `name.givenName`),
 * `excludedAttributes` drops them; names are case-insensitive and may carry the User schema URN.
 */
export function project(resource: Record<string, unknown>, attributes: string[] | undefined, excluded: string[] | undefined): Record<string, unknown> {
  const norm = (a: string) => a.replace(/^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/i, "").toLowerCase();
  if (attributes && attributes.length > 0) {
    const want = attributes.map(norm);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(resource)) {
      const key = k.toLowerCase();
      if (ALWAYS.has(k) || want.includes(key)) out[k] = v;
      else {
        const subs = want.filter((w) => w.startsWith(`${key}.`)).map((w) => w.slice(key.length + 1));
        if (subs.length > 0 && v !== null && typeof v === "object") out[k] = pick(v, subs);
      }
    }
    return out;
  }
  if (excluded && excluded.length > 0) {
    const drop = excluded.map(norm);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(resource)) {
      const key = k.toLowerCase();
      if (!ALWAYS.has(k) && drop.includes(key)) continue;
      const subs = drop.filter((w) => w.startsWith(`${key}.`)).map((w) => w.slice(key.length + 1));
      out[k] = subs.length > 0 && v !== null && typeof v === "object" ? omit(v, subs) : v;
    }
    return out;
  }
  return resource;
}

function pick(v: object, subs: string[]): unknown {
  if (Array.isArray(v)) return v.map((x: Record<string, unknown>) => pick(x, subs));
  return Object.fromEntries(Object.entries(v).filter(([k]) => subs.includes(k.toLowerCase())));
}
function omit(v: object, subs: string[]): unknown {
  if (Array.isArray(v)) return v.map((x: Record<string, unknown>) => omit(x, subs));
  return Object.fromEntries(Object.entries(v).filter(([k]) => !subs.includes(k.toLowerCase())));
}

/** A comma-separated attribute list of the query (`attributes=userName,name.givenName`). */
export const AttributeList = z
  .string()
  .max(2000)
  .regex(/^[A-Za-z0-9:._$-]+(,[A-Za-z0-9:._$-]+)*$/, "A comma-separated list of attribute names.")
  .transform((s) => s.split(","))
  .optional();

export const ScimGroupSchema = z
  .object({
    schemas: z.array(z.string()).openapi({ example: [GROUP_URN] }),
    id: z.uuid(),
    displayName: z.string().optional(),
    members: z.array(z.object({ value: z.uuid(), display: z.string(), $ref: z.string(), type: z.literal("User") })).optional().openapi({ description: "The members of the token's customer only." }),
    meta: z.object({ resourceType: z.literal("Group"), created: Iso, lastModified: Iso, location: z.string() }).partial().optional(),
  })
  .openapi("Scim_Group");

export const ScimGroupListSchema = z
  .object({ schemas: z.array(z.literal(LIST_URN)), totalResults: z.number().int().min(0), startIndex: z.number().int().min(1), itemsPerPage: z.number().int().min(0), Resources: z.array(ScimGroupSchema) })
  .openapi("Scim_GroupList");

/**
 * A Group as a client writes it (PUT): its schema, its name (which must stay the tenant's) and the
 * members of its customer — absent members are none (a replace), so the body must say it is a Group.
 */
export const ScimGroupInput = z
  .looseObject({
    schemas: z
      .array(z.string().max(255), { error: (i) => (i.input === undefined ? "Required." : "Must be an array.") })
      .min(1)
      .max(10)
      .refine((a) => a.some((u) => u.toLowerCase() === GROUP_URN.toLowerCase()), `Must name ${GROUP_URN}.`),
    displayName: z.string().max(255).optional(),
    members: z.array(z.looseObject({ value: z.string().max(64) })).max(50).optional(),
  })
  .openapi("Scim_GroupInput");
export type ScimGroupInput = z.infer<typeof ScimGroupInput>;

/** A group as SCIM shows it to one customer: its members are that customer's users only. */
export function toScimGroup(g: ScimGroup, base: string): z.infer<typeof ScimGroupSchema> {
  return {
    schemas: [GROUP_URN],
    id: g.id,
    displayName: g.name,
    members: g.members.map((m) => ({ value: m.id, display: m.email, $ref: `${base}/Users/${m.id}`, type: "User" as const })),
    meta: { resourceType: "Group", created: new Date(g.createdAt).toISOString(), lastModified: new Date(g.updatedAt).toISOString(), location: `${base}/Groups/${g.id}` },
  };
}
