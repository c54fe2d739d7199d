import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Errno, StatusError } from '../../../../src/errors.js';
import { decodeFileName } from '../../../../src/protocol/file-id.js';
import { StorePaths } from '../../../../src/storage/store/store-paths.js';
import { checkTrunkSlot, openTrunkSlot, zeroTrunkSlot } from '../../../../src/storage/trunk/slot-open.js';
import { slotContent as contentOf, forgeTrunkId, installStockTrunk, logicalOf, stockTrunk } from '../../../helpers/trunk-fixture.js';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

function errnoOf(fn: () => unknown): number | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof StatusError ? err.errno : -1;
  }
}

function freshStore(): { paths: StorePaths; trunkFile: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'fdfs-trunk-'));
  return { paths: new StorePaths([root], 4), trunkFile: installStockTrunk(root) };
}

describe('trunk slots written by stock FastDFS 6.16.1', () => {
  const { paths } = freshStore();
  const live = stockTrunk.files.filter((f) => f.state === 'live');

  it('serves every live file of the fixture with its exact bytes, size and time', () => {
    expect(live.length).toBeGreaterThanOrEqual(4);
    for (const f of live) {
      const logical = logicalOf(f.id);
      const slot = openTrunkSlot(paths, logical);
      closeSync(slot.fd);
      expect(slot.size).toBe(f.size);
      expect(slot.mtime).toBe(decodeFileName(logical).timestamp);
      expect(md5(contentOf(paths, logical))).toBe(f.md5);
    }
  });

  it('answers ENOENT for a deleted file and for the old ID of a reused slot', () => {
    const dead = stockTrunk.files.filter((f) => f.state !== 'live');
    expect(dead.map((f) => f.state).sort()).toEqual(['deleted', 'reused']);
    for (const f of dead) expect(errnoOf(() => openTrunkSlot(paths, logicalOf(f.id)))).toBe(Errno.ENOENT);
  });

  it('answers ENOENT for forged locations: another slot, a wrong size, a missing trunk file, beyond its end', () => {
    const [a, b] = live.map((f) => logicalOf(f.id));
    const locA = decodeFileName(a!).trunk!;
    const locB = decodeFileName(b!).trunk!;
    const forged = [
      forgeTrunkId(a!, locB), // a's facts, b's slot: the header says another file
      forgeTrunkId(a!, { ...locA, size: locA.size + 64 }),
      forgeTrunkId(a!, { ...locA, offset: locA.offset + 1 }),
      forgeTrunkId(a!, { ...locA, fileId: 2 }),
      forgeTrunkId(a!, { ...locA, offset: 3 << 20 }),
      forgeTrunkId(a!, { ...locA, offset: -64 }),
      forgeTrunkId(a!, { ...locA, fileId: 0 }),
    ];
    for (const id of forged) expect(errnoOf(() => openTrunkSlot(paths, id)), id).toBe(Errno.ENOENT);
  });

  it('zeroing a slot (delete) makes its ID ENOENT and leaves its neighbours intact', () => {
    const { paths: p, trunkFile } = freshStore();
    const [gone, ...rest] = live.map((f) => logicalOf(f.id));
    const before = readFileSync(trunkFile);
    const ref = zeroTrunkSlot(p, gone!);
    expect(errnoOf(() => checkTrunkSlot(p, gone!))).toBe(Errno.ENOENT);
    expect(errnoOf(() => zeroTrunkSlot(p, gone!))).toBe(Errno.ENOENT);
    const after = readFileSync(trunkFile);
    expect(after.subarray(ref.trunk.offset, ref.trunk.offset + ref.trunk.size).every((x) => x === 0)).toBe(true);
    expect(Buffer.compare(after.subarray(ref.trunk.offset + ref.trunk.size, before.length),
      before.subarray(ref.trunk.offset + ref.trunk.size))).toBe(0);
    for (const name of rest) expect(md5(contentOf(p, name))).toBe(live.find((f) => logicalOf(f.id) === name)!.md5);
  });
});
