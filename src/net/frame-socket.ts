// Pull-style reader/writer over one TCP socket, built on the resumable FrameDecoder.
// Body bytes are queued per frame; the socket is paused above a high-water mark (TCP backpressure).
import type { Socket } from 'node:net';
import { FrameDecoder, type FrameDecoderOptions } from '../protocol/frame-decoder.js';
import type { Header } from '../protocol/header.js';
import { HEADER_SIZE } from '../protocol/codes.js';
import { ConnectionClosedError, ProtocolError, LengthMismatchError, TimeoutError } from '../errors.js';
import { quickAck } from './quickack.js';
import { BufferPool } from './buffer-pool.js';
import { readIntoOwnBuffer, type OwnBufferReads } from './own-buffer-reads.js';
import { lastWriteWasAsync, writeDirect } from './direct-write.js';
import { BodyChunks, type BodySink } from './body-chunks.js';

/** `whole`: a body item that is all of one kept read (nothing else refers to its buffer). */
type Item = { h: Header } | { b: Buffer; whole?: boolean };

/**
 * Answers a small request that arrived whole, synchronously: the packet to send, or null to take the normal
 * (async) path, in which case it must have had no effect.
 */
export type InlineAnswer = (cmd: number, body: Buffer) => Buffer | null;

/** Requests up to this size (header included) may be answered inline. */
const INLINE_MAX = 512;

const HIGH_WATER = 1 << 20;
const LOW_WATER = 256 << 10;

/** Held inline answers up to this many bytes in all leave as one copied buffer (see onRead). */
const HELD_COPY_MAX = 64 << 10;
/** The first buffer of a request gathered from several reads (a 4 KiB upload fits whole). */
const GATHER_START = 16 << 10;
/**
 * Buffers for requests gathered whole up to GATHER_START, reused once answered inline (the inline handlers are
 * done with the bytes when they return): a 4 KiB upload otherwise allocated a buffer outside Node's pool, with
 * malloc, free and V8's tracking of it, every time.
 */
const gatherBuffers = new BufferPool(GATHER_START, 32);

export class FrameSocket {
  private readonly items: Item[] = [];
  private head = 0;
  private queuedBytes = 0;
  private waiter: (() => void) | null = null;
  private ended = false;
  private failure: Error | null = null;
  private paused = false;
  /** Body bytes of the current frame not yet consumed by the reader. */
  private bodyLeft = 0;
  private readonly decoder: FrameDecoder;
  private timeoutWhat = '';
  private timeoutListening = false;
  /** The first bytes of the chunk the decoder refused: tells an HTTP answer from other garbage. */
  undecodable: Buffer | null = null;
  /** Set by the server: answers hot small requests without the async request loop (see tryInline). */
  inline: InlineAnswer | null = null;
  /** Set by the server with `inline`: requests (command, body length) worth holding until whole to answer inline. */
  gatherable: ((cmd: number, bodyLength: number) => boolean) | null = null;
  /**
   * Set by the server: called after a read whose requests were all answered inline, when nothing of the
   * connection is pending (see quiet), so that it may be handed to the C query loop (native-queries.ts).
   */
  onDetachable: (() => void) | null = null;
  /** The request being gathered, copied in as it arrives (`gatheredBytes` of it so far); null: none. */
  private gathered: Buffer | null = null;
  /**
   * Inline answers of the read being handled (onRead), while `holding`: the first, then any more. A fresh `[]`
   * would start in V8's small-integer elements kind, and code optimized on an older connection's array of
   * buffers would be thrown away at a new connection's first read.
   */
  private heldFirst: Buffer | null = null;
  private heldMore: Buffer[] | null = null;
  private holding = false;
  private gatheredBytes = 0;
  /** `gathered` came from gatherBuffers (it goes back once answered inline). */
  private gatheredPooled = false;
  private gatherTarget = 0;
  private readonly ackNow: boolean;
  /** Reads land in a buffer of ours (see own-buffer-reads.ts); null: Node's 'data' events, each chunk ours. */
  private readonly ownReads: OwnBufferReads | null;
  /** Set while a borrowed chunk is fed to the decoder: a body slice of it was queued, so it must be kept. */
  private feedingBorrowed = false;
  private queuedBorrowed = false;
  /** Set while pumpBody runs: body bytes go to it as the decoder finds them, instead of the queue. */
  private sink: { fn: BodySink; left: number; stopped: boolean; error: unknown } | null = null;

  constructor(readonly socket: Socket, opts: FrameDecoderOptions & { quickAck?: boolean } = {}) {
    this.decoder = new FrameDecoder(
      {
        header: (h) => this.push({ h }),
        body: (b) => this.push({ b }),
        end: () => {},
      },
      opts,
    );
    this.ackNow = opts.quickAck === true;
    this.ownReads = readIntoOwnBuffer(socket, (chunk) => this.onRead(chunk, true));
    if (!this.ownReads) socket.on('data', (chunk: Buffer) => this.onRead(chunk, false));
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', (err) => this.fail(err));
  }

  /** `borrowed`: a view of the read buffer, reused by the next read unless kept or copied. */
  private onData(chunk: Buffer, borrowed: boolean): void {
    if (this.gathered !== null) return this.gatherMore(chunk, borrowed);
    if (this.inline !== null && this.tryInline(chunk, borrowed)) return;
    this.feed(chunk, borrowed);
  }

  /**
   * One read: the inline answers to the requests it held whole (a peer pipelining small replicas sends several
   * at once) leave together in one write, before anything the async path answers later.
   */
  private onRead(chunk: Buffer, borrowed: boolean): void {
    if (this.inline === null) return this.onData(chunk, borrowed);
    this.holding = true;
    try {
      this.onData(chunk, borrowed);
    } finally {
      this.holding = false;
      const first = this.heldFirst;
      const more = this.heldMore;
      this.heldFirst = null;
      this.heldMore = null;
      if (first !== null) {
        if (more === null) this.answer(first);
        else this.answerAll([first, ...more]);
        if (this.onDetachable !== null && this.quiet()) this.onDetachable();
      }
    }
  }

  /** Nothing pending either way: the reader waits for a header, nothing queued or partial, every byte sent. */
  private quiet(): boolean {
    return this.waiter !== null && this.head === this.items.length && this.bodyLeft === 0 && this.decoder.idle &&
      this.gathered === null && this.sink === null && !this.paused && !this.ended && this.failure === null &&
      this.socket.writableLength === 0 && !lastWriteWasAsync();
  }

  /** The connection now lives elsewhere (the C loop): the reader sees a clean end, the peer sees nothing. */
  detached(): void {
    this.onDetachable = null;
    this.ended = true;
    this.wake();
  }

  /** Bytes read before this socket existed (a connection handed back by the C loop), taken as a first read. */
  injectRead(bytes: Buffer): void {
    if (bytes.length > 0) this.onRead(bytes, false);
  }

  private answerAll(held: Buffer[]): void {
    let bytes = 0;
    for (const h of held) bytes += h.length;
    // Small answers are worth a copy to save writes; large ones (downloads) go as they are.
    if (bytes <= HELD_COPY_MAX) this.answer(Buffer.concat(held, bytes));
    else for (const h of held) this.answer(h);
  }

  /** Bytes for the normal (async) path. */
  private feed(chunk: Buffer, borrowed: boolean): void {
    this.feedingBorrowed = borrowed;
    this.queuedBorrowed = false;
    const queued = this.items.length;
    try {
      this.decoder.write(chunk);
    } catch (err) {
      this.undecodable ??= Buffer.from(chunk.subarray(0, 16));
      this.fail(err as Error);
      this.socket.destroy();
      return;
    } finally {
      this.feedingBorrowed = false;
      // Body slices of it were queued for the reader: the buffer is theirs now.
      if (this.queuedBorrowed) {
        this.ownReads!.keep();
        const last = this.items.length === queued + 1 ? this.items[queued]! : null;
        if (last && 'b' in last && last.b.byteOffset === chunk.byteOffset && last.b.length === chunk.length) last.whole = true;
      }
    }
    // Only a peer in the middle of sending a request may be waiting for our ACK to send the rest.
    if (this.ackNow && !this.decoder.idle) quickAck(this.socket);
  }

  /**
   * A chunk that is exactly one small request, arriving while the reader waits for the next header with nothing
   * queued, is answered here in one synchronous step: no queueing, promises or microtasks per request. Order is
   * kept because nothing else is in flight on this connection. A request the server gathers (a small upload)
   * may come in several chunks: they are held until the request is whole, then answered the same way.
   */
  private tryInline(chunk: Buffer, borrowed: boolean): boolean {
    if (this.waiter === null || this.bodyLeft !== 0 || this.head !== this.items.length || !this.decoder.idle) return false;
    // A request carrying a status (e.g. SYNC_CREATE_FILE's "no content" 0x11) takes the usual way.
    if (chunk.length < HEADER_SIZE || chunk.readUInt32BE(0) !== 0 || chunk[9] !== 0) return false;
    const frameLength = HEADER_SIZE + chunk.readUInt32BE(4);
    if (chunk.length === frameLength && chunk.length <= INLINE_MAX) {
      const answer = this.inline!(chunk[8]!, chunk.subarray(HEADER_SIZE));
      if (answer === null) return false;
      this.queueAnswer(answer);
      return true;
    }
    if (this.gatherable === null || !this.gatherable(chunk[8]!, frameLength - HEADER_SIZE)) return false;
    if (chunk.length >= frameLength) return this.answerGathered(chunk, frameLength, borrowed);
    // Room for what arrived and as much again, up to the whole request: memory grows with the bytes sent.
    this.gatheredPooled = frameLength <= GATHER_START;
    this.gathered = this.gatheredPooled ? gatherBuffers.take()
      : Buffer.allocUnsafe(Math.min(frameLength, Math.max(GATHER_START, 2 * chunk.length)));
    chunk.copy(this.gathered, 0);
    this.gatheredBytes = chunk.length;
    this.gatherTarget = frameLength;
    if (this.ackNow) quickAck(this.socket);
    return true;
  }

  private gatherMore(chunk: Buffer, borrowed: boolean): void {
    const take = Math.min(chunk.length, this.gatherTarget - this.gatheredBytes);
    let into = this.gathered!;
    if (this.gatheredBytes + take > into.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.gatherTarget, Math.max(2 * into.length, this.gatheredBytes + take)));
      into.copy(grown, 0, 0, this.gatheredBytes);
      into = this.gathered = grown;
    }
    chunk.copy(into, this.gatheredBytes, 0, take);
    this.gatheredBytes += take;
    if (this.gatheredBytes < this.gatherTarget) {
      if (this.ackNow) quickAck(this.socket);
      return;
    }
    this.gathered = null;
    const request = into.length === this.gatherTarget ? into : into.subarray(0, this.gatherTarget);
    if (!this.answerGathered(request, this.gatherTarget, false)) this.feed(request, false);
    else if (this.gatheredPooled) gatherBuffers.give(into);
    // The next request's first bytes, read with the end of this one.
    if (take < chunk.length) this.onData(chunk.subarray(take), borrowed);
  }

  /** Answer the request at the start of `bytes` inline; what follows it takes the usual way. False: no effect. */
  private answerGathered(bytes: Buffer, frameLength: number, borrowed: boolean): boolean {
    const answer = this.inline!(bytes[8]!, bytes.subarray(HEADER_SIZE, frameLength));
    if (answer === null) return false;
    this.queueAnswer(answer);
    if (bytes.length > frameLength) this.onData(bytes.subarray(frameLength), borrowed);
    return true;
  }

  /** An inline answer, held until the read is handled (see onRead), or written now outside one. */
  private queueAnswer(packet: Buffer): void {
    if (!this.holding) this.answer(packet);
    else if (this.heldFirst === null) this.heldFirst = packet;
    else (this.heldMore ??= []).push(packet);
  }

  /** An inline answer: straight to the handle when nothing else is queued (see direct-write.ts). */
  private answer(packet: Buffer): void {
    if (!writeDirect(this.socket, packet)) this.socket.write(packet);
  }

  get remoteAddress(): string {
    return normaliseIp(this.socket.remoteAddress ?? '');
  }

  get localAddress(): string {
    return normaliseIp(this.socket.localAddress ?? '');
  }

  get closed(): boolean {
    return this.ended || this.failure !== null || this.socket.destroyed;
  }

  /** Bytes of the current frame's body that the reader has not consumed yet. */
  get bodyRemaining(): number {
    return this.bodyLeft;
  }

  private push(item: Item): void {
    if (this.sink !== null && 'b' in item && this.head === this.items.length) {
      const rest = this.toSink(item.b);
      if (rest === null) return;
      item = { b: rest };
    }
    this.items.push(item);
    if ('b' in item) {
      this.queuedBytes += item.b.length;
      if (this.feedingBorrowed) this.queuedBorrowed = true;
    }
    if (this.queuedBytes > HIGH_WATER && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    this.wake();
  }

  /** Hand body bytes to the sink; returns what it did not take (to queue), or null. */
  private toSink(bytes: Buffer): Buffer | null {
    const s = this.sink!;
    const part = bytes.length > s.left ? bytes.subarray(0, s.left) : bytes;
    this.bodyLeft -= part.length;
    s.left -= part.length;
    try {
      if (!s.fn(part)) s.stopped = true;
    } catch (err) {
      s.error = err;
      s.stopped = true;
    }
    if (s.left === 0 || s.stopped) {
      this.sink = null;
      this.wake();
    }
    return part.length < bytes.length ? bytes.subarray(part.length) : null;
  }

  /**
   * Push the next `n` body bytes to `sink` (see body-chunks.ts): queued ones first, then each as it is read,
   * from the read buffer itself. Resolves with the bytes handed over (fewer when the sink said stop); rejects
   * with the sink's error, or when the connection fails first.
   */
  async pumpBody(n: number, sink: BodySink): Promise<number> {
    if (n > this.bodyLeft) throw new ProtocolError(`want ${n} body bytes, only ${this.bodyLeft} left`);
    let handed = 0;
    while (handed < n && this.head < this.items.length) {
      const item = this.items[this.head]!;
      if (!('b' in item)) throw new ProtocolError('header inside a body');
      const whole = item.whole === true && item.b.length <= n - handed;
      const c = this.takeBody(item, n - handed);
      handed += c.length;
      const more = sink(c);
      // The sink is done with it and nothing else refers to it: the socket may read into it again.
      if (whole) this.ownReads?.recycle(c.buffer);
      if (!more) return handed;
    }
    if (handed === n) return handed;
    const s = { fn: sink, left: n - handed, stopped: false, error: null as unknown };
    this.sink = s;
    try {
      while (s.left > 0 && !s.stopped) {
        if (this.failure) throw this.failure;
        if (this.ended) throw new ConnectionClosedError('inside a body');
        await this.wait();
      }
    } finally {
      if (this.sink === s) this.sink = null;
    }
    if (s.error) throw s.error;
    return n - s.left;
  }

  /** The next `n` bytes of the current body, to iterate or to pump. */
  bodyChunks(n = this.bodyLeft): BodyChunks {
    return new BodyChunks(this, n);
  }

  private fail(err: Error): void {
    if (!this.failure) this.failure = err;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  private shift(): Item {
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined as unknown as Item;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    return item;
  }

  private consumed(n: number): void {
    this.queuedBytes -= n;
    if (this.paused && this.queuedBytes < LOW_WATER) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private async nextItem(what: string): Promise<Item> {
    for (;;) {
      if (this.head < this.items.length) return this.items[this.head]!;
      if (this.failure) throw this.failure;
      if (this.ended) throw new ConnectionClosedError(what);
      await this.wait();
    }
  }

  /** The next frame's header, or null on a clean close between frames. */
  async readHeader(): Promise<Header | null> {
    if (this.bodyLeft > 0) throw new ProtocolError(`previous body not consumed (${this.bodyLeft} bytes left)`);
    for (;;) {
      if (this.head < this.items.length) break;
      if (this.failure) throw this.failure;
      if (this.ended) {
        if (this.decoder.idle) return null;
        throw new ConnectionClosedError('inside a header');
      }
      await this.wait();
    }
    const item = this.shift();
    if (!('h' in item)) throw new ProtocolError('body bytes where a header was expected');
    this.bodyLeft = item.h.pkgLen;
    return item.h;
  }

  /** Up to `max` bytes of the current body as soon as any are available; null when the body is done. */
  async readChunk(max = Number.POSITIVE_INFINITY): Promise<Buffer | null> {
    if (this.bodyLeft === 0) return null;
    let item: Item;
    try {
      item = await this.nextItem('inside a body');
    } catch (err) {
      // A read-until-close body (pkg_len 2^58) ends with the connection.
      if (this.bodyLeft === Number.POSITIVE_INFINITY && err instanceof ConnectionClosedError) {
        this.bodyLeft = 0;
        return null;
      }
      throw err;
    }
    if (!('b' in item)) throw new ProtocolError('header inside a body');
    return this.takeBody(item, max);
  }

  /** Consume up to `max` bytes of the queued body item at the head of the queue. */
  private takeBody(item: { b: Buffer; whole?: boolean }, max: number): Buffer {
    let chunk = item.b;
    if (chunk.length > max) {
      // The part taken may be kept by its reader: the buffer is no longer the rest's alone.
      item.whole = false;
      item.b = chunk.subarray(max);
      chunk = chunk.subarray(0, max);
    } else {
      this.shift();
    }
    this.bodyLeft -= chunk.length;
    this.consumed(chunk.length);
    return chunk;
  }

  /** Exactly n bytes of the current body (n must not exceed what is left). */
  async readExact(n: number): Promise<Buffer> {
    if (n > this.bodyLeft) throw new ProtocolError(`want ${n} body bytes, only ${this.bodyLeft} left`);
    if (n === 0) return Buffer.alloc(0);
    const first = await this.readChunk(n);
    if (first!.length === n) return first!;
    const parts = [first!];
    let got = first!.length;
    while (got < n) {
      const c = (await this.readChunk(n - got))!;
      parts.push(c);
      got += c.length;
    }
    return Buffer.concat(parts, n);
  }

  /**
   * `prev` (bytes just read) followed by the next n body bytes as one buffer. When they sit next to each other
   * in the same socket chunk (the usual case) this is a view of it, not a copy.
   */
  async readExtend(prev: Buffer, n: number): Promise<Buffer> {
    if (n > this.bodyLeft) throw new ProtocolError(`want ${n} body bytes, only ${this.bodyLeft} left`);
    if (n === 0) return prev;
    const next = await this.nextItem('inside a body');
    if ('b' in next && next.b.length >= n && next.b.buffer === prev.buffer && next.b.byteOffset === prev.byteOffset + prev.length) {
      this.takeBody(next, n);
      return Buffer.from(prev.buffer, prev.byteOffset, prev.length + n);
    }
    const out = Buffer.allocUnsafe(prev.length + n);
    prev.copy(out, 0);
    let got = prev.length;
    while (got < out.length) {
      const c = (await this.readChunk(out.length - got))!;
      c.copy(out, got);
      got += c.length;
    }
    return out;
  }

  /** The rest of the current body (callers check pkg_len against their buffer limit first). */
  async readRest(): Promise<Buffer> {
    return this.readExact(this.bodyLeft);
  }

  /** Yields the rest of the current body (or the next `n` bytes of it) as chunks, without copying. */
  async *chunks(n = this.bodyLeft): AsyncGenerator<Buffer> {
    if (n > this.bodyLeft) throw new ProtocolError(`want ${n} body bytes, only ${this.bodyLeft} left`);
    let left = n;
    while (left > 0) {
      const c = await this.readChunk(left);
      if (!c) break;
      left -= c.length;
      yield c;
    }
    if (left > 0 && n !== Number.POSITIVE_INFINITY) throw new LengthMismatchError(n, n - left);
  }

  /** Discard the rest of the current body. */
  async skipBody(): Promise<void> {
    while (this.bodyLeft > 0) {
      if (!(await this.readChunk())) break;
    }
  }

  /** Write bytes; resolves once the socket accepted them (waits for drain when its buffer is full). */
  async write(buf: Buffer): Promise<void> {
    if (this.socket.destroyed) throw this.writeFailure();
    if (this.socket.write(buf)) return;
    await this.drained();
  }

  /** Resolves at the socket's next 'drain'; rejects if it closes first. */
  private drained(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        this.socket.off('drain', onDrain);
        this.socket.off('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = () => done();
      const onClose = () => done(this.writeFailure());
      this.socket.on('drain', onDrain);
      this.socket.on('close', onClose);
    });
  }

  /** Between requests a served connection may idle as long as it likes: a timeout is ignored while this is set. */
  idle = false;
  /** Since when (performance.now()) the connection waits for its next request; 0 while one is in progress. */
  idleSinceMs = 0;
  /** Reads answered inline since the last request that took the normal path (server.ts: when to go to C). */
  inlineStreak = 0;
  /** The command in progress, for the timeout's message (−1: none, the `what` given to setTimeout). */
  timeoutCmd = -1;
  private timerArmed = false;

  /**
   * Write a buffer the caller wants back: `release` runs once the socket is done with it (sent to the kernel,
   * or the write failed), so it can be refilled. Resolves when more may be written (after a drain if needed).
   */
  async writeReleasing(buf: Buffer, release: () => void): Promise<void> {
    if (this.socket.destroyed) {
      release();
      throw this.writeFailure();
    }
    if (this.socket.write(buf, () => release())) return;
    await this.drained();
  }

  /** Why a write cannot go out: our own timeout when that closed the socket, else the peer closing it. */
  private writeFailure(): Error {
    return this.failure instanceof TimeoutError ? this.failure : new ConnectionClosedError('while writing');
  }

  /**
   * Fail pending and future reads after `ms` of inactivity (0 disables). No allocation: one listener, set once.
   * While armed, Node moves the socket's timer on every read and write: servers disarm it between requests.
   */
  setTimeout(ms: number, what = 'network operation'): void {
    if (ms <= 0 && !this.timerArmed) return;
    this.timerArmed = ms > 0;
    this.socket.setTimeout(ms);
    this.timeoutWhat = what;
    if (!this.timeoutListening) {
      this.timeoutListening = true;
      this.socket.on('timeout', () => {
        if (this.socket.timeout === 0 || this.socket.timeout === undefined || this.idle) return;
        this.fail(new TimeoutError(this.timeoutCmd >= 0 ? `cmd ${this.timeoutCmd}` : this.timeoutWhat));
        this.socket.destroy();
      });
    }
  }

  close(): void {
    this.socket.end();
  }

  destroy(err?: Error): void {
    if (err) this.fail(err);
    this.socket.destroy();
  }
}

/** '::ffff:1.2.3.4' → '1.2.3.4'. */
export function normaliseIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}
