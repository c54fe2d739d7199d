// A worker's side of the shared binlog: each record is one O_APPEND write to the file the owner names, so
// lines from several processes never interleave and an answered request is in the binlog (the OS has it).
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../log.js';
import { formatBinlogLine, type BinlogRecord } from '../../protocol/binlog-format.js';
import { binlogFileName } from '../binlog/writer.js';
import { fastPath } from '../../native/fastpath.js';
import { Errno } from '../../errors.js';
import type { BinlogAppender } from '../runtime.js';

export class WorkerBinlog implements BinlogAppender {
  private fd: number | null = null;
  /** Lines a failed write (disk full) left behind: retried, in order, before newer ones. */
  private pending: string[] = [];

  constructor(private readonly dir: string, private readonly log: Logger) {}

  /** Append to binlog.<index> from now on (at start, and when the owner rotates). */
  switchTo(index: number): void {
    const fd = openSync(path.join(this.dir, binlogFileName(index)), 'a');
    if (this.fd !== null) {
      this.writePending();
      closeSync(this.fd);
    }
    this.fd = fd;
  }

  append(rec: BinlogRecord): void {
    const line = formatBinlogLine(rec);
    if (this.pending.length === 0 && this.fd !== null && this.writeLine(line)) return;
    this.pending.push(line);
    this.writePending();
  }

  close(): void {
    this.writePending();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private writePending(): void {
    while (this.pending.length && this.fd !== null) {
      if (!this.writeLine(this.pending[0]!)) return;
      this.pending.shift();
    }
  }

  /** False when it failed (logged): the line is to be retried. */
  private writeLine(line: string): boolean {
    try {
      const native = line.length < 1024 ? fastPath() : null;
      const got = native ? native.appendLine(this.fd!, line) : -Errno.EINVAL;
      if (got >= 0) return true;
      // Written short (a full disk): the torn line is what a crash would leave, and readers skip it.
      if (got === -Errno.EIO) {
        this.log.error({ length: line.length }, 'short binlog write');
        return true;
      }
      if (got !== -Errno.EINVAL) throw Object.assign(new Error(`binlog write failed (errno ${-got})`), { errno: -got });
      // One write call per line: O_APPEND keeps it whole against the other writers.
      const n = writeSync(this.fd!, line);
      if (n !== line.length && n !== Buffer.byteLength(line)) this.log.error({ written: n, length: line.length }, 'short binlog write');
    } catch (err) {
      this.log.error({ err, queued: this.pending.length }, 'binlog write failed; will retry');
      return false;
    }
    return true;
  }
}
