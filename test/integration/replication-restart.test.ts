// Replication catch-up (§9.7): two storages of a group; one is stopped with SIGTERM while 200 files are
// uploaded to the other, then started again: its peer pushes everything it missed from the mark file.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { parseMarkFile } from '../../src/protocol/binlog-format.js';
import { restartStorage, stopAll, waitFor, type TrackerHandle, type StorageHandle, storageStatus, startTwoMemberGroup } from '../helpers/cluster.js';
import { downloadAt, missingAt } from '../helpers/storage-direct.js';

let tracker: TrackerHandle;
let s1: StorageHandle;
let s2: StorageHandle;
let client: FdfsClient;

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

const statusOf = (s: StorageHandle): Promise<number | undefined> => storageStatus(client, s.host);

beforeAll(async () => {
  ({ tracker, s1, s2, client } = await startTwoMemberGroup());
});

afterAll(async () => {
  client?.close();
  await stopAll([s1, s2, tracker]);
});

describe('replication after a restart', () => {
  it('replicates uploads to both members while both run', async () => {
    const files = new Map<string, string>();
    for (let i = 0; i < 10; i++) {
      const data = randomBytes(1000 + i);
      files.set(await client.upload(data, { ext: 'bin' }), md5(data));
    }
    const ids = [...files.keys()];
    await waitFor('10 files on both', async () => (await missingAt(s1.address, ids)).length + (await missingAt(s2.address, ids)).length === 0);
    for (const [id, sum] of files) {
      expect(md5(await downloadAt(s1.address, id))).toBe(sum);
      expect(md5(await downloadAt(s2.address, id))).toBe(sum);
    }
  });

  it('pushes the 200 uploads a SIGTERM-stopped storage missed once it is back, byte for byte', async () => {
    await s2.proc.stop();
    await waitFor('s2 OFFLINE', async () => (await statusOf(s2)) === StorageStatus.Offline, 10_000);
    const files = new Map<string, string>();
    const queue = Array.from({ length: 200 }, (_, i) => i);
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const data = randomBytes(512 + ((i * 37) % 4096));
        files.set(await client.upload(data, { ext: 'dat' }), md5(data));
      }
    }));
    const ids = [...files.keys()];
    expect(ids).toHaveLength(200);
    // Every upload went to the survivor.
    expect(new Set(ids.map((id) => JSON.stringify(client.decodeFileId(id).source)))).toEqual(new Set([JSON.stringify({ ipv4: s1.host })]));
    const t0 = Date.now();
    await restartStorage(s2);
    await waitFor('s2 ACTIVE again', async () => (await statusOf(s2)) === StorageStatus.Active, 20_000);
    await waitFor('all 200 files on s2', async () => (await missingAt(s2.address, ids)).length === 0, 30_000);
    console.log(`catch-up of 200 files: ${Date.now() - t0} ms after the restart began`);
    for (const [id, sum] of files) {
      expect(md5(await downloadAt(s1.address, id))).toBe(sum);
      expect(md5(await downloadAt(s2.address, id))).toBe(sum);
    }
    // s1's mark for s2: the stock seven keys, caught up with s1's binlog.
    const markPath = path.join(s1.dir, 'data', 'sync', `${s2.host}_${s2.port}.mark`);
    await waitFor('mark written', async () => {
      const m = existsSync(markPath) ? parseMarkFile(readFileSync(markPath, 'utf8')) : null;
      return m && m.syncRowCount >= 200 && m.scanRowCount >= 200 ? m : null;
    });
    const text = readFileSync(markPath, 'utf8');
    expect(text.split('\n').filter(Boolean).map((l) => l.split('=')[0])).toEqual([
      'binlog_index', 'binlog_offset', 'need_sync_old', 'sync_old_done', 'until_timestamp', 'scan_row_count', 'sync_row_count',
    ]);
  });

  it('routes reads of new files to a replica only once it reported having them', async () => {
    // Every download right after an upload succeeds, whichever member the tracker picks.
    for (let i = 0; i < 50; i++) {
      const data = randomBytes(2048);
      const id = await client.upload(data, { ext: 'bin' });
      expect(md5(await client.downloadToBuffer(id))).toBe(md5(data));
    }
  });
});
