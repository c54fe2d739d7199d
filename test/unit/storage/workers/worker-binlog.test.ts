// Workers append to the owner's binlog file (O_APPEND, one write per line); the owner watches the size, wakes
// its listeners and, at the size limit, moves every worker to the next file before rotating itself.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BinlogWriter } from '../../../../src/storage/binlog/writer.js';
import { WorkerBinlog } from '../../../../src/storage/workers/worker-binlog.js';
import { createLogger } from '../../../../src/log.js';

const log = createLogger({ level: 'silent' });
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function lines(dir: string, index: number): string[] {
  try {
    return readFileSync(path.join(dir, `binlog.${String(index).padStart(3, '0')}`), 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

describe('WorkerBinlog with a shared BinlogWriter', () => {
  it('interleaves whole lines from several writers and wakes the owner\'s listeners', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-wbinlog-'));
    const owner = new BinlogWriter({ dir });
    await owner.open();
    owner.shareAppends(async () => {}, 5);
    let woken = 0;
    owner.subscribe(() => woken++);
    const a = new WorkerBinlog(dir, log);
    const b = new WorkerBinlog(dir, log);
    a.switchTo(0);
    b.switchTo(0);
    for (let i = 0; i < 50; i++) {
      a.append({ timestamp: 1000 + i, op: 'C', filename: `M00/00/00/a${i}.jpg` });
      b.append({ timestamp: 1000 + i, op: 'C', filename: `M00/00/00/b${i}.jpg` });
    }
    owner.append({ timestamp: 2000, op: 'C', filename: 'M00/00/00/owner.jpg' });
    await wait(30);
    expect(woken).toBeGreaterThan(0);
    const got = lines(dir, 0);
    expect(got).toHaveLength(101);
    for (const l of got) expect(l).toMatch(/^\d+ C M00\/00\/00\/(a|b)?\w+\.jpg$/);
    expect(got.filter((l) => l.includes('/a')).map((l) => l.split('/').pop())).toEqual(Array.from({ length: 50 }, (_, i) => `a${i}.jpg`));
    a.close();
    b.close();
    await owner.close();
  });

  it('rotates only after every worker moved to the next file: no line lands in a file readers have left', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-wbinlog-'));
    const owner = new BinlogWriter({ dir, maxFileSize: 400 });
    await owner.open();
    const workers = [new WorkerBinlog(dir, log), new WorkerBinlog(dir, log)];
    for (const w of workers) w.switchTo(0);
    const switched: number[] = [];
    owner.shareAppends(async (index) => {
      // As the pool does: each worker switches, then the owner may rotate.
      await wait(10);
      for (const w of workers) w.switchTo(index);
      switched.push(index);
    }, 5);
    let n = 0;
    for (let round = 0; round < 40; round++) {
      for (const w of workers) w.append({ timestamp: 1000, op: 'C', filename: `M00/00/00/f${n++}.jpg` });
      await wait(2);
    }
    await wait(50);
    expect(switched.length).toBeGreaterThan(0);
    expect(owner.currentIndex).toBe(switched.at(-1));
    expect(readFileSync(path.join(dir, 'binlog_index.dat'), 'utf8')).toContain(`current_write=${owner.currentIndex}`);
    const all = Array.from({ length: owner.currentIndex + 1 }, (_, i) => lines(dir, i)).flat();
    expect(all.map((l) => l.split('/').pop()).sort()).toEqual(Array.from({ length: n }, (_, i) => `f${i}.jpg`).sort());
    for (const w of workers) w.close();
    await owner.close();
  });
});
