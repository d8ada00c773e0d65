/**
 * The admin API (/api/v1, docs/api/admin-api.md): tenants and their configuration, the tenant-wide user
 * list and the audit trail. Every route needs scope `admin` with role platform or tenant_admin.
 */
import { createAccount, type CreatedAccount } from "../../core/accounts";
import { mapReceipt } from "../../core/idempotency";
import { accountSpec, customerSpec, groupSpec, projectSpec, resellerSpec, subroleSpec, webhookSpec } from "../../core/tenant-resources";
import { assertWebhookUrl, createWebhook, type CreatedWebhook, type WebhookInput } from "../../core/webhooks/subscriptions";
import { webhookDeps } from "../../http/context";
import { dialectRouter } from "../../http/dialect";
import { authenticate, jsonBodies, requireAdmin } from "../../http/middleware";
import { renderProblem } from "./errors";
import { registerAuditRoutes } from "./routes/audit-events";
import { registerCrud } from "./routes/crud";
import { registerTenantRoutes } from "./routes/tenants";
import { registerScimTokenRoutes } from "./routes/scim-tokens";
import { registerUserRoutes } from "./routes/users";
import { IMPORT_UPLOAD_PATH, registerImportRoutes } from "./routes/imports";
import { registerWebhookDeliveryRoutes } from "./routes/webhook-deliveries";
import * as w from "./wire";

type Body = Record<string, unknown>;
const orNull = (v: unknown) => (v === undefined ? null : v);

export function adminRouter() {
  const app = dialectRouter(renderProblem);
  app.use("*", authenticate(), requireAdmin(), ...jsonBodies({ streamed: IMPORT_UPLOAD_PATH }));

  registerTenantRoutes(app);
  registerCrud(app, {
    path: "projects",
    tag: "Projects",
    noun: "project",
    spec: projectSpec,
    wire: w.ProjectSchema,
    create: w.ProjectCreate,
    patch: w.ProjectPatch,
    fromCreate: (b: Body) => b,
  });
  registerCrud(app, {
    path: "resellers",
    tag: "Resellers",
    noun: "reseller",
    spec: resellerSpec,
    wire: w.ResellerSchema,
    create: w.ResellerCreate,
    patch: w.ResellerPatch,
    fromCreate: (b: Body) => b,
  });
  registerCrud(app, {
    path: "customers",
    tag: "Customers",
    noun: "customer",
    spec: customerSpec,
    wire: w.CustomerSchema,
    create: w.CustomerCreate,
    patch: w.CustomerPatch,
    fromCreate: (b: Body) => ({
      name: b.name,
      projectId: orNull(b.projectId),
      resellerId: orNull(b.resellerId),
      key: orNull(b.key),
      tenantName: orNull(b.tenantName),
      region: orNull(b.region),
      isNfr: b.isNfr ?? false,
    }),
  });
  registerCrud(app, {
    path: "subroles",
    tag: "Subroles",
    noun: "subrole",
    spec: subroleSpec,
    wire: w.SubroleSchema,
    create: w.SubroleCreate,
    patch: w.SubrolePatch,
    fromCreate: (b: Body) => ({ ...b, customerId: orNull(b.customerId), description: b.description ?? "" }),
  });
  registerCrud(app, {
    path: "groups",
    tag: "Groups",
    noun: "group",
    spec: groupSpec,
    wire: w.GroupSchema,
    create: w.GroupCreate,
    patch: w.GroupPatch,
    fromCreate: (b: Body) => b,
  });
  const accountToWire = (r: Body) => ({ ...w.rowToWire(r), clientId: r.id });
  registerCrud(app, {
    path: "accounts",
    tag: "Accounts",
    noun: "account",
    spec: accountSpec,
    wire: w.AccountSchema,
    create: w.AccountCreate,
    patch: w.AccountPatch,
    createdWire: w.AccountCreated,
    toWire: accountToWire,
    fromCreate: (b: Body) => b,
    customCreate: async (ctx, tenantId, b: Body, receipt) => {
      // The response (with its one-time secret) is what a kept Idempotency-Key response is rendered from.
      const answer = ({ account, clientSecret }: CreatedAccount) => ({ id: account.id, body: { ...accountToWire(account), clientSecret } });
      const created = await createAccount(
        ctx,
        tenantId,
        {
          name: b.name as string,
          role: b.role as "tenant_admin",
          customerId: (b.customerId as string | undefined) ?? null,
          resellerId: (b.resellerId as string | undefined) ?? null,
          projectId: (b.projectId as string | undefined) ?? null,
          scopes: b.scopes as [],
          disabled: (b.disabled as boolean | undefined) ?? false,
        },
        mapReceipt(receipt, answer),
      );
      return answer(created);
    },
  });
  registerCrud(app, {
    path: "webhooks",
    tag: "Webhooks",
    noun: "webhook",
    spec: webhookSpec,
    wire: w.WebhookSchema,
    create: w.WebhookCreate,
    patch: w.WebhookPatch,
    createdWire: w.WebhookCreated,
    toWire: w.webhookToWire,
    fromCreate: (b: Body) => b,
    // The signing secret is answered once (and to a retry of the same create, sealed in between).
    customCreate: async (ctx, tenantId, b: Body, receipt, env) => {
      const answer = ({ webhook, secret }: CreatedWebhook) => ({ id: webhook.id, body: { ...w.webhookToWire(webhook), secret } });
      return answer(await createWebhook(ctx, tenantId, b as unknown as WebhookInput, webhookDeps(env), mapReceipt(receipt, answer)));
    },
    checkPatch: (c, patch) => assertWebhookUrl(patch.url as string | undefined, webhookDeps(c.env)),
  });
  registerWebhookDeliveryRoutes(app);
  registerScimTokenRoutes(app);
  registerUserRoutes(app);
  registerImportRoutes(app);
  registerAuditRoutes(app);
  return app;
}
