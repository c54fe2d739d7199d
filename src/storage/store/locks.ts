// Per-key async mutex: serialises read-modify-write operations on one file (metadata merge, append,
// modify, truncate, regenerate) across connections; unrelated files proceed in parallel.

export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  /** Run `fn` once every earlier holder of `key` has finished. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => { release = resolve; });
    const tail = prev.then(() => mine);
    this.tails.set(key, tail);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys currently held or waited for (tests). */
  get size(): number {
    return this.tails.size;
  }
}
