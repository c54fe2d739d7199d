// HTTP as users set it up (issue 11 items 7 and 19): storages on their own http.server_port tell an fdfs
// tracker that port, so the tracker's HTTP entry redirects there (tracker.conf's http.storage_server_port
// stays for stock storages); HTTP downloads show in the storage's download counters (monitor, storages).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { startTracker, startStorage, stopAll, waitFor, type TrackerHandle, type StorageHandle } from '../helpers/cluster.js';
import { curl } from '../helpers/http.js';
import { runCli } from '../helpers/proc.js';

const TRACKER_HTTP = 8080;
// Neither is the tracker's default for storages (8888).
const HTTP_A = 8890;
const HTTP_B = 8891;
let tracker: TrackerHandle;
let a: StorageHandle;
let b: StorageHandle;
let client: FdfsClient;
const DATA = randomBytes(70_000);

beforeAll(async () => {
  tracker = await startTracker({ conf: { 'http.server_port': TRACKER_HTTP } });
  a = await startStorage({ trackers: [tracker.address], group: 'group1', conf: { 'http.server_port': HTTP_A } });
  // Worker processes: the HTTP gateway runs in the owner, which also merges the workers' counters.
  b = await startStorage({ trackers: [tracker.address], group: 'group2', conf: { 'http.server_port': HTTP_B, work_threads: 2 } });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitFor('both ACTIVE', async () =>
    (await client.listStorages('group1'))[0]?.status === StorageStatus.Active &&
    (await client.listStorages('group2'))[0]?.status === StorageStatus.Active);
});

afterAll(async () => {
  client?.close();
  await stopAll([a, b, tracker]);
});

describe('the tracker HTTP entry', () => {
  it('redirects to the HTTP port each storage reported, and curl -L gets the file', async () => {
    for (const [group, s, port] of [['group1', a, HTTP_A], ['group2', b, HTTP_B]] as const) {
      const id = await client.upload(DATA, { ext: 'bin', group });
      const entry = `http://${tracker.host}:${TRACKER_HTTP}/${id}`;
      const r = await fetch(entry, { redirect: 'manual' });
      expect(r.status).toBe(302);
      expect(r.headers.get('location')).toBe(`http://${s.host}:${port}/${id}`);
      // B's download counters are counted exactly below: only A is fetched here.
      if (s !== a) continue;
      const got = await curl(['-sf', '-L', entry]);
      expect(got.code).toBe(0);
      expect(got.stdout.equals(DATA)).toBe(true);
    }
  });
});

describe('HTTP downloads in the storage counters', () => {
  it('N GETs show as N successful downloads and their bytes in storages and monitor', async () => {
    // B served no HTTP download before this test.
    const before = (await client.listStorages('group2'))[0]!.stats;
    expect(before.totalDownloadCount).toBe(0);
    const id = await client.upload(DATA, { ext: 'bin', group: 'group2' });
    const N = 5;
    for (let i = 0; i < N; i++) {
      const r = await fetch(`http://${b.host}:${HTTP_B}/${id}`);
      expect(Buffer.from(await r.arrayBuffer()).equals(DATA)).toBe(true);
    }
    const stats = await waitFor('counters reported', async () => {
      const s = (await client.listStorages('group2'))[0]!.stats;
      return s.successDownloadCount - before.successDownloadCount >= N ? s : null;
    }, 10_000);
    expect(stats.successDownloadCount - before.successDownloadCount).toBe(N);
    expect(stats.totalDownloadCount - before.totalDownloadCount).toBe(N);
    expect(stats.successDownloadBytes - before.successDownloadBytes).toBe(N * DATA.length);
    const mon = await runCli(['monitor', '-t', tracker.address, '--json']);
    const json = JSON.parse(mon.stdout) as { storages: Array<{ group: string; downloads: { success: number; bytes: number } }> };
    const row = json.storages.find((s) => s.group === 'group2')!;
    expect(row.downloads.success).toBe(stats.successDownloadCount);
    expect(row.downloads.bytes).toBe(stats.successDownloadBytes);
  });
});
