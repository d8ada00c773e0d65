// The demo data of `npm run dev`, as SQL for `wrangler d1 execute --local`. Fixed ids and
// INSERT OR IGNORE make it idempotent: running dev again keeps what you changed.
// Hashes are made exactly as the Worker makes them (src/core/credentials/secrets.ts, src/core/credentials/password.ts).
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

export const DEMO = {
  tenantId: "0d6f1a52-8d0b-4d5e-9a57-2b0c3f6d9e01",
  tenantDomain: "portal.demo.test",
  projectId: "0d6f1a52-8d0b-4d5e-9a57-2b0c3f6d9e02",
  projectKey: "demo-project",
  resellerId: "0d6f1a52-8d0b-4d5e-9a57-2b0c3f6d9e03",
  customerId: "0d6f1a52-8d0b-4d5e-9a57-2b0c3f6d9e04",
  customerKey: "contosohospital",
  subroleAdminId: "0d6f1a52-8d0b-4d5e-9a57-2b0c3f6d9e05",
  subroleViewerId: "0d6f1a52-8d0b-4d5e-9a57-2b0c3f6d9e06",
  groupSupportId: "0d6f1a52-8d0b-4d5e-9a57-2b0c3f6d9e07",
  groupBillingId: "0d6f1a52-8d0b-4d5e-9a57-2b0c3f6d9e08",
  userId: "0d6f1a52-8d0b-4d5e-9a57-2b0c3f6d9e09",
  userEmail: "ada@demo.test",
  userPassword: "demo-password-2024!",
  clientId: "demo-tenant-admin",
  clientSecret: "cus_demo-secret-for-local-development-only",
};

const b64url = (buf) => Buffer.from(buf).toString("base64url");
const q = (v) => (v === null ? "NULL" : typeof v === "number" ? String(v) : `'${String(v).replace(/'/g, "''")}'`);

function passwordHash(password, pepper) {
  if (pepper.length < 16) throw new Error("PASSWORD_PEPPER in .dev.vars must be at least 16 characters");
  const peppered = createHmac("sha256", pepper).update(password.normalize("NFKC")).digest();
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(peppered, salt, 100_000, 32, "sha256");
  return `pbkdf2-sha256$v=1$i=100000$${b64url(salt)}$${b64url(hash)}`;
}

function insert(table, row) {
  const cols = Object.keys(row);
  return `INSERT OR IGNORE INTO ${table} (${cols.join(", ")}) VALUES (${cols.map((c) => q(row[c])).join(", ")});`;
}

export function demoSeed(pepper) {
  const d = DEMO;
  const now = Date.UTC(2026, 0, 1);
  const t = { created_at: now, updated_at: now };
  const statements = [
    insert("tenants", { id: d.tenantId, domain: d.tenantDomain, name: "Demo Portal", ...t }),
    insert("projects", { id: d.projectId, tenant_id: d.tenantId, key: d.projectKey, name: "Demo project", ...t }),
    insert("resellers", { id: d.resellerId, tenant_id: d.tenantId, name: "Demo Reseller", ...t }),
    insert("customers", {
      id: d.customerId,
      tenant_id: d.tenantId,
      project_id: d.projectId,
      reseller_id: d.resellerId,
      key: d.customerKey,
      name: "Contoso Hospital",
      tenant_name: "contoso",
      region: "eu",
      is_nfr: 0,
      ...t,
    }),
    insert("subroles", {
      id: d.subroleAdminId,
      tenant_id: d.tenantId,
      customer_id: null,
      code: "admin",
      label: "Admin",
      display_name: "Administrator",
      description: "Reads, creates and updates the customer's users",
      permissions: JSON.stringify(["customer_user:read", "customer_user:write", "customer_user:create"]),
      ...t,
    }),
    insert("subroles", {
      id: d.subroleViewerId,
      tenant_id: d.tenantId,
      customer_id: d.customerId,
      code: "viewer",
      label: "Viewer",
      display_name: "Viewer",
      description: "Reads the customer's users",
      permissions: JSON.stringify(["customer_user:read"]),
      ...t,
    }),
    insert("groups", { id: d.groupSupportId, tenant_id: d.tenantId, name: "Support", ...t }),
    insert("groups", { id: d.groupBillingId, tenant_id: d.tenantId, name: "Billing", ...t }),
    insert("accounts", {
      id: d.clientId,
      tenant_id: d.tenantId,
      name: "Demo tenant admin",
      role: "tenant_admin",
      customer_id: null,
      reseller_id: null,
      project_id: null,
      scopes: JSON.stringify(["users:read", "users:write", "admin"]),
      secret_hash: `sha256$${b64url(createHash("sha256").update(d.clientSecret).digest())}`,
      disabled: 0,
      ...t,
    }),
    insert("users", {
      id: d.userId,
      tenant_id: d.tenantId,
      customer_id: d.customerId,
      reseller_id: d.resellerId,
      first_name: "Ada",
      last_name: "Lovelace",
      first_name_fold: "ada",
      last_name_fold: "lovelace",
      email: d.userEmail,
      email_norm: d.userEmail,
      mobile: null,
      status: "ACTIVE",
      email_verified: 1,
      is_first_login: 0,
      subrole_id: d.subroleAdminId,
      password_hash: passwordHash(d.userPassword, pepper),
      ext_auth_ref_id: "0d6f1a52-8d0b-4d5e-9a57-2b0c3f6d9e10",
      created_at: now,
      created_by: "seed",
      updated_at: now,
      updated_by: "seed",
      deleted_at: null,
    }),
    insert("user_groups", { user_id: d.userId, group_id: d.groupSupportId }),
  ];
  return statements.join("\n") + "\n";
}
