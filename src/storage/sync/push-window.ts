// The records a sender has in flight to one peer, over up to `sync_max_threads` connections (spec §9.4 item 3):
// taken in binlog order; never two records of one file at once; the timestamps of everything from the oldest
// unfinished record on span at most 1 s, so the peer's "newest received − 1" (SYNC_REPORT) never covers a file
// still in flight; finished records leave in order, which is how far the mark may advance. A batch (push-batch.ts)
// is several records on one connection at once, each its own entry.
import type { Connection } from '../../net/connection.js';
import type { BinlogItem } from '../binlog/reader.js';
import type { BatchOutcome } from './push-batch.js';
import type { PushResult } from './sync-ops.js';

interface Entry {
  item: BinlogItem;
  names: string[];
  done: boolean;
  result?: PushResult;
  error?: unknown;
}

export interface Finished {
  item: BinlogItem;
  result: PushResult;
}

/** Most seconds between the timestamps of records in the window (see replication.ts REPORT_MARGIN). */
const MAX_SPAN = 1;

function namesOf(item: BinlogItem): string[] {
  const rec = item.rec!;
  return 'srcFilename' in rec ? [rec.filename, rec.srcFilename] : [rec.filename];
}

export class PushWindow {
  private readonly entries: Entry[] = [];
  private readonly free: Connection[];
  private waiter: (() => void) | null = null;
  private firstError: unknown = null;
  private inFlight = 0;
  /** The batch being filled (beginBatch … endBatch): its connection and entries. */
  private batch: { conn: Connection; entries: Entry[] } | null = null;

  constructor(
    conns: Connection[],
    private readonly push: (conn: Connection, item: BinlogItem) => Promise<PushResult>,
    private readonly pushBatch?: (conn: Connection, items: BinlogItem[]) => Promise<BatchOutcome[]>,
  ) {
    this.free = [...conns];
  }

  /** Records in the window (unfinished, or finished after an unfinished one). */
  get size(): number {
    return this.entries.length;
  }

  /** The first error a push raised (the window takes nothing more). */
  get failure(): unknown {
    return this.firstError;
  }

  /** Whether `item` (which has a record) may go out now (`inBatch`: in the open batch, on its connection). */
  canTake(item: BinlogItem, inBatch = false): boolean {
    if ((!inBatch && !this.free.length) || this.firstError) return false;
    const names = namesOf(item);
    const ts = item.rec!.timestamp;
    // The span counts from the oldest unfinished record on, and only records the peer sees: a skipped one
    // (a replica line, never sent) says nothing to the peer, and with nothing in flight nothing constrains.
    const from = this.entries.findIndex((e) => !e.done);
    if (from < 0) return true;
    for (let i = from; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (!e.done && e.names.some((n) => names.includes(n))) return false;
      if (e.result === 'skipped' && e.done) continue;
      const t = e.item.rec?.timestamp;
      if (t !== undefined && Math.abs(t - ts) > MAX_SPAN) return false;
    }
    return true;
  }

  /** Push `item` on a free connection (call canTake first). */
  dispatch(item: BinlogItem): void {
    const conn = this.free.pop()!;
    const entry: Entry = { item, names: namesOf(item), done: false };
    this.entries.push(entry);
    this.inFlight++;
    this.push(conn, item).then((result) => {
      entry.result = result;
      this.free.push(conn);
    }, (err: unknown) => {
      entry.error = err;
      this.firstError ??= err;
    }).finally(() => {
      entry.done = true;
      this.inFlight--;
      this.notify();
    });
  }

  /** Take a free connection for a batch (call canTake first); addToBatch() its records, then endBatch(). */
  beginBatch(): void {
    this.batch = { conn: this.free.pop()!, entries: [] };
  }

  /** Add `item` to the open batch (call canTake(item, true) first). */
  addToBatch(item: BinlogItem): void {
    const entry: Entry = { item, names: namesOf(item), done: false };
    this.entries.push(entry);
    this.batch!.entries.push(entry);
    this.inFlight++;
  }

  /** Send the open batch; each record finishes with its own outcome, or all with the connection's failure. */
  endBatch(): void {
    const { conn, entries } = this.batch!;
    this.batch = null;
    const finish = (e: Entry, o: BatchOutcome) => {
      if ('result' in o) e.result = o.result;
      else {
        e.error = o.error;
        this.firstError ??= o.error;
      }
      e.done = true;
      this.inFlight--;
    };
    this.pushBatch!(conn, entries.map((e) => e.item)).then((outcomes) => {
      entries.forEach((e, i) => finish(e, outcomes[i]!));
      if (entries.every((e) => e.error === undefined)) this.free.push(conn);
    }, (error: unknown) => {
      for (const e of entries) finish(e, { error });
    }).finally(() => this.notify());
  }

  /** A record decided without the peer (skipped): it still leaves the window in binlog order. */
  addDone(item: BinlogItem, result: PushResult): void {
    this.entries.push({ item, names: [], done: true, result });
  }

  /** Remove and return the finished records at the head, stopping at a failed or unfinished one. */
  takeFinished(): Finished[] {
    const out: Finished[] = [];
    while (this.entries.length && this.entries[0]!.done && this.entries[0]!.error === undefined) {
      const e = this.entries.shift()!;
      out.push({ item: e.item, result: e.result! });
    }
    return out;
  }

  /** Resolves when a push finishes, or after `ms`. */
  changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const prev = this.waiter;
      this.waiter = done;
      function done(): void {
        clearTimeout(timer);
        prev?.();
        resolve();
      }
    });
  }

  /** Wait until nothing is in flight. */
  async settle(): Promise<void> {
    while (this.inFlight > 0) await this.changed(1000);
  }

  private notify(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}
