// The trunk server's upkeep, without processes: occupied free space left out at load, unused trunk files
// deleted at trunk-server start, advance creation's count and reserved-space check, schedules that follow the
// trunk-server role.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { appendFileSync, closeSync, existsSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { child } from '../../../../src/log.js';
import { encodeSlotHeader, SlotType } from '../../../../src/protocol/trunk-slot.js';
import { defaultTrackerParams } from '../../../../src/storage/tracker-side/tracker-params.js';
import { StorePaths } from '../../../../src/storage/store/store-paths.js';
import type { StorageRuntime } from '../../../../src/storage/runtime.js';
import { formatJournal, FreeSpace, parseJournal, type Block } from '../../../../src/storage/trunk/free-space.js';
import { headerShowsFile, occupiedBlocks } from '../../../../src/storage/trunk/occupied.js';
import { wholeFreeFiles } from '../../../../src/storage/trunk/unused-trunks.js';
import { TrunkAllocator } from '../../../../src/storage/trunk/trunk-allocator.js';
import { advanceCount, createTrunkFilesAhead } from '../../../../src/storage/trunk/advance-creator.js';
import { TrunkUpkeep } from '../../../../src/storage/trunk/upkeep.js';
import { trunkUpkeep } from '../../../../src/storage/trunk/settings.js';

const MB4 = 4 * 1024 * 1024;
const log = child({ test: 'trunk-upkeep' });
const blk = (fileId: number, offset: number, size: number): Block => ({ storePathIndex: 0, subHigh: 0, subLow: 0, fileId, offset, size });
const liveHeader = () => encodeSlotHeader({ type: SlotType.Regular, allocSize: 512, fileSize: 100, crc32: 0x1234, mtime: 1_700_000_000, x7: '.txt\0\0\0' });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-upkeep-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A sparse trunk file `data/00/00/<id>` of `size` bytes with `header` at `offset`. */
function trunkFile(fileId: number, size = MB4, header?: { offset: number; bytes: Buffer }): string {
  const d = path.join(dir, 'data', '00', '00');
  mkdirSync(d, { recursive: true });
  const f = path.join(d, String(fileId).padStart(6, '0'));
  const fd = openSync(f, 'w');
  try {
    ftruncateSync(fd, size);
    if (header) writeSync(fd, header.bytes, 0, header.bytes.length, header.offset);
  } finally {
    closeSync(fd);
  }
  return f;
}

function fakeRt(raw: Record<string, string>): StorageRuntime {
  const params = defaultTrackerParams();
  params.raw = raw;
  params.reserved = { kind: 'mb', mb: 0 };
  return { paths: new StorePaths([dir], 256), params, myIp: '127.0.0.1' } as unknown as StorageRuntime;
}

function binlogWith(lines: string[]): string {
  const f = path.join(dir, 'data', 'trunk', 'binlog');
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, lines.map((l) => `1700000000 ${l}\n`).join(''));
  return f;
}

describe('slot headers (trunk_init_check_occupying)', () => {
  it('a stored file shows; a zeroed or only reserved slot does not (stock dio_check_trunk_file_ex)', () => {
    expect(headerShowsFile(liveHeader())).toBe(true);
    expect(headerShowsFile(Buffer.alloc(24))).toBe(false);
    const reserved = Buffer.alloc(24);
    reserved[0] = SlotType.Regular;
    reserved.writeInt32BE(512, 1);
    reserved.writeInt32BE(100, 5);
    expect(headerShowsFile(reserved)).toBe(false);
  });

  it('reads the header at each block\'s start; a missing trunk file or a block past its end counts as free', () => {
    const f = trunkFile(1, 8192, { offset: 1024, bytes: liveHeader() });
    const blocks = [blk(1, 0, 1024), blk(1, 1024, 512), blk(1, 100_000, 512), blk(2, 0, 512)];
    const fileOf = (b: Block) => (b.fileId === 1 ? f : path.join(dir, 'nope'));
    expect(occupiedBlocks(blocks, fileOf)).toEqual([blk(1, 1024, 512)]);
  });
});

describe('wholeFreeFiles (delete_unused_trunk_files)', () => {
  it('finds trunk files covered whole by free blocks, joined whatever trunk_free_space_merge says', () => {
    const blocks = [blk(1, 0, 1000), blk(1, 1000, MB4 - 1000), blk(2, 0, MB4 - 256), blk(3, 256, MB4 - 256), blk(4, 0, MB4)];
    const sizes: Record<number, number | null> = { 1: MB4, 2: MB4, 3: MB4, 4: null };
    expect(wholeFreeFiles(blocks, (b) => sizes[b.fileId]!)).toEqual([blk(1, 0, MB4)]);
  });
});

describe('TrunkAllocator at trunk-server start', () => {
  it('leaves out (and journals taken) a free block holding a file before it looks for unused trunk files', () => {
    trunkFile(1, MB4, { offset: 0, bytes: liveHeader() });
    const unused = trunkFile(2);
    const damaged = trunkFile(3, MB4, { offset: 512, bytes: liveHeader() });
    const binlog = binlogWith([
      'A 0 0 0 1 0 4194304', // a damaged binlog: the whole of trunk file 1 free, its first slot holds a file
      'A 0 0 0 2 0 4194304', // trunk file 2: nothing in it
      'A 0 0 0 3 0 512', 'A 0 0 0 3 512 512', 'A 0 0 0 3 1024 4193280', // file 3: the middle slot holds a file
    ]);
    const rt = fakeRt({ trunk_init_check_occupying: '1', delete_unused_trunk_files: '1', trunk_file_size: String(MB4) });
    const a = new TrunkAllocator({ baseDataDir: path.join(dir, 'data'), log, rt: () => rt, isTrunkServer: () => true });
    expect(a.available()).toBe(true);
    expect(existsSync(unused)).toBe(false);
    expect(existsSync(damaged)).toBe(true);
    expect(existsSync(path.join(dir, 'data', '00', '00', '000001'))).toBe(true);
    // Free now: trunk file 3 around its live slot; nothing in 1 (occupied) or 2 (deleted).
    expect(a.freeBytes()).toBe(512 + 4193280);
    // The binlog says so too: a replay (a compaction, a member taking over) finds the same.
    const replay = new FreeSpace();
    for (const j of parseJournal(readFileSync(binlog, 'latin1'))) replay.apply(j);
    expect(replay.blocks().sort((x, y) => x.offset - y.offset)).toEqual([blk(3, 0, 512), blk(3, 1024, 4193280)]);
  });

  it('without the keys: the binlog as it is, every trunk file kept', () => {
    const f1 = trunkFile(1, MB4, { offset: 0, bytes: liveHeader() });
    const f2 = trunkFile(2);
    binlogWith(['A 0 0 0 1 0 4194304', 'A 0 0 0 2 0 4194304']);
    const rt = fakeRt({});
    const a = new TrunkAllocator({ baseDataDir: path.join(dir, 'data'), log, rt: () => rt, isTrunkServer: () => true });
    expect(a.available()).toBe(true);
    expect(a.freeBytes()).toBe(2 * MB4);
    expect(existsSync(f1) && existsSync(f2)).toBe(true);
  });

  it('keeps as many unused trunk files as trunk_create_file_space_threshold asks while advance creation is on', () => {
    trunkFile(1);
    trunkFile(2);
    trunkFile(3);
    binlogWith(['A 0 0 0 1 0 4194304', 'A 0 0 0 2 0 4194304', 'A 0 0 0 3 0 4194304']);
    const rt = fakeRt({ delete_unused_trunk_files: '1', trunk_create_file_advance: '1', trunk_create_file_space_threshold: String(2 * MB4) });
    const a = new TrunkAllocator({ baseDataDir: path.join(dir, 'data'), log, rt: () => rt, isTrunkServer: () => true });
    a.available();
    expect(a.freeBytes()).toBe(2 * MB4);
  });

  it('a lease lying in a trunk file keeps it at compaction time', async () => {
    trunkFile(1);
    binlogWith(['A 0 0 0 1 0 4194304']);
    const rt = fakeRt({ slot_min_size: '256' });
    const a = new TrunkAllocator({ baseDataDir: path.join(dir, 'data'), log, rt: () => rt, isTrunkServer: () => true });
    a.available();
    rt.params.raw.delete_unused_trunk_files = '1';
    const lease = await a.lease(0, '127.0.0.1', 512, 4096);
    expect(a.dropUnusedTrunkFiles()).toBe(0);
    a.giveBack(lease);
    expect(a.dropUnusedTrunkFiles()).toBe(1);
    expect(a.freeBytes()).toBe(0);
  });
});

describe('advance creation (trunk_create_file_advance)', () => {
  it('counts whole trunk files up to the threshold, as stock', () => {
    expect(advanceCount(12 * MB4, 0, MB4)).toBe(12);
    expect(advanceCount(3 * MB4, MB4 - 100, MB4)).toBe(2);
    expect(advanceCount(MB4, MB4, MB4)).toBe(0);
    expect(advanceCount(MB4, 2 * MB4, MB4)).toBe(0);
  });

  it('creates them when the disk has room above the reserved space, refuses with ENOSPC otherwise, and only as trunk server', async () => {
    const rt = fakeRt({ trunk_create_file_advance: '1', trunk_create_file_space_threshold: String(3 * MB4 + 5), trunk_file_size: String(MB4) });
    (rt as { placement: unknown }).placement = { choosePath: async () => 0 };
    let free = 0;
    const made: number[] = [];
    const deps = {
      rt: () => rt, log, isTrunkServer: () => true, freeBytes: () => free,
      addTrunkFile: async (index: number) => { made.push(index); free += MB4; },
      usage: async () => [{ totalMb: 1000, freeMb: 500 }],
    };
    expect(await createTrunkFilesAhead(deps)).toBe(3);
    expect(await createTrunkFilesAhead(deps)).toBe(0);
    free = 0;
    rt.params.reserved = { kind: 'mb', mb: 495 };
    await expect(createTrunkFilesAhead(deps)).rejects.toMatchObject({ errno: 28 });
    rt.params.reserved = { kind: 'mb', mb: 0 };
    expect(await createTrunkFilesAhead({ ...deps, isTrunkServer: () => false })).toBe(0);
    expect(made).toEqual([0, 0, 0]);
  });

  it('settings: stock defaults, the advance off without an interval', () => {
    expect(trunkUpkeep({})).toMatchObject({ createAdvance: false, createIntervalSec: 86400, compressIntervalSec: 0, binlogMaxBackups: 0, deleteUnused: false });
    expect(trunkUpkeep({ trunk_create_file_advance: 'true', trunk_create_file_interval: '0' }).createAdvance).toBe(false);
    expect(trunkUpkeep({ trunk_create_file_advance: '1', trunk_create_file_time_base: '01:30' })).toMatchObject({ createAdvance: true, createTimeBase: { hour: 1, minute: 30 } });
  });
});

describe('TrunkUpkeep', () => {
  it('runs the schedules while this storage is the trunk server and stops them when it no longer is', async () => {
    const rt = fakeRt({ trunk_create_file_advance: '1', trunk_create_file_interval: '3600', trunk_compress_binlog_interval: '86400' });
    let server = false;
    const u = new TrunkUpkeep({ rt: () => rt, log, isTrunkServer: () => server, freeBytes: () => 0, addTrunkFile: async () => {}, compactNow: async () => {} });
    await u.sync();
    expect(u.running.length).toBe(0);
    server = true;
    await u.sync();
    expect(u.running.map((s) => s.nextRunAt > 0)).toEqual([true, true]);
    server = false;
    await u.sync();
    expect(u.running.length).toBe(0);
    await u.stop();
  });
});

describe('the leases of a worker that died (reclaim)', () => {
  it('what it did not commit is free again at once; committed slots, live leases and free space are never added twice', async () => {
    trunkFile(1);
    const binlog = binlogWith(['A 0 0 0 1 0 4194304']);
    const rt = fakeRt({ slot_min_size: '256' });
    const a = new TrunkAllocator({ baseDataDir: path.join(dir, 'data'), log, rt: () => rt, isTrunkServer: () => true });
    expect(a.available()).toBe(true);
    const dead = await a.lease(0, '127.0.0.1', 4096, 65536);
    const live = await a.lease(0, '127.0.0.1', 4096, 65536);
    const before = a.freeBytes();
    // The dead worker carved three slots from its lease and committed two, writing the records as a worker does.
    const journal = (ops: Array<['A' | 'D', Block]>) => appendFileSync(binlog, ops.map(([op, b]) => formatJournal(1_700_000_001, { op, block: b }) + '\n').join(''));
    let rest = dead;
    for (let i = 0; i < 3; i++) {
      const slot = { ...rest, size: 4096 };
      const next = { ...rest, offset: rest.offset + 4096, size: rest.size - 4096 };
      journal([['D', rest], ['A', next], ['A', slot]]);
      if (i < 2) journal([['D', slot]]);
      rest = next;
    }
    expect(a.reclaim([dead], [live])).toBe(dead.size - 2 * 4096);
    expect(a.freeBytes()).toBe(before + dead.size - 2 * 4096);
    expect(a.reclaim([dead], [live])).toBe(0);
    // A lease a live worker holds reads free in the binlog too: never handed out while it is out.
    expect(a.reclaim([live], [live])).toBe(0);
    expect(a.freeBytes()).toBe(before + dead.size - 2 * 4096);
    // The reclaimed space is handed out again: the uncommitted third slot first (best fit, lowest offset).
    const again = await a.reserve(0, '127.0.0.1', 4096);
    expect(again.offset).toBe(dead.offset + 2 * 4096);
  });
});

describe('a new trunk-server term in the same process', () => {
  it('keeps the leases workers may still carve from out of the free space it replays', async () => {
    trunkFile(1);
    binlogWith(['A 0 0 0 1 0 4194304']);
    const rt = fakeRt({ slot_min_size: '256' });
    let role = true;
    const a = new TrunkAllocator({ baseDataDir: path.join(dir, 'data'), log, rt: () => rt, isTrunkServer: () => role });
    expect(a.available()).toBe(true);
    const lease = await a.lease(0, '127.0.0.1', 4096, 65536);
    a.leasesOut = () => [lease];
    // The role goes and comes back before the worker heard of it: the binlog shows the lease free.
    role = false;
    expect(a.available()).toBe(false);
    role = true;
    expect(a.available()).toBe(true);
    expect(a.freeBytes()).toBe(4194304 - lease.size);
    for (let i = 0; i < 40; i++) {
      const slot = await a.reserve(0, '127.0.0.1', 4096);
      expect(slot.offset + slot.size <= lease.offset || slot.offset >= lease.offset + lease.size).toBe(true);
    }
  });
});
