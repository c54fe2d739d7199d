// trunk_init_check_occupying (spec §11.5; stock's storage_trunk_is_space_occupied): when the trunk server loads
// its free space, a free block whose slot header shows a stored file is left out, so a damaged trunk binlog
// never hands out a slot that still holds a file. Only the header at the block's start is read, as in stock.
import { closeSync, openSync, readSync } from 'node:fs';
import { SLOT_HEADER_SIZE } from '../../protocol/trunk-slot.js';
import type { Block } from './free-space.js';

/**
 * Stock's test (dio_check_trunk_file_ex): with type, alloc size and file size zeroed the header must be all
 * zeros. A deleted slot is zeroed whole; a slot that was only reserved has its type and sizes at most.
 */
export function headerShowsFile(header: Buffer): boolean {
  for (let i = 9; i < SLOT_HEADER_SIZE; i++) if (header[i] !== 0) return true;
  return false;
}

/**
 * The blocks whose first 24 bytes show a file. A trunk file that cannot be opened, or a block past its end,
 * counts as free (stock does the same: such space can only be written afresh).
 */
export function occupiedBlocks(blocks: readonly Block[], fileOf: (b: Block) => string): Block[] {
  const fds = new Map<string, number | null>();
  const out: Block[] = [];
  const header = Buffer.alloc(SLOT_HEADER_SIZE);
  try {
    for (const b of blocks) {
      if (b.size < SLOT_HEADER_SIZE) continue;
      const file = fileOf(b);
      let fd = fds.get(file);
      if (fd === undefined) {
        try {
          fd = openSync(file, 'r');
        } catch {
          fd = null;
        }
        fds.set(file, fd);
      }
      if (fd === null) continue;
      if (readHeaderAt(fd, b.offset, header) && headerShowsFile(header)) out.push({ ...b });
    }
  } finally {
    for (const fd of fds.values()) if (fd !== null) closeSync(fd);
  }
  return out;
}

/** Read the 24-byte slot header at `offset` into `into`; false when the trunk file ends before it. */
export function readHeaderAt(fd: number, offset: number, into: Buffer): boolean {
  let n = 0;
  while (n < SLOT_HEADER_SIZE) {
    const r = readSync(fd, into, n, SLOT_HEADER_SIZE - n, offset + n);
    if (r === 0) return false;
    n += r;
  }
  return true;
}

/**
 * The header of the file a slot holds, or null when the slot is free. Stock reads it before every write into a
 * slot (dio_check_trunk_file_when_upload / _when_sync): a trunk binlog that missed an allocation must not lead
 * to a stored file being overwritten.
 */
export function fileHeaderAt(fd: number, offset: number): Buffer | null {
  const header = Buffer.allocUnsafe(SLOT_HEADER_SIZE);
  return readHeaderAt(fd, offset, header) && headerShowsFile(header) ? header : null;
}

const SCAN_BYTES = 64 << 10;
const scratch = Buffer.alloc(SCAN_BYTES);
const zeros = Buffer.alloc(SCAN_BYTES);

/**
 * How many bytes from `offset` (up to `maxBytes`) are zero: a free slot was never written (sparse) or was zeroed
 * when its file was deleted. Past the trunk file's end counts as zero (nothing was written there).
 */
export function zeroRunAt(fd: number, offset: number, maxBytes: number): number {
  for (let done = 0; done < maxBytes;) {
    const want = Math.min(SCAN_BYTES, maxBytes - done);
    const n = readSync(fd, scratch, 0, want, offset + done);
    if (n === 0) return maxBytes;
    const part = scratch.subarray(0, n);
    if (!part.equals(zeros.subarray(0, n))) {
      let i = 0;
      while (part[i] === 0) i++;
      return done + i;
    }
    done += n;
  }
  return maxBytes;
}

/**
 * True when any byte of the slot [offset, offset + size) is not zero. Stock reads only the slot's header; a
 * binlog that missed allocations carves its free space along other boundaries than the files that sit there, so
 * a slot may begin in the zero padding of one file and run into the next one's header.
 */
export function slotHasData(fd: number, offset: number, size: number): boolean {
  return zeroRunAt(fd, offset, size) < size;
}
