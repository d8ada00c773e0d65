/**
 * Sealing: what the product must keep but never show as stored — the responses kept for
 * Idempotency-Keys (they may hold a one-time client secret), webhook signing secrets (HMAC needs
 * them raw, so they cannot be hashed). AES-256-GCM under a key derived with HKDF-SHA-256 from the
 * Worker's secrets (JWT_SECRET ‖ PASSWORD_PEPPER) and the purpose, so each use has its own key;
 * `context` is bound as associated data (a sealed value moved to another row does not open).
 * A dump of D1 alone reads nothing sealed. Format: `v1.<iv>.<ciphertext>`, base64.
 */
export interface SealingSecrets {
  secret: string;
  pepper: string;
}

/** What a sealing key is for: part of its derivation. */
export type SealingPurpose = "idempotency-keys" | "webhook-secrets";

const encoder = new TextEncoder();
const keys = new WeakMap<SealingSecrets, Map<SealingPurpose, Promise<CryptoKey>>>();

/** The key of a purpose, derived once per isolate per configuration. */
function sealingKey(s: SealingSecrets, purpose: SealingPurpose): Promise<CryptoKey> {
  let byPurpose = keys.get(s);
  if (byPurpose === undefined) keys.set(s, (byPurpose = new Map()));
  let key = byPurpose.get(purpose);
  if (key === undefined) {
    key = crypto.subtle
      .importKey("raw", encoder.encode(`${s.secret}\u0000${s.pepper}`), "HKDF", false, ["deriveKey"])
      .then((base) =>
        crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: encoder.encode("customer-users/sealing"), info: encoder.encode(`${purpose}/v1`) },
          base,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"],
        ),
      );
    byPurpose.set(purpose, key);
  }
  return key;
}

function b64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}
const unb64 = (text: string) => Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));

export async function seal(s: SealingSecrets, purpose: SealingPurpose, plain: string, context: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(context) }, await sealingKey(s, purpose), encoder.encode(plain)));
  return `v1.${b64(iv)}.${b64(data)}`;
}

/** The plain text of a sealed value; throws when it was sealed under other secrets, another purpose or another context. */
export async function unseal(s: SealingSecrets, purpose: SealingPurpose, sealed: string, context: string): Promise<string> {
  const [version, iv, data] = sealed.split(".");
  if (version !== "v1" || iv === undefined || data === undefined) throw new Error("unknown sealed value");
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(iv), additionalData: encoder.encode(context) }, await sealingKey(s, purpose), unb64(data));
  return new TextDecoder().decode(plain);
}
