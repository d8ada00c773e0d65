import { invalid } from "./errors";

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

/** Opaque cursor: base64url of the sort key of the last item returned. */
export function encodeCursor(key: readonly (string | number)[]): string {
  const bytes = new TextEncoder().encode(JSON.stringify(key));
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Decodes a cursor made by encodeCursor with the given key shape; anything else is INVALID
 * (never a 500, never a silent restart from page 1).
 */
export function decodeCursor(cursor: string, shape: readonly ("string" | "number")[]): (string | number)[] {
  const fail = () => invalid("The cursor is not valid.", [{ field: "cursor", message: "Not a cursor returned by this API." }]);
  if (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw fail();
  let parsed: unknown;
  try {
    const bin = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    parsed = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (ch) => ch.charCodeAt(0))));
  } catch {
    throw fail();
  }
  if (!Array.isArray(parsed) || parsed.length !== shape.length) throw fail();
  parsed.forEach((v, i) => {
    if (typeof v !== shape[i]) throw fail();
  });
  return parsed as (string | number)[];
}

/** A page read with one extra row tells whether another page follows, without a count query. */
export function splitPage<T>(rows: T[], limit: number, keyOf: (row: T) => (string | number)[]): { data: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { data: rows, nextCursor: null };
  const data = rows.slice(0, limit);
  return { data, nextCursor: encodeCursor(keyOf(data[data.length - 1] as T)) };
}
