// What a storage worker serves with, built one way for the worker's own port and for its warm-up
// (warm-up.ts): the same classes in the same order, so the code the warm-up optimizes sees the same shapes.
import path from 'node:path';
import type { StorageConfig } from '../../config/index.js';
import type { Logger } from '../../log.js';
import { FrameServer, perHostCap } from '../../net/server.js';
import type { PortSecurity } from '../../security/guard.js';
import { STORAGE_RULES } from '../../security/command-rules.js';
import type { TlsIdentity } from '../../security/tls.js';
import { anyPkgLen, dispatchStorage, StorageInlinePort } from '../dispatch.js';
import { firstAddress, type StorageConnState, type StorageRuntime } from '../runtime.js';
import { HotFiles } from '../store/hot-files.js';
import { VerifiedCopies } from '../repair/content-check.js';
import { Repairer } from '../repair/repairer.js';
import { MissingFiles } from '../repair/missing-files.js';
import { MemberList } from '../tracker-side/member-list.js';
import { Placement } from '../store/placement.js';
import { StatsKeeper } from '../store/stats.js';
import { StorePaths } from '../store/store-paths.js';
import { defaultTrackerParams } from '../tracker-side/tracker-params.js';
import type { SharedState, ToOwner } from './ipc.js';
import { RemoteLocks } from './remote-lock.js';
import { RemoteTrunkSpace } from './remote-trunk.js';
import { TrunkStore } from '../trunk/trunk-store.js';
import { LeasedTrunkSpace } from '../trunk/leased-space.js';
import { TrunkJournal } from '../trunk/trunk-journal.js';
import { trunkSettings } from '../trunk/settings.js';
import { WorkerBinlog } from './worker-binlog.js';
import { workerLane } from './worker-count.js';

export interface WorkerRuntime {
  rt: StorageRuntime;
  binlog: WorkerBinlog;
  stats: StatsKeeper;
  locks: RemoteLocks;
  trunkSpace: RemoteTrunkSpace;
  leased: LeasedTrunkSpace;
  /** Newest timestamp received from each source since the last report. */
  received: Record<string, number>;
  /** Take the owner's view (address, identity, params, members, trunk roles). */
  apply(s: SharedState): void;
  /** Give leases back and close the files this runtime opened (the binlog included). */
  close(): void;
}

export function buildWorkerRuntime(config: StorageConfig, log: Logger, send: (m: ToOwner) => boolean): WorkerRuntime {
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
    content: { verified: new VerifiedCopies(), repairer: new Repairer(() => rt), missing: new MissingFiles(() => rt), hot: new HotFiles() },
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
  const close = () => {
    binlog.close();
    // Leases go back before the owner is told this worker is done; nothing is carved after the server closed.
    try {
      leased.close();
    } catch (err) {
      log.warn({ err }, 'cannot write the trunk binlog; unused leased space stays out of use until a restart');
    }
    trunkStore.close();
    trunkJournal.close();
  };
  return { rt, binlog, stats, locks, trunkSpace, leased, received, apply, close };
}

export interface PortOptions {
  security?: PortSecurity | null;
  tlsId?: TlsIdentity | null;
  /** Listen on this address and port instead of the configured ones. */
  at?: { host: string; port: number };
  /** A listener of this process alone (the cluster module does not share it). */
  exclusive?: boolean;
}

/** The storage port's server over a worker runtime. */
export function storagePortServer(rt: StorageRuntime, log: Logger, o: PortOptions = {}): FrameServer<StorageConnState> {
  const config = rt.config;
  return new FrameServer<StorageConnState>({
    host: o.at?.host ?? firstAddress(config.bindAddr), port: o.at?.port ?? config.port, exclusive: o.exclusive,
    role: 'storage', log,
    networkTimeout: config.networkTimeout, maxPkgLen: anyPkgLen,
    allow: (ip) => config.allowHosts.allows(ip), maxConnections: config.maxConnections,
    maxConnectionsPerHost: perHostCap(config.maxConnections, config.maxConnectionsPerHost),
    newState: () => ({}), dispatch: (ctx) => dispatchStorage(rt, ctx),
    inline: new StorageInlinePort({ runtime: rt }),
    guard: o.security?.guard<StorageConnState>(STORAGE_RULES, config.groupName, log),
    tls: o.tlsId?.protocolListener(),
  });
}
