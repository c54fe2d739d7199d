// A whole small file in a trunk slot read in one synchronous step for the inline download and the HTTP
// gateway: its trunk file kept open, one read of slot header and content together, the header compared with
// the one the name implies and the content with the name's CRC. Anything else (a link slot, a range, damage, not found) is
// null, and the full path (read-handlers.ts) answers it.
import { openSync, readSync } from 'node:fs';
import { encodeSlotHeader, SLOT_HEADER_SIZE, SlotType, trunkSlotOf, type TrunkSlotRef } from '../../protocol/trunk-slot.js';
import zlib from 'node:zlib';
import type { StorePaths } from '../store/store-paths.js';
import { containerPath } from './slot-open.js';
import { FdCache } from './fd-cache.js';
import { fastPath } from '../../native/fastpath.js';

/** Trunk files kept open for reading (trunk files are never removed while their storage serves). */
const readFds = new FdCache(64);

/** slot offset, slot size, file size, CRC, mtime (native/fastpath.c readTrunkSlot). */
const slotParams = new Int32Array(5);

/** `data`: the content with `headroom` spare bytes in front (at most the slot header's 24). */
export function readTrunkSmall(paths: StorePaths, logical: string, offset: number, length: number, headroom: number, maxLength: number):
  { data: Buffer; fileSize: number; mtimeMs: number } | null {
  let ref: TrunkSlotRef;
  try {
    ref = trunkSlotOf(logical);
  } catch {
    return null;
  }
  const size = ref.header.fileSize;
  const whole = offset === 0 && (length === 0 || length >= size);
  if (!whole || size > maxLength || headroom > SLOT_HEADER_SIZE) return null;
  if (ref.trunk.fileId <= 0 || ref.trunk.offset < 0 || size + SLOT_HEADER_SIZE > ref.trunk.size) return null;
  let fd: number;
  try {
    // Used only within this synchronous call: no other read can close it meanwhile.
    const file = containerPath(paths, ref);
    fd = readFds.get(file, () => openSync(file, 'r'));
  } catch {
    return null;
  }
  const native = fastPath();
  if (native) {
    const p = slotParams;
    p[0] = ref.trunk.offset;
    p[1] = ref.trunk.size;
    p[2] = size;
    p[3] = ref.header.crc32;
    p[4] = ref.header.mtime;
    const buf = native.readTrunkSlot(fd, ref.header.x7, p);
    if (typeof buf === 'number') return null;
    return { data: buf.subarray(SLOT_HEADER_SIZE - headroom), fileSize: size, mtimeMs: ref.header.mtime * 1000 };
  }
  try {
    const buf = Buffer.allocUnsafe(SLOT_HEADER_SIZE + size);
    for (let got = 0; got < buf.length;) {
      const r = readSync(fd, buf, got, buf.length - got, ref.trunk.offset + got);
      if (r === 0) return null;
      got += r;
    }
    if (buf[0] !== SlotType.Regular) return null;
    if (!encodeSlotHeader({ ...ref.header, type: SlotType.Regular }).equals(buf.subarray(0, SLOT_HEADER_SIZE))) return null;
    if ((zlib.crc32(buf.subarray(SLOT_HEADER_SIZE)) >>> 0) !== ref.header.crc32) return null;
    return { data: buf.subarray(SLOT_HEADER_SIZE - headroom), fileSize: size, mtimeMs: ref.header.mtime * 1000 };
  } catch {
    return null;
  }
}
