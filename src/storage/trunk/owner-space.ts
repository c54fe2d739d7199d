// The owner process's trunk space: its own allocator while the tracker names it trunk server, else the trunk
// server over 27/28/29. Workers reach it through IPC (workers/remote-trunk.ts).
import type { Block } from './free-space.js';
import type { TrunkAllocator } from './trunk-allocator.js';
import type { TrunkClient, TrunkServerAddress } from './trunk-client.js';
import { Errno, StatusError } from '../../errors.js';
import type { TrunkLender } from './trunk-space.js';

export class OwnerTrunkSpace implements TrunkLender {
  constructor(private readonly local: TrunkAllocator, private readonly client: TrunkClient,
    private readonly remote: () => TrunkServerAddress | null, private readonly enabled: () => boolean) {}

  available(): boolean {
    return this.enabled() && (this.local.available() || this.remote() !== null);
  }

  private where(): TrunkServerAddress | 'local' {
    if (this.local.available()) return 'local';
    const at = this.remote();
    if (!at) throw new Error('no trunk server known');
    return at;
  }

  reserve(index: number, ip: string, slotSize: number): Promise<Block> {
    const at = this.where();
    return at === 'local' ? this.local.reserve(index, ip, slotSize) : this.client.reserve(at, index, slotSize);
  }

  commit(slot: Block): Promise<void> {
    const at = this.where();
    return at === 'local' ? this.local.commit(slot) : this.client.commit(at, slot);
  }

  free(slot: Block): Promise<void> {
    const at = this.where();
    return at === 'local' ? this.local.free(slot) : this.client.free(at, slot);
  }

  lease(index: number, ip: string, slotSize: number, leaseSize: number): Promise<Block> {
    if (!this.local.available()) return Promise.reject(new StatusError(Errno.EINVAL, 'this storage is not the trunk server'));
    return this.local.lease(index, ip, slotSize, leaseSize);
  }

  giveBack(block: Block): void {
    this.local.giveBack(block);
  }

  reclaim(leases: readonly Block[], busy: readonly Block[]): number {
    return this.local.reclaim(leases, busy);
  }
}
