// Who hands out trunk space: the owner process keeps the free space (trunk-allocator.ts); worker processes
// ask it over IPC (workers/remote-trunk.ts). The writer (trunk-store.ts) works with either.
import type { Block } from './free-space.js';

export interface Reserved {
  slot: Block;
  /** Names the reservation in commit / cancel. */
  ticket: number;
}

export interface TrunkSpace {
  /** The tracker names this storage the group's trunk server. */
  isTrunkServer(): boolean;
  /** A free block of `slotSize` bytes in store path `index` (a new trunk file when none fits). */
  reserve(index: number, ip: string, slotSize: number): Promise<Reserved>;
  /** The slot holds its file: journal it as taken. Resolves once the trunk binlog has the record. */
  commit(ticket: number): Promise<void>;
  /** The slot was not used: its space is free again (nothing was journaled). */
  cancel(ticket: number): void;
  /** A deleted file's slot (already zeroed) is free space again. */
  release(block: Block): void;
}
