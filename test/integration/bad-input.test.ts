// Malformed and hostile requests against real tracker and storage processes: the right errno
// (or a closed connection, as stock does), and everyone else keeps being served.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import net from 'node:net';
import { FdfsClient } from '../../src/client/index.js';
import { Connection } from '../../src/net/connection.js';
import { encodeHeader } from '../../src/protocol/header.js';
import { encodeQueryFetchRequest } from '../../src/protocol/tracker-query.js';
import { BufWriter } from '../../src/protocol/buf.js';
import { FdfsStorageCmd, StorageStatus, StorageCmd, TrackerCmd } from '../../src/protocol/codes.js';
import { Errno } from '../../src/errors.js';
import { startTracker, startStorage, stopAll, waitFor, type TrackerHandle, type StorageHandle } from '../helpers/cluster.js';

let tracker: TrackerHandle;
let storage: StorageHandle;
let client: FdfsClient;
let goodId = '';

beforeAll(async () => {
  tracker = await startTracker();
  storage = await startStorage({ trackers: [tracker.address] });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitFor('ACTIVE', async () => (await client.listStorages('group1'))[0]?.status === StorageStatus.Active);
  goodId = await client.upload(Buffer.from('still here'), { ext: 'txt' });
});

afterAll(async () => {
  client?.close();
  await stopAll([storage, tracker]);
});

async function stillServing(): Promise<void> {
  expect((await client.downloadToBuffer(goodId)).toString()).toBe('still here');
}

/** Send raw bytes; resolve with what came back before the server closed or `ms` passed. */
function raw(host: string, port: number, bytes: Buffer, ms = 1500): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const parts: Buffer[] = [];
    let closed = false;
    s.on('data', (b) => parts.push(b));
    s.on('error', () => {});
    s.on('close', () => { closed = true; finish(); });
    const timer = setTimeout(finish, ms);
    let done = false;
    function finish() {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ data: Buffer.concat(parts), closed });
    }
    s.on('connect', () => s.write(bytes));
  });
}

describe('tracker', () => {
  it('answers an unknown command with EINVAL and keeps the connection', async () => {
    const c = await Connection.connect(tracker.host, tracker.port);
    await expect(c.call(encodeHeader(0, 250))).rejects.toMatchObject({ errno: Errno.EINVAL });
    // The client marked it broken, but the tracker keeps it open: a second request still works.
    expect((await c.call(encodeHeader(0, 111), { onError: 'return' })).status).toBe(0);
    c.destroy();
  });

  it('rejects bad query bodies with EINVAL and an unknown group with ENOENT', async () => {
    const c = await Connection.connect(tracker.host, tracker.port);
    await expect(c.call(Buffer.concat([encodeHeader(3, TrackerCmd.QueryStoreWithoutGroupOne), Buffer.from('abc')]))).rejects.toMatchObject({ errno: Errno.EINVAL });
    c.destroy();
    const d = await Connection.connect(tracker.host, tracker.port);
    await expect(d.call(encodeQueryFetchRequest(102, 'nosuch', 'M00/00/00/CgAAAmsB8HuAKOo1AAAAHWMZ9Uk701.txt'))).rejects.toMatchObject({ errno: Errno.ENOENT });
    d.destroy();
    await stillServing();
  });

  it('closes a connection announcing an oversized packet', async () => {
    const r = await raw(tracker.host, tracker.port, encodeHeader(1 << 30, 91));
    expect(r.closed).toBe(true);
    await stillServing();
  });

  it('drops a connection that stalls mid-header, without hurting others', async () => {
    const r = await raw(tracker.host, tracker.port, Buffer.from([0, 0, 0]), 500);
    expect(r.data.length).toBe(0);
    await stillServing();
  });
});

describe('storage', () => {
  const group = 'group1';

  it('123 SYNC_PIPELINING answers 0 with no body, EINVAL with one; the storage keeps serving', async () => {
    const c = await Connection.connect(storage.host, storage.port);
    expect((await c.call(encodeHeader(0, FdfsStorageCmd.SyncPipelining), { onError: 'return' })).status).toBe(0);
    const withBody = Buffer.concat([encodeHeader(3, FdfsStorageCmd.SyncPipelining), Buffer.from('abc')]);
    expect((await c.call(withBody, { onError: 'return' })).status).toBe(Errno.EINVAL);
    c.destroy();
    await stillServing();
  });

  function download(name: string): Buffer {
    return new BufWriter(32 + name.length).i64(0).i64(0).fixed(group, 16).bytes(name).finish(StorageCmd.DownloadFile);
  }

  it('refuses path traversal in file names with EINVAL and closes', async () => {
    for (const name of ['M00/../../../etc/passwd', 'M00/00/00/../../../../../etc/passwd', 'M00/0/00/x', 'M01/00/00/CgAAAmsB8HuAKOo1AAAAHWMZ9Uk701.txt', 'M00/00/00/a\0b']) {
      const r = await raw(storage.host, storage.port, download(name));
      expect(r.data.subarray(0, 10)).toEqual(encodeHeader(0, 100, Errno.EINVAL));
      expect(r.closed).toBe(true);
    }
    await stillServing();
  });

  it('answers ENOENT for a well-formed name that does not exist', async () => {
    const r = await raw(storage.host, storage.port, download('M00/00/00/CgAAAmsB8HuAKOo1AAAAHWMZ9Uk701.txt'));
    expect(r.data.subarray(0, 10)).toEqual(encodeHeader(0, 100, Errno.ENOENT));
  });

  it('closes on a truncated upload and leaves no file behind', async () => {
    // Announce 100 bytes of content, send 10, then hang up.
    const head = new BufWriter(15).u8(0).i64(100).fixed('txt', 6).finish(StorageCmd.UploadFile);
    head.writeBigInt64BE(115n, 0);
    await raw(storage.host, storage.port, Buffer.concat([head, Buffer.alloc(10, 1)]), 300);
    await stillServing();
  });

  it('rejects an upload whose file_size disagrees with pkg_len (EINVAL)', async () => {
    const head = new BufWriter(15).u8(0).i64(50).fixed('txt', 6).finish(StorageCmd.UploadFile);
    const r = await raw(storage.host, storage.port, Buffer.concat([head]));
    expect(r.data.subarray(0, 10)).toEqual(encodeHeader(0, 100, Errno.EINVAL));
    await stillServing();
  });

  it('rejects an oversized non-streamed request and an unknown command', async () => {
    const big = await raw(storage.host, storage.port, encodeHeader(64 << 20, StorageCmd.GetMetadata));
    expect(big.data.subarray(0, 10)).toEqual(encodeHeader(0, 100, Errno.EINVAL));
    expect(big.closed).toBe(true);
    const unknown = await raw(storage.host, storage.port, encodeHeader(0, 99));
    expect(unknown.data.subarray(0, 10)).toEqual(encodeHeader(0, 100, Errno.EINVAL));
    await stillServing();
  });
});
