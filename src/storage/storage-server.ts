// The storage role: StorageServer(config) owns the store paths, binlog, counters and tracker reporters,
// listens for clients and dispatches storage commands (spec §5); start() is ready without touching HH/HH dirs.
import { fastPathState } from '../native/fastpath.js';
import { queryLoopState } from '../net/native-queries.js';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { isIPv4 } from 'node:net';
import { isWildcardAddress } from '../config/values.js';
import type { StorageConfig } from '../config/index.js';
import { ConfigError } from '../errors.js';
import { child, type Logger } from '../log.js';
import { FrameServer, perHostCap, type ConnectionStats } from '../net/server.js';
import { StorageStatus } from '../protocol/codes.js';
import { isValidGroupName } from '../protocol/file-id.js';
import { BinlogWriter } from './binlog/writer.js';
import { ClusterView } from './tracker-side/cluster-view.js';
import { TrunkStore } from './trunk/trunk-store.js';
import { TrunkAllocator } from './trunk/trunk-allocator.js';
import { OwnerTrunkSpace } from './trunk/owner-space.js';
import { TrunkClient } from './trunk/trunk-client.js';
import { TrunkBinlogPusher } from './trunk/binlog-pusher.js';
import { TrunkCompactor } from './trunk/compactor.js';
import { trunkUpkeep } from './trunk/settings.js';
import { TrunkUpkeep } from './trunk/upkeep.js';
import { localAddressFor } from './tracker-side/tracker-client.js';
import { allPathUsage } from './store/disk.js';
import { InitFlag } from './store/init-flag.js';
import { anyPkgLen, dispatchStorage, StorageInlinePort } from './dispatch.js';
import { WorkerPool } from './workers/owner.js';
import { advertisedBindAddress, firstAddress, nowSec, type OwnerRuntime, type StorageConnState } from './runtime.js';
import { buildOwnerRuntime } from './owner-runtime.js';
import type { RepairCounts } from './repair/repairer.js';
import { Scrubber } from './repair/scrubber.js';
import { AntiEntropy } from './repair/anti-entropy.js';

/** The anti-entropy loop's work, cumulative (anti_entropy_interval). */
export interface AntiEntropyMetrics {
  antiEntropyRounds: number;
  antiEntropyCompared: number;
  antiEntropyDiffering: number;
  antiEntropyFetched: number;
}
import { applyTrackerParams } from './tracker-side/tracker-params.js';
import { StatsKeeper } from './store/stats.js';
import { StorePaths } from './store/store-paths.js';
import { sweepStaleTemps } from './store/temp-sweep.js';
import { lostStorePaths, markRecovering, recoverStorePaths } from './sync/recovery.js';
import { fetchParameters, getMyIp, sortTrackers } from './tracker-side/tracker-client.js';
import { fetchIdentity } from './tracker-side/identity.js';
import { TrackerReporter, type ReporterShared } from './tracker-side/tracker-reporter.js';
import { Replication } from './sync/replication.js';
import { SyncProgress } from './sync/progress.js';
import { storageFiles, type StorageFileAccess } from './handlers/http-files.js';
import { PortSecurity } from '../security/guard.js';
import { STORAGE_RULES } from '../security/command-rules.js';
import { TlsIdentity, storageTlsRoutes } from '../security/tls.js';


export interface StorageServerOptions {
  log?: Logger;
  /** Worker processes serving the storage port (cluster module); 0 or 1 = this process serves it. */
  workers?: number;
  /** With workers: run while they start and warm up (the owner's own warm-up, sync/warm-up.ts). */
  warmUp?: (rt: OwnerRuntime) => Promise<unknown>;
}

/** What metrics and `fdfs serve` read of a running storage: plain data, no live objects. */
export interface StorageSnapshot {
  group: string;
  address: { host: string; port: number };
  /** Own IP as used in file names ('' while unknown). */
  ip: string;
  /** The status the trackers record for this storage (−1 until one said). */
  status: number;
  storePaths: string[];
  /** One entry per replication sender: the peer, whether it is connected, the newest timestamp got from it. */
  peers: Array<{ id: string; connected: boolean; receivedTimestamp: number; pipelined: { records: number; writes: number } }>;
  /** Damaged or missing copies found and repaired (this process and its workers), and the scrub's work. */
  integrity: RepairCounts & { scrubPasses: number; scrubChecked: number; scrubMissing: number } & AntiEntropyMetrics;
}

/** A service run beside the storage (its HTTP gateway, started by the serve layer). */
export interface AttachedService {
  stop(): Promise<void>;
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}

export class StorageServer {
  readonly log: Logger;
  readonly view: ClusterView;
  /** Free trunk space and the trunk binlog (trunk files), lent to workers. */
  readonly trunkSpace: TrunkAllocator;
  /** The allocator while this storage is the trunk server, else the trunk server over 27/28/29. */
  private readonly ownerSpace: OwnerTrunkSpace;
  private trunkPusher: TrunkBinlogPusher | null = null;
  private trunkCompactor: TrunkCompactor | null = null;
  private trunkUpkeep: TrunkUpkeep | null = null;
  readonly reporters: TrackerReporter[] = [];
  private readonly server: FrameServer<StorageConnState>;
  /** auth_policy / cluster_secret_file; null when both are off. */
  private readonly security: PortSecurity | null;
  /** tls_port / http.tls_port certificates; null when neither is set. */
  readonly tls: TlsIdentity | null;
  private rt: OwnerRuntime | null = null;
  private initFlag: InitFlag;
  private stats: StatsKeeper;
  private binlog: BinlogWriter;
  private readonly upTime = nowSec();
  private readonly startedMs = Date.now();
  /** Store paths whose disk was replaced: refilled from a peer before joining (§9.8). */
  private lostPaths: number[] = [];
  private readonly sweepAbort = new AbortController();
  private sweepDone: Promise<void> = Promise.resolve();
  private stopping = false;
  private bootstrapDone: Promise<void> | null = null;
  private readonly attached: AttachedService[] = [];
  /** Replication to the group's other storages (§9); runs once the reporters start. */
  replication: Replication | null = null;
  /** Background checks of every copy and of what peers hold (scrub_interval). */
  scrubber: Scrubber | null = null;
  /** Continuous comparison of directory digests with the peers (anti_entropy_interval). */
  antiEntropy: AntiEntropy | null = null;
  /** What was received from each peer: the receiver writes it, the reporters send it (89), metrics read it. */
  readonly progress: SyncProgress;
  /** Set when worker processes serve the port; this process then owns what must be single. */
  private readonly pool: WorkerPool | null = null;
  private poolAddress: { host: string; port: number } | null = null;
  private readonly warmUp: StorageServerOptions['warmUp'];

  constructor(readonly config: StorageConfig, opts: StorageServerOptions = {}) {
    if (!isValidGroupName(config.groupName)) {
      throw new ConfigError(`group_name "${config.groupName}" must be 1-16 letters or digits (fetching it from the tracker is not supported)`);
    }
    if (config.storePaths.length !== config.storePathCount) {
      throw new ConfigError(`store_path_count ${config.storePathCount} but ${config.storePaths.length} store paths`);
    }
    this.log = opts.log ?? child({ role: 'storage', group: config.groupName, port: config.port });
    this.warmUp = opts.warmUp;
    const dataDir = path.join(config.basePath, 'data');
    this.initFlag = new InitFlag(path.join(dataDir, '.data_init_flag'), this.log);
    this.stats = new StatsKeeper(path.join(dataDir, 'storage_stat.dat'), this.log);
    this.binlog = new BinlogWriter({ dir: path.join(dataDir, 'sync'), flushInterval: config.syncBinlogBuffInterval, log: this.log });
    this.view = new ClusterView(() => ({ ip: this.ownIp(), port: this.address.port }), this.log);
    this.trunkSpace = new TrunkAllocator({
      baseDataDir: dataDir, log: this.log, rt: () => this.runtime,
      isTrunkServer: () => {
        const t = this.view.trunkServer;
        return !!t && (t.ipAddr === this.ownIp() || t.id === this.selfId()) && t.port === this.address.port;
      },
    });
    this.ownerSpace = new OwnerTrunkSpace(this.trunkSpace,
      new TrunkClient({ group: config.groupName, connectTimeout: config.connectTimeout, networkTimeout: config.networkTimeout, localAddress: localAddressFor(config) }),
      () => (this.view.trunkServer ? { host: this.view.trunkServer.ipAddr, port: this.view.trunkServer.port } : null),
      () => !!this.rt?.params.useTrunkFile);
    this.progress = new SyncProgress({ view: this.view, initFlag: this.initFlag, selfId: () => this.selfId() });
    // Storage-to-storage commands are taken from these addresses only (dispatch.ts).
    this.view.on('members', (members) => {
      if (this.rt) this.rt.memberIps = members.map((m) => m.ipAddr);
    });
    this.security = PortSecurity.from(config, this.log);
    this.tls = TlsIdentity.from(config, this.log);
    this.server = new FrameServer<StorageConnState>({
      host: firstAddress(config.bindAddr),
      port: config.port,
      role: 'storage',
      log: this.log,
      networkTimeout: config.networkTimeout,
      // Sizes are checked per command: streamed bodies may be any size, the rest must fit buff_size (EINVAL).
      maxPkgLen: anyPkgLen,
      allow: (ip) => config.allowHosts.allows(ip),
      maxConnections: config.maxConnections,
      maxConnectionsPerHost: perHostCap(config.maxConnections, config.maxConnectionsPerHost),
      newState: () => ({}),
      dispatch: (ctx) => dispatchStorage(this.runtime, ctx),
      inline: new StorageInlinePort(this),
      guard: this.security?.guard<StorageConnState>(STORAGE_RULES, config.groupName, this.log),
      tls: this.tls?.protocolListener(),
    });
    if ((opts.workers ?? 0) > 1) {
      this.pool = new WorkerPool(opts.workers!, {
        log: this.log,
        state: () => ({ myIp: this.runtime.myIp, identity: this.runtime.identity, params: this.runtime.params, binlogIndex: this.binlog.currentIndex,
          memberIps: this.runtime.memberIps ? [...this.runtime.memberIps] : null, trunkSpace: this.ownerSpace.available(), trunkServer: this.trunkSpace.available() }),
        trunk: this.ownerSpace,
        locks: { run: (key, fn) => this.runtime.locks.run(key, fn) },
        stats: this.stats,
        binlog: this.binlog,
        noteReceived: (source, ts) => this.progress.noteReceived(source, ts),
      });
      const pool = this.pool;
      this.trunkSpace.leasesOut = () => pool.liveLeases();
    }
  }

  /** The listening address (port 0 in the config → the port actually bound). */
  get address(): { host: string; port: number } {
    return this.poolAddress ?? this.server.address;
  }

  /** With worker processes: where they serve the HTTP gateway (null: not theirs to serve, or none). */
  get workerHttpAddress(): { host: string; port: number } | null {
    return this.pool?.httpAddress ?? null;
  }

  /** True when worker processes serve the storage port (and the HTTP gateway). */
  get hasWorkers(): boolean {
    return this.pool !== null;
  }

  /** Handler state (store paths, binlog, counters); available after start(). */
  get runtime(): OwnerRuntime {
    if (!this.rt) throw new Error('storage server not started');
    return this.rt;
  }

  get connections(): ConnectionStats {
    return this.pool?.connections ?? this.server.stats;
  }

  /** This storage's IP as used in file names and tracker reports ('' while unknown). */
  ownIp(): string {
    const bind = advertisedBindAddress(this.config.bindAddr);
    return bind || this.rt?.myIp || '';
  }

  /** Its id as peers and trackers know it: the storage id with use_storage_id, else its IP. */
  private selfId(): string {
    return this.rt?.identity?.id || this.ownIp();
  }

  /** What the HTTP gateway may do with this storage's files (available after start()). */
  files(): StorageFileAccess {
    return storageFiles(() => this.runtime, () => this.ownIp());
  }

  /** Stop `service` with the storage: after the tracker connections, before the listener and the binlog. */
  attach(service: AttachedService): void {
    this.attached.push(service);
  }

  snapshot(): StorageSnapshot {
    const peers = [...(this.replication?.peers ?? [])].map(([id, sender]) => ({
      id, connected: sender.connected, receivedTimestamp: this.progress.newestFrom(id), pipelined: { ...sender.pipelined },
    }));
    return {
      group: this.config.groupName, address: this.address, ip: this.ownIp(), status: this.view.myStatus,
      storePaths: [...this.config.storePaths], peers, integrity: this.integrity(),
    };
  }

  private integrity(): StorageSnapshot['integrity'] {
    const sum: RepairCounts = { ...this.rt?.content.repairer.counts ?? { damaged: 0, repaired: 0, unrepaired: 0 } };
    for (const c of this.pool?.repairs.values() ?? []) {
      sum.damaged += c.damaged;
      sum.repaired += c.repaired;
      sum.unrepaired += c.unrepaired;
    }
    const sc = this.scrubber?.counts;
    const ae = this.antiEntropy?.counts;
    return {
      ...sum, scrubPasses: sc?.passes ?? 0, scrubChecked: sc?.checked ?? 0, scrubMissing: sc?.missing ?? 0,
      antiEntropyRounds: ae?.rounds ?? 0, antiEntropyCompared: ae?.compared ?? 0, antiEntropyDiffering: ae?.differing ?? 0,
      antiEntropyFetched: ae?.fetched ?? 0,
    };
  }

  async start(): Promise<void> {
    const c = this.config;
    if (c.disabled) throw new ConfigError('storage is disabled (disabled = true)');
    await c.allowHosts.resolve();
    await this.security?.start();
    this.tls?.routeServers(storageTlsRoutes(c), c.clusterLegacyHosts);
    await mkdir(path.join(c.basePath, 'data', 'sync'), { recursive: true });
    const paths = new StorePaths(c.storePaths, c.subdirCountPerPath);
    const lost = lostStorePaths(c);
    await paths.init();
    await this.initFlag.load(nowSec(), c.port);
    // Only a storage that had all its files can have lost a disk; a new one gets everything by replication.
    if (lost.length && !this.initFlag.firstStart && this.initFlag.syncOldDone) {
      this.lostPaths = lost;
      await markRecovering(paths, lost);
    }
    await this.stats.load();
    await this.binlog.open();
    this.rt = buildOwnerRuntime({
      config: c, log: this.log, paths, binlog: this.binlog, stats: this.stats, progress: this.progress, myIp: this.initFlag.data.lastIpAddr,
      trunk: this.openTrunkStore(),
    });
    try {
      if (this.pool) {
        // The owner warms up while the workers do (other processes, other cores).
        const warming = this.warmUp?.(this.rt);
        this.poolAddress = await this.pool.start();
        await warming;
      } else {
        await this.server.listen();
      }
    } catch (err) {
      await this.pool?.stop();
      await this.binlog.close();
      throw err;
    }
    this.stats.startAutoSave(c.syncStatFileInterval);
    this.sweepDone = sweepStaleTemps(paths.dataDirs, { before: this.startedMs, signal: this.sweepAbort.signal, log: this.log })
      .then((r) => { if (r.removed) this.log.info(r, 'temp files of an earlier run removed'); })
      .catch((err) => this.log.warn({ err }, 'temp file sweep failed'));
    this.log.info({ address: `${this.address.host}:${this.address.port}`, firstStart: this.initFlag.firstStart, fastPath: fastPathState(), queryLoop: queryLoopState() }, 'storage listening');
    this.bootstrapDone = this.bootstrap().catch((err) => this.log.error({ err }, 'tracker bootstrap failed'));
  }

  /** Trunk files are written while the tracker names this storage the trunk server; the owner keeps the space. */
  private openTrunkStore(): TrunkStore {
    this.trunkSpace.load();
    return new TrunkStore(this.ownerSpace, () => this.trunkSpace.available());
  }

  /** Graceful stop: tracker connections first (the tracker marks us OFFLINE), then clients, then flush state. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.sweepAbort.abort();
    await Promise.all([this.sweepDone, ...this.reporters.map((r) => r.stop()), this.replication?.stop(), this.scrubber?.stop(),
      this.antiEntropy?.stop(), this.trunkPusher?.stop(), this.trunkUpkeep?.stop(), this.trunkCompactor?.stop()]);
    for (const a of this.attached) await a.stop().catch((err) => this.log.warn({ err }, 'cannot stop an attached service'));
    await this.pool?.stop();
    await this.server.close();
    if (this.rt) {
      await this.binlog.close();
      await this.stats.stop().catch((err) => this.log.warn({ err }, 'cannot save storage_stat.dat'));
      await this.initFlag.save().catch((err) => this.log.warn({ err }, 'cannot save .data_init_flag'));
    }
    this.log.info('storage stopped');
  }

  /** Resolves once the startup exchanges with the trackers are done and the reporters run. */
  async started(): Promise<void> {
    await this.bootstrapDone;
  }

  /** §8.1 steps 1–2: 60 GET_MY_IP to every tracker, 75 from the first (sorted) one, then the reporters. */
  private async bootstrap(): Promise<void> {
    const trackers = sortTrackers(this.config.trackerServers);
    const answers = await Promise.all(trackers.map((t) => getMyIp(this.config, this.config.groupName, this.address.port, t).catch((err: Error) => {
      this.log.warn({ tracker: t.hosts.join(','), err: err.message }, 'GET_MY_IP failed');
      return null;
    })));
    for (const ips of answers) if (ips && (await this.learnIp(ips))) break;
    if (this.stopping) return;
    await this.loadParams(trackers);
    if (this.stopping) return;
    await this.learnIdentity(trackers);
    if (this.stopping) return;
    this.pool?.refreshState();
    if (this.lostPaths.length) {
      await recoverStorePaths({
        config: this.config, paths: this.runtime.paths, group: this.config.groupName, log: this.log, stopping: () => this.stopping,
        self: () => ({ id: this.runtime.identity?.id || this.ownIp(), ip: this.ownIp(), port: this.address.port }),
      }, this.lostPaths);
      if (this.stopping) return;
    }
    this.replication = new Replication({ rt: this.runtime, view: this.view, log: this.log, selfId: () => this.selfId() });
    this.replication.start(this.initFlag.firstStart);
    const activePeers = () => this.view.peers().filter((m) => m.status === StorageStatus.Active).map((m) => ({ ip: m.ipAddr, port: m.port }));
    this.scrubber = new Scrubber({ rt: () => this.runtime, log: this.log, peers: activePeers });
    this.scrubber.start();
    this.antiEntropy = new AntiEntropy({ rt: () => this.runtime, log: this.log, peers: activePeers });
    this.antiEntropy.start();
    this.trunkPusher = new TrunkBinlogPusher({
      baseDataDir: path.join(this.config.basePath, 'data'), log: this.log, isTrunkServer: () => this.trunkSpace.available(),
      peers: () => this.view.peers().filter((m) => m.status === StorageStatus.Active).map((m) => ({ host: m.ipAddr, port: m.port })),
      connectTimeout: this.config.connectTimeout, networkTimeout: this.config.networkTimeout, localAddress: localAddressFor(this.config),
    });
    this.trunkPusher.start();
    this.trunkCompactor = new TrunkCompactor({
      file: path.join(this.config.basePath, 'data', 'trunk', 'binlog'), log: this.log, isTrunkServer: () => this.trunkSpace.available(),
      minIntervalSec: () => Number(this.runtime.params.raw.trunk_compress_binlog_min_interval) || 0,
      holdWriters: () => (this.pool ? this.pool.holdTrunkWriters() : Promise.resolve(() => {})),
      reopenOwn: () => this.trunkSpace.reopenJournal(),
      minBytes: Number(process.env.FDFS_TRUNK_COMPACT_MIN_BYTES) || undefined,
      maxBackups: () => trunkUpkeep(this.runtime.params.raw).binlogMaxBackups,
      beforeSwap: () => {
        if (trunkUpkeep(this.runtime.params.raw).deleteUnused) this.trunkSpace.dropUnusedTrunkFiles();
      },
    });
    this.trunkCompactor.start();
    const compactor = this.trunkCompactor;
    this.trunkUpkeep = new TrunkUpkeep({
      rt: () => this.runtime, log: this.log, isTrunkServer: () => this.trunkSpace.available(),
      freeBytes: () => this.trunkSpace.freeBytes(), addTrunkFile: (index, ip) => this.trunkSpace.addTrunkFile(index, ip),
      compactNow: () => compactor.compactNow(),
    });
    this.trunkUpkeep.start();
    const shared: ReporterShared = { planInProgress: false };
    for (const t of trackers) {
      const r = new TrackerReporter({
        config: this.config,
        group: this.config.groupName,
        log: this.log,
        initFlag: this.initFlag,
        stats: this.stats,
        connections: this.connections,
        view: this.view,
        shared,
        upTime: this.upTime,
        port: this.address.port,
        diskUsage: () => allPathUsage(this.runtime.paths.dataDirs),
        beforeJoin: (tracker) => this.beforeJoin(tracker),
        storageId: () => this.runtime.identity?.id ?? '',
        httpPort: this.config.httpDisabled ? 0 : Math.max(0, this.config.httpServerPort),
        tlsPort: this.config.tlsPort,
        progress: this.progress,
        trunk: () => (this.trunkSpace.available()
          ? { fileId: this.trunkSpace.currentFileId, freeMb: Math.floor(this.trunkSpace.freeBytes() / (1024 * 1024)) } : null),
      }, t);
      this.reporters.push(r);
      r.start();
    }
  }

  private async loadParams(trackers: ReturnType<typeof sortTrackers>): Promise<boolean> {
    for (const t of trackers) {
      try {
        applyTrackerParams(this.runtime.params, await fetchParameters(this.config, t), this.log);
        this.log.info({ store_path: this.runtime.params.storePathMode, reserved: this.runtime.params.raw.reserved_storage_space }, 'tracker parameters');
        return true;
      } catch (err) {
        this.log.warn({ tracker: t.hosts.join(','), err: (err as Error).message }, 'STORAGE_PARAMETER_REQ failed');
      }
      if (this.stopping) break;
    }
    return false;
  }

  /** Learn what was missed at startup (trackers down then) from the tracker about to be joined. */
  private async beforeJoin(tracker: ReturnType<typeof sortTrackers>[number]): Promise<void> {
    const rt = this.runtime;
    if (!rt.myIp && !advertisedBindAddress(this.config.bindAddr)) await this.learnIp(await getMyIp(this.config, this.config.groupName, this.address.port, tracker));
    if (!rt.params.loaded) await this.loadParams([tracker]);
    if (!rt.identity) await this.learnIdentity([tracker]);
    // Workers serve with what the owner learned: they have it before the JOIN makes this storage ACTIVE.
    this.pool?.refreshState();
  }

  /** use_storage_id (§10.3): learn the own id before joining; the tracker knows storages by it. */
  private async learnIdentity(trackers: ReturnType<typeof sortTrackers>): Promise<void> {
    const rt = this.runtime;
    for (const t of trackers) {
      try {
        rt.identity = await fetchIdentity(this.config, rt.params, t, { ip: this.ownIp(), port: this.address.port }, this.log);
        return;
      } catch (err) {
        this.log.warn({ tracker: t.hosts.join(','), err: (err as Error).message }, 'cannot learn the storage id');
      }
      if (this.stopping) break;
    }
  }

  private async learnIp(ips: string[]): Promise<boolean> {
    const ip = ips.find((a) => isIPv4(a)) ?? ips[0];
    if (!ip) return false;
    if (ip !== this.runtime.myIp && isLoopback(ip) && isWildcardAddress(firstAddress(this.config.bindAddr))) {
      // Fine on one host; elsewhere clients would be sent to this loopback address.
      this.log.warn({ ip }, 'listening on every address but reaching the tracker over loopback: other hosts would be sent to '
        + `${ip}; name the tracker by a network address in tracker_server, or set bind_addr to this host's address`);
    }
    this.runtime.myIp = ip;
    await this.initFlag.setIp(ip).catch((err) => this.log.warn({ err }, 'cannot save .data_init_flag'));
    return true;
  }
}
