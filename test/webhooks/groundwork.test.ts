/**
 * The groundwork of webhooks (issue 14), in workerd: which URLs may receive deliveries (request
 * forgery: loopback, private, link-local, metadata and their disguises are refused), and signatures
 * that the Standard Webhooks reference library verifies as is — checked a second time by
 * recomputing the HMAC with WebCrypto from the specification's text.
 */
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { newWebhookSecret, SECRET_PREFIX, signedHeaders } from "../../src/core/webhooks/signing";
import { webhookUrlIssue } from "../../src/core/webhooks/url";

const REFUSED: [string, string][] = [
  ["http://example.com/hook", "Must be an https URL."],
  ["ftp://example.com/hook", "Must be an https URL."],
  ["not a url", "Not an absolute URL."],
  ["/relative/path", "Not an absolute URL."],
  [`https://example.com/${"x".repeat(2048)}`, "At most 2048 characters."],
  ["https://user:secret@example.com/hook", "Must not carry credentials; the signature authenticates the sender."],
  ["https://example.com/hook#frag", "Must not have a fragment."],
  ["https://localhost/hook", "Must be a public host name (with a domain)."],
  ["https://intranet/hook", "Must be a public host name (with a domain)."],
  ["https://api.localhost/hook", "Must not be a local or internal host name."],
  ["https://printer.local/hook", "Must not be a local or internal host name."],
  ["https://metadata.google.internal/computeMetadata/v1/", "Must not be a local or internal host name."],
  ["https://nas.home.arpa/", "Must not be a local or internal host name."],
];
const SPECIAL = "Must not be a loopback, private, link-local or other special-purpose address.";
for (const host of [
  "127.0.0.1",
  "127.1.2.3",
  "0x7f.1", // 127.0.0.1, as the URL parser reads it
  "2130706433", // 127.0.0.1 as one number
  "0177.0.0.1", // octal
  "10.0.0.1",
  "172.16.5.4",
  "192.168.1.1",
  "169.254.169.254", // cloud metadata
  "100.64.0.1", // carrier-grade NAT
  "0.0.0.0",
  "224.0.0.1",
  "255.255.255.255",
  "[::1]",
  "[::]",
  "[fe80::1]",
  "[fc00::1]",
  "[fd12:3456::1]",
  "[::ffff:127.0.0.1]",
  "[::ffff:10.0.0.1]",
  "[64:ff9b::a00:1]", // NAT64 of 10.0.0.1
  "[2002:7f00:1::]", // 6to4 of 127.0.0.1
  "[ff02::1]",
]) {
  REFUSED.push([`https://${host}/hook`, SPECIAL]);
}

describe("webhook URLs", () => {
  it.each(REFUSED)("%s is refused", (url, message) => {
    expect(webhookUrlIssue(url, false)).toEqual({ field: "url", message });
  });

  it.each(["https://example.com/hooks", "https://hooks.example.com:8443/in?source=directory", "https://93.184.216.34/hook", "https://[2606:4700:4700::1111]/hook", "https://example.com./trailing-dot"])(
    "%s is accepted",
    (url) => {
      expect(webhookUrlIssue(url, false)).toBeNull();
    },
  );

  it("WEBHOOKS_ALLOW_PRIVATE_URLS=on (development) accepts http and local hosts, never credentials or other schemes", () => {
    for (const url of ["http://127.0.0.1:9999/hook", "https://localhost/hook", "http://10.0.0.5/x"]) expect(webhookUrlIssue(url, true)).toBeNull();
    expect(webhookUrlIssue("ftp://127.0.0.1/", true)).toEqual({ field: "url", message: "Must be an https URL." });
    expect(webhookUrlIssue("http://u:p@127.0.0.1/", true)).toEqual({ field: "url", message: "Must not carry credentials; the signature authenticates the sender." });
  });
});

/** HMAC-SHA256 of `<id>.<timestamp>.<body>` under the secret's bytes, base64 — the specification's text, in WebCrypto. */
async function specSignature(secret: string, id: string, timestamp: string, body: string): Promise<string> {
  const keyBytes = Uint8Array.from(atob(secret.slice(SECRET_PREFIX.length)), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}.${timestamp}.${body}`)));
  return btoa(String.fromCharCode(...mac));
}

describe("webhook signatures (Standard Webhooks)", () => {
  it("a new secret is whsec_ and 32 random bytes; two are never equal", () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(atob(a.slice(6))).toHaveLength(32);
    expect(a).not.toBe(b);
  });

  it("the reference library verifies what the Worker signs; the HMAC matches the specification's text", async () => {
    const secret = newWebhookSecret();
    const body = JSON.stringify({ type: "user.created", data: { id: crypto.randomUUID(), email: "ünïcode@example.com" } });
    const at = new Date();
    const headers = signedHeaders([secret], "evt_1", at, body);
    expect(headers["webhook-timestamp"]).toBe(String(Math.floor(at.getTime() / 1000)));
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(headers["webhook-signature"]).toBe(`v1,${await specSignature(secret, "evt_1", headers["webhook-timestamp"]!, body)}`);
  });

  it("while a rotated secret still signs, a receiver holding either one verifies; a tampered body or another secret does not", () => {
    const [current, previous] = [newWebhookSecret(), newWebhookSecret()];
    const body = '{"type":"user.updated"}';
    const headers = signedHeaders([current, previous], "evt_2", new Date(), body);
    expect(headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    for (const s of [current, previous]) expect(new Webhook(s).verify(body, headers)).toEqual({ type: "user.updated" });
    expect(() => new Webhook(current).verify('{"type":"user.deleted"}', headers)).toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });
});
