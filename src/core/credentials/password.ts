/**
 * User password hashing (docs/api/auth.md#passwords): PBKDF2-HMAC-SHA256 through WebCrypto with 100,000
 * iterations — the most production Workers accept — and a pepper secret mixed in with HMAC, so a
 * stolen database alone does not allow offline guessing. Stored self-describing, so the
 * parameters can be raised later and old hashes still verify:
 *
 *   pbkdf2-sha256$v=1$i=100000$<salt base64url>$<hash base64url>
 *
 * Passwords are NFKC-normalised, never truncated, 16–64 Unicode code points.
 */
import { ConfigError } from "../errors";
import { isImportedHash, verifyImportedHash } from "./imported";
import { base64url } from "./secrets";

export const PASSWORD_MIN_CODE_POINTS = 16;
export const PASSWORD_MAX_CODE_POINTS = 64;
/** Production Workers refuse PBKDF2 above 100,000 iterations (a test holds us to it). */
export const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BITS = 256;
const encoder = new TextEncoder();

export function normalisePassword(password: string): string {
  return password.normalize("NFKC");
}

/** Counted in code points (an emoji is one), after normalisation. */
export function passwordLengthOk(password: string): boolean {
  const n = [...normalisePassword(password)].length;
  return n >= PASSWORD_MIN_CODE_POINTS && n <= PASSWORD_MAX_CODE_POINTS;
}

const pepperKeys = new Map<string, Promise<CryptoKey>>();
function pepperKey(pepper: string): Promise<CryptoKey> {
  let key = pepperKeys.get(pepper);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(pepper), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    pepperKeys.set(pepper, key);
  }
  return key;
}

async function derive(password: string, salt: Uint8Array, iterations: number, pepper: string): Promise<Uint8Array> {
  if (pepper.length < 16) throw new ConfigError("PASSWORD_PEPPER", "PASSWORD_PEPPER is not configured (at least 16 characters).");
  const peppered = await crypto.subtle.sign("HMAC", await pepperKey(pepper), encoder.encode(normalisePassword(password)));
  const material = await crypto.subtle.importKey("raw", peppered, "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, material, HASH_BITS);
  return new Uint8Array(bits);
}

function fromBase64url(s: string): Uint8Array {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export async function hashPassword(password: string, pepper: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, iterations, pepper);
  return `pbkdf2-sha256$v=1$i=${iterations}$${base64url(salt)}$${base64url(hash)}`;
}

/** A fixed hash verified when no user matches, so unknown e-mails cost the same time as wrong passwords. */
const DUMMY_SALT = new Uint8Array(SALT_BYTES);

export async function verifyPassword(password: string, stored: string | null, pepper: string): Promise<boolean> {
  // A hash imported from another system (docs/migration.md#password-hashes): its own algorithm, no pepper.
  if (stored !== null && isImportedHash(stored)) return verifyImportedHash(password, stored);
  const m = stored === null ? null : /^pbkdf2-sha256\$v=1\$i=(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored);
  if (!m) {
    await derive(password, DUMMY_SALT, PBKDF2_ITERATIONS, pepper);
    return false;
  }
  const expected = fromBase64url(m[3] as string);
  const actual = await derive(password, fromBase64url(m[2] as string), Number(m[1]), pepper);
  return actual.length === expected.length && crypto.subtle.timingSafeEqual(actual, expected);
}
