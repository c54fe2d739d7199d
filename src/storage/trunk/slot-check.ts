// Is a trunk slot's content what its name says? A trunk name carries the content's size, CRC32 and time
// (§6.6) just as a normal name does; the slot header is checked on open (slot-open.ts), the content here.
import { closeSync, readSync } from 'node:fs';
import zlib from 'node:zlib';
import { trunkSlotOf } from '../../protocol/trunk-slot.js';
import type { ExpectedContent } from '../repair/content-check.js';
import type { StorePaths } from '../store/store-paths.js';
import { openTrunkSlot } from './slot-open.js';

/** What a trunk name's content must be. */
export function trunkExpected(logical: string): ExpectedContent {
  const { header } = trunkSlotOf(logical);
  return { size: header.fileSize, crc32: header.crc32 >>> 0, timestamp: header.mtime };
}

/** True when the name's slot is live and its content matches the name (a link slot has nothing to check). */
export function trunkSlotMatches(paths: StorePaths, logical: string): boolean {
  let slot;
  try {
    slot = openTrunkSlot(paths, logical, false);
  } catch {
    return false;
  }
  try {
    if (slot.viaLink) return true;
    const buf = Buffer.allocUnsafe(Math.max(1, Math.min(slot.size, 256 << 10)));
    let crc = 0;
    for (let done = 0; done < slot.size;) {
      const n = readSync(slot.fd, buf, 0, Math.min(buf.length, slot.size - done), slot.contentOffset + done);
      if (n === 0) return false;
      crc = zlib.crc32(buf.subarray(0, n), crc);
      done += n;
    }
    return (crc >>> 0) === (slot.ref.header.crc32 >>> 0);
  } finally {
    closeSync(slot.fd);
  }
}
