// A 2 GiB upload and download stream through a real storage (owner and worker processes) whose memory stays flat.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { startTracker, startStorage, stopAll, waitFor, type TrackerHandle, type StorageHandle } from '../helpers/cluster.js';

const SIZE = 2 * 1024 ** 3;
const CHUNK = 1 << 20;

let tracker: TrackerHandle;
let storage: StorageHandle;
let client: FdfsClient;

/** Peak resident set (VmHWM) of a process in MB. */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) / 1024;
}

/** Deterministic content: chunk i is filled with byte i % 251, stamped with its index. */
function* content(): Generator<Buffer> {
  for (let i = 0; i < SIZE / CHUNK; i++) {
    const b = Buffer.alloc(CHUNK, i % 251);
    b.writeUInt32BE(i, 0);
    yield b;
  }
}

beforeAll(async () => {
  tracker = await startTracker();
  // The default warm-up (not the suite's short one): the budget must hold for a storage as it runs in production.
  storage = await startStorage({ trackers: [tracker.address], env: { FDFS_WARM_UP: '' } });
  client = new FdfsClient({ trackers: [tracker.address], networkTimeout: 120 });
  await waitFor('ACTIVE', async () => (await client.listStorages('group1'))[0]?.status === StorageStatus.Active);
});

afterAll(async () => {
  client?.close();
  await stopAll([storage, tracker]);
});

describe('large files', () => {
  it('streams a 2 GiB upload and download with the storage well under 150 MB RSS', async () => {
    const expected = createHash('md5');
    for (const c of content()) expected.update(c);
    const id = await client.upload(content(), { size: SIZE, ext: 'bin' });
    const info = await client.info(id);
    expect(info.size).toBe(SIZE);

    const got = createHash('md5');
    let n = 0;
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        got.update(chunk);
        n += chunk.length;
        cb();
      },
    });
    expect(await client.downloadTo(id, sink)).toBe(SIZE);
    expect(n).toBe(SIZE);
    expect(got.digest('hex')).toBe(expected.digest('hex'));

    // The owner and each worker process (the transfer went through a worker): every one stays flat.
    const owner = storage.proc.child!.pid!;
    const workers = readFileSync(`/proc/${owner}/task/${owner}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    for (const pid of [owner, ...workers]) expect(peakRssMb(pid), `process ${pid}`).toBeLessThan(150);
    await client.delete(id);
  }, 180_000);
});
