// mime.types (Apache format, `http.mime_types_filename`): `type ext1 ext2 …` lines into an
// extension → Content-Type map for the HTTP gateway.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';

/** Lower-case extension (no dot) → MIME type; a later line wins for a repeated extension. */
export function parseMimeTypes(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const l = raw.trim();
    if (l === '' || l.startsWith('#')) continue;
    const [type, ...exts] = l.split(/\s+/);
    if (!type || !type.includes('/')) continue;
    for (const e of exts) map.set(e.toLowerCase().replace(/^\./, ''), type);
  }
  return map;
}

export function loadMimeTypes(path: string): Map<string, string> {
  const file = resolve(path);
  try {
    return parseMimeTypes(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read MIME types file: ${(err as Error).message}`, file);
  }
}
