// BinlogReader (§9.1): line-by-line reading from a mark position, a torn last line (crash mid-write or a
// write in progress), 6.16.1's malformed `L` line, rotation to the next file, timestamp seek, realignment.
import { describe, it, expect } from 'vitest';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BinlogReader, type BinlogItem } from '../../../../src/storage/binlog/reader.js';
import { BinlogWriter } from '../../../../src/storage/binlog/writer.js';

const F = 'M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528.txt';
const G = 'M00/00/00/Ck0BAmsB9p6EGB8HAAAAAKaEx8Y038.log';

function dir(): string {
  const d = path.join(mkdtempSync(path.join(os.tmpdir(), 'fdfs-reader-')), 'data', 'sync');
  mkdirSync(d, { recursive: true });
  return d;
}

async function drain(r: BinlogReader): Promise<BinlogItem[]> {
  const out: BinlogItem[] = [];
  for (let it = await r.next(); it; it = await r.next()) out.push(it);
  return out;
}

describe('BinlogReader', () => {
  it('reads records with their positions and stops at the end', async () => {
    const d = dir();
    const text = `1795290772 C ${F}\n1795290785 A ${G} 10 6\n1795290793 R M00/00/00/new.log ${G}\n`;
    writeFileSync(path.join(d, 'binlog.000'), text);
    const r = new BinlogReader({ dir: d, currentIndex: () => 0 }, { index: 0, offset: 0 });
    const items = await drain(r);
    expect(items.map((i) => i.rec?.op)).toEqual(['C', 'A', 'R']);
    expect(items[1]!.rec).toMatchObject({ startOffset: 10, length: 6 });
    expect(items[0]!.end).toEqual({ index: 0, offset: text.indexOf('\n') + 1 });
    expect(items[2]!.end).toEqual({ index: 0, offset: Buffer.byteLength(text) });
    expect(r.position).toEqual({ index: 0, offset: Buffer.byteLength(text) });
    expect(await r.next()).toBeNull();
    await r.close();
  });

  it('leaves a torn last line alone until its newline arrives', async () => {
    const d = dir();
    const file = path.join(d, 'binlog.000');
    writeFileSync(file, `1 C ${F}\n2 C M00/00/0`);
    const r = new BinlogReader({ dir: d, currentIndex: () => 0 }, { index: 0, offset: 0 });
    expect((await drain(r)).map((i) => i.rec?.timestamp)).toEqual([1]);
    expect(r.position.offset).toBe(`1 C ${F}\n`.length);
    appendFileSync(file, `0/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528.txt\n3 D ${F}\n`);
    const more = await drain(r);
    expect(more.map((i) => [i.rec?.timestamp, i.rec?.op])).toEqual([[2, 'C'], [3, 'D']]);
    expect(more[0]!.rec?.filename).toBe(F);
    await r.close();
  });

  it('survives a crash: the writer cuts the torn tail and the reader resumes from its mark', async () => {
    const d = dir();
    const w = new BinlogWriter({ dir: d });
    await w.open();
    w.append({ timestamp: 1, op: 'C', filename: F });
    await w.close();
    appendFileSync(path.join(d, 'binlog.000'), '2 C M00/');
    const r = new BinlogReader({ dir: d, currentIndex: () => 0 }, { index: 0, offset: 0 });
    expect((await drain(r)).length).toBe(1);
    const mark = r.position;
    await r.close();
    const w2 = new BinlogWriter({ dir: d });
    await w2.open();
    w2.append({ timestamp: 3, op: 'C', filename: G });
    await w2.close();
    const r2 = new BinlogReader({ dir: d, currentIndex: () => 0 }, mark);
    expect((await drain(r2)).map((i) => i.line)).toEqual([`3 C ${G}`]);
    await r2.close();
  });

  it('hands the malformed 6.16.1 L line back as rec null and goes on', async () => {
    const d = dir();
    writeFileSync(path.join(d, 'binlog.000'), `1795291380 C ${F}\n1795291387 L  ${F}\nnot a line\n1795291390 D ${F}\n`);
    const r = new BinlogReader({ dir: d, currentIndex: () => 0 }, { index: 0, offset: 0 });
    const items = await drain(r);
    expect(items.map((i) => i.rec?.op ?? null)).toEqual(['C', null, null, 'D']);
    expect(items[1]!.line).toBe(`1795291387 L  ${F}`);
    await r.close();
  });

  it('reads lines split over many small chunks, longer than a chunk too', async () => {
    const d = dir();
    const lines = Array.from({ length: 40 }, (_, i) => `${1000 + i} C ${F}`);
    writeFileSync(path.join(d, 'binlog.000'), lines.join('\n') + '\n');
    const r = new BinlogReader({ dir: d, currentIndex: () => 0, chunkSize: 7 }, { index: 0, offset: 0 });
    expect((await drain(r)).map((i) => i.line)).toEqual(lines);
    await r.close();
  });

  it('follows rotation, and skips an unterminated tail of a finished file', async () => {
    const d = dir();
    writeFileSync(path.join(d, 'binlog.000'), `1 C ${F}\n2 C M00/0`);
    writeFileSync(path.join(d, 'binlog.001'), `3 C ${G}\n`);
    let current = 0;
    const r = new BinlogReader({ dir: d, currentIndex: () => current }, { index: 0, offset: 0 });
    expect((await drain(r)).map((i) => i.rec?.timestamp)).toEqual([1]);
    current = 1;
    const items = await drain(r);
    expect(items.map((i) => i.rec?.timestamp ?? null)).toEqual([null, 3]);
    expect(items[1]!.end).toEqual({ index: 1, offset: `3 C ${G}\n`.length });
    await r.close();
  });

  it('seeks to the first record at or after a timestamp, and back to a mark', async () => {
    const d = dir();
    writeFileSync(path.join(d, 'binlog.000'), [10, 20, 19, 30, 40].map((t) => `${t} C ${F}\n`).join(''));
    const r = new BinlogReader({ dir: d, currentIndex: () => 0 }, { index: 0, offset: 0 });
    expect(await r.seekTimestamp(20)).toBe(1);
    const at = r.position;
    expect((await drain(r)).map((i) => i.rec?.timestamp)).toEqual([20, 19, 30, 40]);
    r.seek(at);
    expect((await r.next())?.rec?.timestamp).toBe(20);
    expect(await r.seekTimestamp(99)).toBe(3);
    expect(await r.next()).toBeNull();
    await r.close();
  });

  it('moves a mid-line offset (a salvaged mark) to the next line start', async () => {
    const d = dir();
    const one = `1 C ${F}\n`;
    writeFileSync(path.join(d, 'binlog.000'), `${one}2 C ${G}\n`);
    const r = new BinlogReader({ dir: d, currentIndex: () => 0 }, { index: 0, offset: 5 });
    expect(await r.alignToLine()).toEqual({ index: 0, offset: one.length });
    expect((await drain(r)).map((i) => i.rec?.timestamp)).toEqual([2]);
    const past = new BinlogReader({ dir: d, currentIndex: () => 0 }, { index: 0, offset: 10_000 });
    expect((await past.alignToLine()).offset).toBe(Buffer.byteLength(`${one}2 C ${G}\n`));
    await r.close();
    await past.close();
  });

  it('waits for a binlog file that does not exist yet', async () => {
    const d = dir();
    const r = new BinlogReader({ dir: d, currentIndex: () => 0 }, { index: 0, offset: 0 });
    expect(await r.next()).toBeNull();
    writeFileSync(path.join(d, 'binlog.000'), `5 D ${F}\n`);
    expect((await r.next())?.rec?.op).toBe('D');
    await r.close();
  });
});
