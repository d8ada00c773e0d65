/**
 * CloudCockpit's wire (seed 004, docs/api/cloudcockpit.md): camelCase bodies, `role{name}` ↔ subrole code,
 * `groups[{id,name}]`, bare resources and arrays, and the paged envelope of `/v1/users`. Request
 * bodies are strict: an unknown or mass-assigned property is a 400 naming it. The field rules
 * (length, blank, control characters, e-mail format) are the core's own `fieldIssues`, run here too
 * so that one 400 lists every offending property at once.
 */
import { z } from "@hono/zod-openapi";
import { idParam } from "../../http/openapi";
import type { CreateUserInput } from "../../core/users/create-user";
import { fieldIssues, MAX_FIELD, MAX_GROUPS, type UserOwner } from "../../core/users/rules";
import type { UserPatch } from "../../core/users/update-user";
import type { User } from "../../core/users/view";

export const MAX_PAGE_SIZE = 2000;
export const DEFAULT_PAGE_SIZE = 50;
/** Offsets stay below 2^31 (pageNumber × pageSize), which no caller of a portal reaches. */
export const MAX_PAGE_NUMBER = 1_000_000;
/** The nil uuid: what a .NET client sends for an unset `Guid`; it means "none". */
const NIL_UUID = "00000000-0000-0000-0000-000000000000";

const typeError = (iss: { input?: unknown }) =>
  iss.input === undefined ? "Required." : iss.input === null ? "Must not be null." : "Must be a string.";

export const Uuid = idParam({ error: (iss) => (iss.input === undefined ? "Required." : iss.input === null ? "Must not be null." : "Must be a uuid.") });

/** A required text field checked by the core's own rules (≤ 255, not blank, no control characters, e-mail format). */
function coreText(field: "firstName" | "lastName" | "email", description: string) {
  return z
    .string({ error: typeError })
    .superRefine((v, ctx) => {
      for (const i of fieldIssues({ [field]: v })) ctx.addIssue({ code: "custom", message: i.message });
    })
    .openapi({ maxLength: MAX_FIELD, description, ...(field === "email" ? { format: "email" } : {}) });
}

const FirstName = coreText("firstName", "The first name of the user. This may be up to 255 characters.");
const LastName = coreText("lastName", "The last name of the user. This may be up to 255 characters.");
const Email = coreText("email", "The email. This may be up to 255 characters.");

const Role = z
  .strictObject({
    name: z
      .string({ error: "Must be a string." })
      .max(MAX_FIELD, `At most ${MAX_FIELD} characters.`)
      .nullable()
      .optional()
      .openapi({ description: "The code of a subrole of the customer or of the tenant; null for none." }),
  })
  .nullable()
  .openapi("CloudCockpit_Role", { description: "The user's role. Additional properties are NOT allowed." });

const GroupRef = z
  .strictObject({
    id: Uuid.openapi({ description: "The id of the group." }),
    name: z.string({ error: "Must be a string." }).max(MAX_FIELD, `At most ${MAX_FIELD} characters.`).nullable().optional().openapi({ description: "The group name (informational)." }),
  })
  .openapi("CloudCockpit_GroupRef");

const Groups = z
  .array(GroupRef, { error: (iss) => (iss.input === undefined ? "Required." : iss.input === null ? "Must not be null." : "Must be an array.") })
  .max(MAX_GROUPS, `At most ${MAX_GROUPS} groups.`)
  .openapi({ description: "The user groups: each id must be a group of the tenant." });

const Id = Uuid.nullable().optional().openapi({ description: "The id of the user (client-chosen); generated when absent, null or the nil uuid." });

export const UserCreate = z
  .strictObject({ id: Id, firstName: FirstName, lastName: LastName, email: Email, role: Role.optional(), groups: Groups })
  .openapi("CloudCockpit_UserCreate");

export const UserPatchBody = z
  .strictObject({
    id: Uuid.nullable()
      .optional()
      .openapi({ description: "If given (not null, not the nil uuid), the user at this e-mail must have this id." }),
    firstName: FirstName.optional(),
    lastName: LastName.optional(),
    email: Email.optional().openapi({ description: "A new e-mail (must be free in the tenant)." }),
    role: Role.optional().openapi({ description: "null, {} or {name: null} removes the role." }),
    groups: Groups.optional().openapi({ description: "Replaces the user's groups." }),
  })
  .openapi("CloudCockpit_UserPatch");

export const UserSchema = z
  .object({
    id: z.uuid(),
    firstName: z.string(),
    lastName: z.string(),
    email: z.string().openapi({ format: "email" }),
    role: z.object({ name: z.string() }).nullable(),
    groups: z.array(z.object({ id: z.uuid(), name: z.string() })),
  })
  .openapi("CloudCockpit_User");

export const GroupSchema = z.object({ id: z.uuid(), name: z.string() }).openapi("CloudCockpit_Group");

/** The paged envelope of docs/api/cloudcockpit.md#paging. */
export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      items: z.array(item),
      paginationParameters: z.object({ pageNumber: z.number().int(), pageSize: z.number().int() }),
      totalPages: z.number().int(),
      totalCount: z.number().int(),
      hasPreviousPage: z.boolean(),
      hasNextPage: z.boolean(),
      continuationToken: z.string().nullable().openapi({ description: "Pass back to get the page right after this one; null on the last page." }),
    })
    .openapi(name);
}

// ---------------------------------------------------------------------------------------------
// Mappers

/** A user as CloudCockpit shows it: the subrole's code is the role's name. */
export function userToWire(u: User): z.infer<typeof UserSchema> {
  return {
    id: u.id,
    firstName: u.firstName,
    lastName: u.lastName,
    email: u.email,
    role: u.subrole ? { name: u.subrole.code } : null,
    groups: u.groups.map((g) => ({ id: g.id, name: g.name })),
  };
}

/** null, the nil uuid and absence all mean "no id given". */
export function givenId(id: string | null | undefined): string | undefined {
  return id === null || id === undefined || id.toLowerCase() === NIL_UUID ? undefined : id.toLowerCase();
}

type RoleWire = { name?: string | null | undefined } | null | undefined;

/** `role` → subrole selector: absent stays absent; null, {} and {name: null} mean none. */
function subroleOf(role: RoleWire): { code: string } | null | undefined {
  if (role === undefined) return undefined;
  return role === null || role.name === null || role.name === undefined ? null : { code: role.name };
}

export function createInput(owner: UserOwner, b: z.infer<typeof UserCreate>): CreateUserInput {
  const id = givenId(b.id);
  return {
    owner,
    ...(id !== undefined ? { id } : {}),
    firstName: b.firstName,
    lastName: b.lastName,
    email: b.email,
    subrole: subroleOf(b.role) ?? null,
    groupIds: b.groups.map((g) => g.id.toLowerCase()),
  };
}

export function patchInput(b: z.infer<typeof UserPatchBody>): UserPatch {
  const patch: UserPatch = {};
  if (b.firstName !== undefined) patch.firstName = b.firstName;
  if (b.lastName !== undefined) patch.lastName = b.lastName;
  if (b.email !== undefined) patch.email = b.email;
  const subrole = subroleOf(b.role);
  if (subrole !== undefined) patch.subrole = subrole;
  if (b.groups !== undefined) patch.groupIds = b.groups.map((g) => g.id.toLowerCase());
  return patch;
}

/** The e-mail a PATCH or DELETE path names (case-insensitive), checked like a body e-mail. */
export const EmailParam = coreText("email", "The user's e-mail (compared case-insensitively).").openapi({
  param: { name: "email", in: "path", required: true },
  example: "jane.doe@example.com",
});
