/**
 * Corti's wire (seed 003, docs/api/corti.md): camelCase, the bare resource on success, `enabled` for the
 * user's status, a project and a customer addressed by key or id. Request bodies are strict: an
 * unknown or mass-assigned property (`id`, `customerId` on a user, `passwordHash`, `createdAt`…) is a
 * 400 naming it. Field rules every dialect shares (blank names, control characters, e-mail format,
 * password length) are the core's (src/core/users/fields.ts); the limits here only bound what
 * reaches it.
 */
import { z } from "@hono/zod-openapi";
import { idParam } from "../../http/openapi";
import { DomainError, type FieldIssue } from "../../core/errors";
import type { CreateUserInput } from "../../core/users/create-user";
import type { UserPatch as CoreUserPatch } from "../../core/users/update-user";
import type { CustomerRow, ProjectCustomerInput, ProjectCustomerPatch } from "../../core/project-customers";
import { PASSWORD_RULE } from "../../core/users/rules";
import type { User } from "../../core/users/view";

const Iso = z.string().openapi({ format: "date-time", example: "2023-10-01T12:00:00.000Z" });
const iso = (ms: number) => new Date(ms).toISOString();

// ---- path and query ---------------------------------------------------------------------------

/** A project key (slug) or id (uuid); a customer key (≤ 64) or id. */
const Ref = z.string().min(1).max(64);

export const ProjectParams = z.object({
  projectId: Ref.openapi({ param: { name: "projectId", in: "path" }, description: "The project's key or id", example: "consoleproject" }),
});
export const CustomerParams = ProjectParams.extend({
  customerId: Ref.openapi({ param: { name: "customerId", in: "path" }, description: "The customer's key (its Corti customerId) or id", example: "contosohospital" }),
});
export const UserParams = CustomerParams.extend({
  userId: idParam().openapi({ param: { name: "userId", in: "path" }, description: "The user's id", example: "123e4567-e89b-12d3-a456-426614174000" }),
});

/** Offsets stay far inside what D1 binds exactly; a page past the end is simply empty. */
export const MAX_PAGE = 1_000_000;
export const PageQuery = z.object({
  page: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE)
    .default(1)
    .openapi({ param: { name: "page", in: "query" }, description: `Page number, 1–${MAX_PAGE} (default 1)`, example: 1 }),
  pageSize: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .openapi({ param: { name: "pageSize", in: "query" }, description: "Items per page, 1–100 (default 20)", example: 20 }),
});

export const Pagination = z
  .object({ page: z.number().int(), pageSize: z.number().int(), hasNextPage: z.boolean() })
  .openapi("Corti_Pagination");

/** Offset and limit of a page (Corti's page numbers start at 1). */
export function pageWindow(q: { page: number; pageSize: number }): { offset: number; limit: number } {
  return { offset: (q.page - 1) * q.pageSize, limit: q.pageSize };
}

/** A PATCH must change something; checked only when the body is otherwise valid (one reason at a time). */
const nonEmpty = (v: object) => Object.keys(v).length > 0;
const atLeastOne = { message: "At least one property is required.", when: (p: { issues: unknown[] }) => p.issues.length === 0 };

// ---- users ------------------------------------------------------------------------------------

const UserName = z.string().max(255);
/** Bounds the body only: the rule itself (16–64 code points after NFKC) is the core's. */
const Password = z.string().max(1024, PASSWORD_RULE).openapi({ minLength: 16, maxLength: 64, description: "16–64 Unicode code points (NFKC); never returned", example: "My$ecureP@ssw0rd123!" });

export const UserSchema = z
  .object({
    id: z.uuid().openapi({ example: "123e4567-e89b-12d3-a456-426614174000" }),
    email: z.string().openapi({ format: "email", example: "user@example.com" }),
    firstName: z.string().openapi({ example: "John" }),
    lastName: z.string().openapi({ example: "Doe" }),
    emailVerified: z.boolean().openapi({ example: false }),
    enabled: z.boolean().openapi({ description: "Whether the account is active", example: true }),
    createdAt: Iso,
  })
  .openapi("Corti_User");

export const UserCreate = z
  .strictObject({
    email: z.string().max(255).openapi({ format: "email", example: "user@example.com" }),
    firstName: UserName.openapi({ example: "John" }),
    lastName: UserName.openapi({ example: "Doe" }),
    password: Password.optional(),
  })
  .openapi("Corti_UserCreate");

export const UserPatch = z
  .strictObject({
    firstName: UserName,
    lastName: UserName,
    enabled: z.boolean(),
    password: Password,
  })
  .partial()
  .refine(nonEmpty, atLeastOne)
  .openapi("Corti_UserPatch", { description: "The e-mail cannot be changed here." });

export const UserList = z.object({ users: z.array(UserSchema), pagination: Pagination }).openapi("Corti_UserList");

/** What Corti shows of a user: all known before a create's batch runs (a kept Idempotency-Key response is rendered from it). */
export function userToWire(u: Pick<User, "id" | "email" | "firstName" | "lastName" | "emailVerified" | "status" | "createdAt">): z.infer<typeof UserSchema> {
  return {
    id: u.id,
    email: u.email,
    firstName: u.firstName,
    lastName: u.lastName,
    emailVerified: u.emailVerified,
    enabled: u.status === "ACTIVE",
    createdAt: iso(u.createdAt),
  };
}

const statusOf = (enabled: boolean | undefined) => (enabled === undefined ? undefined : enabled ? ("ACTIVE" as const) : ("INACTIVE" as const));

/** A create body → the core's profile and password (the owner comes from the path). */
export function createInput(b: z.infer<typeof UserCreate>): Omit<CreateUserInput, "owner"> {
  return { email: b.email, firstName: b.firstName, lastName: b.lastName, password: b.password };
}

/** A patch body → the core's patch: names, `enabled` as the status, the password; never the e-mail. */
export function patchInput(b: z.infer<typeof UserPatch>): CoreUserPatch {
  return { firstName: b.firstName, lastName: b.lastName, status: statusOf(b.enabled), password: b.password };
}

// ---- customers --------------------------------------------------------------------------------

const Region = z.enum(["eu", "us"]);
const DisplayName = z.string().trim().min(1).max(255);
/** A customer key must be usable as a path segment: URL-unreserved characters only. */
const CustomerKey = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._~-]{0,63}$/, "1 to 64 letters, digits, '.', '_', '~' or '-', starting with a letter or digit.")
  .openapi({ example: "contosohospital" });

export const CustomerSchema = z
  .object({
    displayName: z.string().openapi({ example: "Contoso Hospital" }),
    tenantName: z.string().nullable().openapi({ example: "contoso" }),
    region: Region.nullable(),
    customerId: z.string().openapi({ description: "The customer's key within the project (its id if it has none)", example: "contosohospital" }),
    isNfr: z.boolean(),
    createdAt: Iso,
  })
  .openapi("Corti_Customer");

export const CustomerCreate = z
  .strictObject({
    displayName: DisplayName,
    customerId: CustomerKey,
    tenantName: DisplayName.optional(),
    region: Region.optional(),
    isNfr: z.boolean().optional(),
  })
  .openapi("Corti_CustomerCreate");

export const CustomerPatch = z
  .strictObject({
    displayName: DisplayName,
    tenantName: DisplayName.nullable(),
    region: Region.nullable(),
    isNfr: z.boolean(),
  })
  .partial()
  .refine(nonEmpty, atLeastOne)
  .openapi("Corti_CustomerPatch", { description: "A customer's customerId (key) cannot be changed." });

export const CustomerList = z.object({ customers: z.array(CustomerSchema), pagination: Pagination }).openapi("Corti_CustomerList");

/** A customer body → the core's customer: `displayName` is the name, `customerId` the key (create only). */
export function customerInput(b: z.infer<typeof CustomerCreate>): ProjectCustomerInput {
  return { ...customerPatch(b), name: b.displayName, key: b.customerId };
}

/** A customer patch body → the core's patch (the key never changes). */
export function customerPatch(b: z.infer<typeof CustomerPatch>): ProjectCustomerPatch {
  return { name: b.displayName, tenantName: b.tenantName, region: b.region, isNfr: b.isNfr };
}

export function customerToWire(r: CustomerRow): z.infer<typeof CustomerSchema> {
  return {
    displayName: r.name,
    tenantName: r.tenantName,
    region: r.region === "eu" || r.region === "us" ? r.region : null,
    customerId: r.key ?? r.id,
    isNfr: r.isNfr,
    createdAt: iso(r.createdAt),
  };
}

/** Core field names of a customer → Corti's. */
const CUSTOMER_FIELDS: Record<string, string> = { key: "customerId", name: "displayName" };

/**
 * Speaks Corti's customer vocabulary in an error from the customer verbs: the core's `key` and
 * `name` are Corti's `customerId` and `displayName`.
 */
export function cortiCustomerError(err: unknown): unknown {
  if (!(err instanceof DomainError) || err.issues.length === 0) return err;
  const issues: FieldIssue[] = err.issues.map((i) => ({ ...i, field: CUSTOMER_FIELDS[i.field] ?? i.field }));
  const message = err.code === "CONFLICT" && err.subject === "customer" && issues.some((i) => i.field === "customerId") ? "Another customer of this project has this customerId." : err.message;
  const fixed = issues.map((i) => (i.field === "customerId" && err.code === "CONFLICT" ? { ...i, message } : i));
  return new DomainError(err.code, message, { issues: fixed, subject: err.subject, validation: err.validation, cause: err });
}
