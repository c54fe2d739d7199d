// Large downloads sent with sendfile (native/send_file.c) from real processes: whole files and ranges arrive
// byte for byte as from a storage that reads and writes (FDFS_SENDFILE=0), pipelined requests keep their order,
// a reader that stops is cut off after network_timeout while the storage goes on serving, and a copy that needs
// a check on the way (not as fdfs wrote it) is still checked: a damaged one is never sent whole.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { encodeDownloadRequest } from '../../src/protocol/storage-file.js';
import { splitFileId } from '../../src/protocol/file-id.js';
import { startStorage, startTracker, stopAll, waitAllActive, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { RawConnection } from '../helpers/raw-connection.js';
import { downloadAt } from '../helpers/storage-direct.js';

let tracker: TrackerHandle;
let direct: StorageHandle;
let copying: StorageHandle;
let client: FdfsClient;
const content = randomBytes(5 << 20);
let onDirect = '';
let onCopying = '';

const request = (fileId: string, fileOffset = 0, downloadBytes = 0) => {
  const { group, logical } = splitFileId(fileId);
  return encodeDownloadRequest({ group, filename: logical, fileOffset, downloadBytes });
};

beforeAll(async () => {
  tracker = await startTracker();
  // Two groups: one storage each, so every upload lands where the test says.
  direct = await startStorage({ trackers: [tracker.address], group: 'group1', conf: { network_timeout: 2 } });
  copying = await startStorage({ trackers: [tracker.address], group: 'group2', env: { FDFS_SENDFILE: '0' } });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, [direct, copying]);
  onDirect = await client.upload(content, { ext: 'bin', group: 'group1' });
  onCopying = await client.upload(content, { ext: 'bin', group: 'group2' });
});

afterAll(async () => {
  client?.close();
  await stopAll([direct, copying, tracker]);
});

describe('large downloads with sendfile', () => {
  it('whole files and ranges arrive byte for byte, as from a storage that reads and writes', async () => {
    for (const [offset, length] of [[0, 0], [1, 0], [1_000_001, 2_000_000], [(5 << 20) - 300_000, 0], [262_144, 262_145]] as const) {
      const want = content.subarray(offset, length ? offset + length : undefined);
      const a = await client.downloadToBuffer(onDirect, { offset, length });
      const b = await client.downloadToBuffer(onCopying, { offset, length });
      expect(a.equals(want)).toBe(true);
      expect(b.equals(want)).toBe(true);
    }
    expect((await downloadAt(direct.address, onDirect)).equals(content)).toBe(true);
  });

  it('pipelined requests on one connection are answered in order', async () => {
    const raw = await RawConnection.connect(direct);
    raw.socket.write(Buffer.concat([request(onDirect, 0, 400_000), request(onDirect, 4 << 20, 0), request(onDirect, 7, 300_000)]));
    const frames = [await raw.frame(10_000), await raw.frame(10_000), await raw.frame(10_000)];
    raw.socket.destroy();
    expect(frames[0]!.subarray(10).equals(content.subarray(0, 400_000))).toBe(true);
    expect(frames[1]!.subarray(10).equals(content.subarray(4 << 20))).toBe(true);
    expect(frames[2]!.subarray(10).equals(content.subarray(7, 300_007))).toBe(true);
  });

  it('a reader that stops reading is cut off after network_timeout; the storage goes on serving', async () => {
    const big = randomBytes(48 << 20);
    const id = await client.upload(big, { ext: 'bin', group: 'group1' });
    const sock = net.connect({ host: direct.host, port: direct.port });
    sock.on('error', () => {});
    await new Promise((r) => sock.once('connect', r));
    sock.pause();
    sock.write(request(id));
    // network_timeout is 2 s: after 4 s without reading, what is in flight is all there is, then the end.
    await new Promise((r) => setTimeout(r, 4000));
    let received = 0;
    sock.on('data', (d: Buffer) => { received += d.length; });
    const ended = new Promise((r) => sock.once('close', r));
    sock.resume();
    await ended;
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(10 + big.length);
    expect((await client.downloadToBuffer(id)).equals(big)).toBe(true);
    await client.delete(id);
  });

  it('a copy changed behind fdfs\'s back is checked on the way: damaged, it is never sent whole', async () => {
    const id = await client.upload(content, { ext: 'bin', group: 'group1' });
    const { logical } = splitFileId(id);
    const file = path.join(direct.dir, 'data', logical.slice(4));
    const damaged = Buffer.from(content);
    damaged[3_000_000] ^= 0xff;
    // Rewritten now: its mtime is no longer the name's time, so the copy is read and checked, not sent as is.
    writeFileSync(file, damaged);
    const got = await client.downloadToBuffer(id).catch((err: unknown) => err);
    expect(got).toBeInstanceOf(Error);
  });
});
