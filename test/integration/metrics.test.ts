// GET /metrics on the HTTP port of both roles, from real processes: request counters and latency per
// command, bytes, connections, disks, the tracker's view with per-peer sync lag; and logs to a file.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { allocHost, startStorage, startTracker, stopAll, tempDir, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { fdfsCommand, ServerProcess } from '../helpers/proc.js';

let tracker: TrackerHandle;
let a: StorageHandle;
let b: StorageHandle;
let client: FdfsClient;
const TRACKER_HTTP = 18080;
const STORAGE_HTTP = 18888;
const SIZE = 100_000;

type Sample = { name: string; labels: Record<string, string>; value: number };

async function scrape(host: string, port: number): Promise<Sample[]> {
  const res = await fetch(`http://${host}:${port}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const out: Sample[] = [];
  for (const line of (await res.text()).split('\n')) {
    const m = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? (\S+)$/i.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** Sum of a family's samples whose labels include `match`. */
function sum(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}

beforeAll(async () => {
  tracker = await startTracker({ conf: { 'http.server_port': TRACKER_HTTP, 'http.storage_server_port': STORAGE_HTTP } });
  [a, b] = await Promise.all([1, 2].map(() => startStorage({ trackers: [tracker.address], conf: { 'http.server_port': STORAGE_HTTP } })));
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitFor('two ACTIVE storages', async () => {
    const list = await client.listStorages('group1');
    return list.length === 2 && list.every((s) => s.status === StorageStatus.Active);
  }, 30_000);
});

afterAll(async () => {
  client?.close();
  await stopAll([a, b, tracker]);
});

describe('/metrics', () => {
  it('storages count requests per command and status, time them, and count bytes, connections and disk', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await client.upload(randomBytes(SIZE), { ext: 'bin' }));
    expect((await client.downloadToBuffer(ids[0]!)).length).toBe(SIZE);
    await expect(client.downloadToBuffer(ids[0]!.replace(/.{8}\.bin$/, 'AAAAAAAA.bin'))).rejects.toMatchObject({ errno: 2 });
    const up = { role: 'storage', command: 'upload_file' };
    // Worker processes report their counters to the owner every 200 ms: wait for the first report.
    const both = await waitFor('the workers\' counters on /metrics', async () => {
      const all = [...await scrape(a.host, STORAGE_HTTP), ...await scrape(b.host, STORAGE_HTTP)];
      // A file one member lacks is asked of the other member too (the client reads another replica on ENOENT),
      // and each member that answered ENOENT asks the other for it once (to fetch it back): 2 + 2.
      return sum(all, 'fdfs_requests_total', { role: 'storage', command: 'download_file', status: '2' }) === 4
        && sum(all, 'fdfs_requests_total', { ...up, status: '0' }) === 3 ? all : null;
    }, 5000, 100);
    expect(sum(both, 'fdfs_requests_total', { ...up, status: '0' })).toBe(3);
    expect(sum(both, 'fdfs_request_duration_seconds_count', up)).toBe(3);
    expect(sum(both, 'fdfs_request_duration_seconds_bucket', { ...up, le: '+Inf' })).toBe(3);
    expect(sum(both, 'fdfs_received_bytes_total', up)).toBeGreaterThanOrEqual(3 * SIZE);
    expect(sum(both, 'fdfs_sent_bytes_total', { role: 'storage', command: 'download_file' })).toBeGreaterThanOrEqual(SIZE);
    expect(sum(both, 'fdfs_requests_total', { role: 'storage', command: 'download_file', status: '2' })).toBe(4);
    expect(both.some((s) => s.name === 'fdfs_open_connections' && s.labels.role === 'storage')).toBe(true);
    expect(sum(both, 'fdfs_storage_disk_bytes', { kind: 'free', path: a.dir })).toBeGreaterThan(0);
    expect(sum(both, 'fdfs_process_resident_memory_bytes')).toBeGreaterThan(0);
    // The scrape itself is an HTTP request: a later scrape counts it (a worker's counters reach the owner's
    // /metrics with its next report).
    const counted = await waitFor('earlier scrapes counted on /metrics', async () => {
      const again = await scrape(a.host, STORAGE_HTTP);
      return sum(again, 'fdfs_http_requests_total', { port: String(STORAGE_HTTP), method: 'GET', code: '200' }) >= 1 ? again : null;
    }, 5000, 100);
    expect(sum(counted, 'fdfs_http_request_duration_seconds_count', { port: String(STORAGE_HTTP), method: 'GET' })).toBeGreaterThanOrEqual(1);
  });

  it('replication to the other member pipelines a burst of small files: several records per write', async () => {
    const burst: Buffer[] = Array.from({ length: 200 }, (_, i) => Buffer.from(`pipelined ${i}`));
    for (let i = 0; i < burst.length; i += 16) await Promise.all(burst.slice(i, i + 16).map((b) => client.upload(b, { ext: 'txt' })));
    const all = await waitFor('every file of the burst replicated', async () => {
      const got = [...await scrape(a.host, STORAGE_HTTP), ...await scrape(b.host, STORAGE_HTTP)];
      return sum(got, 'fdfs_storage_sync_pipelined_total', { kind: 'records' }) >= burst.length ? got : null;
    }, 20_000, 200);
    const records = sum(all, 'fdfs_storage_sync_pipelined_total', { kind: 'records' });
    const writes = sum(all, 'fdfs_storage_sync_pipelined_total', { kind: 'writes' });
    expect(writes).toBeGreaterThan(0);
    expect(records / writes).toBeGreaterThan(1);
  });

  it('the tracker: its requests, the storages by state, group space, and sync lag per peer', async () => {
    const t = await scrape(tracker.host, TRACKER_HTTP);
    expect(sum(t, 'fdfs_tracker_is_leader')).toBe(1);
    expect(sum(t, 'fdfs_tracker_storages', { group: 'group1', state: 'ACTIVE' })).toBe(2);
    expect(sum(t, 'fdfs_tracker_storage_active', { group: 'group1', storage: `${a.host}:${a.port}` })).toBe(1);
    expect(sum(t, 'fdfs_tracker_group_bytes', { group: 'group1', kind: 'total' })).toBeGreaterThan(0);
    expect(sum(t, 'fdfs_requests_total', { role: 'tracker', command: 'query_store_without_group_one', status: '0' })).toBeGreaterThanOrEqual(3);
    expect(sum(t, 'fdfs_requests_total', { role: 'tracker', command: 'storage_beat', status: '0' })).toBeGreaterThan(0);
    // Every member has a lag series for each peer that took uploads, and replication brings it down to the
    // 1 s its storage keeps back in SYNC_REPORT (changes within the newest second may still be in flight).
    let lag: Sample[] = [];
    await waitFor('sync lag <= 1 s for every pair', async () => {
      lag = (await scrape(tracker.host, TRACKER_HTTP)).filter((s) => s.name === 'fdfs_sync_lag_seconds');
      return lag.length >= 1 && lag.every((s) => s.value <= 1);
    }, 30_000, 500).catch((err: Error) => {
      throw new Error(`${err.message}; last: ${JSON.stringify(lag)}`);
    });
    const delay = (await scrape(tracker.host, TRACKER_HTTP)).filter((s) => s.name === 'fdfs_synced_delay_seconds');
    expect(delay.map((s) => s.labels.storage).sort()).toEqual([`${a.host}:${a.port}`, `${b.host}:${b.port}`].sort());
  });
});

describe('logs', () => {
  it('serve --log-file writes structured JSON lines to the file, not stderr', async () => {
    const host = allocHost();
    const dir = tempDir('fdfs-logs-');
    const file = path.join(dir, 'logs', 'fdfs.log');
    const p = new ServerProcess('log-file serve', ['serve', '--bind', host, '--data-dir', path.join(dir, 'data'), '--log-file', file, '--log-level', 'info']);
    await p.start();
    await p.stop();
    expect(existsSync(file)).toBe(true);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((l) => l.role === 'tracker' && l.msg === 'tracker listening')).toBe(true);
    expect(lines.every((l) => typeof l.level === 'number' && typeof l.time === 'number' && l.pid > 0)).toBe(true);
    expect(p.output).not.toMatch(/"msg":"tracker listening"/);
  });

  it('--log-file auto writes where stock FastDFS does, at the conf files\' log_level', async () => {
    const host = allocHost();
    const dir = tempDir('fdfs-logs-auto-');
    const tconf = path.join(dir, 'tracker.conf');
    const sconf = path.join(dir, 'storage.conf');
    writeFileSync(tconf, `base_path = ${dir}/t\nbind_addr = ${host}\nlog_level = info\n`);
    writeFileSync(sconf, [`base_path = ${dir}/s`, `bind_addr = ${host}`, 'group_name = group1', `tracker_server = ${host}:22122`,
      'http.disabled = true', 'heart_beat_interval = 1', 'log_level = debug', ''].join('\n'));
    const { cmd, args } = fdfsCommand();
    // No FDFS_LOG_LEVEL here: the conf files decide.
    const child = spawn(cmd, [...args, 'serve', '--role', 'all', '--tracker-config', tconf, '--storage-config', sconf, '--log-file', 'auto'],
      { env: { ...process.env, FDFS_LOG_LEVEL: undefined }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    try {
      await waitFor('ready', async () => /^ready/m.test(out), 20_000);
      const c = new FdfsClient({ trackers: [`${host}:22122`] });
      try {
        await waitFor('storage ACTIVE', async () => (await c.listStorages('group1'))[0]?.status === StorageStatus.Active);
        await c.upload(Buffer.from('log me'), { ext: 'txt' });
      } finally {
        c.close();
      }
      const file = path.join(dir, 't', 'logs', 'fdfs.log');
      await waitFor('debug line in the log file', async () => existsSync(file) && readFileSync(file, 'utf8').includes('"msg":"uploaded"'));
      const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.some((l) => l.level === 20 && l.role === 'storage')).toBe(true);
      expect(out).not.toMatch(/"msg":/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});

