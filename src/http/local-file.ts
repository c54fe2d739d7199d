// A regular file on local disk as an OpenedFile (one descriptor, any number of range streams read from it);
// the storage hands the gateway these for resolved store-path names, the gateway uses it for token_check_fail.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
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
 * The file at `absPath`, or null when there is none (or it is not a regular file). A FileHandle, not a bare fd:
 * its streams are reference-counted and close() waits for reads in flight, so no read lands on a reused fd.
 */
export async function openLocalFile(absPath: string): Promise<OpenedFile | null> {
  const small = readSmallFile(absPath);
  if (small !== undefined) return small;
  let fh: FileHandle;
  try {
    fh = await open(absPath, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
    throw err;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      return null;
    }
    let closed = false;
    return {
      size: st.size,
      mtimeMs: st.mtimeMs,
      ino: st.ino,
      ctimeMs: st.ctimeMs,
      stream: (start: number, end: number): Readable =>
        fh.createReadStream({ start, end, autoClose: false, highWaterMark: Math.min(HIGH_WATER, end - start + 1) }),
      async read(position: number, length: number): Promise<Buffer> {
        const buf = Buffer.allocUnsafe(length);
        let got = 0;
        while (got < length) {
          const { bytesRead } = await fh.read(buf, got, length - got, position + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        return got === length ? buf : buf.subarray(0, got);
      },
      async close() {
        if (closed) return;
        closed = true;
        await fh.close().catch(() => {});
      },
    };
  } catch (err) {
    await fh.close().catch(() => {});
    throw err;
  }
}
