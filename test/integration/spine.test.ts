// The spine end to end: a tracker and a storage as real `fdfs serve` processes, driven by our
// client library, our CLI and the third-party npm `fdfs` client.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync, readFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { Errno } from '../../src/errors.js';
import { startTracker, startStorage, stopAll, waitFor, tempDir, type TrackerHandle, type StorageHandle } from '../helpers/cluster.js';
import { runCli } from '../helpers/proc.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const NpmFdfs = require('fdfs') as new (cfg: unknown) => {
  upload(file: Buffer | string, opts?: unknown): Promise<string>;
  download(fileId: string, opts: unknown): Promise<void>;
  del(fileId: string): Promise<void>;
  getFileInfo(fileId: string): Promise<{ size: number; timestamp: number; crc32: number; addr: string }>;
  setMetaData(fileId: string, meta: Record<string, string>, flag?: string): Promise<void>;
  getMetaData(fileId: string): Promise<Record<string, string>>;
};

let tracker: TrackerHandle;
let storage: StorageHandle;
let client: FdfsClient;
const work = tempDir('fdfs-spine-');

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

beforeAll(async () => {
  tracker = await startTracker();
  storage = await startStorage({ trackers: [tracker.address] });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitFor('storage ACTIVE', async () => {
    const list = await client.listStorages('group1');
    return list.length === 1 && list[0]!.status === StorageStatus.Active;
  });
});

afterAll(async () => {
  client?.close();
  await stopAll([storage, tracker]);
});

describe('our client library', () => {
  it('uploads a buffer and downloads it whole and by range', async () => {
    const data = randomBytes(100_000);
    const id = await client.upload(data, { ext: 'bin' });
    expect(id).toMatch(/^group1\/M00\/[0-9A-F]{2}\/[0-9A-F]{2}\/[A-Za-z0-9_-]{27}\d{3}\.bin$/);
    expect(md5(await client.downloadToBuffer(id))).toBe(md5(data));
    expect(await client.downloadToBuffer(id, { offset: 1000, length: 500 })).toEqual(data.subarray(1000, 1500));
    // A range past the end is clamped (6.15.4+ rules).
    expect(await client.downloadToBuffer(id, { offset: 99_990, length: 100 })).toEqual(data.subarray(99_990));
    await expect(client.downloadToBuffer(id, { offset: 100_000 })).rejects.toMatchObject({ errno: Errno.EINVAL });
  });

  it('names files the way FastDFS does: source IP, size and CRC32 decode from the ID', async () => {
    const data = Buffer.from('Hello FastDFS wire protocol!\n');
    const id = await client.upload(data, { ext: 'txt' });
    const d = client.decodeFileId(id);
    expect(d.kind).toBe('normal');
    expect(d.source).toEqual({ ipv4: storage.host });
    expect(d.size).toBe(29);
    expect(d.crc32).toBe(0x6319f549);
    expect(Math.abs(d.timestamp - Date.now() / 1000)).toBeLessThan(30);
    const info = await client.info(id);
    expect(info).toMatchObject({ size: 29, crc32: 0x6319f549, sourceIp: storage.host });
  });

  it('uploads from a file path with metadata, lists it, and replaces or merges metadata', async () => {
    const file = path.join(work, 'photo.jpg');
    writeFileSync(file, randomBytes(5000));
    const id = await client.upload(file, { metadata: { width: '160', height: '80' } });
    expect(id.endsWith('.jpg')).toBe(true);
    expect(await client.getMetadata(id)).toEqual({ height: '80', width: '160' });
    await client.setMetadata(id, { color: 'red', width: '1024' }, 'merge');
    expect(await client.getMetadata(id)).toEqual({ color: 'red', height: '80', width: '1024' });
    await client.setMetadata(id, { only: 'one' }, 'overwrite');
    expect(await client.getMetadata(id)).toEqual({ only: 'one' });
  });

  it('deletes, and a deleted file is gone', async () => {
    const id = await client.upload(Buffer.from('short-lived'), { ext: 'txt' });
    expect(await client.exists(id)).toBe(true);
    await client.delete(id);
    expect(await client.exists(id)).toBe(false);
    await expect(client.downloadToBuffer(id)).rejects.toMatchObject({ errno: Errno.ENOENT });
    await expect(client.delete(id)).rejects.toMatchObject({ errno: Errno.ENOENT });
  });

  it('stores files where a stock storage puts them, with no temp file left behind', async () => {
    const id = await client.upload(Buffer.from('on disk'), { ext: 'txt', metadata: { a: '1' } });
    const logical = id.slice('group1/'.length);
    const rel = logical.slice(4); // strip "M00/"
    const file = path.join(storage.dir, 'data', rel);
    expect(readFileSync(file, 'utf8')).toBe('on disk');
    expect(existsSync(`${file}-m`)).toBe(true);
    // The binlog is flushed every sync_binlog_buff_interval (1 s).
    const line = new RegExp(`^\\d+ C ${logical.replace(/[.]/g, '\\.')}$`, 'm');
    await waitFor('binlog line', async () => line.test(readFileSync(path.join(storage.dir, 'data', 'sync', 'binlog.000'), 'utf8')), 5000);
  });
});

describe('tracker failover in the client', () => {
  it('skips a dead tracker and stays on the one that answers', async () => {
    const c = new FdfsClient({ trackers: ['127.0.0.1:1', tracker.address] });
    try {
      const id = await c.upload(Buffer.from('via the second tracker'), { ext: 'txt' });
      expect((await c.downloadToBuffer(id)).toString()).toBe('via the second tracker');
      const health = c.trackerHealth();
      expect(health[0]).toMatchObject({ address: '127.0.0.1:1', lastOkAt: null });
      expect(health[0]!.failures).toBeGreaterThanOrEqual(1);
      // Once a tracker answered, later calls start there: the dead one is not retried each time.
      const before = health[0]!.failures;
      await c.listGroups();
      expect(c.trackerHealth()[0]!.failures).toBe(before);
    } finally {
      c.close();
    }
  });
});

describe('our CLI', () => {
  const t = () => ['--tracker', tracker.address];

  it('uploads files and stdin, prints one ID per line, downloads to a file and to stdout', async () => {
    const a = path.join(work, 'a.txt');
    const b = path.join(work, 'b.tar.gz');
    writeFileSync(a, 'alpha');
    writeFileSync(b, randomBytes(3000));
    const up = await runCli(['upload', a, b, ...t()]);
    expect(up.code, up.stderr).toBe(0);
    const ids = up.stdout.trim().split('\n');
    expect(ids).toHaveLength(2);
    expect(ids[0]).toMatch(/\.txt$/);
    expect(ids[1]).toMatch(/\.tar\.gz$/);

    const fromStdin = await runCli(['upload', '-', '--ext', 'log', ...t()], { input: 'from stdin\n' });
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    const stdinId = fromStdin.stdout.trim();
    const out = await runCli(['download', stdinId, '-', ...t()]);
    expect(out.stdout).toBe('from stdin\n');

    const dest = path.join(work, 'b.copy');
    const dl = await runCli(['download', ids[1]!, dest, ...t()]);
    expect(dl.code, dl.stderr).toBe(0);
    expect(readFileSync(dest)).toEqual(readFileSync(b));

    const ranged = await runCli(['download', ids[0]!, '-', '--offset', '1', '--length', '3', ...t()]);
    expect(ranged.stdout).toBe('lph');

    // A destination folder that does not exist: one plain line, exit 2, nothing left behind.
    const nowhere = await runCli(['download', ids[1]!, path.join(work, 'no', 'such', 'dir', 'x.bin'), ...t()]);
    expect({ code: nowhere.code, stderr: nowhere.stderr.trim() }).toEqual({
      code: 2, stderr: `fdfs: cannot write ${path.join(work, 'no', 'such', 'dir', 'x.bin')}: no such directory`,
    });
  });

  it('info decodes offline and from the server, with --json', async () => {
    const id = (await runCli(['upload', '-', '--ext', 'txt', ...t()], { input: 'Hello FastDFS wire protocol!\n' })).stdout.trim();
    const offline = await runCli(['info', id, '--offline']);
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stdout).toContain('GET FROM SERVER: false');
    expect(offline.stdout).toContain('file size: 29');
    expect(offline.stdout).toContain('file crc32: 1662645577 (0x6319f549)');
    expect(offline.stdout).toContain(`source ip address: ${storage.host}`);
    const server = await runCli(['info', id, '--server', '--json', ...t()]);
    expect(JSON.parse(server.stdout)).toMatchObject({ getFromServer: true, fileSize: 29, crc32: 1662645577 });
  });

  it('sets and merges metadata and deletes', async () => {
    const id = (await runCli(['upload', '-', ...t()], { input: 'm' })).stdout.trim();
    expect((await runCli(['meta', 'set', id, 'a=1', 'b=x=y', ...t()])).code).toBe(0);
    expect((await runCli(['meta', 'set', id, 'c=3', '--merge', ...t()])).code).toBe(0);
    const get = await runCli(['meta', 'get', id, ...t()]);
    expect(get.stdout.trim().split('\n')).toEqual(['a=1', 'b=x=y', 'c=3']);
    const json = await runCli(['meta', 'get', id, '--json', ...t()]);
    expect(JSON.parse(json.stdout)).toEqual({ fileId: id, metadata: { a: '1', b: 'x=y', c: '3' } });
    expect((await runCli(['delete', id, ...t()])).code).toBe(0);
    const again = await runCli(['delete', id, ...t()]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/^fdfs: .*ENOENT/m);
    expect(again.stderr).not.toMatch(/\n\s+at /);
  });

  it('fails with one plain line and a non-zero exit on bad input', async () => {
    const bad = await runCli(['download', 'not-a-file-id', '-', ...t()]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const missing = await runCli(['upload', path.join(work, 'nope.txt'), ...t()]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no such file');
    const unreachable = await runCli(['upload', '-', '--tracker', '127.0.0.1:1'], { input: 'x' });
    expect(unreachable.code).not.toBe(0);
    expect(unreachable.stderr).toMatch(/^fdfs: cannot reach tracker 127\.0\.0\.1:1 \(connection refused\) — is `fdfs serve` running there\?/);
    const viaEnv = await runCli(['upload', '-'], { input: 'env', env: { FDFS_TRACKER: tracker.address } });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    // A group the tracker does not know: said as such, not a bare "not found".
    const noGroup = await runCli(['upload', '-', '-g', 'group9', ...t()], { input: 'x' });
    expect({ code: noGroup.code, stderr: noGroup.stderr.trim() }).toEqual({
      code: 3, stderr: 'fdfs: the tracker knows no group group9 (fdfs groups lists the groups) (ENOENT)',
    });
  });

  it('reads trackers from a stock client.conf', async () => {
    const conf = path.join(work, 'client.conf');
    writeFileSync(conf, `connect_timeout = 5\nnetwork_timeout = 60\nbase_path = ${work}\ntracker_server = ${tracker.address}\nlog_level = info\n`);
    const up = await runCli(['upload', '-', '--config', conf], { input: 'conf' });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout.trim()).toMatch(/^group1\//);
  });
});

describe('the third-party npm fdfs client', () => {
  const npm = () => new NpmFdfs({ trackers: [{ host: tracker.host, port: tracker.port }], timeout: 10_000, logger: { log() {} } });

  it('uploads, downloads, reads file info and deletes through fdfs servers', async () => {
    const c = npm();
    const data = randomBytes(20_000);
    const id = await c.upload(data, { ext: 'bin' });
    expect(id).toMatch(/^group1\/M00\//);
    const dest = path.join(work, 'npm-download.bin');
    await c.download(id, dest);
    expect(md5(readFileSync(dest))).toBe(md5(data));
    const part = path.join(work, 'npm-part.bin');
    await c.download(id, { target: part, offset: 5, bytes: 5 });
    expect(readFileSync(part)).toEqual(data.subarray(5, 10));
    const info = await c.getFileInfo(id);
    expect(info.size).toBe(20_000);
    await c.setMetaData(id, { k1: 'v1', k2: 'v2' });
    expect(await c.getMetaData(id)).toEqual({ k1: 'v1', k2: 'v2' });
    await c.setMetaData(id, { k3: 'v3' }, 'M');
    expect(await c.getMetaData(id)).toEqual({ k1: 'v1', k2: 'v2', k3: 'v3' });
    await c.del(id);
    expect(await client.exists(id)).toBe(false);
  });

  it('reads files uploaded by our client, and ours reads its uploads', async () => {
    const c = npm();
    const ours = await client.upload(Buffer.from('written by fdfs'), { ext: 'txt' });
    const dest = path.join(work, 'cross.txt');
    await c.download(ours, dest);
    expect(readFileSync(dest, 'utf8')).toBe('written by fdfs');
    const theirs = await c.upload(Buffer.from('written by npm fdfs'), { ext: 'txt' });
    expect((await client.downloadToBuffer(theirs)).toString()).toBe('written by npm fdfs');
    expect(statSync(dest).size).toBe(15);
  });
});
