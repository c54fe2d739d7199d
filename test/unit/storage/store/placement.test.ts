import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Placement } from '../../../../src/storage/store/placement.js';
import { StatsKeeper } from '../../../../src/storage/store/stats.js';
import { StorePaths } from '../../../../src/storage/store/store-paths.js';
import { defaultTrackerParams, type TrackerParams } from '../../../../src/storage/tracker-side/tracker-params.js';
import { pathHasRoom, type PathUsage } from '../../../../src/storage/store/disk.js';
import { distributeSubdirs } from '../../../../src/protocol/file-id.js';
import { Errno } from '../../../../src/errors.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'fdfs-place-'));

function setup(opts: { usage: PathUsage[]; readonly?: boolean[]; mode?: number; params?: Partial<TrackerParams>; subdirs?: number; rotate?: number; lane?: { index: number; count: number } }) {
  const paths = new StorePaths(opts.usage.map((_, i) => path.join(root, `p${i}`)), opts.subdirs ?? 256);
  const stats = new StatsKeeper(path.join(root, 'stat.dat'));
  const params = { ...defaultTrackerParams(), reserved: { kind: 'ratio', ratio: 0.1 }, ...opts.params } as TrackerParams;
  const placement = new Placement({
    paths, stats, params, readonly: opts.readonly ?? opts.usage.map(() => false),
    distributeMode: opts.mode ?? 0, rotateCount: opts.rotate ?? 100, usage: async () => opts.usage, lane: opts.lane,
  });
  return { placement, stats };
}

const roomy = { totalMb: 1000, freeMb: 900 };
const full = { totalMb: 1000, freeMb: 50 };

describe('pathHasRoom (§10.2)', () => {
  it('ratio: free minus the file over total must exceed the ratio', () => {
    const r = { kind: 'ratio', ratio: 0.2 } as const;
    expect(pathHasRoom({ totalMb: 1000, freeMb: 201 }, r, 1)).toBe(true);
    expect(pathHasRoom({ totalMb: 1000, freeMb: 200 }, r, 1)).toBe(false);
    expect(pathHasRoom({ totalMb: 1000, freeMb: 300 }, r, 1, 100 << 20)).toBe(false);
    expect(pathHasRoom({ totalMb: 0, freeMb: 0 }, r, 1)).toBe(false);
  });

  it('absolute: free minus the file must exceed reserved / path count', () => {
    const r = { kind: 'mb', mb: 1024 } as const;
    expect(pathHasRoom({ totalMb: 10_000, freeMb: 600 }, r, 2)).toBe(true);
    expect(pathHasRoom({ totalMb: 10_000, freeMb: 512 }, r, 2)).toBe(false);
    expect(pathHasRoom({ totalMb: 10_000, freeMb: 1025 }, r, 1, 2 << 20)).toBe(false);
  });
});

describe('Placement.choosePath', () => {
  it('uses an explicit index; ENOSPC when it lacks room; EINVAL beyond the count', async () => {
    const { placement } = setup({ usage: [roomy, full] });
    expect(await placement.choosePath(0, 10)).toBe(0);
    await expect(placement.choosePath(1, 10)).rejects.toMatchObject({ errno: Errno.ENOSPC });
    await expect(placement.choosePath(2, 10)).rejects.toMatchObject({ errno: Errno.EINVAL });
  });

  it('0xFF (−1): round robin over writable paths with room', async () => {
    const { placement } = setup({ usage: [roomy, roomy, full, roomy], readonly: [false, true, false, false] });
    const got = [];
    for (let i = 0; i < 4; i++) got.push(await placement.choosePath(-1, 0));
    expect(got).toEqual([0, 3, 0, 3]);
  });

  it('a read-only explicit path makes the storage choose another', async () => {
    const { placement } = setup({ usage: [roomy, roomy], readonly: [true, false] });
    expect(await placement.choosePath(0, 0)).toBe(1);
  });

  it('store_path = 2: the writable path with most free space', async () => {
    const { placement } = setup({ usage: [roomy, { totalMb: 1000, freeMb: 950 }, { totalMb: 1000, freeMb: 990 }], readonly: [false, false, true], params: { storePathMode: 2 } });
    expect(await placement.choosePath(-1, 0)).toBe(1);
  });

  it('ENOSPC when no path has room for the file', async () => {
    const { placement } = setup({ usage: [full, full] });
    await expect(placement.choosePath(-1, 0)).rejects.toMatchObject({ errno: Errno.ENOSPC });
    const big = setup({ usage: [roomy] });
    await expect(big.placement.choosePath(-1, 850 << 20)).rejects.toMatchObject({ errno: Errno.ENOSPC });
  });

  it('ENOSPC when every path is read-only', async () => {
    const { placement } = setup({ usage: [roomy], readonly: [true] });
    await expect(placement.choosePath(-1, 0)).rejects.toMatchObject({ errno: Errno.ENOSPC });
  });
});

describe('Placement.nextSubdirs', () => {
  it('mode 0 rotates low then high every rotate_count files, wrapping, and records the state', () => {
    const { placement, stats } = setup({ usage: [roomy], subdirs: 2, rotate: 2 });
    const seq = [];
    for (let i = 0; i < 10; i++) {
      const d = placement.nextSubdirs('10.0.0.1');
      seq.push(`${d.subHigh}/${d.subLow}`);
    }
    expect(seq).toEqual(['0/0', '0/0', '0/1', '0/1', '1/0', '1/0', '1/1', '1/1', '0/0', '0/0']);
    expect(stats.dist).toEqual({ high: 0, low: 1, count: 0 });
  });

  it('mode 0 continues from a persisted state', () => {
    const { placement, stats } = setup({ usage: [roomy], subdirs: 4 });
    Object.assign(stats.dist, { high: 3, low: 2, count: 99 });
    expect(placement.nextSubdirs('10.0.0.1')).toEqual({ subHigh: 3, subLow: 2 });
    expect(stats.dist).toEqual({ high: 3, low: 3, count: 0 });
  });

  it('mode 0 in lanes: each worker keeps to its own directories, together they cover all of them', () => {
    const lanes = [0, 1, 2].map((index) => setup({ usage: [roomy], subdirs: 4, rotate: 2, lane: { index, count: 3 } }).placement);
    const seen = lanes.map(() => new Set<string>());
    for (let i = 0; i < 2 * 16; i++) {
      lanes.forEach((p, k) => {
        const d = p.nextSubdirs('10.0.0.1');
        seen[k]!.add(`${d.subHigh}/${d.subLow}`);
      });
    }
    // Lane 0 of 3 over 16 directories: 0/0, 0/3, 1/2, 2/1, 3/0, 3/3, 0/2 (wrapped past 15), …
    expect([...seen[0]!].slice(0, 4)).toEqual(['0/0', '0/3', '1/2', '2/1']);
    expect([...seen[1]!][0]).toBe('0/1');
    // At any one time the three lanes write to different directories.
    const now = lanes.map((p) => p.nextSubdirs('10.0.0.1')).map((d) => `${d.subHigh}/${d.subLow}`);
    expect(new Set(now).size).toBe(3);
    const all = new Set(seen.flatMap((x) => [...x]));
    expect(all.size).toBe(16);
  });

  it('a lane of one is the plain rotation', () => {
    const { placement } = setup({ usage: [roomy], subdirs: 4, rotate: 1, lane: { index: 0, count: 1 } });
    expect([0, 1, 2, 3, 4].map(() => placement.nextSubdirs('10.0.0.1'))).toEqual([
      { subHigh: 0, subLow: 0 }, { subHigh: 0, subLow: 1 }, { subHigh: 0, subLow: 2 }, { subHigh: 0, subLow: 3 }, { subHigh: 1, subLow: 0 },
    ]);
  });

  it('mode 1 picks directories within the subdir count', () => {
    const { placement } = setup({ usage: [roomy], subdirs: 4, mode: 1 });
    for (let i = 0; i < 50; i++) {
      const d = placement.nextSubdirs('10.0.0.1');
      expect(d.subHigh).toBeLessThan(4);
      expect(d.subLow).toBeLessThan(4);
    }
    expect(distributeSubdirs('Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk', 256)).toEqual(distributeSubdirs('Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk', 256));
  });
});
