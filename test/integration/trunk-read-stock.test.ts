// A store path written by stock FastDFS with trunk files on (use_trunk_file = true), then served by fdfs: stock
// fdfs_trackerd + fdfs_storaged take uploads (small files into trunk slots, a large one as a plain file, metadata,
// a slave of a trunk master, a delete, a slot reused), stop, and an fdfs storage started on the same base and
// store path serves every file. Needs FDFS_STOCK_STORAGED / FDFS_STOCK_TRACKERD (default /usr/bin/…); skipped without.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Errno, FdfsClient } from '../../src/client/index.js';
import { decodeFileName } from '../../src/protocol/file-id.js';
import { allocHost, startStorage, startTracker, stopAll, tempDir, waitAllActive, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { outcomeOf } from '../helpers/storage-direct.js';
import { logicalOf } from '../helpers/trunk-fixture.js';

const STORAGED = process.env.FDFS_STOCK_STORAGED ?? '/usr/bin/fdfs_storaged';
const TRACKERD = process.env.FDFS_STOCK_TRACKERD ?? '/usr/bin/fdfs_trackerd';
const haveStock = existsSync(STORAGED) && existsSync(TRACKERD);
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const HTTP = 8888;

interface Stored { id: string; data: Buffer; meta?: Record<string, string> }
const files: Stored[] = [];
let deletedId = '';
let reusedOldId = '';
let bigId = '';
let slaveId = '';
let storeDir = '';
let storageHost = '';
let tracker: TrackerHandle | undefined;
let storage: StorageHandle | undefined;
let client: FdfsClient | undefined;

function stock(bin: string, conf: string, op: 'start' | 'stop'): void {
  execFileSync(bin, [conf, op], { stdio: 'ignore' });
}

/** Stock tracker + storage with trunk files; uploads through our client; both stopped again. */
async function writeWithStock(): Promise<void> {
  const trackerHost = allocHost();
  storageHost = allocHost();
  const tdir = tempDir('fdfs-stock-trackerd-');
  storeDir = tempDir('fdfs-stock-trunk-');
  const confDir = tempDir('fdfs-stock-conf-');
  const tconf = path.join(tdir, 'tracker.conf');
  writeFileSync(tconf, [`bind_addr = ${trackerHost}`, 'port = 22122', `base_path = ${tdir}`, 'check_active_interval = 3', 'store_lookup = 0',
    'use_trunk_file = true', 'trunk_file_size = 4MB', 'slot_max_size = 256KB', 'reserved_storage_space = 1%'].join('\n') + '\n');
  const sconf = path.join(confDir, 'storage.conf');
  writeFileSync(sconf, ['group_name = group1', `bind_addr = ${storageHost}`, 'client_bind = true', 'port = 23000', 'heart_beat_interval = 1',
    'stat_report_interval = 1', `base_path = ${storeDir}`, 'store_path_count = 1', `store_path0 = ${storeDir}`, 'subdir_count_per_path = 4',
    `tracker_server = ${trackerHost}:22122`, 'allow_hosts = *', 'sync_binlog_buff_interval = 1', 'thread_stack_size = 512KB'].join('\n') + '\n');
  stock(TRACKERD, tconf, 'start');
  stock(STORAGED, sconf, 'start');
  const c = new FdfsClient({ trackers: [`${trackerHost}:22122`] });
  try {
    // The storage takes uploads once the tracker has made it the group's trunk server.
    const log = path.join(storeDir, 'logs', 'storaged.log');
    await waitFor('stock trunk server', async () => existsSync(log) && readFileSync(log, 'utf8').includes('trunk server'), 15_000, 100);
    await waitFor('stock storage writable', async () => (await c.listGroups())[0]?.writableServerCount === 1, 15_000, 100);
    const up = async (data: Buffer, ext: string, meta?: Record<string, string>) => {
      const id = await c.upload(data, { ext, metadata: meta });
      files.push({ id, data, meta });
      return id;
    };
    for (const size of [0, 1, 100, 1000, 5000, 60_000]) await up(randomBytes(size), 'bin');
    await up(Buffer.from('hello trunk\n'), 'txt', { owner: 'stock', n: '1' });
    const master = files[3]!;
    const slave = randomBytes(321);
    slaveId = await c.uploadSlave(master.id, '_small', slave, { ext: 'bin' });
    files.push({ id: slaveId, data: slave });
    const big = randomBytes(400_000);
    bigId = await up(big, 'dat');
    deletedId = await c.upload(randomBytes(777), { ext: 'bin' });
    await c.delete(deletedId);
    reusedOldId = await c.upload(randomBytes(2000), { ext: 'bin' });
    await c.delete(reusedOldId);
    await up(randomBytes(2000), 'bin');
  } finally {
    c.close();
    stock(STORAGED, sconf, 'stop');
    stock(TRACKERD, tconf, 'stop');
    rmSync(tdir, { recursive: true, force: true });
    rmSync(confDir, { recursive: true, force: true });
  }
}

describe.skipIf(!haveStock)('a store path written by stock FastDFS with trunk files, served by fdfs', () => {
  beforeAll(async () => {
    await writeWithStock();
    tracker = await startTracker();
    storage = await startStorage({ trackers: [tracker.address], host: storageHost, dir: storeDir, conf: { 'http.server_port': HTTP } });
    client = new FdfsClient({ trackers: [tracker.address] });
    await waitAllActive(client, [storage]);
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await stopAll([storage, tracker]);
  });

  it('stock put the small files into trunk slots and the large one into a file of its own', () => {
    const kinds = files.map((f) => decodeFileName(logicalOf(f.id)).kind);
    expect(kinds.filter((k) => k === 'trunk').length).toBe(8);
    expect(decodeFileName(logicalOf(bigId)).kind).toBe('normal');
    expect(decodeFileName(logicalOf(slaveId)).kind).toBe('slave');
    // The reused slot: the last upload took the freed slot of the deleted file of its size.
    expect(decodeFileName(logicalOf(files.at(-1)!.id)).trunk).toEqual(decodeFileName(logicalOf(reusedOldId)).trunk);
  });

  it('serves every file: whole, ranges, file info, metadata and HTTP', async () => {
    for (const f of files) {
      expect(md5(await client!.downloadToBuffer(f.id)), f.id).toBe(md5(f.data));
      const info = await client!.info(f.id);
      expect(info.size).toBe(f.data.length);
      if (f.data.length > 20) {
        expect((await client!.downloadToBuffer(f.id, { offset: 7, length: 9 })).equals(f.data.subarray(7, 16))).toBe(true);
        const r = await fetch(`http://${storageHost}:${HTTP}/${f.id}`, { headers: { Range: 'bytes=5-14' } });
        expect(r.status).toBe(206);
        expect(Buffer.from(await r.arrayBuffer()).equals(f.data.subarray(5, 15))).toBe(true);
      }
      if (f.meta) expect(await client!.getMetadata(f.id)).toEqual(f.meta);
    }
  });

  it('answers ENOENT (404 over HTTP) for the deleted file and the reused slot\'s old ID', async () => {
    for (const id of [deletedId, reusedOldId]) {
      expect(await outcomeOf(client!.downloadToBuffer(id))).toBe(Errno.ENOENT);
      expect(await outcomeOf(client!.info(id))).toBe(Errno.ENOENT);
      expect((await fetch(`http://${storageHost}:${HTTP}/${id}`)).status).toBe(404);
    }
  });

  it('deletes a stock trunk file and its metadata', async () => {
    const f = files.find((x) => x.meta)!;
    await client!.delete(f.id);
    expect(await outcomeOf(client!.downloadToBuffer(f.id))).toBe(Errno.ENOENT);
    expect(await outcomeOf(client!.getMetadata(f.id))).toBe(Errno.ENOENT);
    for (const g of files) if (g !== f) expect(md5(await client!.downloadToBuffer(g.id))).toBe(md5(g.data));
  });
});
