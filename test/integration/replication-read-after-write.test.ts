// Read-after-write across replicas (§8.5.3, §10.1): 1000 uploads each downloaded right away from whichever
// member the tracker names, under a background upload load with one replica made slow (stopped and continued
// over and over); older files are read back too, so replicas do serve reads once they reported having them.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { FdfsClient } from '../../src/client/index.js';
import { stopAll, type TrackerHandle, type StorageHandle, startTwoMemberGroup } from '../helpers/cluster.js';
import { downloadAt } from '../helpers/storage-direct.js';

let tracker: TrackerHandle;
let s1: StorageHandle;
let s2: StorageHandle;
let client: FdfsClient;

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

beforeAll(async () => {
  ({ tracker, s1, s2, client } = await startTwoMemberGroup({ checkActiveInterval: 3, networkTimeout: 20 }));
});

afterAll(async () => {
  client?.close();
  const pid = s2?.proc.child?.pid;
  if (pid && s2.proc.running) process.kill(pid, 'SIGCONT');
  await stopAll([s1, s2, tracker]);
});

describe('read after write', () => {
  it('never fails a download right after its upload, with a loaded group and a slow replica', async () => {
    let done = false;
    // Background load: 32 KiB uploads on two connections (bounded).
    let loadCount = 0;
    const load = Promise.all(Array.from({ length: 2 }, async () => {
      while (!done && loadCount < 2000) {
        loadCount++;
        await client.upload(randomBytes(32 << 10), { ext: 'bin' });
        await new Promise((r) => setTimeout(r, 5));
      }
    }));
    // A slow replica: s2 is stopped for 100 ms every 700 ms.
    const pid = s2.proc.child!.pid!;
    const slow = (async () => {
      while (!done) {
        process.kill(pid, 'SIGSTOP');
        await new Promise((r) => setTimeout(r, 100));
        process.kill(pid, 'SIGCONT');
        await new Promise((r) => setTimeout(r, 600));
      }
    })();
    const written: Array<{ id: string; sum: string }> = [];
    const failures: string[] = [];
    let replicaReads = 0;
    const t0 = Date.now();
    try {
      for (let i = 0; i < 1000; i++) {
        const data = randomBytes(4096);
        const id = await client.upload(data, { ext: 'txt' });
        const sum = md5(data);
        written.push({ id, sum });
        // Read it back at once from the member the tracker names; then an older one (replicas get those).
        for (const f of [{ id, sum }, written[Math.floor(Math.random() * written.length)]!]) {
          const target = await client.queryFetch(f.id);
          const src = client.decodeFileId(f.id).source;
          if (!('ipv4' in src) || src.ipv4 !== target.ip) replicaReads++;
          try {
            const got = md5(await downloadAt(`${target.ip}:${target.port}`, f.id));
            if (got !== f.sum) failures.push(`${f.id} from ${target.ip}: wrong content`);
          } catch (err) {
            failures.push(`${f.id} from ${target.ip}: ${(err as Error).message}`);
          }
        }
      }
    } finally {
      done = true;
      await slow;
      process.kill(pid, 'SIGCONT');
      await load;
    }
    console.log(`1000 upload+read pairs in ${Date.now() - t0} ms; ${loadCount} background uploads; ${replicaReads} of 2000 reads served by a replica`);
    expect(failures).toEqual([]);
    expect(replicaReads).toBeGreaterThan(0);
  });
});
