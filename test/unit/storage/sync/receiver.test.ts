// The replication receiver (§9.5) on an in-process storage: every sync command applied once, answered
// EEXIST/ENOENT when replayed (idempotent), lowercase binlog lines with the source's timestamp, mtime set,
// the 0x11 no-content marker, stale bytes after the group's NUL, and an empty answer to a successful rename.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultStorageConfig } from '../../../../src/config/index.js';
import { Errno } from '../../../../src/errors.js';
import { createLogger } from '../../../../src/log.js';
import { Connection } from '../../../../src/net/connection.js';
import { StorageCmd } from '../../../../src/protocol/codes.js';
import {
  decodeFetchBinlogStream, encodeFetchOnePathBinlogRequest, encodeReportServerIdRequest, encodeSyncDeleteRequest, encodeSyncFileHead, encodeSyncLinkRequest, encodeSyncRangeHead,
  encodeSyncTruncateRequest,
} from '../../../../src/protocol/sync.js';
import { readBinlogLines } from '../../../../src/storage/binlog/writer.js';
import { StorageServer } from '../../../../src/storage/storage-server.js';

const silent = createLogger({ level: 'silent' });
const TS = 1795290772;
const A = 'M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528.txt';
const B = 'M00/00/01/Ck0BAmsB9p6EGB8HAAAAAKaEx8Y038.log';
const B2 = 'M00/00/01/Ck0BAmsB9qmAaUKjAAAACJEAUxc038.log';
const L = 'M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528_s.txt';

let dir: string;
let storage: StorageServer;
let conn: Connection;

const abs = (logical: string) => path.join(dir, 'store', 'data', logical.slice(4));
const binlog = () => readBinlogLines(path.join(dir, 'base', 'data', 'sync'));

/** Send a request (+ content) and return the answer's status and body. */
async function send(packet: Buffer, content?: Buffer): Promise<{ status: number; body: Buffer }> {
  return conn.call(content ? Buffer.concat([packet, content]) : packet, { onError: 'return' });
}

const create = (name: string, data: string, ts = TS) =>
  send(encodeSyncFileHead(StorageCmd.SyncCreateFile, { fileSize: data.length, timestamp: ts, group: 'group1', filename: name }), Buffer.from(data));
const range = (cmd: 25 | 35, name: string, start: number, data: string) =>
  send(encodeSyncRangeHead(cmd, { startOffset: start, length: data.length, timestamp: TS + 5, group: 'group1', filename: name }), Buffer.from(data));

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-receiver-'));
  storage = new StorageServer(defaultStorageConfig({
    basePath: path.join(dir, 'base'), storePaths: [path.join(dir, 'store')], groupName: 'group1',
    bindAddr: '127.0.0.1', port: 0, subdirCountPerPath: 4, networkTimeout: 5, heartBeatInterval: 1,
    trackerServers: [{ hosts: ['127.0.0.1'], port: 1 }],
  }), { log: silent });
  await storage.start();
  conn = await Connection.connect('127.0.0.1', storage.address.port);
  expect((await send(encodeReportServerIdRequest('10.77.1.2'))).status).toBe(0);
});

afterAll(async () => {
  conn?.destroy();
  await storage?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('sync receiver', () => {
  it('16 creates the file with the source timestamp, then answers EEXIST to the replay (and logs it again)', async () => {
    expect((await create(A, 'replication test #1')).status).toBe(0);
    expect(readFileSync(abs(A), 'utf8')).toBe('replication test #1');
    expect(Math.floor(statSync(abs(A)).mtimeMs / 1000)).toBe(TS);
    expect((await create(A, 'replication test #1')).status).toBe(Errno.EEXIST);
    // The replay's copy was written to a temp file before the link refused the name: nothing of it is left.
    expect(readdirSync(path.dirname(abs(A)))).toEqual([path.basename(A)]);
    expect(readFileSync(abs(A), 'utf8')).toBe('replication test #1');
    expect(binlog().filter((l) => l === `${TS} c ${A}`)).toHaveLength(2);
    // Records are attributed to the peer that announced itself with 9.
    expect(storage.progress.newestFrom('10.77.1.2')).toBe(TS);
  });

  it('16 with header status 0x11 and no content records an existing file; ENOENT for a missing one', async () => {
    const marker = (name: string) =>
      send(encodeSyncFileHead(StorageCmd.SyncCreateFile, { fileSize: 19, timestamp: TS, group: 'group1', filename: name }, { noContent: true }));
    expect((await marker(A)).status).toBe(Errno.EEXIST);
    expect((await marker('M00/00/02/nothere.txt')).status).toBe(Errno.ENOENT);
  });

  it('16 of another size overwrites; 18 always replaces', async () => {
    expect((await create(A, 'longer content now')).status).toBe(0);
    expect(readFileSync(abs(A), 'utf8')).toBe('longer content now');
    const upd = encodeSyncFileHead(StorageCmd.SyncUpdateFile, { fileSize: 3, timestamp: TS + 1, group: 'group1', filename: `${A}-m` });
    expect((await send(upd, Buffer.from('a\u0002b'))).status).toBe(0);
    expect((await send(upd, Buffer.from('a\u0002b'))).status).toBe(0);
    expect(binlog()).toContain(`${TS + 1} u ${A}-m`);
  });

  it('25 appends only at its size: EEXIST when already longer, ENOENT when off or missing', async () => {
    expect((await create(B, '0123456789')).status).toBe(0);
    expect((await range(StorageCmd.SyncAppendFile, B, 10, 'ABCDEF')).status).toBe(0);
    expect(readFileSync(abs(B), 'utf8')).toBe('0123456789ABCDEF');
    expect((await range(StorageCmd.SyncAppendFile, B, 10, 'ABCDEF')).status).toBe(Errno.EEXIST);
    expect((await range(StorageCmd.SyncAppendFile, B, 12, 'zzzzzzzz')).status).toBe(Errno.ENOENT);
    expect((await range(StorageCmd.SyncAppendFile, 'M00/00/02/nothere.log', 0, 'x')).status).toBe(Errno.ENOENT);
    expect(binlog()).toContain(`${TS + 5} a ${B} 10 6`);
  });

  it('35 modifies whenever the file reaches the offset (re-applied harmlessly), else ENOENT', async () => {
    expect((await range(StorageCmd.SyncModifyFile, B, 2, 'xy')).status).toBe(0);
    expect((await range(StorageCmd.SyncModifyFile, B, 2, 'xy')).status).toBe(0);
    expect(readFileSync(abs(B), 'utf8')).toBe('01xy456789ABCDEF');
    expect((await range(StorageCmd.SyncModifyFile, B, 99, 'q')).status).toBe(Errno.ENOENT);
  });

  it('37 truncates only from the old size; a replay is EEXIST', async () => {
    const trunc = encodeSyncTruncateRequest({ oldFileSize: 16, newFileSize: 8, timestamp: TS + 7, group: 'group1', filename: B });
    expect((await send(trunc)).status).toBe(0);
    expect(readFileSync(abs(B), 'utf8')).toBe('01xy4567');
    expect((await send(trunc)).status).toBe(Errno.EEXIST);
    expect(binlog()).toContain(`${TS + 7} t ${B} 16 8`);
  });

  it('40 renames with an empty answer body; replays are EEXIST, unknown names ENOENT', async () => {
    const req = encodeSyncLinkRequest(StorageCmd.SyncRenameFile, { timestamp: TS + 9, group: 'group1', destFilename: B2, srcFilename: B });
    const first = await send(req);
    expect(first).toEqual({ status: 0, body: Buffer.alloc(0) });
    expect(readFileSync(abs(B2), 'utf8')).toBe('01xy4567');
    expect(() => statSync(abs(B))).toThrow();
    expect((await send(req)).status).toBe(Errno.EEXIST);
    const none = encodeSyncLinkRequest(StorageCmd.SyncRenameFile, { timestamp: TS, group: 'group1', destFilename: 'M00/00/02/a.log', srcFilename: 'M00/00/02/b.log' });
    expect((await send(none)).status).toBe(Errno.ENOENT);
    expect(binlog()).toContain(`${TS + 9} r ${B2} ${B}`);
  });

  it('19 links to the local copy; EEXIST when present, ENOENT without a target', async () => {
    const req = encodeSyncLinkRequest(StorageCmd.SyncCreateLink, { timestamp: TS, group: 'group1', destFilename: L, srcFilename: A });
    expect((await send(req)).status).toBe(0);
    expect(lstatSync(abs(L)).isSymbolicLink()).toBe(true);
    expect(readlinkSync(abs(L))).toBe(abs(A));
    expect((await send(req)).status).toBe(Errno.EEXIST);
    const orphan = encodeSyncLinkRequest(StorageCmd.SyncCreateLink, { timestamp: TS, group: 'group1', destFilename: 'M00/00/02/l.txt', srcFilename: 'M00/00/02/t.txt' });
    expect((await send(orphan)).status).toBe(Errno.ENOENT);
  });

  it('17 deletes once, then answers ENOENT', async () => {
    const del = encodeSyncDeleteRequest({ timestamp: TS + 11, group: 'group1', filename: `${A}-m` });
    expect((await send(del)).status).toBe(0);
    expect((await send(del)).status).toBe(Errno.ENOENT);
    expect(binlog().filter((l) => l === `${TS + 11} d ${A}-m`)).toHaveLength(1);
  });

  it('reads the group only up to its NUL (6.16.1 leaves stale bytes after it)', async () => {
    const pkt = encodeSyncFileHead(StorageCmd.SyncCreateFile, { fileSize: 2, timestamp: TS, group: 'group1', filename: 'M00/00/03/stale.txt' });
    // group1 NUL then garbage, as captured: 67 72 6f 75 70 31 00 7f 00 00 5c ff c3 10 00 00
    Buffer.from([0x00, 0x7f, 0x00, 0x00, 0x5c, 0xff, 0xc3, 0x10, 0x00, 0x00]).copy(pkt, 10 + 20 + 6);
    expect((await send(pkt, Buffer.from('ok'))).status).toBe(0);
    expect(readFileSync(abs('M00/00/03/stale.txt'), 'utf8')).toBe('ok');
  });

  it('refuses another group with EINVAL (and closes, as a storage does)', async () => {
    const c2 = await Connection.connect('127.0.0.1', storage.address.port);
    try {
      const r = await c2.call(encodeSyncDeleteRequest({ timestamp: TS, group: 'group2', filename: A }), { onError: 'return' });
      expect(r.status).toBe(Errno.EINVAL);
    } finally {
      c2.destroy();
    }
  });

  it('26 streams the path\'s files folded from the binlog, until close, with the byte-count trailer', async () => {
    const c2 = await Connection.connect('127.0.0.1', storage.address.port);
    try {
      const len = await c2.open(encodeFetchOnePathBinlogRequest({ group: 'group1', storePathIndex: 0 }));
      expect(len).toBe(Number.POSITIVE_INFINITY);
      const parts: Buffer[] = [];
      for await (const chunk of c2.body()) parts.push(chunk);
      const text = decodeFetchBinlogStream(Buffer.concat(parts)).toString();
      const names = text.split('\n').filter(Boolean).map((l) => l.split(' ').slice(1).join(' '));
      // A and the stale-group file exist; B was renamed to B2 (listed as c); A-m was deleted; a link keeps its
      // target (stock recovery makes it a symlink again).
      expect(names.sort()).toEqual([`c ${A}`, `c ${B2}`, 'c M00/00/03/stale.txt', `l ${A.replace('.txt', '_s.txt')} ${A}`].sort());
    } finally {
      c2.destroy();
    }
  });
});
