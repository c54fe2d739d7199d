// Keeps the trunk binlog from growing without end (stock's trunk binlog compression, spec §11.5): every slot
// taken or freed adds lines, about 180 bytes per small upload, and a restart replays them all. When the file
// has grown past a threshold (and trunk_compress_binlog_min_interval allows), it is replaced by the free
// space it describes, one `A` line per free block. Worker processes write the file too: they are held
// (workers/owner.ts holdTrunkWriters) while the owner reads, writes and renames in one synchronous step, so
// no line is lost, and a crash leaves either the old file or the complete new one. Besides the size check, a
// schedule may ask (trunk_compress_binlog_interval, compactNow); the old file may be kept (binlog-backups.ts) and
// unused trunk files dropped first (delete_unused_trunk_files, `beforeSwap`).
import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../log.js';
import { nowSec } from '../runtime.js';
import { keepBackup, pruneBackups } from './binlog-backups.js';
import { formatJournal, FreeSpace, scanJournal } from './free-space.js';

/** Below this size the binlog is left alone (a restart replays it in well under a second). */
const MIN_BYTES = 16 << 20;
/** How often the size is looked at. */
const CHECK_MS = 10_000;

export interface CompactorDeps {
  file: string;
  log: Logger;
  /** Only the trunk server writes (and so compacts) its trunk binlog. */
  isTrunkServer(): boolean;
  /** trunk_compress_binlog_min_interval in seconds (0: as often as the size calls for). */
  minIntervalSec(): number;
  /** Hold every other writer of the file; the resume function, or null when they could not all be held. */
  holdWriters(): Promise<(() => void) | null>;
  /** The owner's own writer reopens the file after the swap. */
  reopenOwn(): void;
  /** Threshold override (tests). */
  minBytes?: number;
  /** trunk_binlog_max_backups: the replaced binlog is kept as `binlog.YYYYMMDDHHMMSS`, this many at most (0: none). */
  maxBackups?(): number;
  /** Run with the writers held, just before the file is read: changes journaled here are in the compacted file. */
  beforeSwap?(): void;
}

export class TrunkCompactor {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lastAt = 0;
  /** Size of the last compacted file: the next compaction waits until the file is 4× that (at least MIN_BYTES). */
  private lastSize = 0;
  /** Inode of the file the last compaction wrote: unchanged (and same size), nothing to compact. */
  private lastIno = 0;
  compactions = 0;

  constructor(private readonly d: CompactorDeps) {}

  start(): void {
    this.timer = setInterval(() => void this.check(), CHECK_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Compact now if the file is over the threshold and the interval allows. */
  check(): Promise<void> {
    if (this.running || !this.d.isTrunkServer()) return this.running ?? Promise.resolve();
    const size = statSync(this.d.file, { throwIfNoEntry: false })?.size ?? 0;
    const threshold = Math.max(this.d.minBytes ?? MIN_BYTES, this.lastSize * 4);
    if (size < threshold || !this.intervalAllows()) return Promise.resolve();
    return this.run();
  }

  /**
   * trunk_compress_binlog_interval: compact whatever the size, when trunk_compress_binlog_min_interval allows and
   * the file changed since the last compaction (stock skips an unchanged binlog too).
   */
  compactNow(): Promise<void> {
    if (this.running || !this.d.isTrunkServer()) return this.running ?? Promise.resolve();
    const st = statSync(this.d.file, { throwIfNoEntry: false });
    if (!st || (st.ino === this.lastIno && st.size === this.lastSize) || !this.intervalAllows()) return Promise.resolve();
    return this.run();
  }

  private intervalAllows(): boolean {
    const interval = this.d.minIntervalSec();
    return !(interval > 0 && nowSec() - this.lastAt < interval);
  }

  private run(): Promise<void> {
    // The start counts for min_interval: a schedule of the same period then never finds itself a second early.
    const startedAt = nowSec();
    this.running = this.compact(startedAt).catch((err: Error) => {
      this.d.log.warn({ err: err.message }, 'trunk binlog not compacted');
    }).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async compact(startedAt: number): Promise<void> {
    // The file only grows between compactions: its complete lines are replayed before the writers are held,
    // so uploads wait only for the lines written since (a binlog of a million lines takes a while to replay).
    const early = this.replayComplete();
    const resume = await this.d.holdWriters();
    if (!resume) throw new Error('a worker process did not stop writing in time');
    try {
      this.d.beforeSwap?.();
      this.swap(startedAt, early);
    } finally {
      resume();
    }
  }

  /** The free space the file's complete lines describe now, and where they end. */
  private replayComplete(): Replayed {
    const fd = openSync(this.d.file, 'r');
    try {
      const st = fstatSync(fd);
      const text = readRange(fd, 0, st.size);
      const upTo = text.lastIndexOf('\n') + 1;
      const free = new FreeSpace();
      scanJournal(text, 0, upTo, (op, block) => free.applyOwned(op, block));
      return { free, ino: st.ino, upTo, lastLine: text.slice(text.lastIndexOf('\n', upTo - 2) + 1, upTo) };
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Replay what was written since `early` (all of it if the file was replaced meanwhile), write the free space to
   * a temp file, flush it and rename it over the binlog: no await.
   */
  private swap(startedAt: number, early: Replayed): void {
    const src = openSync(this.d.file, 'r');
    let before: number;
    let free: FreeSpace;
    try {
      const st = fstatSync(src);
      before = st.size;
      if (!this.d.isTrunkServer()) throw new Error('no longer the trunk server');
      // The same file, grown only: its last line replayed early still ends where it did.
      const same = st.ino === early.ino && st.size >= early.upTo
        && readRange(src, early.upTo - early.lastLine.length, early.lastLine.length) === early.lastLine;
      const from = same ? early.upTo : 0;
      free = same ? early.free : new FreeSpace();
      const rest = readRange(src, from, st.size - from);
      scanJournal(rest, 0, rest.length, (op, block) => free.applyOwned(op, block));
    } finally {
      closeSync(src);
    }
    const ts = nowSec();
    const text = free.blocks().map((b) => formatJournal(ts, { op: 'A', block: b }) + '\n').join('');
    const tmp = `${this.d.file}.compact`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, text, null, 'latin1');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const maxBackups = this.d.maxBackups?.() ?? 0;
    // A second name for the old file; the rename below still swaps in one step.
    if (maxBackups > 0) keepBackup(this.d.file, new Date());
    renameSync(tmp, this.d.file);
    if (maxBackups > 0) {
      try {
        for (const f of pruneBackups(this.d.file, maxBackups)) this.d.log.info({ backup: f }, 'old trunk binlog backup deleted');
      } catch (err) {
        this.d.log.warn({ err: (err as Error).message }, 'old trunk binlog backups not deleted');
      }
    }
    try {
      const dir = openSync(path.dirname(this.d.file), 'r');
      fsyncSync(dir);
      closeSync(dir);
    } catch {
      // the rename is done; a directory that cannot be synced only weakens durability across a power cut
    }
    this.d.reopenOwn();
    this.lastAt = startedAt;
    this.lastSize = Buffer.byteLength(text, 'latin1');
    this.lastIno = statSync(this.d.file).ino;
    this.compactions++;
    this.d.log.info({ before, after: this.lastSize }, 'trunk binlog compacted');
  }
}

interface Replayed {
  free: FreeSpace;
  /** The file replayed (a compaction meanwhile would have replaced it). */
  ino: number;
  /** Offset after its last complete line. */
  upTo: number;
  /** That line, newline included ('' for none). */
  lastLine: string;
}

/** `length` bytes of the file from `position`, as latin1 text. */
function readRange(fd: number, position: number, length: number): string {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return buf.toString('latin1', 0, got);
}
