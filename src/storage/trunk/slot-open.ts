// Opening the slot a trunk name points at (§6.6, §11.5): the container `data/HH/HH/<id>`, the 24-byte header
// at the slot's offset rebuilt from the name and compared byte for byte. Anything else — no container, a
// short read, a free (zeroed) slot, a slot reused by another file, a forged offset or size — is ENOENT:
// another file's bytes are never served under a name.
import { zeroAt } from './container.js';
import { closeSync, fdatasyncSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { Errno, StatusError } from '../../errors.js';
import { MAX_LOGIC_FILENAME_LEN } from '../../protocol/codes.js';
import {
  encodeSlotHeader, isTrunkName, SLOT_HEADER_SIZE, SlotType, trunkContainerName, trunkSlotOf, type TrunkSlotRef,
} from '../../protocol/trunk-slot.js';
import type { StorePaths } from '../store/store-paths.js';

/** An open, checked slot (or, behind a link slot, a plain file). The caller closes `fd`. */
export interface OpenSlot {
  fd: number;
  /** The container (or plain file) path. */
  absPath: string;
  /** Where the content starts in `absPath`. */
  contentOffset: number;
  /** Content size. */
  size: number;
  /** The name's timestamp, Unix seconds (a plain link target: its mtime). */
  mtime: number;
  ref: TrunkSlotRef;
  /** True when the name's slot is a link slot ('L'); the other fields then describe its target. */
  viaLink: boolean;
}

const gone = (logical: string, why: string) => new StatusError(Errno.ENOENT, `${logical}: not found (${why})`);

/** The container path of a slot. */
export function containerPath(paths: StorePaths, ref: TrunkSlotRef): string {
  return paths.at(ref.storePathIndex, ref.subHigh, ref.subLow, trunkContainerName(ref.trunk.fileId)).absPath;
}

/** Read and check the slot header; returns the slot type ('F' or 'L'). Closes nothing. */
function checkHeader(fd: number, ref: TrunkSlotRef, logical: string): number {
  const { trunk, header } = ref;
  if (trunk.fileId <= 0 || trunk.offset < 0 || header.fileSize + SLOT_HEADER_SIZE > trunk.size) {
    throw gone(logical, 'its trunk location is not valid');
  }
  const got = Buffer.alloc(SLOT_HEADER_SIZE);
  let n = 0;
  while (n < SLOT_HEADER_SIZE) {
    const r = readSync(fd, got, n, SLOT_HEADER_SIZE - n, trunk.offset + n);
    if (r === 0) throw gone(logical, 'its slot is beyond the end of the trunk file');
    n += r;
  }
  const type = got[0]!;
  if (type !== SlotType.Regular && type !== SlotType.Link) throw gone(logical, 'its trunk slot is free');
  const want = encodeSlotHeader({ ...header, type });
  if (!want.equals(got)) throw gone(logical, 'its trunk slot holds another file');
  if (fstatSync(fd).size < trunk.offset + SLOT_HEADER_SIZE + header.fileSize) throw gone(logical, 'its trunk file is cut short');
  return type;
}

function openContainer(paths: StorePaths, ref: TrunkSlotRef, logical: string, flags: 'r' | 'r+'): { fd: number; absPath: string } {
  const absPath = containerPath(paths, ref);
  try {
    return { fd: openSync(absPath, flags), absPath };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw gone(logical, 'its trunk file does not exist');
    throw new StatusError(Errno.EIO, `${logical}: trunk file: ${(err as Error).message}`);
  }
}

/**
 * Open a trunk name's slot for reading. A link slot ('L') is followed one level to its target (a trunk or a
 * plain name of this storage) unless `follow` is false.
 */
export function openTrunkSlot(paths: StorePaths, logical: string, follow = true): OpenSlot {
  const ref = trunkSlotOf(logical);
  const { fd, absPath } = openContainer(paths, ref, logical, 'r');
  try {
    const type = checkHeader(fd, ref, logical);
    const slot: OpenSlot = {
      fd, absPath, contentOffset: ref.trunk.offset + SLOT_HEADER_SIZE, size: ref.header.fileSize,
      mtime: ref.header.mtime, ref, viaLink: type === SlotType.Link,
    };
    if (!slot.viaLink || !follow) return slot;
    const target = readContent(slot, MAX_LOGIC_FILENAME_LEN - 1).toString('latin1');
    closeSync(fd);
    return { ...openTarget(paths, target, logical), ref, viaLink: true };
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed after a link was read
    }
    throw err;
  }
}

function openTarget(paths: StorePaths, target: string, logical: string): Omit<OpenSlot, 'ref' | 'viaLink'> {
  if (isTrunkName(target)) {
    const t = openTrunkSlot(paths, target, false);
    if (t.viaLink) {
      closeSync(t.fd);
      throw gone(logical, 'its link points at another link');
    }
    return t;
  }
  let absPath: string;
  try {
    absPath = paths.resolve(target).absPath;
  } catch {
    throw gone(logical, 'its link slot names no valid file');
  }
  let fd: number;
  try {
    fd = openSync(absPath, 'r');
  } catch {
    throw gone(logical, 'the file its link slot names does not exist');
  }
  const st = fstatSync(fd);
  return { fd, absPath, contentOffset: 0, size: st.size, mtime: Math.floor(st.mtimeMs / 1000) };
}

/** The whole content of a small slot (≤ limit bytes), e.g. a link slot's target name. */
export function readContent(slot: OpenSlot, limit: number): Buffer {
  if (slot.size > limit) throw new StatusError(Errno.EIO, `trunk slot content of ${slot.size} bytes is larger than ${limit}`);
  const buf = Buffer.alloc(slot.size);
  let n = 0;
  while (n < slot.size) {
    const r = readSync(slot.fd, buf, n, slot.size - n, slot.contentOffset + n);
    if (r === 0) throw new StatusError(Errno.EIO, 'trunk file shrank while being read');
    n += r;
  }
  return buf;
}

/** Check that a trunk name's slot is live (ENOENT otherwise) without following a link; closes what it opened. */
export function checkTrunkSlot(paths: StorePaths, logical: string): OpenSlot {
  const slot = openTrunkSlot(paths, logical, false);
  closeSync(slot.fd);
  return slot;
}

/**
 * Zero a live slot (stock frees a deleted file's slot this way, so its header reads as free): returns its
 * location, or ENOENT when the slot is not this name's.
 */
export function zeroTrunkSlot(paths: StorePaths, logical: string): TrunkSlotRef {
  const ref = trunkSlotOf(logical);
  const { fd } = openContainer(paths, ref, logical, 'r+');
  try {
    checkHeader(fd, ref, logical);
    zeroAt(fd, ref.trunk.offset, ref.trunk.size);
    return ref;
  } finally {
    closeSync(fd);
  }
}

/**
 * Put a good copy's content (the file `source`, exactly the slot's size, already checked against the name) into
 * this name's slot. The header is checked in the same synchronous step as the write, so a slot freed or reused
 * meanwhile is left alone (ENOENT). Link slots are never rewritten.
 */
export function restoreTrunkSlot(paths: StorePaths, logical: string, source: string): void {
  const ref = trunkSlotOf(logical);
  const { fd } = openContainer(paths, ref, logical, 'r+');
  let src = -1;
  try {
    if (checkHeader(fd, ref, logical) !== SlotType.Regular) throw new StatusError(Errno.EINVAL, `${logical}: a link slot is not restored`);
    src = openSync(source, 'r');
    const size = ref.header.fileSize;
    const at = ref.trunk.offset + SLOT_HEADER_SIZE;
    const buf = Buffer.allocUnsafe(Math.max(1, Math.min(size, 256 << 10)));
    for (let done = 0; done < size;) {
      const n = readSync(src, buf, 0, Math.min(buf.length, size - done), done);
      if (n === 0) throw new StatusError(Errno.EIO, `${logical}: the fetched copy is shorter than its slot`);
      writeAllSync(fd, buf, n, at + done);
      done += n;
    }
    fdatasyncSync(fd);
  } finally {
    if (src >= 0) closeSync(src);
    closeSync(fd);
  }
}

function writeAllSync(fd: number, buf: Buffer, length: number, position: number): void {
  let done = 0;
  while (done < length) done += writeSync(fd, buf, done, length - done, position + done);
}
