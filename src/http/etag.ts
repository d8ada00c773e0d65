/**
 * ETags on users (docs/concurrency.md#etags): the headers of a user's GET, PATCH, DELETE and create
 * on every surface. A user's strong ETag is `"<id>.<version>"` (src/core/users/preconditions.ts).
 *  - GET answers `ETag`; `If-None-Match` naming it (or `*`) answers 304 with no body;
 *  - PATCH and DELETE take `If-Match` (`*`: the user exists; else one of the listed tags, compared
 *    strongly: a weak tag never matches) — checked in the write's own SQL guard — 412 when stale,
 *    428 when the user's tenant requires it and none was sent; PATCH answers the new `ETag`;
 *  - a create answers the new user's `ETag`.
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { userTag, type Preconditions } from "../core/users/preconditions";
import type { AppEnv } from "./types";

/** `*` or a comma-separated list of entity tags (RFC 9110 §8.8.3), weak or strong. */
const TAG = String.raw`(?:W/)?"[\x21\x23-\x7E]*"`;
// OWS is spaces and tabs (RFC 9110 §5.6.3).
const TAG_LIST = new RegExp(String.raw`^[ \t]*(?:\*|${TAG}(?:[ \t]*,[ \t]*${TAG})*)[ \t]*$`);
const TAGS = /(W\/)?"([\x21\x23-\x7E]*)"/g;

const tagListHeader = (name: string, description: string) =>
  z
    .string()
    .regex(TAG_LIST, "Must be * or a list of entity tags, e.g. \"<id>.<version>\".")
    .optional()
    .openapi({ param: { name, in: "header", description }, example: '"9b7f3a8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b.3"' });

/** The request header of a user's PATCH and DELETE. */
export const IfMatchHeaders = z.object({
  "If-Match": tagListHeader(
    "If-Match",
    "Only if the user is still at this version: its ETag (from a GET, a create or a PATCH), or `*` for \"exists\". Stale: 412 and nothing changes. The check and the write are one statement. Required (428 without it) when the tenant sets requireIfMatch.",
  ),
});

/** The request header of a user's GET. */
export const IfNoneMatchHeaders = z.object({
  "If-None-Match": tagListHeader("If-None-Match", "The ETag of a copy the client holds: while the user is unchanged, the answer is 304 with no body."),
});

/** `ETag` in /doc, on the responses that carry it. */
export const ETAG_HEADER = { description: 'The user\'s strong entity tag: "<id>.<version>"; every change to the user makes a new one.', schema: { type: "string" as const } };

/** The listed tags of a header: strong ones, or all of them (weak comparison). */
function tags(header: string, weakToo: boolean): string[] {
  return [...header.matchAll(TAGS)].filter((m) => weakToo || m[1] === undefined).map((m) => m[2] as string);
}

/** What a user write asks (If-Match), as the core takes it. */
export function preconditions(c: Context<AppEnv>): Preconditions {
  const h = c.req.header("if-match");
  if (h === undefined) return {};
  return { ifMatch: h.trim() === "*" ? "*" : tags(h, false) };
}

/** The ETag header's value for a user. */
export function etag(u: { id: string; version: number }): string {
  return `"${userTag(u)}"`;
}

/** A user's response with its ETag. */
export function tagged<T extends Response>(res: T, u: { id: string; version: number }): T {
  res.headers.set("ETag", etag(u));
  return res;
}

/** A user's GET: 304 (no body, its ETag) when If-None-Match names the user as it is; else the rendered response with its ETag. */
export function conditionalGet<T extends Response>(c: Context<AppEnv>, u: { id: string; version: number }, render: () => T): T {
  const h = c.req.header("if-none-match");
  if (h !== undefined && (h.trim() === "*" || tags(h, true).includes(userTag(u)))) {
    // The 304 is documented by the route (surfaceRoute adds it); its type is the route's own.
    return new Response(null, { status: 304, headers: { ETag: etag(u) } }) as T;
  }
  return tagged(render(), u);
}
