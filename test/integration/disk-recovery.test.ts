// Disk recovery (§9.8) with real processes: a storage whose store path disk was replaced (data directory gone,
// base path with its sync state kept) refills it from its peer with 26 + 14 before joining, then serves every
// file again — contents, metadata and links — and replicates as before.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import {
  restartStorage, startStorage, startTracker, stopAll, storageStatus, tempDir, waitAllActive, waitFor, type StorageHandle, type TrackerHandle,
} from '../helpers/cluster.js';
import { downloadAt, metadataAt, missingAt } from '../helpers/storage-direct.js';

let tracker: TrackerHandle;
let s1: StorageHandle;
let s2: StorageHandle;
let client: FdfsClient;
const disk = tempDir('fdfs-disk-');
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

beforeAll(async () => {
  tracker = await startTracker({ conf: { check_active_interval: 2 } });
  s1 = await startStorage({ trackers: [tracker.address] });
  // s2 keeps its files on a "disk" of their own, apart from its base path.
  s2 = await startStorage({ trackers: [tracker.address], conf: { store_path0: disk, disk_recovery_threads: 3 } });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, [s1, s2]);
});

afterAll(async () => {
  client?.close();
  await stopAll([s1, s2, tracker]);
  rmSync(disk, { recursive: true, force: true });
});

describe('a replaced disk', () => {
  it('is refilled from the peer before the storage joins, and everything is served again', async () => {
    const sums = new Map<string, string>();
    for (let i = 0; i < 40; i++) {
      const data = randomBytes(100 + i * 997);
      sums.set(await client.upload(data, { ext: 'bin', metadata: i % 5 === 0 ? { n: String(i) } : undefined }), md5(data));
    }
    const master = [...sums.keys()][0]!;
    const slaveData = Buffer.from('a slave');
    sums.set(await client.uploadSlave(master, '_s', slaveData), md5(slaveData));
    const link = await client.createLink(master, { ext: 'bin' });
    sums.set(link, sums.get(master)!);
    const ids = [...sums.keys()];
    await waitFor('every file on both', async () =>
      (await missingAt(s1.address, ids)).length === 0 && (await missingAt(s2.address, ids)).length === 0, 30_000, 200);
    await s2.proc.stop();
    rmSync(disk, { recursive: true, force: true });
    // Deleted while s2 is down (through its peer): must not come back.
    const gone = ids.find((id) => client.decodeFileId(id).source.ipv4 === s1.host && id !== master)!;
    await client.delete(gone);
    sums.delete(gone);
    await restartStorage(s2);
    await waitFor('s2 ACTIVE again', async () => (await storageStatus(client, s2.host)) === StorageStatus.Active, 30_000, 200);
    expect(s2.proc.output).toMatch(/recovering lost store paths from a peer/);
    expect(s2.proc.output).toMatch(/store path recovered/);
    const kept = [...sums.keys()];
    expect(await missingAt(s2.address, kept)).toEqual([]);
    for (const [id, sum] of sums) expect(md5(await downloadAt(s2.address, id))).toBe(sum);
    expect(await missingAt(s2.address, [gone])).toEqual([gone]);
    expect(await metadataAt(s2.address, ids[5]!)).toEqual({ n: '5' });
    // The link is a link again, to s2's own copy.
    expect(lstatSync(path.join(disk, 'data', link.slice('group1/M00/'.length))).isSymbolicLink()).toBe(true);
    expect(s2.proc.output).toMatch(/"links":1\b/);
    for (const f of ['.recovery.flag', '.binlog.recovery']) expect(existsSync(path.join(disk, 'data', f))).toBe(false);
    // And it replicates as before.
    const after = await client.upload(Buffer.from('after recovery'), { ext: 'txt' });
    await waitFor('new file on both', async () =>
      (await missingAt(s1.address, [after])).length === 0 && (await missingAt(s2.address, [after])).length === 0, 15_000);
  });

  it('resumes an interrupted recovery at the next start, fetching only what is missing', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await client.upload(Buffer.from(`resume ${i}`), { ext: 'txt' }));
    await waitFor('on s2', async () => (await missingAt(s2.address, ids)).length === 0, 15_000);
    await s2.proc.stop();
    // As if the previous run stopped half-way: two files missing, the flag still there.
    for (const id of ids.slice(0, 2)) unlinkSync(path.join(disk, 'data', id.slice('group1/M00/'.length)));
    writeFileSync(path.join(disk, 'data', '.recovery.flag'), 'started=earlier\n');
    await restartStorage(s2);
    await waitFor('s2 ACTIVE again', async () => (await storageStatus(client, s2.host)) === StorageStatus.Active, 30_000, 200);
    expect(await missingAt(s2.address, ids)).toEqual([]);
    expect((await downloadAt(s2.address, ids[0]!)).toString()).toBe('resume 0');
    expect(s2.proc.output).toMatch(/"downloaded":2,/);
    expect(existsSync(path.join(disk, 'data', '.recovery.flag'))).toBe(false);
  });
});

describe('a replaced disk on the only storage of its group', () => {
  it('starts empty at once: there is nothing to recover from', async () => {
    const t = await startTracker();
    const own = tempDir('fdfs-disk-');
    const lone = await startStorage({ trackers: [t.address], conf: { store_path0: own } });
    const c = new FdfsClient({ trackers: [t.address] });
    try {
      await waitAllActive(c, [lone]);
      const id = await c.upload(Buffer.from('lost with the disk'), { ext: 'txt' });
      await lone.proc.stop();
      rmSync(own, { recursive: true, force: true });
      await restartStorage(lone);
      await waitFor('ACTIVE again', async () => (await storageStatus(c, lone.host)) === StorageStatus.Active, 20_000, 200);
      expect(lone.proc.output).toMatch(/nothing to recover them from/);
      expect(existsSync(path.join(own, 'data', '.recovery.flag'))).toBe(false);
      expect(await missingAt(lone.address, [id])).toEqual([id]);
      const again = await c.upload(Buffer.from('new life'), { ext: 'txt' });
      expect((await c.downloadToBuffer(again)).toString()).toBe('new life');
    } finally {
      c.close();
      await stopAll([lone, t]);
      rmSync(own, { recursive: true, force: true });
    }
  });
});
