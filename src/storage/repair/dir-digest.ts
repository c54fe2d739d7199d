// What a storage holds under one directory, as names with sizes and as digests of its leaf directories (122
// DIR_DIGESTS): two members compare digests first and list only the leaves where they differ. Temp files
// (`.…`), metadata sidecars (`…-m`) and trunk containers (`000001`, created in advance or deleted as unused on one
// member only) are not files of the group, as in 26's listing; a link counts with its target's size.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { METADATA_SUFFIX } from '../../protocol/file-id.js';
import type { LeafDigest } from '../../protocol/dir-digests.js';
import { TRUNK_CONTAINER_RE } from '../../protocol/trunk-slot.js';

const HEX2_RE = /^[0-9A-F]{2}$/;

/** Whether a directory entry's name is one of the group's files (not a temp file, sidecar or trunk container). */
export function isGroupFileName(name: string): boolean {
  return !name.startsWith('.') && !name.endsWith(METADATA_SUFFIX) && !TRUNK_CONTAINER_RE.test(name);
}

/** The group's files in one leaf directory: name → size, sorted by name. */
export async function leafFiles(leafDir: string): Promise<Map<string, number>> {
  let names: string[];
  try {
    names = (await readdir(leafDir, { withFileTypes: true }))
      .filter((e) => !e.isDirectory() && isGroupFileName(e.name)).map((e) => e.name).sort();
  } catch {
    return new Map();
  }
  const out = new Map<string, number>();
  for (let i = 0; i < names.length; i++) {
    // Blocking stats (a few µs each, where a thread-pool stat costs several times that in callbacks), a slice at
    // a time so that requests on the same event loop wait at most about a millisecond.
    if (i > 0 && i % STAT_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    let st;
    try {
      st = statSync(`${leafDir}/${names[i]!}`, { throwIfNoEntry: false });
    } catch {
      continue;
    }
    if (st?.isFile()) out.set(names[i]!, st.size);
  }
  return out;
}

/** Files stat'ed between two turns of the event loop. */
const STAT_SLICE = 256;

/** Digests of the leaf directories under `<dataDir>/<high>` that hold files, by leaf name. */
export async function leafDigests(dataDir: string, high: string): Promise<LeafDigest[]> {
  const top = path.join(dataDir, high);
  let leaves: string[];
  try {
    leaves = (await readdir(top, { withFileTypes: true })).filter((e) => e.isDirectory() && HEX2_RE.test(e.name)).map((e) => e.name).sort();
  } catch {
    return [];
  }
  const out: LeafDigest[] = [];
  for (const leaf of leaves) {
    const files = await leafFiles(path.join(top, leaf));
    if (!files.size) continue;
    const h = createHash('sha1');
    for (const [name, size] of files) h.update(`${name} ${size}\n`);
    out.push({ leaf, digest: h.digest('hex').slice(0, 16), count: files.size });
  }
  return out;
}
