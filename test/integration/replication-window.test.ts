// sync_start_time / sync_end_time with real processes: a storage outside its daily window keeps its changes
// (binlog and mark) and pushes nothing; its peer's pushes still arrive; inside the window it catches up.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { FdfsClient } from '../../src/client/index.js';
import { restartStorage, startStorage, startTracker, stopAll, waitAllActive, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { missingAt } from '../helpers/storage-direct.js';

let tracker: TrackerHandle;
let s1: StorageHandle;
let s2: StorageHandle;
let client: FdfsClient;

const hhmm = (d: Date) => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;

beforeAll(async () => {
  tracker = await startTracker({ conf: { check_active_interval: 2 } });
  // s2 first: a new member is bootstrapped by a peer, which must not be the one whose window is closed.
  s2 = await startStorage({ trackers: [tracker.address] });
  // A window that opens in two hours and lasts one: closed for the whole test.
  const now = Date.now();
  s1 = await startStorage({ trackers: [tracker.address], conf: {
    sync_start_time: hhmm(new Date(now + 2 * 3600_000)), sync_end_time: hhmm(new Date(now + 3 * 3600_000)),
  } });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, [s1, s2]);
});

afterAll(async () => {
  client?.close();
  await stopAll([s1, s2, tracker]);
});

describe('daily replication window', () => {
  it('pushes nothing outside the window, and everything once inside it', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await client.upload(Buffer.from(`window ${i}`), { ext: 'txt' }));
    const from = (s: StorageHandle) => ids.filter((id) => client.decodeFileId(id).source.ipv4 === s.host);
    expect(from(s1).length).toBeGreaterThan(0);
    expect(from(s2).length).toBeGreaterThan(0);
    // s2 has no window: its files reach s1.
    await waitFor('s2\'s files on s1', async () => (await missingAt(s1.address, from(s2))).length === 0, 15_000);
    await sleep(2000);
    expect(await missingAt(s2.address, from(s1))).toEqual(from(s1));
    expect(s1.proc.output).toMatch(/replication waits for its daily window/);
    // The whole day from now on: s1 catches up after a restart.
    await s1.proc.stop();
    writeFileSync(s1.confFile, readFileSync(s1.confFile, 'utf8')
      .replace(/^sync_start_time = .*$/m, 'sync_start_time = 00:00').replace(/^sync_end_time = .*$/m, 'sync_end_time = 23:59'));
    await restartStorage(s1);
    await waitFor('s1\'s files on s2', async () => (await missingAt(s2.address, from(s1))).length === 0, 20_000);
  });
});
