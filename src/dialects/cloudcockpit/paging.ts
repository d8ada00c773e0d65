/**
 * CloudCockpit's paging (docs/api/cloudcockpit.md#paging): `pageNumber` / `pageSize` and a `continuationToken` that
 * resumes exactly after the last item returned, even when rows are inserted between calls
 * (docs/decisions/cloudcockpit-paging.md). The token is opaque base64url of
 * `[version, kind, query fingerprint, pageNumber, ...sort key of the last item]`; it is not a
 * secret (the keyset only positions a query the caller may run anyway), so it is not signed.
 */
import { z } from "@hono/zod-openapi";
import { intQueryParam } from "../../http/openapi";
import { invalid } from "../../core/errors";
import { decodeCursor, encodeCursor } from "../../core/paging";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_NUMBER, MAX_PAGE_SIZE, Uuid } from "./wire";

const TOKEN_VERSION = 1;
const MAX_TOKEN = 1024;

/** FNV-1a (32 bits) of the query a token belongs to: a token of another query is refused. */
function fingerprint(query: unknown): string {
  let h = 0x811c9dc5;
  for (const ch of JSON.stringify(query)) {
    h ^= ch.codePointAt(0) as number;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

export function makeToken(kind: string, query: unknown, pageNumber: number, key: (string | number | null)[]): string {
  return encodeCursor([TOKEN_VERSION, kind, fingerprint(query), pageNumber, ...key.map((k) => String(k ?? ""))]);
}

const tokenError = (message: string) => invalid("The continuation token is not valid.", [{ field: "continuationToken", message }]);

/** The page number and key a token carries; 400 for anything this API did not issue for this query. */
export function readToken(token: string, kind: string, query: unknown, keyLength: number): { pageNumber: number; key: string[] } {
  let parts: (string | number)[];
  try {
    parts = decodeCursor(token, ["number", "string", "string", "number", ...Array<"string">(keyLength).fill("string")]);
  } catch {
    throw tokenError("Not a token returned by this API.");
  }
  const [version, k, fp, pageNumber, ...key] = parts as [number, string, string, number, ...string[]];
  if (version !== TOKEN_VERSION || k !== kind || !Number.isInteger(pageNumber) || pageNumber < 1 || pageNumber >= MAX_PAGE_NUMBER) {
    throw tokenError("Not a token returned by this API.");
  }
  if (fp !== fingerprint(query)) throw tokenError("The token belongs to another query (sort, search or filters changed).");
  return { pageNumber, key };
}

/** A whole number in a range, from a query string (no signs, exponents or hex). */
function intParam(name: string, min: number, max: number, fallback: number, description: string) {
  const base = z.string({ error: "Must be a whole number." });
  return intQueryParam(base, { name, min, max, fallback, digits: 10, notInteger: "Must be a whole number.", outOfRange: `Must be between ${min} and ${max}.`, description });
}

export const PageNumber = intParam("pageNumber", 1, MAX_PAGE_NUMBER, 1, "1-based page number (ignored with a continuationToken).");
export const PageSize = intParam("pageSize", 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE, `Items per page, at most ${MAX_PAGE_SIZE}.`);
export const ContinuationToken = z
  .string({ error: "Must be a string." })
  .min(1, "Must not be empty.")
  .max(MAX_TOKEN, "Not a token returned by this API.")
  .optional()
  .openapi({ param: { name: "continuationToken", in: "query" }, description: "The continuationToken of the previous page: resumes right after its last item." });

export const PagingQuery = z.object({ pageNumber: PageNumber, pageSize: PageSize, continuationToken: ContinuationToken });

export const UsersQuery = PagingQuery.extend({
  search: z
    .string({ error: "Must be a string." })
    .max(255, "At most 255 characters.")
    .optional()
    .openapi({ param: { name: "search", in: "query" }, description: "Case-insensitive text in the first name, last name or e-mail." }),
  sortPropertyName: z
    .string({ error: "Must be Name or Email." })
    .regex(/^(name|email)$/i, "Must be Name or Email.")
    .optional()
    .transform((s): "Name" | "Email" => (s?.toLowerCase() === "email" ? "Email" : "Name"))
    .openapi({ param: { name: "sortPropertyName", in: "query" }, type: "string", enum: ["Name", "Email"], default: "Name", description: "Name: last name, first name, id. Email: e-mail, id." }),
  ascending: z
    .string({ error: "Must be true or false." })
    .regex(/^(true|false)$/i, "Must be true or false.")
    .optional()
    .transform((s) => s === undefined || s.toLowerCase() === "true")
    .openapi({ param: { name: "ascending", in: "query" }, type: "boolean", default: true }),
  groups: z
    .union([z.string(), z.array(z.string())], { error: "Must be group ids." })
    .transform((v) =>
      (Array.isArray(v) ? v : [v])
        .flatMap((s) => s.split(","))
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    )
    .pipe(z.array(Uuid).min(1, "At least one group id.").max(50, "At most 50 group ids."))
    .optional()
    .openapi({
      param: { name: "groups", in: "query", style: "form", explode: true },
      type: "array",
      items: { type: "string", format: "uuid" },
      minItems: 1,
      maxItems: 50,
      description: "Users in at least one of these groups (repeat the parameter or separate ids by commas), at most 50.",
    }),
  resellerId: Uuid.optional().openapi({
    param: { name: "resellerId", in: "query" },
    description: "Only the users of this reseller (a reseller token is always limited to its own).",
  }),
});

/** A list's query as the token binds it: its kind (what is listed, how sorted) and its filters. */
export interface TokenScope {
  kind: string;
  fingerprint: unknown;
  /** How many sort keys (the id included) a token of this list carries. */
  keyLength: number;
}

/**
 * Where a page starts: right after a continuation token's key (keyset), or at a page number
 * (offset). Both the tenant-wide user list and the groups list read their query this way.
 */
export function pageStart(
  q: { pageNumber: number; pageSize: number; continuationToken?: string | undefined },
  scope: TokenScope,
): { pageNumber: number; page: { kind: "after"; after: string[]; limit: number } | { kind: "offset"; offset: number; limit: number } } {
  if (q.continuationToken !== undefined) {
    const t = readToken(q.continuationToken, scope.kind, scope.fingerprint, scope.keyLength);
    return { pageNumber: t.pageNumber + 1, page: { kind: "after", after: t.key, limit: q.pageSize } };
  }
  return { pageNumber: q.pageNumber, page: { kind: "offset", offset: (q.pageNumber - 1) * q.pageSize, limit: q.pageSize } };
}

/** CloudCockpit's paged envelope (docs/api/cloudcockpit.md#paging) around one page of items. */
export function pagedEnvelope<T>(
  items: T[],
  at: { pageNumber: number; pageSize: number },
  result: { total: number; hasMore: boolean; lastKey: (string | number | null)[] | null },
  scope: TokenScope,
) {
  return {
    items,
    paginationParameters: { pageNumber: at.pageNumber, pageSize: at.pageSize },
    totalPages: Math.ceil(result.total / at.pageSize),
    totalCount: result.total,
    hasPreviousPage: at.pageNumber > 1,
    hasNextPage: result.hasMore,
    continuationToken: result.hasMore && result.lastKey ? makeToken(scope.kind, scope.fingerprint, at.pageNumber, result.lastKey) : null,
  };
}
