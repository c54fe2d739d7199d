// Small uploads while the disk stalls (store/disk-pace.ts): with FDFS_SLOW_STORE_MS=0 every store of a real
// storage (two worker processes) goes through the thread pool instead of blocking calls on the event loop, so no
// small upload is answered inline and no connection goes to the C loop (a storage without it: they do); files
// uploaded through our client, the npm `fdfs` client and our CLI come back byte for byte, each once in the binlog.
// A bad FDFS_SLOW_STORE_MS stops fdfs serve with a plain message.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { startStorage, startTracker, stopAll, waitAllActive, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { runCli } from '../helpers/proc.js';
import { RawConnection } from '../helpers/raw-connection.js';
import { roleMetric } from '../helpers/role-metric.js';
import { StorageCmd } from '../../src/protocol/codes.js';
import { encodeUploadHead } from '../../src/protocol/storage-file.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const NpmFdfs = require('fdfs') as new (cfg: unknown) => { upload(file: Buffer, opts?: unknown): Promise<string> };

let tracker: TrackerHandle;
/** Every store through the thread pool. */
let storage: StorageHandle;
/** The default pace, in another group: blocking stores. */
let usual: StorageHandle;
let client: FdfsClient;
const HTTP_PORT = 8888;

beforeAll(async () => {
  tracker = await startTracker();
  const conf = { work_threads: 2, 'http.server_port': HTTP_PORT };
  storage = await startStorage({ trackers: [tracker.address], conf, env: { FDFS_SLOW_STORE_MS: '0' } });
  usual = await startStorage({ trackers: [tracker.address], group: 'group2', conf });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, [storage, usual]);
});

afterAll(async () => {
  client?.close();
  await stopAll([storage, usual, tracker]);
});

const inC = (h: StorageHandle) => roleMetric({ host: h.host, port: HTTP_PORT }, 'fdfs_native_connections', 'storage');

describe('small uploads through the thread pool (a stalling disk)', () => {
  it('stores what three clients send, byte for byte, each file once in the binlog, no temp file left', async () => {
    const sent = new Map<string, Buffer>();
    const sizes = [1, 100, 4096, 65_536, 200_000, 256 << 10];
    await Promise.all(sizes.flatMap((size) => [0, 1, 2].map(async () => {
      const data = randomBytes(size);
      sent.set(await client.upload(data, { ext: 'bin', group: 'group1' }), data);
    })));
    const npm = new NpmFdfs({ trackers: [{ host: tracker.host, port: tracker.port }], timeout: 10_000, logger: { log() {} } });
    for (const size of [10, 5000]) {
      const data = randomBytes(size);
      sent.set(await npm.upload(data, { ext: 'dat', group: 'group1' }), data);
    }
    const cliData = randomBytes(3000);
    const up = await runCli(['upload', '-', '--ext', 'txt', '-g', 'group1', '-t', tracker.address], { input: cliData });
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

  it('answers no small upload inline: its connections stay in JavaScript, where the usual pace sends them to C', async () => {
    const packet = Buffer.concat([encodeUploadHead(StorageCmd.UploadFile, { storePathIndex: -1, fileSize: 100, ext: 'bin' }), randomBytes(100)]);
    // Small downloads are still answered inline: the connections of the test before may be in C already. The
    // owner's count comes with the workers' reports: read once they have come in.
    await new Promise((r) => setTimeout(r, 1500));
    const before = { pooled: await inC(storage), blocking: await inC(usual) };
    const [pooled, blocking] = await Promise.all([RawConnection.connect(storage), RawConnection.connect(usual)]);
    try {
      for (let i = 0; i < 5; i++) {
        expect((await pooled.ask(packet))[9]).toBe(0);
        expect((await blocking.ask(packet))[9]).toBe(0);
      }
      await new Promise((r) => setTimeout(r, 1500));
      expect(await inC(usual)).toBe(before.blocking + 1);
      expect(await inC(storage)).toBe(before.pooled);
    } finally {
      pooled.socket.destroy();
      blocking.socket.destroy();
    }
  });

  it('a bad FDFS_SLOW_STORE_MS stops fdfs serve at once with a plain message and exit 2', async () => {
    const r = await runCli(['serve', '--role', 'tracker'], { env: { FDFS_SLOW_STORE_MS: 'soon' }, timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('FDFS_SLOW_STORE_MS must be a number of milliseconds (0: always the thread pool), not "soon"');
  });
});
