// Trackers and storage workers warm up on a scratch copy of themselves before they take their port
// (tracker/warm-up.ts, storage/workers/warm-up.ts): the warm-ups really ran (debug lines), and nothing of them is
// left or counted — no scratch folder, no binlog record, no member in the tracker's model, no upload in the
// statistics, no request on /metrics — while both serve as before.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { storageWorkerCount } from '../../src/storage/workers/worker-count.js';
import { memoryScratchRoot } from '../../src/net/scratch-folder.js';
import { DEFAULT_WARM_UP, warmUpPlan } from '../../src/storage/workers/warm-up.js';
import { senderWarmUpPlan } from '../../src/storage/sync/warm-up.js';
import { trackerWarmUpPlan } from '../../src/tracker/warm-up.js';
import { UsageError } from '../../src/errors.js';
import { isTrunkName } from '../../src/protocol/trunk-slot.js';
import { runCli } from '../helpers/proc.js';
import { allocHost, startStorage, startTracker, stopAll, waitAllActive, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';

const SMALL = 300;
const HTTP_PORT = 18893;
const TRACKER_HTTP_PORT = 18083;
let tracker: TrackerHandle;
let storage: StorageHandle;
let client: FdfsClient;

interface WarmedUp {
  worker?: number;
  uploads: number;
  downloads: number;
  queries: number;
  pushed?: number;
  trunkUploads?: number;
  folder: string;
}

/** The 'warmed up' records the storage logged (JSON lines, debug level). */
function warmUps(output: string): WarmedUp[] {
  return output.split('\n').filter((l) => l.includes('"warmed up"')).map((l) => JSON.parse(l));
}

function binlogLines(dir: string): string[] {
  const sync = path.join(dir, 'data', 'sync');
  return readdirSync(sync).filter((f) => /^binlog\.\d+$/.test(f))
    .flatMap((f) => readFileSync(path.join(sync, f), 'utf8').split('\n').filter(Boolean));
}

beforeAll(async () => {
  tracker = await startTracker({
    conf: { 'http.server_port': TRACKER_HTTP_PORT, 'http.storage_server_port': HTTP_PORT },
    env: { FDFS_WARM_UP: String(SMALL), FDFS_LOG_LEVEL: 'debug' },
  });
  storage = await startStorage({
    trackers: [tracker.address], host: allocHost(),
    conf: { work_threads: 2, 'http.server_port': HTTP_PORT },
    env: { FDFS_WARM_UP: String(SMALL), FDFS_LOG_LEVEL: 'debug' },
  });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, [storage]);
});

afterAll(async () => {
  client?.close();
  await stopAll([storage, tracker]);
});

describe('warm-up', () => {
  it('FDFS_WARM_UP picks the plan: unset the default, 0 none, N small uploads; anything else is refused', () => {
    expect(warmUpPlan({})).toEqual(DEFAULT_WARM_UP);
    expect(warmUpPlan({ FDFS_WARM_UP: '0' })).toBeNull();
    expect(warmUpPlan({ FDFS_WARM_UP: '250' })).toMatchObject({ small: 250, large: 17 });
    expect(trackerWarmUpPlan({ FDFS_WARM_UP: '250' })).toMatchObject({ queries: 250 });
    for (const bad of ['no', '-1', '2.5']) {
      expect(() => warmUpPlan({ FDFS_WARM_UP: bad })).toThrow(UsageError);
      expect(() => trackerWarmUpPlan({ FDFS_WARM_UP: bad })).toThrow(UsageError);
    }
  });

  it('fdfs serve with a bad FDFS_WARM_UP stops at once with a plain message and exit 2', async () => {
    const r = await runCli(['serve', '--role', 'tracker'], { env: { FDFS_WARM_UP: 'soon' }, timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('FDFS_WARM_UP must be 0 (no warm-up) or a whole number of requests, not "soon"');
  });

  it('each worker uploads, downloads and takes replicas through its scratch copy before it serves, and removes it', () => {
    const workers = storageWorkerCount({ workThreads: 2 } as never);
    const done = warmUps(storage.proc.output).filter((w) => w.worker !== undefined);
    if (workers < 2) {
      // One core: the storage serves in one process, without workers and without a warm-up.
      expect(done).toEqual([]);
      return;
    }
    expect(done).toHaveLength(workers);
    const { large, replicas, trunk } = warmUpPlan({ FDFS_WARM_UP: String(SMALL) })!;
    expect(replicas).toBeGreaterThan(0);
    expect(trunk).toBe(SMALL * 2 / 3);
    for (const w of done) {
      // The trunk phase's uploads all landed in trunk slots (60-character names), though this group has none.
      expect(w).toMatchObject({ uploads: SMALL + large, downloads: SMALL + large, replicas, trunkUploads: trunk });
      expect(existsSync(w.folder)).toBe(false);
      // Its thousands of created and deleted files stay off the store's filesystem when memory can take them.
      if (memoryScratchRoot() !== null) expect(path.dirname(w.folder)).toBe('/dev/shm');
    }
    expect(readdirSync(path.join(storage.dir, 'data')).filter((f) => f.startsWith('.warm-up'))).toEqual([]);
    // Its trunk slots and trunk binlog stayed in the scratch folder.
    expect(existsSync(path.join(storage.dir, 'data', 'trunk'))).toBe(false);
  });

  it('with workers, the owner pushes replicas through a scratch sync sender to a scratch receiver, and removes both', () => {
    const owner = warmUps(storage.proc.output).filter((w) => w.pushed !== undefined);
    if (storageWorkerCount({ workThreads: 2 } as never) < 2) {
      expect(owner).toEqual([]);
      return;
    }
    const plan = senderWarmUpPlan({ FDFS_WARM_UP: String(SMALL) })!;
    expect(plan.records).toBe(SMALL / 3);
    expect(owner).toHaveLength(1);
    // Every other record is the storage's own file (pushed); the rest are replicas, which a sender passes over.
    expect(owner[0]!.pushed).toBe(Math.ceil(plan.records / 2));
    expect(existsSync(owner[0]!.folder)).toBe(false);
    expect(senderWarmUpPlan({ FDFS_WARM_UP: '0' })).toBeNull();
  });

  it('the tracker asks its scratch copy store and fetch queries, and removes it', () => {
    const done = warmUps(tracker.proc.output);
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ queries: SMALL });
    expect(existsSync(done[0]!.folder)).toBe(false);
  });

  it('leaves no binlog record, no upload in the statistics and no request on /metrics', async () => {
    expect(binlogLines(storage.dir)).toEqual([]);
    const before = (await client.listStorages('group1'))[0]!.stats;
    expect(before.totalUploadCount).toBe(0);
    expect(before.totalDownloadCount).toBe(0);

    const body = randomBytes(5000);
    const id = await client.upload(body, { ext: 'txt' });
    expect((await client.downloadToBuffer(id)).equals(body)).toBe(true);
    const lines = binlogLines(storage.dir);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(` C ${id.slice(id.indexOf('/') + 1)}`);
    // The group has no trunk files: the warm-up's trunk view is gone once the owner's came.
    expect(isTrunkName(id.slice(id.indexOf('/') + 1))).toBe(false);

    await waitFor('the upload counted at the tracker', async () => (await client.listStorages('group1'))[0]!.stats.totalUploadCount === 1);
    const text = await waitFor('one upload on /metrics', async () => {
      const t = await (await fetch(`http://${storage.host}:${HTTP_PORT}/metrics`)).text();
      return /fdfs_requests_total\{role="storage",command="upload_file",status="0"\} 1\n/.test(t) ? t : null;
    }, 5000);
    expect(text).toMatch(/fdfs_requests_total\{role="storage",command="download_file",status="0"\} 1\n/);
  });

  it('leaves the tracker\'s model and counters as its real storages and clients made them', async () => {
    const groups = await client.listGroups();
    expect(groups.map((g) => g.groupName)).toEqual(['group1']);
    expect((await client.listStorages('group1')).map((s) => s.ipAddr)).toEqual([storage.host]);
    const metrics = await (await fetch(`http://${tracker.host}:${TRACKER_HTTP_PORT}/metrics`)).text();
    const queries = [...metrics.matchAll(/^fdfs_requests_total\{role="tracker",command="query_[a-z_]*",status="0"\} (\d+)$/gm)]
      .reduce((n, m) => n + Number(m[1]), 0);
    // This file's upload and download asked once each (a client may retry once); the warm-up asked 2 × 300.
    expect(queries).toBeGreaterThanOrEqual(2);
    expect(queries).toBeLessThan(10);
  });
});
