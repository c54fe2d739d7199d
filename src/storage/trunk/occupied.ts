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
      let n = 0;
      while (n < SLOT_HEADER_SIZE) {
        const r = readSync(fd, header, n, SLOT_HEADER_SIZE - n, b.offset + n);
        if (r === 0) break;
        n += r;
      }
      if (n === SLOT_HEADER_SIZE && headerShowsFile(header)) out.push({ ...b });
    }
  } finally {
    for (const fd of fds.values()) if (fd !== null) closeSync(fd);
  }
  return out;
}
