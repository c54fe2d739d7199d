// Streamed exchanges on a Connection: a request whose content follows its head (from an iterable or a file
// range, with backpressure and an exact length), and the 26-style answer read until close with a trailer.
import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { LengthMismatchError, StatusError } from '../errors.js';
import type { Answer, CallOptions, Connection } from './connection.js';
import { BufferPool } from './buffer-pool.js';
import { SendWindow } from './send-window.js';

/** `length` bytes of an open file from `start`. */
export interface FileRange {
  fh: FileHandle;
  start: number;
}

export type Content = AsyncIterable<Buffer> | FileRange;

export interface StreamOptions extends CallOptions {
  /** Bytes sent so far, after each chunk. */
  onProgress?: (sent: number, total: number) => void;
}

/** Read buffers for file ranges (the sync sender's files), 256 KiB each. */
const fileChunks = new BufferPool(256 << 10, 8);

/** Stream exactly `size` bytes after a head sent with send(); LengthMismatchError (connection broken) otherwise. */
export async function sendBody(c: Connection, body: Content, size: number, onProgress?: (n: number, t: number) => void): Promise<void> {
  if ('fh' in body) return sendFileRange(c, body, size);
  let sent = 0;
  for await (const chunk of body) {
    sent += chunk.length;
    if (sent > size) break;
    await c.write(chunk);
    onProgress?.(sent, size);
  }
  if (sent !== size) {
    c.broken = true;
    throw new LengthMismatchError(size, sent);
  }
}

/** Chunks of one file range handed to the socket and not yet taken by it. */
const RANGE_WINDOW = 4;

/** A read slower than this came from the disk, not the page cache: the rest of the range goes through the thread pool. */
const SLOW_READ_MS = 20;

/**
 * Read in place (page-cache reads cost less than a thread-pool round trip) into reused buffers, each written as
 * soon as read. A file that shrank meanwhile breaks the request: the connection is destroyed (the peer waits
 * for bytes).
 */
async function sendFileRange(c: Connection, r: FileRange, length: number): Promise<void> {
  const window = new SendWindow(RANGE_WINDOW);
  let inPlace = true;
  let sent = 0;
  while (sent < length) {
    await window.room();
    const want = Math.min(fileChunks.size, length - sent);
    const buf = fileChunks.take();
    let bytesRead: number;
    try {
      if (inPlace) {
        const began = performance.now();
        bytesRead = readSync(r.fh.fd, buf, 0, want, r.start + sent);
        if (performance.now() - began > SLOW_READ_MS) inPlace = false;
      } else ({ bytesRead } = await r.fh.read(buf, 0, want, r.start + sent));
    } catch (err) {
      fileChunks.give(buf);
      throw err;
    }
    if (bytesRead === 0) {
      fileChunks.give(buf);
      c.destroy();
      throw new LengthMismatchError(length, sent);
    }
    window.taken();
    await c.writeReleasing(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead), () => {
      fileChunks.give(buf);
      window.back();
    });
    sent += bytesRead;
  }
}

/**
 * Send `head` (header + head, pkg_len counting the content), then `size` content bytes, then read the answer.
 * A peer that refused early (a storage closes after EINVAL) gets its status reported, not EPIPE.
 */
export function streamRequest(c: Connection, head: Buffer, body: Content, size: number, opts: StreamOptions & { onError: 'return' }): Promise<Answer>;
export function streamRequest(c: Connection, head: Buffer, body: Content, size: number, opts?: StreamOptions & { onError?: 'throw' }): Promise<Buffer>;
export async function streamRequest(c: Connection, head: Buffer, body: Content, size: number, opts: StreamOptions = {}): Promise<Buffer | Answer> {
  try {
    await c.send(head);
    await sendBody(c, body, size, opts.onProgress);
  } catch (err) {
    c.broken = true;
    if (err instanceof LengthMismatchError) throw err;
    // The status may already be waiting in the socket.
    const status = await c.readResponseHeader(opts.cmd).then(() => null, (e: unknown) => (e instanceof StatusError ? e : null));
    if (status && opts.onError === 'return') return { status: status.errno, body: Buffer.alloc(0) };
    throw status ?? err;
  }
  return opts.onError === 'return'
    ? c.answer(opts as CallOptions & { onError: 'return' })
    : c.answer(opts as CallOptions & { onError?: 'throw' });
}

/**
 * Read an answer already opened with Connection.open() whose body runs until the peer closes and ends with a
 * `trailer.length`-byte trailer (26 FETCH_ONE_PATH_BINLOG): everything before it goes to `onData`, the trailer
 * into `trailer`. Resolves with the trailer bytes received (less than its length: the stream was cut short).
 */
export async function readUntilTrailer(c: Connection, trailer: Buffer, onData: (b: Buffer) => Promise<void> | void): Promise<number> {
  const t = trailer.length;
  let held = 0;
  for await (const chunk of c.body()) {
    const total = held + chunk.length;
    if (total <= t) {
      chunk.copy(trailer, held);
      held = total;
      continue;
    }
    // Everything but the last t bytes is data; the held bytes come first.
    const out = total - t;
    if (out <= held) {
      await onData(Buffer.from(trailer.subarray(0, out)));
      trailer.copyWithin(0, out, held);
      chunk.copy(trailer, held - out);
    } else {
      if (held > 0) await onData(Buffer.from(trailer.subarray(0, held)));
      await onData(chunk.subarray(0, out - held));
      chunk.copy(trailer, 0, out - held);
    }
    held = t;
  }
  return held;
}
