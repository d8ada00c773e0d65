/**
 * The specs of the tenant-owned configuration resources. All rules shared between them live in
 * resources.ts; what is here is only what differs: references, unique indexes, cross-field rules.
 */
import { accounts, customers, groups, projects, resellers, subroles } from "../db/schema";
import type { FieldIssue } from "./errors";
import type { RefCheck, ResourceSpec } from "./resources";

function ref(field: string, subject: RefCheck["subject"], table: RefCheck["table"], id: unknown): RefCheck[] {
  return typeof id === "string" ? [{ field, subject, table, id }] : [];
}

export const projectSpec: ResourceSpec<typeof projects> = {
  subject: "project",
  table: projects,
  action: "project",
  uniques: [{ match: "projects.tenant_id, projects.key", subject: "project", field: "key", message: "Another project of this tenant has this key." }],
  inUseMessage: "The project still has customers or accounts.",
};

export const resellerSpec: ResourceSpec<typeof resellers> = {
  subject: "reseller",
  table: resellers,
  action: "reseller",
  uniques: [],
  inUseMessage: "The reseller still has customers, users or accounts.",
};

export const customerSpec: ResourceSpec<typeof customers> = {
  subject: "customer",
  table: customers,
  action: "customer",
  uniques: [{ match: "customers.project_id, customers.key", subject: "customer", field: "key", message: "Another customer of this project has this key." }],
  inUseMessage: "The customer still has users, subroles or accounts (removed users are kept for the audit trail).",
  refs: (v) => [...ref("projectId", "project", projects, v.projectId), ...ref("resellerId", "reseller", resellers, v.resellerId)],
  check: (v) => (v.key != null && v.projectId == null ? [{ field: "key", message: "A customer key needs a projectId: keys are unique per project." }] : []),
};

export const subroleSpec: ResourceSpec<typeof subroles> = {
  subject: "subrole",
  table: subroles,
  action: "subrole",
  uniques: [
    { match: "subroles.tenant_id, subroles.customer_id, subroles.code", subject: "subrole", field: "code", message: "Another subrole of this customer has this code." },
    { match: "subroles.tenant_id, subroles.code", subject: "subrole", field: "code", message: "Another tenant-wide subrole has this code." },
  ],
  inUseMessage: "The subrole is still assigned to users.",
  refs: (v) => ref("customerId", "customer", customers, v.customerId),
};

export const groupSpec: ResourceSpec<typeof groups> = {
  subject: "group",
  table: groups,
  action: "group",
  uniques: [{ match: "groups.tenant_id, groups.name", subject: "group", field: "name", message: "Another group of this tenant has this name." }],
  inUseMessage: "The group still has members.",
};

export const accountSpec: ResourceSpec<typeof accounts> = {
  subject: "account",
  table: accounts,
  action: "account",
  uniques: [],
  inUseMessage: "The account cannot be removed.",
  secretColumns: ["secretHash"],
  refs: (v) => [
    ...ref("customerId", "customer", customers, v.customerId),
    ...ref("resellerId", "reseller", resellers, v.resellerId),
    ...ref("projectId", "project", projects, v.projectId),
  ],
  check: (v) => {
    const issues: FieldIssue[] = [];
    if (v.role === "platform") issues.push({ field: "role", message: "Platform accounts cannot be created through the API." });
    if (v.role === "customer" && v.customerId == null) issues.push({ field: "customerId", message: "A customer account needs a customerId." });
    if (v.role === "reseller" && v.resellerId == null) issues.push({ field: "resellerId", message: "A reseller account needs a resellerId." });
    if (v.role !== "customer" && v.customerId != null) issues.push({ field: "customerId", message: "Only customer accounts have a customerId." });
    if (v.role !== "reseller" && v.resellerId != null) issues.push({ field: "resellerId", message: "Only reseller accounts have a resellerId." });
    if (v.role !== "tenant_admin" && v.scopes?.includes("admin")) issues.push({ field: "scopes", message: "Only tenant_admin accounts may hold the admin scope." });
    return issues;
  },
};
