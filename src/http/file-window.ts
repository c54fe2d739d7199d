// A byte window of a file on local disk as an OpenedFile: the content of a trunk slot (spec §6.6) sits at an
// offset inside its trunk file, and ranges, HEAD and streaming work on the window as on a whole file.
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { OpenedFile } from './send-file.js';

const HIGH_WATER = 256 << 10;

/** `size` bytes of `absPath` from `start`; null when the file is gone. */
export async function openFileWindow(absPath: string, start: number, size: number, mtimeMs: number): Promise<OpenedFile | null> {
  let fh;
  try {
    fh = await open(absPath, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
  const handle = fh;
  let closed = false;
  return {
    size,
    mtimeMs,
    stream: (from: number, to: number): Readable => handle.createReadStream({
      start: start + from, end: start + Math.min(to, size - 1), autoClose: false,
      highWaterMark: Math.min(HIGH_WATER, to - from + 1),
    }),
    async read(position: number, length: number): Promise<Buffer> {
      const want = Math.max(0, Math.min(length, size - position));
      const buf = Buffer.allocUnsafe(want);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await handle.read(buf, got, want - got, start + position + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got === want ? buf : buf.subarray(0, got);
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.close().catch(() => {});
    },
  };
}
