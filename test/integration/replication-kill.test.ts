// Crash safety of replication (§9.7): a storage killed with -9 in the middle of a bounded upload stream loses
// none of the files it acknowledged, and gets every file acknowledged by its peer meanwhile once restarted.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { restartStorage, stopAll, waitFor, type TrackerHandle, type StorageHandle, storageStatus, startTwoMemberGroup } from '../helpers/cluster.js';
import { downloadAt, missingAt } from '../helpers/storage-direct.js';

let tracker: TrackerHandle;
let s1: StorageHandle;
let s2: StorageHandle;
let client: FdfsClient;

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

const statusOf = (s: StorageHandle): Promise<number | undefined> => storageStatus(client, s.host);

beforeAll(async () => {
  ({ tracker, s1, s2, client } = await startTwoMemberGroup({ networkTimeout: 10 }));
});

afterAll(async () => {
  client?.close();
  await stopAll([s1, s2, tracker]);
});

describe('replication across a kill -9', () => {
  it('keeps every acknowledged file of a 300-upload stream on both members', async () => {
    const acked = new Map<string, string>();
    let failed = 0;
    let started = 0;
    let killed: Promise<void> | null = null;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (started < 300) {
        const i = started++;
        // Kill s2 a third of the way in, while uploads (to both members) are in flight.
        if (i === 100) killed = s2.proc.kill();
        const data = randomBytes(1024 + ((i * 131) % 16384));
        try {
          acked.set(await client.upload(data, { ext: 'bin' }), md5(data));
        } catch {
          failed++;
        }
      }
    }));
    await killed;
    const ids = [...acked.keys()];
    const bySource = (ip: string) => ids.filter((id) => JSON.stringify(client.decodeFileId(id).source) === JSON.stringify({ ipv4: ip }));
    console.log(`acknowledged ${ids.length}, failed ${failed}; from s1 ${bySource(s1.host).length}, from s2 ${bySource(s2.host).length}`);
    expect(ids.length).toBeGreaterThan(250);
    expect(bySource(s2.host).length).toBeGreaterThan(10);
    const t0 = Date.now();
    await restartStorage(s2);
    await waitFor('s2 ACTIVE again', async () => (await statusOf(s2)) === StorageStatus.Active, 20_000);
    await waitFor('every acknowledged file on both members', async () =>
      (await missingAt(s1.address, ids)).length === 0 && (await missingAt(s2.address, ids)).length === 0, 40_000, 250);
    console.log(`converged ${Date.now() - t0} ms after the restart began`);
    for (const [id, sum] of acked) {
      expect(md5(await downloadAt(s1.address, id))).toBe(sum);
      expect(md5(await downloadAt(s2.address, id))).toBe(sum);
    }
  });
});
