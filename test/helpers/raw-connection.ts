// A raw binary-protocol connection for tests that look at the bytes: whole answer frames in arrival order.
import net from 'node:net';

/** A raw protocol connection: whole answer frames in arrival order. */
export class RawConnection {
  private buffered = Buffer.alloc(0);
  private waiting: (() => void) | null = null;
  ended = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => { this.buffered = Buffer.concat([this.buffered, d]); this.wake(); });
    socket.on('close', () => { this.ended = true; this.wake(); });
    socket.on('error', () => {});
  }

  static connect(h: { host: string; port: number }): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: h.host, port: h.port }, () => resolve(new RawConnection(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }

  /** The next whole frame (header and body). */
  async frame(timeoutMs = 5000): Promise<Buffer> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (this.buffered.length >= 10) {
        const length = 10 + Number(this.buffered.readBigUInt64BE(0));
        if (this.buffered.length >= length) {
          const f = this.buffered.subarray(0, length);
          this.buffered = this.buffered.subarray(length);
          return Buffer.from(f);
        }
      }
      if (this.ended) throw new Error('connection closed');
      if (Date.now() > until) throw new Error('no answer');
      await new Promise<void>((r) => { this.waiting = r; setTimeout(r, 50); });
    }
  }

  async ask(request: Buffer): Promise<Buffer> {
    this.socket.write(request);
    return this.frame();
  }

  async closed(timeoutMs = 5000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (!this.ended && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return this.ended;
  }
}
