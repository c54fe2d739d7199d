// The source binlog (spec §9.1): `<base_path>/data/sync/binlog.NNN` + `binlog_index.dat`. Records are
// buffered and appended every `sync_binlog_buff_interval` seconds, at 16 KB and at close; rotates at 1 GiB.
import { appendFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { appendFile, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.js';
import {
  formatBinlogIndex, formatBinlogLine, parseBinlogIndex, BINLOG_LINE_MAX, type BinlogRecord,
} from '../protocol/binlog-format.js';
import { writeFileAtomic } from './file-writer.js';

export interface BinlogWriterOptions {
  /** `<base_path>/data/sync`. */
  dir: string;
  /** Seconds between flushes. @default 1 */
  flushInterval?: number;
  /** Rotate when the current file reaches this many bytes. @default 1 GiB */
  maxFileSize?: number;
  /** Flush as soon as this many bytes are buffered. @default 16 KB */
  bufferSize?: number;
  log?: Logger;
}

export function binlogFileName(index: number): string {
  return `binlog.${String(index).padStart(3, '0')}`;
}

export class BinlogWriter {
  private index = 0;
  private compressIndex = 0;
  private fileSize = 0;
  private pending: string[] = [];
  private pendingBytes = 0;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly maxFileSize: number;
  private readonly bufferSize: number;

  constructor(private readonly opts: BinlogWriterOptions) {
    this.maxFileSize = opts.maxFileSize ?? 1 << 30;
    this.bufferSize = opts.bufferSize ?? 16 << 10;
  }

  /** The binlog file now being appended to. */
  get currentPath(): string {
    return path.join(this.opts.dir, binlogFileName(this.index));
  }

  get currentIndex(): number {
    return this.index;
  }

  private get indexPath(): string {
    return path.join(this.opts.dir, 'binlog_index.dat');
  }

  /** Read (or create) binlog_index.dat and find the current file's size; starts the flush timer. */
  async open(): Promise<void> {
    mkdirSync(this.opts.dir, { recursive: true });
    const text = await readFile(this.indexPath, 'utf8').catch(() => null);
    const parsed = text === null ? null : parseBinlogIndex(text);
    if (parsed) {
      this.index = parsed.currentWrite;
      this.compressIndex = parsed.currentCompress;
    } else {
      if (text !== null) this.opts.log?.warn({ file: this.indexPath }, 'unreadable binlog index, starting at binlog.000');
      await this.writeIndex();
    }
    this.fileSize = await stat(this.currentPath).then((s) => s.size, () => 0);
    const every = Math.max(1, this.opts.flushInterval ?? 1) * 1000;
    this.timer = setInterval(() => void this.flush().catch(() => {}), every);
    this.timer.unref();
  }

  /** Queue one record; its timestamp is the source-side time of the operation. */
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
    this.pendingBytes += line.length;
    if (this.pendingBytes >= this.bufferSize) void this.flush().catch(() => {});
  }

  /** Append everything queued so far (serialised with earlier flushes). */
  flush(): Promise<void> {
    const next = this.chain.then(() => this.write());
    this.chain = next.catch(() => {});
    return next;
  }

  private async write(): Promise<void> {
    if (!this.pending.length) return;
    const text = this.pending.join('');
    const bytes = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      await appendFile(this.currentPath, text);
    } catch (err) {
      // Keep the records for the next attempt, in order.
      this.pending.unshift(text);
      this.pendingBytes += bytes;
      this.opts.log?.error({ err, file: this.currentPath }, 'binlog write failed');
      throw err;
    }
    this.fileSize += Buffer.byteLength(text);
    if (this.fileSize >= this.maxFileSize) await this.rotate();
  }

  private async rotate(): Promise<void> {
    this.index++;
    this.fileSize = 0;
    await this.writeIndex();
    this.opts.log?.info({ file: this.currentPath }, 'binlog rotated');
  }

  private async writeIndex(): Promise<void> {
    await writeFileAtomic(this.indexPath, formatBinlogIndex({ currentWrite: this.index, currentCompress: this.compressIndex }));
  }

  /** Stop the timer and flush; later appends are written synchronously. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush().catch(() => {});
    if (this.pending.length) {
      appendFileSync(this.currentPath, this.pending.join(''));
      this.pending = [];
      this.pendingBytes = 0;
    }
    this.closed = true;
  }
}

/** Every complete line of the current binlog (tests and tools; reads the whole file). */
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
    for (const l of readFileSync(p, 'utf8').split('\n')) if (l) lines.push(l);
  }
  return lines;
}
