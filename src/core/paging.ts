import { invalid } from "./errors";

/** Admin API pages (docs/api/admin-api.md#paging): `limit` defaults to 50, at most 200. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

/**
 * Opaque cursor: base64url of the sort key of the last item returned, prefixed by the list it
 * belongs to (`scope`, e.g. `projects:<tenantId>`), so a cursor of another list or another
 * tenant is refused instead of silently positioning this list somewhere.
 */
export function encodeCursor(key: readonly (string | number)[], scope?: string): string {
  const bytes = new TextEncoder().encode(JSON.stringify(scope === undefined ? key : [scope, ...key]));
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Decodes a cursor made by encodeCursor with the given key shape and scope; anything else —
 * including a cursor of another list or tenant — is INVALID (never a 500, never a silent restart
 * from page 1).
 */
export function decodeCursor(cursor: string, shape: readonly ("string" | "number")[], scope?: string): (string | number)[] {
  const fail = () => invalid("The cursor is not valid.", [{ field: "cursor", message: "Not a cursor returned by this API." }]);
  if (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw fail();
  let parsed: unknown;
  try {
    const bin = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    parsed = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (ch) => ch.charCodeAt(0))));
  } catch {
    throw fail();
  }
  if (!Array.isArray(parsed)) throw fail();
  if (scope !== undefined) {
    if (parsed[0] !== scope) throw fail();
    parsed = parsed.slice(1);
  }
  const key = parsed as unknown[];
  if (key.length !== shape.length) throw fail();
  key.forEach((v, i) => {
    if (typeof v !== shape[i]) throw fail();
    // JSON has no NaN/Infinity, but 1e999 parses to Infinity, which D1 cannot bind.
    if (typeof v === "number" && !Number.isFinite(v)) throw fail();
  });
  return key as (string | number)[];
}

/** A page read with one extra row tells whether another page follows, without a count query. */
export function splitPage<T>(rows: T[], limit: number, keyOf: (row: T) => (string | number)[], scope?: string): { data: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { data: rows, nextCursor: null };
  const data = rows.slice(0, limit);
  return { data, nextCursor: encodeCursor(keyOf(data[data.length - 1] as T), scope) };
}
