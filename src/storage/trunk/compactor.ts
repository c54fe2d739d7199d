// Keeps the trunk binlog from growing without end (stock's trunk binlog compression, spec §11.5): every slot
// taken or freed adds lines, about 180 bytes per small upload, and a restart replays them all. When the file
// has grown past a threshold (and trunk_compress_binlog_min_interval allows), it is replaced by the free
// space it describes, one `A` line per free block. Worker processes write the file too: they are held
// (workers/owner.ts holdTrunkWriters) while the owner reads, writes and renames in one synchronous step, so
// no line is lost, and a crash leaves either the old file or the complete new one.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../log.js';
import { nowSec } from '../runtime.js';
import { FreeSpace, formatJournal, parseJournal } from './free-space.js';

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
}

export class TrunkCompactor {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lastAt = 0;
  /** Size of the last compacted file: the next compaction waits until the file is 4× that (at least MIN_BYTES). */
  private lastSize = 0;
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
    const interval = this.d.minIntervalSec();
    if (size < threshold || (interval > 0 && nowSec() - this.lastAt < interval)) return Promise.resolve();
    this.running = this.compact().catch((err: Error) => {
      this.d.log.warn({ err: err.message }, 'trunk binlog not compacted');
    }).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async compact(): Promise<void> {
    const resume = await this.d.holdWriters();
    if (!resume) throw new Error('a worker process did not stop writing in time');
    try {
      this.swap();
    } finally {
      resume();
    }
  }

  /** Read, replay, write the free space to a temp file, flush it and rename it over the binlog: no await. */
  private swap(): void {
    const before = statSync(this.d.file).size;
    const free = new FreeSpace();
    for (const j of parseJournal(readFileSync(this.d.file, 'latin1'))) free.apply(j);
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
    renameSync(tmp, this.d.file);
    try {
      const dir = openSync(path.dirname(this.d.file), 'r');
      fsyncSync(dir);
      closeSync(dir);
    } catch {
      // the rename is done; a directory that cannot be synced only weakens durability across a power cut
    }
    this.d.reopenOwn();
    this.lastAt = nowSec();
    this.lastSize = Buffer.byteLength(text, 'latin1');
    this.compactions++;
    this.d.log.info({ before, after: this.lastSize }, 'trunk binlog compacted');
  }
}
