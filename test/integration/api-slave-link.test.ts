// Links (spec §5.2, §5.5, §5.9, §9.5): with the tracker's store_slave_file_use_link a slave is a symlink to its
// content stored under a generated name, CREATE_LINK (20) makes links on request; both are downloaded, queried,
// deleted and replicated (19 SYNC_CREATE_LINK) like files, also to a member that was down meanwhile.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { lstatSync, readFileSync, readlinkSync, existsSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { FdfsClient } from '../../src/client/index.js';
import { Errno, StatusError } from '../../src/errors.js';
import { Connection } from '../../src/net/connection.js';
import { StorageCmd, StorageStatus } from '../../src/protocol/codes.js';
import { encodeCreateLinkRequest } from '../../src/protocol/storage-file.js';
import {
  restartStorage, startTwoMemberGroup, stopAll, storageStatus, waitFor, type StorageHandle, type TrackerHandle,
} from '../helpers/cluster.js';
import { downloadAt, fileInfoAt } from '../helpers/storage-direct.js';
import { runCli } from '../helpers/proc.js';

let tracker: TrackerHandle;
let s1: StorageHandle;
let s2: StorageHandle;
let client: FdfsClient;

const logical = (id: string) => id.slice(id.indexOf('/') + 1);
const onDisk = (s: StorageHandle, id: string) => path.join(s.dir, 'data', logical(id).slice(4));
const isLink = (p: string) => { try { return lstatSync(p).isSymbolicLink(); } catch { return false; } };
const binlog = (s: StorageHandle) => readFileSync(path.join(s.dir, 'data', 'sync', 'binlog.000'), 'utf8');
/** The member whose address the file ID carries (it took the upload). */
const sourceOf = (id: string) => (client.decodeFileId(id).source.ipv4 === s1.host ? s1 : s2);
const otherThan = (s: StorageHandle) => (s === s1 ? s2 : s1);

/** The file ID a link on `s` points at, read from the disk. */
function targetId(s: StorageHandle, id: string): string {
  const abs = readlinkSync(onDisk(s, id));
  const data = path.join(s.dir, 'data') + path.sep;
  expect(abs.startsWith(data)).toBe(true);
  return `group1/M00/${abs.slice(data.length)}`;
}

beforeAll(async () => {
  ({ tracker, s1, s2, client } = await startTwoMemberGroup({ trackerConf: { store_slave_file_use_link: true } }));
});

afterAll(async () => {
  client?.close();
  await stopAll([s1, s2, tracker]);
});

describe('slaves stored as links (store_slave_file_use_link = true)', () => {
  it('stores the content under a generated name, the slave name a link to it, logged C then L', async () => {
    const masterData = randomBytes(5000);
    const master = await client.upload(masterData, { ext: 'jpg' });
    const thumb = randomBytes(777);
    const slave = await client.uploadSlave(master, '_150x150', thumb, { ext: 'jpg' });
    expect(slave).toBe(client.slaveFileId(master, '_150x150', 'jpg'));
    const src = sourceOf(master);
    expect(isLink(onDisk(src, slave))).toBe(true);
    const target = targetId(src, slave);
    expect(client.decodeFileId(target).kind).toBe('normal');
    expect(client.decodeFileId(target).size).toBe(777);
    expect(target.endsWith('.jpg')).toBe(true);
    expect(readFileSync(onDisk(src, target))).toEqual(thumb);
    const lines = binlog(src).split('\n');
    const c = lines.findIndex((l) => l.endsWith(` C ${logical(target)}`));
    const l = lines.findIndex((x) => x.endsWith(` L ${logical(slave)} ${logical(target)}`));
    expect(c).toBeGreaterThanOrEqual(0);
    expect(l).toBeGreaterThan(c);
    // Served and described like a file: the slave's own size and CRC, the master's facts offline.
    expect(await client.downloadToBuffer(slave)).toEqual(thumb);
    expect(await client.downloadToBuffer(slave, { offset: 7, length: 100 })).toEqual(thumb.subarray(7, 107));
    expect(await client.info(slave)).toMatchObject({ kind: 'slave', size: 777, crc32: zlib.crc32(thumb), sourceIp: src.host });
    expect(client.decodeFileId(slave).crc32).toBe(zlib.crc32(masterData));
    await client.setMetadata(slave, { width: '150' });
    expect(await client.getMetadata(slave)).toEqual({ width: '150' });
    await expect(client.uploadSlave(master, '_150x150', Buffer.from('again'), { ext: 'jpg' })).rejects.toMatchObject({ errno: Errno.EEXIST });
  });

  it('replicates the content and the link: the other member links to its own copy', async () => {
    const master = await client.upload(Buffer.from('master for replication'), { ext: 'png' });
    const thumb = randomBytes(1234);
    const slave = await client.uploadSlave(master, '_s', thumb);
    const src = sourceOf(master);
    const peer = otherThan(src);
    const target = targetId(src, slave);
    await waitFor('link on the other member', async () => isLink(onDisk(peer, slave)), 15_000);
    expect(targetId(peer, slave)).toBe(target);
    expect(readFileSync(onDisk(peer, slave))).toEqual(thumb);
    expect(await downloadAt(peer.address, slave)).toEqual(thumb);
    expect((await fileInfoAt(peer.address, slave))?.fileSize).toBe(1234);
    expect(binlog(peer)).toMatch(new RegExp(`^\\d+ l ${logical(slave)} ${logical(target)}$`, 'm'));
  });

  it('deletes link and content together, on every member, and leaves the master', async () => {
    const master = await client.upload(Buffer.from('master stays'), { ext: 'txt' });
    const slave = await client.uploadSlave(master, '_del', Buffer.from('slave goes'), { metadata: { a: '1' } });
    const src = sourceOf(master);
    const peer = otherThan(src);
    const target = targetId(src, slave);
    await waitFor('replicated', async () => isLink(onDisk(peer, slave)) && existsSync(onDisk(peer, target)) && existsSync(`${onDisk(peer, slave)}-m`), 15_000);
    await client.delete(slave);
    for (const p of [onDisk(src, slave), onDisk(src, target), `${onDisk(src, slave)}-m`]) expect(existsSync(p) || isLink(p)).toBe(false);
    expect(binlog(src)).toMatch(new RegExp(`^\\d+ D ${logical(slave)}$`, 'm'));
    expect(binlog(src)).toMatch(new RegExp(`^\\d+ D ${logical(target)}$`, 'm'));
    await waitFor('gone on the other member', async () =>
      !isLink(onDisk(peer, slave)) && !existsSync(onDisk(peer, target)) && !existsSync(`${onDisk(peer, slave)}-m`), 15_000);
    await expect(client.downloadToBuffer(slave)).rejects.toMatchObject({ errno: Errno.ENOENT });
    expect((await client.downloadToBuffer(master)).toString()).toBe('master stays');
    await expect(client.delete(slave)).rejects.toMatchObject({ errno: Errno.ENOENT });
  });

  it('brings a member that was down up to date with links made and deleted meanwhile', async () => {
    const master = await client.upload(Buffer.from('master while down'), { ext: 'txt' });
    const src = sourceOf(master);
    const down = otherThan(src);
    await waitFor('master replicated', async () => existsSync(onDisk(down, master)), 15_000);
    await down.proc.kill();
    await waitFor('member OFFLINE', async () => (await storageStatus(client, down.host)) === StorageStatus.Offline, 15_000);
    const kept = await client.uploadSlave(master, '_keep', Buffer.from('kept slave'));
    const dropped = await client.uploadSlave(master, '_drop', Buffer.from('dropped slave'));
    const droppedTarget = targetId(src, dropped);
    await client.delete(dropped);
    await restartStorage(down);
    await waitFor('member ACTIVE again', async () => (await storageStatus(client, down.host)) === StorageStatus.Active, 20_000);
    await waitFor('kept slave linked there', async () => isLink(onDisk(down, kept)), 15_000).catch((err: Error) => {
      // What both members said meanwhile: replication to a restarted member is what this waits for.
      throw new Error(`${err.message}\n--- source ---\n${src.proc.tail(30)}\n--- restarted ---\n${down.proc.tail(30)}`);
    });
    expect((await downloadAt(down.address, kept)).toString()).toBe('kept slave');
    expect(targetId(down, kept)).toBe(targetId(src, kept));
    expect(isLink(onDisk(down, dropped)) || existsSync(onDisk(down, droppedTarget))).toBe(false);
  });
});

describe('20 CREATE_LINK', () => {
  it('links a file under a generated name; deleting the link leaves the source', async () => {
    const data = randomBytes(3000);
    const srcId = await client.upload(data, { ext: 'bin' });
    const src = sourceOf(srcId);
    const link = await client.createLink(srcId, { ext: 'bin' });
    expect(link).not.toBe(srcId);
    const d = client.decodeFileId(link);
    expect(d).toMatchObject({ kind: 'normal', size: 3000, source: { ipv4: src.host } });
    expect(isLink(onDisk(src, link))).toBe(true);
    expect(targetId(src, link)).toBe(srcId);
    expect(binlog(src)).toMatch(new RegExp(`^\\d+ L ${logical(link)} ${logical(srcId)}$`, 'm'));
    expect(await client.downloadToBuffer(link)).toEqual(data);
    await waitFor('link replicated', async () => isLink(onDisk(otherThan(src), link)), 15_000);
    expect(await downloadAt(otherThan(src).address, link)).toEqual(data);
    await client.delete(link);
    expect(isLink(onDisk(src, link))).toBe(false);
    expect(await client.downloadToBuffer(srcId)).toEqual(data);
    await waitFor('link deleted on the other member', async () => !isLink(onDisk(otherThan(src), link)), 15_000);
    expect(existsSync(onDisk(otherThan(src), srcId))).toBe(true);
  });

  it('links under a slave name of a master; EEXIST when taken, ENOENT for a missing source', async () => {
    const master = await client.upload(Buffer.from('the master'), { ext: 'txt' });
    const src = sourceOf(master);
    // The source must be on the master's storage (stock refuses otherwise): uploads alternate between members.
    let content = '';
    for (let i = 0; i < 6 && !content; i++) {
      const id = await client.upload(Buffer.from('the content'), { ext: 'txt' });
      if (sourceOf(id) === src) content = id;
    }
    expect(content).not.toBe('');
    const link = await client.createLink(content, { masterId: master, prefix: '_lnk' });
    expect(link).toBe(client.slaveFileId(master, '_lnk'));
    expect((await client.downloadToBuffer(link)).toString()).toBe('the content');
    await expect(client.createLink(content, { masterId: master, prefix: '_lnk' })).rejects.toMatchObject({ errno: Errno.EEXIST });
    const missing = `${content.slice(0, -8)}AAAA.txt`;
    await expect(client.createLink(missing)).rejects.toMatchObject({ errno: Errno.ENOENT });
  });

  it('answers ENOENT, EINVAL (other group, a directory as source) on the wire and keeps serving', async () => {
    const srcId = await client.upload(Buffer.from('wire'), { ext: 'txt' });
    const src = sourceOf(srcId);
    const send = async (srcFilename: string, group = 'group1') => {
      const c = await Connection.connect(src.host, src.port, { connectTimeout: 5, networkTimeout: 10 });
      try {
        await c.call(encodeCreateLinkRequest({ masterFilename: '', srcFilename, srcFileSig: Buffer.alloc(0), group, prefix: '', ext: 'txt' }),
          { cmd: StorageCmd.CreateLink, maxBody: 256 });
        return 0;
      } catch (err) {
        return err instanceof StatusError ? err.errno : -1;
      } finally {
        c.destroy();
      }
    };
    expect(await send(`${logical(srcId).slice(0, -8)}AAAA.txt`)).toBe(Errno.ENOENT);
    expect(await send(logical(srcId), 'group9')).toBe(Errno.EINVAL);
    expect(await send('M00/00/00/../../../../etc/passwd')).toBe(Errno.EINVAL);
    expect(await send('M00/00/00')).toBe(Errno.EINVAL);
    expect((await client.downloadToBuffer(srcId)).toString()).toBe('wire');
  });
});

describe('fdfs link', () => {
  const t = () => ['--tracker', tracker.address];

  it('prints the new ID, named as a slave with --slave-of/--prefix; plain errors and exit codes', async () => {
    const srcId = await client.upload(Buffer.from('linked by the CLI'), { ext: 'txt' });
    const r = await runCli(['link', srcId, ...t()]);
    expect(r.code, r.stderr).toBe(0);
    const link = r.stdout.trim();
    expect(link).toMatch(/^group1\/M00\/[0-9A-F]{2}\/[0-9A-F]{2}\/\S+$/);
    expect(link).not.toBe(srcId);
    expect((await runCli(['download', link, '-', ...t()])).stdout).toBe('linked by the CLI');
    const asSlave = await runCli(['link', srcId, '--slave-of', srcId, '--prefix', '_copy', '--json', ...t()]);
    expect(asSlave.code, asSlave.stderr).toBe(0);
    expect(JSON.parse(asSlave.stdout)).toEqual({ source: srcId, fileId: client.slaveFileId(srcId, '_copy') });
    const usage = await runCli(['link', srcId, '--prefix', '_x', ...t()]);
    expect(usage.code).toBe(2);
    const missing = await runCli(['link', `${srcId.slice(0, -8)}AAAA.txt`, ...t()]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/ENOENT/);
    expect(missing.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  });
});
