// reserved_storage_space (§10.2) with real processes: a group, a store path or everything "full" is not chosen,
// the client gets ENOSPC when nothing has room, and a refused upload leaves nothing on the storage.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { Connection } from '../../src/net/connection.js';
import { Errno } from '../../src/errors.js';
import { StorageCmd, StorageStatus } from '../../src/protocol/codes.js';
import { encodeUploadHead } from '../../src/protocol/storage-file.js';
import { startTracker, startStorage, stopAll, waitFor, type TrackerHandle, type StorageHandle } from '../helpers/cluster.js';
import { runCli } from '../helpers/proc.js';

const freeMb = (dir: string) => { const s = statfsSync(dir); return Math.floor((s.bavail * s.bsize) / 2 ** 20); };
const shmFree = existsSync('/dev/shm') ? freeMb('/dev/shm') : 0;
const tmpFree = freeMb(os.tmpdir());
// Needs two file systems whose free space differs widely: a reserve between them makes one "full".
const usable = shmFree > 0 && tmpFree - shmFree > 8192;
// Storages split a MB reserve over their store paths: group1's shm path (free < reserve / 2) is full, its
// temp-dir path (free > reserve / 2) is not, and the group as a whole (shm + tmp > reserve) has room. 4 GiB of
// slack either side keeps that true while other programs use the disks.
const reserveMb = 2 * shmFree + 4096;

let trackerA: TrackerHandle;
let trackerF: TrackerHandle;
let g1: StorageHandle;
let g2: StorageHandle;
let g3: StorageHandle;
const shmDirs: string[] = [];
let viaA: FdfsClient;
let viaF: FdfsClient;

/** Files under <store path>/data/HH/HH (published or temporary). */
function storedFiles(storePath: string): string[] {
  const data = path.join(storePath, 'data');
  const out: string[] = [];
  for (const hi of readdirSync(data).filter((d) => /^[0-9A-F]{2}$/.test(d))) {
    for (const lo of readdirSync(path.join(data, hi)).filter((d) => /^[0-9A-F]{2}$/.test(d))) {
      out.push(...readdirSync(path.join(data, hi, lo)).map((f) => `${hi}/${lo}/${f}`));
    }
  }
  return out;
}

async function rawUpload(s: StorageHandle, storePathIndex: number, body: Buffer): Promise<number> {
  const c = await Connection.connect(s.host, s.port);
  try {
    await c.send(encodeUploadHead(StorageCmd.UploadFile, { storePathIndex, fileSize: body.length, ext: 'bin' }));
    await c.send(body);
    await c.readResponseHeader(StorageCmd.UploadFile);
    await c.readBody();
    return 0;
  } catch (err) {
    return (err as { errno?: number }).errno ?? -1;
  } finally {
    c.destroy();
  }
}

describe.skipIf(!usable)('reserved_storage_space with real processes', () => {
  beforeAll(async () => {
    trackerA = await startTracker({ conf: { reserved_storage_space: `${reserveMb}MB`, store_lookup: 0 } });
    trackerF = await startTracker({ conf: { reserved_storage_space: '99.9%' } });
    const shm = () => { const d = mkdtempSync('/dev/shm/fdfs-test-'); shmDirs.push(d); return d; };
    // group1: path0 on /dev/shm (short of room: free < reserve / 2), path1 in the temp dir.
    const d1 = mkdtempSync(path.join(os.tmpdir(), 'fdfs-storage-'));
    g1 = await startStorage({ trackers: [trackerA.address], group: 'group1', dir: d1,
      conf: { store_path_count: 2, store_path0: shm(), store_path1: path.join(d1, 'p1') } });
    g2 = await startStorage({ trackers: [trackerA.address], group: 'group2', conf: { store_path0: shm() } });
    g3 = await startStorage({ trackers: [trackerF.address], group: 'group3' });
    viaA = new FdfsClient({ trackers: [trackerA.address] });
    viaF = new FdfsClient({ trackers: [trackerF.address] });
    for (const [c, groups] of [[viaA, ['group1', 'group2']], [viaF, ['group3']]] as const) {
      await waitFor('storages ACTIVE with disk usage', async () => {
        for (const g of groups) {
          const s = (await c.listStorages(g))[0];
          if (!(s && s.status === StorageStatus.Active && s.freeMb > 0)) return false;
        }
        return true;
      }, 30_000);
    }
  });

  afterAll(async () => {
    viaA?.close();
    viaF?.close();
    await stopAll([g1, g2, g3, trackerA, trackerF]);
    for (const d of shmDirs) rmSync(d, { recursive: true, force: true });
  });

  it('skips the full group (round robin lands everything in the other) and the full store path', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await viaA.upload(Buffer.from(`file ${i}`), { ext: 'txt' }));
    expect(ids.every((id) => id.startsWith('group1/M01/'))).toBe(true);
    const groups = await viaA.listGroups();
    expect(groups.map((g) => [g.groupName, g.reservedMb])).toEqual([['group1', reserveMb], ['group2', reserveMb]]);
    expect(groups[1]!.freeMb).toBeLessThan(reserveMb);
  });

  it('answers ENOSPC for a full group named by the client, through our client and our CLI', async () => {
    await expect(viaA.upload(Buffer.from('x'), { group: 'group2' })).rejects.toMatchObject({ errno: Errno.ENOSPC });
    const cli = await runCli(['upload', '-', '-g', 'group2', '--tracker', trackerA.address], { input: 'x' });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/^fdfs: .*ENOSPC/m);
  });

  it('a storage refuses uploads to a full path itself (explicit index or its own choice), leaving nothing', async () => {
    const before = storedFiles(shmDirs[1]!).length;
    expect(await rawUpload(g2, 0, Buffer.alloc(1000, 1))).toBe(Errno.ENOSPC);
    expect(await rawUpload(g2, -1, Buffer.alloc(1000, 2))).toBe(Errno.ENOSPC);
    expect(storedFiles(shmDirs[1]!)).toHaveLength(before);
    // group1's storage: path 0 is short of room, path 1 is fine; 0xFF picks the one with room.
    expect(await rawUpload(g1, 0, Buffer.alloc(10, 3))).toBe(Errno.ENOSPC);
    expect(await rawUpload(g1, -1, Buffer.alloc(10, 4))).toBe(0);
    expect(storedFiles(shmDirs[0]!)).toHaveLength(0);
  });

  it('reserved_storage_space = 99.9%: everything is full, ENOSPC for every kind of upload, nothing left behind', async () => {
    await expect(viaF.upload(Buffer.from('nope'))).rejects.toMatchObject({ errno: Errno.ENOSPC });
    await expect(viaF.upload(Buffer.from('nope'), { group: 'group3' })).rejects.toMatchObject({ errno: Errno.ENOSPC });
    await expect(viaF.uploadAppender(Buffer.from('nope'))).rejects.toMatchObject({ errno: Errno.ENOSPC });
    expect(await rawUpload(g3, -1, Buffer.alloc(5000, 5))).toBe(Errno.ENOSPC);
    expect(await rawUpload(g3, 0, Buffer.alloc(5000, 6))).toBe(Errno.ENOSPC);
    const cli = await runCli(['upload', '-', '--tracker', trackerF.address], { input: 'nope' });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/ENOSPC/);
    expect(storedFiles(g3.dir)).toEqual([]);
    await new Promise((r) => setTimeout(r, 1500)); // binlog flush interval
    const binlog = path.join(g3.dir, 'data', 'sync', 'binlog.000');
    expect(existsSync(binlog) ? readFileSync(binlog, 'utf8') : '').not.toMatch(/ C /);
    const group = await viaF.listGroup('group3');
    expect(group.reservedMb).toBe(Math.floor(group.totalMb * 0.999));
  });
});
