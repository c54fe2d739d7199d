// A damaged trunk slot (its header is the name's, its content no longer matches the name's CRC32) is caught
// on read, never served as good, and repaired from the group's other member while the client waits; with no
// good copy anywhere the read fails with EIO and the storage keeps serving. Real tracker + two storages with
// trunk files on; the damage is done to one member's trunk file on disk.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import { Errno, FdfsClient } from '../../src/client/index.js';
import { decodeFileName } from '../../src/protocol/file-id.js';
import { SLOT_HEADER_SIZE, trunkContainerName } from '../../src/protocol/trunk-slot.js';
import { startStorage, startTracker, stopAll, waitAllActive, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { downloadAt, fileInfoAt, outcomeOf } from '../helpers/storage-direct.js';
import { logicalOf, waitForTrunkWriting } from '../helpers/trunk-fixture.js';
import { repairOn } from '../../src/client/verify.js';

let tracker: TrackerHandle;
let s1: StorageHandle;
let s2: StorageHandle;
let client: FdfsClient;

beforeAll(async () => {
  tracker = await startTracker({ conf: { check_active_interval: 10, use_trunk_file: true, trunk_file_size: '4MB', slot_max_size: '64KB' } });
  s1 = await startStorage({ trackers: [tracker.address], conf: { 'http.server_port': 8888 } });
  s2 = await startStorage({ trackers: [tracker.address], conf: { 'http.server_port': 8888 } });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, [s1, s2]);
  await waitForTrunkWriting(client, [s1, s2]);
});

afterAll(async () => {
  client?.close();
  await stopAll([s1, s2, tracker]);
});

/** Upload a small file into a trunk slot and wait until both members hold it. */
async function replicatedTrunkFile(size: number): Promise<{ id: string; data: Buffer }> {
  const data = randomBytes(size);
  const id = await client.upload(data, { ext: 'bin' });
  expect(decodeFileName(logicalOf(id)).kind).toBe('trunk');
  for (const s of [s1, s2]) await waitFor(`replica on ${s.address}`, () => fileInfoAt(s.address, id));
  return { id, data };
}

/** Where the content of `id` lies on storage `s`: its trunk file and the content's offset in it. */
function slotOn(s: StorageHandle, id: string): { file: string; at: number } {
  const logical = logicalOf(id);
  const trunk = decodeFileName(logical).trunk!;
  return { file: path.join(s.dir, 'data', logical.slice(4, 6), logical.slice(7, 9), trunkContainerName(trunk.fileId)), at: trunk.offset + SLOT_HEADER_SIZE };
}

function readSlot(s: StorageHandle, id: string, size: number): Buffer {
  const { file, at } = slotOn(s, id);
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(size);
    readSync(fd, b, 0, size, at);
    return b;
  } finally {
    closeSync(fd);
  }
}

/** Flip one byte in the middle of the content, behind the storage's back. */
function damage(s: StorageHandle, id: string, size: number): void {
  const { file, at } = slotOn(s, id);
  const fd = openSync(file, 'r+');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, at + (size >> 1));
    b[0] ^= 0xff;
    writeSync(fd, b, 0, 1, at + (size >> 1));
  } finally {
    closeSync(fd);
  }
}

describe('a damaged trunk slot', () => {
  it('is repaired from the other member while the client waits, and served good', async () => {
    for (const size of [1000, 40_000]) {
      const { id, data } = await replicatedTrunkFile(size);
      damage(s2, id, size);
      expect(readSlot(s2, id, size).equals(data)).toBe(false);
      expect((await downloadAt(s2.address, id)).equals(data)).toBe(true);
      // Written back into the same slot, not elsewhere: the bytes on disk are good again.
      expect(readSlot(s2, id, size).equals(data)).toBe(true);
      expect((await downloadAt(s1.address, id)).equals(data)).toBe(true);
    }
  });

  it('damaged on both members: EIO, never the wrong bytes, and both keep serving', async () => {
    const { id, data } = await replicatedTrunkFile(3000);
    const other = await replicatedTrunkFile(500);
    damage(s1, id, data.length);
    damage(s2, id, data.length);
    expect(await outcomeOf(downloadAt(s1.address, id))).toBe(Errno.EIO);
    expect(await outcomeOf(downloadAt(s2.address, id))).toBe(Errno.EIO);
    for (const s of [s1, s2]) expect((await downloadAt(s.address, other.id)).equals(other.data)).toBe(true);
  });

  it('a slot freed by a delete is not brought back by a repair', async () => {
    const { id, data } = await replicatedTrunkFile(2000);
    damage(s2, id, data.length);
    await client.delete(id);
    await waitFor('the delete reached both members', async () => {
      const gone = await Promise.all([s1, s2].map((s) => outcomeOf(downloadAt(s.address, id))));
      return gone.every((o) => o === Errno.ENOENT);
    });
    expect(await outcomeOf(downloadAt(s2.address, id))).toBe(Errno.ENOENT);
  });

  it('over HTTP: repaired before the answer (200, the right bytes); with no good copy anywhere, never 200', async () => {
    const url = (s: StorageHandle, id: string) => `http://${s.host}:8888/${id}`;
    const { id, data } = await replicatedTrunkFile(5000);
    damage(s1, id, data.length);
    const r = await fetch(url(s1, id));
    expect(r.status).toBe(200);
    expect(Buffer.from(await r.arrayBuffer()).equals(data)).toBe(true);
    expect(readSlot(s1, id, data.length).equals(data)).toBe(true);

    const both = await replicatedTrunkFile(700);
    damage(s1, both.id, both.data.length);
    damage(s2, both.id, both.data.length);
    const bad = await fetch(url(s2, both.id));
    expect(bad.status).toBeGreaterThanOrEqual(500);
    const body = Buffer.from(await bad.arrayBuffer());
    expect(body.equals(both.data)).toBe(false);
    expect(body.equals(readSlot(s2, both.id, both.data.length))).toBe(false);
    const ranged = await fetch(url(s2, both.id), { headers: { Range: 'bytes=0-99' } });
    expect(ranged.status).toBeGreaterThanOrEqual(500);
    await ranged.arrayBuffer();
  });

  it('121 REPAIR_FILES (`fdfs verify --repair`) on a trunk name: a good slot is present, a damaged one is repaired in place', async () => {
    const good = await replicatedTrunkFile(1200);
    const bad = await replicatedTrunkFile(2400);
    damage(s1, bad.id, bad.data.length);
    const timeouts = { connectTimeout: 5, networkTimeout: 20 };
    const out = await repairOn(s1.address, 'group1', [logicalOf(good.id), logicalOf(bad.id)], timeouts);
    expect(out).toEqual([{ name: logicalOf(good.id), outcome: 'present' }, { name: logicalOf(bad.id), outcome: 'repaired' }]);
    expect(readSlot(s1, bad.id, bad.data.length).equals(bad.data)).toBe(true);
  });
});
