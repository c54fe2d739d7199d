// Who hands out trunk space: the trunk server's owner process keeps the free space (trunk-allocator.ts);
// its worker processes ask the owner over IPC (workers/remote-trunk.ts); the other members of the group ask
// the trunk server with 27/28/29 (trunk-client.ts). A slot is named by its location in every call, so a
// confirm may reach another process than the reservation did.
import type { Block } from './free-space.js';

export interface TrunkSpace {
  /** Trunk space can be had (this storage is the trunk server, or knows it). */
  available(): boolean;
  /** A free block of `slotSize` bytes in store path `index` (a new trunk file when none fits). */
  reserve(index: number, ip: string, slotSize: number): Promise<Block>;
  /** The slot holds its file: journal it as taken. Resolves once the trunk binlog has the record. */
  commit(slot: Block): Promise<void>;
  /** The slot was not used, or its file was deleted: free space again. */
  free(slot: Block): Promise<void>;
  /** reserve at once when space is at hand (null: use reserve); commitNow / freeNow end such a slot. */
  reserveNow?(index: number, slotSize: number, ip?: string): Block | null;
  commitNow?(slot: Block): void;
  freeNow?(slot: Block): void;
}

/** The owner's trunk space as its workers use it: leases to carve alone while this storage is the trunk server. */
export interface TrunkLender extends TrunkSpace {
  lease(index: number, ip: string, slotSize: number, leaseSize: number): Promise<Block>;
  giveBack(block: Block): void;
  /** A worker died holding these leases: what it did not commit is free again; the bytes freed (the owner only). */
  reclaim?(leases: readonly Block[], busy: readonly Block[]): number;
}

export const blockKey = (b: Block): string => `${b.storePathIndex}/${b.subHigh}/${b.subLow}/${b.fileId}/${b.offset}/${b.size}`;
