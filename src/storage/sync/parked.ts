// Records a peer keeps refusing (its disk full, a file it cannot take) must not hold up every later record:
// after PARK_AFTER refusals of the same record it is parked in `<peer>.parked` beside the mark file, the
// sender moves on, and the parked records are offered again now and then until they are done (or moot).
import { appendFile, readFile, rm } from 'node:fs/promises';
import type { Logger } from '../../log.js';
import { parseBinlogLine, type BinlogRecord } from '../../protocol/binlog-format.js';
import type { BinlogItem } from '../binlog/reader.js';
import { writeFileAtomic } from '../store/file-writer.js';
import type { PushResult } from './sync-ops.js';

/** Refusals of one record (a status from the peer, not a lost connection) before it is parked. */
export const PARK_AFTER = 3;
/** Parked records offered again at most this often. */
export const PARKED_RETRY_MS = 60_000;
/** Most parked records offered per round (the rest wait for the next). */
const RETRY_BATCH = 200;

export class ParkedRecords {
  private readonly refusals = new Map<string, number>();
  private lastRetry = 0;
  /** Lines in the file (−1 until read). */
  private count = -1;

  constructor(readonly file: string, private readonly log: Logger) {}

  /** Count a refusal of `item`; true when it is time to park it. */
  refused(item: BinlogItem): boolean {
    const key = `${item.start.index}:${item.start.offset}`;
    const n = (this.refusals.get(key) ?? 0) + 1;
    if (n >= PARK_AFTER) {
      this.refusals.delete(key);
      return true;
    }
    // Bounded: only records that failed lately are remembered.
    if (this.refusals.size > 1000) this.refusals.clear();
    this.refusals.set(key, n);
    return false;
  }

  async park(item: BinlogItem, why: string): Promise<void> {
    await appendFile(this.file, `${item.line}\n`);
    if (this.count >= 0) this.count++;
    this.log.warn({ record: item.line.slice(0, 160), why, parked: this.file },
      'the peer keeps refusing this record: parked, later records go on; it is offered again every minute');
  }

  /** Records parked now. */
  async size(): Promise<number> {
    if (this.count < 0) this.count = (await this.lines()).length;
    return this.count;
  }

  /** Whether a retry round is due (never more often than PARKED_RETRY_MS) and there is anything parked. */
  async due(): Promise<boolean> {
    return Date.now() - this.lastRetry >= PARKED_RETRY_MS && (await this.size()) > 0;
  }

  /**
   * Offer the parked records again: those pushed or moot leave the file, those still refused stay. Any other
   * failure (the peer cut the connection) ends the round and leaves the rest as they were; nothing is thrown.
   */
  async retry(push: (rec: BinlogRecord) => Promise<PushResult>): Promise<void> {
    this.lastRetry = Date.now();
    const lines = await this.lines();
    this.count = lines.length;
    if (!lines.length) return;
    const keep: string[] = [];
    let done = 0;
    let i = 0;
    try {
      for (; i < lines.length && i < RETRY_BATCH; i++) {
        const rec = parseBinlogLine(lines[i]!);
        if (!rec) continue;
        try {
          await push(rec);
          done++;
        } catch (err) {
          keep.push(lines[i]!);
          if (!(err as { status?: number }).status) {
            i++;
            break;
          }
        }
      }
    } finally {
      const rest = [...keep, ...lines.slice(i)];
      if (rest.length) await writeFileAtomic(this.file, `${rest.join('\n')}\n`);
      else await rm(this.file, { force: true });
      this.count = rest.length;
      if (done) this.log.info({ done, left: rest.length }, 'parked records replicated');
    }
  }

  private async lines(): Promise<string[]> {
    const text = await readFile(this.file, 'utf8').catch(() => '');
    return text.split('\n').filter((l) => l.trim() !== '');
  }
}
