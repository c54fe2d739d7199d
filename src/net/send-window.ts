// A bound on the chunks a sender has handed to a socket and not had back. A socket that takes every write at
// once never asks for 'drain', and blocking reads never yield to the event loop, so without it a sender would
// read a whole large file into buffers before any write callback gave one back.
export class SendWindow {
  private out = 0;
  private wake: (() => void) | null = null;

  constructor(private readonly max: number) {}

  /** Resolves once fewer than `max` chunks are out (at once when there is room). */
  async room(): Promise<void> {
    while (this.out >= this.max) await new Promise<void>((resolve) => { this.wake = resolve; });
  }

  /** A chunk went to the socket. */
  taken(): void {
    this.out++;
  }

  /** The socket is done with a chunk. */
  back(): void {
    this.out--;
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}
