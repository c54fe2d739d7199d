// Tracker answers that must match a stock 6.16.1 tracker byte for byte in the cases found by
// running the stock tools against fdfs (trunk filters, 75 parameters, deleted storage records).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { FdfsClient } from '../../src/client/index.js';
import { Connection } from '../../src/net/connection.js';
import { encodeHeader } from '../../src/protocol/header.js';
import { TrackerCmd, StorageStatus } from '../../src/protocol/codes.js';
import { decodeStorageClusterStatResponse, decodeVolumeStatResponse } from '../../src/protocol/tracker-cluster-stat.js';
import { decodeParameterResponse, encodeParameterRequest } from '../../src/protocol/join.js';
import { startTracker, startStorage, stopAll, waitFor, type TrackerHandle, type StorageHandle } from '../helpers/cluster.js';

let tracker: TrackerHandle;
let storage: StorageHandle;
let client: FdfsClient;

beforeAll(async () => {
  // The stock sample tracker.conf says id_type_in_filename = id while use_storage_id = false.
  tracker = await startTracker({ conf: { id_type_in_filename: 'id', use_storage_id: false } });
  storage = await startStorage({ trackers: [tracker.address] });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitFor('ACTIVE', async () => (await client.listStorages('group1'))[0]?.status === StorageStatus.Active);
});

afterAll(async () => {
  client?.close();
  await stopAll([storage, tracker]);
});

async function call(cmd: number, body: Buffer): Promise<Buffer> {
  const c = await Connection.connect(tracker.host, tracker.port);
  try {
    return await c.call(Buffer.concat([encodeHeader(body.length, cmd), body]));
  } finally {
    c.destroy();
  }
}

describe('stock-identical tracker answers', () => {
  it('ignores the trunk-server filter of 97 and the trunk filter of 98 when trunk files are off', async () => {
    const s = decodeStorageClusterStatResponse(await call(TrackerCmd.ServerStorageClusterStat, Buffer.from([1, 0, 0, 1])));
    expect(s.storages.map((x) => x.id)).toEqual([storage.host]);
    const v = decodeVolumeStatResponse(await call(TrackerCmd.ServerStorageVolumnStat, Buffer.from([2, 0, 1, 0])));
    expect(v.groups.map((g) => g.groupName)).toEqual(['group1']);
  });

  it('answers id_type_in_filename=ip in 75 unless storage ids are used', async () => {
    const c = await Connection.connect(tracker.host, tracker.port);
    const params = decodeParameterResponse(await c.call(encodeParameterRequest()));
    c.destroy();
    expect(params.id_type_in_filename).toBe('ip');
    expect(params.use_storage_id).toBe('0');
  });

  it('reports a deleted storage with zeroed space and settings in 92', async () => {
    await storage.proc.stop();
    await waitFor('OFFLINE', async () => (await client.listStorages('group1'))[0]?.status === StorageStatus.Offline);
    await client.deleteStorage('group1', storage.host);
    const [rec] = await client.listStorages('group1');
    expect(rec).toMatchObject({ status: StorageStatus.Deleted, totalMb: 0, freeMb: 0, reservedMb: 0, uploadPriority: 0, storePathCount: 0, subdirCountPerPath: 0 });
    expect(rec!.stats.lastHeartBeatTime).toBe(0);
  });
});
