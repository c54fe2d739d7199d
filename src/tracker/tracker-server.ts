// The tracker role: listens for clients and storages, owns the cluster model, runs the
// liveness check. Built from a TrackerConfig (stock tracker.conf).
import { FrameServer, perHostCap, type RequestContext } from '../net/server.js';
import { CommonCmd, IPV4_ADDRESS_SIZE } from '../protocol/codes.js';
import { formatReservedSpaceParam, type TrackerConfig } from '../config/index.js';
import { Errno, StatusError } from '../errors.js';
import { child, type Logger } from '../log.js';
import { Cluster } from './cluster.js';
import { CLIENT_HANDLERS, TrackerInlinePort } from './client-service.js';
import { STORAGE_HANDLERS } from './storage-service.js';
import { PEER_HANDLERS } from './peer-service.js';
import { newConnState, type TrackerConnState, type TrackerRuntime } from './runtime.js';
import type { SelectionPolicy } from './selection.js';
import { Relationship } from './leader.js';
import { Persistence } from './persistence.js';
import { SysDataFetcher } from './sys-fetch.js';
import { trackerRoutes, type TrackerHttpRoutes } from './http-routes.js';
import { clusterSnapshot, type TrackerSnapshot } from './snapshot.js';
import { StorageIds } from './storage-ids.js';
import { PortSecurity } from '../security/guard.js';
import { TRACKER_RULES } from '../security/command-rules.js';
import { TlsIdentity } from '../security/tls.js';
import { queryLoopState } from '../net/native-queries.js';

export class TrackerServer {
  readonly cluster: Cluster;
  readonly runtime: TrackerRuntime;
  readonly relationship: Relationship;
  readonly persistence: Persistence;
  private readonly server: FrameServer<TrackerConnState>;
  readonly log: Logger;
  private checkTimer: NodeJS.Timeout | null = null;
  /** auth_policy / cluster_secret_file; null when both are off. */
  private readonly security: PortSecurity | null;
  /** tls_port / http.tls_port certificates; null when neither is set. */
  readonly tls: TlsIdentity | null;
  /** Services run beside the tracker (its HTTP entry, started by the serve layer). */
  private readonly attached: Array<{ stop(): Promise<void> }> = [];

  constructor(readonly config: TrackerConfig, opts: { log?: Logger } = {}) {
    this.log = opts.log ?? child({ role: 'tracker', port: config.port });
    this.cluster = new Cluster(this.log);
    const policy: SelectionPolicy = {
      storeLookup: config.storeLookup,
      storeGroup: config.storeGroup,
      storeServer: config.useTrunkFile && config.storeServer === 0 ? 1 : config.storeServer,
      storePath: config.storePath,
      downloadServer: config.downloadServer,
      reserved: config.reservedStorageSpace,
      storageSyncFileMaxDelay: config.storageSyncFileMaxDelay,
      storageSyncFileMaxTime: config.storageSyncFileMaxTime,
    };
    this.security = PortSecurity.from(config, this.log);
    this.tls = TlsIdentity.from(config, this.log);
    this.server = new FrameServer<TrackerConnState>({
      host: config.bindAddr,
      port: config.port,
      role: 'tracker',
      log: this.log,
      networkTimeout: config.networkTimeout,
      maxPkgLen: () => config.maxBuffSize,
      allow: (ip) => config.allowHosts.allows(ip),
      maxConnections: config.maxConnections,
      maxConnectionsPerHost: perHostCap(config.maxConnections, config.maxConnectionsPerHost),
      newState: () => newConnState(),
      dispatch: (ctx) => this.dispatch(ctx),
      inline: new TrackerInlinePort(this),
      onClose: (state) => this.connectionClosed(state),
      guard: this.security?.guard<TrackerConnState>(TRACKER_RULES, null, this.log),
      tls: this.tls?.protocolListener(),
    });
    const upTime = Math.floor(Date.now() / 1000);
    this.persistence = new Persistence(this.cluster, { basePath: config.basePath, useStorageId: config.useStorageId, log: this.log, upTime });
    const timeouts = {
      connectTimeout: config.connectTimeout, networkTimeout: config.networkTimeout,
      localAddress: config.bindAddr.split(',')[0]!.trim() || undefined,
    };
    const lastCheckTime = this.persistence.last.lastCheckTime;
    this.relationship = new Relationship({
      bindAddr: config.bindAddr, port: config.port, upTime, lastCheckTime, timeouts, connections: this.server.stats, log: this.log,
    });
    const fetcher = new SysDataFetcher({
      cluster: this.cluster, persistence: this.persistence, relationship: this.relationship, timeouts, log: this.log, upTime, lastCheckTime,
    });
    this.runtime = {
      cluster: this.cluster,
      policy,
      ipSize: IPV4_ADDRESS_SIZE,
      port: config.port,
      log: this.log,
      upTime,
      useStorageId: config.useStorageId,
      storageIds: config.useStorageId ? StorageIds.load(config.storageIdsFilename) : null,
      trustStorageServerId: config.trustStorageServerId,
      checkActiveInterval: config.checkActiveInterval,
      connectTimeout: config.connectTimeout,
      parameters: this.parameters(),
      leader: this.relationship,
      connections: this.server.stats,
      sysFiles: this.persistence,
      beforeJoin: (trackers, localIp, currentTrackerIp) => fetcher.beforeJoin(trackers, localIp, currentTrackerIp),
    };
  }

  get address(): { host: string; port: number } {
    return this.server.address;
  }

  /** What metrics and `fdfs serve` read: leadership and the cluster model, copied. */
  snapshot(): TrackerSnapshot {
    return { address: this.address, isLeader: this.relationship.isLeader(), groups: clusterSnapshot(this.cluster, this.config.reservedStorageSpace) };
  }

  /** What the HTTP entry asks the tracker (where a file can be read, health). */
  httpRoutes(): TrackerHttpRoutes {
    return trackerRoutes(this.runtime);
  }

  /** Stop `service` with the tracker: after the leader relationship, before the listener. */
  attach(service: { stop(): Promise<void> }): void {
    this.attached.push(service);
  }

  async start(): Promise<void> {
    // Groups and storages of the previous run (shown OFFLINE until they JOIN again).
    await this.persistence.load();
    // Host names in allow_hosts match by their resolved addresses.
    await this.config.allowHosts.resolve();
    await this.security?.start();
    // cluster_tls: peer trackers share this tracker's port and tls_port.
    this.tls?.routeServers((_host, port) => (port === this.config.port ? this.config.tlsPort : 0), this.config.clusterLegacyHosts);
    await this.server.listen();
    await this.persistence.start();
    this.relationship.start();
    const every = Math.max(this.config.checkActiveInterval, 1) * 1000;
    this.checkTimer = setInterval(() => this.cluster.checkActive(this.config.checkActiveInterval), every);
    this.checkTimer.unref();
    this.log.info({ address: `${this.address.host}:${this.address.port}`, queryLoop: queryLoopState() }, 'tracker listening');
  }

  async stop(): Promise<void> {
    if (this.checkTimer) clearInterval(this.checkTimer);
    await this.relationship.stop();
    for (const a of this.attached) await a.stop().catch((err) => this.log.warn({ err }, 'cannot stop an attached service'));
    await this.server.close();
    await this.persistence.stop();
  }

  private async dispatch(ctx: RequestContext<TrackerConnState>): Promise<void> {
    const cmd = ctx.header.cmd;
    const body = await ctx.conn.readRest();
    if (cmd === CommonCmd.ActiveTest) {
      if (body.length) throw new StatusError(Errno.EINVAL, 'ACTIVE_TEST with a body');
      return ctx.reply();
    }
    const handler = CLIENT_HANDLERS[cmd] ?? STORAGE_HANDLERS[cmd] ?? PEER_HANDLERS[cmd];
    if (!handler) throw new StatusError(Errno.EINVAL, `unknown command ${cmd}`);
    await handler(this.runtime, ctx, body);
  }

  private connectionClosed(state: TrackerConnState): void {
    if (state.sysFilesLocked) this.persistence.unlock(state);
    const node = state.node;
    if (!node) return;
    node.connections = Math.max(0, node.connections - 1);
    if (node.connections === 0) this.cluster.disconnected(node);
  }

  /** The 75 STORAGE_PARAMETER_REQ answer (§8.2). */
  private parameters(): Record<string, string | number | boolean> {
    const c = this.config;
    return {
      use_storage_id: c.useStorageId ? 1 : 0,
      // Stock reads id_type_in_filename only with storage ids; otherwise names carry IPs.
      id_type_in_filename: c.useStorageId ? c.idTypeInFilename : 'ip',
      trust_storage_server_id: c.trustStorageServerId ? 1 : 0,
      response_ip_addr_size: 16,
      storage_ip_changed_auto_adjust: c.storageIpChangedAutoAdjust ? 1 : 0,
      storage_sync_file_max_delay: c.storageSyncFileMaxDelay,
      store_path: c.storePath,
      reserved_storage_space: formatReservedSpaceParam(c.reservedStorageSpace),
      use_trunk_file: c.useTrunkFile ? 1 : 0,
      slot_min_size: c.slotMinSize,
      slot_max_size: c.slotMaxSize,
      trunk_alloc_alignment_size: c.trunkAllocAlignmentSize,
      trunk_file_size: c.trunkFileSize,
      trunk_create_file_advance: c.trunkCreateFileAdvance ? 1 : 0,
      trunk_create_file_time_base: `${String(c.trunkCreateFileTimeBase.hour).padStart(2, '0')}:${String(c.trunkCreateFileTimeBase.minute).padStart(2, '0')}`,
      trunk_create_file_interval: c.trunkCreateFileInterval,
      trunk_create_file_space_threshold: c.trunkCreateFileSpaceThreshold,
      trunk_init_check_occupying: c.trunkInitCheckOccupying ? 1 : 0,
      trunk_init_reload_from_binlog: c.trunkInitReloadFromBinlog ? 1 : 0,
      trunk_free_space_merge: c.trunkFreeSpaceMerge ? 1 : 0,
      delete_unused_trunk_files: c.deleteUnusedTrunkFiles ? 1 : 0,
      trunk_compress_binlog_min_interval: c.trunkCompressBinlogMinInterval,
      trunk_compress_binlog_interval: c.trunkCompressBinlogInterval,
      trunk_compress_binlog_time_base: `${String(c.trunkCompressBinlogTimeBase.hour).padStart(2, '0')}:${String(c.trunkCompressBinlogTimeBase.minute).padStart(2, '0')}`,
      trunk_binlog_max_backups: c.trunkBinlogMaxBackups,
      store_slave_file_use_link: c.storeSlaveFileUseLink ? 1 : 0,
    };
  }
}
