// A worker's trunk leases (trunk/leased-space.ts) against a lender that works like the owner's allocator: the
// binlog both write replays to the space actually free, whatever order uploads commit or fail in; a lease is
// a whole number of slots; a rest smaller than the slot goes with it; commits wait while the binlog is compacted.
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FreeSpace, parseJournal, type Block } from '../../../../src/storage/trunk/free-space.js';
import { LEASE_BYTES, LeasedTrunkSpace, type LeaseSource } from '../../../../src/storage/trunk/leased-space.js';
import { TrunkJournal } from '../../../../src/storage/trunk/trunk-journal.js';
import type { TrunkSpace } from '../../../../src/storage/trunk/trunk-space.js';

const MB4 = 4 * 1024 * 1024;
const file = (offset: number, size: number): Block => ({ storePathIndex: 0, subHigh: 0, subLow: 0, fileId: 1, offset, size });
let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setup() {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-lease-'));
  const journal = new TrunkJournal(path.join(dir, 'binlog'));
  const owner = new FreeSpace();
  const whole = { op: 'A' as const, block: file(0, MB4) };
  owner.apply(whole);
  journal.write([whole]);
  const leases: Block[] = [];
  const source: LeaseSource = {
    isTrunkServer: () => true,
    slotMinSize: () => 256,
    async lease(index, _ip, slotSize, leaseSize) {
      const got = owner.take(index, slotSize, { minRest: 256, upTo: leaseSize })!;
      journal.write(got.journal);
      leases.push(got.slot);
      return got.slot;
    },
    giveBack: (b) => owner.untake(b),
  };
  const remote = { available: () => true } as TrunkSpace;
  const space = new LeasedTrunkSpace(remote, source, journal);
  const replay = () => {
    const f = new FreeSpace();
    for (const j of parseJournal(readFileSync(path.join(dir, 'binlog'), 'latin1'))) f.apply(j);
    return f.blocks().sort((a, b) => a.offset - b.offset).map((b) => [b.offset, b.size]);
  };
  return { space, leases, replay };
}

describe('storage: trunk leases in a worker', () => {
  it('leases a whole number of slots and replays right after out-of-order commits and a failed upload', async () => {
    const { space, leases, replay } = setup();
    const slot = 4120;
    const a = await space.reserve(0, '10.0.0.1', slot);
    const b = await space.reserve(0, '10.0.0.1', slot);
    const c = await space.reserve(0, '10.0.0.1', slot);
    expect(leases[0]!.size).toBe(Math.floor(LEASE_BYTES / slot) * slot);
    expect([a.offset, b.offset, c.offset]).toEqual([0, slot, 2 * slot]);
    await space.commit(c);
    await space.free(b);
    await space.commit(a);
    // a and c are taken; b (never committed) and everything after c are free.
    expect(replay()).toEqual([[slot, slot], [3 * slot, leases[0]!.size - 3 * slot], [leases[0]!.size, MB4 - leases[0]!.size]]);
  });

  it('gives a rest smaller than the slot to the last slot of the lease', async () => {
    const { space, leases } = setup();
    const first = await space.reserve(0, '10.0.0.1', 100_000);
    await space.commit(first);
    const lease = leases[0]!;
    expect(lease.size).toBe(200_000);
    const second = await space.reserve(0, '10.0.0.1', 60_000);
    // 100,000 bytes were left: 60,000 for this file would leave 40,000, smaller than the slot, so it takes them all.
    expect(second).toEqual({ ...file(100_000, 100_000) });
  });

  it('holds commits while paused and writes them after resume; nothing is carved at once meanwhile', async () => {
    const { space, replay } = setup();
    const a = await space.reserve(0, '10.0.0.1', 4096);
    space.pause();
    expect(space.reserveNow(0, 4096)).toBeNull();
    let committed = false;
    const commit = space.commit(a).then(() => { committed = true; });
    await new Promise((r) => setTimeout(r, 20));
    expect(committed).toBe(false);
    expect(replay()[0]).toEqual([0, 4096]);
    space.resume();
    await commit;
    expect(replay()[0]![0]).toBe(4096);
  });

  it('an upload carved and committed in one step adds two lines, not four, and replays the same', async () => {
    const { space, replay } = setup();
    const slot = 4120;
    const first = await space.reserve(0, '10.0.0.1', slot);
    space.commitNow(first);
    const lines = () => readFileSync(path.join(dir, 'binlog'), 'latin1').trim().split('\n').length;
    const before = lines();
    for (let i = 0; i < 10; i++) space.commitNow(space.reserveNow(0, slot)!);
    // Each: D of the lease's rest, A of what is left after the slot (A slot + D slot cancel out).
    expect(lines() - before).toBe(20);
    const text = readFileSync(path.join(dir, 'binlog'), 'latin1');
    expect(text).not.toMatch(new RegExp(` A 0 0 0 1 ${4 * slot} ${slot}\n`));
    expect(replay()[0]).toEqual([11 * slot, Math.floor(LEASE_BYTES / slot) * slot - 11 * slot]);
  });

  it('asks for the next lease while a quarter of this one is left, so one-step uploads never find none', async () => {
    const { space, leases, replay } = setup();
    const slot = 4120;
    const perLease = Math.floor(LEASE_BYTES / slot);
    space.commitNow(await space.reserve(0, '10.0.0.1', slot));
    const taken = [0];
    for (let i = 1; i < 3 * perLease; i++) {
      const got = space.reserveNow(0, slot, '10.0.0.1');
      expect(got, `upload ${i}`).not.toBeNull();
      space.commitNow(got!);
      taken.push(got!.offset);
      // The lender answers between uploads, as the owner does over IPC.
      await Promise.resolve();
      await Promise.resolve();
    }
    expect(leases.length).toBe(4);
    // Every slot handed out once, in lease order; the fourth lease was asked early and is still unused.
    expect(new Set(taken).size).toBe(taken.length);
    const free = () => replay().reduce((sum, [, size]) => sum + size!, 0);
    // Lent but unused space replays free: only the committed slots are taken.
    expect(replay()[0]![0]).toBe(3 * perLease * slot);
    expect(free()).toBe(MB4 - 3 * perLease * slot);
    space.close();
    expect(free()).toBe(MB4 - 3 * perLease * slot);
  });

  it('does not use a lease asked for before it was demoted', async () => {
    const { space, leases } = setup();
    let trunkServer = true;
    (space as unknown as { source: LeaseSource }).source.isTrunkServer = () => trunkServer;
    const slot = 4120;
    const perLease = Math.floor(LEASE_BYTES / slot);
    space.commitNow(await space.reserve(0, '10.0.0.1', slot));
    for (let i = 1; i < perLease; i++) space.commitNow(space.reserveNow(0, slot, '10.0.0.1')!);
    // The early ask is out (the lender took the block at once); demoted before its answer arrives.
    expect(leases.length).toBe(2);
    trunkServer = false;
    space.drop();
    trunkServer = true;
    await Promise.resolve();
    await Promise.resolve();
    expect(space.reserveNow(0, slot, '10.0.0.1')).toBeNull();
  });
});
