// Small uploads while the disk stalls (store/disk-pace.ts): with FDFS_SLOW_STORE_MS=0 every store of a real
// storage (two worker processes) goes through the thread pool instead of blocking calls on the event loop; files
// uploaded through our client, the npm `fdfs` client and our CLI come back byte for byte, each once in the binlog.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { startStorage, startTracker, stopAll, waitAllActive, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { runCli } from '../helpers/proc.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const NpmFdfs = require('fdfs') as new (cfg: unknown) => { upload(file: Buffer, opts?: unknown): Promise<string> };

let tracker: TrackerHandle;
let storage: StorageHandle;
let client: FdfsClient;

beforeAll(async () => {
  tracker = await startTracker();
  storage = await startStorage({ trackers: [tracker.address], conf: { work_threads: 2 }, env: { FDFS_SLOW_STORE_MS: '0' } });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, [storage]);
});

afterAll(async () => {
  client?.close();
  await stopAll([storage, tracker]);
});

describe('small uploads through the thread pool (a stalling disk)', () => {
  it('stores what three clients send, byte for byte, each file once in the binlog, no temp file left', async () => {
    const sent = new Map<string, Buffer>();
    const sizes = [1, 100, 4096, 65_536, 200_000, 256 << 10];
    await Promise.all(sizes.flatMap((size) => [0, 1, 2].map(async () => {
      const data = randomBytes(size);
      sent.set(await client.upload(data, { ext: 'bin' }), data);
    })));
    const npm = new NpmFdfs({ trackers: [{ host: tracker.host, port: tracker.port }], timeout: 10_000, logger: { log() {} } });
    for (const size of [10, 5000]) {
      const data = randomBytes(size);
      sent.set(await npm.upload(data, { ext: 'dat' }), data);
    }
    const cliData = randomBytes(3000);
    const up = await runCli(['upload', '-', '--ext', 'txt', '-t', tracker.address], { input: cliData });
    expect(up.code, up.stderr).toBe(0);
    sent.set(up.stdout.trim(), cliData);

    for (const [id, data] of sent) expect((await client.downloadToBuffer(id)).equals(data)).toBe(true);
    const binlog = readFileSync(path.join(storage.dir, 'data', 'sync', 'binlog.000'), 'utf8');
    for (const id of sent.keys()) {
      const name = id.slice(id.indexOf('/') + 1);
      expect(binlog.split('\n').filter((l) => l.endsWith(` C ${name}`))).toHaveLength(1);
    }
    const temps = (readdirSync(path.join(storage.dir, 'data'), { recursive: true }) as string[]).filter((f) => f.endsWith('.tmp'));
    expect(temps).toEqual([]);
  });
});
