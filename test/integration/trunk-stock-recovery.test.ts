// Disk recovery from a stock peer with trunk files (§9.8): stock answers 26 with the trunk IDs of its binlog; the
// fdfs storage whose disk was replaced writes each into its slot (same trunk file and offset) and serves them.
// Needs FDFS_STOCK_STORAGED (default /usr/bin/fdfs_storaged); skipped without it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { decodeFileName } from '../../src/protocol/file-id.js';
import {
  allocHost, restartStorage, startStorage, startTracker, stopAll, storageStatus, tempDir, waitFor, type StorageHandle, type TrackerHandle,
} from '../helpers/cluster.js';
import { downloadAt } from '../helpers/storage-direct.js';
import { logicalOf } from '../helpers/trunk-fixture.js';

const STORAGED = process.env.FDFS_STOCK_STORAGED ?? '/usr/bin/fdfs_storaged';
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
let tracker: TrackerHandle;
let ours: StorageHandle | undefined;
let client: FdfsClient;
let stockHost = '';
let stockDir = '';
let confDir = '';
const disk = tempDir('fdfs-trunk-disk-');

function stock(op: 'start' | 'stop'): void {
  execFileSync(STORAGED, [path.join(confDir, 'storage.conf'), op], { stdio: 'ignore' });
}

describe.skipIf(!existsSync(STORAGED))('disk recovery of trunk files from a stock peer', () => {
  beforeAll(async () => {
    tracker = await startTracker({ conf: { use_trunk_file: true, trunk_file_size: '4MB', check_active_interval: 2 } });
    client = new FdfsClient({ trackers: [tracker.address] });
    stockHost = allocHost();
    stockDir = tempDir('fdfs-stock-trunk-');
    confDir = tempDir('fdfs-stock-conf-');
    writeFileSync(path.join(confDir, 'storage.conf'), ['group_name = group1', `bind_addr = ${stockHost}`, 'client_bind = true', 'port = 23000',
      'heart_beat_interval = 1', 'stat_report_interval = 1', `base_path = ${stockDir}`, 'store_path_count = 1', `store_path0 = ${stockDir}`,
      'subdir_count_per_path = 4', `tracker_server = ${tracker.address}`, 'allow_hosts = *', 'sync_binlog_buff_interval = 1',
      'thread_stack_size = 512KB'].join('\n') + '\n');
    stock('start');
    await waitFor('stock is trunk server', async () => (await client.listStorages('group1')).some((r) => r.ifTrunkServer && r.status === StorageStatus.Active), 20_000, 200);
    ours = await startStorage({ trackers: [tracker.address], conf: { store_path0: disk } });
    await waitFor('both ACTIVE', async () => (await client.listStorages('group1')).filter((r) => r.status === StorageStatus.Active).length === 2, 20_000, 200);
  }, 60_000);

  afterAll(async () => {
    client?.close();
    try {
      stock('stop');
    } catch {
      // not running
    }
    await stopAll([ours, tracker]);
    for (const d of [stockDir, confDir, disk]) rmSync(d, { recursive: true, force: true });
  });

  it('writes every trunk ID the stock peer lists into its slot and serves it', async () => {
    const sums = new Map<string, string>();
    for (let i = 0; i < 12; i++) {
      const data = randomBytes(100 + i * 211);
      const id = await client.upload(data, { ext: 'bin' });
      sums.set(id, md5(data));
    }
    expect([...sums.keys()].filter((id) => decodeFileName(logicalOf(id)).kind === 'trunk').length).toBeGreaterThan(6);
    await waitFor('every file on ours', async () => {
      for (const [id, sum] of sums) if (md5(await downloadAt(ours!.address, id)) !== sum) return false;
      return true;
    }, 20_000, 200);
    await ours!.proc.stop();
    rmSync(disk, { recursive: true, force: true });
    await restartStorage(ours!);
    await waitFor('ours ACTIVE again', async () => (await storageStatus(client, ours!.host)) === StorageStatus.Active, 30_000, 200);
    expect(ours!.proc.output).toMatch(/store path recovered/);
    for (const [id, sum] of sums) expect(md5(await downloadAt(ours!.address, id)), id).toBe(sum);
  });
});
