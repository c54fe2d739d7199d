// The source binlog (spec §9.1): `<base_path>/data/sync/binlog.NNN` + `binlog_index.dat`. Every record is
// written through to the OS at once (a kill -9 loses nothing already acknowledged), fdatasync'ed every
// `sync_binlog_buff_interval` seconds; a torn last line (crash or failed write) is cut off; rotates at 1 GiB.
import {
  appendFileSync, closeSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync,
  renameSync, statSync, writeFileSync, writeSync,
} from 'node:fs';
import { fdatasync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../log.js';
import {
  formatBinlogIndex, formatBinlogLine, parseBinlogIndex, BINLOG_LINE_MAX, type BinlogRecord,
} from '../../protocol/binlog-format.js';

export interface BinlogWriterOptions {
  /** `<base_path>/data/sync`. */
  dir: string;
  /** Seconds between fdatasyncs of the binlog (records reach the OS at once regardless). @default 1 */
  flushInterval?: number;
  /** Rotate when the current file reaches this many bytes. @default 1 GiB */
  maxFileSize?: number;
  log?: Logger;
}

export function binlogFileName(index: number): string {
  return `binlog.${String(index).padStart(3, '0')}`;
}

/** Called after records were appended (replication senders wake up on it). */
export type BinlogListener = () => void;

export class BinlogWriter {
  private index = 0;
  private compressIndex = 0;
  private fileSize = 0;
  private fd: number | null = null;
  /** Lines whose write failed (disk full): retried, in order, before any newer line. */
  private pending: string[] = [];
  private dirty = false;
  /** A datasync running on the thread pool (never on the event loop: it can take long on a busy disk). */
  private syncing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly maxFileSize: number;
  private readonly listeners = new Set<BinlogListener>();
  /** Set when worker processes append to the same file: rotation waits until each of them switched. */
  private shared: { switchWriters: (index: number) => Promise<void>; timer: NodeJS.Timeout; rotating: boolean } | null = null;

  constructor(private readonly opts: BinlogWriterOptions) {
    this.maxFileSize = opts.maxFileSize ?? 1 << 30;
  }

  /** The binlog file now being appended to. */
  get currentPath(): string {
    return path.join(this.opts.dir, binlogFileName(this.index));
  }

  get currentIndex(): number {
    return this.index;
  }

  get dir(): string {
    return this.opts.dir;
  }

  private get indexPath(): string {
    return path.join(this.opts.dir, 'binlog_index.dat');
  }

  /** Read (or create) binlog_index.dat, cut a torn last line off the current file, start the sync timer. */
  async open(): Promise<void> {
    mkdirSync(this.opts.dir, { recursive: true });
    const text = await readFile(this.indexPath, 'utf8').catch(() => null);
    const parsed = text === null ? null : parseBinlogIndex(text);
    if (parsed) {
      this.index = parsed.currentWrite;
      this.compressIndex = parsed.currentCompress;
    } else {
      if (text !== null) this.opts.log?.warn({ file: this.indexPath }, 'unreadable binlog index, starting at binlog.000');
      this.writeIndex();
    }
    this.openCurrent();
    const every = Math.max(1, this.opts.flushInterval ?? 1) * 1000;
    this.timer = setInterval(() => void this.flush().catch(() => {}), every);
    this.timer.unref();
  }

  /**
   * Worker processes append to the current file too (O_APPEND: whole lines, never interleaved bytes). The
   * file's size is then watched every `pollMs` to wake listeners, fdatasync and rotate; a rotation first has
   * `switchWriters(next)` move every worker to the next file, so no line lands in a file readers have left.
   */
  shareAppends(switchWriters: (index: number) => Promise<void>, pollMs = 20): void {
    const timer = setInterval(() => this.watchSharedFile(), pollMs);
    timer.unref();
    this.shared = { switchWriters, timer, rotating: false };
  }

  private watchSharedFile(): void {
    if (this.fd === null || !this.shared) return;
    let size: number;
    try {
      size = fstatSync(this.fd).size;
    } catch {
      return;
    }
    if (size === this.fileSize) return;
    this.fileSize = size;
    this.dirty = true;
    for (const fn of this.listeners) fn();
    if (size >= this.maxFileSize && !this.shared.rotating) void this.rotateShared();
  }

  private async rotateShared(): Promise<void> {
    const shared = this.shared!;
    shared.rotating = true;
    try {
      await shared.switchWriters(this.index + 1);
      this.rotate();
    } catch (err) {
      this.opts.log?.error({ err }, 'binlog rotation failed; will retry');
    } finally {
      shared.rotating = false;
    }
  }

  /** Be told after each append (returns the unsubscribe function). */
  subscribe(fn: BinlogListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Write one record now; its timestamp is the source-side time of the operation. */
  append(rec: BinlogRecord): void {
    const line = formatBinlogLine(rec);
    if (Buffer.byteLength(line) > BINLOG_LINE_MAX) {
      this.opts.log?.warn({ line: line.slice(0, 80) }, 'binlog line longer than 256 bytes');
    }
    if (this.closed) {
      // A request that finished after close(): write straight through so the record is not lost.
      appendFileSync(this.currentPath, line);
      return;
    }
    this.pending.push(line);
    this.writePending();
    for (const fn of this.listeners) fn();
  }

  /** Retry lines a failed write left behind, then fdatasync the file (one sync at a time). */
  async flush(): Promise<void> {
    if (this.fd === null) return;
    this.writePending();
    if (this.pending.length) throw new Error(`${this.pending.length} binlog records not written yet`);
    if (this.syncing) return this.syncing;
    if (!this.dirty) return;
    this.dirty = false;
    const fd = this.fd;
    this.syncing = new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())))
      .finally(() => { this.syncing = null; });
    return this.syncing;
  }

  /** Stop the timer, sync and close; later appends are written synchronously. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.shared) clearInterval(this.shared.timer);
    await this.syncing?.catch(() => {});
    await this.flush().catch((err) => this.opts.log?.error({ err }, 'binlog flush at close failed'));
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    if (this.pending.length) {
      appendFileSync(this.currentPath, this.pending.join(''));
      this.pending = [];
    }
    this.closed = true;
  }

  private openCurrent(): void {
    this.fd = openSync(this.currentPath, 'a+');
    // Workers may already write to a file just rotated to: only a file nobody else writes is repaired.
    this.fileSize = this.shared ? fstatSync(this.fd).size : repairTornTail(this.fd, this.currentPath, this.opts.log);
  }

  /** Write queued lines one by one; a failed write is undone (ftruncate) so no partial line stays behind. */
  private writePending(): void {
    while (this.pending.length && this.fd !== null) {
      const buf = Buffer.from(this.pending[0]!);
      try {
        let off = 0;
        while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
      } catch (err) {
        try {
          // With workers appending too, the size is theirs as well: nothing of ours to cut.
          if (!this.shared) ftruncateSync(this.fd, this.fileSize);
        } catch (e) {
          this.opts.log?.error({ err: e, file: this.currentPath }, 'cannot undo a partial binlog write');
        }
        this.opts.log?.error({ err, file: this.currentPath, queued: this.pending.length }, 'binlog write failed; will retry');
        return;
      }
      this.pending.shift();
      this.fileSize += buf.length;
      this.dirty = true;
      if (this.fileSize >= this.maxFileSize && !this.shared) this.rotate();
    }
  }

  private rotate(): void {
    const old = this.fd;
    if (old !== null) {
      // Once per GiB: sync the finished file; close it only after a datasync still running on it.
      fdatasyncSync(old);
      if (this.syncing) void this.syncing.catch(() => {}).then(() => closeSync(old));
      else closeSync(old);
    }
    this.index++;
    this.writeIndex();
    this.openCurrent();
    this.opts.log?.info({ file: this.currentPath }, 'binlog rotated');
  }

  private writeIndex(): void {
    const tmp = `${this.indexPath}.tmp`;
    writeFileSync(tmp, formatBinlogIndex({ currentWrite: this.index, currentCompress: this.compressIndex }));
    renameSync(tmp, this.indexPath);
  }
}

/**
 * A binlog that does not end with a newline was cut by a crash mid-write: drop the unterminated tail (its
 * record was never complete) so the next record does not glue onto it. Returns the resulting size.
 */
export function repairTornTail(fd: number, file: string, log?: Logger): number {
  const size = fstatSync(fd).size;
  if (size === 0) return 0;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  if (last[0] === 0x0a) return size;
  // Scan backwards for the last newline.
  const chunk = Buffer.alloc(4096);
  let end = size;
  let keep = 0;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const n = readSync(fd, chunk, 0, end - start, start);
    const nl = chunk.subarray(0, n).lastIndexOf(0x0a);
    if (nl >= 0) {
      keep = start + nl + 1;
      break;
    }
    end = start;
  }
  log?.warn({ file, size, keep, dropped: size - keep }, 'binlog ends with a torn line; cutting it off');
  ftruncateSync(fd, keep);
  return keep;
}

/** Every complete line of every binlog file (tests and tools; reads whole files, drops a torn tail). */
export function readBinlogLines(dir: string): string[] {
  const idx = parseBinlogIndex(readFileSync(path.join(dir, 'binlog_index.dat'), 'utf8'));
  const lines: string[] = [];
  for (let i = 0; i <= (idx?.currentWrite ?? 0); i++) {
    const p = path.join(dir, binlogFileName(i));
    try {
      if (!statSync(p).isFile()) continue;
    } catch {
      continue;
    }
    const text = readFileSync(p, 'utf8');
    for (const l of text.slice(0, text.lastIndexOf('\n') + 1).split('\n')) if (l) lines.push(l);
  }
  return lines;
}
