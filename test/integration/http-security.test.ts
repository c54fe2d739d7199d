// Issue 14 item 4 with real processes: the HMAC download token (always expires, previous secret accepted),
// per-prefix token rules next to the MD5 token, `fdfs token --hmac`, and /metrics behind a host list or token.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { FdfsClient, httpUrl } from '../../src/client/index.js';
import { allocHost, startStorage, startTracker, stopAll, waitAllActive, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { runCli } from '../helpers/proc.js';

const HTTP = 8888;
const TRACKER_HTTP = 8080;
const MD5_SECRET = 'FastDFS1234567890';
const HMAC = 'current-hmac-secret';
const OLD_HMAC = 'previous-hmac-secret';
const METRICS_TOKEN = 'metrics-token-1';
let tracker: TrackerHandle;
let storage: StorageHandle;
let client: FdfsClient;
/** One file per store path: M00 (hmac only), M01 (open), M02 (default: md5, or hmac). */
const ids: Record<string, string> = {};

beforeAll(async () => {
  tracker = await startTracker({ conf: { 'http.server_port': TRACKER_HTTP, 'http.metrics.token': METRICS_TOKEN } });
  const host = allocHost();
  const paths = [1, 2].map((i) => path.join(tracker.dir, `..`, `${path.basename(tracker.dir)}-p${i}`));
  for (const p of paths) mkdirSync(p, { recursive: true });
  storage = await startStorage({
    trackers: [tracker.address], host,
    conf: {
      store_path_count: 3, store_path1: paths[0]!, store_path2: paths[1]!,
      'http.server_port': HTTP, 'http.anti_steal.check_token': true, 'http.anti_steal.secret_key': MD5_SECRET,
      'http.token.hmac_secret': HMAC, 'http.token.hmac_previous_secret': OLD_HMAC,
      'http.token.rule': ['group1/M00/ hmac', 'group1/M01/ open'],
      'http.metrics.allow_hosts': '127.0.0.1',
    },
  });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, [storage]);
  for (let i = 0; i < 12 && Object.keys(ids).length < 3; i++) {
    const id = await client.upload(Buffer.from(`file ${i}`), { ext: 'txt' });
    ids[id.split('/')[1]!] ??= id;
  }
  expect(Object.keys(ids).sort()).toEqual(['M00', 'M01', 'M02']);
}, 40_000);

afterAll(async () => {
  client?.close();
  await stopAll([storage, tracker]);
});

const base = () => `http://${storage.host}:${HTTP}`;
const status = async (url: string) => (await fetch(url)).status;
const now = () => Math.floor(Date.now() / 1000);

describe('HMAC download tokens and prefix rules', () => {
  it('hmac prefix: a valid HMAC token (current or previous secret) passes; expired, forged or MD5 ones get 403', async () => {
    const id = ids.M00!;
    expect(await status(httpUrl(id, { base: base(), hmacSecret: HMAC }))).toBe(200);
    expect(await status(httpUrl(id, { base: base(), hmacSecret: OLD_HMAC }))).toBe(200);
    expect(await status(httpUrl(id, { base: base(), hmacSecret: HMAC, expires: now() - 5 }))).toBe(403);
    expect(await status(httpUrl(id, { base: base(), hmacSecret: 'guessed' }))).toBe(403);
    const signed = new URL(httpUrl(id, { base: base(), hmacSecret: HMAC }));
    signed.searchParams.set('exp', String(now() + 10 * 365 * 86400));
    expect(await status(signed.href)).toBe(403);
    expect(await status(httpUrl(id, { base: base(), secret: MD5_SECRET }))).toBe(403);
    expect(await status(httpUrl(id, { base: base() }))).toBe(403);
  });

  it('open prefix needs nothing; other files keep the MD5 token and take the HMAC one too', async () => {
    expect(await status(httpUrl(ids.M01!, { base: base() }))).toBe(200);
    const id = ids.M02!;
    expect(await status(httpUrl(id, { base: base() }))).toBe(403);
    expect(await status(httpUrl(id, { base: base(), secret: MD5_SECRET }))).toBe(200);
    expect(await status(httpUrl(id, { base: base(), hmacSecret: HMAC }))).toBe(200);
  });

  it('fdfs token --hmac prints a URL the gateway serves', async () => {
    const r = await runCli(['token', ids.M00!, '--hmac', '--secret', HMAC, '--base', base(), '--expires-in', '60']);
    expect(r.code, r.stderr).toBe(0);
    const url = r.stdout.trim();
    expect(url).toMatch(/[?&]sig=[\w-]{43}&exp=\d+/);
    expect(await status(url)).toBe(200);
  });
});

describe('/metrics', () => {
  it('on the tracker: only with the bearer token', async () => {
    const url = `http://${tracker.host}:${TRACKER_HTTP}/metrics`;
    expect(await status(url)).toBe(403);
    expect((await fetch(url, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(403);
    const ok = await fetch(url, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/fdfs_/);
  });

  it('on the storage: from a listed host only (fetch connects from 127.0.0.1)', async () => {
    expect(await status(`${base()}/metrics`)).toBe(200);
    const fromElsewhere = await new Promise<number>((resolve, reject) => {
      http.get({ host: storage.host, port: HTTP, path: '/metrics', localAddress: allocHost() }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).on('error', reject);
    });
    expect(fromElsewhere).toBe(403);
  });
});
