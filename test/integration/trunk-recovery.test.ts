// Disk recovery with trunk files (§9.8): a storage whose store path disk was replaced gets its trunk files back
// from an fdfs peer (the peer's 26 list names its trunk files, which are fetched whole with 14), and then serves
// every trunk ID again — links to trunk files too (link slots) — with the slot header checked, so a file deleted
// meanwhile stays gone.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Errno, FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { decodeFileName } from '../../src/protocol/file-id.js';
import {
  restartStorage, startStorage, startTracker, stopAll, storageStatus, tempDir, waitAllActive, waitFor, type StorageHandle, type TrackerHandle,
} from '../helpers/cluster.js';
import { downloadAt, missingAt, outcomeOf } from '../helpers/storage-direct.js';
import { logicalOf } from '../helpers/trunk-fixture.js';

let tracker: TrackerHandle;
let s1: StorageHandle;
let s2: StorageHandle;
let client: FdfsClient;
const disk = tempDir('fdfs-trunk-disk-');
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

beforeAll(async () => {
  tracker = await startTracker({ conf: { check_active_interval: 2, use_trunk_file: true, trunk_file_size: '4MB', store_slave_file_use_link: true } });
  s1 = await startStorage({ trackers: [tracker.address] });
  s2 = await startStorage({ trackers: [tracker.address], conf: { store_path0: disk } });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, [s1, s2]);
});

afterAll(async () => {
  client?.close();
  await stopAll([s1, s2, tracker]);
  rmSync(disk, { recursive: true, force: true });
});

describe('a replaced disk with trunk files', () => {
  it('gets its trunk files back from the peer and serves every trunk ID again (slaves of trunk masters as links too)', async () => {
    const sums = new Map<string, string>();
    await waitFor('trunk uploads', async () => {
      const data = randomBytes(500);
      const id = await client.upload(data, { ext: 'bin' });
      sums.set(id, md5(data));
      return decodeFileName(logicalOf(id)).kind === 'trunk';
    }, 15_000, 200);
    for (let i = 0; i < 20; i++) {
      const data = randomBytes(50 + i * 300);
      sums.set(await client.upload(data, { ext: 'bin' }), md5(data));
    }
    const master = [...sums.keys()][0]!;
    // A link to a trunk file is a link slot in a trunk file: it comes back with the trunk files.
    const link = await client.createLink(master, { ext: 'bin' });
    expect(decodeFileName(logicalOf(link)).kind).toBe('trunk');
    sums.set(link, sums.get(master)!);
    // A slave of a trunk master stored as a link: its content is a file of its own, never a trunk slot.
    const slave = await client.uploadSlave(master, '_s', Buffer.from('slave content'), { ext: 'txt' });
    expect((await client.downloadToBuffer(slave)).toString()).toBe('slave content');
    sums.set(slave, md5(Buffer.from('slave content')));
    const ids = [...sums.keys()];
    await waitFor('every file on both', async () =>
      (await missingAt(s1.address, ids)).length === 0 && (await missingAt(s2.address, ids)).length === 0, 30_000, 200);
    await s2.proc.stop();
    rmSync(disk, { recursive: true, force: true });
    const gone = ids.at(-1)!;
    await client.delete(gone);
    sums.delete(gone);
    await restartStorage(s2);
    await waitFor('s2 ACTIVE again', async () => (await storageStatus(client, s2.host)) === StorageStatus.Active, 30_000, 200);
    expect(s2.proc.output).toMatch(/store path recovered/);
    for (const [id, sum] of sums) expect(md5(await downloadAt(s2.address, id)), id).toBe(sum);
    expect(await outcomeOf(downloadAt(s2.address, gone))).toBe(Errno.ENOENT);
  });
});
