// A new member's full copy (§9.6): a third storage joins a group holding 1000 files; the designated source
// replays its binlog, reports it SYNCING then OFFLINE, and the newcomer turns ACTIVE only holding every file.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus, storageStatusName } from '../../src/protocol/codes.js';
import { parseDataInitFlag } from '../../src/protocol/binlog-format.js';
import { startStorage, stopAll, waitFor, type TrackerHandle, type StorageHandle, storageStatus, startTwoMemberGroup } from '../helpers/cluster.js';
import { countStoredFiles, downloadAt, missingAt } from '../helpers/storage-direct.js';

const FILES = 1000;
let tracker: TrackerHandle;
let s1: StorageHandle;
let s2: StorageHandle;
let s3: StorageHandle | undefined;
let client: FdfsClient;
const sums = new Map<string, string>();

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

const statusOf = (s: StorageHandle): Promise<number | undefined> => storageStatus(client, s.host);

beforeAll(async () => {
  ({ tracker, s1, s2, client } = await startTwoMemberGroup());
  const queue = Array.from({ length: FILES }, (_, i) => i);
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      const data = randomBytes(256 + ((i * 97) % 4096));
      sums.set(await client.upload(data, { ext: 'bin' }), md5(data));
    }
  }));
  const ids = [...sums.keys()];
  await waitFor('the group in sync', async () =>
    (await missingAt(s1.address, ids)).length === 0 && (await missingAt(s2.address, ids)).length === 0, 30_000, 250);
});

afterAll(async () => {
  client?.close();
  await stopAll([s3, s1, s2, tracker]);
});

describe('a new member of a group holding data', () => {
  it(`turns ACTIVE only once it holds all ${FILES} files`, async () => {
    const t0 = Date.now();
    s3 = await startStorage({ trackers: [tracker.address] });
    const seen: string[] = [];
    let activeAt = 0;
    await waitFor('the new member ACTIVE', async () => {
      // Status first, then the count: files only arrive, so ACTIVE with a short count is a real violation.
      const st = await statusOf(s3!);
      const count = countStoredFiles(s3!.dir);
      const name = st === undefined ? 'unknown' : storageStatusName(st);
      if (seen.at(-1) !== name) seen.push(name);
      if (st === StorageStatus.Active) {
        expect(count, `ACTIVE with ${count} of ${FILES} files`).toBe(FILES);
        activeAt = Date.now();
        return true;
      }
      return false;
    }, 60_000, 50);
    console.log(`join of a member into ${FILES} files: statuses ${seen.join(' → ')}; ACTIVE after ${activeAt - t0} ms`);
    expect(seen).not.toContain('ONLINE');
    const ids = [...sums.keys()];
    expect(await missingAt(s3.address, ids)).toEqual([]);
    let i = 0;
    for (const [id, sum] of sums) if (i++ % 20 === 0) expect(md5(await downloadAt(s3.address, id))).toBe(sum);
    // Its sync plan names the designated source and the cut-off.
    const flag = parseDataInitFlag(readFileSync(path.join(s3.dir, 'data', '.data_init_flag'), 'utf8'))!;
    expect([s1.host, s2.host]).toContain(flag.syncSrcServer);
    expect(flag.syncOldDone).toBe(true);
  });

  it('then receives new uploads from every member and replicates its own', async () => {
    const fresh = new Map<string, string>();
    for (let i = 0; i < 30; i++) {
      const data = randomBytes(3000 + i);
      fresh.set(await client.upload(data, { ext: 'txt' }), md5(data));
    }
    const ids = [...fresh.keys()];
    const sources = new Set(ids.map((id) => JSON.stringify(client.decodeFileId(id).source)));
    expect(sources.size).toBe(3);
    await waitFor('new files on all three', async () => {
      for (const s of [s1, s2, s3!]) if ((await missingAt(s.address, ids)).length) return false;
      return true;
    }, 20_000, 200);
    for (const [id, sum] of fresh) expect(md5(await client.downloadToBuffer(id))).toBe(sum);
  });
});
