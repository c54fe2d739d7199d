// The storage's client connections in the C loop (native/query_loop.c, src/net/native-queries.ts), from real
// processes: after a first small request answered inline, a connection's small uploads and downloads are read
// and answered in C (stored, logged and counted as JavaScript does); an upload in pieces waits there for its
// rest; a piece that stalls, a larger request or anything else goes back to JavaScript on the same connection,
// in order; a connection that came back goes to C again only after 8 small requests in a row. A group peer's
// replicas of small files are taken there too.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { CommonCmd, StorageCmd } from '../../src/protocol/codes.js';
import { encodeHeader } from '../../src/protocol/header.js';
import { decodeUploadResponse, encodeDownloadRequest, encodeUploadHead } from '../../src/protocol/storage-file.js';
import { startStorage, startTracker, stopAll, waitAllActive, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { RawConnection as Raw } from '../helpers/raw-connection.js';
import { roleMetric } from '../helpers/role-metric.js';
import { downloadAt, missingAt, uploadAt } from '../helpers/storage-direct.js';

const HTTP_PORT = 8888;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
let tracker: TrackerHandle;
/** Two worker processes, the C loop on. */
let native: StorageHandle;
/** One process, FDFS_QUERY_LOOP=0: what JavaScript alone answers. */
let js: StorageHandle;

const uploadPacket = (data: Buffer, ext = 'bin') =>
  Buffer.concat([encodeUploadHead(StorageCmd.UploadFile, { storePathIndex: -1, fileSize: data.length, ext }), data]);
const downloadPacket = (fileId: string) => {
  const [group, ...rest] = fileId.split('/');
  return encodeDownloadRequest({ group: group!, filename: rest.join('/'), fileOffset: 0, downloadBytes: 0 });
};

async function upload(r: Raw, data: Buffer): Promise<string> {
  const answer = await r.ask(uploadPacket(data));
  expect(answer[9]).toBe(0);
  const { group, logical } = decodeUploadResponse(answer.subarray(10));
  return `${group}/${logical}`;
}

async function download(r: Raw, fileId: string): Promise<Buffer> {
  const answer = await r.ask(downloadPacket(fileId));
  expect(answer[9]).toBe(0);
  return answer.subarray(10);
}

const metric = (h: StorageHandle, name: string) => roleMetric({ host: h.host, port: HTTP_PORT }, name, 'storage');
/** Connections of `h` in C now (workers report every 200 ms). */
const inC = (h: StorageHandle = native) => metric(h, 'fdfs_native_connections');
const settle = () => new Promise((r) => setTimeout(r, 600));

/** A new connection to the C-loop storage, gone to C after one small upload; `held`: its connections in C then. */
async function connectedInC(): Promise<{ a: Raw; held: number }> {
  const a = await Raw.connect(native);
  await upload(a, randomBytes(100));
  await settle();
  const held = await inC();
  expect(held).toBeGreaterThanOrEqual(1);
  return { a, held };
}

function binlogNames(h: StorageHandle): Set<string> {
  const text = readFileSync(path.join(h.dir, 'data', 'sync', 'binlog.000'), 'utf8');
  return new Set(text.trim().split('\n').map((l) => `${l.split(' ')[2]}`));
}

beforeAll(async () => {
  tracker = await startTracker();
  native = await startStorage({ trackers: [tracker.address], conf: { work_threads: 2, 'http.server_port': HTTP_PORT } });
  js = await startStorage({ trackers: [tracker.address], group: 'group2', conf: { 'http.server_port': HTTP_PORT }, env: { FDFS_QUERY_LOOP: '0' } });
  const c = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(c, [native, js]);
  c.close();
});

afterAll(async () => {
  await stopAll([native, js, tracker]);
});

describe('the storage C loop', () => {
  it('stores, logs and serves small files after the first request as JavaScript does, and counts them', async () => {
    const [a, b] = await Promise.all([Raw.connect(native), Raw.connect(js)]);
    try {
      const before = await metric(native, 'fdfs_requests_total');
      const files: { data: Buffer; inC: string; inJs: string }[] = [];
      for (let i = 0; i < 20; i++) {
        // 1 byte to 256 KiB, the largest upload the loop takes whole.
        const data = randomBytes(i === 19 ? 256 << 10 : 1 + i * 3001);
        const [x, y] = [await a.ask(uploadPacket(data)), await b.ask(uploadPacket(data))];
        expect(x[9]).toBe(0);
        // Same shape: group (both 6 letters) and a name of the same length.
        expect(x.length).toBe(y.length);
        files.push({ data, inC: `group1/${decodeUploadResponse(x.subarray(10)).logical}`, inJs: `group2/${decodeUploadResponse(y.subarray(10)).logical}` });
      }
      await settle();
      expect(await inC()).toBeGreaterThanOrEqual(1);
      expect(await inC(js)).toBe(0);
      for (const f of files) {
        const [x, y] = [await a.ask(downloadPacket(f.inC)), await b.ask(downloadPacket(f.inJs))];
        expect(md5(x.subarray(10))).toBe(md5(f.data));
        expect(x.equals(y)).toBe(true);
      }
      // Each upload is in the binlog, and the same files come back through the client library.
      const logged = binlogNames(native);
      for (const f of files) expect(logged.has(f.inC.slice('group1/'.length))).toBe(true);
      const client = new FdfsClient({ trackers: [tracker.address] });
      for (const f of files.slice(0, 5)) expect(md5(await client.downloadToBuffer(f.inC))).toBe(md5(f.data));
      client.close();
      // A pool's ACTIVE_TEST, answered in C too.
      const pong = await a.ask(encodeHeader(0, CommonCmd.ActiveTest));
      expect(pong.equals(await b.ask(encodeHeader(0, CommonCmd.ActiveTest)))).toBe(true);
      await waitFor('the requests counted', async () => (await metric(native, 'fdfs_requests_total')) - before >= 41, 5000, 200);
    } finally {
      a.socket.destroy();
      b.socket.destroy();
    }
  });

  it('waits in C for an upload sent in pieces; one that stalls goes to JavaScript, which finishes it', async () => {
    const { a, held } = await connectedInC();
    try {
      // Head, part of the content, the rest: 100 ms apart, well within the loop's wait.
      const data = randomBytes(9000);
      const packet = uploadPacket(data);
      for (const [from, to] of [[0, 12], [12, 4000], [4000, packet.length]] as const) {
        a.socket.write(packet.subarray(from, to));
        await new Promise((r) => setTimeout(r, 100));
      }
      const answer = await a.frame();
      expect(answer[9]).toBe(0);
      const id = `group1/${decodeUploadResponse(answer.subarray(10)).logical}`;
      expect(md5(await download(a, id))).toBe(md5(data));
      await settle();
      expect(await inC()).toBe(held);
      // Half an upload, then 1.6 s of nothing: JavaScript takes it (and would time it out after network_timeout).
      const slow = randomBytes(20_000);
      const slowPacket = uploadPacket(slow);
      a.socket.write(slowPacket.subarray(0, 7000));
      await new Promise((r) => setTimeout(r, 1600));
      expect(await inC()).toBe(held - 1);
      a.socket.write(slowPacket.subarray(7000));
      const late = await a.frame();
      expect(late[9]).toBe(0);
      expect(md5(await download(a, `group1/${decodeUploadResponse(late.subarray(10)).logical}`))).toBe(md5(slow));
    } finally {
      a.socket.destroy();
    }
  });

  it('gives a larger upload or download to JavaScript on the same connection, and takes it back after 8 small requests', async () => {
    const { a, held } = await connectedInC();
    try {
      const big = randomBytes((256 << 10) + 1);
      // An upload over the loop's limit, pipelined behind a small download: answered in order.
      const small = await upload(a, Buffer.from('small'));
      a.socket.write(Buffer.concat([downloadPacket(small), uploadPacket(big)]));
      expect((await a.frame()).subarray(10).toString()).toBe('small');
      const bigAnswer = await a.frame();
      expect(bigAnswer[9]).toBe(0);
      const bigId = `group1/${decodeUploadResponse(bigAnswer.subarray(10)).logical}`;
      expect(md5(await download(a, bigId))).toBe(md5(big));
      await settle();
      expect(await inC()).toBe(held - 1);
      for (let i = 0; i < 7; i++) await upload(a, randomBytes(50));
      await settle();
      expect(await inC()).toBe(held - 1);
      await upload(a, randomBytes(50));
      await waitFor('back in C after 8 small requests', async () => (await inC()) === held, 3000, 100);
      // A large download goes to JavaScript too, and the bytes are the same.
      expect(md5(await download(a, bigId))).toBe(md5(big));
    } finally {
      a.socket.destroy();
    }
  });

  it('takes a group peer\'s replicas of small files in C: each stored whole, logged, with its time, under its id', async () => {
    const a = await startStorage({ trackers: [tracker.address], group: 'group3', conf: { 'http.server_port': HTTP_PORT } });
    const b = await startStorage({ trackers: [tracker.address], group: 'group3', conf: { work_threads: 2, 'http.server_port': HTTP_PORT } });
    const client = new FdfsClient({ trackers: [tracker.address] });
    try {
      await waitAllActive(client, [a, b]);
      const files = new Map<string, Buffer>();
      for (let i = 0; i < 40; i++) {
        const data = randomBytes(1 + i * 1500);
        files.set(await uploadAt(a.address, data), data);
      }
      const ids = [...files.keys()];
      await waitFor('every replica on b', async () => (await missingAt(b.address, ids)).length === 0, 20_000, 200);
      // The peer's replication connection went on in C after its first replica (the owner's count comes with its
      // workers' reports: waited for).
      await waitFor('the peer\'s connection in C', async () => (await inC(b)) >= 1, 5000, 100);
      const logged = readFileSync(path.join(b.dir, 'data', 'sync', 'binlog.000'), 'utf8');
      for (const [id, data] of files) {
        const logical = id.slice('group3/'.length);
        expect(md5(await downloadAt(b.address, id))).toBe(md5(data));
        expect(logged).toContain(` c ${logical}\n`);
        const { timestamp } = client.decodeFileId(id);
        expect(Math.floor(statSync(path.join(b.dir, 'data', logical.slice(4))).mtimeMs / 1000)).toBe(timestamp);
      }
    } finally {
      client.close();
      await stopAll([a, b]);
    }
  });

  it('gives a bad request JavaScript\'s answer (the storage closes after EINVAL), and ends at QUIT', async () => {
    for (const bad of [encodeHeader(0, 250), Buffer.concat([encodeHeader(3, StorageCmd.UploadFile), Buffer.alloc(3)])]) {
      const [a, b] = await Promise.all([Raw.connect(native), Raw.connect(js)]);
      try {
        await upload(a, randomBytes(10));
        await upload(b, randomBytes(10));
        await settle();
        const [x, y] = [await a.ask(bad), await b.ask(bad)];
        expect(x[9]).not.toBe(0);
        expect(x.equals(y)).toBe(true);
        expect(await a.closed()).toBe(b.ended || (await b.closed()));
      } finally {
        a.socket.destroy();
        b.socket.destroy();
      }
    }
    // QUIT read in C ends the connection there.
    const { a: q } = await connectedInC();
    const open = await metric(native, 'fdfs_open_connections');
    q.socket.write(encodeHeader(0, CommonCmd.Quit));
    expect(await q.closed()).toBe(true);
    // At most: the connections closed just before may be counted out meanwhile too.
    await waitFor('its slot given back', async () => (await metric(native, 'fdfs_open_connections')) <= open - 1, 3000, 100);
  });
});
