// `fdfs serve`: builds tracker/storage configs (stock files, flags, or the embedded default)
// and runs the roles in this process until SIGINT/SIGTERM.
import cluster from 'node:cluster';
import os from 'node:os';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { parseConfFile } from '../config/ini.js';
import { isWildcardAddress } from '../config/values.js';
import {
  loadTrackerConfig, loadStorageConfig, defaultTrackerConfig, defaultStorageConfig,
  type TrackerConfig, type StorageConfig,
} from '../config/index.js';
import { TrackerServer } from '../tracker/tracker-server.js';
import { trackerWarmUpPlan, warmUpTracker } from '../tracker/warm-up.js';
import { StorageServer } from '../storage/storage-server.js';
import { UsageError } from '../errors.js';
import { DEFAULT_STORAGE_PORT, DEFAULT_TRACKER_PORT } from '../protocol/codes.js';
import { enableMetrics } from '../metrics.js';
import { storageMetrics, trackerMetrics } from './serve-metrics.js';
import { startStorageHttp, startWorkerHttp } from './serve/storage-http.js';
import { startTrackerHttp } from './serve/tracker-http.js';
import { applyHttpFlags, httpPortInUse, type ServeHttpOptions } from './serve/http-flags.js';
import { serveLog, serveLogger, type ServeLogOptions } from './serve-log.js';
import { child, log, setRootLogger } from '../log.js';
import { runStorageWorker } from '../storage/workers/worker.js';
import { warmUpPlan, warmUpWorker } from '../storage/workers/warm-up.js';
import { senderWarmUpPlan, warmUpSender } from '../storage/sync/warm-up.js';
import type { SharedState } from '../storage/workers/ipc.js';
import { tuneV8ForServing } from './serve/v8-serving.js';
import { warmUpSize } from '../net/warm-up.js';
import { slowStoreMs } from '../storage/store/disk-pace.js';
import { storageWorkerCount } from '../storage/workers/worker-count.js';

export type Role = 'tracker' | 'storage' | 'all';

export interface ServeOptions extends ServeLogOptions, ServeHttpOptions {
  role: Role;
  /** tracker.conf for --role tracker, storage.conf for --role storage. */
  config?: string;
  trackerConfig?: string;
  storageConfig?: string;
  dataDir?: string;
  bind?: string;
  trackerPort?: number;
  storagePort?: number;
  group?: string;
}

export interface RunningServers {
  lines: string[];
  stop(): Promise<void>;
  /** A storage worker process: it announces nothing and its owner stops it. */
  worker?: boolean;
}

export { storageWorkerCount } from '../storage/workers/worker-count.js';

/** HTTP ports of the embedded default (the stock sample confs' tracker and storage http.server_port). */
export const EMBEDDED_TRACKER_HTTP_PORT = 8080;
export const EMBEDDED_STORAGE_HTTP_PORT = 8888;

/** The embedded default: everything on 127.0.0.1 with data under ./fdfs-data. */
function embeddedConfigs(o: ServeOptions): { tracker: TrackerConfig; storage: StorageConfig } {
  const dataDir = path.resolve(o.dataDir ?? 'fdfs-data');
  const bind = o.bind ?? '127.0.0.1';
  const trackerPort = o.trackerPort ?? DEFAULT_TRACKER_PORT;
  const trackerBase = path.join(dataDir, 'tracker');
  const storageBase = path.join(dataDir, 'storage');
  mkdirSync(trackerBase, { recursive: true });
  mkdirSync(storageBase, { recursive: true });
  const tracker = defaultTrackerConfig({
    basePath: trackerBase,
    bindAddr: bind,
    port: trackerPort,
    // One storage on one host: a small reserve keeps a laptop disk usable and uploads working.
    reservedStorageSpace: { kind: 'ratio', ratio: 0.01 },
    checkActiveInterval: 30,
    // HTTP entry on 8080 redirecting to the storage's gateway on 8888 (the stock samples' ports).
    httpServerPort: EMBEDDED_TRACKER_HTTP_PORT,
    httpStorageServerPort: EMBEDDED_STORAGE_HTTP_PORT,
  });
  const storage = defaultStorageConfig({
    basePath: storageBase,
    storePaths: [storageBase],
    bindAddr: bind,
    port: o.storagePort ?? DEFAULT_STORAGE_PORT,
    groupName: o.group ?? 'group1',
    trackerServers: [{ hosts: [trackerAddressFor(bind)], port: trackerPort }],
    heartBeatInterval: 2,
    statReportInterval: 10,
    httpServerPort: EMBEDDED_STORAGE_HTTP_PORT,
  });
  return { tracker, storage };
}

/**
 * Where the embedded storage reaches its own tracker. A wildcard bind means "serve the LAN": go through the
 * host's first external IPv4 so the tracker records (and hands out) an address other hosts can use.
 */
export function trackerAddressFor(bind: string): string {
  if (!isWildcardAddress(bind)) return bind;
  const external = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
  return external?.address ?? '127.0.0.1';
}

function applyOverrides<T extends { bindAddr: string; port: number; basePath: string }>(cfg: T, o: ServeOptions, port?: number): T {
  if (o.bind) cfg.bindAddr = o.bind;
  if (port !== undefined) cfg.port = port;
  return cfg;
}

/** Keys only a storage.conf sets (a tracker.conf has none of them). */
const STORAGE_ONLY_KEYS = ['tracker_server', 'group_name', 'store_path0', 'store_path_count'];

/** Which role a stock conf file is for: a storage.conf names its trackers and store paths. */
export function confRole(file: string): 'tracker' | 'storage' {
  const raw = parseConfFile(file, { log: { warn: () => {} } });
  return STORAGE_ONLY_KEYS.some((k) => raw.global.has(k)) ? 'storage' : 'tracker';
}

export function resolveConfigs(o: ServeOptions): { tracker?: TrackerConfig; storage?: StorageConfig } {
  const single = o.config;
  if (single) {
    // `serve --config X` serves what X is for; a role that does not match X is refused in one line.
    const role = confRole(single);
    if (o.role !== 'all' && o.role !== role) {
      throw new UsageError(`${single} is a ${role}.conf (${role === 'storage' ? 'it names tracker_server / store paths' : 'it names no trackers'}): use --role ${role}`);
    }
    o = { ...o, role };
  }
  if (o.role === 'tracker') {
    const file = single ?? o.trackerConfig;
    const cfg = file ? loadTrackerConfig(file) : embeddedConfigs(o).tracker;
    return { tracker: applyOverrides(cfg, o, o.trackerPort) };
  }
  if (o.role === 'storage') {
    const file = single ?? o.storageConfig;
    const cfg = file ? loadStorageConfig(file) : embeddedConfigs(o).storage;
    if (o.group) cfg.groupName = o.group;
    return { storage: applyOverrides(cfg, o, o.storagePort) };
  }
  const emb = embeddedConfigs(o);
  const tracker = o.trackerConfig ? applyOverrides(loadTrackerConfig(o.trackerConfig), o, o.trackerPort) : emb.tracker;
  const storage = o.storageConfig ? applyOverrides(loadStorageConfig(o.storageConfig), o, o.storagePort) : emb.storage;
  if (o.group) storage.groupName = o.group;
  return { tracker, storage };
}

/** Start the roles; resolves once every role listens (the storage then registers in the background). */
export async function startServers(o: ServeOptions): Promise<RunningServers> {
  tuneV8ForServing();
  // A bad FDFS_WARM_UP or FDFS_SLOW_STORE_MS stops here, in one line, before anything starts.
  warmUpSize();
  slowStoreMs();
  const { tracker: tc, storage: sc } = resolveConfigs(o);
  const httpWarnings = applyHttpFlags(o, tc, sc);
  // Now that the confs are read: their log_level (unless --log-level), and --log-file auto's stock path.
  setRootLogger(serveLogger(o.logFormat, serveLog(o, tc, sc)));
  if (!cluster.isWorker) for (const w of httpWarnings) log().warn(w);
  if (cluster.isWorker) {
    // Forked by the storage's WorkerPool with the same arguments: serve the storage port only.
    if (!sc) throw new UsageError('a storage worker needs a storage configuration');
    // Its request counters go to the owner with each report; the owner's /metrics shows them.
    const metrics = await enableMetrics();
    const wlog = child({ role: 'storage', group: sc.groupName, port: sc.port, worker: cluster.worker!.id });
    const warmUp = async (state: SharedState) => {
      const plan = warmUpPlan();
      if (plan) await warmUpWorker(sc, wlog, plan, state);
      metrics.forgetCounters();
    };
    // Copied the way the warm-up copies it for its scratch runtime: one object shape, so the code V8 optimized
    // there is not thrown away ("wrong map") at the first real requests.
    const w = await runStorageWorker({ ...sc }, wlog, { http: (files) => startWorkerHttp(sc, files, wlog), warmUp });
    return { lines: [], worker: true, stop: () => w.stop() };
  }
  const lines: string[] = [];
  let tracker: TrackerServer | null = null;
  let storage: StorageServer | null = null;
  // Before the servers exist: their listeners register with it (GET /metrics on each HTTP port).
  const metrics = await enableMetrics();
  try {
    if (tc) {
      if (tc.disabled) throw new UsageError('tracker.conf says disabled = true');
      const plan = trackerWarmUpPlan();
      // Made before the warm-up's scratch tracker: the second of two objects built alike, which holds
      // differently shaped parts (its logger, configuration, model), is what widens V8's view of their fields, and
      // code optimized before that is thrown away. Made first, the widening happens before the warm-up optimizes.
      tracker = new TrackerServer(tc);
      if (plan) {
        await warmUpTracker(tc, log().child({ role: 'tracker', port: tc.port }), plan);
        metrics.forgetCounters();
      }
      await tracker.start();
      const http = await startTrackerHttp(tracker).catch((err: unknown) => { throw httpPortInUse(err, 'tracker', tc.httpServerPort); });
      trackerMetrics(metrics, tracker);
      lines.push(`tracker listening on ${tracker.address.host}:${tracker.address.port} (data in ${tc.basePath})`);
      if (http) lines.push(`tracker HTTP entry on http://${http.address.host}:${http.address.port}/ (web console at /)`);
    }
    if (sc) {
      if (sc.disabled) throw new UsageError('storage.conf says disabled = true');
      const slog = log().child({ role: 'storage', group: sc.groupName, port: sc.port });
      storage = new StorageServer(sc, {
        workers: storageWorkerCount(sc),
        warmUp: async (rt) => {
          const plan = senderWarmUpPlan();
          if (!plan) return;
          await warmUpSender(sc, { progress: rt.progress, trunk: rt.trunk }, slog, plan);
          metrics.forgetCounters();
        },
      });
      await storage.start();
      const http = await startStorageHttp(storage);
      storageMetrics(metrics, storage);
      lines.push(`storage ${sc.groupName} listening on ${storage.address.host}:${storage.address.port} (files in ${sc.storePaths.join(', ')})`);
      if (http) lines.push(`storage HTTP downloads on http://${http.address.host}:${http.address.port}/`);
    }
  } catch (err) {
    await storage?.stop().catch(() => {});
    await tracker?.stop().catch(() => {});
    throw err;
  }
  return {
    lines,
    async stop() {
      // Storage first: it closes its tracker connections so the tracker marks it OFFLINE at once.
      await storage?.stop();
      await tracker?.stop();
    },
  };
}
