// Stock and fdfs storages sharing one trunk group under an fdfs tracker (use_trunk_file = true), in both roles:
// a stock trunk server hands out space to an fdfs member (27/28) and sends it its trunk binlog (30/33); when it
// stops, the fdfs member becomes trunk server and continues from that binlog; the stock storage back as a member
// gets its space from the fdfs trunk server. Every trunk file reads on both.
// Needs FDFS_STOCK_STORAGED (default /usr/bin/fdfs_storaged); skipped without it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { decodeFileName } from '../../src/protocol/file-id.js';
import { allocHost, startStorage, startTracker, stopAll, tempDir, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { downloadAt, uploadAt } from '../helpers/storage-direct.js';
import { logicalOf } from '../helpers/trunk-fixture.js';

const STORAGED = process.env.FDFS_STOCK_STORAGED ?? '/usr/bin/fdfs_storaged';
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const trunkOf = (id: string) => decodeFileName(logicalOf(id)).trunk;

let tracker: TrackerHandle;
let ours: StorageHandle | undefined;
let client: FdfsClient;
let stockHost = '';
let stockDir = '';
let stockConf = '';
let confDir = '';
const files = new Map<string, Buffer>();

function stock(op: 'start' | 'stop'): void {
  execFileSync(STORAGED, [stockConf, op], { stdio: 'ignore' });
}

/** UPLOAD_FILE at `host`'s storage port, the file remembered for the checks below. */
async function uploadRemembered(host: string, data: Buffer): Promise<string> {
  const id = await uploadAt(`${host}:23000`, data);
  files.set(id, data);
  return id;
}

/** An upload that lands in a trunk slot; a storage that has not heard of the trunk server yet stores plain files. */
async function trunkUploadAt(host: string, size: number): Promise<string> {
  return waitFor('a trunk upload', async () => {
    const id = await uploadRemembered(host, randomBytes(size));
    return trunkOf(id) ? id : null;
  }, 15_000, 200);
}

async function trunkServer(): Promise<string | undefined> {
  return (await client.listStorages('group1')).find((r) => r.ifTrunkServer && r.status === StorageStatus.Active)?.ipAddr;
}

async function everywhere(ids: string[], hosts: string[]): Promise<void> {
  await waitFor('files on every storage', async () => {
    for (const h of hosts) for (const id of ids) if (md5(await downloadAt(`${h}:23000`, id)) !== md5(files.get(id)!)) return false;
    return true;
  }, 20_000, 200);
}

describe.skipIf(!existsSync(STORAGED))('stock and fdfs storages in one trunk group', () => {
  beforeAll(async () => {
    tracker = await startTracker({ conf: { use_trunk_file: true, trunk_file_size: '4MB', check_active_interval: 2 } });
    client = new FdfsClient({ trackers: [tracker.address] });
    stockHost = allocHost();
    stockDir = tempDir('fdfs-stock-trunk-');
    confDir = tempDir('fdfs-stock-conf-');
    stockConf = path.join(confDir, 'storage.conf');
    writeFileSync(stockConf, ['group_name = group1', `bind_addr = ${stockHost}`, 'client_bind = true', 'port = 23000', 'heart_beat_interval = 1',
      'stat_report_interval = 1', `base_path = ${stockDir}`, 'store_path_count = 1', `store_path0 = ${stockDir}`, 'subdir_count_per_path = 4',
      `tracker_server = ${tracker.address}`, 'allow_hosts = *', 'sync_binlog_buff_interval = 1', 'thread_stack_size = 512KB'].join('\n') + '\n');
    // Stock first: the only member, so the leader makes it the trunk server.
    stock('start');
    await waitFor('stock is trunk server', async () => (await trunkServer()) === stockHost, 20_000, 200);
    ours = await startStorage({ trackers: [tracker.address] });
    await waitFor('ours ACTIVE', async () => (await client.listStorages('group1')).filter((r) => r.status === StorageStatus.Active).length === 2, 20_000, 200);
  }, 60_000);

  afterAll(async () => {
    client?.close();
    try {
      stock('stop');
    } catch {
      // not running
    }
    rmSync(stockDir, { recursive: true, force: true });
    rmSync(confDir, { recursive: true, force: true });
    await stopAll([ours, tracker]);
  });

  it('a stock trunk server gives an fdfs member trunk space, and sends it its trunk binlog', async () => {
    const ids = [await trunkUploadAt(ours!.host, 1500), await trunkUploadAt(stockHost, 700), await trunkUploadAt(ours!.host, 90)];
    await everywhere(ids, [ours!.host, stockHost]);
    await waitFor('trunk binlog copy', async () => readFileSync(path.join(ours!.dir, 'data', 'trunk', 'binlog'), 'utf8')
      === readFileSync(path.join(stockDir, 'data', 'trunk', 'binlog'), 'utf8'), 15_000, 200);
  });

  it('when the stock trunk server stops, the fdfs member takes over from its binlog; stock back as a member gets space from it', async () => {
    const last = [...files.keys()].map(trunkOf).filter((t) => t).reduce((a, b) => (b!.offset > a!.offset ? b : a))!;
    stock('stop');
    await waitFor('fdfs is trunk server', async () => (await trunkServer()) === ours!.host, 20_000, 200);
    const next = await trunkUploadAt(ours!.host, 300);
    // The free space continued from the stock trunk server's: the tail after its last slot.
    expect(trunkOf(next)).toMatchObject({ fileId: last.fileId, offset: last.offset + last.size });
    stock('start');
    await waitFor('stock ACTIVE again', async () => (await client.listStorages('group1')).filter((r) => r.status === StorageStatus.Active).length === 2, 20_000, 200);
    expect(await trunkServer()).toBe(ours!.host);
    const fromStock = await trunkUploadAt(stockHost, 444);
    expect(trunkOf(fromStock)!.offset).toBeGreaterThan(trunkOf(next)!.offset);
    await everywhere([...files.keys()].filter((id) => trunkOf(id)), [ours!.host, stockHost]);
  });
});
