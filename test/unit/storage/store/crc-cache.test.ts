// CrcCache: one computation per version of a file, shared by concurrent askers; a new stamp computes again;
// a failure is not remembered.
import { describe, it, expect } from 'vitest';
import { CrcCache } from '../../../../src/storage/store/crc-cache.js';

describe('CrcCache', () => {
  it('computes once per stamp, shares it, recomputes on change, forgets failures', async () => {
    const cache = new CrcCache();
    let calls = 0;
    const compute = (v: number) => async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 5));
      return v;
    };
    const st = { ino: 1, size: 10, mtimeMs: 100 };
    const [a, b] = await Promise.all([cache.get('/f', st, compute(7)), cache.get('/f', st, compute(8))]);
    expect([a, b, calls]).toEqual([7, 7, 1]);
    expect(await cache.get('/f', st, compute(9))).toBe(7);
    expect(await cache.get('/f', { ...st, size: 11 }, compute(9))).toBe(9);
    expect(calls).toBe(2);
    await expect(cache.get('/g', st, async () => { throw new Error('EIO'); })).rejects.toThrow('EIO');
    await new Promise((r) => setImmediate(r));
    expect(await cache.get('/g', st, compute(3))).toBe(3);
  });
});
