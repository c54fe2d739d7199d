// Loads the captured packets under test/fixtures/wire/: `#` comment lines (what was captured, with which
// stock tool and version), then hex; whitespace, a leading offset column and a trailing |ascii| are ignored.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hex } from './hex.js';

export const WIRE_DIR = fileURLToPath(new URL('../fixtures/wire/', import.meta.url));
const cache = new Map<string, Buffer>();

/** The bytes of `test/fixtures/wire/<name>.hex` (a fresh copy: callers may mutate it). */
export function wire(name: string): Buffer {
  let bytes = cache.get(name);
  if (!bytes) {
    const text = readFileSync(`${WIRE_DIR}${name}.hex`, 'utf8');
    bytes = hex(text.split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n'));
    if (bytes.length === 0) throw new Error(`wire fixture ${name} holds no bytes`);
    cache.set(name, bytes);
  }
  return Buffer.from(bytes);
}

/** Every fixture name (without `.hex`), sorted. */
export function wireNames(): string[] {
  return readdirSync(WIRE_DIR).filter((f) => f.endsWith('.hex')).map((f) => f.slice(0, -4)).sort();
}
