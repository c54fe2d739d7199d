// What a storage holds under one directory, as names with sizes and as digests of its leaf directories (122
// DIR_DIGESTS): two members compare digests first and list only the leaves where they differ. Temp files
// (`.…`) and metadata sidecars (`…-m`) are not files of the group; a link counts with its target's size.
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { METADATA_SUFFIX } from '../../protocol/file-id.js';
import type { LeafDigest } from '../../protocol/dir-digests.js';

const HEX2_RE = /^[0-9A-F]{2}$/;

/** The group's files in one leaf directory: name → size, sorted by name. */
export async function leafFiles(leafDir: string): Promise<Map<string, number>> {
  let names: string[];
  try {
    names = (await readdir(leafDir, { withFileTypes: true }))
      .filter((e) => !e.isDirectory() && !e.name.startsWith('.') && !e.name.endsWith(METADATA_SUFFIX)).map((e) => e.name).sort();
  } catch {
    return new Map();
  }
  const out = new Map<string, number>();
  for (const name of names) {
    const st = await stat(path.join(leafDir, name)).catch(() => null);
    if (st?.isFile()) out.set(name, st.size);
  }
  return out;
}

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
