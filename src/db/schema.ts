/**
 * The one store behind every dialect (docs/api/domain.md). drizzle-kit turns this file into the flat SQL
 * files in migrations/; nothing else creates tables. Times are epoch milliseconds (integers sort and
 * compare cheaply; dialects format them as ISO 8601). Ids are UUID strings, except account ids,
 * which are OAuth client ids.
 *
 * Every index is named, so that query plans in tests and benchmarks can be read by name.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const timestamps = {
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
};

export const tenants = sqliteTable(
  "tenants",
  {
    id: text("id").primaryKey(),
    /** Lower-case portal domain; CloudCockpit's `X-Tenant` value. */
    domain: text("domain").notNull(),
    name: text("name").notNull(),
    /** Strict concurrency: user PATCH and DELETE must send If-Match, on every surface (docs/concurrency.md). */
    requireIfMatch: integer("require_if_match", { mode: "boolean" }).notNull().default(false),
    ...timestamps,
  },
  (t) => [uniqueIndex("tenants_domain_uq").on(t.domain), index("tenants_created_idx").on(t.createdAt, t.id)],
);

export const projects = sqliteTable(
  "projects",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    /** Slug, unique per tenant: Corti's `projectId`. */
    key: text("key").notNull(),
    name: text("name").notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("projects_tenant_key_uq").on(t.tenantId, t.key),
    index("projects_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
  ],
);

export const resellers = sqliteTable(
  "resellers",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    name: text("name").notNull(),
    ...timestamps,
  },
  (t) => [index("resellers_tenant_created_idx").on(t.tenantId, t.createdAt, t.id)],
);

export const customers = sqliteTable(
  "customers",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    projectId: text("project_id").references(() => projects.id),
    resellerId: text("reseller_id").references(() => resellers.id),
    /** Corti's `customerId`: ≤ 64 characters, unique per project. */
    key: text("key"),
    name: text("name").notNull(),
    /** Corti's optional customer attributes. */
    tenantName: text("tenant_name"),
    region: text("region"),
    isNfr: integer("is_nfr", { mode: "boolean" }).notNull().default(false),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("customers_project_key_uq").on(t.projectId, t.key),
    index("customers_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
    index("customers_reseller_idx").on(t.resellerId),
  ],
);

export const PERMISSIONS = ["customer_user:read", "customer_user:write", "customer_user:create"] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const subroles = sqliteTable(
  "subroles",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    /** null: tenant-wide (also the subroles of reseller-level users). */
    customerId: text("customer_id").references(() => customers.id),
    code: text("code").notNull(),
    label: text("label").notNull(),
    displayName: text("display_name").notNull(),
    description: text("description").notNull().default(""),
    permissions: text("permissions", { mode: "json" }).$type<Permission[]>().notNull(),
    ...timestamps,
  },
  (t) => [
    // SQLite treats NULLs as distinct in unique indexes, so tenant-wide codes get their own index.
    uniqueIndex("subroles_customer_code_uq")
      .on(t.tenantId, t.customerId, t.code)
      .where(sql`${t.customerId} IS NOT NULL`),
    uniqueIndex("subroles_tenant_code_uq").on(t.tenantId, t.code).where(sql`${t.customerId} IS NULL`),
    index("subroles_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
  ],
);

export const groups = sqliteTable(
  "groups",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    name: text("name").notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("groups_tenant_name_uq").on(t.tenantId, t.name),
    index("groups_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
  ],
);

export const USER_STATUSES = ["ACTIVE", "INACTIVE"] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    /** null only for a reseller-level user. */
    customerId: text("customer_id").references(() => customers.id),
    resellerId: text("reseller_id").references(() => resellers.id),
    firstName: text("first_name").notNull(),
    lastName: text("last_name").notNull(),
    email: text("email").notNull(),
    /** trim + lower-case of `email`: the uniqueness key (see users_tenant_email_uq). */
    emailNorm: text("email_norm").notNull(),
    mobile: text("mobile"),
    /** The identifier an identity provider keeps for the user (SCIM `externalId`, docs/scim.md): stored as given, compared exactly. */
    externalId: text("external_id"),
    /**
     * The names as searches compare them: NFKC, then lower-cased by Unicode's rules (SQLite's
     * lower() folds ASCII only, so `émilie` would not find `Émilie`). See foldForSearch.
     */
    firstNameFold: text("first_name_fold"),
    lastNameFold: text("last_name_fold"),
    status: text("status", { enum: USER_STATUSES }).notNull(),
    emailVerified: integer("email_verified", { mode: "boolean" }).notNull(),
    isFirstLogin: integer("is_first_login", { mode: "boolean" }).notNull(),
    subroleId: text("subrole_id").references(() => subroles.id),
    /** Self-describing password hash (see src/core/credentials/password.ts); never leaves the core. */
    passwordHash: text("password_hash"),
    extAuthRefId: text("ext_auth_ref_id").notNull(),
    createdAt: integer("created_at").notNull(),
    createdBy: text("created_by").notNull(),
    updatedAt: integer("updated_at").notNull(),
    updatedBy: text("updated_by").notNull(),
    deletedAt: integer("deleted_at"),
    /** 1 when created, incremented by every write: the user's strong ETag (docs/concurrency.md). */
    version: integer("version").notNull().default(1),
  },
  (t) => [
    // One live user per e-mail per tenant; two concurrent creates cannot both win.
    uniqueIndex("users_tenant_email_uq").on(t.tenantId, t.emailNorm).where(sql`${t.deletedAt} IS NULL`),
    // Pages of a customer's users, newest or oldest first, without a scan or a sort.
    index("users_customer_created_idx").on(t.customerId, t.createdAt, t.id).where(sql`${t.deletedAt} IS NULL`),
    // Worth's total_items: an index-only count of a customer's live users (the partial index above
    // is not covering for its own `deleted_at IS NULL` term).
    index("users_customer_live_idx").on(t.customerId, t.deletedAt),
    // Tenant-wide pages (admin API) in creation order.
    index("users_tenant_created_idx").on(t.tenantId, t.createdAt, t.id).where(sql`${t.deletedAt} IS NULL`),
    // Login by e-mail across tenants (Corti /auth/token).
    index("users_email_idx").on(t.emailNorm).where(sql`${t.deletedAt} IS NULL`),
    index("users_reseller_idx").on(t.resellerId).where(sql`${t.deletedAt} IS NULL`),
    index("users_subrole_idx").on(t.subroleId),
    // CloudCockpit's sorted lists without a sort step: tenant-wide by name (pages of /v1/users) and
    // a customer's whole list by name (/v1/customer/{id}/users). Pages by e-mail need no index of
    // their own: users_tenant_email_uq is (tenant_id, email_norm), unique among live users.
    index("users_tenant_name_idx").on(t.tenantId, t.lastName, t.firstName, t.id).where(sql`${t.deletedAt} IS NULL`),
    index("users_customer_name_idx").on(t.customerId, t.lastName, t.firstName, t.id).where(sql`${t.deletedAt} IS NULL`),
    // SCIM's lookup of a customer's user by the identity provider's id (docs/scim.md#filters);
    // userName (the e-mail) is found by users_tenant_email_uq.
    index("users_customer_external_idx").on(t.customerId, t.externalId).where(sql`${t.deletedAt} IS NULL`),
  ],
);

export const userGroups = sqliteTable(
  "user_groups",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    groupId: text("group_id")
      .notNull()
      .references(() => groups.id),
  },
  (t) => [primaryKey({ columns: [t.userId, t.groupId], name: "user_groups_pk" }), index("user_groups_group_idx").on(t.groupId)],
);

export const ROLES = ["platform", "tenant_admin", "reseller", "customer"] as const;
export type Role = (typeof ROLES)[number];
export const SCOPES = ["users:read", "users:write", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

export const accounts = sqliteTable(
  "accounts",
  {
    /** The OAuth client_id. */
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").references(() => tenants.id),
    name: text("name").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    customerId: text("customer_id").references(() => customers.id),
    resellerId: text("reseller_id").references(() => resellers.id),
    projectId: text("project_id").references(() => projects.id),
    scopes: text("scopes", { mode: "json" }).$type<Scope[]>().notNull(),
    /** SHA-256 of the generated client secret (see src/core/credentials/secrets.ts). */
    secretHash: text("secret_hash").notNull(),
    disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
    ...timestamps,
  },
  (t) => [index("accounts_tenant_created_idx").on(t.tenantId, t.createdAt, t.id)],
);

export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    at: integer("at").notNull(),
    actorId: text("actor_id").notNull(),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id").notNull(),
    customerId: text("customer_id"),
    correlationId: text("correlation_id").notNull(),
    /** Changed fields: `{field: {from, to}}`; never secrets or hashes. */
    changes: text("changes", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    /** When the event was handed to the webhook Queue (null until then): the outbox (docs/webhooks.md). */
    queuedAt: integer("queued_at"),
    /** A user event's place in its user's history: the user's `version` once the change is written (docs/webhooks.md#ordering). */
    sequence: integer("sequence"),
    /**
     * The user as the change left it (JSON of `userSelection`, never a hash), written only for the
     * events of a tenant with webhooks: what its deliveries (and manual retries) carry, however late.
     */
    snapshot: text("snapshot"),
  },
  (t) => [
    // The outbox: events not yet handed to the Queue, oldest first (the after-response flush and the sweep).
    index("audit_unqueued_idx").on(t.at).where(sql`${t.queuedAt} IS NULL`),
    index("audit_tenant_at_idx").on(t.tenantId, t.at, t.id),
    index("audit_tenant_correlation_idx").on(t.tenantId, t.correlationId, t.at, t.id),
    index("audit_tenant_target_idx").on(t.tenantId, t.targetId, t.at, t.id),
    index("audit_tenant_actor_idx").on(t.tenantId, t.actorId, t.at, t.id),
  ],
);

/**
 * Password-login attempts per user (docs/decisions/0007-privilege-ceiling.md, "Logins"): keyed by
 * the user (so by its tenant), written only for users that exist — an unknown e-mail never adds a
 * row. `failures` counts attempts not yet proved right, reserved *before* the hash is verified, so
 * concurrent guesses cannot slip past the threshold.
 */
export const loginThrottle = sqliteTable("login_throttle", {
  userId: text("user_id").primaryKey(),
  failures: integer("failures").notNull(),
  lockedUntil: integer("locked_until"),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * Tokens of a subject issued before `not_before` (epoch ms) are refused: a password change, a
 * disabled or deleted account, a user set inactive or deleted, a changed grant. The row of a
 * deleted account is its tombstone; it is kept until `expires_at` (the last moment a token issued
 * before the revocation could still be valid), then purged by later revocations.
 */
export const tokenRevocations = sqliteTable(
  "token_revocations",
  {
    subject: text("subject").primaryKey(),
    notBefore: integer("not_before").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("token_revocations_expires_idx").on(t.expiresAt)],
);

/**
 * Live (not soft-deleted) users per customer, kept by triggers on `users` (migration 0004), so that
 * every write path — any dialect, a bulk load — keeps it right. Worth's unfiltered `total_items`
 * reads it instead of counting the customer's users, so page 1 costs the same at any size.
 */
export const customerUserCounts = sqliteTable("customer_user_counts", {
  customerId: text("customer_id").primaryKey(),
  live: integer("live").notNull(),
});

/**
 * The responses of creates sent with an `Idempotency-Key` (docs/concurrency.md#idempotency-keys),
 * written in the same batch as the create itself and replayed to a retry for 24 hours. A key is
 * scoped to (tenant, principal, key): `tenant_scope` is the principal's tenant id, or '' for the
 * platform. `fingerprint` is the SHA-256 of the request (method, path, X-Tenant, body bytes);
 * `sealed` is the response (status, headers, body), AES-GCM-encrypted under a key derived from the
 * Worker's secrets, so a dump of the table shows neither the e-mails nor the client secrets it
 * replays. Purged by the Cron Trigger once expired.
 */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    tenantScope: text("tenant_scope").notNull(),
    principal: text("principal").notNull(),
    key: text("key").notNull(),
    fingerprint: text("fingerprint").notNull(),
    sealed: text("sealed").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantScope, t.principal, t.key], name: "idempotency_keys_pk" }), index("idempotency_keys_expires_idx").on(t.expiresAt)],
);

/**
 * Webhook subscriptions (docs/webhooks.md): where a tenant's events go. `secret` is the signing
 * secret, sealed (src/core/credentials/sealing.ts); while a rotated one still signs (24 hours),
 * `previous_secret` holds it until `previous_until`.
 */
export const webhooks = sqliteTable(
  "webhooks",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    url: text("url").notNull(),
    /** Event types, or ["*"]. */
    events: text("events", { mode: "json" }).$type<string[]>().notNull(),
    /** Only this customer's events, when set. */
    customerId: text("customer_id").references(() => customers.id),
    description: text("description"),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    secret: text("secret").notNull(),
    previousSecret: text("previous_secret"),
    previousUntil: integer("previous_until"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("webhooks_tenant_created_idx").on(t.tenantId, t.createdAt, t.id)],
);

export const DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;

/** What a delivery is of: a subscription (its rows go with it) and an event. */
const deliveryOf = () => ({
  tenantId: text("tenant_id").notNull(),
  webhookId: text("webhook_id")
    .notNull()
    .references(() => webhooks.id, { onDelete: "cascade" }),
  eventId: text("event_id").notNull(),
  eventType: text("event_type").notNull(),
});

/** How the receiver answered (the latest attempt, or this one). */
const answerOf = () => ({
  responseStatus: integer("response_status"),
  durationMs: integer("duration_ms"),
  /** What went wrong, in words of ours (never the receiver's body). */
  error: text("error"),
});

/** One row per (subscription, event): where its delivery stands (`pending` until a 2xx or the dead-letter queue's `failed`); `attempts` counts them. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    ...deliveryOf(),
    attempts: integer("attempts").notNull(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull(),
    ...answerOf(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("webhook_deliveries_event_uq").on(t.webhookId, t.eventId), index("webhook_deliveries_webhook_created_idx").on(t.webhookId, t.createdAt, t.id)],
);

export const ATTEMPT_OUTCOMES = ["succeeded", "failed"] as const;

/** Every attempt of a delivery (what `GET …/webhooks/{id}/deliveries` lists): its number, outcome, the receiver's status, how long it took. */
export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    id: text("id").primaryKey(),
    ...deliveryOf(),
    attempt: integer("attempt").notNull(),
    outcome: text("outcome", { enum: ATTEMPT_OUTCOMES }).notNull(),
    ...answerOf(),
    at: integer("at").notNull(),
  },
  (t) => [index("webhook_attempts_webhook_at_idx").on(t.webhookId, t.at, t.id), index("webhook_attempts_event_idx").on(t.webhookId, t.eventId)],
);

/**
 * SCIM tokens (docs/scim.md#tokens): the bearer credential an identity provider holds for one
 * customer's `/scim/v2`. The token itself is a signed JWT (`token_use: "scim"`, ten years), verified
 * by its signature like any access token and revoked through `token_revocations` (subject `scim:<id>`):
 * nothing stored here could recreate or check it. A row lists the token and its last use.
 */
export const scimTokens = sqliteTable(
  "scim_tokens",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    customerId: text("customer_id")
      .notNull()
      .references(() => customers.id),
    description: text("description"),
    createdAt: integer("created_at").notNull(),
    createdBy: text("created_by").notNull(),
    /** Set after a request it authenticated, at most once a minute. */
    lastUsedAt: integer("last_used_at"),
  },
  (t) => [index("scim_tokens_customer_created_idx").on(t.customerId, t.createdAt, t.id)],
);

export const IMPORT_MODES = ["create", "upsert"] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];
/** `uploading` is internal (the POST is still reading its body): such a job is not shown. */
export const IMPORT_STATUSES = ["uploading", "queued", "running", "completed", "failed"] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/**
 * Import jobs (docs/migration.md#import): a file of users staged in `import_rows` by the POST, then
 * written by the imports Queue's consumer a chunk at a time. The counters and the staged rows'
 * `done` marks move in the same batch as the chunk's users, so a restart resumes exactly there.
 */
export const importJobs = sqliteTable(
  "import_jobs",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    mode: text("mode", { enum: IMPORT_MODES }).notNull(),
    format: text("format").notNull(),
    status: text("status", { enum: IMPORT_STATUSES }).notNull(),
    /** The claims of the token that started the job (JSON): every row is checked against them, as its own create would be. */
    principal: text("principal").notNull(),
    createdBy: text("created_by").notNull(),
    total: integer("total").notNull().default(0),
    created: integer("created").notNull().default(0),
    updated: integer("updated").notNull().default(0),
    skipped: integer("skipped").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    bytes: integer("bytes").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    startedAt: integer("started_at"),
    finishedAt: integer("finished_at"),
    /** The last time a consumer wrote a chunk (or the job was queued): the Cron re-queues a job idle too long. */
    heartbeatAt: integer("heartbeat_at").notNull(),
    /** Why a job failed as a whole (never a row's error, never internal text). */
    error: text("error"),
  },
  (t) => [index("import_jobs_tenant_created_idx").on(t.tenantId, t.createdAt, t.id), index("import_jobs_status_idx").on(t.status, t.heartbeatAt)],
);

/**
 * A job's rows as the file gave them (one per line, JSON), until a chunk writes them: then `data`
 * is cleared (a password hash is not kept longer than its import) and `email_norm` stays, so a later
 * line repeating an e-mail is found whichever chunk it falls in.
 */
export const importRows = sqliteTable(
  "import_rows",
  {
    jobId: text("job_id")
      .notNull()
      .references(() => importJobs.id, { onDelete: "cascade" }),
    line: integer("line").notNull(),
    emailNorm: text("email_norm"),
    /** The row (JSON text), or `{"$error": …}` for a line that is no row; null once written. */
    data: text("data"),
  },
  (t) => [
    primaryKey({ columns: [t.jobId, t.line], name: "import_rows_pk" }),
    // The rows still to write, in file order (the consumer's cursor).
    index("import_rows_pending_idx").on(t.jobId, t.line).where(sql`${t.data} IS NOT NULL`),
    index("import_rows_email_idx").on(t.jobId, t.emailNorm, t.line),
  ],
);

/** A job's row errors, in file order; a row with several has one per field. */
export const importErrors = sqliteTable(
  "import_errors",
  {
    jobId: text("job_id")
      .notNull()
      .references(() => importJobs.id, { onDelete: "cascade" }),
    line: integer("line").notNull(),
    seq: integer("seq").notNull(),
    field: text("field"),
    message: text("message").notNull(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.line, t.seq], name: "import_errors_pk" })],
);
