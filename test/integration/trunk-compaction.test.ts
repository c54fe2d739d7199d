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
import { downloadAt, fileInfoAt, missingAt, sendInPieces } from '../helpers/storage-direct.js';
import { forgeTrunkId, logicalOf, waitForTrunkWriting } from '../helpers/trunk-fixture.js';
import { Errno } from '../../src/errors.js';
import { StorageCmd } from '../../src/protocol/codes.js';
import { encodeSyncFileHead } from '../../src/protocol/sync.js';
import { trunkSlotOf } from '../../src/protocol/trunk-slot.js';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
let tracker: TrackerHandle;
let server: StorageHandle;
let peer: StorageHandle;
let client: FdfsClient;
const written = new Map<string, string>();
const binlogOf = (s: StorageHandle) => path.join(s.dir, 'data', 'trunk', 'binlog');

/** Upload `count` files over `lanes` connections at once; the errors of those that failed. */
async function uploadMany(count: number, lanes: number): Promise<string[]> {
  let started = 0;
  const failed: string[] = [];
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (started < count) {
      const i = started++;
      const data = randomBytes(300 + ((i * 131) % 3000));
      try {
        written.set(await client.upload(data, { ext: 'bin' }), md5(data));
      } catch (err) {
        failed.push((err as Error).message);
      }
    }
  }));
  return failed;
}

/** Every file written reaches both members (replication runs behind uploads) with its exact content. */
async function expectOnEveryMember(): Promise<void> {
  const ids = [...written.keys()];
  for (const s of [server, peer]) {
    let missing = ids;
    await waitFor(`${s.address} has every file`, async () => (missing = await missingAt(s.address, missing)).length === 0, 30_000, 500)
      .catch(() => undefined);
    expect(missing, `missing on ${s.address}`).toEqual([]);
    for (const [id, sum] of written) expect(md5(await downloadAt(s.address, id)), `${id} on ${s.address}`).toBe(sum);
  }
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
      expect(await uploadMany(150, 8)).toEqual([]);
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
    await expectOnEveryMember();
    await waitFor('peer has the compacted binlog', async () => readFileSync(binlogOf(peer), 'latin1') === readFileSync(binlogOf(server), 'latin1'), 15_000, 200);
  });

  it('after kill -9 and a restart the replayed free space never overwrites a stored file', async () => {
    expect(await uploadMany(200, 8)).toEqual([]);
    await server.proc.kill();
    await restartStorage(server);
    await waitAllActive(client, [server, peer]);
    // Usually the restarted storage is trunk server again; when its restart took longer than the failover, the
    // peer took the role and replays the same binlog. Either way no later slot may land on a stored file.
    await waitFor('a trunk server again', async () => (await client.listStorages('group1')).find((r) => r.ifTrunkServer)?.ipAddr, 20_000, 200);
    expect(await uploadMany(300, 8)).toEqual([]);
    // A slot handed out from a lagging binlog copy is skipped by the uploader (its header shows the file), so
    // every file reaches both members whole.
    await expectOnEveryMember();
  });

  it('the role moves to the other member while the trunk server is down: its lagging binlog copy overwrites no file', async () => {
    // Killed right after a burst, the trunk server has not pushed its last second of binlog to the other member,
    // which takes the role once 2 × check_active_interval has passed without a beat.
    const before = (await client.listStorages('group1')).find((r) => r.ifTrunkServer)!.ipAddr;
    const [down, up] = before === server.host ? [server, peer] : [peer, server];
    expect(await uploadMany(200, 8)).toEqual([]);
    await down.proc.kill();
    await waitFor('the role moved', async () => (await client.listStorages('group1')).find((r) => r.ifTrunkServer)?.ipAddr === up.host, 20_000, 200);
    await restartStorage(down);
    await waitAllActive(client, [server, peer]);
    expect(await uploadMany(300, 8)).toEqual([]);
    await expectOnEveryMember();
  });

  it('a replica for the slot of another file is refused (EEXIST) over the wire; the file there stays whole', async () => {
    // A member's 16 SYNC_CREATE_FILE naming file B's content at file A's slot: the copies disagree on that slot.
    const [idA, sumA] = [...written].find(([id]) => trunkSlotOf(logicalOf(id)).header.fileSize >= 1000)!;
    const dataB = randomBytes(500);
    const idB = await client.upload(dataB, { ext: 'bin' });
    const forged = logicalOf(forgeTrunkId(idB, trunkSlotOf(logicalOf(idA)).trunk));
    const packet = Buffer.concat([
      encodeSyncFileHead(StorageCmd.SyncCreateFile, { fileSize: dataB.length, timestamp: 9, group: 'group1', filename: forged }), dataB,
    ]);
    expect(await sendInPieces(server, peer.host, packet, 1, 0)).toBe(Errno.EEXIST);
    expect(md5(await downloadAt(server.address, idA))).toBe(sumA);
    expect(await fileInfoAt(server.address, `group1/${forged}`)).toBeNull();
    expect((await downloadAt(server.address, idB)).equals(dataB)).toBe(true);
  });
});
