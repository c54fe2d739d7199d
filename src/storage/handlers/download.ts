// 14 DOWNLOAD_FILE (spec §5.6): the offset/length rules of 6.15.4+, then the content streamed from disk with
// socket backpressure (one read buffer in flight, never the whole file).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { encodeHeader } from '../../protocol/header.js';
import { Errno, StatusError } from '../../errors.js';
import { CommonCmd, HEADER_SIZE, StorageCmd } from '../../protocol/codes.js';
import { StorageFileCommands } from '../../protocol/storage-file.js';
import { checkGroup, fsStatus, readRequest, type StorageCtx, type StorageRuntime } from '../runtime.js';

const READ_CHUNK = 1 << 20;

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

/** Ranges up to this size are read synchronously and sent with the header in one write. */
const SMALL_RANGE = 256 << 10;

export async function downloadFile(rt: StorageRuntime, ctx: StorageCtx): Promise<void> {
  const req = await readRequest(rt, ctx, StorageFileCommands.DownloadFile);
  checkGroup(rt, req.group, StorageCmd.DownloadFile);
  rt.stats.begin('Download');
  const target = rt.paths.resolve(req.filename);
  let fd: number;
  try {
    // open/fstat in place: on a page-cached disk far cheaper than thread-pool round trips.
    fd = openSync(target.absPath, 'r');
  } catch (err) {
    rt.stats.fileOpen(false);
    throw fsStatus(err, req.filename);
  }
  rt.stats.fileOpen(true);
  try {
    let size: number;
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new StatusError(Errno.EISDIR, `${req.filename} is not a regular file`);
      size = st.size;
    } catch (err) {
      throw fsStatus(err, req.filename);
    }
    const range = downloadRange(size, req.fileOffset, req.downloadBytes);
    if (range.length <= SMALL_RANGE) {
      await ctx.replyPacket(readSmallRange(rt, fd, range.offset, range.length));
    } else {
      await streamLarge(rt, ctx, fd, range.offset, range.length);
    }
    rt.stats.bytes('Download', range.length, range.length);
    rt.stats.success('Download');
  } finally {
    closeSync(fd);
  }
}

/** Header and content in one buffer; a short read (the file shrank) is EIO before anything is sent. */
function readSmallRange(rt: StorageRuntime, fd: number, offset: number, length: number): Buffer {
  const packet = Buffer.allocUnsafe(HEADER_SIZE + length);
  encodeHeader(length, CommonCmd.Resp, 0).copy(packet, 0);
  let got = 0;
  try {
    while (got < length) {
      const n = readSync(fd, packet, HEADER_SIZE + got, length - got, offset + got);
      if (n === 0) throw new StatusError(Errno.EIO, `file shrank while being read (${got} of ${length} bytes)`);
      got += n;
    }
  } catch (err) {
    rt.stats.fileRead(false);
    throw err instanceof StatusError ? err : fsStatus(err, 'read');
  }
  rt.stats.fileRead(true);
  return packet;
}

// Read buffers for large downloads, reused once the socket has sent them: no 1 MiB allocation (and its page
// faults and GC) per chunk.
const spareBuffers: Buffer[] = [];
const MAX_SPARE = 16;

function takeBuffer(): Buffer {
  return spareBuffers.pop() ?? Buffer.allocUnsafeSlow(READ_CHUNK);
}

function giveBack(buf: Buffer): void {
  if (spareBuffers.length < MAX_SPARE) spareBuffers.push(buf);
}

/**
 * Send `length` bytes from `offset` of the open descriptor in 1 MiB chunks, read in place (page-cache reads
 * cost less than a thread-pool round trip; a worker process blocks only itself) into reused buffers; the
 * header leaves in the same segment as the first chunk. After the header is out any failure (a read error,
 * a file that shrank) is a plain Error so the connection is closed: the client sees a short read, as with stock.
 */
async function streamLarge(rt: StorageRuntime, ctx: StorageCtx, fd: number, offset: number, length: number): Promise<void> {
  let sent = 0;
  let headerSent = false;
  while (sent < length) {
    const want = Math.min(READ_CHUNK, length - sent);
    const buf = takeBuffer();
    let bytesRead: number;
    try {
      bytesRead = readSync(fd, buf, 0, want, offset + sent);
    } catch (err) {
      giveBack(buf);
      rt.stats.fileRead(false);
      if (!headerSent) throw fsStatus(err, 'read');
      throw new Error(`read failed after the response header: ${(err as Error).message}`);
    }
    rt.stats.fileRead(true);
    if (bytesRead === 0) {
      giveBack(buf);
      if (!headerSent) throw new StatusError(Errno.EIO, 'file shrank while being read');
      throw new Error(`file shrank while being sent (${sent} of ${length} bytes)`);
    }
    const chunk = bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    if (!headerSent) {
      ctx.conn.socket.cork();
      await ctx.beginReply(length);
      headerSent = true;
      const written = ctx.conn.writeReleasing(chunk, () => giveBack(buf));
      ctx.conn.socket.uncork();
      await written;
    } else {
      await ctx.conn.writeReleasing(chunk, () => giveBack(buf));
    }
    sent += bytesRead;
  }
}
