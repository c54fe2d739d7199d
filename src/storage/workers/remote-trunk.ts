// A worker's trunk space: reservations, commits and frees go to the owner process, which alone keeps the free
// space and the trunk binlog (trunk/trunk-allocator.ts).
import { ConnectionClosedError, StatusError } from '../../errors.js';
import type { Block } from '../trunk/free-space.js';
import type { Reserved, TrunkSpace } from '../trunk/trunk-space.js';
import type { ToOwner, TrunkReply } from './ipc.js';

export class RemoteTrunkSpace implements TrunkSpace {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: TrunkReply) => void; reject: (err: Error) => void }>();
  trunkServer = false;

  constructor(private readonly send: (m: ToOwner) => boolean) {}

  isTrunkServer(): boolean {
    return this.trunkServer;
  }

  private ask(m: { t: 'trunk-reserve'; index: number; ip: string; slotSize: number } | { t: 'trunk-commit'; ticket: number }): Promise<TrunkReply> {
    const id = this.nextId++;
    return new Promise<TrunkReply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      if (!this.send({ ...m, id })) {
        this.waiting.delete(id);
        reject(new ConnectionClosedError('to the storage owner (trunk space)'));
      }
    }).then((r) => {
      if (r.error) throw new StatusError(r.error.errno, r.error.message);
      return r;
    });
  }

  async reserve(index: number, ip: string, slotSize: number): Promise<Reserved> {
    return (await this.ask({ t: 'trunk-reserve', index, ip, slotSize })).reserved!;
  }

  async commit(ticket: number): Promise<void> {
    await this.ask({ t: 'trunk-commit', ticket });
  }

  cancel(ticket: number): void {
    this.send({ t: 'trunk-cancel', ticket });
  }

  release(block: Block): void {
    this.send({ t: 'trunk-release', block });
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
