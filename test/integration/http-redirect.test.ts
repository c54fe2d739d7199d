// Files the group holds but this storage has not received yet (spec §7.3): storage B redirects (302) and C proxies
// to the source A named in the file ID; 404 when the source is itself, the file is too old, or on a loop; tracker 302.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { encodeFileName } from '../../src/protocol/file-id.js';
import { allocHost, startTracker, startStorage, stopAll, waitFor, type TrackerHandle, type StorageHandle } from '../helpers/cluster.js';
import { curl } from '../helpers/http.js';

const HTTP = 8888;
const TRACKER_HTTP = 8080;
let tracker: TrackerHandle;
let a: StorageHandle;
let b: StorageHandle;
let c: StorageHandle;
let client: FdfsClient;
const DATA = randomBytes(300_000);

/**
 * Put a file straight into `on`'s store path under a name saying it was created by `sourceIp` at `ts`: no binlog
 * record, so no replication ever copies it — a file only one storage has, whatever replication does meanwhile.
 */
function plant(on: StorageHandle, sourceIp: string, ts: number, data = DATA, ext = 'bin'): string {
  const logical = encodeFileName({
    source: { ipv4: sourceIp }, timestamp: ts, size: data.length, kind: 'normal', crc32: zlib.crc32(data), ext,
    storePathIndex: 0, subHigh: 1, subLow: 2,
  });
  const dir = path.join(on.dir, 'data', '01', '02');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, logical.split('/').pop()!), data);
  return `group1/${logical}`;
}

const now = () => Math.floor(Date.now() / 1000);
const url = (s: StorageHandle, id: string, q = '') => `http://${s.host}:${HTTP}/${id}${q}`;

beforeAll(async () => {
  tracker = await startTracker({ conf: { 'http.server_port': TRACKER_HTTP, 'http.storage_server_port': HTTP } });
  a = await startStorage({ trackers: [tracker.address], conf: { 'http.server_port': HTTP } });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitFor('A ACTIVE', async () => (await client.listStorages('group1')).find((s) => s.ipAddr === a.host)?.status === StorageStatus.Active);
  b = await startStorage({ trackers: [tracker.address], conf: { 'http.server_port': HTTP, 'http.response_mode': 'redirect' } });
  c = await startStorage({ trackers: [tracker.address], conf: { 'http.server_port': HTTP, 'http.response_mode': 'proxy', network_timeout: 3, connect_timeout: 2 } });
});

afterAll(async () => {
  client?.close();
  await stopAll([c, b, a, tracker]);
});

describe('a file not replicated yet', () => {
  it('redirect mode: B answers 302 to the source A with redirect=1, and a following client gets the bytes', async () => {
    const id = plant(a, a.host, now());
    const r = await fetch(url(b, id, '?filename=x.bin'), { redirect: 'manual' });
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe(`http://${a.host}:${HTTP}/${id}?filename=x.bin&redirect=1`);
    const followed = await fetch(url(b, id));
    expect(followed.status).toBe(200);
    expect(Buffer.from(await followed.arrayBuffer()).equals(DATA)).toBe(true);
    const viaCurl = await curl(['-f', '-L', url(b, id)]);
    expect(viaCurl.stdout.equals(DATA)).toBe(true);
  });

  it('proxy mode: C streams the file from A, ranges and HEAD included', async () => {
    const id = plant(a, a.host, now());
    const r = await fetch(url(c, id));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-length')).toBe(String(DATA.length));
    expect(Buffer.from(await r.arrayBuffer()).equals(DATA)).toBe(true);
    const part = await fetch(url(c, id), { headers: { Range: 'bytes=1000-1999' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${DATA.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(DATA.subarray(1000, 2000))).toBe(true);
    const head = await fetch(url(c, id), { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(DATA.length));
    const etag = r.headers.get('etag')!;
    expect((await fetch(url(c, id), { headers: { 'If-None-Match': etag } })).status).toBe(304);
    const viaCurl = await curl(['-f', '-r', '-100', url(c, id)]);
    expect(viaCurl.stdout.equals(DATA.subarray(DATA.length - 100))).toBe(true);
  });

  it('404 when the loop guard is set, the source is the asked storage, or the file is older than storage_sync_file_max_delay', async () => {
    const id = plant(a, a.host, now());
    expect((await fetch(url(b, id, '?redirect=1'), { redirect: 'manual' })).status).toBe(404);
    expect((await fetch(url(c, id, '?redirect=1'))).status).toBe(404);
    // Created on B (by its name) yet missing there: B never asks anyone.
    const own = plant(a, b.host, now());
    expect((await fetch(url(b, own), { redirect: 'manual' })).status).toBe(404);
    const old = plant(a, a.host, now() - 2 * 86400);
    expect((await fetch(url(b, old), { redirect: 'manual' })).status).toBe(404);
    expect((await fetch(url(c, old))).status).toBe(404);
    // A file its own source lacks: A does not redirect to itself, and B's redirect ends there with a 404.
    const gone = plant(b, a.host, now()).replace(/\.bin$/, '.zip');
    expect((await fetch(url(a, gone))).status).toBe(404);
    expect((await fetch(url(b, gone))).status).toBe(404);
  });

  it('502 from the proxy when the source storage cannot be reached; C keeps serving', async () => {
    const id = plant(a, allocHost(), now());
    const r = await fetch(url(c, id));
    expect(r.status).toBe(502);
    const ok = plant(a, a.host, now());
    expect((await fetch(url(c, ok))).status).toBe(200);
  });
});

describe('tracker HTTP entry', () => {
  it('sends a new file to its source storage (the 102 routing), which serves it', async () => {
    const id = plant(a, a.host, now());
    const r = await fetch(`http://${tracker.host}:${TRACKER_HTTP}/${id}`, { redirect: 'manual' });
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe(`http://${a.host}:${HTTP}/${id}`);
    const followed = await fetch(`http://${tracker.host}:${TRACKER_HTTP}/${id}`);
    expect(Buffer.from(await followed.arrayBuffer()).equals(DATA)).toBe(true);
  });
});
