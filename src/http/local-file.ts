// A regular file on local disk as an OpenedFile (any number of range streams read from it); the storage hands the
// gateway these for resolved store-path names, the gateway uses it for token_check_fail. Opened and read in place:
// page-cache reads cost less than thread-pool round trips, and a worker process blocks only itself.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { OpenedFile } from './send-file.js';

/** Read-ahead per stream: large enough for disk and socket efficiency, small enough to stay flat in memory. */
const HIGH_WATER = 256 << 10;

/** Files up to this size are read whole at open and the descriptor closed at once. */
const SMALL_FILE = 256 << 10;

type ReadInto = (buf: Buffer, position: number, length: number) => number;

/**
 * The file at `absPath`, or null when there is none (or it is not a regular file). A small one is read whole now;
 * a larger one keeps its descriptor until close(), and every read of it is synchronous and checks that the file is
 * still open, so none can land on a descriptor number reused after close.
 */
export async function openLocalFile(absPath: string): Promise<OpenedFile | null> {
  let fd: number;
  try {
    fd = openSync(absPath, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
    throw err;
  }
  let closed = false;
  const readInto: ReadInto = (buf, position, length) => {
    if (closed) throw new Error('read after close');
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, position + got);
      if (n === 0) break;
      got += n;
    }
    return got;
  };
  const close = () => {
    if (closed) return;
    closed = true;
    closeSync(fd);
  };
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      close();
      return null;
    }
    const facts = { mtimeMs: st.mtimeMs, ino: st.ino, ctimeMs: st.ctimeMs };
    if (st.size <= SMALL_FILE) {
      const data = Buffer.allocUnsafe(st.size);
      const content = data.subarray(0, readInto(data, 0, data.length));
      close();
      return {
        ...facts,
        size: content.length,
        stream: (start, end) => Readable.from([content.subarray(start, end + 1)]),
        read: async (position, length) => content.subarray(position, position + length),
        close: async () => {},
      };
    }
    return {
      ...facts,
      size: st.size,
      readInto,
      stream: (start, end) => rangeStream(readInto, start, end),
      async read(position, length) {
        const buf = Buffer.allocUnsafe(length);
        return buf.subarray(0, readInto(buf, position, length));
      },
      close: async () => close(),
    };
  } catch (err) {
    close();
    throw err;
  }
}

/** Bytes `start..end` inclusive as a stream of HIGH_WATER reads (a file that shrank ends it short). */
function rangeStream(readInto: ReadInto, start: number, end: number): Readable {
  let at = start;
  return new Readable({
    highWaterMark: HIGH_WATER,
    read() {
      try {
        const want = Math.min(HIGH_WATER, end - at + 1);
        const buf = want > 0 ? Buffer.allocUnsafe(want) : null;
        const got = buf ? readInto(buf, at, want) : 0;
        at += got;
        if (got > 0) this.push(buf!.subarray(0, got));
        if (got < want || at > end) this.push(null);
      } catch (err) {
        this.destroy(err as Error);
      }
    },
  });
}
