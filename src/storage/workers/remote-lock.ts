// A worker's per-file locks: held in the owner process, so two workers never change one file at once.
import { ConnectionClosedError } from '../../errors.js';
import type { FileLocks } from '../runtime.js';
import type { ToOwner } from './ipc.js';

export class RemoteLocks implements FileLocks {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private gone = false;

  /** `send` returns false when the owner can no longer be reached. */
  constructor(private readonly send: (m: ToOwner) => boolean) {}

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const id = this.nextId++;
    await new Promise<void>((resolve, reject) => {
      // Without its owner nobody grants the lock: fail the request now instead of hanging its connection.
      if (this.gone) return reject(new ConnectionClosedError('to the storage owner (file lock)'));
      this.waiting.set(id, { resolve, reject });
      if (!this.send({ t: 'lock', id, key })) this.ownerGone();
    });
    try {
      return await fn();
    } finally {
      this.send({ t: 'unlock', id });
    }
  }

  granted(id: number): void {
    const w = this.waiting.get(id);
    this.waiting.delete(id);
    w?.resolve();
  }

  /** The owner went away: every waiting and later request fails. */
  ownerGone(): void {
    this.gone = true;
    for (const w of this.waiting.values()) w.reject(new ConnectionClosedError('to the storage owner (file lock)'));
    this.waiting.clear();
  }
}
