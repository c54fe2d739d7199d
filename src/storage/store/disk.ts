// Disk space of the store paths (total/free MB via fs.statfs, free = space available to non-root, spec
// §8.5.2) and the per-path reserved-space check of an upload (§10.2).
import { statfsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import type { ReservedSpace } from '../../config/values.js';

export interface PathUsage {
  totalMb: number;
  freeMb: number;
}

const MB = 1024 * 1024;

export async function pathUsage(dir: string): Promise<PathUsage> {
  return usageOf(await statfs(dir));
}

function usageOf(s: { blocks: number; bsize: number; bavail: number }): PathUsage {
  return { totalMb: Math.floor((s.blocks * s.bsize) / MB), freeMb: Math.floor((s.bavail * s.bsize) / MB) };
}

/** How long a statfs answer is reused: every upload checks free space, a syscall each is wasteful. */
const USAGE_MAX_AGE_MS = 1000;
/** `known`: the answer once it came (knownPathUsage serves it without waiting). */
const recent = new Map<string, { at: number; usage: Promise<PathUsage>; known: PathUsage | undefined }>();

/** Usage of every store path, in index order (at most 1 s old); a path that cannot be read counts as 0/0. */
export async function allPathUsage(dirs: readonly string[]): Promise<PathUsage[]> {
  const now = Date.now();
  return Promise.all(dirs.map((d) => {
    const hit = recent.get(d);
    if (hit && now - hit.at < USAGE_MAX_AGE_MS) return hit.usage;
    const usage = pathUsage(d).catch(() => ({ totalMb: 0, freeMb: 0 }));
    // `known` from the start (not added later): every entry keeps one shape, which the upload path's optimized
    // code reads without being thrown away by the first entry still waiting for its answer.
    const entry: { at: number; usage: Promise<PathUsage>; known: PathUsage | undefined } = { at: now, usage, known: undefined };
    void usage.then((u) => {
      entry.known = u;
    });
    recent.set(d, entry);
    return usage;
  }));
}

/**
 * Usage of every store path at most 1 s old, for the synchronous upload path: a stale one is asked again here
 * (one statfs a second, far cheaper than sending that second's first upload down the asynchronous path).
 */
export function knownPathUsage(dirs: readonly string[]): PathUsage[] {
  const now = Date.now();
  const out: PathUsage[] = [];
  for (const d of dirs) {
    const hit = recent.get(d);
    if (hit?.known !== undefined && now - hit.at < USAGE_MAX_AGE_MS) {
      out.push(hit.known);
      continue;
    }
    let known: PathUsage;
    try {
      known = usageOf(statfsSync(d));
    } catch {
      known = { totalMb: 0, freeMb: 0 };
    }
    recent.set(d, { at: now, usage: Promise.resolve(known), known });
    out.push(known);
  }
  return out;
}

/**
 * Per-store-path check (§10.2), with the upload's size taken off the free space first:
 * absolute: `free − size/1MiB > reserved_mb / store_path_count`; ratio: `(free − size/1MiB) / total > ratio`.
 */
export function pathHasRoom(u: PathUsage, reserved: ReservedSpace, pathCount: number, fileSize = 0): boolean {
  const free = u.freeMb - Math.floor(fileSize / MB);
  if (reserved.kind === 'mb') return free > reserved.mb / Math.max(pathCount, 1);
  return u.totalMb > 0 && free / u.totalMb > reserved.ratio;
}
