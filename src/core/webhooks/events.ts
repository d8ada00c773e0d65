/**
 * The event catalogue (docs/webhooks.md#events): which audit rows are webhook events, and of which
 * type. The event id is the audit event's id (`webhook-id`), so a re-sent event is recognisably the
 * same one.
 */
export const EVENT_TYPES = [
  "user.created",
  "user.updated",
  "user.disabled",
  "user.enabled",
  "user.password_changed",
  "user.deleted",
  "account.created",
  "account.updated",
  "account.deleted",
  "customer.created",
  "customer.updated",
  "customer.deleted",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const DIRECT = new Set<string>(["user.created", "user.deleted", "account.created", "account.updated", "account.deleted", "customer.created", "customer.updated", "customer.deleted"]);

/** The event an audit row is, if any: a user update is named by what it did (status, password) when that is all it did. */
export function eventTypeOf(action: string, changes: Record<string, unknown>): EventType | null {
  if (DIRECT.has(action)) return action as EventType;
  if (action !== "user.updated") return null;
  const fields = Object.keys(changes);
  const status = (changes.status as { to?: unknown } | undefined)?.to;
  if (status === "INACTIVE") return "user.disabled";
  if (status === "ACTIVE") return "user.enabled";
  if (fields.length === 1 && fields[0] === "password") return "user.password_changed";
  return "user.updated";
}

/** Whether a subscription's `events` take a type (`*`: all). */
export function subscribed(events: string[], type: EventType): boolean {
  return events.includes("*") || events.includes(type);
}
