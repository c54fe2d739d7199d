// Storage liveness as the tracker sees it: a killed storage turns OFFLINE, a frozen one after
// check_active_interval, and both come back ACTIVE when they return.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { startTracker, startStorage, restartStorage, stopAll, waitFor, type TrackerHandle, type StorageHandle } from '../helpers/cluster.js';

let tracker: TrackerHandle;
let storage: StorageHandle;
let client: FdfsClient;

async function statusOf(): Promise<number | undefined> {
  const list = await client.listStorages('group1');
  return list.find((s) => s.ipAddr === storage.host)?.status;
}

beforeAll(async () => {
  tracker = await startTracker({ conf: { check_active_interval: 2 } });
  storage = await startStorage({ trackers: [tracker.address] });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitFor('ACTIVE', async () => (await statusOf()) === StorageStatus.Active);
});

afterAll(async () => {
  client?.close();
  if (storage?.proc.child?.pid && storage.proc.running) process.kill(storage.proc.child.pid, 'SIGCONT');
  await stopAll([storage, tracker]);
});

describe('liveness', () => {
  it('shows a storage killed with -9 as OFFLINE, and ACTIVE again after restart with its files', async () => {
    const id = await client.upload(Buffer.from('survives'), { ext: 'txt' });
    await storage.proc.kill();
    await waitFor('OFFLINE after kill -9', async () => (await statusOf()) === StorageStatus.Offline, 10_000);
    // The group is known but its only storage is away: "no storage available right now", not ENOENT (issue 11 item 3).
    await expect(client.upload(Buffer.from('x'))).rejects.toMatchObject({ code: 'FDFS_ERR_UNAVAILABLE', group: 'group1' });
    await restartStorage(storage);
    await waitFor('ACTIVE after restart', async () => (await statusOf()) === StorageStatus.Active, 15_000);
    expect((await client.downloadToBuffer(id)).toString()).toBe('survives');
  });

  it('marks a frozen storage (no heartbeats, socket open) OFFLINE after check_active_interval', async () => {
    const pid = storage.proc.child!.pid!;
    process.kill(pid, 'SIGSTOP');
    const t0 = Date.now();
    try {
      await waitFor('OFFLINE after freeze', async () => (await statusOf()) === StorageStatus.Offline, 15_000, 200);
      // Between 1× and 2× check_active_interval (2 s) after the last beat, plus one beat interval.
      expect(Date.now() - t0).toBeLessThan(8000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor('ACTIVE after resume', async () => (await statusOf()) === StorageStatus.Active, 15_000);
  });
});
