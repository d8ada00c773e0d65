/**
 * Wire schemas of the admin API (JSON camelCase, times ISO 8601). Request bodies are strict:
 * an unknown or mass-assigned property (`id`, `tenantId`, `secretHash`, `createdAt`…) is a 400.
 */
import { z } from "@hono/zod-openapi";
import { idParam } from "../../http/openapi";
import { DEFAULT_LIMIT, MAX_LIMIT } from "../../core/paging";
import type { User } from "../../core/users/view";
import { EVENT_TYPES } from "../../core/webhooks/events";
import { ATTEMPT_OUTCOMES, DELIVERY_STATUSES, PERMISSIONS, ROLES, SCOPES, USER_STATUSES } from "../../db/schema";

/** Ids are case-insensitive on input (RFC 9562 §4): an upper-case id names the same row. */
export const Uuid = idParam();
const Name = z.string().trim().min(1).max(255);
const Iso = z.string().openapi({ format: "date-time", example: "2026-01-31T12:00:00.000Z" });
const Slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "Lower-case letters, digits, '-' and '_', at most 64 characters, starting with a letter or digit.");
const meta = { createdAt: Iso, updatedAt: Iso };
const tenantOwned = { id: Uuid, tenantId: Uuid };
const NullableUuid = Uuid.nullable();

/**
 * Refuses an empty PATCH body: a patch must change something. Checked only when the properties
 * themselves passed, so `{id: …}` is answered "not allowed", not also "at least one is required".
 * Documented as `minProperties: 1`, so /doc does not promise that `{}` is accepted.
 */
export function nonEmpty<T extends z.ZodObject>(schema: T) {
  return schema
    .refine((v) => Object.keys(v).length > 0, {
      message: "At least one property is required.",
      when: (payload) => payload.issues.length === 0,
    })
    .openapi({ minProperties: 1 });
}

const RequireIfMatch = z.boolean().openapi({
  description: "When true, user PATCH and DELETE on every surface must send If-Match (428 without it): strict concurrency for this tenant (docs/concurrency.md).",
});
export const TenantSchema = z.object({ id: Uuid, domain: z.string(), name: z.string(), requireIfMatch: RequireIfMatch, ...meta }).openapi("Tenant");
export const TenantCreate = z
  .strictObject({
    domain: z
      .string()
      .trim()
      .toLowerCase()
      .max(253)
      .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/, "A DNS host name, e.g. portal.example.com."),
    name: Name,
    requireIfMatch: RequireIfMatch.optional().openapi({ default: false }),
  })
  .openapi("TenantCreate");
export const TenantPatch = nonEmpty(TenantCreate.partial()).openapi("TenantPatch");

export const ProjectSchema = z.object({ ...tenantOwned, key: z.string(), name: z.string(), ...meta }).openapi("Project");
export const ProjectCreate = z.strictObject({ key: Slug, name: Name }).openapi("ProjectCreate");
export const ProjectPatch = nonEmpty(ProjectCreate.partial()).openapi("ProjectPatch");

export const ResellerSchema = z.object({ ...tenantOwned, name: z.string(), ...meta }).openapi("Reseller");
export const ResellerCreate = z.strictObject({ name: Name }).openapi("ResellerCreate");
export const ResellerPatch = nonEmpty(ResellerCreate.partial()).openapi("ResellerPatch");

export const CustomerSchema = z
  .object({
    ...tenantOwned,
    projectId: NullableUuid,
    resellerId: NullableUuid,
    key: z.string().nullable(),
    name: z.string(),
    tenantName: z.string().nullable(),
    region: z.enum(["eu", "us"]).nullable(),
    isNfr: z.boolean(),
    ...meta,
  })
  .openapi("Customer");
export const CustomerCreate = z
  .strictObject({
    name: Name,
    projectId: NullableUuid.optional(),
    resellerId: NullableUuid.optional(),
    key: z.string().trim().min(1).max(64).nullable().optional(),
    tenantName: Name.nullable().optional(),
    region: z.enum(["eu", "us"]).nullable().optional(),
    isNfr: z.boolean().optional(),
  })
  .openapi("CustomerCreate");
export const CustomerPatch = nonEmpty(CustomerCreate.partial()).openapi("CustomerPatch");

const Permissions = z
  .array(z.enum(PERMISSIONS))
  .max(PERMISSIONS.length)
  .refine((a) => new Set(a).size === a.length, "Permissions must not repeat.");
export const SubroleSchema = z
  .object({
    ...tenantOwned,
    customerId: NullableUuid,
    code: z.string(),
    label: z.string(),
    displayName: z.string(),
    description: z.string(),
    permissions: z.array(z.enum(PERMISSIONS)),
    ...meta,
  })
  .openapi("Subrole");
export const SubroleCreate = z
  .strictObject({
    customerId: NullableUuid.optional(),
    code: Slug,
    label: Name,
    displayName: Name,
    description: z.string().max(1000).optional(),
    permissions: Permissions,
  })
  .openapi("SubroleCreate");
export const SubrolePatch = nonEmpty(SubroleCreate.omit({ customerId: true }).partial()).openapi("SubrolePatch");

export const GroupSchema = z.object({ ...tenantOwned, name: z.string(), ...meta }).openapi("Group");
export const GroupCreate = z.strictObject({ name: Name }).openapi("GroupCreate");
export const GroupPatch = nonEmpty(GroupCreate.partial()).openapi("GroupPatch");

const Scopes = z
  .array(z.enum(SCOPES))
  .max(SCOPES.length)
  .refine((a) => new Set(a).size === a.length, "Scopes must not repeat.");
export const AccountSchema = z
  .object({
    ...tenantOwned,
    clientId: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    customerId: NullableUuid,
    resellerId: NullableUuid,
    projectId: NullableUuid,
    scopes: z.array(z.enum(SCOPES)),
    disabled: z.boolean(),
    ...meta,
  })
  .openapi("Account");
export const AccountCreated = AccountSchema.extend({
  clientSecret: z.string().openapi({ description: "Shown once; only its hash is stored." }),
}).openapi("AccountCreated");
export const AccountCreate = z
  .strictObject({
    name: Name,
    role: z.enum(["tenant_admin", "reseller", "customer"]),
    customerId: NullableUuid.optional(),
    resellerId: NullableUuid.optional(),
    projectId: NullableUuid.optional(),
    scopes: Scopes,
    disabled: z.boolean().optional(),
  })
  .openapi("AccountCreate");
export const AccountPatch = nonEmpty(z.strictObject({ name: Name, scopes: Scopes, disabled: z.boolean() }).partial()).openapi("AccountPatch");

const EventTypes = z
  .array(z.enum(["*", ...EVENT_TYPES]))
  .min(1)
  .max(EVENT_TYPES.length + 1)
  .refine((a) => new Set(a).size === a.length, "Event types must not repeat.")
  .openapi({ uniqueItems: true, description: 'The event types to deliver, or ["*"] for all (docs/webhooks.md#events).' });
const WebhookUrl = z.string().max(2048).openapi({ format: "uri", description: "https, a public host (docs/webhooks.md#urls)." });
export const WebhookSchema = z
  .object({
    ...tenantOwned,
    url: z.string(),
    events: z.array(z.string()),
    customerId: NullableUuid,
    description: z.string().nullable(),
    enabled: z.boolean(),
    ...meta,
  })
  .openapi("Webhook");
export const WebhookCreated = WebhookSchema.extend({
  secret: z.string().openapi({ description: "The signing secret (whsec_…), shown once; kept sealed." }),
}).openapi("WebhookCreated");
export const WebhookCreate = z
  .strictObject({
    url: WebhookUrl,
    events: EventTypes,
    customerId: NullableUuid.optional().openapi({ description: "Only this customer's events." }),
    description: z.string().max(255).nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .openapi("WebhookCreate");
export const WebhookPatch = nonEmpty(z.strictObject({ url: WebhookUrl, events: EventTypes, description: z.string().max(255).nullable(), enabled: z.boolean() }).partial()).openapi("WebhookPatch");

export const ScimTokenSchema = z
  .object({
    ...tenantOwned,
    customerId: Uuid,
    description: z.string().nullable(),
    createdAt: Iso,
    createdBy: z.string(),
    lastUsedAt: Iso.nullable().openapi({ description: "When it last authenticated a request (updated at most once a minute); null when never." }),
  })
  .openapi("ScimToken");
export const ScimTokenCreated = ScimTokenSchema.extend({
  token: z.string().openapi({ description: "The bearer token for the identity provider's SCIM connection, shown once; nothing stored recreates it (docs/scim.md#tokens)." }),
}).openapi("ScimTokenCreated");
export const ScimTokenCreate = z.strictObject({ description: z.string().max(255).nullable().optional() }).openapi("ScimTokenCreate");

/** A SCIM token row on the wire (its times as ISO strings). */
export function scimTokenToWire(r: { lastUsedAt: number | null } & Record<string, unknown>): z.infer<typeof ScimTokenSchema> {
  return { ...rowToWire(r), lastUsedAt: iso(r.lastUsedAt) };
}

export const DeliverySchema = z
  .object({
    id: Uuid.openapi({ description: "The attempt's id (a manual retry names it)." }),
    tenantId: Uuid,
    webhookId: Uuid,
    eventId: Uuid.openapi({ description: "The audit event's id: the delivery's webhook-id." }),
    eventType: z.string(),
    attempt: z.number().int().min(1).openapi({ description: "1 for the first attempt of this event to this subscription; manual retries continue the count." }),
    outcome: z.enum(ATTEMPT_OUTCOMES),
    responseStatus: z.number().int().nullable().openapi({ description: "The receiver's status; null for a timeout or a network error." }),
    durationMs: z.number().int().nullable(),
    error: z.string().nullable().openapi({ description: "`HTTP <status>`, `timeout` or `network error`; never the receiver's body." }),
    at: Iso,
    deliveryStatus: z.enum(DELIVERY_STATUSES).openapi({ description: "Where this event's delivery stands now: pending (retrying), succeeded, or failed (after 8 attempts)." }),
  })
  .openapi("WebhookDeliveryAttempt");

/** A subscription on the wire: never its secrets. */
export function webhookToWire(r: Record<string, unknown>): Record<string, unknown> {
  const { secret: _s, previousSecret: _p, previousUntil: _u, ...rest } = r;
  return rowToWire(rest);
}

export const UserSchema = z
  .object({
    ...tenantOwned,
    customerId: NullableUuid,
    resellerId: NullableUuid,
    firstName: z.string(),
    lastName: z.string(),
    email: z.string().openapi({ format: "email" }),
    mobile: z.string().nullable(),
    externalId: z.string().nullable().openapi({ description: "The identity provider's id for the user (SCIM `externalId`), as it was given; null when none." }),
    status: z.enum(USER_STATUSES),
    emailVerified: z.boolean(),
    isFirstLogin: z.boolean(),
    subroleId: NullableUuid,
    groupIds: z.array(Uuid),
    hasPassword: z.boolean(),
    extAuthRefId: z.string(),
    createdAt: Iso,
    createdBy: z.string(),
    updatedAt: Iso,
    updatedBy: z.string(),
    version: z.number().int().min(1).openapi({
      description: 'Incremented by every change to the user; its ETag on every surface is "<id>.<version>" (If-Match on PATCH and DELETE).',
    }),
  })
  .openapi("User");

export const AuditEventSchema = z
  .object({
    id: Uuid,
    tenantId: Uuid,
    at: Iso,
    actorId: z.string(),
    action: z.string(),
    targetType: z.string(),
    targetId: z.string(),
    customerId: NullableUuid,
    correlationId: z.string(),
    changes: z.record(z.string(), z.unknown()),
  })
  .openapi("AuditEvent");

export const ListQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_LIMIT)
    .default(DEFAULT_LIMIT)
    .openapi({ description: `Page size, 1–${MAX_LIMIT} (default ${DEFAULT_LIMIT}).` }),
  cursor: z.string().max(512).optional().openapi({ description: "The nextCursor of the previous page." }),
});

export function listOf<T extends z.ZodType>(item: T, name: string) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() }).openapi(name);
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/**
 * Storage row → admin wire: times as ISO strings, storage-only columns removed. The result is
 * described by the resource's wire schema; TypeScript cannot follow the key mapping.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the wire schema is the contract here
export function rowToWire<T extends object>(row: T): any {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k === "secretHash" || k === "passwordHash" || k === "emailNorm" || k === "deletedAt") continue;
    out[k] = k === "createdAt" || k === "updatedAt" || k === "at" ? iso(v as number) : v;
  }
  return out;
}

/** A core user on the admin API's wire. */
export function userToWire(u: User): z.infer<typeof UserSchema> {
  return {
    id: u.id,
    tenantId: u.tenantId,
    customerId: u.customerId,
    resellerId: u.resellerId,
    firstName: u.firstName,
    lastName: u.lastName,
    email: u.email,
    mobile: u.mobile,
    externalId: u.externalId,
    status: u.status,
    emailVerified: u.emailVerified,
    isFirstLogin: u.isFirstLogin,
    subroleId: u.subrole?.id ?? null,
    groupIds: u.groups.map((g) => g.id),
    hasPassword: u.hasPassword,
    extAuthRefId: u.extAuthRefId,
    createdAt: new Date(u.createdAt).toISOString(),
    createdBy: u.createdBy,
    updatedAt: new Date(u.updatedAt).toISOString(),
    updatedBy: u.updatedBy,
    version: u.version,
  };
}
