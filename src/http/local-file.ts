// A regular file on local disk as an OpenedFile (one descriptor, any number of range streams read from it);
// the storage hands the gateway these for resolved store-path names, the gateway uses it for token_check_fail.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { OpenedFile } from './send-file.js';

/** Read-ahead per stream: large enough for disk and socket efficiency, small enough to stay flat in memory. */
const HIGH_WATER = 256 << 10;

/** Files up to this size are read whole, in place: four thread-pool round trips cost more than the read. */
const SMALL_FILE = 256 << 10;

/**
 * A small regular file read at once into memory (null: none there; undefined: too big, or not readable in
 * place — the caller then streams it).
 */
function readSmallFile(absPath: string): OpenedFile | null | undefined {
  let fd: number;
  try {
    fd = openSync(absPath, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return null;
    if (st.size > SMALL_FILE) return undefined;
    const data = Buffer.allocUnsafe(st.size);
    let got = 0;
    while (got < data.length) {
      const n = readSync(fd, data, got, data.length - got, got);
      if (n === 0) break;
      got += n;
    }
    const content = got === data.length ? data : data.subarray(0, got);
    return {
      size: content.length,
      mtimeMs: st.mtimeMs,
      ino: st.ino,
      ctimeMs: st.ctimeMs,
      stream: (start: number, end: number): Readable => Readable.from([content.subarray(start, end + 1)]),
      read: async (position: number, length: number) => content.subarray(position, position + length),
      close: async () => {},
    };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * The file at `absPath`, or null when there is none (or it is not a regular file). Opened and read in place
 * (page-cache reads cost less than thread-pool round trips; a worker process blocks only itself). Every read is
 * synchronous and checks that the file is still open, so none can land on a descriptor number reused after close.
 */
export async function openLocalFile(absPath: string): Promise<OpenedFile | null> {
  const small = readSmallFile(absPath);
  if (small !== undefined) return small;
  let fd: number;
  try {
    fd = openSync(absPath, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
    throw err;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      closeSync(fd);
      return null;
    }
    let closed = false;
    const readInto = (buf: Buffer, position: number, length: number): number => {
      if (closed) throw new Error('read after close');
      let got = 0;
      while (got < length) {
        const n = readSync(fd, buf, got, length - got, position + got);
        if (n === 0) break;
        got += n;
      }
      return got;
    };
    return {
      size: st.size,
      mtimeMs: st.mtimeMs,
      ino: st.ino,
      ctimeMs: st.ctimeMs,
      readInto,
      stream: (start: number, end: number): Readable => rangeStream(readInto, start, end),
      async read(position: number, length: number): Promise<Buffer> {
        const buf = Buffer.allocUnsafe(length);
        const got = readInto(buf, position, length);
        return got === length ? buf : buf.subarray(0, got);
      },
      async close() {
        if (closed) return;
        closed = true;
        closeSync(fd);
      },
    };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** Bytes `start..end` inclusive as a stream of HIGH_WATER reads (a file that shrank ends it short). */
function rangeStream(readInto: (buf: Buffer, position: number, length: number) => number, start: number, end: number): Readable {
  let at = start;
  return new Readable({
    highWaterMark: HIGH_WATER,
    read() {
      if (at > end) {
        this.push(null);
        return;
      }
      try {
        const buf = Buffer.allocUnsafe(Math.min(HIGH_WATER, end - at + 1));
        const got = readInto(buf, at, buf.length);
        at += got;
        this.push(got === 0 ? null : got === buf.length ? buf : buf.subarray(0, got));
        if (got < buf.length) this.push(null);
      } catch (err) {
        this.destroy(err as Error);
      }
    },
  });
}
