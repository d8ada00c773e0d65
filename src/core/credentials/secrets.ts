/**
 * Client secrets and constant-time comparison. Client secrets are 256-bit random strings we
 * generate, so a single SHA-256 is a sufficient stored form (no dictionary to attack); user
 * passwords, which people choose, go through src/core/credentials/password.ts instead.
 */
const encoder = new TextEncoder();

export function base64url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A new client secret: 32 random bytes, base64url, with a recognisable prefix for secret scanners. */
export function newClientSecret(): string {
  return `cus_${base64url(crypto.getRandomValues(new Uint8Array(32)))}`;
}

export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

export async function hashClientSecret(secret: string): Promise<string> {
  return `sha256$${base64url(await sha256(secret))}`;
}

/** Constant-time equality of two strings of any length: both are hashed first. */
export async function timingSafeEqualText(a: string, b: string): Promise<boolean> {
  const [ha, hb] = await Promise.all([sha256(a), sha256(b)]);
  return crypto.subtle.timingSafeEqual(ha, hb);
}

/** Checks a presented secret against a stored `sha256$…` hash in constant time. */
export async function verifyClientSecret(secret: string, stored: string): Promise<boolean> {
  return timingSafeEqualText(await hashClientSecret(secret), stored);
}
