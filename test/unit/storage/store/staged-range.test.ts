import { describe, it, expect } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stageRange, writeWholeAt } from '../../../../src/storage/store/staged-range.js';
import { StatusError } from '../../../../src/errors.js';

function tmpDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'fdfs-staged-'));
}

async function* pieces(data: Buffer, size: number, failAt = -1): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) {
    if (failAt >= 0 && at >= failAt) throw new Error('connection closed');
    yield data.subarray(at, at + size);
  }
}

const patterned = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + (i >> 9)) & 0xff));

describe('staged ranges: a body touches the file only when it is whole', () => {
  for (const [label, size, holdUpTo] of [['held in memory', 4000, 256 << 10], ['through a temp file', 700 << 10, 64 << 10]] as const) {
    it(`${label}: written at the position given, then nothing left behind`, async () => {
      const dir = tmpDir();
      const target = path.join(dir, 'target.bin');
      writeFileSync(target, 'head-tail');
      const body = patterned(size);
      const writes: boolean[] = [];
      const fh = await open(target, 'r+');
      await writeWholeAt(fh, 5, dir, pieces(body, 1000), size, { holdUpTo, counters: { fileWrite: (ok) => writes.push(ok) } });
      await fh.close();
      expect(readFileSync(target)).toEqual(Buffer.concat([Buffer.from('head-'), body]));
      expect(writes.length).toBeGreaterThan(0);
      expect(writes.every(Boolean)).toBe(true);
      expect(readdirSync(dir)).toEqual(['target.bin']);
    });

    it(`${label}: a source cut short or too short leaves the file as it was and no temp file`, async () => {
      const dir = tmpDir();
      const target = path.join(dir, 'target.bin');
      writeFileSync(target, 'unchanged');
      const body = patterned(size);
      const fh = await open(target, 'r+');
      await expect(writeWholeAt(fh, 9, dir, pieces(body, 1000, Math.floor(size / 2)), size, { holdUpTo })).rejects.toThrow('connection closed');
      await expect(writeWholeAt(fh, 9, dir, pieces(body.subarray(0, size - 1), 1000), size, { holdUpTo })).rejects.toBeInstanceOf(StatusError);
      await fh.close();
      expect(readFileSync(target, 'latin1')).toBe('unchanged');
      expect(readdirSync(dir)).toEqual(['target.bin']);
    });
  }

  it('a large body waits in a hidden temp file until written, which discard removes', async () => {
    const dir = tmpDir();
    const staged = await stageRange(dir, pieces(patterned(300 << 10), 4096), 300 << 10, { holdUpTo: 256 << 10 });
    expect(staged.bytes).toBe(300 << 10);
    expect(readdirSync(dir)).toHaveLength(1);
    expect(readdirSync(dir)[0]).toMatch(/^\..*\.tmp$/);
    await staged.discard();
    expect(readdirSync(dir)).toEqual([]);
  });
});
