// The trunk binlog (`data/trunk/binlog`) as its writers see it: records appended with one O_APPEND write per
// batch, so the owner and its workers can all write it and lines never interleave.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { nowSec } from '../runtime.js';
import { formatJournal, type JournalOp } from './free-space.js';

export class TrunkJournal {
  private fd: number | null = null;

  constructor(readonly file: string) {}

  /** Append `ops` in order, at once; throws when the disk refuses (nothing was confirmed then). */
  write(ops: readonly JournalOp[]): void {
    if (!ops.length) return;
    const ts = nowSec();
    let text = '';
    for (const j of ops) text += formatJournal(ts, j) + '\n';
    const buf = Buffer.from(text, 'latin1');
    const fd = this.open();
    const n = writeSync(fd, buf);
    if (n !== buf.length) throw new Error(`short trunk binlog write (${n} of ${buf.length} bytes)`);
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
