// A storage with work_threads = 2 serves its port from two worker processes (cluster module) while the
// owner keeps what must be single. Uploads from many connections all land in one binlog, counters reach the
// tracker as one storage, appends to one file from several workers are serialised, and kill -9 of a worker
// or of the owner during an upload stream loses no acknowledged file.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { startStorage, startTracker, restartStorage, stopAll, waitFor, workerPids, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { downloadAt, missingAt } from '../helpers/storage-direct.js';
import { StorageCmd } from '../../src/protocol/codes.js';
import { decodeUploadResponse, encodeUploadHead } from '../../src/protocol/storage-file.js';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const twoCores = os.availableParallelism() >= 2;
const HTTP_PORT = 8888;

let tracker: TrackerHandle;
let s: StorageHandle;
let client: FdfsClient;

function binlogNames(h: StorageHandle): Set<string> {
  const text = readFileSync(path.join(h.dir, 'data', 'sync', 'binlog.000'), 'utf8');
  return new Set(text.trim().split('\n').map((l) => l.split(' ')[2]!));
}

/** Upload `count` files over `lanes` parallel connections; `during(i)` runs when upload i starts. */
async function uploadStream(count: number, lanes: number, during?: (i: number) => void): Promise<{ acked: Map<string, string>; failed: number }> {
  const acked = new Map<string, string>();
  let failed = 0;
  let started = 0;
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (started < count) {
      const i = started++;
      during?.(i);
      const data = randomBytes(512 + ((i * 257) % 8192));
      try {
        acked.set(await client.upload(data, { ext: 'bin' }), md5(data));
      } catch {
        failed++;
      }
    }
  }));
  return { acked, failed };
}

beforeAll(async () => {
  tracker = await startTracker();
  s = await startStorage({ trackers: [tracker.address], conf: { work_threads: 2, 'http.server_port': HTTP_PORT } });
  // Uploads after a kill fail at once rather than wait for the storage to come back (the default 5 s each).
  client = new FdfsClient({ trackers: [tracker.address], unavailableWait: 0 });
  await waitFor('storage ACTIVE', async () => (await client.listStorages('group1')).some((r) => r.status === 7), 20_000);
});

afterAll(async () => {
  client?.close();
  await stopAll([s, tracker]);
});

describe.runIf(twoCores)('storage worker processes', () => {
  it('serves from two workers; uploads over many connections land in the one binlog and count once at the tracker', async () => {
    expect(workerPids(s)).toHaveLength(2);
    // Each worker runs with the fixed young generation it is forked with (worker-heap.ts).
    for (const pid of workerPids(s)) {
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      expect(env.find((v) => v.startsWith('NODE_OPTIONS='))).toContain('--max-semi-space-size=2');
    }
    const before = (await client.listStorages('group1'))[0]!.stats.successUploadCount;
    const { acked, failed } = await uploadStream(120, 8);
    expect(failed).toBe(0);
    const names = binlogNames(s);
    for (const id of acked.keys()) expect(names.has(id.slice('group1/'.length))).toBe(true);
    expect(await missingAt(s.address, [...acked.keys()])).toEqual([]);
    await waitFor('the tracker counts all 120 uploads', async () =>
      (await client.listStorages('group1'))[0]!.stats.successUploadCount - before === 120, 10_000, 200);
  });

  it('serves the HTTP gateway from both workers; /metrics on either shows the whole storage', async () => {
    const id = await client.upload(Buffer.from('over http\n'), { ext: 'txt' });
    const pids = new Set<number>();
    for (let i = 0; i < 12 && pids.size < 2; i++) {
      // A new connection each time: the cluster module hands connections out round-robin.
      const res = await fetch(`http://${s.host}:${HTTP_PORT}/healthz`, { headers: { Connection: 'close' } });
      pids.add((await res.json() as { pid: number }).pid);
    }
    for (let i = 0; i < 4; i++) {
      const file = await fetch(`http://${s.host}:${HTTP_PORT}/${id}`, { headers: { Connection: 'close' } });
      expect(await file.text()).toBe('over http\n');
    }
    expect([...pids].sort()).toEqual(workerPids(s).sort());
    // GETs of the file through both workers, counted at the tracker as downloads of this one storage.
    await waitFor('HTTP GETs counted at the tracker', async () =>
      (await client.listStorages('group1'))[0]!.stats.successDownloadCount >= 2, 10_000, 200);
    for (let i = 0; i < 2; i++) {
      const text = await (await fetch(`http://${s.host}:${HTTP_PORT}/metrics`, { headers: { Connection: 'close' } })).text();
      // Disk gauges exist only in the owner: a worker's own registry would not have them.
      expect(text).toMatch(/^fdfs_storage_disk_bytes\{/m);
      expect(text).toMatch(/^fdfs_http_requests_total\{port="8888",method="GET",code="200"\} \d+/m);
    }
  });

  it('a small upload arriving in pieces, with pauses between them, is stored whole and answered once', async () => {
    const data = randomBytes(30_000);
    const packet = Buffer.concat([encodeUploadHead(StorageCmd.UploadFile, { storePathIndex: -1, fileSize: data.length, ext: 'bin' }), data]);
    const answer = await new Promise<Buffer>((resolve, reject) => {
      const sock = net.connect({ host: s.host, port: s.port }, async () => {
        for (const [from, to] of [[0, 12], [12, 5000], [5000, 20_000], [20_000, packet.length]] as const) {
          sock.write(packet.subarray(from, to));
          await new Promise((r) => setTimeout(r, 50));
        }
      });
      let got = Buffer.alloc(0);
      sock.on('data', (d) => {
        got = Buffer.concat([got, d]);
        if (got.length >= 10 && got.length === 10 + Number(got.readBigUInt64BE(0))) {
          sock.destroy();
          resolve(got);
        }
      });
      sock.on('error', reject);
      setTimeout(() => reject(new Error('no answer')), 5000).unref();
    });
    expect(answer[9]).toBe(0);
    const { group, logical } = decodeUploadResponse(answer.subarray(10));
    expect(md5(await downloadAt(s.address, `${group}/${logical}`))).toBe(md5(data));
    expect(binlogNames(s).has(logical)).toBe(true);
  });

  it('serialises appends to one appender file coming through both workers', async () => {
    const id = await client.uploadAppender(Buffer.from('start\n'), { ext: 'log' });
    const lanes = 6;
    const per = 10;
    await Promise.all(Array.from({ length: lanes }, async (_, lane) => {
      // Each lane its own client: its own connections, spread over the workers.
      const c = new FdfsClient({ trackers: [tracker.address] });
      try {
        for (let i = 0; i < per; i++) await c.append(id, Buffer.from(`lane ${lane} line ${i}\n`));
      } finally {
        c.close();
      }
    }));
    const text = (await downloadAt(s.address, id)).toString();
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(1 + lanes * per);
    for (let lane = 0; lane < lanes; lane++) {
      expect(lines.filter((l) => l.startsWith(`lane ${lane} `))).toEqual(Array.from({ length: per }, (_, i) => `lane ${lane} line ${i}`));
    }
  });

  it('kill -9 of a worker mid-stream loses no acknowledged file, and the owner starts another', async () => {
    const victim = workerPids(s)[0]!;
    const { acked, failed } = await uploadStream(200, 8, (i) => { if (i === 60) process.kill(victim, 'SIGKILL'); });
    console.log(`worker kill: acknowledged ${acked.size}, failed ${failed}`);
    expect(acked.size).toBeGreaterThan(150);
    expect(await missingAt(s.address, [...acked.keys()])).toEqual([]);
    const names = binlogNames(s);
    for (const id of acked.keys()) expect(names.has(id.slice('group1/'.length))).toBe(true);
    await waitFor('a replacement worker', async () => workerPids(s).length === 2 && !workerPids(s).includes(victim), 10_000, 100);
  });

  it('kill -9 of the owner mid-stream loses no acknowledged file: all are served and in the binlog after a restart', async () => {
    let killed: Promise<void> | null = null;
    const { acked, failed } = await uploadStream(200, 8, (i) => { if (i === 60) killed = s.proc.kill(); });
    await killed;
    console.log(`owner kill: acknowledged ${acked.size}, failed ${failed}`);
    expect(acked.size).toBeGreaterThan(40);
    // The orphaned workers notice their owner is gone and exit.
    await new Promise((r) => setTimeout(r, 500));
    await restartStorage(s);
    expect(workerPids(s)).toHaveLength(2);
    const names = binlogNames(s);
    for (const id of acked.keys()) expect(names.has(id.slice('group1/'.length))).toBe(true);
    for (const [id, sum] of acked) expect(md5(await downloadAt(s.address, id))).toBe(sum);
  });
});
