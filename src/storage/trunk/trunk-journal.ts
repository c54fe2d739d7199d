// The trunk binlog (`data/trunk/binlog`) as its writers see it: records appended with one O_APPEND write per
// batch, so the owner and its workers can all write it and lines never interleave.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { nowSec } from '../runtime.js';
import { formatJournal, type JournalOp } from './free-space.js';
import { fastPath, type FastPath } from '../../native/fastpath.js';

/** Records the C formatter takes in one call (a small upload writes two). */
const NATIVE_MAX_OPS = 16;
const nativeOps = new Int32Array(NATIVE_MAX_OPS * 7);

export class TrunkJournal {
  private fd: number | null = null;

  constructor(readonly file: string) {}

  /** Append `ops` in order, at once; throws when the disk refuses (nothing was confirmed then). */
  write(ops: readonly JournalOp[]): void {
    if (!ops.length) return;
    const ts = nowSec();
    const native = ops.length <= NATIVE_MAX_OPS ? fastPath() : null;
    if (native) return this.writeNatively(native, ts, ops);
    let text = '';
    for (const j of ops) text += formatJournal(ts, j) + '\n';
    const buf = Buffer.from(text, 'latin1');
    const fd = this.open();
    const n = writeSync(fd, buf);
    if (n !== buf.length) throw new Error(`short trunk binlog write (${n} of ${buf.length} bytes)`);
  }

  /** write() through the C formatter: the same lines, without a string per field (two records per small upload). */
  private writeNatively(native: FastPath, ts: number, ops: readonly JournalOp[]): void {
    const a = nativeOps;
    let i = 0;
    for (const j of ops) {
      const b = j.block;
      a[i] = j.op === 'A' ? 65 : 68;
      a[i + 1] = b.storePathIndex;
      a[i + 2] = b.subHigh;
      a[i + 3] = b.subLow;
      a[i + 4] = b.fileId;
      a[i + 5] = b.offset;
      a[i + 6] = b.size;
      i += 7;
    }
    const n = native.writeJournal(this.open(), ts, a, ops.length);
    if (n < 0) throw Object.assign(new Error(`trunk binlog write failed or fell short (errno ${-n})`), { errno: -n });
  }

  private open(): number {
    if (this.fd === null) {
      mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = openSync(this.file, 'a');
    }
    return this.fd;
  }

  /** The file was replaced (compacted): the next write opens the new one. */
  reopen(): void {
    this.close();
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
