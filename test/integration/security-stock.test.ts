// Issue 14 item 2 in a mixed cluster: with cluster_secret_file set, a stock fdfs_storaged listed in
// cluster_legacy_hosts joins our tracker and replicates both ways with our storage, which proves the secret.
// Needs the C `fdfs_storaged` (FDFS_STOCK_STORAGED or /usr/bin/fdfs_storaged); skipped without it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { newSecret } from '../../src/security/keys.js';
import { allocHost, startStorage, startTracker, stopAll, tempDir, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { downloadAt, missingAt } from '../helpers/storage-direct.js';

const STORAGED = process.env.FDFS_STOCK_STORAGED ?? '/usr/bin/fdfs_storaged';
const present = existsSync(STORAGED);
const dir = tempDir('fdfs-sec-stock-');
let tracker: TrackerHandle;
let ours: StorageHandle | undefined;
let client: FdfsClient;
let stockConf = '';
const stockHost = allocHost();

function startStock(): void {
  const base = path.join(dir, 'stock');
  execFileSync('mkdir', ['-p', base]);
  stockConf = path.join(dir, 'stock-storage.conf');
  writeFileSync(stockConf, [
    'group_name = group1', `bind_addr = ${stockHost}`, 'client_bind = true', 'port = 23000', 'connect_timeout = 5',
    'network_timeout = 30', 'heart_beat_interval = 1', 'stat_report_interval = 1', `base_path = ${base}`, 'work_threads = 2', 'thread_stack_size = 512KB',
    'sync_wait_msec = 50', 'store_path_count = 1', `store_path0 = ${base}`, 'subdir_count_per_path = 4',
    `tracker_server = ${tracker.address}`, 'log_level = info', 'allow_hosts = *', 'sync_binlog_buff_interval = 1',
  ].join('\n') + '\n');
  execFileSync(STORAGED, [stockConf, 'start']);
}

describe.skipIf(!present)(`cluster secret with a stock storage${present ? '' : ` (skipped: ${STORAGED} missing)`}`, () => {
  beforeAll(async () => {
    const secretFile = path.join(dir, 'cluster.secret');
    writeFileSync(secretFile, `${newSecret()}\n`);
    const conf = { cluster_secret_file: secretFile, cluster_legacy_hosts: stockHost };
    tracker = await startTracker({ conf });
    client = new FdfsClient({ trackers: [tracker.address] });
    startStock();
    ours = await startStorage({ trackers: [tracker.address], conf });
    await waitFor('both ACTIVE', async () => {
      const list = await client.listStorages('group1');
      return list.length === 2 && list.every((s) => s.status === StorageStatus.Active);
    }, 40_000, 200);
  }, 60_000);

  afterAll(async () => {
    client?.close();
    if (stockConf) {
      try {
        execFileSync(STORAGED, [stockConf, 'stop'], { stdio: 'ignore' });
      } catch {
        // not running
      }
    }
    await stopAll([ours, tracker]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the listed stock storage joins, and files replicate both ways', async () => {
    const files = new Map<string, Buffer>();
    for (let i = 0; i < 8; i++) {
      const data = randomBytes(500 + i);
      files.set(await client.upload(data), data);
    }
    const sources = new Set([...files.keys()].map((id) => JSON.stringify(client.decodeFileId(id).source)));
    expect(sources.size).toBe(2);
    const both = [ours!.address, `${stockHost}:23000`];
    await waitFor('every file on both', async () => {
      for (const a of both) if ((await missingAt(a, [...files.keys()])).length) return false;
      return true;
    }, 30_000, 250);
    for (const [id, data] of files) for (const a of both) expect((await downloadAt(a, id)).equals(data)).toBe(true);
  });
});
