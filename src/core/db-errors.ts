import { conflict, type DomainError, type FieldIssue, type Subject } from "./errors";

/** The text of an error and its causes (drizzle wraps D1's error in its own). */
function chainText(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur instanceof Error; i++) {
    parts.push(cur.message);
    cur = cur.cause;
  }
  return parts.join(" | ");
}

/**
 * A write refused by a foreign key: a row the verb had read (a group, subrole, customer...) was
 * removed by a concurrent request before the verb's batch ran; D1 rolled the whole batch back.
 */
export function foreignKeyFailed(err: unknown): boolean {
  return chainText(err).includes("FOREIGN KEY constraint failed");
}

export interface UniqueRule {
  /** Index or `table.column` text as SQLite names it in "UNIQUE constraint failed: …". */
  match: string;
  subject: Subject;
  field: string;
  message: string;
}

/**
 * Maps a failed write to a CONFLICT when a unique index or a foreign key refused it; returns
 * undefined for anything else (which then surfaces as an opaque 500). Uniqueness is always decided
 * by the index, never by a read-then-write check, so concurrent duplicates cannot both succeed.
 */
export function constraintConflict(err: unknown, rules: UniqueRule[], inUse?: { subject: Subject; message: string }): DomainError | undefined {
  const text = chainText(err);
  if (text.includes("UNIQUE constraint failed")) {
    for (const rule of rules) {
      if (text.includes(rule.match)) {
        const issues: FieldIssue[] = [{ field: rule.field, message: rule.message }];
        return conflict(rule.subject, rule.message, issues);
      }
    }
  }
  if (inUse && text.includes("FOREIGN KEY constraint failed")) {
    return conflict(inUse.subject, inUse.message);
  }
  return undefined;
}
