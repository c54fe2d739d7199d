// Reads `<base>/data/sync/binlog.NNN` line by line from a (index, offset) position for a sync sender (§9.1):
// an unterminated last line is a write in progress (or a crash's torn tail) and is not consumed; malformed lines
// (6.16.1's `L` line without its link name, §13.2 item 18) come back as `rec: null` so callers skip them.
import { open, stat, type FileHandle } from 'node:fs/promises';
import { readSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../log.js';
import { parseBinlogLine, type BinlogRecord } from '../../protocol/binlog-format.js';
import { binlogFileName } from './writer.js';

export interface BinlogPos {
  index: number;
  /** Byte offset of the next unread line in binlog.<index>. */
  offset: number;
}

export interface BinlogItem {
  /** null: a complete line that does not parse (skipped by senders, counted as scanned). */
  rec: BinlogRecord | null;
  line: string;
  start: BinlogPos;
  /** Position right after the line: where a mark goes once the record is done. */
  end: BinlogPos;
}

export interface BinlogReaderOptions {
  /** `<base_path>/data/sync`. */
  dir: string;
  /** Index of the binlog the writer appends to now (files below it are complete). */
  currentIndex: () => number;
  log?: Logger;
  /** Bytes per read. @default 64 KiB */
  chunkSize?: number;
}

/** A line longer than this without a newline in a finished file is garbage and is skipped. */
const MAX_LINE = 64 << 10;
const NL = 0x0a;

export class BinlogReader {
  private fh: FileHandle | null = null;
  private fhIndex = -1;
  private items: BinlogItem[] = [];
  /** Where disk reading continues (after the buffered items). */
  private readPos: BinlogPos;
  /** Next unconsumed position. */
  private next_: BinlogPos;
  private readonly chunk: number;
  /** One read buffer for good: lines leave it as strings, and a sender that keeps up reads a line or two per fill. */
  private buf: Buffer | null = null;

  constructor(private readonly opts: BinlogReaderOptions, start: BinlogPos) {
    this.chunk = opts.chunkSize ?? 64 << 10;
    this.readPos = { ...start };
    this.next_ = { ...start };
  }

  /** Position of the next record `next()` returns. */
  get position(): BinlogPos {
    return { ...this.next_ };
  }

  /** Continue from `pos` (e.g. back to the mark after a failed record). */
  seek(pos: BinlogPos): void {
    this.items = [];
    this.readPos = { ...pos };
    this.next_ = { ...pos };
  }

  /** The next complete line, or null when nothing more is available right now. */
  async next(): Promise<BinlogItem | null> {
    if (!this.items.length) await this.fill();
    const item = this.items.shift();
    if (!item) return null;
    this.next_ = { ...item.end };
    return item;
  }

  /** Give back the item `next()` just returned. */
  unread(item: BinlogItem): void {
    this.items.unshift(item);
    this.next_ = { ...item.start };
  }

  /**
   * Move past every record before the first one with timestamp ≥ `ts` (up to what is written now).
   * Returns the number of lines passed.
   */
  async seekTimestamp(ts: number): Promise<number> {
    let passed = 0;
    for (;;) {
      const item = await this.next();
      if (!item) return passed;
      if (item.rec && item.rec.timestamp >= ts) {
        this.unread(item);
        return passed;
      }
      passed++;
    }
  }

  /**
   * Make sure `pos.offset` sits at a line start (a salvaged mark may not): if the byte before it is not a
   * newline, move to the next line start. Offsets past the end are clamped to the end.
   */
  async alignToLine(): Promise<BinlogPos> {
    const p = this.next_;
    const file = this.filePath(p.index);
    const size = await stat(file).then((s) => s.size, () => 0);
    let offset = Math.min(p.offset, size);
    if (offset > 0) {
      const fh = await open(file, 'r');
      try {
        const b = Buffer.alloc(1);
        await fh.read(b, 0, 1, offset - 1);
        if (b[0] !== NL) {
          const buf = Buffer.alloc(MAX_LINE);
          const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
          const nl = buf.subarray(0, bytesRead).indexOf(NL);
          offset = nl >= 0 ? offset + nl + 1 : offset + bytesRead;
        }
      } finally {
        await fh.close();
      }
    }
    if (offset !== p.offset) this.opts.log?.warn({ index: p.index, from: p.offset, to: offset }, 'binlog position moved to a line start');
    this.seek({ index: p.index, offset });
    return this.position;
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    this.fhIndex = -1;
    await fh?.close().catch(() => {});
  }

  private filePath(index: number): string {
    return path.join(this.opts.dir, binlogFileName(index));
  }

  private async handle(index: number): Promise<FileHandle | null> {
    if (this.fhIndex === index && this.fh) return this.fh;
    await this.close();
    try {
      this.fh = await open(this.filePath(index), 'r');
      this.fhIndex = index;
      return this.fh;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /** Read complete lines from readPos into items; follows rotation to the next file. */
  private async fill(): Promise<void> {
    for (;;) {
      const { index, offset } = this.readPos;
      const fh = await this.handle(index);
      const finished = index < this.opts.currentIndex();
      if (!fh) {
        if (!finished) return;
        this.opts.log?.warn({ file: this.filePath(index) }, 'binlog file missing; continuing with the next one');
        this.readPos = { index: index + 1, offset: 0 };
        continue;
      }
      let size = this.chunk;
      for (;;) {
        if (!this.buf || this.buf.length < size) this.buf = Buffer.allocUnsafe(size);
        // A blocking read of the page-cached tail: one syscall, no thread-pool round trip per record.
        const bytesRead = readSync(fh.fd, this.buf, 0, size, offset);
        const data = this.buf.subarray(0, bytesRead);
        const lastNl = data.lastIndexOf(NL);
        if (lastNl >= 0) {
          this.parse(index, offset, data.subarray(0, lastNl + 1));
          break;
        }
        if (bytesRead === size && size < MAX_LINE) {
          size = Math.min(size * 4, MAX_LINE);
          continue;
        }
        // No complete line here.
        if (bytesRead === 0 && !finished) return;
        if (!finished && bytesRead < MAX_LINE) return; // a line being written (or a torn tail not yet repaired)
        // A finished file ending in an unterminated line, or a runaway line: skip the bytes as one bad item.
        const line = data.toString('latin1', 0, Math.min(80, bytesRead));
        const end = bytesRead === MAX_LINE ? { index, offset: offset + bytesRead } : { index: index + 1, offset: 0 };
        if (bytesRead > 0) {
          this.opts.log?.warn({ file: this.filePath(index), offset, bytes: bytesRead }, 'skipping an unterminated binlog line');
          this.items.push({ rec: null, line, start: { index, offset }, end });
        }
        this.readPos = end;
        break;
      }
      // Stop once something can be handed out; blank lines or a skipped tail only moved readPos.
      if (this.items.length) return;
    }
  }

  private parse(index: number, offset: number, data: Buffer): void {
    let pos = 0;
    while (pos < data.length) {
      const nl = data.indexOf(NL, pos);
      const line = data.toString('utf8', pos, nl);
      const start = { index, offset: offset + pos };
      const end = { index, offset: offset + nl + 1 };
      pos = nl + 1;
      if (line === '') continue;
      this.items.push({ rec: parseBinlogLine(line), line, start, end });
    }
    this.readPos = { index, offset: offset + data.length };
  }
}
