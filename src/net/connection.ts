// Client side of one TCP connection: connect with a timeout, send a request, read its answer (a status
// thrown as StatusError, or returned), read small bodies or stream large ones. Streamed bodies: exchange.ts.
import net from 'node:net';
import tls from 'node:tls';
import { FrameSocket } from './frame-socket.js';
import { encodeHeader, type Header } from '../protocol/header.js';
import { CommonCmd } from '../protocol/codes.js';
import { ConnectError, ConnectionClosedError, NotFdfsError, ProtocolError, StatusError, TimeoutError } from '../errors.js';

export interface ConnectOptions {
  /** @default 10 (seconds) */
  connectTimeout?: number;
  /** @default 30 (seconds) */
  networkTimeout?: number;
  /** Local address to bind outgoing connections to. */
  localAddress?: string;
  /** Connect with TLS (a server's tls_port): CA, client certificate for mTLS, server name. */
  tls?: tls.ConnectionOptions;
  /** Run on each new connection (the fdfs handshake); default: the process's, see setDefaultAuthenticate. */
  authenticate?: Authenticate;
}

/**
 * Proves a key on a fresh connection (src/security/client-auth.ts). Resolves true when the connection is
 * ready, false when the server does not authenticate and a fresh connection should be used without it.
 */
export type Authenticate = (conn: Connection) => Promise<boolean>;

let defaultAuthenticate: Authenticate | undefined;

/** Where this process's connections go over TLS (servers with cluster_tls): the TLS port and options, or null. */
export type TlsRoute = (host: string, port: number) => TlsRouted | null | Promise<TlsRouted | null>;
export interface TlsRouted {
  port: number;
  tls: tls.ConnectionOptions;
}
let defaultTlsRoute: TlsRoute | undefined;

export function setDefaultTlsRoute(fn: TlsRoute | undefined): void {
  defaultTlsRoute = fn;
}

/** What every connection of this process authenticates with unless its options say otherwise (servers: the cluster secret). */
export function setDefaultAuthenticate(fn: Authenticate | undefined): void {
  defaultAuthenticate = fn;
}

export interface CallOptions {
  /** The request's command, for error messages and StatusError.cmd. */
  cmd?: number;
  /** Largest answer body accepted. @default 1 MiB */
  maxBody?: number;
  /**
   * 'throw' (default): a non-zero status is a StatusError and the connection is dropped, as the C client does.
   * 'return': the status comes back as a value and the connection stays usable (EEXIST/ENOENT as answers).
   */
  onError?: 'throw' | 'return';
}

/** An answer read with onError 'return'. */
export interface Answer {
  status: number;
  body: Buffer;
}

const EMPTY = Buffer.alloc(0);
const DEFAULT_MAX_BODY = 1 << 20;

export class Connection {
  /** Set once the connection saw an error and must not be reused. */
  broken = false;
  lastUsed = Date.now();

  /** Timeout messages, made once rather than per request. */
  private readonly sendWhat: string;
  private readonly answerWhat: string;

  private constructor(private readonly frames: FrameSocket, readonly address: string, private readonly networkTimeoutMs: number) {
    this.sendWhat = `send to ${address}`;
    this.answerWhat = `response from ${address}`;
  }

  static async connect(host: string, port: number, opts: ConnectOptions = {}): Promise<Connection> {
    const conn = await Connection.dial(host, port, opts);
    const auth = opts.authenticate ?? defaultAuthenticate;
    if (!auth) return conn;
    try {
      if (await auth(conn)) return conn;
    } catch (err) {
      conn.destroy();
      throw err;
    }
    // A stock storage closes after the EINVAL that told us it does not authenticate.
    conn.destroy();
    return Connection.dial(host, port, opts);
  }

  private static async dial(host: string, givenPort: number, given: ConnectOptions): Promise<Connection> {
    const route = given.tls || !defaultTlsRoute ? null : await defaultTlsRoute(host, givenPort);
    const port = route ? route.port : givenPort;
    const opts = route ? { ...given, tls: route.tls } : given;
    const address = `${host}:${port}`;
    const connectTimeoutMs = (opts.connectTimeout ?? 10) * 1000;
    const sock = await new Promise<net.Socket>((resolve, reject) => {
      const s = opts.tls
        // localAddress reaches net.connect underneath (tls's types leave it out).
        ? tls.connect({ ...opts.tls, host, port, localAddress: opts.localAddress, noDelay: true } as tls.ConnectionOptions)
        : net.connect({ host, port, localAddress: opts.localAddress, noDelay: true });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new ConnectError(address, new TimeoutError('connect')));
      }, connectTimeoutMs);
      s.once(opts.tls ? 'secureConnect' : 'connect', () => {
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
    return this.frames.closed;
  }

  /** Call `fn` once the socket is closed (by either side): an idle long-lived connection learns its peer left. */
  onClose(fn: () => void): void {
    if (this.frames.closed || this.frames.socket.destroyed) fn();
    else this.frames.socket.once('close', fn);
  }

  /** This end's address as the socket reports it (what the peer sees us as). */
  get localAddress(): string | undefined {
    return this.frames.socket.localAddress;
  }

  /** Send bytes (a whole request or a streamed request's head), honouring backpressure; arms the timeout. */
  async send(buf: Buffer): Promise<void> {
    this.frames.setTimeout(this.networkTimeoutMs, this.sendWhat);
    try {
      await this.frames.write(buf);
    } catch (err) {
      this.broken = true;
      throw err;
    }
  }

  /** Send part of a body after send(): the armed idle timeout stays (every write refreshes it). */
  async write(buf: Buffer): Promise<void> {
    try {
      await this.frames.write(buf);
    } catch (err) {
      this.broken = true;
      throw err;
    }
  }

  /** write() of a buffer the caller wants back: `release` runs once the socket is done with it. */
  async writeReleasing(buf: Buffer, release: () => void): Promise<void> {
    try {
      await this.frames.writeReleasing(buf, release);
    } catch (err) {
      this.broken = true;
      throw err;
    }
  }

  /** The answer's header, which must be a RESP; its status is the caller's to judge. */
  private async answerHeader(cmd?: number): Promise<Header> {
    this.frames.setTimeout(this.networkTimeoutMs, this.answerWhat);
    let h: Header | null;
    try {
      h = await this.frames.readHeader();
    } catch (err) {
      this.broken = true;
      throw this.frames.undecodable && err instanceof ProtocolError && !(err instanceof ConnectionClosedError)
        ? new NotFdfsError(this.address, /^HTTP\/\d/.test(this.frames.undecodable.toString('latin1')) ? 'http' : 'other')
        : err;
    }
    if (!h) {
      this.broken = true;
      throw new ProtocolError(`${this.address} closed the connection${cmd === undefined ? '' : ` (cmd ${cmd})`}`);
    }
    if (h.cmd !== CommonCmd.Resp) {
      this.broken = true;
      throw new NotFdfsError(this.address);
    }
    return h;
  }

  /** Read the response header; a non-zero status becomes a StatusError (and the connection is dropped). */
  async readResponseHeader(cmd?: number): Promise<Header> {
    const h = await this.answerHeader(cmd);
    if (h.status !== 0) {
      // The C client closes after any error status; a body may be announced that never comes (§13.2.5).
      this.broken = true;
      throw new StatusError(h.status, undefined, cmd);
    }
    return h;
  }

  /** Send a request and read its whole (small) answer; see CallOptions.onError. */
  call(packet: Buffer, opts: CallOptions & { onError: 'return' }): Promise<Answer>;
  call(packet: Buffer, opts?: CallOptions & { onError?: 'throw' }): Promise<Buffer>;
  call(packet: Buffer, opts: CallOptions = {}): Promise<Buffer | Answer> {
    return this.exchange(packet, opts);
  }

  /** Read the answer of a request already sent (a streamed one: exchange.ts); see CallOptions.onError. */
  answer(opts: CallOptions & { onError: 'return' }): Promise<Answer>;
  answer(opts?: CallOptions & { onError?: 'throw' }): Promise<Buffer>;
  answer(opts: CallOptions = {}): Promise<Buffer | Answer> {
    return this.exchange(null, opts);
  }

  /** call() and answer() in one body, so a small request costs no more awaits than send + header + body. */
  private async exchange(packet: Buffer | null, opts: CallOptions): Promise<Buffer | Answer> {
    if (packet) await this.send(packet);
    const h = await this.answerHeader(opts.cmd);
    const ret = opts.onError === 'return';
    if (h.status !== 0 && !ret) {
      // The C client closes after any error status; a body may be announced that never comes (§13.2.5).
      this.broken = true;
      throw new StatusError(h.status, undefined, opts.cmd);
    }
    const max = opts.maxBody ?? DEFAULT_MAX_BODY;
    if (h.pkgLen > max || (h.status !== 0 && h.pkgLen > 0)) {
      this.broken = true;
      throw new ProtocolError(`${this.address} answered status ${h.status} with ${h.pkgLen} body bytes (limit ${max})`);
    }
    const body = h.pkgLen === 0 ? EMPTY : await this.readBody();
    this.done();
    return ret ? { status: h.status, body } : body;
  }

  /** Send a request whose answer body is streamed (download): resolves to the announced length. */
  async open(packet: Buffer, cmd?: number): Promise<number> {
    await this.send(packet);
    return (await this.readResponseHeader(cmd)).pkgLen;
  }

  async readBody(): Promise<Buffer> {
    try {
      return await this.frames.readRest();
    } catch (err) {
      this.broken = true;
      throw err;
    }
  }

  /**
   * The answer body as chunks (no copies), exactly as long as announced: LengthMismatchError when the peer
   * closes early. A read-until-close body (2^58) ends with the connection. Call done() after a full read.
   */
  body(): AsyncGenerator<Buffer> {
    return this.frames.chunks();
  }

  /** Mark the end of a request/response exchange (the socket is idle again). */
  done(): void {
    this.frames.setTimeout(0);
    this.lastUsed = Date.now();
  }

  /** ACTIVE_TEST round trip: true if the server answered. */
  async activeTest(): Promise<boolean> {
    try {
      await this.call(ACTIVE_TEST, { cmd: CommonCmd.ActiveTest, maxBody: 0 });
      return true;
    } catch {
      this.broken = true;
      return false;
    }
  }

  /** Polite close: QUIT then end (servers close without replying). */
  quit(): void {
    if (!this.frames.closed) {
      this.frames.socket.end(QUIT);
    }
    this.broken = true;
  }

  destroy(): void {
    this.broken = true;
    this.frames.destroy();
  }
}

const ACTIVE_TEST = encodeHeader(0, CommonCmd.ActiveTest);
const QUIT = encodeHeader(0, CommonCmd.Quit);
