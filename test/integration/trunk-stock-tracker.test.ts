// fdfs storages writing trunk files under a stock fdfs_trackerd (use_trunk_file = true): the stock tracker names
// the trunk server (beat answer flag 2), the other member gets its space with 27/28, both read every file, and the
// trunk server's 73/74 reports reach the stock tracker (fdfs monitor shows its free trunk space).
// Needs FDFS_STOCK_TRACKERD (default /usr/bin/fdfs_trackerd); skipped without it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { decodeFileName } from '../../src/protocol/file-id.js';
import { allocHost, startStorage, stopAll, tempDir, waitFor, type StorageHandle } from '../helpers/cluster.js';
import { downloadAt, uploadAt } from '../helpers/storage-direct.js';
import { logicalOf } from '../helpers/trunk-fixture.js';
import { runCli } from '../helpers/proc.js';

const TRACKERD = process.env.FDFS_STOCK_TRACKERD ?? '/usr/bin/fdfs_trackerd';
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
let trackerConf = '';
let trackerDir = '';
let tracker = '';
let s1: StorageHandle | undefined;
let s2: StorageHandle | undefined;
let client: FdfsClient;

describe.skipIf(!existsSync(TRACKERD))('fdfs storages with trunk files under a stock tracker', () => {
  beforeAll(async () => {
    const host = allocHost();
    trackerDir = tempDir('fdfs-stock-trackerd-');
    trackerConf = path.join(trackerDir, 'tracker.conf');
    writeFileSync(trackerConf, [`bind_addr = ${host}`, 'port = 22122', `base_path = ${trackerDir}`, 'check_active_interval = 3',
      'use_trunk_file = true', 'trunk_file_size = 4MB', 'reserved_storage_space = 1%'].join('\n') + '\n');
    execFileSync(TRACKERD, [trackerConf, 'start'], { stdio: 'ignore' });
    tracker = `${host}:22122`;
    s1 = await startStorage({ trackers: [tracker] });
    s2 = await startStorage({ trackers: [tracker] });
    client = new FdfsClient({ trackers: [tracker] });
    await waitFor('a trunk server', async () => {
      const rows = await client.listStorages('group1');
      return rows.length === 2 && rows.every((r) => r.status === StorageStatus.Active) && rows.some((r) => r.ifTrunkServer);
    }, 30_000, 200);
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await stopAll([s1, s2]);
    try {
      execFileSync(TRACKERD, [trackerConf, 'stop'], { stdio: 'ignore' });
    } catch {
      // not running
    }
    rmSync(trackerDir, { recursive: true, force: true });
  });

  it('both members write trunk files (the trunk server itself, the other through 27/28) and read each other\'s', async () => {
    const files = new Map<string, Buffer>();
    for (const s of [s1!, s2!]) {
      const id = await waitFor('a trunk upload', async () => {
        const data = randomBytes(900);
        const got = await uploadAt(s.address, data);
        files.set(got, data);
        return decodeFileName(logicalOf(got)).kind === 'trunk' ? got : null;
      }, 15_000, 200);
      expect(decodeFileName(logicalOf(id)).trunk!.fileId).toBeGreaterThan(0);
    }
    await waitFor('every file on both', async () => {
      for (const s of [s1!, s2!]) for (const [id, data] of files) if (md5(await downloadAt(s.address, id)) !== md5(data)) return false;
      return true;
    }, 20_000, 200);
  });

  it('the stock tracker gets the trunk server\'s 73/74: fdfs monitor shows the free trunk space', async () => {
    const trunk = (await client.listStorages('group1')).find((r) => r.ifTrunkServer)!;
    await waitFor('trunk free space at the stock tracker', async () => (await client.listGroup('group1')).trunkFreeMb > 0, 15_000, 200);
    expect((await client.listGroup('group1')).currentTrunkFileId).toBeGreaterThanOrEqual(1);
    const r = await runCli(['monitor', '--tracker', tracker]);
    expect(r.stdout).toContain(`trunk files in group1: trunk server ${trunk.ipAddr}:23000`);
  });
});
