// Trunk files written by stock FastDFS, served by a real fdfs storage without any stock binary: the trunk file
// of test/fixtures/trunk/ is put into a fresh store path, then every ID is read over the protocol and HTTP
// (whole, ranges, file info, metadata, tokens) and deleted; freed, reused and forged slots answer ENOENT / 404.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Connection } from '../../src/net/connection.js';
import { StorageCmd } from '../../src/protocol/codes.js';
import { encodeTrunkAllocRequest, encodeTruncateTrunkBinlog, TrunkBinlogCommands } from '../../src/protocol/trunk-commands.js';
import path from 'node:path';
import { Errno, FdfsClient, httpUrl } from '../../src/client/index.js';
import { decodeFileName } from '../../src/protocol/file-id.js';
import { startStorage, startTracker, stopAll, tempDir, waitAllActive, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { outcomeOf } from '../helpers/storage-direct.js';
import { forgeTrunkId, installStockTrunk, logicalOf, stockTrunk } from '../helpers/trunk-fixture.js';
import { runCli } from '../helpers/proc.js';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const HTTP = 8888;
const SECRET = 'TrunkSecret123';
let tracker: TrackerHandle;
let storage: StorageHandle;
let client: FdfsClient;
let trunkFile = '';
const live = stockTrunk.files.filter((f) => f.state === 'live');
const dead = stockTrunk.files.filter((f) => f.state !== 'live');

beforeAll(async () => {
  tracker = await startTracker();
  const dir = tempDir('fdfs-trunk-fixture-');
  trunkFile = installStockTrunk(dir);
  const httpConf = path.join(dir, 'http.conf');
  // The fixture's source storage is gone: a missing ID gets 404 here rather than a proxy attempt to it.
  writeFileSync(httpConf, `http.anti_steal.check_token = true\nhttp.anti_steal.token_ttl = 900\nhttp.anti_steal.secret_key = ${SECRET}\n`
    + 'http.storage_sync_file_max_delay = 1\n');
  storage = await startStorage({ trackers: [tracker.address], dir, conf: { 'http.server_port': HTTP, '#include': httpConf } });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, [storage]);
});

afterAll(async () => {
  client?.close();
  await stopAll([storage, tracker]);
});

const url = (id: string) => httpUrl(id, { base: `http://${storage.host}:${HTTP}`, secret: SECRET });

describe('a stock trunk file in an fdfs store path', () => {
  it('serves every live file whole, in ranges and with its file info', async () => {
    for (const f of live) {
      const data = await client.downloadToBuffer(f.id);
      expect(md5(data), f.file).toBe(f.md5);
      const info = await client.info(f.id);
      const name = decodeFileName(logicalOf(f.id));
      expect(info).toMatchObject({ size: f.size, crc32: name.crc32, createTimestamp: name.timestamp });
      if (f.size > 10) {
        const part = await client.downloadToBuffer(f.id, { offset: 3, length: 7 });
        expect(part.equals(data.subarray(3, 10))).toBe(true);
        const tail = await client.downloadToBuffer(f.id, { offset: f.size - 5 });
        expect(tail.equals(data.subarray(f.size - 5))).toBe(true);
      }
      expect(await client.exists(f.id)).toBe(true);
    }
  });

  it('answers ENOENT for deleted, reused and forged IDs, never another file\'s bytes', async () => {
    const a = live[0]!.id;
    const locA = decodeFileName(logicalOf(a)).trunk!;
    const locB = decodeFileName(logicalOf(live[1]!.id)).trunk!;
    const forged = [forgeTrunkId(a, locB), forgeTrunkId(a, { ...locA, size: locA.size * 2 }), forgeTrunkId(a, { ...locA, fileId: 9 })];
    for (const id of [...dead.map((f) => f.id), ...forged]) {
      expect(await outcomeOf(client.downloadToBuffer(id)), id).toBe(Errno.ENOENT);
      expect(await outcomeOf(client.info(id)), id).toBe(Errno.ENOENT);
      expect(await client.exists(id)).toBe(false);
      expect((await fetch(url(id))).status, id).toBe(404);
    }
    // Reading past a slot's content is refused like past the end of a file.
    expect(await outcomeOf(client.downloadToBuffer(a, { offset: live[0]!.size }))).toBe(Errno.EINVAL);
  });

  it('serves trunk files over HTTP with tokens and byte ranges', async () => {
    const f = live.find((x) => x.size > 20)!;
    const whole = await fetch(url(f.id));
    expect(whole.status).toBe(200);
    const body = Buffer.from(await whole.arrayBuffer());
    expect(md5(body)).toBe(f.md5);
    const part = await fetch(url(f.id), { headers: { Range: 'bytes=2-11' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 2-11/${f.size}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(body.subarray(2, 12))).toBe(true);
    const head = await fetch(url(f.id), { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(f.size));
    expect((await fetch(`http://${storage.host}:${HTTP}/${f.id}`)).status).toBe(403);
  });

  it('keeps metadata beside a trunk file, and refuses it for a freed slot', async () => {
    const f = live[0]!;
    await client.setMetadata(f.id, { width: '10', kind: 'trunk' });
    expect(await client.getMetadata(f.id)).toEqual({ width: '10', kind: 'trunk' });
    expect(await outcomeOf(client.setMetadata(dead[0]!.id, { a: 'b' }))).toBe(Errno.ENOENT);
  });

  it('takes a slave file of a trunk master, and refuses one for a freed slot', async () => {
    const master = live.find((x) => x.size > 20)!;
    const slave = await client.uploadSlave(master.id, '_thumb', Buffer.from('small version'), { ext: 'txt' });
    expect(slave).toBe(client.slaveFileId(master.id, '_thumb', 'txt'));
    expect((await client.downloadToBuffer(slave)).toString()).toBe('small version');
    expect(await outcomeOf(client.uploadSlave(dead[0]!.id, '_thumb', Buffer.from('x'), { ext: 'txt' }))).toBe(Errno.ENOENT);
  });

  it('deletes a trunk file: its slot is zeroed, its ID and metadata gone, its neighbours intact', async () => {
    const [gone, ...rest] = live;
    const loc = decodeFileName(logicalOf(gone!.id)).trunk!;
    await client.delete(gone!.id);
    const bytes = readFileSync(trunkFile);
    expect(bytes.subarray(loc.offset, loc.offset + loc.size).every((x) => x === 0)).toBe(true);
    expect(await outcomeOf(client.downloadToBuffer(gone!.id))).toBe(Errno.ENOENT);
    expect(await outcomeOf(client.getMetadata(gone!.id))).toBe(Errno.ENOENT);
    expect(await outcomeOf(client.delete(gone!.id))).toBe(Errno.ENOENT);
    expect((await fetch(url(gone!.id))).status).toBe(404);
    for (const f of rest) expect(md5(await client.downloadToBuffer(f.id))).toBe(f.md5);
  });

  it('refuses trunk space and trunk binlog commands while trunk files are off (27, 30, 33: EINVAL)', async () => {
    const c = await Connection.connect(storage.host, storage.port, { connectTimeout: 5, networkTimeout: 20, localAddress: storage.host });
    try {
      const line = Buffer.from('1796290744 A 0 0 0 1 0 4194304\n');
      expect(await outcomeOf(c.call(TrunkBinlogCommands.SyncBinlog.encode(line), { cmd: StorageCmd.TrunkSyncBinlog }))).toBe(Errno.EINVAL);
    } finally {
      c.destroy();
    }
    for (const packet of [encodeTruncateTrunkBinlog(), encodeTrunkAllocRequest({ group: 'group1', size: 100, storePathIndex: 0 })]) {
      const c2 = await Connection.connect(storage.host, storage.port, { connectTimeout: 5, networkTimeout: 20, localAddress: storage.host });
      try {
        expect(await outcomeOf(c2.call(packet, { cmd: packet[8]! }))).toBe(Errno.EINVAL);
      } finally {
        c2.destroy();
      }
    }
    expect(existsSync(path.join(storage.dir, 'data', 'trunk', 'binlog'))).toBe(false);
  });

  it('`fdfs info` decodes a trunk ID offline, with its trunk location', async () => {
    const f = live[1]!;
    const r = await runCli(['info', f.id, '--offline', '--json']);
    expect(r.code).toBe(0);
    const loc = decodeFileName(logicalOf(f.id)).trunk!;
    expect(JSON.parse(r.stdout)).toMatchObject({ fileType: 'trunk', fileSize: f.size,
      trunk: { file: 'M00/00/00/000001', offset: loc.offset, slotSize: loc.size } });
    const text = await runCli(['info', f.id, '--offline']);
    expect(text.stdout).toContain(`trunk file: M00/00/00/000001, offset ${loc.offset}, slot size ${loc.size}`);
  });
});
