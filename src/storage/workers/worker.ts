// A storage worker process: serves client and replication connections on the storage port (the cluster
// module hands it connections round-robin) with the same handlers as a single process. What must be one
// per storage stays with the owner: binlog rotation, locks, counters on disk, tracker reports, replication.
import type { StorageConfig } from '../../config/index.js';
import type { Logger } from '../../log.js';
import { metrics, renderMetricsWith } from '../../metrics.js';
import { UsageError } from '../../errors.js';
import { storageFiles, type StorageFileAccess } from '../handlers/http-files.js';
import { OwnerMetrics } from './owner-metrics.js';
import { PortSecurity } from '../../security/guard.js';
import { TlsIdentity, storageTlsRoutes } from '../../security/tls.js';
import { STAT_I64_FIELDS, type StatI64Field } from '../../protocol/tracker-list.js';
import { advertisedBindAddress } from '../runtime.js';
import { buildWorkerRuntime, storagePortServer } from './worker-runtime.js';
import { TIME_FIELDS, type SharedState, type ToOwner, type ToWorker } from './ipc.js';

/** How often counters and sync progress go to the owner. */
const REPORT_MS = 200;

export interface RunningWorker {
  stop(): Promise<void>;
}

/** A service the serve layer runs in each worker beside the storage port (the HTTP gateway). */
export interface WorkerService {
  address: { host: string; port: number };
  stop(): Promise<void>;
}

export interface WorkerOptions {
  /** Start the HTTP gateway on this worker's file access (null: none); its failure ends the worker. */
  http?: (files: StorageFileAccess) => Promise<WorkerService | null>;
  /** Runs once the owner's state is known, before the port is taken (warm-up.ts). */
  warmUp?: (state: SharedState) => Promise<void>;
}

/** Run this process as a storage worker until the owner says stop or goes away. */
export async function runStorageWorker(config: StorageConfig, log: Logger, opts: WorkerOptions = {}): Promise<RunningWorker> {
  const send = (m: ToOwner): boolean => {
    if (!process.connected) return false;
    process.send!(m);
    return true;
  };
  const { rt, stats, locks, trunkSpace, leased, received, apply, close: closeRuntime, binlog } = buildWorkerRuntime(config, log, send);

  const security = PortSecurity.from(config, log);
  const tlsId = TlsIdentity.from(config, log);
  tlsId?.routeServers(storageTlsRoutes(config), config.clusterLegacyHosts);
  await security?.start();
  const server = storagePortServer(rt, log, { security, tlsId });

  let reported: Record<string, number> = {};
  const report = () => {
    const delta: Partial<Record<StatI64Field, number>> = {};
    for (const f of STAT_I64_FIELDS) {
      const v = stats.stats[f];
      const d = TIME_FIELDS.has(f) ? v : v - (reported[f] ?? 0);
      if (d) delta[f] = d;
    }
    reported = { ...stats.stats };
    const sources = { ...received };
    for (const k of Object.keys(received)) delete received[k];
    send({ t: 'report', stats: delta, received: sources, conn: { ...server.stats }, requests: metrics()?.exportRequests(),
      http: metrics()?.exportHttp(), repairs: { ...rt.content.repairer.counts } });
  };
  const timer = setInterval(report, REPORT_MS);
  timer.unref();

  let stopped = false;
  let http: WorkerService | null = null;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    await http?.stop().catch((err: unknown) => log.warn({ err }, 'cannot stop the HTTP gateway'));
    await server.close();
    closeRuntime();
    report();
  };

  // /metrics on this worker's gateway shows the whole storage: the owner renders it.
  const metricsAsked = new OwnerMetrics(send);
  renderMetricsWith(() => metricsAsked.ask());

  const first = await new Promise<SharedState>((resolve) => {
    process.on('message', (m: ToWorker) => {
      if (m.t === 'state') {
        apply(m.state);
        resolve(m.state);
      } else if (m.t === 'granted') {
        locks.granted(m.id);
      } else if (m.t === 'metrics') {
        metricsAsked.answer(m);
      } else if (m.t === 'trunk-reply') {
        trunkSpace.replied(m);
      } else if (m.t === 'trunk-pause') {
        try {
          leased.pause();
          send({ t: 'trunk-paused', id: m.id });
        } catch (err) {
          // Not answering makes the owner give up this compaction: the binlog stays as it is.
          log.warn({ err }, 'cannot write the trunk binlog before its compaction');
        }
      } else if (m.t === 'trunk-resume') {
        leased.resume();
      } else if (m.t === 'rotate') {
        binlog.switchTo(m.index);
        send({ t: 'rotated', index: m.index });
      } else if (m.t === 'stop') {
        void stop().then(() => process.disconnect());
      }
    });
    send({ t: 'hello' });
  });
  binlog.switchTo(first.binlogIndex);
  // Without its owner a worker must not take requests it can no longer record: stop at once (closing the
  // shared listener may wait for the owner that is gone, so exit regardless after a moment).
  process.on('disconnect', () => {
    locks.ownerGone();
    trunkSpace.ownerGone();
    setTimeout(() => process.exit(0), 1000).unref();
    void stop().finally(() => process.exit(0));
  });
  try {
    if (opts.warmUp) {
      await opts.warmUp(first);
      report(); // the owner's copy of this worker's counters is replaced by the (cleared) real ones at once
    }
    await server.listen();
    http = (await opts.http?.(storageFiles(() => rt, () => advertisedBindAddress(config.bindAddr) || rt.myIp))) ?? null;
  } catch (err) {
    send({ t: 'fatal', message: (err as Error).message, usage: err instanceof UsageError });
    throw err;
  }
  send({ t: 'listening', ...server.address, http: http?.address });
  return { stop };
}
