// The files of a storage, read from its store paths (`<store_path>/data/HH/HH/`) in one fixed order — store
// path, then the two hex levels, then names, each sorted — one leaf directory in memory at a time, so the
// listing stays flat however many files there are and a page can resume after the last name it gave.
// Temp files (`.…tmp`), metadata sidecars (`…-m`) and trunk files (`000001`) are not files of the group; a sidecar's `filename`
// record becomes the listed file's original name.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ORIGINAL_NAME_KEY, type ListedFile } from '../../protocol/list-files.js';
import { METADATA_SUFFIX as META_SUFFIX, peekFileName } from '../../protocol/file-id.js';
import { parseRecords } from '../handlers/metadata.js';
import { hex2 } from '../store/store-paths.js';
import { TRUNK_CONTAINER_RE } from '../../protocol/trunk-slot.js';

const HEX2_RE = /^[0-9A-F]{2}$/;

export interface WalkOptions {
  /** Only files whose time is ≥ since (Unix seconds); 0 = all. */
  since?: number;
  /** Only logical names starting with this. */
  prefix?: string;
  /** Resume strictly after this logical name. */
  after?: string;
  /** Stop early (connection gone, storage stopping). */
  signal?: AbortSignal;
}

async function sortedNames(dir: string, dirs: boolean): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  // A leaf holds ordinary files and symlinks (links); its parents hold directories.
  return entries.filter((e) => (dirs ? e.isDirectory() : !e.isDirectory())).map((e) => e.name).sort();
}

/** True when some name under `dir` (a logical prefix ending in '/') may start with `prefix`. */
function mayMatch(dir: string, prefix: string): boolean {
  return dir.startsWith(prefix) || prefix.startsWith(dir);
}

/** The files under the data directories (index = store path index), in walk order. */
export async function* walkFiles(dataDirs: string[], o: WalkOptions = {}): AsyncGenerator<ListedFile> {
  const prefix = o.prefix ?? '';
  const after = o.after ?? '';
  for (let index = 0; index < dataDirs.length; index++) {
    const m = `M${hex2(index)}/`;
    if (!mayMatch(m, prefix) || (after && m < after.slice(0, m.length))) continue;
    const data = dataDirs[index]!;
    for (const high of await sortedNames(data, true)) {
      const h = `${m}${high}/`;
      if (!HEX2_RE.test(high) || !mayMatch(h, prefix) || (after && h < after.slice(0, h.length))) continue;
      for (const low of await sortedNames(path.join(data, high), true)) {
        const leaf = `${h}${low}/`;
        if (!HEX2_RE.test(low) || !mayMatch(leaf, prefix) || (after && leaf < after.slice(0, leaf.length))) continue;
        if (o.signal?.aborted) return;
        yield* leafFiles(path.join(data, high, low), leaf, prefix, after, o.since ?? 0);
      }
    }
  }
}

async function* leafFiles(dir: string, leaf: string, prefix: string, after: string, since: number): AsyncGenerator<ListedFile> {
  const names = await sortedNames(dir, false);
  const present = new Set(names);
  for (const file of names) {
    // Trunk files (`000001`) hold other files' slots: they are no file of the group themselves.
    if (file.startsWith('.') || file.endsWith(META_SUFFIX) || TRUNK_CONTAINER_RE.test(file)) continue;
    const name = `${leaf}${file}`;
    if (!name.startsWith(prefix) || (after && name <= after)) continue;
    const st = await stat(path.join(dir, file)).catch(() => null);
    if (!st || !st.isFile()) continue; // gone since readdir, or a dangling link
    const facts = nameFacts(name);
    const time = facts?.time ?? Math.floor(st.mtimeMs / 1000);
    if (time < since) continue;
    const entry: ListedFile = { name, size: st.size, time, crc32: facts?.crc32 ?? null };
    if (present.has(file + META_SUFFIX)) {
      const original = await originalName(path.join(dir, file + META_SUFFIX));
      if (original !== null) entry.filename = original;
    }
    yield entry;
  }
}

function nameFacts(name: string): { time: number; crc32: string | null } | null {
  try {
    const info = peekFileName(name);
    if (!info) return null;
    const fixed = info.kind === 'normal' || info.kind === 'trunk';
    return { time: info.timestamp, crc32: fixed ? info.crc32.toString(16).padStart(8, '0') : null };
  } catch {
    return null;
  }
}

async function originalName(sidecar: string): Promise<string | null> {
  const buf = await readFile(sidecar).catch(() => null);
  const rec = parseRecords(buf).get(ORIGINAL_NAME_KEY);
  return rec ? rec[1].toString('utf8') : null;
}
