// What the HTTP gateway needs to serve a trunk name: the checked slot as a window of its trunk file.
import { closeSync } from 'node:fs';
import { Errno, StatusError } from '../../errors.js';
import type { StorePaths } from '../store/store-paths.js';
import type { StorageRuntime } from '../runtime.js';
import { openTrunkSlot } from './slot-open.js';
import { trunkExpected, trunkSlotMatches } from './slot-check.js';

/** Slots up to this size are checked against the name's CRC32 on every HTTP read (as small plain copies are). */
const CHECKED = 256 << 10;

export interface TrunkWindow {
  absPath: string;
  start: number;
  size: number;
  mtimeMs: number;
}

/** The slot of a trunk name, checked against its name; null when there is none (free, reused, forged). */
export function trunkWindow(paths: StorePaths, logical: string): TrunkWindow | null {
  try {
    const slot = openTrunkSlot(paths, logical);
    closeSync(slot.fd);
    return { absPath: slot.absPath, start: slot.contentOffset, size: slot.size, mtimeMs: slot.mtime * 1000 };
  } catch (err) {
    if (err instanceof StatusError && (err.errno === Errno.ENOENT || err.errno === Errno.EINVAL)) return null;
    throw err;
  }
}

/**
 * trunkWindow with a small slot's content checked against the name first: a damaged one is repaired from a peer
 * while the client waits, and 'damaged' when no good copy can be had, so a wrong byte is never sent as good.
 */
export async function checkedTrunkWindow(rt: StorageRuntime, logical: string): Promise<TrunkWindow | 'damaged' | null> {
  for (let pass = 0; ; pass++) {
    const w = trunkWindow(rt.paths, logical);
    if (w === null || w.size > CHECKED || trunkSlotMatches(rt.paths, logical)) return w;
    if (pass > 0) return 'damaged';
    const outcome = await rt.content.repairer.repair(logical, trunkExpected(logical), 'its content does not match the CRC32 in its name');
    if (outcome !== 'repaired') return 'damaged';
  }
}
