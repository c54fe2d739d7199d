// A storage worker process: serves client and replication connections on the storage port (the cluster
// module hands it connections round-robin) with the same handlers as a single process. What must be one
// per storage stays with the owner: binlog rotation, locks, counters on disk, tracker reports, replication.
import path from 'node:path';
import type { StorageConfig } from '../../config/index.js';
import type { Logger } from '../../log.js';
import { metrics, renderMetricsWith } from '../../metrics.js';
import { UsageError } from '../../errors.js';
import { storageFiles, type StorageFileAccess } from '../handlers/http-files.js';
import { OwnerMetrics } from './owner-metrics.js';
import { FrameServer, perHostCap } from '../../net/server.js';
import { PortSecurity } from '../../security/guard.js';
import { STORAGE_RULES } from '../../security/command-rules.js';
import { TlsIdentity, storageTlsRoutes } from '../../security/tls.js';
import { STAT_I64_FIELDS, type StatI64Field } from '../../protocol/tracker-list.js';
import { dispatchStorage, gatherStorage, inlineStorage } from '../dispatch.js';
import { advertisedBindAddress, firstAddress, type StorageConnState, type StorageRuntime } from '../runtime.js';
import { VerifiedCopies } from '../repair/content-check.js';
import { Repairer } from '../repair/repairer.js';
import { MissingFiles } from '../repair/missing-files.js';
import { MemberList } from '../tracker-side/member-list.js';
import { Placement } from '../store/placement.js';
import { StatsKeeper } from '../store/stats.js';
import { StorePaths } from '../store/store-paths.js';
import { defaultTrackerParams } from '../tracker-side/tracker-params.js';
import { TIME_FIELDS, type SharedState, type ToOwner, type ToWorker } from './ipc.js';
import { RemoteLocks } from './remote-lock.js';
import { RemoteTrunkSpace } from './remote-trunk.js';
import { TrunkStore } from '../trunk/trunk-store.js';
import { LeasedTrunkSpace } from '../trunk/leased-space.js';
import { TrunkJournal } from '../trunk/trunk-journal.js';
import { trunkSettings } from '../trunk/settings.js';
import { WorkerBinlog } from './worker-binlog.js';
import { workerLane } from './worker-count.js';

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
}

/** Run this process as a storage worker until the owner says stop or goes away. */
export async function runStorageWorker(config: StorageConfig, log: Logger, opts: WorkerOptions = {}): Promise<RunningWorker> {
  const send = (m: ToOwner): boolean => {
    if (!process.connected) return false;
    process.send!(m);
    return true;
  };
  const locks = new RemoteLocks(send);
  const trunkSpace = new RemoteTrunkSpace(send);
  let trunkServer = false;
  const binlog = new WorkerBinlog(path.join(config.basePath, 'data', 'sync'), log);
  const stats = new StatsKeeper(null, log);
  const params = defaultTrackerParams();
  const paths = new StorePaths(config.storePaths, config.subdirCountPerPath);
  const received: Record<string, number> = {};
  const members = new MemberList(config, config.groupName);
  const trunkJournal = new TrunkJournal(path.join(config.basePath, 'data', 'trunk', 'binlog'));
  const leased = new LeasedTrunkSpace(trunkSpace, {
    isTrunkServer: () => trunkServer,
    lease: (index, ip, slotSize, leaseSize) => trunkSpace.lease(index, ip, slotSize, leaseSize),
    giveBack: (block) => trunkSpace.giveBack(block),
    slotMinSize: () => trunkSettings(params.raw).slotMinSize,
  }, trunkJournal);
  const trunkStore = new TrunkStore(trunkSpace, () => trunkServer, leased);
  const rt: StorageRuntime = {
    config, group: config.groupName, log, paths, binlog, stats, locks, params,
    placement: new Placement({
      paths, stats, params, readonly: config.storePathReadonly,
      distributeMode: config.fileDistributePathMode, rotateCount: config.fileDistributeRotateCount,
      lane: workerLane(config),
    }),
    myIp: '',
    progress: { noteReceived: (source, ts) => { received[source] = Math.max(received[source] ?? 0, ts); } },
    content: { verified: new VerifiedCopies(), repairer: new Repairer(() => rt), missing: new MissingFiles(() => rt) },
    memberIps: null,
    freshMemberIps: () => members.fresh(),
    trunk: trunkStore,
  };
  const apply = (s: SharedState) => {
    rt.myIp = s.myIp;
    rt.identity = s.identity;
    rt.memberIps = s.memberIps;
    trunkSpace.canAllocate = s.trunkSpace === true;
    if (trunkServer && s.trunkServer !== true) {
      try {
        leased.drop();
      } catch (err) {
        log.warn({ err }, 'cannot write the trunk binlog while giving up trunk leases');
      }
    }
    trunkServer = s.trunkServer === true;
    Object.assign(params, s.params);
  };

  const security = PortSecurity.from(config, log);
  const tlsId = TlsIdentity.from(config, log);
  tlsId?.routeServers(storageTlsRoutes(config), config.clusterLegacyHosts);
  await security?.start();
  const server = new FrameServer<StorageConnState>({
    host: firstAddress(config.bindAddr), port: config.port, role: 'storage', log,
    networkTimeout: config.networkTimeout, maxPkgLen: () => Number.MAX_SAFE_INTEGER,
    allow: (ip) => config.allowHosts.allows(ip), maxConnections: config.maxConnections,
    maxConnectionsPerHost: perHostCap(config.maxConnections, config.maxConnectionsPerHost),
    newState: () => ({}), dispatch: (ctx) => dispatchStorage(rt, ctx),
    inline: (state, conn, cmd, body) => inlineStorage(rt, state, conn, cmd, body),
    gatherable: (cmd, bodyLength) => gatherStorage(rt, cmd, bodyLength),
    guard: security?.guard<StorageConnState>(STORAGE_RULES, config.groupName, log),
    tls: tlsId?.protocolListener(),
  });

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
    binlog.close();
    // Leases go back before the owner is told this worker is done; nothing is carved after the server closed.
    try {
      leased.close();
    } catch (err) {
      log.warn({ err }, 'cannot write the trunk binlog; unused leased space stays out of use until a restart');
    }
    trunkStore.close();
    trunkJournal.close();
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
    await server.listen();
    http = (await opts.http?.(storageFiles(() => rt, () => advertisedBindAddress(config.bindAddr) || rt.myIp))) ?? null;
  } catch (err) {
    send({ t: 'fatal', message: (err as Error).message, usage: err instanceof UsageError });
    throw err;
  }
  send({ t: 'listening', ...server.address, http: http?.address });
  return { stop };
}
