// A bound on the chunks a sender has handed to a socket and not had back. A socket that takes every write at
// once never asks for 'drain', and blocking reads never yield to the event loop, so without it a sender would
// read a whole large file into buffers before any write callback gave one back.
export class SendWindow {
  private out = 0;
  private waiting: (() => void) | null = null;

  constructor(private readonly max: number) {}

  /** `max` chunks are out. */
  get full(): boolean {
    return this.out >= this.max;
  }

  /** Resolves once fewer than `max` chunks are out (at once when there is room). */
  async room(): Promise<void> {
    while (this.full) await this.next();
  }

  /** Resolves at the next back() or wake(). */
  next(): Promise<void> {
    return new Promise<void>((resolve) => { this.waiting = resolve; });
  }

  /** A chunk went to the socket. */
  taken(): void {
    this.out++;
  }

  /** The socket is done with a chunk. */
  back(): void {
    this.out--;
    this.wake();
  }

  /** Let a waiter look again for a reason of its own (the socket drained, or closed). */
  readonly wake = (): void => {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  };
}
