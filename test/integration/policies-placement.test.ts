// Tracker selection policies (§10.1) with real processes: two groups, two storages in group1, two store paths
// per storage on two file systems (/dev/shm and the temp dir), four trackers with different policies. Every
// storage reports to every tracker; each policy is checked by where the uploaded files actually land.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { Connection } from '../../src/net/connection.js';
import { StorageCmd, StorageStatus } from '../../src/protocol/codes.js';
import { encodeUploadHead, decodeUploadResponse } from '../../src/protocol/storage-file.js';
import { decodeFileName } from '../../src/protocol/file-id.js';
import { allocHost, startTracker, startStorage, stopAll, waitFor, type TrackerHandle, type StorageHandle } from '../helpers/cluster.js';

const freeMb = (dir: string) => { const s = statfsSync(dir); return Math.floor((s.bavail * s.bsize) / 2 ** 20); };
// /dev/shm and the temp dir must be different file systems with different free space.
const usable = existsSync('/dev/shm') && Math.abs(freeMb('/dev/shm') - freeMb(os.tmpdir())) > 1024;

interface Node { handle: StorageHandle; paths: string[] }

const trackers: Record<'A' | 'B' | 'C' | 'D', TrackerHandle> = {} as never;
const clients: Record<string, FdfsClient> = {};
const nodes: Record<'first' | 'second' | 'g2', Node> = {} as never;
const shmDirs: string[] = [];
// The more-free path: M01 on every storage of group1 (path0 /dev/shm, path1 temp dir) when the temp dir has more room.
const roomier = freeMb(os.tmpdir()) > freeMb('/dev/shm') ? 1 : 0;

function where(fileId: string): { group: string; host: string; path: number; dirs: string } {
  const [group, logical] = [fileId.slice(0, fileId.indexOf('/')), fileId.slice(fileId.indexOf('/') + 1)];
  const pathIndex = parseInt(logical.slice(1, 3), 16);
  const rel = logical.slice(4);
  // The storage that took the upload is named in the file ID; replication may already have copied the
  // file to the group's other member, so "where it landed" is the source, checked on its disk.
  const src = decodeFileName(logical).source;
  const host = 'ipv4' in src ? src.ipv4 : '';
  const source = Object.values(nodes).find((n) => n.handle.group === group && n.handle.host === host);
  expect(source, `${fileId} names a storage of ${group} as its source`).toBeDefined();
  expect(existsSync(path.join(source!.paths[pathIndex]!, 'data', rel)), `${fileId} is on its source storage`).toBe(true);
  return { group, host, path: pathIndex, dirs: logical.slice(4, 9) };
}

async function uploadVia(t: keyof typeof trackers, n: number): Promise<Array<ReturnType<typeof where>>> {
  const out = [];
  for (let i = 0; i < n; i++) out.push(where(await clients[t]!.upload(Buffer.from(`file ${i} via ${t}`), { ext: 'txt' })));
  return out;
}

describe.skipIf(!usable)('tracker policies with real processes', () => {
  beforeAll(async () => {
    trackers.A = await startTracker({ conf: { store_lookup: 0, store_server: 0, store_path: 0, download_server: 0, storage_sync_file_max_delay: 1 } });
    trackers.B = await startTracker({ conf: { store_lookup: 1, store_group: 'group2', store_server: 0, store_path: 0, download_server: 1 } });
    trackers.C = await startTracker({ conf: { store_lookup: 2, store_server: 2, store_path: 2, download_server: 0 } });
    trackers.D = await startTracker({ conf: { store_lookup: 1, store_group: 'group1', store_server: 1, store_path: 0 } });
    const all = Object.values(trackers).map((t) => t.address);
    // store_server 1 takes the smallest id (IP text): give that one round-robin directories, the other random ones.
    const [h1, h2] = [allocHost(), allocHost()].sort();
    const start = async (host: string, group: string, conf: Record<string, string | number>, shmTwice = false): Promise<Node> => {
      const shm = mkdtempSync('/dev/shm/fdfs-test-');
      shmDirs.push(shm);
      const dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-storage-'));
      const paths = [shm, shmTwice ? mkdtempSync('/dev/shm/fdfs-test-') : path.join(dir, 'p1')];
      if (shmTwice) shmDirs.push(paths[1]!);
      // One process: store path round robin is per serving process, and this checks its exact sequence.
      const handle = await startStorage({ trackers: all, host, group, dir, conf: { store_path_count: 2, store_path0: paths[0]!, store_path1: paths[1]!, work_threads: 1, ...conf } });
      return { handle, paths };
    };
    nodes.first = await start(h1!, 'group1', { upload_priority: 20, file_distribute_path_mode: 0, file_distribute_rotate_count: 2 });
    nodes.second = await start(h2!, 'group1', { upload_priority: 5, file_distribute_path_mode: 1 });
    nodes.g2 = await start(allocHost(), 'group2', { subdir_count_per_path: 2, file_distribute_rotate_count: 1 }, true);
    for (const [k, t] of Object.entries(trackers)) clients[k] = new FdfsClient({ trackers: [t.address] });
    for (const c of Object.values(clients)) {
      await waitFor('3 ACTIVE storages with disk usage', async () => {
        const list = [...await c.listStorages('group1'), ...await c.listStorages('group2')];
        return list.length === 3 && list.every((s) => s.status === StorageStatus.Active && s.freeMb > 0);
      }, 30_000);
    }
  });

  afterAll(async () => {
    for (const c of Object.values(clients)) c.close();
    await stopAll([...Object.values(nodes).map((n) => n.handle), ...Object.values(trackers)]);
    for (const d of shmDirs) rmSync(d, { recursive: true, force: true });
  });

  it('store_lookup 1 + store_server 1: the named group, its first storage by id; round-robin paths and directories', async () => {
    const got = await uploadVia('D', 6);
    expect(got.map((g) => g.group)).toEqual(Array(6).fill('group1'));
    expect(got.map((g) => g.host)).toEqual(Array(6).fill(nodes.first.handle.host));
    expect(got.map((g) => g.path)).toEqual([0, 1, 0, 1, 0, 1]);
    // file_distribute_path_mode 0, rotate count 2: two files per directory, then the next one.
    expect(got.map((g) => g.dirs)).toEqual(['00/00', '00/00', '00/01', '00/01', '00/02', '00/02']);
  });

  it('store_lookup 0 + store_server 0 + store_path 0: groups, storages and paths in turn', async () => {
    const got = await uploadVia('A', 8);
    expect(got.map((g) => g.group)).toEqual(['group1', 'group2', 'group1', 'group2', 'group1', 'group2', 'group1', 'group2']);
    const g1 = got.filter((g) => g.group === 'group1');
    const [w0, w1] = [nodes.first.handle.host, nodes.second.handle.host];
    expect(g1.map((g) => g.host)).toEqual([w0, w1, w0, w1]);
    // Each storage has its own path cursor.
    expect(g1.filter((g) => g.host === w0).map((g) => g.path)).toEqual([g1[0]!.path, 1 - g1[0]!.path]);
    expect(g1.filter((g) => g.host === w1).map((g) => g.path)).toEqual([g1[1]!.path, 1 - g1[1]!.path]);
    const g2 = got.filter((g) => g.group === 'group2').map((g) => g.path);
    expect(new Set(g2)).toEqual(new Set([0, 1]));
  });

  it('store_lookup 2 + store_server 2 + store_path 2: most free group, lowest upload_priority, most free path', async () => {
    const got = await uploadVia('C', 12);
    expect(got.map((g) => g.group)).toEqual(Array(12).fill('group1'));
    expect(got.map((g) => g.host)).toEqual(Array(12).fill(nodes.second.handle.host));
    expect(got.map((g) => g.path)).toEqual(Array(12).fill(roomier));
    // file_distribute_path_mode 1 on that storage: random directories within subdir_count_per_path = 4.
    const dirs = new Set(got.map((g) => g.dirs));
    expect([...dirs].every((d) => /^0[0-3]\/0[0-3]$/.test(d))).toBe(true);
    expect(dirs.size).toBeGreaterThan(1);
  });

  it('store_lookup 1 with another group; subdir_count_per_path 2 and rotate count 1 cycle the 4 directories', async () => {
    const got = await uploadVia('B', 5);
    expect(got.every((g) => g.group === 'group2' && g.host === nodes.g2.handle.host)).toBe(true);
    const order = ['00/00', '00/01', '01/00', '01/01'];
    for (let i = 1; i < got.length; i++) {
      expect(got[i]!.dirs).toBe(order[(order.indexOf(got[i - 1]!.dirs) + 1) % 4]);
    }
  });

  it('download_server 1 sends reads to the source; 0 spreads them over storages once files count as synced', async () => {
    const id = await clients.D!.upload(Buffer.from('routed'), { ext: 'txt' });
    const source = nodes.first.handle.host;
    for (let i = 0; i < 4; i++) expect((await clients.B!.queryFetch(id)).ip).toBe(source);
    // Updates always go to the source.
    for (const c of Object.values(clients)) expect((await c.queryUpdate(id)).ip).toBe(source);
    // Tracker A has storage_sync_file_max_delay = 1: older files are assumed to be everywhere.
    await new Promise((r) => setTimeout(r, 2500));
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add((await clients.A!.queryFetch(id)).ip);
    expect(seen).toEqual(new Set([nodes.first.handle.host, nodes.second.handle.host]));
    expect(new Set((await clients.A!.queryFetchAll(id)).servers.map((s) => s.ip))).toEqual(seen);
  });

  it('store path 0xFF in the upload request: the storage chooses with the store_path mode of its first tracker', async () => {
    const firstTracker = Object.values(trackers).map((t) => t.address).sort()[0];
    const mode = firstTracker === trackers.C.address ? 2 : 0;
    const s = nodes.second.handle;
    const paths: number[] = [];
    for (let i = 0; i < 4; i++) {
      const c = await Connection.connect(s.host, s.port);
      try {
        const body = Buffer.from(`raw ${i}`);
        await c.send(encodeUploadHead(StorageCmd.UploadFile, { storePathIndex: -1, fileSize: body.length, ext: 'txt' }));
        await c.send(body);
        await c.readResponseHeader(StorageCmd.UploadFile);
        const res = decodeUploadResponse(await c.readBody());
        paths.push(where(`${res.group}/${res.logical}`).path);
      } finally {
        c.quit();
      }
    }
    if (mode === 2) expect(paths).toEqual(Array(4).fill(roomier));
    else expect([paths[1], paths[2], paths[3]]).toEqual([1 - paths[0]!, paths[0], 1 - paths[0]!]);
  });
});
