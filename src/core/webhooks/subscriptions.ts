/**
 * Webhook subscriptions (docs/webhooks.md#subscriptions): a tenant resource (list, get, update and
 * delete are the generic ones, ../resources.ts with webhookSpec) whose create makes its signing
 * secret — shown once, kept sealed — and whose URL must be one a webhook may go to (./url.ts).
 */
import type { webhooks } from "../../db/schema";
import type { Ctx } from "../context";
import { seal, type SealingSecrets } from "../credentials/sealing";
import { invalid } from "../errors";
import { mapReceipt, type Receipt } from "../idempotency";
import { createResource, getResource, updateResource } from "../resources";
import { webhookSpec } from "../tenant-resources";
import { newWebhookSecret } from "./signing";
import { webhookUrlIssue } from "./url";

export type WebhookRow = typeof webhooks.$inferSelect;
export interface WebhookInput {
  url: string;
  events: string[];
  customerId?: string | null | undefined;
  description?: string | null | undefined;
  enabled?: boolean | undefined;
}
export interface CreatedWebhook {
  webhook: WebhookRow;
  secret: string;
}

export interface WebhookDeps {
  secrets: SealingSecrets;
  /** WEBHOOKS_ALLOW_PRIVATE_URLS=on: development only. */
  allowPrivateUrls: boolean;
}

/** 400 naming `url` unless a webhook may go there. */
export function assertWebhookUrl(url: string | undefined, deps: WebhookDeps): void {
  if (url === undefined) return;
  const issue = webhookUrlIssue(url, deps.allowPrivateUrls);
  if (issue) throw invalid("The webhook URL is not allowed.", [issue]);
}

/** The sealing context of a tenant's webhook secrets. */
export const secretContext = (tenantId: string) => `webhook:${tenantId}`;

export async function createWebhook(ctx: Ctx, tenantId: string, input: WebhookInput, deps: WebhookDeps, receipt?: Receipt<CreatedWebhook>): Promise<CreatedWebhook> {
  assertWebhookUrl(input.url, deps);
  const secret = newWebhookSecret();
  const webhook = await createResource(
    ctx,
    webhookSpec,
    tenantId,
    {
      url: input.url,
      events: input.events,
      customerId: input.customerId ?? null,
      description: input.description ?? null,
      enabled: input.enabled ?? true,
      secret: await seal(deps.secrets, "webhook-secrets", secret, secretContext(tenantId)),
      previousSecret: null,
      previousUntil: null,
    },
    mapReceipt(receipt, (row: WebhookRow) => ({ webhook: row, secret })),
  );
  return { webhook, secret };
}

/** How long a rotated secret keeps signing beside the new one. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

/**
 * A new signing secret, shown once; the one it replaces keeps signing beside it for 24 hours, so
 * receivers can switch without a gap (each delivery carries both signatures meanwhile).
 */
export async function rotateWebhookSecret(ctx: Ctx, tenantId: string, id: string, deps: WebhookDeps): Promise<CreatedWebhook> {
  const existing = await getResource(ctx, webhookSpec, tenantId, id);
  const secret = newWebhookSecret();
  const webhook = await updateResource(ctx, webhookSpec, tenantId, id, {
    secret: await seal(deps.secrets, "webhook-secrets", secret, secretContext(tenantId)),
    previousSecret: existing.secret,
    previousUntil: ctx.now() + ROTATION_OVERLAP_MS,
  });
  return { webhook, secret };
}
