// Replication with stock FastDFS storages (tier C, §1.4): a stock fdfs_storaged bootstraps our new storage,
// ours bootstraps a new stock one, and uploads, metadata, deletes, appender changes and links replicate.
// Needs the C `fdfs_storaged` (FDFS_STOCK_STORAGED or /usr/bin/fdfs_storaged); skipped without it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { allocHost, startStorage, startTracker, stopAll, tempDir, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { downloadAt, metadataAt, missingAt } from '../helpers/storage-direct.js';

const STORAGED = process.env.FDFS_STOCK_STORAGED ?? '/usr/bin/fdfs_storaged';
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

interface Stock { host: string; address: string; dir: string; conf: string }

function startStock(host: string, tracker: string): Stock {
  const dir = tempDir('fdfs-stock-');
  const conf = path.join(dir, 'storage.conf');
  writeFileSync(conf, [
    'group_name = group1', `bind_addr = ${host}`, 'client_bind = true', 'port = 23000', 'connect_timeout = 5',
    'network_timeout = 30', 'heart_beat_interval = 1', 'stat_report_interval = 1', `base_path = ${dir}`, 'work_threads = 2',
    'thread_stack_size = 512KB', 'sync_wait_msec = 50', 'store_path_count = 1', `store_path0 = ${dir}`, 'subdir_count_per_path = 4',
    `tracker_server = ${tracker}`, 'log_level = info', 'allow_hosts = *', 'sync_binlog_buff_interval = 1', 'compress_binlog = false',
  ].join('\n') + '\n');
  execFileSync(STORAGED, [conf, 'start']);
  return { host, address: `${host}:23000`, dir, conf };
}

function stopStock(s: Stock | undefined): void {
  if (!s) return;
  try {
    execFileSync(STORAGED, [s.conf, 'stop'], { stdio: 'ignore' });
  } catch {
    // not running
  }
  rmSync(s.dir, { recursive: true, force: true });
}

let tracker: TrackerHandle;
let client: FdfsClient;
// Addresses in id order: ours A < stock C < stock D, so the tracker picks A as D's bootstrap source.
let hostA = '';
let hostC = '';
let hostD = '';
let ours: StorageHandle | undefined;
let stockC: Stock | undefined;
let stockD: Stock | undefined;
const sums = new Map<string, string>();

async function statusOf(host: string): Promise<number | undefined> {
  return (await client.listStorages('group1')).find((r) => r.ipAddr === host)?.status;
}

async function everywhere(ids: string[], addresses: string[], what: string): Promise<void> {
  await waitFor(what, async () => {
    for (const a of addresses) if ((await missingAt(a, ids)).length) return false;
    return true;
  }, 40_000, 250);
}

describe.skipIf(!existsSync(STORAGED))('replication with stock FastDFS storages', () => {
  beforeAll(async () => {
    [hostA, hostC, hostD] = [allocHost(), allocHost(), allocHost()];
    tracker = await startTracker({ conf: { check_active_interval: 3 } });
    client = new FdfsClient({ trackers: [tracker.address] });
  });

  afterAll(async () => {
    client?.close();
    stopStock(stockC);
    stopStock(stockD);
    await stopAll([ours, tracker]);
  });

  it('a stock storage bootstraps our new member, which turns ACTIVE holding every file', async () => {
    stockC = startStock(hostC, tracker.address);
    await waitFor('stock ACTIVE', async () => (await statusOf(hostC)) === StorageStatus.Active, 30_000, 200);
    for (let i = 0; i < 40; i++) {
      const data = randomBytes(300 + i * 50);
      sums.set(await client.upload(data, { ext: 'bin', metadata: i % 4 === 0 ? { i: String(i) } : undefined }), md5(data));
    }
    // A short anti-entropy round: the stock peer, which has no 122 DIR_DIGESTS, is soon asked.
    ours = await startStorage({ trackers: [tracker.address], host: hostA, conf: { anti_entropy_interval: 5 } });
    await waitFor('ours ACTIVE', async () => (await statusOf(hostA)) === StorageStatus.Active, 30_000, 100);
    const ids = [...sums.keys()];
    expect(await missingAt(ours.address, ids)).toEqual([]);
    for (const [id, sum] of sums) expect(md5(await downloadAt(ours.address, id))).toBe(sum);
    expect(await metadataAt(ours.address, ids[0]!)).toEqual({ i: '0' });
  });

  it('anti-entropy leaves a stock peer alone after its first EINVAL to 122', async () => {
    await waitFor('the stock peer recognised', async () => /has no DIR_DIGESTS \(a stock storage\?\)/.test(ours.proc.output), 15_000, 200);
    expect(ours.proc.output).not.toMatch(/directory comparison failed/);
  });

  it('replicates uploads, metadata, deletes and appender changes both ways', async () => {
    const fresh = new Map<string, string>();
    for (let i = 0; i < 20; i++) {
      const data = randomBytes(700 + i);
      fresh.set(await client.upload(data, { ext: 'txt', metadata: { k: String(i) } }), md5(data));
    }
    const ids = [...fresh.keys()];
    const sources = new Set(ids.map((id) => JSON.stringify(client.decodeFileId(id).source)));
    expect(sources.size).toBe(2);
    await everywhere(ids, [ours!.address, stockC!.address], 'fresh files on both');
    // Our sender asked the stock peer whether it takes pipelined requests (123), was refused, and sent one by one.
    expect(ours!.proc.output).toMatch(/does not take pipelined replication/);
    for (const [id, sum] of fresh) {
      expect(md5(await downloadAt(ours!.address, id))).toBe(sum);
      expect(md5(await downloadAt(stockC!.address, id))).toBe(sum);
    }
    await waitFor('metadata on both', async () => {
      for (const id of ids) for (const a of [ours!.address, stockC!.address]) if (!(await metadataAt(a, id))) return false;
      return true;
    }, 20_000, 250);
    for (const id of ids.slice(0, 6)) await client.delete(id);
    const apps = [await client.uploadAppender(Buffer.from('hello'), { ext: 'log' }), await client.uploadAppender(Buffer.from('HELLO'), { ext: 'log' })];
    const oursIp = JSON.stringify({ ipv4: hostA });
    const [mine, theirs] = JSON.stringify(client.decodeFileId(apps[0]!).source) === oursIp ? apps : [apps[1]!, apps[0]!];
    expect(JSON.stringify(client.decodeFileId(mine!).source)).toBe(oursIp);
    expect(JSON.stringify(client.decodeFileId(theirs!).source)).not.toBe(oursIp);
    const both = [ours!.address, stockC!.address];
    const sameOnBoth = (id: string, text: string) => waitFor(`${text} on both`, async () => {
      for (const a of both) if ((await downloadAt(a, id).catch(() => Buffer.alloc(0))).toString() !== text) return false;
      return true;
    }, 30_000, 200);
    // Ours as the source: changes in quick succession, then a rename (our sender must converge regardless).
    await client.append(mine!, Buffer.from(' world'));
    await client.modify(mine!, 0, Buffer.from('J'));
    await client.truncate(mine!, 8);
    const renamed = await client.regenerateAppenderFilename(mine!);
    // Stock as the source, one change at a time: a stock sender skips an append whose local file is already
    // shorter and then has its truncate refused by a peer of another size (§9.5), stock peers included.
    for (const [step, want] of [['append', 'HELLO world'], ['modify', 'JELLO world'], ['truncate', 'JELLO wo']] as const) {
      if (step === 'append') await client.append(theirs!, Buffer.from(' world'));
      if (step === 'modify') await client.modify(theirs!, 0, Buffer.from('J'));
      if (step === 'truncate') await client.truncate(theirs!, 8);
      await sameOnBoth(theirs!, want);
    }
    await sameOnBoth(renamed, 'Jello wo');
    await waitFor('deletes and the rename on both', async () => {
      for (const a of both) {
        if ((await missingAt(a, ids.slice(0, 6))).length !== 6) return false;
        if ((await missingAt(a, [mine!])).length !== 1) return false;
      }
      return true;
    }, 30_000, 300);
    for (const [id, sum] of fresh) if (!ids.slice(0, 6).includes(id)) sums.set(id, sum);
  });

  it('sends links made on our storage (20 CREATE_LINK) to a stock peer with 19, and their deletes', async () => {
    const oursIp = JSON.stringify({ ipv4: hostA });
    const srcId = [...sums.keys()].find((id) => JSON.stringify(client.decodeFileId(id).source) === oursIp)!;
    const keep = await client.createLink(srcId, { ext: 'bin' });
    const drop = await client.createLink(srcId, { ext: 'bin' });
    await everywhere([keep, drop], [stockC!.address], 'links on the stock peer');
    expect(md5(await downloadAt(stockC!.address, keep))).toBe(sums.get(srcId));
    await client.delete(drop);
    await waitFor('link delete on the stock peer', async () => (await missingAt(stockC!.address, [drop])).length === 1, 20_000, 200);
    expect(md5(await downloadAt(stockC!.address, srcId))).toBe(sums.get(srcId));
    sums.set(keep, sums.get(srcId)!);
  });

  it('our storage bootstraps a new stock member (our binlog and 16/18/25/35/37/40 as a stock receiver reads them)', async () => {
    stockD = startStock(hostD, tracker.address);
    await waitFor('new stock ACTIVE', async () => (await statusOf(hostD)) === StorageStatus.Active, 40_000, 200);
    const ids = [...sums.keys()];
    await everywhere(ids, [stockD.address], 'every file on the new stock member');
    for (const [id, sum] of sums) expect(md5(await downloadAt(stockD.address, id))).toBe(sum);
    // Our mark for it says we were its designated source and finished.
    const mark = readFileSync(path.join(ours!.dir, 'data', 'sync', `${hostD}_23000.mark`), 'utf8');
    expect(mark).toMatch(/need_sync_old=1\nsync_old_done=1\n/);
  });
});
