// Streams request bodies into hidden temp files (`.<random>.tmp` in the target directory) with an incremental
// CRC-32, then publishes them atomically (mtime set first, link or rename); no reader ever sees half a file.
// A body small enough to hold (BufferedFile) is written and published with blocking calls: no thread-pool hop.
import { randomBytes } from 'node:crypto';
import {
  closeSync, fdatasync, fdatasyncSync, ftruncateSync, futimesSync, linkSync, openSync, renameSync, unlinkSync, utimesSync,
  write, writeSync, writev, writevSync,
} from 'node:fs';
import { promisify } from 'node:util';
import { performance } from 'node:perf_hooks';
import { isPumpable, type PumpableBody } from '../../net/body-chunks.js';
import { open, link, rename, unlink } from 'node:fs/promises';
import { diskPace } from './disk-pace.js';
import path from 'node:path';
import zlib from 'node:zlib';
import { Errno, StatusError } from '../../errors.js';

export interface WriteCounters {
  /** Called once per open attempt: ok = opened. */
  fileOpen?(ok: boolean): void;
  /** Called once per write call: ok = written. */
  fileWrite?(ok: boolean): void;
}

export interface TempFileOptions {
  /** fsync every N bytes written; 0 = never. @default 0 */
  fsyncAfterBytes?: number;
  counters?: WriteCounters;
  /**
   * Runs of zeros (a whole gathered batch) become holes instead of written blocks, and no CRC is kept: for
   * replicas of sparse appender files, which would otherwise be written densely. @default false
   */
  sparse?: boolean;
}

/**
 * A 64 KiB write into the page cache takes tens of microseconds. Writes slower than SLOW_WRITE_MS, a few times
 * over (SLOW_WRITES), or one over STALLED_WRITE_MS mean the kernel is holding writers back (dirty-page
 * throttling): the rest of that body goes through the thread pool, so the event loop keeps serving other
 * connections. One slow write alone (a page reclaim) does not.
 */
const SLOW_WRITE_MS = 2;
const SLOW_WRITES = 3;
const STALLED_WRITE_MS = 20;

/** Largest run of chunks gathered into one write call. */
const GATHER = 256 << 10;

const ZEROS = Buffer.alloc(GATHER);

/** True when every byte of every chunk is zero (compared against a zero buffer: memcmp speed). */
function allZero(chunks: Buffer[]): boolean {
  for (const c of chunks) {
    for (let at = 0; at < c.length; at += ZEROS.length) {
      const part = c.subarray(at, Math.min(c.length, at + ZEROS.length));
      if (!part.equals(ZEROS.subarray(0, part.length))) return false;
    }
  }
  return true;
}


// Unique per process (random prefix) and per file (counter): no random bytes, no getpid per upload.
const TEMP_PREFIX = randomBytes(5).toString('base64url').slice(0, 6);
let tempCounter = 0;

export function tempFileName(): string {
  tempCounter = (tempCounter + 1) % 2_176_782_336; // 36^6: the counter keeps its 6 characters
  return `.${TEMP_PREFIX}${tempCounter.toString(36).padStart(6, '0')}.tmp`;
}

const writeAt = promisify(write);
const writevAt = promisify(writev);
const datasync = promisify(fdatasync);

/**
 * A hidden temp file being filled; `publish` or `discard` ends its life. Opened, closed and published with blocking
 * calls (metadata operations on a local disk cost less than thread-pool round trips, and the body's pump is in place
 * before the next read arrives, so no read of it is queued); writes are in place too (pump) or, for a body read as
 * chunks or with fsync_after_written_bytes, on the thread pool. Nothing is in flight on the descriptor when it is
 * closed: every write is awaited before the next step.
 */
export class TempFile {
  crc32 = 0;
  bytes = 0;
  private sinceSync = 0;
  private closed = false;

  private constructor(readonly path: string, private readonly fd: number, private readonly opts: TempFileOptions) {}

  static async create(dir: string, opts: TempFileOptions = {}): Promise<TempFile> {
    const p = path.join(dir, tempFileName());
    let fd: number;
    try {
      fd = openSync(p, 'wx', 0o644);
    } catch (err) {
      opts.counters?.fileOpen?.(false);
      throw err;
    }
    opts.counters?.fileOpen?.(true);
    return new TempFile(p, fd, opts);
  }

  /** Append one chunk (the CRC covers everything written). */
  write(chunk: Buffer): Promise<void> {
    return this.writeOne(chunk, false);
  }

  /** `crcDone`: writeAll folded the chunk into the CRC when it arrived, while it was still in the CPU's cache. */
  private async writeOne(chunk: Buffer, crcDone: boolean): Promise<void> {
    if (chunk.length === 0) return;
    try {
      let off = 0;
      while (off < chunk.length) {
        const { bytesWritten } = await writeAt(this.fd, chunk, off, chunk.length - off, this.bytes + off);
        off += bytesWritten;
      }
    } catch (err) {
      this.opts.counters?.fileWrite?.(false);
      throw err;
    }
    this.opts.counters?.fileWrite?.(true);
    if (!this.opts.sparse && !crcDone) this.crc32 = zlib.crc32(chunk, this.crc32);
    this.bytes += chunk.length;
    await this.afterWrite(chunk.length);
  }

  /** Several chunks in one writev call (no concatenated copy); their CRC was taken as they arrived. */
  private async writeGathered(chunks: Buffer[], bytes: number): Promise<void> {
    try {
      const { bytesWritten } = await writevAt(this.fd, chunks, this.bytes);
      // A short writev (rare): the rest goes chunk by chunk from where it stopped.
      if (bytesWritten < bytes) {
        let at = 0;
        for (const c of chunks) {
          let off = Math.max(0, bytesWritten - at);
          while (off < c.length) off += (await writeAt(this.fd, c, off, c.length - off, this.bytes + at + off)).bytesWritten;
          at += c.length;
        }
      }
    } catch (err) {
      this.opts.counters?.fileWrite?.(false);
      throw err;
    }
    this.opts.counters?.fileWrite?.(true);
    this.bytes += bytes;
    await this.afterWrite(bytes);
  }

  private async afterWrite(n: number): Promise<void> {
    const every = this.opts.fsyncAfterBytes ?? 0;
    if (every > 0) {
      this.sinceSync += n;
      if (this.sinceSync >= every) {
        this.sinceSync = 0;
        await datasync(this.fd);
      }
    }
  }

  /**
   * Write every chunk of `source` (gathering small ones into one write call); the source must yield
   * exactly `expected` bytes (null: any count). Awaiting each write is the backpressure: the socket is read no faster.
   */
  async writeAll(source: AsyncIterable<Buffer>, expected: number | null): Promise<void> {
    // fsync_after_written_bytes keeps thread-pool writes: its fsyncs must not block the event loop.
    if (isPumpable(source) && (this.opts.fsyncAfterBytes ?? 0) === 0) await this.pumpFrom(source);
    let batch: Buffer[] = [];
    let batchBytes = 0;
    const flush = async (): Promise<void> => {
      if (!batchBytes) return;
      const chunks = batch;
      const bytes = batchBytes;
      batch = [];
      batchBytes = 0;
      if (this.opts.sparse && allZero(chunks)) {
        // A hole: the file's size is set at close.
        this.bytes += bytes;
        return;
      }
      if (chunks.length === 1) await this.writeOne(chunks[0]!, true);
      else await this.writeGathered(chunks, bytes);
    };
    for await (const chunk of source) {
      if (!this.opts.sparse) this.crc32 = zlib.crc32(chunk, this.crc32);
      batch.push(chunk);
      batchBytes += chunk.length;
      if (batchBytes >= GATHER) await flush();
    }
    await flush();
    if (expected !== null && this.bytes !== expected) throw new StatusError(Errno.EIO, `wrote ${this.bytes} bytes, expected ${expected}`);
  }

  /**
   * Write each chunk the moment the socket reads it, with a blocking positional write: the page cache takes it
   * at memory speed, the read buffer is reused, and no thread-pool hop is made. Stops (the caller reads the rest
   * as chunks) when a write blocks for long.
   */
  private async pumpFrom(body: PumpableBody): Promise<void> {
    const fd = this.fd;
    let slow = 0;
    await body.pump((chunk) => {
      if (this.opts.sparse) {
        if (allZero([chunk])) {
          this.bytes += chunk.length;
          return true;
        }
      } else {
        this.crc32 = zlib.crc32(chunk, this.crc32);
      }
      const started = performance.now();
      try {
        for (let off = 0; off < chunk.length;) off += writeSync(fd, chunk, off, chunk.length - off, this.bytes + off);
      } catch (err) {
        this.opts.counters?.fileWrite?.(false);
        throw err;
      }
      this.opts.counters?.fileWrite?.(true);
      this.bytes += chunk.length;
      const took = performance.now() - started;
      if (took < SLOW_WRITE_MS) return true;
      return took < STALLED_WRITE_MS && ++slow < SLOW_WRITES;
    });
  }

  /** Flush and close the descriptor (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.opts.sparse) ftruncateSync(this.fd, this.bytes);
      if ((this.opts.fsyncAfterBytes ?? 0) > 0) await datasync(this.fd);
    } finally {
      closeSync(this.fd);
    }
  }

  /**
   * Give the file its final name with mtime = `mtime` (Unix seconds). With `replace: false` an existing
   * target fails with EEXIST (atomically, through link + unlink); otherwise rename replaces it.
   */
  async publish(target: string, mtime: number, opts: { replace?: boolean } = {}): Promise<void> {
    await this.close();
    utimesSync(this.path, mtime, mtime);
    if (opts.replace) {
      renameSync(this.path, target);
      return;
    }
    if (!linkInPlace(this.path, target)) await publishNoReplace(this.path, target);
  }

  /** Remove the temp file; never throws. */
  async discard(): Promise<void> {
    try {
      await this.close();
    } catch {
      // the descriptor is gone either way
    }
    unlinkQuietly(this.path);
  }
}

/** Every chunk of `source`, which must yield exactly `expected` bytes (EIO otherwise). */
export async function collectChunks(source: AsyncIterable<Buffer>, expected: number): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  let got = 0;
  for await (const c of source) {
    chunks.push(c);
    got += c.length;
  }
  if (got !== expected) throw new StatusError(Errno.EIO, `received ${got} bytes, expected ${expected}`);
  return chunks;
}

/** The chunks from byte `from` on (a short writev's remainder). */
export function unwrittenChunks(chunks: Buffer[], from: number): Buffer[] {
  if (from === 0) return chunks;
  const rest: Buffer[] = [];
  let at = 0;
  for (const c of chunks) {
    if (at + c.length > from) rest.push(at >= from ? c : c.subarray(from - at));
    at += c.length;
  }
  return rest;
}

/** Codes of a filesystem that has no hard links. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV']);

/**
 * Move `from` to `to` unless `to` exists, with blocking calls: EEXIST then (`from` left in place). False, with
 * nothing done, where the filesystem has no hard links (publishNoReplace handles that).
 */
function linkInPlace(from: string, to: string): boolean {
  try {
    linkSync(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') throw new StatusError(Errno.EEXIST, `${path.basename(to)} already exists`);
    if (NO_LINKS.has(code)) return false;
    throw err;
  }
  unlinkQuietly(from);
  return true;
}

/** Move `from` to `to` unless `to` exists (EEXIST then, `from` left in place). */
export async function publishNoReplace(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new StatusError(Errno.EEXIST, `${path.basename(to)} already exists`);
    // Filesystems without hard links: check, then rename (a tiny race, acceptable there).
    if (!NO_LINKS.has(code ?? '')) throw err;
    const exists = await open(to, 'r').then(async (fh) => { await fh.close(); return true; }, () => false);
    if (exists) throw new StatusError(Errno.EEXIST, `${path.basename(to)} already exists`);
    await rename(from, to);
    return;
  }
  // unlink, not rm: rm lstat's first, one more syscall on every upload.
  await unlink(from).catch(() => {});
}

/**
 * Write a small buffer to `target` through a temp file in the same directory (metadata sidecars,
 * state files): readers see the old content or the new, never a mix.
 */
export async function writeFileAtomic(target: string, data: Buffer | string, opts: TempFileOptions = {}): Promise<void> {
  const tmp = await TempFile.create(path.dirname(target), opts);
  try {
    await tmp.write(typeof data === 'string' ? Buffer.from(data) : data);
    await tmp.close();
    await rename(tmp.path, target);
  } catch (err) {
    await tmp.discard();
    throw err;
  }
}

/** What an upload holds between receiving the body and naming the file. */
export interface PendingFile {
  readonly crc32: number;
  readonly bytes: number;
  publish(target: string, mtime: number, opts?: { replace?: boolean }): Promise<void>;
  discard(): Promise<void>;
}

/**
 * A whole body held in memory (at most the storage's buff_size): publish writes it to a temp file, stamps the
 * mtime, and links it under its name with blocking calls — one event-loop turn instead of six thread-pool hops.
 */
export class BufferedFile implements PendingFile {
  readonly crc32: number;
  readonly bytes: number;

  constructor(private readonly dir: string, private readonly chunks: Buffer[], private readonly opts: TempFileOptions = {}) {
    let crc = 0;
    let bytes = 0;
    for (const c of chunks) {
      crc = zlib.crc32(c, crc);
      bytes += c.length;
    }
    this.crc32 = crc;
    this.bytes = bytes;
  }

  /** Collect `source` (exactly `expected` bytes) into memory. */
  static async collect(dir: string, source: AsyncIterable<Buffer>, expected: number, opts: TempFileOptions = {}): Promise<BufferedFile> {
    return new BufferedFile(dir, await collectChunks(source, expected), opts);
  }

  /** The temp file written whole and stamped with `mtime`: its path. */
  private writeTemp(mtime: number): string {
    // Concatenated, not joined: a plain separator is all a directory path needs here.
    const tmp = this.dir + path.sep + tempFileName();
    let fd: number;
    try {
      fd = openSync(tmp, 'wx', 0o644);
    } catch (err) {
      this.opts.counters?.fileOpen?.(false);
      throw err;
    }
    this.opts.counters?.fileOpen?.(true);
    try {
      try {
        writeAllSync(fd, this.chunks, this.bytes);
      } catch (err) {
        this.opts.counters?.fileWrite?.(false);
        throw err;
      }
      this.opts.counters?.fileWrite?.(true);
      if ((this.opts.fsyncAfterBytes ?? 0) > 0) fdatasyncSync(fd);
      futimesSync(fd, mtime, mtime);
    } catch (err) {
      closeSync(fd);
      unlinkQuietly(tmp);
      throw err;
    }
    closeSync(fd);
    return tmp;
  }

  async publish(target: string, mtime: number, opts: { replace?: boolean } = {}): Promise<void> {
    if (diskPace().slow) return this.publishInPool(target, mtime, opts);
    const began = performance.now();
    let unlinked: string | null;
    try {
      unlinked = this.publishBlocking(target, mtime, opts);
    } finally {
      diskPace().took(performance.now() - began);
    }
    if (unlinked === null) return;
    try {
      await publishNoReplace(unlinked, target);
    } catch (err) {
      unlinkQuietly(unlinked);
      throw err;
    }
  }

  /** publish with thread-pool calls: while the disk stalls, a stall holds a pool thread, not the event loop. */
  private async publishInPool(target: string, mtime: number, opts: { replace?: boolean }): Promise<void> {
    const tmp = this.dir + path.sep + tempFileName();
    let fh;
    try {
      fh = await open(tmp, 'wx', 0o644);
    } catch (err) {
      this.opts.counters?.fileOpen?.(false);
      throw err;
    }
    this.opts.counters?.fileOpen?.(true);
    try {
      try {
        for (let done = 0; done < this.bytes;) done += (await fh.writev(unwrittenChunks(this.chunks, done), done)).bytesWritten;
      } catch (err) {
        this.opts.counters?.fileWrite?.(false);
        throw err;
      }
      this.opts.counters?.fileWrite?.(true);
      if ((this.opts.fsyncAfterBytes ?? 0) > 0) await fh.datasync();
      await fh.utimes(mtime, mtime);
    } catch (err) {
      await fh.close().catch(() => {});
      await unlink(tmp).catch(() => {});
      throw err;
    }
    await fh.close();
    try {
      if (opts.replace) await rename(tmp, target);
      else await publishNoReplace(tmp, target);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw err;
    }
  }

  /** The temp file written and published with blocking calls; its path when the filesystem has no hard links. */
  private publishBlocking(target: string, mtime: number, opts: { replace?: boolean }): string | null {
    const tmp = this.writeTemp(mtime);
    try {
      if (opts.replace) renameSync(tmp, target);
      else if (!linkInPlace(tmp, target)) return tmp;
    } catch (err) {
      unlinkQuietly(tmp);
      throw err;
    }
    return null;
  }

  /**
   * publish without replacing, in one synchronous step; throws (leaving nothing behind) where publish would
   * need more, e.g. a filesystem without hard links.
   */
  publishNow(target: string, mtime: number): void {
    const tmp = this.writeTemp(mtime);
    try {
      if (!linkInPlace(tmp, target)) throw new Error('this filesystem has no hard links: publish() instead');
    } catch (err) {
      unlinkQuietly(tmp);
      throw err;
    }
  }

  /** Nothing reached the disk before publish. */
  async discard(): Promise<void> {}
}

function writeAllSync(fd: number, chunks: Buffer[], total: number): void {
  let written = writevSync(fd, chunks);
  if (written === total) return;
  // A short write (rare: signals, full disk): finish chunk by chunk from where it stopped.
  const rest = Buffer.concat(chunks, total).subarray(written);
  let off = 0;
  while (off < rest.length) off += writevSync(fd, [rest.subarray(off)]);
  written += off;
}

function unlinkQuietly(p: string): void {
  try {
    unlinkSync(p);
  } catch {
    // gone already, or the directory went away: nothing left to clean
  }
}
