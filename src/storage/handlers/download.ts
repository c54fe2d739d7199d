// 14 DOWNLOAD_FILE (spec §5.6): the offset/length rules of 6.15.4+, then the content streamed from disk with
// socket backpressure (one read buffer in flight, never the whole file). A normal file's copy is checked
// against the size and CRC32 in its name (repair/content-check.ts) and never served as good when it differs.
import { BufferPool } from '../../net/buffer-pool.js';
import { SendWindow } from '../../net/send-window.js';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import zlib from 'node:zlib';
import { writeHeaderInto } from '../../protocol/header.js';
import { Errno, StatusError } from '../../errors.js';
import { HEADER_SIZE, StorageCmd } from '../../protocol/codes.js';
import { StorageFileCommands, type DownloadRequest } from '../../protocol/storage-file.js';
import { checkGroup, fsStatus, readRequest, type StorageCtx, type StorageRuntime } from '../runtime.js';
import { crcOf, expectedContent, isUncheckable, looksAsWritten, type CopyStamp, type ExpectedContent } from '../repair/content-check.js';
import { crcOfOpenFile } from '../repair/whole-copy.js';
import { readTrunkSmall } from '../trunk/small-read.js';
import { fastPath, type FastPath } from '../../native/fastpath.js';
import { isTrunkName } from '../../protocol/trunk-slot.js';
import { downloadTrunkFile } from '../trunk/read-handlers.js';
import type { HotFile } from '../store/hot-files.js';

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
  const quick = smallDownloadAnswer(rt, req);
  if (quick) return ctx.replyPacket(quick);
  rt.stats.begin('Download');
  if (isTrunkName(req.filename)) return downloadTrunkFile(rt, ctx, req, { downloadRange, readSmallRange, streamLarge });
  const target = rt.paths.resolve(req.filename);
  const expected = expectedContent(req.filename);
  // A copy repaired from a peer is served on the second pass; a second mismatch is no longer repaired.
  for (let pass = 0; ; pass++) {
    let fd: number;
    try {
      // open/fstat in place: on a page-cached disk far cheaper than thread-pool round trips.
      fd = openSync(target.absPath, 'r');
    } catch (err) {
      rt.stats.fileOpen(false);
      const status = fsStatus(err, req.filename);
      // Not from a peer's repair (it would ask us back): the trackers are told, and a peer's copy fetched.
      if (status.errno === Errno.ENOENT && !ctx.state.syncSource) rt.content.missing?.noted(req.filename);
      throw status;
    }
    rt.stats.fileOpen(true);
    try {
      let stamp: CopyStamp;
      try {
        const st = fstatSync(fd);
        if (!st.isFile()) throw new StatusError(Errno.EISDIR, `${req.filename} is not a regular file`);
        stamp = { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
      } catch (err) {
        throw fsStatus(err, req.filename);
      }
      const check = expected ? new CopyCheck(rt, ctx, req.filename, target.absPath, stamp, expected, pass) : null;
      if (check && stamp.size !== expected!.size) {
        if (await check.damaged(`size ${stamp.size}, its file ID says ${expected!.size}`)) continue;
      }
      const range = downloadRange(stamp.size, req.fileOffset, req.downloadBytes);
      const whole = range.offset === 0 && range.length === stamp.size;
      // A part of a copy not known good: the whole copy is checked first (then remembered, if large).
      if (check && !whole && !check.trusted()) {
        const crc = await crcOfOpenFile(fd, stamp.size);
        if (crc !== expected!.crc32) {
          if (await check.damaged(`CRC32 ${hex(crc)}, its file ID says ${hex(expected!.crc32)}`)) continue;
        } else check.passed();
      }
      if (range.length <= SMALL_RANGE) {
        const packet = readSmallRange(rt, fd, range.offset, range.length);
        if (check && whole && !check.trusted()) {
          const crc = crcOf(packet.subarray(HEADER_SIZE));
          if (crc !== expected!.crc32) {
            if (await check.damaged(`CRC32 ${hex(crc)}, its file ID says ${hex(expected!.crc32)}`)) continue;
          } else check.passed();
        }
        await ctx.replyPacket(packet);
      } else {
        const verify = check && whole && !check.trusted() && !check.exempt() ? check : null;
        await streamLarge(rt, ctx, fd, range.offset, range.length, verify);
      }
      rt.stats.bytes('Download', range.length, range.length);
      rt.stats.success('Download');
      return;
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * The whole answer (header + content) to the common download, built in one synchronous step: a small range of
 * a copy that is found, a regular file, and (when the name carries them) of the right size and CRC. Null for
 * anything else (not found, damaged, large, a link to check…): the full path handles it, and null had no effect.
 */
export function smallDownloadAnswer(rt: StorageRuntime, req: DownloadRequest): Buffer | null {
  const read = readCheckedSmall(rt, req.filename, req.fileOffset, req.downloadBytes, HEADER_SIZE);
  if (!read) return null;
  writeHeaderInto(read.data, read.data.length - HEADER_SIZE);
  return read.data;
}

/** A small range read whole and checked against its name: `data` has `headroom` spare bytes in front. */
export interface CheckedRead {
  data: Buffer;
  fileSize: number;
  mtimeMs: number;
}

/**
 * Read `length` bytes (0 = to the end) at `offset` of a stored file in one synchronous step, when the range is at
 * most SMALL_RANGE and the copy checks out (a normal file's size and, read whole, CRC32 as its name says). Null
 * otherwise, with no effect: the caller's full path handles not found, damage, links and large ranges. Counted
 * as a download in the stat block.
 */
export function readCheckedSmall(rt: StorageRuntime, logical: string, offset: number, length: number, headroom = 0): CheckedRead | null {
  if (isTrunkName(logical)) {
    const read = readTrunkSmall(rt.paths, logical, offset, length, headroom, SMALL_RANGE);
    if (read) countSmallRead(rt, read.fileSize);
    return read;
  }
  let absPath: string;
  try {
    absPath = rt.paths.resolve(logical).absPath;
  } catch {
    return null;
  }
  const hot = rt.content.hot?.get(absPath);
  if (hot) return hotRead(rt, hot, offset, length, headroom);
  const expected = expectedContent(logical);
  // A name that carries its size tells a large range without opening the file (the full path opens it once).
  if (expected) {
    const n = rangeLength(expected.size, offset, length);
    if (n === null || n > SMALL_RANGE) return null;
    const native = expected.size <= SMALL_RANGE ? fastPath() : null;
    if (native) return readNatively(rt, native, absPath, expected, offset, n, headroom);
  }
  let fd: number;
  try {
    fd = openSync(absPath, 'r');
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || (expected && st.size !== expected.size)) return null;
    const n = rangeLength(st.size, offset, length);
    if (n === null || n > SMALL_RANGE) return null;
    const whole = n === st.size;
    // A part of a large copy is served here only when the whole copy was checked before (the full path checks it).
    if (expected && !whole && st.size > SMALL_RANGE) {
      const { verified } = rt.content;
      if (!(verified.size > 0 && verified.has(absPath, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs }))) return null;
    }
    // A part of a small copy: the whole copy is read to check it (small copies are cheaper to check than to remember).
    const checkWhole = expected !== null && st.size <= SMALL_RANGE;
    const readFrom = checkWhole ? 0 : offset;
    const readLen = checkWhole ? st.size : n;
    const buf = Buffer.allocUnsafe((checkWhole && !whole ? 0 : headroom) + readLen);
    const at = buf.length - readLen;
    for (let got = 0; got < readLen;) {
      const r = readSync(fd, buf, at + got, readLen - got, readFrom + got);
      if (r === 0) return null;
      got += r;
    }
    if (checkWhole) {
      if (crcOf(buf.subarray(at)) !== expected.crc32) return null;
      const stamp = { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
      return checkedWhole(rt, absPath, stamp, buf.subarray(at), buf, offset, n, headroom);
    }
    countSmallRead(rt, n);
    return { data: buf, fileSize: st.size, mtimeMs: st.mtimeMs };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** inode, size, mtimeMs, ctimeMs of the copy readSmallChecked read. */
const nativeStamp = new Float64Array(4);

/** readCheckedSmall of a small copy whose name carries its size and CRC, read and checked whole in C. */
function readNatively(rt: StorageRuntime, native: FastPath, absPath: string, expected: ExpectedContent, offset: number, n: number,
  headroom: number): CheckedRead | null {
  const whole = n === expected.size;
  const got = native.readSmallChecked(absPath, expected.size, expected.crc32, whole ? headroom : 0, SMALL_RANGE, nativeStamp);
  // Not found, damaged or not a regular file: the full path reports or repairs it.
  if (typeof got === 'number') return null;
  const s = nativeStamp;
  const stamp = { ino: s[0]!, size: s[1]!, mtimeMs: s[2]!, ctimeMs: s[3]! };
  return checkedWhole(rt, absPath, stamp, whole ? got.subarray(headroom) : got, got, offset, n, headroom);
}

/**
 * A small copy read and checked whole (`content`; `read` is it with `headroom` in front when the whole file was
 * asked for): kept for the next read — its content region is never written into — and the range asked for.
 */
function checkedWhole(rt: StorageRuntime, absPath: string, stamp: CopyStamp, content: Buffer, read: Buffer, offset: number, n: number,
  headroom: number): CheckedRead {
  rt.content.hot?.offer(absPath, stamp, content);
  let data = read;
  if (n !== content.length) {
    data = Buffer.allocUnsafe(headroom + n);
    content.copy(data, headroom, offset, offset + n);
  }
  countSmallRead(rt, n);
  return { data, fileSize: stamp.size, mtimeMs: stamp.mtimeMs };
}

/** downloadRange's length without its errors: null where it would refuse (the full path then reports it). */
function rangeLength(fileSize: number, offset: number, length: number): number | null {
  if (offset < 0 || length < 0 || (offset >= fileSize && !(fileSize === 0 && offset === 0))) return null;
  const left = fileSize - offset;
  return length === 0 || length > left ? left : length;
}

/** readCheckedSmall's answer from a held copy (checked when it was read, and unchanged since). */
function hotRead(rt: StorageRuntime, hot: HotFile, offset: number, length: number, headroom: number): CheckedRead | null {
  const n = rangeLength(hot.size, offset, length);
  if (n === null) return null;
  let data: Buffer;
  if (headroom === 0 && n === hot.size) data = hot.data;
  else {
    data = Buffer.allocUnsafe(headroom + n);
    hot.data.copy(data, headroom, offset, offset + n);
  }
  countSmallRead(rt, n);
  return { data, fileSize: hot.size, mtimeMs: hot.mtimeMs };
}

function countSmallRead(rt: StorageRuntime, n: number): void {
  const stats = rt.stats;
  stats.begin('Download');
  stats.fileOpen(true);
  stats.fileRead(true);
  stats.bytes('Download', n, n);
  stats.success('Download');
}

const hex = (n: number): string => n.toString(16).padStart(8, '0');

/**
 * The check of one copy of a normal file against its name. A damaged small copy is repaired from a peer while
 * the client waits (milliseconds) and then served; a large one is repaired in the background and the request
 * fails: a wrong byte is never sent as good.
 */
class CopyCheck {
  constructor(private readonly rt: StorageRuntime, private readonly ctx: StorageCtx, private readonly logical: string,
    private readonly absPath: string, private readonly stamp: CopyStamp, private readonly expected: ExpectedContent,
    private readonly pass: number) {}

  /** Exactly as fdfs wrote it, or this very version (inode, size, mtime, ctime) checked earlier: no full read. */
  trusted(): boolean {
    const { verified } = this.rt.content;
    if (this.stamp.size > SMALL_RANGE && looksAsWritten(this.stamp, this.expected)) return true;
    return verified.size > 0 && verified.has(this.absPath, this.stamp);
  }

  /** A link or a slave of normal-name length: nothing to check (and remembered as such). */
  exempt(): boolean {
    if (!isUncheckable(this.absPath)) return false;
    this.rt.content.verified.add(this.absPath, this.stamp);
    return true;
  }

  /** Remember a large copy that matched (a small one is cheaper to check again than to remember). */
  passed(): void {
    if (this.stamp.size > SMALL_RANGE) this.rt.content.verified.add(this.absPath, this.stamp);
  }

  /** True: repaired, read it again. False: not a normal file after all, serve it. Otherwise EIO. */
  async damaged(why: string): Promise<boolean> {
    const fail = (what: string) => new StatusError(Errno.EIO,
      `${this.logical}: this copy is damaged (${why}); ${what}`, StorageCmd.DownloadFile);
    if (this.exempt()) return false;
    // A peer repairing from us is told at once: it must not wait on a repair that would ask it back.
    if (this.pass > 0 || this.ctx.state.syncSource) throw fail('no good copy here');
    const repair = this.rt.content.repairer.repair(this.logical, this.expected, why);
    if (this.expected.size > SMALL_RANGE) throw fail('a good copy is being fetched from a peer, try again shortly');
    if (await repair === 'repaired') return true;
    throw fail('no peer could supply a good copy yet');
  }

  /** After a full read that did not match: repair in the background (the reply is already cut short). */
  damagedAfterSend(crc: number): void {
    if (this.ctx.state.syncSource) return;
    void this.rt.content.repairer.repair(this.logical, this.expected,
      `CRC32 ${hex(crc)}, its file ID says ${hex(this.expected.crc32)}`);
  }

  matches(crc: number): boolean {
    return crc === this.expected.crc32;
  }
}

/** Header and content in one buffer; a short read (the file shrank) is EIO before anything is sent. */
function readSmallRange(rt: StorageRuntime, fd: number, offset: number, length: number): Buffer {
  const packet = Buffer.allocUnsafe(HEADER_SIZE + length);
  writeHeaderInto(packet, length);
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

/** Read buffers for large downloads. */
const readChunks = new BufferPool(READ_CHUNK, 16);
const takeBuffer = () => readChunks.take();
const giveBack = (buf: Buffer) => readChunks.give(buf);

/** Chunks one download may have handed to its socket and not got back (see SendWindow). */
const MAX_IN_FLIGHT = 4;

/**
 * Send `length` bytes from `offset` of the open descriptor in 1 MiB chunks, read in place (page-cache reads
 * cost less than a thread-pool round trip; a worker process blocks only itself) into reused buffers; the
 * header leaves in the same segment as the first chunk. After the header is out any failure (a read error,
 * a file that shrank) is a plain Error so the connection is closed: the client sees a short read, as with stock.
 */
async function streamLarge(rt: StorageRuntime, ctx: StorageCtx, fd: number, offset: number, length: number,
  verify: CopyCheck | null): Promise<void> {
  let sent = 0;
  let crc = 0;
  let headerSent = false;
  const window = new SendWindow(MAX_IN_FLIGHT);
  const sentOut = (buf: Buffer) => {
    giveBack(buf);
    window.back();
  };
  while (sent < length) {
    await window.room();
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
    if (verify) {
      crc = zlib.crc32(chunk, crc);
      // The last bytes are held back until the whole content is known to match: a damaged copy ends short.
      if (sent + bytesRead === length) {
        if (!verify.matches(crc >>> 0)) {
          giveBack(buf);
          verify.damagedAfterSend(crc >>> 0);
          if (!headerSent) throw new StatusError(Errno.EIO, 'this copy is damaged (its CRC32 does not match its file ID)');
          throw new Error(`damaged copy: CRC32 ${hex(crc >>> 0)} does not match its file ID; the reply was cut short`);
        }
        verify.passed();
      }
    }
    if (!headerSent) {
      ctx.conn.socket.cork();
      await ctx.beginReply(length);
      headerSent = true;
      window.taken();
      const written = ctx.conn.writeReleasing(chunk, () => sentOut(buf));
      ctx.conn.socket.uncork();
      await written;
    } else {
      window.taken();
      await ctx.conn.writeReleasing(chunk, () => sentOut(buf));
    }
    sent += bytesRead;
  }
}
