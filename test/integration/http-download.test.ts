// The storage's HTTP gateway and the tracker's HTTP entry as real `fdfs serve` processes, driven by fetch
// (undici), curl and raw sockets: full/HEAD/range/conditional downloads, uploads, and hostile requests.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { startTracker, startStorage, stopAll, waitFor, tempDir, type TrackerHandle, type StorageHandle } from '../helpers/cluster.js';
import { curl, get, rawHttp, vanishingGet } from '../helpers/http.js';

const HTTP = 8888;
const TRACKER_HTTP = 8080;
const UPLOAD_SECRET = 'up-secret-1';
let tracker: TrackerHandle;
let storage: StorageHandle;
let client: FdfsClient;
let base = '';
let small = '';
let big = '';
const SMALL = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
const BIG = randomBytes(6 * 1024 * 1024 + 17);
const work = tempDir('fdfs-http-dl-');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  tracker = await startTracker({ conf: { 'http.server_port': TRACKER_HTTP, 'http.storage_server_port': HTTP } });
  storage = await startStorage({
    trackers: [tracker.address],
    conf: { 'http.server_port': HTTP, network_timeout: 2, 'http.upload.secret': UPLOAD_SECRET, 'http.upload.max_size': '1MB' },
  });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitFor('ACTIVE', async () => (await client.listStorages('group1'))[0]?.status === StorageStatus.Active);
  small = await client.upload(SMALL, { ext: 'txt' });
  big = await client.upload(BIG, { ext: 'bin' });
  base = `http://${storage.host}:${HTTP}`;
});

afterAll(async () => {
  client?.close();
  await stopAll([storage, tracker]);
});

async function stillServing(): Promise<void> {
  const r = await fetch(`${base}/${small}`);
  expect(r.status).toBe(200);
  expect(Buffer.from(await r.arrayBuffer()).equals(SMALL)).toBe(true);
}

describe('downloads', () => {
  it('GET answers 200 with the bytes, type from the extension, validators and Accept-Ranges', async () => {
    const r = await fetch(`${base}/${small}`);
    expect(r.status).toBe(200);
    expect(Buffer.from(await r.arrayBuffer()).equals(SMALL)).toBe(true);
    expect(r.headers.get('content-type')).toBe('text/plain');
    expect(r.headers.get('content-length')).toBe(String(SMALL.length));
    expect(r.headers.get('accept-ranges')).toBe('bytes');
    expect(r.headers.get('etag')).toMatch(/^"[0-9a-f]{8}-[0-9a-f]+-[0-9a-f]+"$/);
    const created = client.decodeFileId(small).timestamp;
    expect(Date.parse(r.headers.get('last-modified')!)).toBe(created * 1000);
  });

  it('a plain GET (answered in one step) and one with a precondition (the full path) send the same headers', async () => {
    const plain = await fetch(`${base}/${small}`);
    // A precondition that holds (no tag matches) keeps the 200 but takes the full path.
    const full = await fetch(`${base}/${small}`, { headers: { 'If-None-Match': '"other"' } });
    expect(plain.status).toBe(200);
    expect(full.status).toBe(200);
    for (const h of ['etag', 'last-modified', 'content-type', 'content-length', 'accept-ranges']) {
      expect(plain.headers.get(h), h).toBe(full.headers.get(h));
    }
    expect(Buffer.from(await plain.arrayBuffer()).equals(Buffer.from(await full.arrayBuffer()))).toBe(true);
  });

  it('HEAD answers the headers only; the group may be left out of the URL', async () => {
    const r = await fetch(`${base}/${small}`, { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-length')).toBe(String(SMALL.length));
    expect((await r.arrayBuffer()).byteLength).toBe(0);
    const noGroup = await fetch(`${base}/${small.slice(small.indexOf('/') + 1)}`);
    expect(Buffer.from(await noGroup.arrayBuffer()).equals(SMALL)).toBe(true);
  });

  it('streams a 6 MiB file to curl intact, and a range from its middle', async () => {
    const out = path.join(work, 'big.bin');
    const r = await curl(['-f', '-o', out, `${base}/${big}`]);
    expect(r.code).toBe(0);
    expect(sha(readFileSync(out))).toBe(sha(BIG));
    const part = await curl(['-f', '-r', '3000000-3999999', `${base}/${big}`]);
    expect(part.stdout.equals(BIG.subarray(3_000_000, 4_000_000))).toBe(true);
  });

  it('many large GETs at once are byte-exact: read buffers go back to reuse only once their socket took them', async () => {
    const ranges: Array<[number, number] | null> = [null, null, null, null, [1, 5_000_000], [262_143, 262_144 * 9], null, [4_000_000, BIG.length - 1]];
    const got = await Promise.all(ranges.map(async (r) => {
      const res = await fetch(`${base}/${big}`, r ? { headers: { Range: `bytes=${r[0]}-${r[1]}` } } : {});
      expect(res.status).toBe(r ? 206 : 200);
      return Buffer.from(await res.arrayBuffer());
    }));
    got.forEach((body, i) => {
      const r = ranges[i];
      expect(sha(body)).toBe(sha(r ? BIG.subarray(r[0], r[1] + 1) : BIG));
    });
  });

  it('a small file read again comes from memory only while its copy is there: deleted, it is 404 at once', async () => {
    const body = randomBytes(3000);
    const id = await client.upload(body, { ext: 'txt' });
    for (let i = 0; i < 4; i++) expect(Buffer.from(await (await fetch(`${base}/${id}`)).arrayBuffer()).equals(body)).toBe(true);
    await client.delete(id);
    for (let i = 0; i < 3; i++) expect((await fetch(`${base}/${id}`)).status).toBe(404);
    await expect(client.downloadToBuffer(id)).rejects.toMatchObject({ errno: 2 });
  });

  it('serves Range requests: first, suffix, open-ended, clamped; 416 for unsatisfiable or malformed', async () => {
    const ask = (range: string) => fetch(`${base}/${small}`, { headers: { Range: range } });
    let r = await ask('bytes=0-9');
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe(`bytes 0-9/${SMALL.length}`);
    expect(await r.text()).toBe('0123456789');
    expect(await (await ask('bytes=-6')).text()).toBe('uvwxyz');
    expect(await (await ask('bytes=30-')).text()).toBe('uvwxyz');
    r = await ask('bytes=30-9999');
    expect(r.headers.get('content-range')).toBe(`bytes 30-35/${SMALL.length}`);
    r = await ask('bytes=36-');
    expect(r.status).toBe(416);
    expect(r.headers.get('content-range')).toBe(`bytes */${SMALL.length}`);
    for (const bad of ['bytes=abc', 'bytes=5-2', 'bytes=--1', 'bytes=1-2-3', 'bytes=']) {
      expect((await ask(bad)).status, bad).toBe(416);
    }
    r = await ask('items=0-1');
    expect(r.status).toBe(200);
    expect((await r.arrayBuffer()).byteLength).toBe(SMALL.length);
  });

  it('answers several ranges as multipart/byteranges', async () => {
    const r = await fetch(`${base}/${small}`, { headers: { Range: 'bytes=0-1,10-12,-2' } });
    expect(r.status).toBe(206);
    const type = r.headers.get('content-type')!;
    const boundary = /boundary=(\S+)/.exec(type)![1]!;
    expect(type).toMatch(/^multipart\/byteranges/);
    const body = await r.text();
    expect(Number(r.headers.get('content-length'))).toBe(Buffer.byteLength(body));
    const parts = body.split(`--${boundary}`).slice(1, -1).map((p) => p.split('\r\n\r\n')[1]!.replace(/\r\n$/, ''));
    expect(parts).toEqual(['01', 'abc', 'yz']);
    expect(body).toContain(`Content-Range: bytes 10-12/${SMALL.length}`);
  });

  it('answers conditional requests: 304 for a matching ETag or date, 412 for If-Match, If-Range falls back to 200', async () => {
    const first = await fetch(`${base}/${small}`);
    const etag = first.headers.get('etag')!;
    const lm = first.headers.get('last-modified')!;
    expect((await fetch(`${base}/${small}`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
    expect((await fetch(`${base}/${small}`, { headers: { 'If-None-Match': `"x", ${etag}` } })).status).toBe(304);
    expect((await fetch(`${base}/${small}`, { headers: { 'If-Modified-Since': lm } })).status).toBe(304);
    expect((await fetch(`${base}/${small}`, { headers: { 'If-None-Match': '"other"' } })).status).toBe(200);
    const before = new Date(Date.parse(lm) - 60_000).toUTCString();
    expect((await fetch(`${base}/${small}`, { headers: { 'If-Modified-Since': before } })).status).toBe(200);
    expect((await fetch(`${base}/${small}`, { headers: { 'If-Match': '"other"' } })).status).toBe(412);
    expect((await fetch(`${base}/${small}`, { headers: { 'If-Match': etag } })).status).toBe(200);
    const ifRange = (v: string) => fetch(`${base}/${small}`, { headers: { Range: 'bytes=0-0', 'If-Range': v } });
    expect((await ifRange(etag)).status).toBe(206);
    expect((await ifRange('"stale"')).status).toBe(200);
  });

  it('sets a download name with ?filename=', async () => {
    const r = await fetch(`${base}/${small}?filename=${encodeURIComponent('report "q1" é.txt')}`);
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="report _q1_ _.txt"; filename*=UTF-8''report%20%22q1%22%20%C3%A9.txt`);
  });

  it('404 for an unknown group or a file this storage created but lacks; 405 for other methods', async () => {
    expect((await fetch(`${base}/${small.replace('group1', 'group9')}`)).status).toBe(404);
    expect((await fetch(`${base}/${small.replace(/\d{3}\.txt$/, '000.txt')}`)).status).toBe(404);
    const del = await fetch(`${base}/${small}`, { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET, HEAD');
  });

  it('never serves a metadata sidecar as a file (404), with or without the group', async () => {
    const withMeta = await client.upload(Buffer.from('has metadata'), { ext: 'txt', metadata: { owner: 'secret-owner' } });
    expect(await client.getMetadata(withMeta)).toEqual({ owner: 'secret-owner' });
    for (const url of [`${base}/${withMeta}-m`, `${base}/${withMeta.slice(withMeta.indexOf('/') + 1)}-m`]) {
      const r = await fetch(url);
      expect(r.status).toBe(404);
      expect(await r.text()).not.toContain('secret-owner');
    }
    expect((await fetch(`${base}/${withMeta}`)).status).toBe(200);
  });

  it('answers /healthz on the storage and the tracker', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ role: 'storage', status: 'ok', group: 'group1' });
    expect(await (await fetch(`http://${tracker.host}:${TRACKER_HTTP}/healthz`)).json())
      .toMatchObject({ role: 'tracker', status: 'ok', groups: 1, activeStorages: 1 });
  });
});

describe('tracker HTTP entry', () => {
  const entry = () => `http://${tracker.host}:${TRACKER_HTTP}`;

  it('302s to the storage gateway holding the file, keeping the query; fetch and curl follow it', async () => {
    const r = await fetch(`${entry()}/${small}?filename=a.txt`, { redirect: 'manual' });
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe(`http://${storage.host}:${HTTP}/${small}?filename=a.txt`);
    expect(await (await fetch(`${entry()}/${small}`)).text()).toBe(SMALL.toString());
    const c = await curl(['-f', '-L', `${entry()}/${big}`]);
    expect(sha(c.stdout)).toBe(sha(BIG));
  });

  it('404 for an unknown group or a URL without a group, 400 for traversal', async () => {
    expect((await fetch(`${entry()}/${small.replace('group1', 'group7')}`, { redirect: 'manual' })).status).toBe(404);
    expect((await fetch(`${entry()}/${small.slice(7)}`, { redirect: 'manual' })).status).toBe(404);
    expect((await rawHttp(tracker.host, TRACKER_HTTP, get('/group1/M00/00/00/..%2f..%2fetc%2fpasswd'))).status).toBe(400);
  });
});

describe('HTTP upload', () => {
  const auth = { Authorization: `Bearer ${UPLOAD_SECRET}` };

  it('stores a raw body and returns its file ID, downloadable over both protocols', async () => {
    const data = randomBytes(200_000);
    const r = await fetch(`${base}/upload?ext=jpg`, { method: 'POST', headers: auth, body: data });
    expect(r.status).toBe(200);
    const { fileId } = await r.json() as { fileId: string };
    expect(fileId).toMatch(/^group1\/M00\/0[0-3]\/0[0-3]\/.{27}.{3}\.jpg$/);
    expect(client.decodeFileId(fileId).size).toBe(data.length);
    expect((await client.downloadToBuffer(fileId)).equals(data)).toBe(true);
    const g = await fetch(`${base}/${fileId}`);
    expect(g.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await g.arrayBuffer()).equals(data)).toBe(true);
  });

  it('stores the file part of a multipart form sent by curl, extension from its name', async () => {
    const f = path.join(work, 'note.md');
    writeFileSync(f, '# hello\n');
    const r = await curl(['-f', '-H', `Authorization: Bearer ${UPLOAD_SECRET}`, '-F', 'comment=x', '-F', `file=@${f}`, `${base}/upload`]);
    expect(r.code).toBe(0);
    const { fileId } = JSON.parse(r.stdout.toString()) as { fileId: string };
    expect(fileId).toMatch(/\.md$/);
    expect((await client.downloadToBuffer(fileId)).toString()).toBe('# hello\n');
  });

  it('refuses a missing or wrong secret (401), an oversized body (413) and a bad extension (400), leaving no temp files', async () => {
    expect((await fetch(`${base}/upload`, { method: 'POST', body: 'x' })).status).toBe(401);
    expect((await fetch(`${base}/upload`, { method: 'POST', headers: { Authorization: 'Bearer nope' }, body: 'x' })).status).toBe(401);
    expect((await fetch(`${base}/upload`, { method: 'POST', headers: auth, body: randomBytes(1_100_000) })).status).toBe(413);
    // chunked, so only counting finds it too large
    const chunked = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 20; i++) c.enqueue(randomBytes(64 * 1024));
        c.close();
      },
    });
    const r = await fetch(`${base}/upload`, { method: 'POST', headers: auth, body: chunked, duplex: 'half' } as RequestInit);
    expect(r.status).toBe(413);
    const big2 = path.join(work, 'big2.bin');
    writeFileSync(big2, randomBytes(1_200_000));
    expect((await curl(['-o', '/dev/null', '-w', '%{http_code}', '-H', `Authorization: Bearer ${UPLOAD_SECRET}`, '-F', `f=@${big2}`, `${base}/upload`])).stdout.toString()).toBe('413');
    expect((await fetch(`${base}/upload?ext=../x`, { method: 'POST', headers: auth, body: 'x' })).status).toBe(400);
    expect((await fetch(`${base}/upload`, { method: 'GET', headers: auth })).status).toBe(405);
    await waitFor('temp files removed', async () => tempFiles(storage.dir).length === 0, 5000);
    await stillServing();
  });
});

function tempFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = path.join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.tmp')) out.push(p);
    }
  };
  walk(path.join(dir, 'data'));
  return out;
}

describe('hostile requests', () => {
  it('refuses traversal in every spelling with 400 and never sends a byte from outside the store path', async () => {
    const targets = [
      '/group1/M00/00/00/../../../../../../etc/passwd', '/group1/M00/00/00/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/group1/M00/00/00/..%2f..%2f..%2f..%2fetc%2fpasswd', '/group1/M00/00/00/%2E%2E%2F%2E%2E%2Fstorage.conf',
      '/group1/M00/00/00/..%5c..%5cstorage.conf', '/../../../etc/passwd', '//etc/passwd', `/${storage.dir}/storage.conf`,
      '/group1/M00/00/00/x%00.txt', '/group1/M00/00/00/%252e%252e%252fstorage.conf', '/group1/M00/../../storage.conf',
      '/M00/00/00/../../../storage.conf', '/group1/M00/00/00/.%2e/.%2e/storage.conf', '*', 'http://evil/etc/passwd',
    ];
    for (const t of targets) {
      const r = await rawHttp(storage.host, HTTP, get(t));
      expect(r.status, t).toBeGreaterThanOrEqual(400);
      expect(r.status, t).toBeLessThan(500);
      expect(r.body.toString(), t).not.toMatch(/root:|base_path|tracker_server/);
      const c = await curl(['--path-as-is', '-o', '/dev/null', '-w', '%{http_code}', `${base}${t.startsWith('/') ? t : `/${t}`}`]);
      expect(Number(c.stdout.toString()), t).toBeGreaterThanOrEqual(400);
    }
    await stillServing();
  });

  it('survives clients that vanish mid-download (single and multi-range) without leaking or crashing', async () => {
    const pid = storage.proc.child!.pid!;
    const openFds = () => readdirSync(`/proc/${pid}/fd`).length;
    const before = openFds();
    const cut: Array<ReturnType<typeof vanishingGet>> = [];
    for (let i = 0; i < 6; i++) {
      cut.push(vanishingGet(storage.host, HTTP, get(`/${big}`), 256 * 1024));
      cut.push(vanishingGet(storage.host, HTTP, get(`/${big}`, { Range: 'bytes=0-9,100-3000000,-5' }), 256 * 1024));
    }
    for (const r of await Promise.all(cut)) {
      expect(r.serverClosedFirst).toBe(false);
      expect(r.received).toBeLessThan(BIG.length);
    }
    await stillServing();
    // Every file and socket of the vanished downloads is closed again.
    await waitFor('open descriptors back to where they were', async () => openFds() <= before, 5000);
    const again = await curl(['-f', `${base}/${big}`]);
    expect(sha(again.stdout)).toBe(sha(BIG));
  });

  it('431 for oversized headers, 400 for garbage, and drops slow clients within network_timeout', async () => {
    const huge = await rawHttp(storage.host, HTTP, get(`/${small}`, { 'X-Pad': 'a'.repeat(20_000) }));
    expect(huge.status).toBe(431);
    expect((await rawHttp(storage.host, HTTP, 'NOT HTTP AT ALL\r\n\r\n')).status).toBe(400);
    // Headers trickling in: the connection is cut (408 or close) well before the test's 12 s bound.
    const slow = rawHttp(storage.host, HTTP, ['GET /', `${small} HTTP/1.1\r\n`, 'X-A: 1\r\n', 'X-B: 1\r\n', 'X-C: 1\r\n', 'X-D: 1\r\n',
      'X-E: 1\r\n', 'X-F: 1\r\n', 'X-G: 1\r\n', 'X-H: 1\r\n', 'X-I: 1\r\n', 'X-J: 1\r\n'], { ms: 12_000, gapMs: 1000 });
    // An upload body that stalls after 10 bytes.
    const stalled = rawHttp(storage.host, HTTP, [`POST /upload?ext=bin HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ${UPLOAD_SECRET}\r\nContent-Length: 1000\r\n\r\n0123456789`], { ms: 12_000 });
    await stillServing();
    const [s, st] = await Promise.all([slow, stalled]);
    expect(s.closed).toBe(true);
    expect(s.ms).toBeLessThan(11_000);
    expect(st.closed).toBe(true);
    expect(st.ms).toBeLessThan(11_000);
    await waitFor('temp files removed', async () => tempFiles(storage.dir).length === 0, 5000);
    await stillServing();
  });
});
