// Free space of the store paths for the synchronous upload path (store/disk.ts knownPathUsage): asked at once
// when nothing fresh is at hand, then reused for a second; a path that cannot be read counts as full.
import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { knownPathUsage, pathUsage } from '../../../../src/storage/store/disk.js';

describe('store/disk knownPathUsage', () => {
  it('asks a path never asked before synchronously, then answers from what it got', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-disk-'));
    const [first] = knownPathUsage([dir]);
    expect(first!.totalMb).toBe((await pathUsage(dir)).totalMb);
    expect(first!.totalMb).toBeGreaterThan(0);
    expect(knownPathUsage([dir])[0]).toBe(first);
  });

  it('a path that cannot be read has no room (0 of 0 MB)', () => {
    expect(knownPathUsage([path.join(os.tmpdir(), 'fdfs-no-such-dir', String(process.pid))])).toEqual([{ totalMb: 0, freeMb: 0 }]);
  });
});
