// A member that is not the trunk server gets trunk space from it (spec §8.8): 27 TRUNK_ALLOC_SPACE, 28
// TRUNK_ALLOC_CONFIRM once the file is in its slot, 29 TRUNK_FREE_SPACE for a slot not used or deleted.
import { Connection } from '../../net/connection.js';
import { StorageCmd } from '../../protocol/codes.js';
import { decodeTrunkInfo, encodeTrunkAllocRequest, encodeTrunkSlotRequest } from '../../protocol/trunk-commands.js';
import type { Block } from './free-space.js';

export interface TrunkServerAddress { host: string; port: number }

export class TrunkClient {
  /** `localAddress`: the storage's bind address, so the trunk server sees a member of its group (27–29 are member-only). */
  constructor(private readonly o: { group: string; connectTimeout: number; networkTimeout: number; localAddress?: string }) {}

  private async once<T>(at: TrunkServerAddress, fn: (c: Connection) => Promise<T>): Promise<T> {
    const c = await Connection.connect(at.host, at.port, { connectTimeout: this.o.connectTimeout, networkTimeout: this.o.networkTimeout, localAddress: this.o.localAddress });
    try {
      return await fn(c);
    } finally {
      c.destroy();
    }
  }

  reserve(at: TrunkServerAddress, index: number, slotSize: number): Promise<Block> {
    return this.once(at, async (c) => decodeTrunkInfo(await c.call(
      encodeTrunkAllocRequest({ group: this.o.group, size: slotSize, storePathIndex: index }), { cmd: StorageCmd.TrunkAllocSpace })));
  }

  async commit(at: TrunkServerAddress, slot: Block): Promise<void> {
    await this.once(at, (c) => c.call(encodeTrunkSlotRequest(StorageCmd.TrunkAllocConfirm, { group: this.o.group, slot }), { cmd: StorageCmd.TrunkAllocConfirm }));
  }

  async free(at: TrunkServerAddress, slot: Block): Promise<void> {
    await this.once(at, (c) => c.call(encodeTrunkSlotRequest(StorageCmd.TrunkFreeSpace, { group: this.o.group, slot }), { cmd: StorageCmd.TrunkFreeSpace }));
  }
}
