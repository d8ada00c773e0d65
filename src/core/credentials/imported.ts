/**
 * Password hashes brought from another system (docs/migration.md#password-hashes), verified as they
 * are so that migrated users keep their passwords; a successful login replaces one with our own
 * hash (src/auth/token-service.ts). Maintained pure-JS libraries that run in workerd:
 * `bcryptjs` (bcrypt) and `@noble/hashes` (Argon2, scrypt); PBKDF2 through WebCrypto.
 *
 * Accepted formats:
 *   bcrypt        $2a$ / $2b$ / $2y$<cost>$<22 salt><31 hash>              cost 4–14
 *   Argon2id/i    $argon2id$v=19$m=<KiB>,t=<n>,p=<n>$<salt>$<hash> (PHC) m ≤ 65,536, t ≤ 10, m·t ≤ 131,072, p ≤ 16
 *   scrypt        $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash> (PHC)    128·N·r ≤ 32 MiB, p ≤ 16
 *   PBKDF2        $pbkdf2-sha256$i=<n>[,l=<len>]$<salt>$<hash> (PHC), $pbkdf2-sha256$<n>$<salt>$<hash> (passlib),
 *                 pbkdf2_sha256$<n>$<salt>$<hash> (Django); sha512 alike  1,000–100,000 iterations
 * Beyond those limits a login would cost more CPU or memory than a Worker should spend on one
 * request — in pure JS here, an Argon2 m·t of 131,072 or an scrypt of 32 MiB is about 1.5 s; PBKDF2
 * runs in WebCrypto, which production Workers cap at 100,000 iterations (Django's 600,000+ would
 * take seconds in JS) —: such a hash is refused at import, per row, with the reason; that user is
 * imported without a password and resets it.
 */
import { argon2i, argon2id } from "@noble/hashes/argon2.js";
import { scrypt } from "@noble/hashes/scrypt.js";
import bcrypt from "bcryptjs";

export type ImportedAlgorithm = "bcrypt" | "argon2id" | "argon2i" | "scrypt" | "pbkdf2-sha256" | "pbkdf2-sha512";

export const IMPORT_LIMITS = {
  bcryptCost: { min: 4, max: 14 },
  argon2: { maxMemoryKiB: 65_536, maxIterations: 10, maxWork: 131_072, maxParallelism: 16 },
  scrypt: { maxMemoryBytes: 32 * 1024 * 1024, maxParallelism: 16 },
  pbkdf2: { minIterations: 1_000, maxIterations: 100_000 },
} as const;

/** What verifying needs, read from a hash string once. */
type Parsed =
  | { algorithm: "bcrypt"; hash: string }
  | { algorithm: "argon2id" | "argon2i"; version: number; m: number; t: number; p: number; salt: Uint8Array; expected: Uint8Array }
  | { algorithm: "scrypt"; n: number; r: number; p: number; salt: Uint8Array; expected: Uint8Array }
  | { algorithm: "pbkdf2-sha256" | "pbkdf2-sha512"; iterations: number; salt: Uint8Array; expected: Uint8Array };

const B64 = "[A-Za-z0-9+/.]+={0,2}";
const encoder = new TextEncoder();

/** Standard or "adapted" (passlib: `.` for `+`) base64, padded or not. */
function bytes(s: string): Uint8Array {
  const std = s.replace(/\./g, "+").replace(/=+$/, "");
  const bin = atob(std + "=".repeat((4 - (std.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

const int = (s: string | undefined) => (s !== undefined && /^\d{1,10}$/.test(s) ? Number(s) : NaN);

/** `k=v,k=v` parameters of a PHC string. */
function params(s: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of s.split(",")) {
    const [k, v] = part.split("=");
    if (k === undefined || v === undefined) return {};
    out[k] = int(v);
  }
  return out;
}

/** The hash read, or the reason it is refused (a message for the import's row error). */
export function parseImportedHash(hash: string): Parsed | { error: string } {
  if (typeof hash !== "string" || hash.length > 1024) return { error: "Not a password hash this directory imports." };
  let m = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/.exec(hash);
  if (m) {
    const cost = Number(m[1]);
    if (cost < IMPORT_LIMITS.bcryptCost.min || cost > IMPORT_LIMITS.bcryptCost.max) return { error: `bcrypt cost ${cost} is outside ${IMPORT_LIMITS.bcryptCost.min}–${IMPORT_LIMITS.bcryptCost.max}.` };
    return { algorithm: "bcrypt", hash };
  }
  m = new RegExp(`^\\$(argon2id|argon2i)\\$v=(\\d+)\\$([a-z0-9=,]+)\\$(${B64})\\$(${B64})$`).exec(hash);
  if (m) {
    const { m: mem, t, p } = params(m[3] as string);
    const version = Number(m[2]);
    const L = IMPORT_LIMITS.argon2;
    if (version !== 19 && version !== 16) return { error: `Argon2 version ${version} is not 16 or 19.` };
    if (![mem, t, p].every((x) => Number.isInteger(x) && (x as number) > 0)) return { error: "Argon2 parameters m, t and p are required." };
    if ((mem as number) > L.maxMemoryKiB || (t as number) > L.maxIterations || (mem as number) * (t as number) > L.maxWork || (p as number) > L.maxParallelism)
      return { error: `Argon2 m=${mem},t=${t},p=${p} costs more than a login may (m ≤ ${L.maxMemoryKiB} KiB, t ≤ ${L.maxIterations}, m·t ≤ ${L.maxWork}, p ≤ ${L.maxParallelism}).` };
    return { algorithm: m[1] as "argon2id" | "argon2i", version, m: mem as number, t: t as number, p: p as number, salt: bytes(m[4] as string), expected: bytes(m[5] as string) };
  }
  m = new RegExp(`^\\$scrypt\\$([a-zA-Z0-9=,]+)\\$(${B64})\\$(${B64})$`).exec(hash);
  if (m) {
    const q = params(m[1] as string);
    const n = q.ln !== undefined ? 2 ** (q.ln as number) : (q.N as number);
    const { r, p } = q;
    if (![n, r, p].every((x) => Number.isInteger(x) && (x as number) > 0)) return { error: "scrypt parameters ln (or N), r and p are required." };
    if (128 * n * (r as number) > IMPORT_LIMITS.scrypt.maxMemoryBytes || (p as number) > IMPORT_LIMITS.scrypt.maxParallelism)
      return { error: `scrypt N=${n},r=${r},p=${p} costs more than a login may (128·N·r ≤ 32 MiB, p ≤ ${IMPORT_LIMITS.scrypt.maxParallelism}).` };
    return { algorithm: "scrypt", n, r: r as number, p: p as number, salt: bytes(m[2] as string), expected: bytes(m[3] as string) };
  }
  // PHC (i=…), passlib ($pbkdf2-sha256$<rounds>$…, adapted base64) and Django (pbkdf2_sha256$…, the salt as text).
  m = new RegExp(`^(\\$pbkdf2-|pbkdf2_)(sha256|sha512)\\$([a-z0-9=,]+)\\$([^$]{1,200})\\$(${B64})$`).exec(hash);
  if (m) {
    const django = m[1] === "pbkdf2_";
    const q = /^\d+$/.test(m[3] as string) ? { i: int(m[3]) } : params(m[3] as string);
    const iterations = q.i as number;
    const L = IMPORT_LIMITS.pbkdf2;
    if (!Number.isInteger(iterations) || iterations < L.minIterations || iterations > L.maxIterations)
      return { error: `PBKDF2 iterations must be ${L.minIterations}–${L.maxIterations} (more cost a Worker seconds per login: import the user without its hash).` };
    if (!django && !new RegExp(`^${B64}$`).test(m[4] as string)) return { error: "The PBKDF2 salt is not base64." };
    const salt = django ? encoder.encode(m[4]) : bytes(m[4] as string);
    return { algorithm: `pbkdf2-${m[2]}` as "pbkdf2-sha256" | "pbkdf2-sha512", iterations, salt, expected: bytes(m[5] as string) };
  }
  return { error: "Not a password hash this directory imports: bcrypt, Argon2id/Argon2i, scrypt or PBKDF2-SHA256/SHA512 (see docs/migration.md)." };
}

/** Whether a stored hash is an imported one (not this directory's own format). */
export function isImportedHash(stored: string): boolean {
  return stored.startsWith("$") || stored.startsWith("pbkdf2_");
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.length > 0 && crypto.subtle.timingSafeEqual(a, b);
}

/** Whether `password` is the one an imported hash was made from (false for a hash that is not one). */
export async function verifyImportedHash(password: string, stored: string): Promise<boolean> {
  const h = parseImportedHash(stored);
  if ("error" in h) return false;
  switch (h.algorithm) {
    case "bcrypt":
      return bcrypt.compare(password, h.hash.replace(/^\$2y\$/, "$2b$"));
    case "argon2id":
    case "argon2i": {
      const f = h.algorithm === "argon2id" ? argon2id : argon2i;
      return equal(f(password, h.salt, { t: h.t, m: h.m, p: h.p, dkLen: h.expected.length, version: h.version }), h.expected);
    }
    case "scrypt":
      return equal(scrypt(password, h.salt, { N: h.n, r: h.r, p: h.p, dkLen: h.expected.length, maxmem: IMPORT_LIMITS.scrypt.maxMemoryBytes * 2 }), h.expected);
    case "pbkdf2-sha256":
    case "pbkdf2-sha512": {
      const hash = h.algorithm === "pbkdf2-sha256" ? "SHA-256" : "SHA-512";
      const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
      const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash, salt: h.salt, iterations: h.iterations }, key, h.expected.length * 8);
      return equal(new Uint8Array(bits), h.expected);
    }
  }
}
