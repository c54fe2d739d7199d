// A worker's per-file locks: held in the owner process, so two workers never change one file at once.
import type { FileLocks } from '../runtime.js';
import type { ToOwner } from './ipc.js';

export class RemoteLocks implements FileLocks {
  private nextId = 1;
  private readonly waiting = new Map<number, () => void>();

  constructor(private readonly send: (m: ToOwner) => void) {}

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const id = this.nextId++;
    await new Promise<void>((resolve) => {
      this.waiting.set(id, resolve);
      this.send({ t: 'lock', id, key });
    });
    try {
      return await fn();
    } finally {
      this.send({ t: 'unlock', id });
    }
  }

  granted(id: number): void {
    const resolve = this.waiting.get(id);
    this.waiting.delete(id);
    resolve?.();
  }
}
