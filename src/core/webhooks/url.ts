/**
 * Where a webhook may deliver (issue 14, docs/webhooks.md#urls): an `https` URL of a public host,
 * never a loopback, private, link-local, carrier-grade-NAT, multicast, reserved or cloud-metadata
 * address — the Worker would otherwise be a request-forgery proxy into whatever network it can
 * reach. IP literals are classified with ipaddr.js (its IANA special-purpose tables); the WHATWG URL
 * parser has already normalised the odd IPv4 forms (`0x7f.1`, `2130706433`) to dotted quads, and
 * IPv4-mapped or -embedding IPv6 forms are refused outright. A host name is accepted only when it
 * is a multi-label public name: `localhost`, `*.localhost`, `*.local`, `*.internal` (cloud metadata
 * lives at `metadata.google.internal`), `*.home.arpa` and single-label names are refused. Names
 * that resolve to private addresses cannot be checked here (Workers has no resolver API); on
 * Cloudflare, subrequests to private addresses do not leave the edge.
 *
 * `allowPrivate` (the var WEBHOOKS_ALLOW_PRIVATE_URLS=on: local development and tests only) also
 * accepts `http` and private and loopback hosts.
 */
import ipaddr from "ipaddr.js";
import type { FieldIssue } from "../errors";

export const MAX_WEBHOOK_URL = 2048;

const BLOCKED_SUFFIXES = [".localhost", ".local", ".internal", ".home.arpa", ".localdomain"];

function refuse(message: string): FieldIssue {
  return { field: "url", message };
}

/** Why a URL may not receive webhooks, or null when it may. */
export function webhookUrlIssue(text: string, allowPrivate: boolean): FieldIssue | null {
  if (text.length > MAX_WEBHOOK_URL) return refuse(`At most ${MAX_WEBHOOK_URL} characters.`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse("Not an absolute URL.");
  }
  if (url.protocol !== "https:" && !(allowPrivate && url.protocol === "http:")) return refuse("Must be an https URL.");
  if (url.username !== "" || url.password !== "") return refuse("Must not carry credentials; the signature authenticates the sender.");
  if (url.hash !== "") return refuse("Must not have a fragment.");
  if (allowPrivate) return null;
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (ipaddr.isValid(host)) {
    const ip = ipaddr.parse(host);
    return ip.range() === "unicast" ? null : refuse("Must not be a loopback, private, link-local or other special-purpose address.");
  }
  const name = host.replace(/\.$/, "");
  if (!name.includes(".")) return refuse("Must be a public host name (with a domain).");
  if (name === "localhost" || BLOCKED_SUFFIXES.some((s) => name.endsWith(s))) return refuse("Must not be a local or internal host name.");
  return null;
}
