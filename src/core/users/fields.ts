/**
 * One rule per user text field, the same for every surface (docs/api/domain.md#field-limits). The
 * core checks it on every create and update (`fieldIssues`); a dialect that reports a schema
 * failure apart from a refusal (Worth, CloudCockpit) runs the same functions at its wire, never a
 * rule of its own.
 *
 * - `email`: valid iff, trimmed, it is what JSON Schema's `format: "email"` accepts — the `email`
 *   format of ajv-formats' full mode, the standard validator a reader of /doc would use — and the
 *   value is at most 255 characters;
 * - `firstName`, `lastName`: at most 255 characters, not blank, no control characters;
 * - `mobile`, `externalId`: at most 255 characters, no control characters (kept as given, untrimmed).
 *
 * Control characters are Unicode's general category Cc: U+0000–U+001F and U+007F–U+009F. Other
 * Unicode (combining marks, astral characters, right-to-left text) is a name like any other.
 */
import { fullFormats } from "ajv-formats/dist/formats";
import type { FieldIssue } from "../errors";

export const MAX_FIELD = 255;

export const EMAIL_MESSAGE = "Not an e-mail address.";
export const CONTROL_MESSAGE = "Must not contain control characters.";

/** ajv-formats 3.0.1 (pinned exactly) defines `email` as a regular expression; anything else is a broken install. */
const EMAIL_FORMAT: RegExp = (() => {
  const f: unknown = fullFormats.email;
  if (!(f instanceof RegExp)) throw new Error("ajv-formats: the email format is not a regular expression");
  return f;
})();

const CONTROL = /\p{Cc}/u;

/** Whether a value is an e-mail address by `format: "email"` (trimmed first, as it is stored). */
export function isEmail(value: string): boolean {
  return EMAIL_FORMAT.test(value.trim());
}

/** Whether a value holds a control character (U+0000–U+001F, U+007F–U+009F). */
export function hasControlCharacter(value: string): boolean {
  return CONTROL.test(value);
}

/** The user text fields the core rules. */
export type UserTextField = "firstName" | "lastName" | "email" | "mobile" | "externalId";

/**
 * The issues of the given user fields (absent and null ones are not checked), per field in the
 * order given, the e-mail's format last.
 */
export function fieldIssues(fields: Partial<Record<UserTextField, string | null | undefined>>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    if (value.length > MAX_FIELD) issues.push({ field, message: `At most ${MAX_FIELD} characters.` });
    if (field !== "mobile" && field !== "externalId" && value.trim().length === 0) issues.push({ field, message: "Must not be blank." });
    if (field !== "email" && hasControlCharacter(value)) issues.push({ field, message: CONTROL_MESSAGE });
  }
  if (typeof fields.email === "string" && !isEmail(fields.email)) issues.push({ field: "email", message: EMAIL_MESSAGE });
  return issues;
}
