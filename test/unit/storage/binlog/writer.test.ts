import { describe, it, expect } from 'vitest';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BinlogWriter, binlogFileName, readBinlogLines } from '../../../../src/storage/binlog/writer.js';

function dir(): string {
  return path.join(mkdtempSync(path.join(os.tmpdir(), 'fdfs-binlog-')), 'data', 'sync');
}

const F = 'M00/00/00/Ck0BAmsB9p6EGB8HAAAAAKaEx8Y038.log';

describe('BinlogWriter', () => {
  it('writes stock lines for every op and creates binlog_index.dat', async () => {
    const d = dir();
    const w = new BinlogWriter({ dir: d, flushInterval: 60 });
    await w.open();
    expect(readFileSync(path.join(d, 'binlog_index.dat'), 'utf8')).toBe('current_write=0\ncurrent_compress=0\n');
    w.append({ timestamp: 1795290782, op: 'C', filename: F });
    w.append({ timestamp: 1795290774, op: 'C', filename: `${F}-m` });
    w.append({ timestamp: 1795290777, op: 'U', filename: `${F}-m` });
    w.append({ timestamp: 1795290785, op: 'A', filename: F, startOffset: 10, length: 6 });
    w.append({ timestamp: 1795290788, op: 'M', filename: F, startOffset: 2, length: 2 });
    w.append({ timestamp: 1795290790, op: 'T', filename: F, oldSize: 16, newSize: 8 });
    w.append({ timestamp: 1795290793, op: 'R', filename: 'M00/00/00/new.log', srcFilename: F });
    w.append({ timestamp: 1795290795, op: 'D', filename: F });
    // Written through at once: a kill -9 right after the client's answer loses no record.
    expect(existsSync(path.join(d, 'binlog.000'))).toBe(true);
    expect(readFileSync(path.join(d, 'binlog.000'), 'utf8')).toBe([
      `1795290782 C ${F}`,
      `1795290774 C ${F}-m`,
      `1795290777 U ${F}-m`,
      `1795290785 A ${F} 10 6`,
      `1795290788 M ${F} 2 2`,
      `1795290790 T ${F} 16 8`,
      `1795290793 R M00/00/00/new.log ${F}`,
      `1795290795 D ${F}`,
      '',
    ].join('\n'));
    await w.close();
  });

  it('writes each record through at once and tells subscribers', async () => {
    const d = dir();
    const w = new BinlogWriter({ dir: d, flushInterval: 1 });
    await w.open();
    let told = 0;
    const off = w.subscribe(() => told++);
    w.append({ timestamp: 1, op: 'C', filename: F });
    expect(readBinlogLines(d)).toEqual([`1 C ${F}`]);
    for (let i = 0; i < 30; i++) w.append({ timestamp: 2, op: 'D', filename: F });
    expect(readBinlogLines(d).length).toBe(31);
    expect(told).toBe(31);
    off();
    w.append({ timestamp: 3, op: 'D', filename: F });
    expect(told).toBe(31);
    await w.flush();
    await w.close();
  });

  it('cuts a torn last line (crash mid-write) off before appending again', async () => {
    const d = dir();
    const w0 = new BinlogWriter({ dir: d });
    await w0.open();
    w0.append({ timestamp: 1, op: 'C', filename: F });
    await w0.close();
    // A crash left half a record behind.
    appendFileSync(path.join(d, 'binlog.000'), '2 C M00/00/0');
    const w = new BinlogWriter({ dir: d });
    await w.open();
    w.append({ timestamp: 3, op: 'C', filename: F });
    await w.close();
    expect(readFileSync(path.join(d, 'binlog.000'), 'utf8')).toBe(`1 C ${F}\n3 C ${F}\n`);
  });

  it('cuts a file that holds only a torn line down to nothing', async () => {
    const d = dir();
    const w0 = new BinlogWriter({ dir: d });
    await w0.open();
    await w0.close();
    writeFileSync(path.join(d, 'binlog.000'), '17952907');
    const w = new BinlogWriter({ dir: d });
    await w.open();
    w.append({ timestamp: 4, op: 'D', filename: F });
    await w.close();
    expect(readFileSync(path.join(d, 'binlog.000'), 'utf8')).toBe(`4 D ${F}\n`);
  });

  it('rotates at the size limit and records the new index', async () => {
    const d = dir();
    const w = new BinlogWriter({ dir: d, flushInterval: 60, maxFileSize: 200 });
    await w.open();
    for (let i = 0; i < 4; i++) w.append({ timestamp: 1000 + i, op: 'C', filename: F });
    await w.flush();
    expect(w.currentIndex).toBe(1);
    expect(readFileSync(path.join(d, 'binlog_index.dat'), 'utf8')).toBe('current_write=1\ncurrent_compress=0\n');
    w.append({ timestamp: 2000, op: 'D', filename: F });
    await w.close();
    expect(readFileSync(path.join(d, binlogFileName(1)), 'utf8')).toBe(`2000 D ${F}\n`);
    expect(readBinlogLines(d)).toHaveLength(5);
  });

  it('continues the current file after a restart and writes late appends after close', async () => {
    const d = dir();
    const w = new BinlogWriter({ dir: d, flushInterval: 60 });
    await w.open();
    w.append({ timestamp: 1, op: 'C', filename: F });
    await w.close();
    w.append({ timestamp: 2, op: 'D', filename: F });
    const w2 = new BinlogWriter({ dir: d, flushInterval: 60 });
    await w2.open();
    w2.append({ timestamp: 3, op: 'C', filename: F });
    await w2.close();
    expect(readBinlogLines(d)).toEqual([`1 C ${F}`, `2 D ${F}`, `3 C ${F}`]);
  });

  it('reads the legacy single-number index form', async () => {
    const d = dir();
    const w0 = new BinlogWriter({ dir: d });
    await w0.open();
    await w0.close();
    writeFileSync(path.join(d, 'binlog_index.dat'), '3');
    const w = new BinlogWriter({ dir: d, flushInterval: 60 });
    await w.open();
    expect(w.currentPath.endsWith('binlog.003')).toBe(true);
    await w.close();
  });
});
