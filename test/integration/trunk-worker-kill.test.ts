// A storage worker killed with a trunk lease (trunk/leased-space.ts): the owner reclaims what the worker did not
// commit from the trunk binlog at once (trunk-allocator.ts reclaim), not only after a restart, and nothing is
// handed out twice: every file stored before and after reads back and no two share a byte of a trunk file.
// A fresh storage of its own, so its leases are carved from whole free space (no freed slots lent as leases).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { FdfsClient } from '../../src/client/index.js';
import { decodeFileName } from '../../src/protocol/file-id.js';
import { startStorage, startTracker, stopAll, waitAllActive, waitFor, workerPids, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { downloadAt, uploadAt } from '../helpers/storage-direct.js';
import { logicalOf } from '../helpers/trunk-fixture.js';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
let tracker: TrackerHandle;
let s: StorageHandle;
let client: FdfsClient;

beforeAll(async () => {
  tracker = await startTracker({ conf: { use_trunk_file: true, trunk_file_size: '4MB', slot_max_size: '64KB', slot_min_size: 256 } });
  s = await startStorage({ trackers: [tracker.address], conf: { work_threads: 2 } });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, [s]);
});

afterAll(async () => {
  client?.close();
  await stopAll([s, tracker]);
});

describe('a worker killed with a trunk lease', () => {
  it('what it did not commit is free again at once; nothing is handed out twice', async () => {
    const pids = workerPids(s);
    expect(pids).toHaveLength(2);
    await waitForTrunkWritingAlone();
    const stored = new Map<string, Buffer>();
    const put = async () => {
      const d = randomBytes(2000);
      stored.set(await uploadAt(s.address, d), d);
    };
    for (let i = 0; i < 12; i++) await put();
    process.kill(pids[0]!, 'SIGKILL');
    await waitFor('the dead worker\'s trunk space reclaimed', async () => s.proc.output.includes('trunk space a dead worker held is free again'), 10_000, 100);
    await waitFor('a replacement worker', async () => workerPids(s).length === 2 && !workerPids(s).includes(pids[0]!), 10_000, 100);
    for (let i = 0; i < 40; i++) await put();
    for (const [id, d] of stored) expect(md5(await downloadAt(s.address, id))).toBe(md5(d));
    const slots = [...stored.keys()].map((id) => decodeFileName(logicalOf(id)).trunk!).sort((a, b) => a.fileId - b.fileId || a.offset - b.offset);
    expect(slots).toHaveLength(52);
    for (let i = 1; i < slots.length; i++) {
      if (slots[i]!.fileId === slots[i - 1]!.fileId) expect(slots[i]!.offset).toBeGreaterThanOrEqual(slots[i - 1]!.offset + slots[i - 1]!.size);
    }
  });
});

/** The storage is its group's trunk server and small uploads land in slots. */
async function waitForTrunkWritingAlone(): Promise<void> {
  await waitFor('trunk uploads', async () => {
    const id = await client.upload(randomBytes(100), { ext: 'bin' });
    await client.delete(id);
    return decodeFileName(logicalOf(id)).kind === 'trunk';
  }, 20_000, 200);
}
