// What the HTTP gateway needs to serve a trunk name: the checked slot as a window of its trunk file.
import { closeSync } from 'node:fs';
import { Errno, StatusError } from '../../errors.js';
import type { StorePaths } from '../store/store-paths.js';
import { openTrunkSlot } from './slot-open.js';

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
