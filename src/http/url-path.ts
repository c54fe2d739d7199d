// Request targets of the HTTP gateway: `/[group/]Mxx/HH/HH/name` split into group and logical name, with
// every escape decoded once and the result held to the generated-name alphabet (no traversal in any spelling).

/** What a file request names. `group` is '' when the URL carries none. */
export interface FileTarget {
  group: string;
  logical: string;
}

export interface ParsedTarget {
  /** Decoded path ('' when it could not be decoded). */
  path: string;
  query: URLSearchParams;
  /** The raw query string without `?` ('' when none). */
  rawQuery: string;
}

/** `/group/Mxx/HH/HH/name` or `/Mxx/HH/HH/name`; names use the generated alphabet only (§6). */
const FILE_RE = /^\/(?:([A-Za-z0-9]{1,16})\/)?(M[0-9A-F]{2}\/[0-9A-F]{2}\/[0-9A-F]{2}\/[A-Za-z0-9_-][A-Za-z0-9._-]{0,126})$/;

/** Longest request target accepted (the longest valid one is ~150 bytes plus a query). */
export const MAX_TARGET = 2048;

/** Split `req.url`; null when it is not a decodable origin-form path. */
export function parseTarget(url: string | undefined): ParsedTarget | null {
  if (!url || url.length > MAX_TARGET || url[0] !== '/') return null;
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q + 1);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  return { path, query: new URLSearchParams(rawQuery), rawQuery };
}

/**
 * The file a decoded path names, or null: no `..`, `\`, NUL, `%`, empty or dot-leading segments, absolute
 * paths or anything outside `[A-Za-z0-9._-]` get through (a `%2e%2e` was decoded by parseTarget first, and a
 * double-encoded `%252e` leaves a `%`, which is refused).
 */
export function fileTarget(path: string): FileTarget | null {
  const m = FILE_RE.exec(path);
  if (!m) return null;
  const logical = m[2]!;
  if (logical.includes('..')) return null;
  return { group: m[1] ?? '', logical };
}

/** `?a=b` appended or merged: the same query with `key=value` added (the module's `redirect=1`). */
export function withQueryParam(rawQuery: string, key: string, value: string): string {
  const add = `${encodeURIComponent(key)}=${encodeURIComponent(value)}`;
  return rawQuery ? `${rawQuery}&${add}` : add;
}
