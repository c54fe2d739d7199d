// In-process tracker + storage: every storage command through FdfsClient and raw packets, the on-disk
// layout (data/HH/HH, -m sidecars, binlog), a streamed 200 MB round trip, and bad requests.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { metadataAt } from '../helpers/storage-direct.js';
import { defaultStorageConfig, defaultTrackerConfig, parseReservedSpace } from '../../src/config/index.js';
import { Errno, StatusError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { Connection } from '../../src/net/connection.js';
import { BufWriter } from '../../src/protocol/buf.js';
import { CommonCmd, StorageCmd, StorageStatus } from '../../src/protocol/codes.js';
import { decodeFileName } from '../../src/protocol/file-id.js';
import { encodeHeader } from '../../src/protocol/header.js';
import {
  decodeQueryFileInfoResponse, decodeUploadResponse, encodeAppendHead, encodeDeleteFileRequest, encodeDownloadRequest,
  encodeModifyHead, encodeQueryFileInfoRequest, encodeRegenerateRequest, encodeSlaveUploadHead, encodeTruncateRequest,
  encodeUploadHead,
} from '../../src/protocol/storage-file.js';
import { encodeGetMetadataRequest, encodeSetMetadataRequest } from '../../src/protocol/storage-meta.js';
import { StorageServer } from '../../src/storage/storage-server.js';
import { readBinlogLines } from '../../src/storage/binlog/writer.js';
import { TrackerServer } from '../../src/tracker/tracker-server.js';

const TRACKER_IP = '127.77.23.1';
const STORAGE_IP = '127.77.23.2';
const silent = createLogger({ level: 'silent' });

let dir: string;
let storeDir: string;
let tracker: TrackerServer;
let storage: StorageServer;
let client: FdfsClient;
let startMs = 0;

function storageConfig() {
  return defaultStorageConfig({
    basePath: path.join(dir, 'storage'),
    storePaths: [storeDir],
    trackerServers: [{ hosts: [TRACKER_IP], port: 22122 }],
    groupName: 'group1',
    bindAddr: STORAGE_IP,
    port: 23000,
    heartBeatInterval: 1,
    statReportInterval: 1,
    subdirCountPerPath: 4,
    networkTimeout: 5,
  });
}

async function waitFor(what: string, fn: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if (await fn()) return;
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-storage-inproc-'));
  storeDir = path.join(dir, 'store0');
  tracker = new TrackerServer(defaultTrackerConfig({
    basePath: path.join(dir, 'tracker'),
    bindAddr: TRACKER_IP,
    port: 22122,
    checkActiveInterval: 2,
    reservedStorageSpace: parseReservedSpace('1%'),
  }), { log: silent });
  await tracker.start();
  storage = new StorageServer(storageConfig(), { log: silent });
  const t0 = Date.now();
  await storage.start();
  startMs = Date.now() - t0;
  client = new FdfsClient({ trackers: [`${TRACKER_IP}:22122`], networkTimeout: 10 });
  await waitFor('storage ACTIVE', async () => (await client.listStorages('group1'))[0]?.status === StorageStatus.Active);
});

afterAll(async () => {
  client?.close();
  await storage?.stop();
  await tracker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function diskPath(fileId: string): string {
  const logical = fileId.slice(fileId.indexOf('/') + 1);
  return path.join(storeDir, 'data', logical.slice(4));
}

function logicalOf(fileId: string): string {
  return fileId.slice(fileId.indexOf('/') + 1);
}

async function binlog(): Promise<string[]> {
  await storage.runtime.binlog.flush();
  return readBinlogLines(path.join(dir, 'storage', 'data', 'sync'));
}

async function storageConn(): Promise<Connection> {
  return Connection.connect(STORAGE_IP, 23000, { networkTimeout: 5 });
}

/** Send a packet, expect the given non-zero status. */
async function expectStatus(c: Connection, packet: Buffer, errno: number): Promise<void> {
  const err = await c.call(packet).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(StatusError);
  expect((err as StatusError).errno).toBe(errno);
}

/** Raw bytes in; what came back before the server closed (or `ms` passed) out. */
function rawExchange(bytes: Buffer, opts: { ms?: number; end?: boolean } = {}): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect({ host: STORAGE_IP, port: 23000 });
    const parts: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ data: Buffer.concat(parts), closed });
    };
    const timer = setTimeout(() => finish(false), opts.ms ?? 1500);
    s.on('data', (b) => parts.push(b));
    s.on('error', () => {});
    s.on('close', () => finish(true));
    s.on('connect', () => (opts.end ? s.end(bytes) : s.write(bytes)));
  });
}

describe('startup and tracker reporting', () => {
  it('is listening within 2 s without pre-creating the data directories', () => {
    expect(startMs).toBeLessThan(2000);
    // Only directories that uploads needed exist (at most a few of the 16).
    expect(existsSync(path.join(storeDir, 'data'))).toBe(true);
  });

  it('is listed ACTIVE with its address, port, path count and version', async () => {
    const [rec] = await client.listStorages('group1');
    expect(rec!.ipAddr).toBe(STORAGE_IP);
    expect(rec!.storagePort).toBe(23000);
    expect(rec!.storePathCount).toBe(1);
    expect(rec!.subdirCountPerPath).toBe(4);
    expect(rec!.version).toBe('6.16.1');
    expect(rec!.totalMb).toBeGreaterThan(0);
    expect(storage.view.myStatus).toBe(StorageStatus.Active);
    expect(storage.view.members.map((m) => m.ipAddr)).toEqual([STORAGE_IP]);
    expect(storage.view.leader?.ipAddr).toBe(TRACKER_IP);
  });

  it('wrote .data_init_flag with the join time, its IP and an empty sync source', () => {
    const text = readFileSync(path.join(dir, 'storage', 'data', '.data_init_flag'), 'utf8');
    expect(text).toMatch(/^storage_join_time=\d+$/m);
    expect(text).toMatch(/^sync_old_done=1$/m);
    expect(text).toMatch(/^sync_src_server=$/m);
    expect(text).toMatch(new RegExp(`^last_ip_addr=${STORAGE_IP.replace(/\./g, '\\.')}$`, 'm'));
    expect(text).toMatch(/^last_server_port=23000$/m);
  });
});

describe('upload, download, info, delete', () => {
  it('uploads a buffer into data/HH/HH with a name per §6 and a C binlog record', async () => {
    const content = Buffer.from('Hello FastDFS wire protocol!\n');
    const fileId = await client.upload(content, { ext: 'txt' });
    expect(fileId).toMatch(/^group1\/M00\/0[0-3]\/0[0-3]\/[A-Za-z0-9_-]{27}\d{3}\.txt$/);
    const info = decodeFileName(logicalOf(fileId));
    expect(info.kind).toBe('normal');
    expect(info.size).toBe(content.length);
    expect(info.source).toEqual({ ipv4: STORAGE_IP });
    const p = diskPath(fileId);
    expect(readFileSync(p)).toEqual(content);
    expect(Math.floor(statSync(p).mtimeMs / 1000)).toBe(info.timestamp);
    // No temp file left behind.
    expect(readdirSync(path.dirname(p)).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(await binlog()).toContain(`${info.timestamp} C ${logicalOf(fileId)}`);
  });

  it('uploads a file, downloads it whole and by range (clamped), and answers 22 QUERY_FILE_INFO', async () => {
    const src = path.join(dir, 'src.bin');
    const content = randomBytes(70_000);
    await new Promise<void>((resolve) => createWriteStream(src).end(content, resolve));
    const fileId = await client.upload(src);
    expect(fileId.endsWith('.bin')).toBe(true);
    // Buffer.equals: vitest's deep equality is slow on large buffers.
    expect((await client.downloadToBuffer(fileId)).equals(content)).toBe(true);
    expect(await client.downloadToBuffer(fileId, { offset: 100, length: 50 })).toEqual(content.subarray(100, 150));
    expect(await client.downloadToBuffer(fileId, { offset: 69_990, length: 500 })).toEqual(content.subarray(69_990));
    expect((await client.downloadToBuffer(fileId, { offset: 1000 })).equals(content.subarray(1000))).toBe(true);
    const err = await client.downloadToBuffer(fileId, { offset: 70_000 }).catch((e: StatusError) => e);
    expect((err as StatusError).errno).toBe(Errno.EINVAL);
    const info = await client.info(fileId);
    const name = decodeFileName(logicalOf(fileId));
    expect(info).toMatchObject({ size: 70_000, crc32: name.crc32, sourceIp: STORAGE_IP, createTimestamp: name.timestamp });
  });

  it('uploads and downloads a 0-byte file (empty body, status 0: deliberate departure)', async () => {
    const fileId = await client.upload(Buffer.alloc(0));
    expect(logicalOf(fileId)).toMatch(/^M00\/0[0-3]\/0[0-3]\/[A-Za-z0-9_-]{27}\d{7}$/);
    expect((await client.downloadToBuffer(fileId)).length).toBe(0);
    expect(statSync(diskPath(fileId)).size).toBe(0);
  });

  it('deletes a file and its -m sidecar, with D records; the file is gone (ENOENT)', async () => {
    const fileId = await client.upload(Buffer.from('to be deleted'), { ext: 'txt', metadata: { a: '1' } });
    expect(existsSync(diskPath(fileId) + '-m')).toBe(true);
    await client.delete(fileId);
    expect(existsSync(diskPath(fileId))).toBe(false);
    expect(existsSync(diskPath(fileId) + '-m')).toBe(false);
    const lines = await binlog();
    expect(lines.some((l) => l.endsWith(` D ${logicalOf(fileId)}`))).toBe(true);
    expect(lines.some((l) => l.endsWith(` D ${logicalOf(fileId)}-m`))).toBe(true);
    for (const op of [() => client.downloadToBuffer(fileId), () => client.delete(fileId), () => client.info(fileId)]) {
      const err = await op().catch((e: StatusError) => e);
      expect((err as StatusError).errno).toBe(Errno.ENOENT);
    }
  });
});

describe('metadata', () => {
  it('O writes a sorted sidecar, M merges, O with nothing deletes it; GET answers ENOENT without one', async () => {
    const fileId = await client.upload(Buffer.from('meta'), { ext: 'jpg' });
    const logical = logicalOf(fileId);
    expect(await metadataAt(`${STORAGE_IP}:23000`, fileId)).toBeNull();
    // The client tells "no metadata" (the file exists) from "no file".
    expect(await client.getMetadata(fileId)).toEqual({});

    await client.setMetadata(fileId, { width: '160', ext_name: 'jpg', height: '80' });
    expect(readFileSync(diskPath(fileId) + '-m', 'latin1')).toBe('ext_name\x02jpg\x01height\x0280\x01width\x02160');
    await client.setMetadata(fileId, { color: 'red', width: '1024' }, 'merge');
    expect(await client.getMetadata(fileId)).toEqual({ color: 'red', ext_name: 'jpg', height: '80', width: '1024' });
    expect(readFileSync(diskPath(fileId) + '-m', 'latin1'))
      .toBe('color\x02red\x01ext_name\x02jpg\x01height\x0280\x01width\x021024');
    await client.setMetadata(fileId, { only: 'one' });
    expect(await client.getMetadata(fileId)).toEqual({ only: 'one' });
    await client.setMetadata(fileId, {}, 'merge');
    expect(await client.getMetadata(fileId)).toEqual({ only: 'one' });
    await client.setMetadata(fileId, {});
    expect(existsSync(diskPath(fileId) + '-m')).toBe(false);

    const ops = (await binlog()).filter((l) => l.endsWith(`${logical}-m`)).map((l) => l.split(' ')[1]);
    expect(ops).toEqual(['C', 'U', 'U', 'D']);
  });

  it('SET_METADATA on a missing file is ENOENT', async () => {
    const fileId = await client.upload(Buffer.from('x'));
    await client.delete(fileId);
    const err = await client.setMetadata(fileId, { a: 'b' }).catch((e: StatusError) => e);
    expect((err as StatusError).errno).toBe(Errno.ENOENT);
  });
});

describe('store path choice', () => {
  it('store_path_index 0xFF lets the storage choose', async () => {
    const c = await storageConn();
    try {
      const head = encodeUploadHead(StorageCmd.UploadFile, { storePathIndex: -1, fileSize: 3, ext: '' });
      expect(head[10]).toBe(0xff);
      const { group, logical } = decodeUploadResponse(await c.call(Buffer.concat([head, Buffer.from('abc')])));
      expect(group).toBe('group1');
      expect(logical.startsWith('M00/')).toBe(true);
      expect(readFileSync(path.join(storeDir, 'data', logical.slice(4)), 'latin1')).toBe('abc');
      // Same connection, next request: ACTIVE_TEST.
      await c.call(encodeHeader(0, CommonCmd.ActiveTest));
    } finally {
      c.destroy();
    }
  });

  it('an explicit index beyond store_path_count is EINVAL', async () => {
    const c = await storageConn();
    const head = encodeUploadHead(StorageCmd.UploadFile, { storePathIndex: 3, fileSize: 1, ext: '' });
    await expectStatus(c, Buffer.concat([head, Buffer.from('x')]), Errno.EINVAL);
    c.destroy();
  });
});

describe('appender and slave files', () => {
  it('append, modify, truncate, file info with computed CRC, regenerate (binlog A M T R)', async () => {
    const c = await storageConn();
    try {
      const content = Buffer.from('0123456789');
      await c.send(Buffer.concat([encodeUploadHead(StorageCmd.UploadAppenderFile, { storePathIndex: 0, fileSize: content.length, ext: 'log' }), content]));
      await c.readResponseHeader();
      const { logical } = decodeUploadResponse(await c.readBody());
      expect(decodeFileName(logical).kind).toBe('appender');
      const modify = Buffer.from('AB');
      await c.call(Buffer.concat([encodeModifyHead({ filename: logical, fileOffset: 2, fileSize: 2 }), modify]));
      await c.call(Buffer.concat([encodeAppendHead({ filename: logical, fileSize: 3 }), Buffer.from('XYZ')]));
      expect(readFileSync(path.join(storeDir, 'data', logical.slice(4)), 'latin1')).toBe('01AB456789XYZ');
      await c.call(encodeTruncateRequest({ filename: logical, truncatedFileSize: 5 }));
      expect(readFileSync(path.join(storeDir, 'data', logical.slice(4)), 'latin1')).toBe('01AB4');
      const info = decodeQueryFileInfoResponse(await c.call(encodeQueryFileInfoRequest({ group: 'group1', filename: logical })));
      expect(info.fileSize).toBe(5);
      const { crc32 } = await import('node:zlib');
      expect(info.crc32).toBe(crc32('01AB4'));
      const noCrc = decodeQueryFileInfoResponse(await c.call(encodeQueryFileInfoRequest({ group: 'group1', filename: logical, notCalcCrc32: true })));
      expect(noCrc.crc32).toBe(0);
      const renamed = decodeUploadResponse(await c.call(encodeRegenerateRequest(logical))).logical;
      expect(renamed.slice(0, 10)).toBe(logical.slice(0, 10));
      expect(renamed.slice(-7)).toBe(logical.slice(-7));
      const n = decodeFileName(renamed);
      expect(n).toMatchObject({ kind: 'normal', size: 5, crc32: crc32('01AB4') });
      expect(existsSync(path.join(storeDir, 'data', logical.slice(4)))).toBe(false);
      const lines = (await binlog()).filter((l) => l.includes(logical));
      expect(lines.map((l) => l.split(' ').slice(1).join(' '))).toEqual([
        `C ${logical}`, `M ${logical} 2 2`, `A ${logical} 10 3`, `T ${logical} 13 5`, `R ${renamed} ${logical}`,
      ]);
      // Not an appender any more → EINVAL (and the storage closes the connection).
      await expectStatus(c, Buffer.concat([encodeAppendHead({ filename: renamed, fileSize: 1 }), Buffer.from('!')]), Errno.EINVAL);
    } finally {
      c.destroy();
    }
  });

  it('uploads a slave next to its master; EEXIST twice, ENOENT without master', async () => {
    const master = await client.upload(Buffer.from('master'), { ext: 'txt' });
    const masterLogical = logicalOf(master);
    const c = await storageConn();
    try {
      const body = Buffer.from('thumb');
      const pkt = Buffer.concat([encodeSlaveUploadHead({ masterFilename: masterLogical, fileSize: body.length, prefix: '_big', ext: 'txt' }), body]);
      const { logical } = decodeUploadResponse(await c.call(pkt));
      expect(logical).toBe(masterLogical.replace(/\.txt$/, '_big.txt'));
      expect(readFileSync(path.join(storeDir, 'data', logical.slice(4)), 'latin1')).toBe('thumb');
      await expectStatus(c, pkt, Errno.EEXIST);
    } finally {
      c.destroy();
    }
    await client.delete(master);
    const c2 = await storageConn();
    try {
      const pkt = Buffer.concat([encodeSlaveUploadHead({ masterFilename: masterLogical, fileSize: 1, prefix: '_s', ext: '' }), Buffer.from('x')]);
      await expectStatus(c2, pkt, Errno.ENOENT);
    } finally {
      c2.destroy();
    }
  });
});

describe('a 200 MB file', () => {
  it('uploads and downloads it streamed (md5 matches, memory stays flat)', async () => {
    const src = path.join(dir, 'big.bin');
    const size = 200 << 20;
    const md5 = createHash('md5');
    const block = randomBytes(1 << 20);
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(src);
      out.on('error', reject);
      let i = 0;
      const next = (): void => {
        while (i < 200) {
          const b = Buffer.from(block);
          b.writeUInt32BE(i++, 0);
          md5.update(b);
          if (!out.write(b)) return void out.once('drain', next);
        }
        out.end(resolve);
      };
      next();
    });
    const expected = md5.digest('hex');
    let peak = 0;
    const base = process.memoryUsage().rss;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss - base); }, 50);
    try {
      const fileId = await client.upload(src);
      expect(statSync(diskPath(fileId)).size).toBe(size);
      const dest = path.join(dir, 'big.out');
      expect(await client.downloadToFile(fileId, dest)).toBe(size);
      const h = createHash('md5');
      for await (const chunk of createReadStream(dest)) h.update(chunk as Buffer);
      expect(h.digest('hex')).toBe(expected);
      await client.delete(fileId);
    } finally {
      clearInterval(sampler);
      rmSync(src, { force: true });
      rmSync(path.join(dir, 'big.out'), { force: true });
    }
    // Both ends run in this process; a buffered 200 MB body would show up here.
    expect(peak).toBeLessThan(100 << 20);
  });
});

describe('bad requests', () => {
  const good = { id: '' };
  beforeAll(async () => {
    good.id = await client.upload(Buffer.from('still here'), { ext: 'txt' });
  });
  async function stillServing(): Promise<void> {
    expect((await client.downloadToBuffer(good.id)).toString()).toBe('still here');
  }

  it('rejects file names with .. in every spelling, bad hex and out-of-range paths (EINVAL, then close)', async () => {
    const names = [
      'M00/00/00/../../../../etc/passwd', 'M00/../../etc/passwd', 'M00/00/00/..', 'M00/00/00/..%2f..%2fx',
      'M00/00/00/a/../../b', 'M00/0a/00/CgAAAWsB8HuAKOo1AAAAHWMZ9Uk701.txt', 'M00/00/GG/CgAAAWsB8HuAKOo1AAAAHWMZ9Uk701.txt',
      'M01/00/00/CgAAAWsB8HuAKOo1AAAAHWMZ9Uk701.txt', 'M00/00/00/x\0y', 'M00/00/00/.hidden.tmp', '/etc/passwd',
      'M00/00/00/..\\..\\x',
    ];
    for (const filename of names) {
      const c = await storageConn();
      await expectStatus(c, encodeDownloadRequest({ group: 'group1', filename, fileOffset: 0, downloadBytes: 0 }), Errno.EINVAL);
      const after = await c.call(encodeHeader(0, CommonCmd.ActiveTest)).then(() => 'open', () => 'closed');
      expect(after).toBe('closed');
      c.destroy();
    }
    await stillServing();
  });

  function badOpFlag(): Buffer {
    const pkt = encodeSetMetadataRequest({ group: 'group1', filename: logicalOf(good.id), op: 'O', metadata: { a: 'b' } });
    pkt[10 + 16] = 'X'.charCodeAt(0);
    return pkt;
  }

  it('answers a truncated body, a wrong group, an unknown command, a bad op flag and ACTIVE_TEST with a body with EINVAL', async () => {
    const cases = [
      Buffer.concat([encodeHeader(10, StorageCmd.DownloadFile), Buffer.alloc(10)]),
      Buffer.concat([encodeHeader(5, StorageCmd.UploadFile), Buffer.alloc(5)]),
      Buffer.concat([encodeHeader(3, StorageCmd.SetMetadata), Buffer.alloc(3)]),
      encodeDeleteFileRequest({ group: 'group2', filename: logicalOf(good.id) }),
      encodeGetMetadataRequest({ group: 'nogroup', filename: logicalOf(good.id) }),
      encodeHeader(0, 99),
      badOpFlag(),
      Buffer.concat([encodeHeader(1, CommonCmd.ActiveTest), Buffer.alloc(1)]),
    ];
    for (const pkt of cases) {
      const c = await storageConn();
      await expectStatus(c, pkt, Errno.EINVAL);
      c.destroy();
    }
    await stillServing();
  });

  it('answers an oversized non-streamed request with EINVAL, with or without its body', async () => {
    const body = Buffer.alloc(300 << 10);
    const c = await storageConn();
    await expectStatus(c, Buffer.concat([encodeHeader(body.length, StorageCmd.DeleteFile), body]), Errno.EINVAL);
    c.destroy();
    // A header announcing 64 MB and nothing else: answered at once, then closed (no wait for the body).
    const t0 = Date.now();
    const r = await rawExchange(encodeHeader(64 << 20, StorageCmd.GetMetadata), { ms: 3000 });
    expect(r.data).toEqual(encodeHeader(0, CommonCmd.Resp, Errno.EINVAL));
    expect(r.closed).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2500); // not the 3 s the exchange would wait for a server holding on
    await stillServing();
  });

  it('drops a connection whose body stops short, removing the temp file', async () => {
    const head = encodeUploadHead(StorageCmd.UploadFile, { storePathIndex: 0, fileSize: 1000, ext: 'bin' });
    const res = await rawExchange(Buffer.concat([head, Buffer.alloc(100)]), { end: true });
    expect(res.closed).toBe(true);
    expect(res.data.length).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    const leftovers: string[] = [];
    for (const hi of readdirSync(path.join(storeDir, 'data'))) {
      if (hi === 'sync') continue;
      for (const lo of readdirSync(path.join(storeDir, 'data', hi))) {
        leftovers.push(...readdirSync(path.join(storeDir, 'data', hi, lo)).filter((n) => n.endsWith('.tmp')));
      }
    }
    expect(leftovers).toEqual([]);
    await stillServing();
  });

  it('rejects an upload whose file_size disagrees with pkg_len and a bad extension', async () => {
    const bad = Buffer.from(encodeUploadHead(StorageCmd.UploadFile, { storePathIndex: 0, fileSize: 4, ext: 'txt' }));
    bad.writeBigInt64BE(99n, 11); // file_size field
    const c = await storageConn();
    await expectStatus(c, Buffer.concat([bad, Buffer.from('abcd')]), Errno.EINVAL);
    c.destroy();
    const w = new BufWriter(15).u8(0).i64(1).fixed('t/x', 6).finish(StorageCmd.UploadFile);
    w.writeBigInt64BE(16n, 0);
    const c2 = await storageConn();
    await expectStatus(c2, Buffer.concat([w, Buffer.from('z')]), Errno.EINVAL);
    c2.destroy();
    await stillServing();
  });

  it('keeps the connection after ENOENT and serves several requests on it', async () => {
    const c = await storageConn();
    await expectStatus(c, encodeDownloadRequest({ group: 'group1', filename: 'M00/00/00/CgAAAWsB8HuAKOo1AAAAHWMZ9Uk701.txt', fileOffset: 0, downloadBytes: 0 }), Errno.ENOENT);
    await c.call(encodeHeader(0, CommonCmd.ActiveTest));
    expect((await c.call(encodeDownloadRequest({ group: 'group1', filename: logicalOf(good.id), fileOffset: 0, downloadBytes: 5 }))).toString()).toBe('still');
    c.destroy();
  });
});

describe('shutdown', () => {
  it('stop() flushes the binlog and storage_stat.dat; a restart keeps join time and counters', async () => {
    const before = readFileSync(path.join(dir, 'storage', 'data', '.data_init_flag'), 'utf8').match(/storage_join_time=(\d+)/)![1];
    await storage.stop();
    const stat = readFileSync(path.join(dir, 'storage', 'data', 'storage_stat.dat'), 'utf8');
    expect(stat).toMatch(/^success_upload_count=[1-9]\d*$/m);
    expect(stat).toMatch(/^dist_path_index_high=\d+$/m);
    storage = new StorageServer(storageConfig(), { log: silent });
    await storage.start();
    await waitFor('ACTIVE again', async () => (await client.listStorages('group1'))[0]?.status === StorageStatus.Active
      && storage.reporters[0]!.beats > 0);
    const after = readFileSync(path.join(dir, 'storage', 'data', '.data_init_flag'), 'utf8').match(/storage_join_time=(\d+)/)![1];
    expect(after).toBe(before);
    expect(storage.runtime.stats.stats.successUploadCount).toBeGreaterThan(0);
    const [rec] = await client.listStorages('group1');
    expect(rec!.stats.successUploadCount).toBe(storage.runtime.stats.stats.successUploadCount);
  });
});
