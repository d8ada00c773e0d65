import { hashPassword } from "../credentials/password";
import { userGroups, users, type UserStatus } from "../../db/schema";
import { auditInsert } from "../audit";
import { assertPermissionsWithin } from "../ceiling";
import { foreignKeyFailed } from "../db-errors";
import type { Ctx } from "../context";
import { invalid, type FieldIssue } from "../errors";
import { assertInNamedTenant, batchInTenant, type TenantRef } from "../tenant-gate";
import {
  checkOwnerReach,
  fieldIssues,
  groupIssues,
  groupsQuery,
  mapUserWriteError,
  ownerQuery,
  passwordIssues,
  pickSubrole,
  subroleQuery,
  type OwnerRow,
  type SubroleSelector,
  type UserOwner,
} from "./rules";
import { pickProfile, PROFILE_DEFAULTS, profileColumns, userFromRow, type RequiredProfile, type StoredUser, type SubroleRef, type User, type UserProfile } from "./view";

/** A new user: its profile (./view.ts) and what places it — owner, subrole, groups — and its password. */
export interface CreateUserInput extends RequiredProfile, Partial<Omit<UserProfile, keyof RequiredProfile>> {
  owner: UserOwner;
  /** The tenant the request names (CloudCockpit's X-Tenant), if any: see ../tenant-gate.ts. */
  tenant?: TenantRef;
  /** Client-chosen id (CloudCockpit); otherwise generated. */
  id?: string;
  subrole?: SubroleSelector | null;
  groupIds?: string[];
  /** Plain password (Corti); hashed here, never stored or logged as given. */
  password?: string;
  status?: UserStatus;
}

export interface CreateUserDeps {
  pepper: string;
}

/**
 * Creates a user: one read (owner, subrole, groups in a single batch), then one batch writing the
 * user, its group links and the audit event. A duplicate e-mail is refused by the unique index.
 * When a group, subrole or owner read in the first round trip is removed before the batch runs, a
 * foreign key refuses a statement of the batch and D1 rolls all of it back; the verb then runs once
 * more, so the caller gets the answer the request has now (e.g. "no group of this tenant has this id").
 */
export async function createUser(ctx: Ctx, input: CreateUserInput, deps: CreateUserDeps, retry = true): Promise<User> {
  const issues: FieldIssue[] = fieldIssues(pickProfile(input));
  issues.push(...passwordIssues(input.password));
  if (issues.length > 0) throw invalid("The user is not valid.", issues);
  const groupIds = input.groupIds ?? [];
  const sel = input.subrole ?? null;

  const {
    results: [ownerRows, subroleRows, groupRows],
    named,
  } = await batchInTenant(ctx, input.tenant, [ownerQuery(ctx, input.owner), subroleQuery(ctx, input.owner, sel ?? { id: "" }), groupsQuery(ctx, groupIds)]);
  const { tenantId, resellerId, customerId } = checkOwnerReach(ctx, input.owner, ownerRows[0] as OwnerRow | undefined);
  assertInNamedTenant(named, tenantId, "customerId" in input.owner ? "customer" : "reseller");

  let subrole: SubroleRef | null = null;
  if (sel !== null) {
    const picked = pickSubrole(sel, subroleRows);
    if ("field" in picked) issues.push(picked);
    else subrole = { id: picked.id, code: picked.code, label: picked.label, displayName: picked.displayName, description: picked.description, permissions: picked.permissions };
  }
  issues.push(...groupIssues(groupIds, groupRows, tenantId));
  if (issues.length > 0) throw invalid("The user refers to something that does not exist.", issues);
  // Handing out a subrole is a grant: only of what the caller holds itself (src/core/ceiling.ts).
  if (subrole !== null) assertPermissionsWithin(ctx.principal, subrole.permissions, "The subrole");

  const now = ctx.now();
  const actor = ctx.principal.sub;
  const profile = profileColumns({ ...PROFILE_DEFAULTS, ...pickProfile(input) }) as UserProfile & { emailNorm: string };
  const row: typeof users.$inferInsert = {
    id: input.id ?? ctx.newId(),
    tenantId,
    customerId,
    resellerId,
    ...profile,
    status: input.status ?? "ACTIVE",
    emailVerified: false,
    isFirstLogin: true,
    subroleId: subrole?.id ?? null,
    passwordHash: input.password === undefined ? null : await hashPassword(input.password, deps.pepper),
    extAuthRefId: ctx.newId(),
    createdAt: now,
    createdBy: actor,
    updatedAt: now,
    updatedBy: actor,
    deletedAt: null,
  };
  const { passwordHash, emailNorm: _norm, ...audited } = row;
  try {
    await ctx.db.batch([
      ctx.db.insert(users).values(row),
      ...groupIds.map((groupId) => ctx.db.insert(userGroups).values({ userId: row.id, groupId })),
      auditInsert(ctx, {
        tenantId,
        action: "user.created",
        targetType: "user",
        targetId: row.id,
        customerId: row.customerId,
        changes: { ...audited, groupIds, hasPassword: passwordHash !== null },
      }),
    ]);
  } catch (err) {
    if (retry && foreignKeyFailed(err)) return createUser(ctx, input, deps, false);
    mapUserWriteError(err);
  }
  return userFromRow(
    { ...(row as unknown as StoredUser), customerId: row.customerId ?? null, resellerId: row.resellerId ?? null, hasPassword: passwordHash !== null },
    subrole,
    groupIds.map((id) => ({ id, name: groupRows.find((g) => g.id === id)?.name ?? "" })),
  );
}
