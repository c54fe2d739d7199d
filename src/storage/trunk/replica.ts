// Replication of trunk files (spec §9.5): a peer gets a trunk file into the same trunk file, offset and slot
// as its source (the name says where), the content first and the header last; deletes zero the slot. The
// sender reads the slot's content (openSlotHandle); the receiver's 16 / 17 / 19 hand trunk names over here (19:
// a link slot, its content the target's name, as stock's receiver writes it).
import { closeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Errno, StatusError } from '../../errors.js';
import { encodeSlotHeader, SLOT_HEADER_SIZE, SlotType, trunkSlotOf } from '../../protocol/trunk-slot.js';
import type { StorageRuntime } from '../runtime.js';
import type { StorePaths } from '../store/store-paths.js';
import { openContainer, writeAllAt } from './container.js';
import { trunkSettings } from './settings.js';
import { fileHeaderAt } from './occupied.js';
import { checkTrunkSlot, openTrunkSlot, zeroTrunkSlot } from './slot-open.js';

/** A live slot opened for sending: its container, where the content starts, its size; null when not live. */
export async function openSlotHandle(paths: StorePaths, logical: string): Promise<{ fh: FileHandle; start: number; size: number } | null> {
  let slot;
  try {
    slot = openTrunkSlot(paths, logical, false);
  } catch (err) {
    if (err instanceof StatusError && err.errno === Errno.ENOENT) return null;
    throw err;
  }
  closeSync(slot.fd);
  try {
    return { fh: await open(slot.absPath, 'r'), start: slot.contentOffset, size: slot.size };
  } catch {
    return null;
  }
}

/** True when this storage holds the live slot of `logical`. */
export function hasTrunkFile(paths: StorePaths, logical: string): boolean {
  try {
    checkTrunkSlot(paths, logical);
    return true;
  } catch {
    return false;
  }
}

/** True when this storage holds `logical`'s live slot and it is a link slot. */
export function hasTrunkLink(paths: StorePaths, logical: string): boolean {
  try {
    return checkTrunkSlot(paths, logical).viaLink;
  } catch {
    return false;
  }
}

/** 19 on a trunk name: its link slot ('L', content `target`'s name) at the place the name says. The caller holds the name's lock. */
export function writeTrunkLinkReplica(rt: StorageRuntime, logical: string, target: string): Promise<void> {
  const content = Buffer.from(target, 'latin1');
  const body = (async function* () {
    yield content;
  })();
  return writeSlot(rt.paths, trunkSettings(rt.params.raw).trunkFileSize, logical, content.length, body, SlotType.Link);
}

/** Write a replicated trunk file into its slot: content, then header. The caller holds the name's lock. */
export function writeTrunkReplica(rt: StorageRuntime, logical: string, size: number, body: AsyncIterable<Buffer>): Promise<void> {
  return writeSlot(rt.paths, trunkSettings(rt.params.raw).trunkFileSize, logical, size, body);
}

/** A trunk file's content into its slot (same trunk file, offset and size as its name says), the header last. */
export async function writeSlot(paths: StorePaths, trunkFileSize: number, logical: string, size: number, body: AsyncIterable<Buffer>,
  type: number = SlotType.Regular): Promise<void> {
  const ref = trunkSlotOf(logical);
  if (ref.header.fileSize !== size || size + SLOT_HEADER_SIZE > ref.trunk.size || ref.trunk.offset < 0 || ref.trunk.fileId <= 0) {
    throw new StatusError(Errno.EINVAL, `${logical}: its trunk location does not hold ${size} bytes`);
  }
  const slot = { storePathIndex: ref.storePathIndex, subHigh: ref.subHigh, subLow: ref.subLow, ...ref.trunk };
  const header = encodeSlotHeader({ ...ref.header, type });
  const fd = openContainer(paths, trunkFileSize, slot);
  try {
    // Never over another file: its source and this copy disagree on the slot (stock's receiver: EEXIST too).
    const held = fileHeaderAt(fd, ref.trunk.offset);
    if (held && !held.equals(header)) throw new StatusError(Errno.EEXIST, `${logical}: its trunk slot holds another file here`);
    // Blocking writes, as an upload's: a slot is at most slot_max_size.
    let got = 0;
    for await (const chunk of body) {
      writeAllAt(fd, chunk, ref.trunk.offset + SLOT_HEADER_SIZE + got);
      got += chunk.length;
    }
    if (got !== size) throw new StatusError(Errno.EIO, `${logical}: ${got} of ${size} bytes received`);
    writeAllAt(fd, header, ref.trunk.offset);
  } finally {
    closeSync(fd);
  }
}

/** 17 on a trunk name: zero the slot; false when it was not live here. */
export function deleteTrunkReplica(rt: StorageRuntime, logical: string): boolean {
  try {
    const ref = zeroTrunkSlot(rt.paths, logical);
    rt.trunk?.release(rt, ref);
    return true;
  } catch (err) {
    if (err instanceof StatusError && err.errno === Errno.ENOENT) return false;
    throw err;
  }
}
