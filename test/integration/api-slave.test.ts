// Slave files end to end (spec §5.2, §6.7): upload next to the master (located with 103), names computed
// client-side and by the storage agree, contents and file info checked, through our client and our CLI.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { Errno } from '../../src/errors.js';
import { startTracker, startStorage, stopAll, waitFor, tempDir, type TrackerHandle, type StorageHandle } from '../helpers/cluster.js';
import { runCli } from '../helpers/proc.js';

let tracker: TrackerHandle;
let storage: StorageHandle;
let client: FdfsClient;
const work = tempDir('fdfs-api-slave-');

const onDisk = (id: string) => path.join(storage.dir, 'data', id.slice(id.indexOf('/') + 1).slice(4));

beforeAll(async () => {
  tracker = await startTracker();
  storage = await startStorage({ trackers: [tracker.address] });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitFor('storage ACTIVE', async () => { const s = (await client.listStorages('group1'))[0]; return s?.status === StorageStatus.Active && s.freeMb > 0; });
});

afterAll(async () => {
  client?.close();
  await stopAll([storage, tracker]);
});

describe('slave file names (client side, §6.7)', () => {
  const master = 'group1/M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066.txt';

  it('matches the captured example and the extension rules', () => {
    expect(client.slaveFileId(master, '_big', 'txt')).toBe('group1/M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066_big.txt');
    expect(client.slaveFileId(master, '_big')).toBe('group1/M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066_big.txt');
    expect(client.slaveFileId(master, '_big', '.jpg')).toBe('group1/M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066_big.jpg');
    expect(client.slaveFileId(master, '_big', '')).toBe('group1/M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066_big');
    expect(client.slaveFileId(master, '', 'jpg')).toBe('group1/M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066.jpg');
    const bare = 'group1/M00/00/00/Ck0AA2sB8QGAHON3AAAAAAAAAAA3905426';
    expect(client.slaveFileId(bare, '_s')).toBe(`${bare}_s`);
  });

  it('refuses the names stock refuses', () => {
    expect(() => client.slaveFileId(master, '-m', '')).toThrow(/metadata/);
    expect(() => client.slaveFileId(master, '', 'txt')).toThrow(/equal the master/);
    expect(() => client.slaveFileId(master, 'bad/prefix', 'txt')).toThrow();
    expect(() => client.slaveFileId(master, '_x', 'toolong')).toThrow();
  });
});

describe('slave uploads through our client', () => {
  it('stores the slave next to its master under the computed name, with its own size and CRC', async () => {
    const masterData = randomBytes(4000);
    const master = await client.upload(masterData, { ext: 'jpg' });
    const thumb = randomBytes(321);
    const slave = await client.uploadSlave(master, '_150x150', thumb, { ext: 'jpg' });
    expect(slave).toBe(client.slaveFileId(master, '_150x150', 'jpg'));
    expect(slave).toBe(`${master.slice(0, -4)}_150x150.jpg`);
    expect(await client.downloadToBuffer(slave)).toEqual(thumb);
    expect(readFileSync(onDisk(slave))).toEqual(thumb);
    // Offline the name tells the master's facts and the slave type; the storage tells the slave's own.
    const d = client.decodeFileId(slave);
    expect(d.kind).toBe('slave');
    expect(d.crc32).toBe(zlib.crc32(masterData));
    const info = await client.info(slave);
    expect(info).toMatchObject({ kind: 'slave', size: 321, crc32: zlib.crc32(thumb), sourceIp: storage.host });
    // Master untouched.
    expect(await client.downloadToBuffer(master)).toEqual(masterData);
  });

  it('keeps the master extension by default for buffers, takes a path\'s, and allows none', async () => {
    const master = await client.upload(Buffer.from('m'), { ext: 'png' });
    expect(await client.uploadSlave(master, '_a', Buffer.from('a'))).toBe(client.slaveFileId(master, '_a'));
    const f = path.join(work, 'thumb.webp');
    writeFileSync(f, 'webp');
    const fromPath = await client.uploadSlave(master, '_b', f);
    expect(fromPath.endsWith('_b.webp')).toBe(true);
    const none = await client.uploadSlave(master, '_c', Buffer.from('c'), { ext: '' });
    expect(none).toBe(client.slaveFileId(master, '_c', ''));
    expect((await client.downloadToBuffer(none)).toString()).toBe('c');
  });

  it('answers EEXIST for an existing slave, ENOENT without a master; metadata can be attached', async () => {
    const master = await client.upload(Buffer.from('master'), { ext: 'txt' });
    const slave = await client.uploadSlave(master, '_v1', Buffer.from('one'), { metadata: { kind: 'preview' } });
    expect(await client.getMetadata(slave)).toEqual({ kind: 'preview' });
    await expect(client.uploadSlave(master, '_v1', Buffer.from('two'))).rejects.toMatchObject({ errno: Errno.EEXIST });
    expect((await client.downloadToBuffer(slave)).toString()).toBe('one');
    const gone = await client.upload(Buffer.from('gone'), { ext: 'txt' });
    await client.delete(gone);
    await expect(client.uploadSlave(gone, '_v1', Buffer.from('x'))).rejects.toMatchObject({ errno: Errno.ENOENT });
    expect(existsSync(onDisk(client.slaveFileId(gone, '_v1')))).toBe(false);
  });

  it('logs the slave with a C binlog record (replicated like any upload)', async () => {
    const master = await client.upload(Buffer.from('bin'), { ext: 'txt' });
    const slave = await client.uploadSlave(master, '_log', Buffer.from('slave'));
    const name = slave.slice('group1/'.length).replace(/[.]/g, '\\.');
    await waitFor('binlog C line', async () =>
      new RegExp(`^\\d+ C ${name}$`, 'm').test(readFileSync(path.join(storage.dir, 'data', 'sync', 'binlog.000'), 'utf8')), 5000);
  });
});

describe('slave uploads through our CLI', () => {
  const t = () => ['--tracker', tracker.address];

  it('upload --slave-of --prefix prints the slave ID; info reports a slave', async () => {
    const master = (await runCli(['upload', '-', '--ext', 'jpg', ...t()], { input: 'master-bytes' })).stdout.trim();
    const thumb = path.join(work, 'small.jpg');
    writeFileSync(thumb, 'thumb-bytes');
    const up = await runCli(['upload', thumb, '--slave-of', master, '--prefix', '_small', ...t()]);
    expect(up.code, up.stderr).toBe(0);
    const slave = up.stdout.trim();
    expect(slave).toBe(client.slaveFileId(master, '_small', 'jpg'));
    expect((await runCli(['download', slave, '-', ...t()])).stdout).toBe('thumb-bytes');
    const info = await runCli(['info', slave, '--json', ...t()]);
    expect(JSON.parse(info.stdout)).toMatchObject({ fileType: 'slave', getFromServer: true, fileSize: 11 });
    const again = await runCli(['upload', thumb, '--slave-of', master, '--prefix', '_small', ...t()]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/EEXIST/);
    const noPrefix = await runCli(['upload', thumb, '--slave-of', master, ...t()]);
    expect(noPrefix.code).not.toBe(0);
  });
});
