// A scripted fake tracker on a plain TCP server (no src/net): each request frame goes to `answer`, which
// returns the reply packet, null for no reply, or 'close' to drop the connection. Every request is recorded.
import net from 'node:net';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { encodeHeader, type Header } from '../../src/protocol/header.js';

export interface FakeRequest { conn: number; cmd: number; status: number; body: Buffer }
export type FakeAnswer = (req: FakeRequest) => Buffer | null | 'close' | Promise<Buffer | null | 'close'>;

export class FakeTracker {
  readonly seen: FakeRequest[] = [];
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private conns = 0;

  constructor(public answer: FakeAnswer) {}

  /** Listen on host:port (port 0 = any); resolves with the bound port. */
  async start(port = 0, host = '127.0.0.1'): Promise<number> {
    const server = net.createServer((sock) => this.accept(sock));
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, host, resolve); });
    this.server = server;
    return this.port;
  }

  get port(): number {
    return (this.server!.address() as net.AddressInfo).port;
  }

  /** Stop listening and drop every connection. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  /** Requests with this command, in order. */
  of(cmd: number): FakeRequest[] {
    return this.seen.filter((r) => r.cmd === cmd);
  }

  private accept(sock: net.Socket): void {
    const conn = ++this.conns;
    this.sockets.add(sock);
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('error', () => {});
    let cur: { header: Header; parts: Buffer[] } | null = null;
    let chain = Promise.resolve();
    const dec = new FrameDecoder({
      header: (h) => { cur = { header: h, parts: [] }; },
      body: (b) => { cur!.parts.push(Buffer.from(b)); },
      end: () => {
        const req = { conn, cmd: cur!.header.cmd, status: cur!.header.status, body: Buffer.concat(cur!.parts) };
        cur = null;
        this.seen.push(req);
        chain = chain.then(async () => {
          const out = await this.answer(req);
          if (out === 'close') sock.destroy();
          else if (out) sock.write(out);
        });
      },
    });
    sock.on('data', (b) => {
      try { dec.write(b); } catch { sock.destroy(); }
    });
  }
}

/** An empty answer with `status`. */
export const emptyAnswer = (status = 0): Buffer => encodeHeader(0, 100, status);
