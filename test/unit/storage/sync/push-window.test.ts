// PushWindow (§9.4 item 3): parallel pushes over a few connections without breaking what SYNC_REPORT relies on —
// one record per file at a time, a timestamp span of at most 1 s, finished records released in binlog order,
// and nothing released past a failure.
import { describe, it, expect } from 'vitest';
import type { Connection } from '../../../../src/net/connection.js';
import { parseBinlogLine } from '../../../../src/protocol/binlog-format.js';
import type { BinlogItem } from '../../../../src/storage/binlog/reader.js';
import { PushWindow } from '../../../../src/storage/sync/push-window.js';
import type { PushResult } from '../../../../src/storage/sync/sync-ops.js';
import type { BatchOutcome } from '../../../../src/storage/sync/push-batch.js';

let offset = 0;
function item(line: string): BinlogItem {
  const start = { index: 0, offset };
  offset += line.length + 1;
  return { rec: parseBinlogLine(line), line, start, end: { index: 0, offset } };
}

/** Connections are opaque to the window; pushes are resolved by hand. */
function harness(slots: number) {
  const conns = Array.from({ length: slots }, (_, i) => ({ id: i }) as unknown as Connection);
  const pending = new Map<string, { resolve: (r: PushResult) => void; reject: (e: Error) => void }>();
  const win = new PushWindow(conns, (_conn, it) => new Promise((resolve, reject) => pending.set(it.line, { resolve, reject })));
  return { win, pending };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('PushWindow', () => {
  it('runs records of different files in parallel up to the connection count', () => {
    const { win } = harness(2);
    const a = item('100 C M00/00/00/a.txt');
    const b = item('100 C M00/00/00/b.txt');
    const c = item('100 C M00/00/00/c.txt');
    expect(win.canTake(a)).toBe(true);
    win.dispatch(a);
    expect(win.canTake(b)).toBe(true);
    win.dispatch(b);
    expect(win.canTake(c)).toBe(false);
  });

  it('holds a record back while another of the same file (or a rename of it) is in flight', async () => {
    const { win, pending } = harness(4);
    const c = item('100 C M00/00/00/app.log');
    win.dispatch(c);
    expect(win.canTake(item('100 A M00/00/00/app.log 0 5'))).toBe(false);
    expect(win.canTake(item('100 R M00/00/00/new.log M00/00/00/app.log'))).toBe(false);
    expect(win.canTake(item('100 C M00/00/00/other.log'))).toBe(true);
    pending.get(c.line)!.resolve('sent');
    await tick();
    expect(win.canTake(item('100 A M00/00/00/app.log 0 5'))).toBe(true);
  });

  it('keeps the timestamps from the oldest unfinished record on within 1 s', async () => {
    const { win, pending } = harness(4);
    const old = item('100 C M00/00/00/a.txt');
    win.dispatch(old);
    win.dispatch(item('101 C M00/00/00/b.txt'));
    expect(win.canTake(item('102 C M00/00/00/c.txt'))).toBe(false);
    pending.get(old.line)!.resolve('sent');
    await tick();
    expect(win.takeFinished().map((f) => f.item.line)).toEqual([old.line]);
    expect(win.canTake(item('102 C M00/00/00/c.txt'))).toBe(true);
  });

  it('releases finished records in binlog order only', async () => {
    const { win, pending } = harness(3);
    const [a, b] = [item('100 C M00/00/00/a.txt'), item('100 C M00/00/00/b.txt')];
    win.dispatch(a);
    win.dispatch(b);
    const s = item('100 D M00/00/00/gone.txt');
    win.addDone(s, 'skipped');
    pending.get(b.line)!.resolve('sent');
    await tick();
    expect(win.takeFinished()).toEqual([]);
    pending.get(a.line)!.resolve('skipped');
    await tick();
    expect(win.takeFinished().map((f) => [f.item.line, f.result])).toEqual([[a.line, 'skipped'], [b.line, 'sent'], [s.line, 'skipped']]);
    expect(win.size).toBe(0);
  });

  it('stops at a failed record and takes nothing more', async () => {
    const { win, pending } = harness(3);
    const [a, b, c] = [item('100 C M00/00/00/a.txt'), item('100 C M00/00/00/b.txt'), item('100 C M00/00/00/c.txt')];
    win.dispatch(a);
    win.dispatch(b);
    win.dispatch(c);
    pending.get(a.line)!.resolve('sent');
    pending.get(b.line)!.reject(new Error('peer said EIO'));
    pending.get(c.line)!.resolve('sent');
    await win.settle();
    expect((win.failure as Error).message).toBe('peer said EIO');
    expect(win.takeFinished().map((f) => f.item.line)).toEqual([a.line]);
    expect(win.canTake(item('100 C M00/00/00/d.txt'))).toBe(false);
  });
});

describe('PushWindow: records the peer never sees', () => {
  it('does not hold a record back for skipped or already finished records with distant timestamps', async () => {
    const { win, pending } = harness(2);
    // A replica line (skipped, never sent) carrying its source's older timestamp.
    win.addDone(item('90 c M00/00/00/r.txt'), 'skipped');
    expect(win.canTake(item('100 C M00/00/00/a.txt'))).toBe(true);
    const a = item('100 C M00/00/00/a.txt');
    win.dispatch(a);
    win.addDone(item('95 c M00/00/00/s.txt'), 'skipped');
    expect(win.canTake(item('100 C M00/00/00/b.txt'))).toBe(true);
    pending.get(a.line)!.resolve('sent');
    await tick();
    // Nothing in flight: nothing constrains the next record.
    expect(win.canTake(item('200 C M00/00/00/c.txt'))).toBe(true);
  });
});

describe('PushWindow: batches', () => {
  /** One connection; batches resolved by hand with their outcomes. */
  function batchHarness() {
    const conns = [{ id: 0 } as unknown as Connection];
    const batches: Array<{ lines: string[]; resolve: (o: BatchOutcome[]) => void; reject: (e: Error) => void }> = [];
    const win = new PushWindow(conns, () => Promise.reject(new Error('no single pushes here')),
      (_conn, items) => new Promise((resolve, reject) => batches.push({ lines: items.map((i) => i.line), resolve, reject })));
    return { win, batches };
  }

  it('a batch takes one connection; its records finish with their own outcomes, skipped ones between them in order', async () => {
    const { win, batches } = batchHarness();
    const [a, s, b] = [item('100 C M00/00/00/a.txt'), item('100 c M00/00/00/r.txt'), item('100 C M00/00/00/b.txt')];
    win.beginBatch();
    win.addToBatch(a);
    win.addDone(s, 'skipped');
    // The batch's own connection is taken, yet a record may join it; the same file may not.
    expect(win.canTake(b)).toBe(false);
    expect(win.canTake(b, true)).toBe(true);
    win.addToBatch(b);
    expect(win.canTake(item('100 A M00/00/00/b.txt 0 5'), true)).toBe(false);
    win.endBatch();
    expect(batches[0]!.lines).toEqual([a.line, b.line]);
    batches[0]!.resolve([{ result: 'sent' }, { result: 'skipped' }]);
    await win.settle();
    expect(win.takeFinished().map((f) => [f.item.line, f.result])).toEqual([[a.line, 'sent'], [s.line, 'skipped'], [b.line, 'skipped']]);
    // The connection is free again.
    expect(win.canTake(item('100 C M00/00/00/c.txt'))).toBe(true);
  });

  it('a refused record of a batch stops the window there; a failed connection fails every record', async () => {
    const { win, batches } = batchHarness();
    const [a, b] = [item('100 C M00/00/00/a.txt'), item('100 C M00/00/00/b.txt')];
    win.beginBatch();
    win.addToBatch(a);
    win.addToBatch(b);
    win.endBatch();
    batches[0]!.resolve([{ result: 'sent' }, { error: new Error('peer said ENOSPC') }]);
    await win.settle();
    expect((win.failure as Error).message).toBe('peer said ENOSPC');
    expect(win.takeFinished().map((f) => f.item.line)).toEqual([a.line]);
    expect(win.canTake(item('100 C M00/00/00/c.txt'))).toBe(false);

    const other = batchHarness();
    other.win.beginBatch();
    other.win.addToBatch(item('100 C M00/00/00/x.txt'));
    other.win.endBatch();
    other.batches[0]!.reject(new Error('connection reset'));
    await other.win.settle();
    expect((other.win.failure as Error).message).toBe('connection reset');
    expect(other.win.takeFinished()).toEqual([]);
  });
});
