// TCP server loop shared by tracker and storage: accept, allow_hosts check, sequential
// request/response per connection, status replies for handler errors, QUIT and EOF handling.
import net from 'node:net';
import type { Logger } from '../log.js';
import { FrameSocket, normaliseIp } from './frame-socket.js';
import { closeDetached, detachConnection, queryLoopAvailable, type DetachedConnection, type DetachedOwner } from './native-queries.js';
import type { Header } from '../protocol/header.js';
import { encodeStatus } from '../protocol/header.js';
import { CommonCmd, HEADER_SIZE } from '../protocol/codes.js';
import { ConnectionClosedError, Errno, StatusError, ProtocolError, TimeoutError, errnoName } from '../errors.js';
import { metrics, observedDispatch } from '../metrics.js';

/** Body bytes a failed request may still owe before we give up on the connection instead. */
const MAX_DRAIN = 1 << 20;
/** A connection idle at least this long may give its slot to a new one at max_connections. */
const MIN_IDLE_MS = 1000;

export interface RequestContext<S> {
  header: Header;
  conn: FrameSocket;
  /** Per-connection state owned by the role (e.g. the storage that JOINed on this connection). */
  state: S;
  log: Logger;
  /** Send a success response with an optional body. */
  reply(body?: Buffer): Promise<void>;
  /** Send a complete packet (header included, e.g. BufWriter.finish()). */
  replyPacket(packet: Buffer): Promise<void>;
  /** Send a success header announcing `len` body bytes; the handler then writes them with conn.write(). */
  beginReply(len: number): Promise<void>;
}

export type Dispatch<S> = (ctx: RequestContext<S>) => Promise<void>;

/**
 * The role's synchronous answers to hot small requests that arrived whole (queries, small downloads and uploads).
 * An object of a class, not closures: its methods are the same functions for every server of the role, so the
 * code V8 optimized while the warm-up's scratch server ran still fits the real server (a closure per server is a
 * new call target, and would throw that code away at the first real request).
 */
export interface InlinePort<S> {
  /** The packet, or null for the normal path. Null must mean no effect; it may be returned for any reason. */
  answer(state: S, conn: FrameSocket, cmd: number, body: Buffer): Buffer | null;
  /** Requests (command, body length) to hold until whole so that `answer` may take them (small uploads). */
  gathers?(cmd: number, bodyLength: number): boolean;
  /**
   * With it, a connection whose requests were all answered inline goes on in the C query loop, which asks this for
   * each whole request (null: the connection goes back to JavaScript); `state` is the connection's own, kept.
   */
  detachedAnswer?(cmd: number, body: Buffer, conn: DetachedConnection, state: S): Buffer | null;
  /** Whether a connection in this state may go on in C (none whose state matters, as a storage's after JOIN). */
  detachable?(state: S): boolean;
  /** The largest request (header included) the C loop gathers for detachedAnswer; 512 when not given. */
  readonly detachedRequestMax?: number;
  /**
   * Inline-answered reads in a row a connection that came back from C needs before it goes there again (1 when
   * not given): a client that mixes small and large files does not bounce between the two each request.
   */
  readonly redetachAfter?: number;
}

/** One admitted connection's place in the counts, wherever it is served. */
interface Slot {
  readonly peer: string;
  /** Served in the C query loop now (its socket here is gone). */
  detached: boolean;
  /** It came back from the C loop at least once. */
  returned?: boolean;
  /** The connection's state (FrameServerOptions.newState), kept while it is in C and when it comes back. */
  state?: unknown;
}

export interface FrameServerOptions<S> {
  host: string;
  port: number;
  /** Listen in this process alone, also in a cluster worker (which otherwise shares the owner's listener). */
  exclusive?: boolean;
  log: Logger;
  role: 'tracker' | 'storage';
  dispatch: Dispatch<S>;
  inline?: InlinePort<S>;
  newState: (conn: FrameSocket) => S;
  onClose?: (state: S, conn: FrameSocket) => void;
  /** Seconds a request may stall, and a fresh connection may wait for its first request. */
  networkTimeout: number;
  /** Largest non-streamed pkg_len per command (bigger is a protocol error → close). */
  maxPkgLen: (cmd: number) => number;
  allow?: (ip: string) => boolean;
  maxConnections?: number;
  /** Connections one peer address may hold (0 = no cap): a few hosts cannot take every slot. */
  maxConnectionsPerHost?: number;
  /** A TLS listener beside the plain one (src/security/tls.ts): same dispatch, same limits. */
  tls?: { port: number; createServer(onSocket: (sock: net.Socket) => void): net.Server } | null;
  /** Security (src/security/): called once per connection, returns the dispatch that connection uses. */
  guard?: (conn: FrameSocket, dispatch: Dispatch<S>) => Dispatch<S>;
}

/** max_connections_per_host as configured: auto = a quarter of max_connections, at least 4. */
export function perHostCap(maxConnections: number, configured: number | 'auto'): number {
  return configured === 'auto' ? Math.max(4, Math.floor(maxConnections / 4)) : configured;
}

export interface ConnectionStats {
  alloc: number;
  current: number;
  max: number;
  /** Of `current`, those served in the C query loop now (native-queries.ts). */
  native: number;
}

export class FrameServer<S> {
  private server: net.Server | null = null;
  private tlsServer: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  /** Connections being served (each says since when it idles: a field, not a map touched per request). */
  private readonly conns = new Set<FrameSocket>();
  /** Connections served in the C query loop, with their slots. */
  private readonly detached = new Map<DetachedConnection, Slot>();
  /** Open connections per peer address. */
  private readonly perHost = new Map<string, number>();
  readonly stats: ConnectionStats = { alloc: 0, current: 0, max: 0, native: 0 };

  private readonly dispatch: Dispatch<S>;
  private readonly metrics = metrics();

  constructor(private readonly opts: FrameServerOptions<S>) {
    // Per-command counters, latency and bytes when `fdfs serve` turned metrics on.
    this.dispatch = observedDispatch(opts.role, opts.dispatch);
    metrics()?.addConnectionSource(opts.role, this.stats);
  }

  get address(): { host: string; port: number } {
    const a = this.server?.address();
    if (a && typeof a === 'object') return { host: a.address, port: a.port };
    return { host: this.opts.host, port: this.opts.port };
  }

  async listen(): Promise<void> {
    const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (sock) => this.accept(sock));
    this.server = server;
    await this.bind(server, this.opts.port);
    if (this.opts.tls) {
      this.tlsServer = this.opts.tls.createServer((sock) => this.accept(sock, false));
      await this.bind(this.tlsServer, this.opts.tls.port);
    }
  }

  private bind(server: net.Server, port: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.opts.host || undefined, port, exclusive: this.opts.exclusive }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    const servers = [this.server, this.tlsServer];
    this.server = null;
    this.tlsServer = null;
    for (const s of this.sockets) s.destroy();
    for (const conn of [...this.detached.keys()]) {
      const slot = this.undetach(conn)!;
      closeDetached(conn);
      this.release(slot);
    }
    for (const server of servers) if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(sock: net.Socket, quickAck = true): void {
    const peer = normaliseIp(sock.remoteAddress ?? '');
    if (this.opts.allow && !this.opts.allow(peer)) {
      this.opts.log.warn({ peer }, 'connection refused by allow_hosts');
      sock.destroy();
      return;
    }
    const perHostMax = this.opts.maxConnectionsPerHost ?? 0;
    if (perHostMax > 0 && (this.perHost.get(peer) ?? 0) >= perHostMax && !this.evictIdlest(peer)) {
      this.opts.log.warn({ peer, max: perHostMax }, 'connection refused: max_connections_per_host reached for this address and none idle');
      sock.destroy();
      return;
    }
    const max = this.opts.maxConnections ?? 0;
    if (max > 0 && this.sockets.size + this.detached.size >= max && !this.evictIdlest()) {
      this.opts.log.warn({ peer, max }, 'connection refused: max_connections reached and none idle');
      sock.destroy();
      return;
    }
    this.perHost.set(peer, (this.perHost.get(peer) ?? 0) + 1);
    this.stats.alloc++;
    this.stats.current++;
    this.stats.max = Math.max(this.stats.max, this.stats.current);
    this.attach(sock, { peer, detached: false }, quickAck, null);
  }

  /** Serve an admitted connection's socket (new, or handed back by the C query loop with bytes it read). */
  private attach(sock: net.Socket, slot: Slot, quickAck: boolean, firstBytes: Buffer | null): void {
    const conn = new FrameSocket(sock, { maxPkgLen: this.opts.maxPkgLen, quickAck });
    sock.setNoDelay(true);
    this.sockets.add(sock);
    sock.once('close', () => {
      this.sockets.delete(sock);
      if (!slot.detached) this.release(slot);
    });
    sock.on('error', () => {});
    void this.serve(conn, slot);
    if (firstBytes !== null) conn.injectRead(firstBytes);
  }

  /** The connection of `slot` ended (wherever it was served): its counts go. */
  private release(slot: Slot): void {
    this.stats.current--;
    const left = (this.perHost.get(slot.peer) ?? 1) - 1;
    if (left > 0) this.perHost.set(slot.peer, left);
    else this.perHost.delete(slot.peer);
  }

  private async serve(conn: FrameSocket, slot: Slot): Promise<void> {
    const peer = slot.peer;
    const log = this.opts.log.child({ peer });
    // The same connection handed back by the C loop keeps its state (a replication peer's id, say).
    const state = (slot.state ??= this.opts.newState(conn)) as S;
    // One context per connection, reused by its requests (no closures per request).
    const ctx = new ConnectionContext<S>(conn, state, log, this.opts.guard ? this.opts.guard(conn, this.dispatch) : this.dispatch);
    const timeoutMs = this.opts.networkTimeout * 1000;
    conn.idleSinceMs = performance.now();
    this.conns.add(conn);
    // Inline answers skip the dispatch chain, so only where no security guard decides what a connection may do.
    const inline = this.opts.guard ? undefined : this.opts.inline;
    if (inline) {
      conn.inline = (cmd, body) => this.answerInline(inline, state, conn, cmd, body);
      if (inline.gathers) conn.gatherable = (cmd, bodyLength) => inline.gathers!(cmd, bodyLength);
      if (inline.detachedAnswer && queryLoopAvailable()) {
        const needed = slot.returned ? (inline.redetachAfter ?? 1) : 1;
        conn.onDetachable = () => {
          if (++conn.inlineStreak < needed) return;
          if (inline.detachable === undefined || inline.detachable(state)) this.detach(conn, slot, inline);
        };
      }
    }
    // Until the first request completes, an idle connection is dropped after network_timeout.
    conn.setTimeout(timeoutMs, 'waiting for the first request');
    let served = 0;
    try {
      for (;;) {
        const header = await conn.readHeader();
        if (!header) break;
        if (header.cmd === CommonCmd.Quit) break;
        conn.idle = false;
        conn.idleSinceMs = 0;
        conn.timeoutCmd = header.cmd;
        // A request on this path may wait on its peer (a body, a slow reader): armed until it is done.
        conn.setTimeout(timeoutMs);
        const keepOpen = await this.handle(ctx, header, log);
        served++;
        conn.inlineStreak = 0;
        if (!keepOpen) break;
        // A connection that served a request may idle indefinitely (stock behaviour), until the slot is needed;
        // with no timer armed, the requests answered inline cost no timer work.
        conn.idle = true;
        conn.setTimeout(0);
        conn.idleSinceMs = performance.now();
      }
    } catch (err) {
      if (err instanceof ConnectionClosedError) {
        log.debug({ served }, 'peer closed mid-request');
      } else if (err instanceof TimeoutError) {
        log.info({ served, err: err.message }, 'connection timed out');
      } else if (err instanceof ProtocolError) {
        log.warn({ err: err.message }, 'protocol error, closing connection');
      } else {
        log.error({ err }, 'connection failed');
      }
    } finally {
      this.conns.delete(conn);
      this.opts.onClose?.(state, conn);
      conn.destroy();
    }
  }

  /**
   * A connection all of whose requests were answered inline goes on in the C query loop (native-queries.ts):
   * this socket ends without ending the connection, whose counts stay with its slot until it ends there.
   */
  private detach(conn: FrameSocket, slot: Slot, inline: InlinePort<S>): void {
    const served = detachConnection(conn.socket, this.detachedOwner, slot.peer, conn.localAddress, inline.detachedRequestMax);
    if (served === null) {
      conn.onDetachable = null;
      return;
    }
    slot.detached = true;
    this.detached.set(served, slot);
    this.stats.native++;
    conn.detached();
  }

  /** A connection leaves the C loop (ended there, or back here): its slot. */
  private undetach(conn: DetachedConnection): Slot | undefined {
    const slot = this.detached.get(conn);
    if (slot) {
      this.detached.delete(conn);
      this.stats.native--;
    }
    return slot;
  }

  /** The C query loop's side of this server (see DetachedOwner). */
  private readonly detachedOwner: DetachedOwner = {
    answer: (conn, cmd, body) => {
      const m = this.metrics;
      const t0 = m ? performance.now() : 0;
      let answer: Buffer | null;
      try {
        answer = this.opts.inline?.detachedAnswer?.(cmd, body, conn, this.detached.get(conn)?.state as S) ?? null;
      } catch {
        return null;
      }
      if (answer === null) return null;
      const now = performance.now();
      conn.idleSinceMs = now;
      m?.observeRequest(this.opts.role, cmd, answer[9]!, (now - t0) / 1000, HEADER_SIZE + body.length, answer.length);
      return answer;
    },
    closed: (conn) => {
      const slot = this.undetach(conn);
      if (slot) this.release(slot);
    },
    handedBack: (conn, socket, unanswered) => {
      const slot = this.undetach(conn);
      if (!slot || this.server === null) {
        socket.destroy();
        if (slot) this.release(slot);
        return;
      }
      slot.detached = false;
      slot.returned = true;
      this.attach(socket, slot, true, unanswered);
    },
  };

  /** An inline answer is a served request: the connection may idle, and metrics count it as the loop would. */
  private answerInline(inline: InlinePort<S>, state: S, conn: FrameSocket, cmd: number, body: Buffer): Buffer | null {
    const m = this.metrics;
    const t0 = m ? performance.now() : 0;
    let answer: Buffer | null;
    try {
      answer = inline.answer(state, conn, cmd, body);
    } catch {
      // The normal path meets the same problem and reports it properly.
      return null;
    }
    if (answer === null) return null;
    conn.idle = true;
    // The first request served: from now on the connection may idle indefinitely (see serve).
    conn.setTimeout(0);
    const now = performance.now();
    conn.idleSinceMs = now;
    m?.observeRequest(this.opts.role, cmd, answer[9]!, (now - t0) / 1000, HEADER_SIZE + body.length, answer.length);
    return answer;
  }

  /**
   * At max_connections a new connection takes the slot of the one idle longest (at least MIN_IDLE_MS between
   * requests): idle connections held open cannot lock clients out, as they could with a plain refusal.
   * With `host`, only that address's connections are candidates (max_connections_per_host).
   */
  private evictIdlest(host?: string): boolean {
    // Rare (only at the limit): a scan of the open connections for the one idle longest.
    let conn: FrameSocket | null = null;
    for (const c of this.conns) {
      if (c.idleSinceMs === 0 || (host !== undefined && c.remoteAddress !== host)) continue;
      if (!conn || c.idleSinceMs < conn.idleSinceMs) conn = c;
    }
    let inC: DetachedConnection | null = null;
    for (const d of this.detached.keys()) {
      if (host !== undefined && d.remoteAddress !== host) continue;
      if ((!inC || d.idleSinceMs < inC.idleSinceMs) && (!conn || d.idleSinceMs < conn.idleSinceMs)) inC = d;
    }
    const since = inC ? inC.idleSinceMs : conn ? conn.idleSinceMs : 0;
    if ((!conn && !inC) || performance.now() - since < MIN_IDLE_MS) return false;
    this.opts.log.info({ peer: (inC ?? conn)!.remoteAddress, idleMs: Math.round(performance.now() - since) },
      `closed the longest-idle connection for a new one (${host === undefined ? 'max_connections' : 'max_connections_per_host'})`);
    if (inC) {
      const slot = this.undetach(inC)!;
      closeDetached(inC);
      this.release(slot);
      return true;
    }
    conn!.idleSinceMs = 0;
    this.conns.delete(conn!);
    conn!.destroy();
    return true;
  }

  /** Runs one request; returns false when the connection must close. */
  private async handle(ctx: ConnectionContext<S>, header: Header, log: Logger): Promise<boolean> {
    const conn = ctx.conn;
    ctx.header = header;
    ctx.replied = false;
    try {
      await ctx.dispatch(ctx);
      if (conn.bodyRemaining > 0) throw new ProtocolError(`handler left ${conn.bodyRemaining} body bytes`);
      if (!ctx.replied) await conn.write(encodeStatus(0));
      return true;
    } catch (err) {
      if (!(err instanceof StatusError)) throw err;
      if (ctx.replied) throw new ProtocolError(`error after reply: ${err.message}`);
      log.info({ cmd: header.cmd, errno: errnoName(err.errno), err: err.message }, 'request failed');
      // Storage closes after EINVAL; the tracker keeps the connection (§3.2).
      const keepOpen = !(err.errno === Errno.EINVAL && this.opts.role === 'storage');
      // To keep the stream in sync the rest of the body must be read; a large one is not worth it.
      if (keepOpen && conn.bodyRemaining > 0) {
        if (conn.bodyRemaining > MAX_DRAIN) {
          await conn.write(encodeStatus(err.errno));
          return false;
        }
        await conn.skipBody();
      }
      await conn.write(encodeStatus(err.errno));
      return keepOpen;
    }
  }
}

/** The RequestContext of one connection; `header` and `replied` change with each request. */
class ConnectionContext<S> implements RequestContext<S> {
  header!: Header;
  replied = false;

  constructor(readonly conn: FrameSocket, readonly state: S, readonly log: Logger, readonly dispatch: Dispatch<S>) {}

  reply(body?: Buffer): Promise<void> {
    this.replied = true;
    if (!body || body.length === 0) return this.conn.write(encodeStatus(0));
    return this.conn.write(Buffer.concat([encodeStatus(0, body.length), body]));
  }

  replyPacket(packet: Buffer): Promise<void> {
    this.replied = true;
    return this.conn.write(packet);
  }

  beginReply(len: number): Promise<void> {
    this.replied = true;
    return this.conn.write(encodeStatus(0, len));
  }
}
