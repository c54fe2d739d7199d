// 14 DOWNLOAD_FILE (spec §5.6): the offset/length rules of 6.15.4+, then the content streamed from disk with
// socket backpressure (one read buffer in flight, never the whole file).
import { open, type FileHandle } from 'node:fs/promises';
import { Errno, StatusError } from '../errors.js';
import { StorageCmd } from '../protocol/codes.js';
import { decodeDownloadRequest } from '../protocol/storage-file.js';
import { checkGroup, fsStatus, readSmallBody, type StorageCtx, type StorageRuntime } from './runtime.js';

const READ_CHUNK = 256 << 10;

/**
 * How many bytes to send for a request on a file of `fileSize` bytes (§5.6, 6.15.4+):
 * negative values or `offset ≥ size` → EINVAL; `length` 0 = to the end; longer than what is left → clamped.
 *
 * Deliberate departure from stock (§13.2 item 1): a 0-byte file at offset 0 answers an empty body with
 * status 0 instead of EINVAL, so empty files can be downloaded (the C client accepts pkg_len 0).
 */
export function downloadRange(fileSize: number, offset: number, length: number): { offset: number; length: number } {
  if (offset < 0 || length < 0) throw new StatusError(Errno.EINVAL, `negative offset ${offset} or length ${length}`, StorageCmd.DownloadFile);
  if (fileSize === 0 && offset === 0) return { offset: 0, length: 0 };
  if (offset >= fileSize) throw new StatusError(Errno.EINVAL, `offset ${offset} ≥ file size ${fileSize}`, StorageCmd.DownloadFile);
  const left = fileSize - offset;
  return { offset, length: length === 0 || length > left ? left : length };
}

export async function downloadFile(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const req = decodeDownloadRequest(await readSmallBody(rt, ctx));
  checkGroup(rt, req.group, StorageCmd.DownloadFile);
  rt.stats.begin('Download');
  const target = rt.paths.resolve(req.filename);
  let fh: FileHandle;
  try {
    fh = await open(target.absPath, 'r');
  } catch (err) {
    rt.stats.fileOpen(false);
    throw fsStatus(err, req.filename);
  }
  rt.stats.fileOpen(true);
  try {
    let size: number;
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new StatusError(Errno.EISDIR, `${req.filename} is not a regular file`);
      size = st.size;
    } catch (err) {
      throw fsStatus(err, req.filename);
    }
    const range = downloadRange(size, req.fileOffset, req.downloadBytes);
    await ctx.beginReply(range.length);
    const sent = await streamRange(rt, ctx, fh, range.offset, range.length);
    rt.stats.bytes('Download', range.length, sent);
    rt.stats.success('Download');
  } finally {
    await fh.close().catch(() => {});
  }
}

/**
 * Send `length` bytes from `offset`. After the header is out, any failure (a read error, a file that shrank)
 * is thrown as a plain Error so the connection is closed: the client sees a short read, as with stock.
 */
async function streamRange(rt: StorageRuntime, ctx: StorageCtx, fh: FileHandle, offset: number, length: number): Promise<number> {
  let sent = 0;
  while (sent < length) {
    // A fresh buffer each time: the socket may still hold the previous one after write() resolved.
    const want = Math.min(READ_CHUNK, length - sent);
    const buf = Buffer.allocUnsafe(want);
    let bytesRead: number;
    try {
      ({ bytesRead } = await fh.read(buf, 0, want, offset + sent));
    } catch (err) {
      rt.stats.fileRead(false);
      throw new Error(`read failed after the response header: ${(err as Error).message}`);
    }
    rt.stats.fileRead(true);
    if (bytesRead === 0) throw new Error(`file shrank while being sent (${sent} of ${length} bytes)`);
    await ctx.conn.write(bytesRead === want ? buf : buf.subarray(0, bytesRead));
    sent += bytesRead;
  }
  return sent;
}
