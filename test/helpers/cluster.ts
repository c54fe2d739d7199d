// Real clusters for integration tests: trackers and storages as separate `fdfs serve`
// processes on distinct 127.x.y.z addresses (FastDFS identifies storages by IP), stock conf files.
import { mkdtempSync, writeFileSync, rmSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ServerProcess } from './proc.js';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';

let hostCounter = 1;
const subnet = `127.${20 + (process.pid % 200)}.${1 + Math.floor(Math.random() * 250)}`;

/** A fresh loopback address for this test process (distinct host per server). */
export function allocHost(): string {
  hostCounter++;
  if (hostCounter > 250) throw new Error('out of test addresses');
  return `${subnet}.${hostCounter}`;
}

export function tempDir(prefix = 'fdfs-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

function confText(entries: Record<string, string | number | boolean | string[]>): string {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(entries)) {
    // `'#include': file` (or a list) becomes the stock `#include file` line.
    for (const item of Array.isArray(v) ? v : [v]) lines.push(k === '#include' ? `#include ${item}` : `${k} = ${item}`);
  }
  return lines.join('\n') + '\n';
}

export interface TrackerHandle {
  host: string;
  port: number;
  address: string;
  dir: string;
  proc: ServerProcess;
}

export interface StorageHandle {
  host: string;
  port: number;
  address: string;
  group: string;
  dir: string;
  confFile: string;
  proc: ServerProcess;
}

export type Conf = Record<string, string | number | boolean | string[]>;

export async function startTracker(opts: { host?: string; port?: number; conf?: Conf; env?: Record<string, string> } = {}): Promise<TrackerHandle> {
  const host = opts.host ?? allocHost();
  const port = opts.port ?? 22122;
  const dir = tempDir('fdfs-tracker-');
  const confFile = path.join(dir, 'tracker.conf');
  writeFileSync(confFile, confText({
    bind_addr: host,
    port,
    base_path: dir,
    check_active_interval: 2,
    store_lookup: 0,
    reserved_storage_space: '1%',
    ...opts.conf,
  }));
  const proc = new ServerProcess(`tracker ${host}:${port}`, ['serve', '--role', 'tracker', '--config', confFile], undefined, opts.env);
  await proc.start();
  return { host, port, address: `${host}:${port}`, dir, proc };
}

export async function startStorage(opts: {
  trackers: string[];
  group?: string;
  host?: string;
  port?: number;
  conf?: Conf;
  dir?: string;
  /** Environment of the storage process (over the test's own). */
  env?: Record<string, string>;
}): Promise<StorageHandle> {
  const host = opts.host ?? allocHost();
  const port = opts.port ?? 23000;
  const group = opts.group ?? 'group1';
  const dir = opts.dir ?? tempDir('fdfs-storage-');
  mkdirSync(dir, { recursive: true });
  const confFile = path.join(dir, 'storage.conf');
  writeFileSync(confFile, confText({
    group_name: group,
    bind_addr: host,
    port,
    base_path: dir,
    store_path_count: 1,
    store_path0: dir,
    subdir_count_per_path: 4,
    heart_beat_interval: 1,
    stat_report_interval: 1,
    sync_binlog_buff_interval: 1,
    tracker_server: opts.trackers,
    ...opts.conf,
  }));
  const proc = new ServerProcess(`storage ${host}:${port}`, ['serve', '--role', 'storage', '--config', confFile], undefined, opts.env);
  await proc.start();
  return { host, port, address: `${host}:${port}`, group, dir, confFile, proc };
}

/** Start a stopped storage again with the same config and data. */
export async function restartStorage(s: StorageHandle): Promise<void> {
  s.proc = new ServerProcess(s.proc.name, s.proc.args, s.proc.cwd, s.proc.env);
  await s.proc.start();
}

export async function stopAll(handles: Array<{ proc: ServerProcess; dir: string } | undefined>, removeData = true): Promise<void> {
  await Promise.all(handles.map((h) => h?.proc.stop()));
  if (removeData) for (const h of handles) if (h) rmSync(h.dir, { recursive: true, force: true });
}

/** Poll until `check` returns a truthy value (bounded by time). */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ''}`);
}

/** The tracker's status code for the storage at `host` (undefined while it is unknown). */
export async function storageStatus(client: FdfsClient, host: string, group = 'group1'): Promise<number | undefined> {
  return (await client.listStorages(group)).find((r) => r.ipAddr === host)?.status;
}

/** Wait until every given storage is ACTIVE on the client's tracker. */
export async function waitAllActive(client: FdfsClient, storages: StorageHandle[], timeoutMs = 20_000): Promise<void> {
  let seen: Array<number | undefined> = [];
  await waitFor(`${storages.length} storage(s) ACTIVE`, async () => {
    seen = [];
    for (const s of storages) seen.push(await storageStatus(client, s.host, s.group));
    return seen.every((st) => st === StorageStatus.Active);
  }, timeoutMs).catch((err: Error) => {
    throw new Error(`${err.message} (last statuses: ${storages.map((s, i) => `${s.host} ${seen[i] ?? 'unknown'}`).join(', ')})`);
  });
}

export interface TwoMemberGroup {
  tracker: TrackerHandle;
  s1: StorageHandle;
  s2: StorageHandle;
  client: FdfsClient;
}

/** A tracker and a two-storage group1, both members ACTIVE, with a client on the tracker. */
export async function startTwoMemberGroup(opts: {
  checkActiveInterval?: number; networkTimeout?: number; trackerConf?: Conf; storageConf?: Conf;
} = {}): Promise<TwoMemberGroup> {
  const tracker = await startTracker({ conf: { check_active_interval: opts.checkActiveInterval ?? 2, ...opts.trackerConf } });
  const s1 = await startStorage({ trackers: [tracker.address], conf: opts.storageConf });
  const s2 = await startStorage({ trackers: [tracker.address], conf: opts.storageConf });
  const client = new FdfsClient({ trackers: [tracker.address], networkTimeout: opts.networkTimeout });
  await waitAllActive(client, [s1, s2]);
  return { tracker, s1, s2, client };
}

/** Pids of a storage's worker processes (children of the owner). */
export function workerPids(h: StorageHandle): number[] {
  const pid = h.proc.child!.pid!;
  try {
    return readFileSync(path.join('/proc', String(pid), 'task', String(pid), 'children'), 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
