// The trunk binlog is compacted while uploads go on through two worker processes: it shrinks to the free space
// it describes, no upload fails or is lost meanwhile, a peer gets the new file from the start, and after a
// kill -9 and restart the free space replayed from it never hands out a slot that holds a file.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { restartStorage, startStorage, startTracker, stopAll, waitAllActive, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { downloadAt } from '../helpers/storage-direct.js';
import { waitForTrunkWriting } from '../helpers/trunk-fixture.js';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
let tracker: TrackerHandle;
let server: StorageHandle;
let peer: StorageHandle;
let client: FdfsClient;
const written = new Map<string, string>();
const binlogOf = (s: StorageHandle) => path.join(s.dir, 'data', 'trunk', 'binlog');

async function uploadMany(count: number, lanes: number): Promise<number> {
  let started = 0;
  let failed = 0;
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (started < count) {
      const i = started++;
      const data = randomBytes(300 + ((i * 131) % 3000));
      try {
        written.set(await client.upload(data, { ext: 'bin' }), md5(data));
      } catch {
        failed++;
      }
    }
  }));
  return failed;
}

beforeAll(async () => {
  // 20 kB instead of 16 MB: a compaction every hundred or so uploads.
  process.env.FDFS_TRUNK_COMPACT_MIN_BYTES = '20000';
  tracker = await startTracker({ conf: { use_trunk_file: true, trunk_file_size: '4MB', slot_max_size: 64 * 1024, slot_min_size: 256 } });
  server = await startStorage({ trackers: [tracker.address], conf: { work_threads: 2 } });
  peer = await startStorage({ trackers: [tracker.address] });
  delete process.env.FDFS_TRUNK_COMPACT_MIN_BYTES;
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, [server, peer]);
  [server, peer] = await waitForTrunkWriting(client, [server, peer]);
});

afterAll(async () => {
  client?.close();
  await stopAll([server, peer, tracker]);
});

describe.runIf(os.availableParallelism() >= 2)('trunk binlog compaction', () => {
  it('compacts while uploads go on, loses none, and the peer gets the compacted file', async () => {
    // Uploads and deletes until the binlog has been compacted at least once (its size falls).
    let peak = 0;
    let compacted = false;
    for (let round = 0; round < 20 && !compacted; round++) {
      expect(await uploadMany(150, 8)).toBe(0);
      const victims = [...written.keys()].slice(0, 20);
      for (const id of victims) {
        await client.delete(id);
        written.delete(id);
      }
      const size = statSync(binlogOf(server)).size;
      peak = Math.max(peak, size);
      // The compactor looks every 10 s; wait for it while nothing is uploaded, then go on.
      compacted = await waitFor('a compaction', async () => statSync(binlogOf(server)).size < peak || null, 12_000, 250).then(() => true, () => false);
    }
    expect(compacted).toBe(true);
    const lines = readFileSync(binlogOf(server), 'latin1').trim().split('\n');
    expect(lines.every((l) => / A \d+ \d+ \d+ \d+ \d+ \d+$/.test(l) || / [AD] /.test(l))).toBe(true);
    expect(lines.length).toBeLessThan(written.size);
    for (const [id, sum] of written) expect(md5(await downloadAt(server.address, id))).toBe(sum);
    await waitFor('peer has the compacted binlog', async () => readFileSync(binlogOf(peer), 'latin1') === readFileSync(binlogOf(server), 'latin1'), 15_000, 200);
  });

  it('after kill -9 and a restart the replayed free space never overwrites a stored file', async () => {
    expect(await uploadMany(200, 8)).toBe(0);
    await server.proc.kill();
    await restartStorage(server);
    await waitAllActive(client, [server, peer]);
    // Usually the restarted storage is trunk server again; when its restart took longer than the failover, the
    // peer took the role and replays the same binlog. Either way no later slot may land on a stored file.
    await waitFor('a trunk server again', async () => (await client.listStorages('group1')).find((r) => r.ifTrunkServer)?.ipAddr, 20_000, 200);
    expect(await uploadMany(300, 8)).toBe(0);
    for (const [id, sum] of written) expect(md5(await downloadAt(server.address, id)), id).toBe(sum);
  });
});
