/**
 * Webhook signatures per the Standard Webhooks specification (issue 14, docs/webhooks.md#verifying):
 * `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of
 * "<id>.<timestamp>.<body>">`, several space-separated while a rotated secret still signs. Signed
 * with the specification's reference library (`standardwebhooks`: pure JS, no Node APIs, so it runs
 * in workerd as it does for receivers), so a receiver verifies with it — or with `svix` — as is.
 */
import { Webhook } from "standardwebhooks";

/** The prefix of a signing secret: `whsec_` + base64 of 32 random bytes (the format the libraries take). */
export const SECRET_PREFIX = "whsec_";

export function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `${SECRET_PREFIX}${btoa(String.fromCharCode(...bytes))}`;
}

/** The headers of one delivery of `body`: its id, time and the signature of each secret that signs (the current one first). */
export function signedHeaders(secrets: string[], messageId: string, at: Date, body: string): Record<string, string> {
  const signatures = secrets.map((s) => new Webhook(s).sign(messageId, at, body));
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": signatures.join(" "),
  };
}
