// A worker's trunk space: reservations, confirms and frees go to the owner process, which alone keeps the
// free space and the trunk binlog (trunk/trunk-allocator.ts) or asks the trunk server (trunk/trunk-client.ts).
import { ConnectionClosedError, StatusError } from '../../errors.js';
import type { Block } from '../trunk/free-space.js';
import type { TrunkLender } from '../trunk/trunk-space.js';
import type { ToOwner, TrunkReply, TrunkRequest } from './ipc.js';

type Ask = TrunkRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class RemoteTrunkSpace implements TrunkLender {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: TrunkReply) => void; reject: (err: Error) => void }>();
  /** From the owner's shared state. */
  canAllocate = false;

  constructor(private readonly send: (m: ToOwner) => boolean) {}

  available(): boolean {
    return this.canAllocate;
  }

  private ask(m: Ask): Promise<TrunkReply> {
    const id = this.nextId++;
    return new Promise<TrunkReply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      if (!this.send({ ...m, id } as TrunkRequest)) {
        this.waiting.delete(id);
        reject(new ConnectionClosedError('to the storage owner (trunk space)'));
      }
    }).then((r) => {
      if (r.error) throw new StatusError(r.error.errno, r.error.message);
      return r;
    });
  }

  async reserve(index: number, ip: string, slotSize: number): Promise<Block> {
    return (await this.ask({ t: 'trunk-reserve', index, ip, slotSize })).slot!;
  }

  async commit(slot: Block): Promise<void> {
    await this.ask({ t: 'trunk-commit', slot });
  }

  async free(slot: Block): Promise<void> {
    await this.ask({ t: 'trunk-free', slot });
  }

  async lease(index: number, ip: string, slotSize: number, leaseSize: number): Promise<Block> {
    return (await this.ask({ t: 'trunk-lease', index, ip, slotSize, leaseSize })).slot!;
  }

  giveBack(slot: Block): void {
    this.send({ t: 'trunk-return', id: 0, slot });
  }

  replied(r: TrunkReply): void {
    const w = this.waiting.get(r.id);
    this.waiting.delete(r.id);
    w?.resolve(r);
  }

  ownerGone(): void {
    for (const w of this.waiting.values()) w.reject(new ConnectionClosedError('to the storage owner (trunk space)'));
    this.waiting.clear();
  }
}
