// A new group looks healthy within seconds (issue 11 item 6), with the stock default intervals
// (heart_beat_interval 30, stat_report_interval 60): a second storage of an empty group has nothing to sync and
// goes ACTIVE at once; one that did get a bootstrap is ACTIVE when it ends, not OFFLINE until its next beat.
import { describe, it, expect, afterEach } from 'vitest';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import {
  startTracker, startStorage, stopAll, storageStatus, waitAllActive, waitFor, type StorageHandle, type TrackerHandle,
} from '../helpers/cluster.js';

const STOCK_INTERVALS = { heart_beat_interval: 30, stat_report_interval: 60 };
// The tracker at its stock check interval too: with the helpers' 2 s it would call a member beating every 30 s
// OFFLINE 3 s after its last beat, and the test would only pass when the second start came that fast.
const STOCK_TRACKER = { conf: { check_active_interval: 100 } };
// A bound for "within seconds", far below the 30 s heartbeat the old behaviour waited for.
const PROMPTLY_MS = 8_000;

let handles: Array<StorageHandle | TrackerHandle> = [];
let client: FdfsClient | undefined;

afterEach(async () => {
  client?.close();
  await stopAll(handles);
  handles = [];
});

describe('a fresh two-storage group', () => {
  it('both storages are ACTIVE within seconds (nothing to sync: no WAIT_SYNC)', async () => {
    const tracker = await startTracker(STOCK_TRACKER);
    handles.push(tracker);
    client = new FdfsClient({ trackers: [tracker.address] });
    const s1 = await startStorage({ trackers: [tracker.address], conf: STOCK_INTERVALS });
    handles.push(s1);
    await waitAllActive(client, [s1], PROMPTLY_MS);
    const s2 = await startStorage({ trackers: [tracker.address], conf: STOCK_INTERVALS });
    handles.push(s2);
    await waitAllActive(client, [s1, s2], PROMPTLY_MS);
    // And the group works as one: a file uploaded now is readable.
    const id = await client.upload(Buffer.from('fresh'), { ext: 'txt' });
    expect((await client.downloadToBuffer(id)).toString()).toBe('fresh');
  });

  it('a member that was bootstrapped is ACTIVE when its bootstrap ends, not OFFLINE until its next beat', async () => {
    const tracker = await startTracker(STOCK_TRACKER);
    handles.push(tracker);
    client = new FdfsClient({ trackers: [tracker.address] });
    // The source beats every second (it learns of the new member at once); the new member at the stock pace.
    const s1 = await startStorage({ trackers: [tracker.address] });
    handles.push(s1);
    await waitAllActive(client, [s1], PROMPTLY_MS);
    const id = await client.upload(Buffer.from('old file'), { ext: 'txt' });
    await waitFor('s1 reported its upload', async () => (await client!.listStorages('group1'))[0]!.stats.lastSourceUpdate > 0, PROMPTLY_MS);
    const s2 = await startStorage({ trackers: [tracker.address], conf: STOCK_INTERVALS });
    handles.push(s2);
    await waitFor('s2 given a sync source', async () => (await storageStatus(client!, s2.host)) !== undefined, PROMPTLY_MS);
    await waitAllActive(client, [s1, s2], PROMPTLY_MS);
    expect(await storageStatus(client, s2.host)).toBe(StorageStatus.Active);
    expect((await client.listStorages('group1')).find((s) => s.ipAddr === s2.host)!.srcId).toBe(s1.host);
    expect((await client.downloadToBuffer(id)).toString()).toBe('old file');
  });
});
