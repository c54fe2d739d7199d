// Client side of one TCP connection: connect with a timeout, send a request, read the
// response header (status → StatusError), read small bodies or stream large ones.
import net from 'node:net';
import { FrameSocket } from './frame-socket.js';
import { encodeHeader, type Header } from '../protocol/header.js';
import { CommonCmd } from '../protocol/codes.js';
import { ConnectError, ProtocolError, StatusError, TimeoutError } from '../errors.js';

export interface ConnectOptions {
  /** @default 10 (seconds) */
  connectTimeout?: number;
  /** @default 30 (seconds) */
  networkTimeout?: number;
  /** Local address to bind outgoing connections to. */
  localAddress?: string;
}

export class Connection {
  /** Set once the connection saw an error and must not be reused. */
  broken = false;
  lastUsed = Date.now();

  private constructor(readonly fs: FrameSocket, readonly address: string, private readonly networkTimeoutMs: number) {}

  static async connect(host: string, port: number, opts: ConnectOptions = {}): Promise<Connection> {
    const address = `${host}:${port}`;
    const connectTimeoutMs = (opts.connectTimeout ?? 10) * 1000;
    const sock = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host, port, localAddress: opts.localAddress, noDelay: true });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new ConnectError(address, new TimeoutError('connect')));
      }, connectTimeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(new ConnectError(address, err));
      });
    });
    const fs = new FrameSocket(sock);
    sock.on('error', () => {});
    return new Connection(fs, address, (opts.networkTimeout ?? 30) * 1000);
  }

  get closed(): boolean {
    return this.fs.closed;
  }

  /** Send bytes (a whole request or part of a streamed body), honouring backpressure. */
  async send(buf: Buffer): Promise<void> {
    this.fs.setTimeout(this.networkTimeoutMs, `send to ${this.address}`);
    try {
      await this.fs.write(buf);
    } catch (err) {
      this.broken = true;
      throw err;
    }
  }

  /** Read the response header; a non-zero status becomes a StatusError (and the connection is dropped). */
  async readResponseHeader(cmd?: number): Promise<Header> {
    this.fs.setTimeout(this.networkTimeoutMs, `response from ${this.address}`);
    let h: Header | null;
    try {
      h = await this.fs.readHeader();
    } catch (err) {
      this.broken = true;
      throw err;
    }
    if (!h) {
      this.broken = true;
      throw new ProtocolError(`${this.address} closed the connection`);
    }
    if (h.cmd !== CommonCmd.Resp) {
      this.broken = true;
      throw new ProtocolError(`${this.address} answered cmd ${h.cmd}, expected ${CommonCmd.Resp}`);
    }
    if (h.status !== 0) {
      // The C client closes after any error status; a body may be announced that never comes (§13.2.5).
      this.broken = true;
      throw new StatusError(h.status, undefined, cmd);
    }
    return h;
  }

  /** Send a request and return the whole (small) response body. */
  async call(packet: Buffer, opts: { cmd?: number; maxBody?: number } = {}): Promise<Buffer> {
    await this.send(packet);
    const h = await this.readResponseHeader(opts.cmd);
    const max = opts.maxBody ?? 1 << 20;
    if (h.pkgLen > max) {
      this.broken = true;
      throw new ProtocolError(`${this.address} response of ${h.pkgLen} bytes exceeds ${max}`);
    }
    const body = await this.readBody();
    this.done();
    return body;
  }

  async readBody(): Promise<Buffer> {
    try {
      return await this.fs.readRest();
    } catch (err) {
      this.broken = true;
      throw err;
    }
  }

  /** Mark the end of a request/response exchange (the socket is idle again). */
  done(): void {
    this.fs.setTimeout(0);
    this.lastUsed = Date.now();
  }

  /** ACTIVE_TEST round trip: true if the server answered. */
  async activeTest(): Promise<boolean> {
    try {
      await this.call(encodeHeader(0, CommonCmd.ActiveTest), { cmd: CommonCmd.ActiveTest, maxBody: 0 });
      return true;
    } catch {
      this.broken = true;
      return false;
    }
  }

  /** Polite close: QUIT then end (servers close without replying). */
  quit(): void {
    if (!this.fs.closed) {
      this.fs.socket.end(encodeHeader(0, CommonCmd.Quit));
    }
    this.broken = true;
  }

  destroy(): void {
    this.broken = true;
    this.fs.destroy();
  }
}
