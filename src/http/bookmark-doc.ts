/**
 * `X-D1-Bookmark` in /doc: every operation of every surface takes it and every response carries it
 * (the request context sets it, src/http/middleware.ts), so it is added to the document once here
 * rather than declared by each route (docs/scaling.md#bookmarks).
 */
import { BOOKMARK_PATTERN } from "../db/client";
import { BOOKMARK_HEADER } from "./middleware";

const PARAMETER = {
  name: BOOKMARK_HEADER,
  in: "header",
  required: false,
  description:
    "Read-your-writes across requests: the `X-D1-Bookmark` of an earlier response, sent back as it came. The request then reads data at least as fresh as that response left it, whichever surface or location answers. Anything else is refused with 400 in the surface's error body.",
  schema: { type: "string", pattern: BOOKMARK_PATTERN.source, example: "00000085-0000024c-00004c6d-8e61117bf38d7adb71b934ebbf891683" },
};

const HEADER = {
  description:
    "The latest D1 bookmark of this request's session (absent when the request did not reach the database). Send it back in `X-D1-Bookmark` to read at least this fresh.",
  schema: { type: "string", pattern: BOOKMARK_PATTERN.source },
};

type Operation = { parameters?: unknown[]; responses?: Record<string, { headers?: Record<string, unknown> }> };
const METHODS = new Set(["get", "put", "post", "delete", "patch", "head", "options"]);

export function withBookmarks<D extends object>(doc: D): D {
  const paths = (doc as { paths?: Record<string, object> }).paths ?? {};
  for (const item of Object.values(paths)) {
    for (const [method, op] of Object.entries(item) as [string, Operation][]) {
      if (!METHODS.has(method)) continue;
      op.parameters = [...(op.parameters ?? []), PARAMETER];
      for (const response of Object.values(op.responses ?? {})) response.headers = { ...response.headers, [BOOKMARK_HEADER]: HEADER };
    }
  }
  return doc;
}
