// A slot handed out while it still holds a file (a trunk binlog that missed an allocation, e.g. the role moved to
// a member whose copy lagged): an upload journals it as taken and goes to the next slot; a replica refuses to
// write over another file. Stock checks the same header before every write into a slot.
import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Errno, StatusError } from '../../../../src/errors.js';
import { createLogger } from '../../../../src/log.js';
import { trunkSlotOf } from '../../../../src/protocol/trunk-slot.js';
import { StorePaths } from '../../../../src/storage/store/store-paths.js';
import type { StorageRuntime } from '../../../../src/storage/runtime.js';
import type { Block } from '../../../../src/storage/trunk/free-space.js';
import { writeSlot } from '../../../../src/storage/trunk/replica.js';
import { TrunkStore } from '../../../../src/storage/trunk/trunk-store.js';
import type { TrunkSpace } from '../../../../src/storage/trunk/trunk-space.js';
import { slotContent as contentOf, forgeTrunkId, installStockTrunk, logicalOf, stockTrunk } from '../../../helpers/trunk-fixture.js';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const live = stockTrunk.files.filter((f) => f.state === 'live' && f.size > 0);

function fixtureStore(): StorePaths {
  const root = mkdtempSync(path.join(os.tmpdir(), 'fdfs-occupied-'));
  installStockTrunk(root);
  return new StorePaths([root], 4);
}

const blockOf = (logical: string): Block => {
  const ref = trunkSlotOf(logical);
  return { storePathIndex: ref.storePathIndex, subHigh: ref.subHigh, subLow: ref.subLow, ...ref.trunk };
};

/** A trunk space that hands out the given slots in turn and records what it is told. */
function scriptedSpace(slots: Block[]): TrunkSpace & { committed: Block[]; freed: Block[] } {
  const queue = [...slots];
  const committed: Block[] = [];
  const freed: Block[] = [];
  return {
    committed, freed,
    available: () => true,
    reserve: async () => queue.shift()!,
    commit: async (b) => void committed.push(b),
    free: async (b) => void freed.push(b),
    reserveNow: () => queue.shift() ?? null,
    commitNow: (b) => void committed.push(b),
    freeNow: (b) => void freed.push(b),
  };
}

/** An upload of `data` into store path 0, as the upload handler hands it to the trunk store. */
const uploadOf = (data: Buffer, ext = 'bin') => ({
  ip: '127.0.0.1', ext, storePathIndex: 0, size: data.length, body: (async function* () { yield data; })(),
});

function fakeRuntime(paths: StorePaths): StorageRuntime {
  return {
    paths,
    log: createLogger({ level: 'silent' }),
    params: { raw: { trunk_file_size: String(4 << 20), slot_max_size: String(256 << 10) }, useTrunkFile: true },
    placement: { choosePath: async (i: number) => i, choosePathNow: (i: number) => i },
  } as unknown as StorageRuntime;
}

describe('a trunk slot that already holds a file', () => {
  it('an upload journals it as taken, writes into the next slot, and the file there stays whole', async () => {
    const paths = fixtureStore();
    const victim = logicalOf(live[0]!.id);
    const occupied = blockOf(victim);
    const free: Block = { ...occupied, offset: 64 << 10, size: 256 };
    const space = scriptedSpace([occupied, free]);
    const store = new TrunkStore(space, () => true);
    const data = Buffer.from('a new file that must not land on the old one');
    const stored = await store.store(fakeRuntime(paths), uploadOf(data, 'txt'));
    expect(space.committed).toEqual([occupied, free]);
    expect(space.freed).toEqual([]);
    expect(trunkSlotOf(stored.logical).trunk.offset).toBe(64 << 10);
    expect(contentOf(paths, stored.logical)).toEqual(data);
    expect(md5(contentOf(paths, victim))).toBe(live[0]!.md5);
    store.close();
  });

  it('a slot that starts in one file\'s zero padding and runs into the next file is skipped too', async () => {
    const paths = fixtureStore();
    const [first, second] = [logicalOf(live[0]!.id), logicalOf(live[1]!.id)];
    const a = blockOf(first);
    // The first file's slot ends in zero padding: header and content fill less than its size.
    const end = a.offset + 24 + trunkSlotOf(first).header.fileSize;
    expect(end).toBeLessThan(a.offset + a.size);
    const misaligned: Block = { ...a, offset: end, size: 64 };
    const free: Block = { ...a, offset: 64 << 10, size: 64 };
    const space = scriptedSpace([misaligned, free]);
    const store = new TrunkStore(space, () => true);
    const data = Buffer.from('twenty bytes of data');
    const stored = await store.store(fakeRuntime(paths), uploadOf(data, 'txt'));
    expect(space.committed).toEqual([misaligned, free]);
    expect(trunkSlotOf(stored.logical).trunk.offset).toBe(64 << 10);
    expect(md5(contentOf(paths, first))).toBe(live[0]!.md5);
    expect(md5(contentOf(paths, second))).toBe(live[1]!.md5);
    store.close();
  });

  it('a slot given back after a failed upload is zeroed, so the next upload takes it', async () => {
    const paths = fixtureStore();
    const slot: Block = { storePathIndex: 0, subHigh: 0, subLow: 0, fileId: 1, offset: 128 << 10, size: 256 };
    const space = scriptedSpace([slot, slot]);
    const store = new TrunkStore(space, () => true);
    const rt = fakeRuntime(paths);
    const short = store.store(rt, {
      ip: '127.0.0.1', ext: 'txt', storePathIndex: 0, size: 100, body: (async function* () { yield Buffer.alloc(60, 7); })(),
    });
    await expect(short).rejects.toMatchObject({ errno: Errno.EINVAL });
    expect(space.freed).toEqual([slot]);
    const data = Buffer.alloc(100, 9);
    const stored = await store.store(rt, uploadOf(data, 'bin'));
    expect(space.committed).toEqual([slot]);
    expect(contentOf(paths, stored.logical)).toEqual(data);
    store.close();
  });

  it('the one-step upload path gives such a slot up as taken and leaves the file alone', () => {
    const paths = fixtureStore();
    const victim = logicalOf(live[1]!.id);
    const space = scriptedSpace([blockOf(victim)]);
    const store = new TrunkStore(space, () => true);
    const got = store.storeNow(fakeRuntime(paths), { ip: '127.0.0.1', ext: 'bin', storePathIndex: 0, content: Buffer.from('x'.repeat(20)) });
    expect(got).toBeNull();
    expect(space.committed).toEqual([blockOf(victim)]);
    expect(md5(contentOf(paths, victim))).toBe(live[1]!.md5);
    store.close();
  });

  it('gives up with EEXIST when slot after slot holds a file', async () => {
    const paths = fixtureStore();
    const occupied = blockOf(logicalOf(live[0]!.id));
    const space = scriptedSpace(Array.from({ length: 1100 }, () => occupied));
    const store = new TrunkStore(space, () => true);
    const err = await store.store(fakeRuntime(paths), {
      ip: '127.0.0.1', ext: 'txt', storePathIndex: 0, size: 3, body: (async function* () { yield Buffer.from('abc'); })(),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).errno).toBe(Errno.EEXIST);
    store.close();
  });

  it('a replica for the slot of another file is refused (EEXIST) and the file there stays whole', async () => {
    const paths = fixtureStore();
    const victim = logicalOf(live[0]!.id);
    const other = logicalOf(forgeTrunkId(live[1]!.id, trunkSlotOf(victim).trunk));
    const size = trunkSlotOf(other).header.fileSize;
    const body = (async function* () { yield Buffer.alloc(size, 0x5a); })();
    const err = await writeSlot(paths, 4 << 20, other, size, body).catch((e: unknown) => e);
    expect((err as StatusError).errno).toBe(Errno.EEXIST);
    expect(md5(contentOf(paths, victim))).toBe(live[0]!.md5);
  });

  it('a replica of the very file the slot holds is written again (a resent record)', async () => {
    const paths = fixtureStore();
    const own = logicalOf(live[0]!.id);
    const content = contentOf(paths, own);
    await writeSlot(paths, 4 << 20, own, content.length, (async function* () { yield content; })());
    expect(md5(contentOf(paths, own))).toBe(live[0]!.md5);
  });
});
