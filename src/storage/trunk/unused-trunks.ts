// delete_unused_trunk_files (spec §11.5): which trunk files are free from end to end in the trunk server's free
// space. That space is the one kept in memory, where worker leases and reservations not yet confirmed are taken
// (the binlog shows them free), so a trunk file found here has nothing in it and nothing about to be written.
import { contiguous, type Block } from './free-space.js';

/**
 * The trunk files whose free blocks, joined, cover them whole: one block per file, from offset 0 over
 * `sizeOf(file)` bytes (its size on disk; null when it is not on disk, and then it is left alone). Unlike
 * stock, which only finds them while merging free blocks (trunk_free_space_merge), the blocks are joined here
 * whatever that setting says: a trunk file of many free slots is as unused as one of a single free block.
 */
export function wholeFreeFiles(blocks: readonly Block[], sizeOf: (b: Block) => number | null): Block[] {
  const out: Block[] = [];
  for (const b of contiguous(blocks)) {
    if (b.offset !== 0) continue;
    const size = sizeOf(b);
    if (size !== null && size > 0 && b.size === size) out.push(b);
  }
  return out;
}
