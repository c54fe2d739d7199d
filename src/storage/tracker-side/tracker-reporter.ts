// One long-lived connection per tracker (spec §8.1, §8.4, §8.5, §8.7): JOIN, the sync plan (87 on a first
// start, 88 after every JOIN), then BEAT every heart_beat_interval and REPORT_DISK_USAGE every
// stat_report_interval, applying change notifications; on any failure: close, wait, reconnect, JOIN again.
import { encodeReportTlsPortRequest } from '../../protocol/tls-ports.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StorageConfig } from '../../config/index.js';
import { formatHostPort, type HostPort } from '../../config/values.js';
import { Errno, StatusError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Connection } from '../../net/connection.js';
import type { ConnectionStats } from '../../net/server.js';
import {
  decodeChangeNotification, encodeBeatRequest, encodeDiskUsageRequest, encodeSyncReportRequest, type DiskUsage,
} from '../../protocol/beat.js';
import { FDFS_PROTOCOL_VERSION, TrackerCmd } from '../../protocol/codes.js';
import { decodeJoinResponse, encodeJoinRequest, encodeReportHttpPortRequest } from '../../protocol/join.js';
import {
  decodeGetStatusResponse, decodeSyncPlanResponse, encodeChangeStatusRequest, encodeGetStatusRequest, encodeSyncDestRequest,
  encodeSyncNotifyRequest,
} from '../../protocol/sync-coord.js';
import type { ClusterView } from './cluster-view.js';
import type { InitFlag } from '../store/init-flag.js';
import type { StatsKeeper } from '../store/stats.js';
import type { SyncReport } from '../sync/progress.js';
import { connectTracker } from './tracker-client.js';
import { encodeTrunkFid, encodeTrunkFreeMb } from '../../protocol/trunk-commands.js';

/** State the reporters of one storage share. */
export interface ReporterShared {
  /** A reporter is asking 87 SYNC_DEST_REQ right now (only one may). */
  planInProgress: boolean;
}

export interface ReporterDeps {
  config: StorageConfig;
  group: string;
  log: Logger;
  initFlag: InitFlag;
  stats: StatsKeeper;
  connections: ConnectionStats;
  view: ClusterView;
  shared: ReporterShared;
  /** Process start (JOIN up_time). */
  upTime: number;
  /** The port clients reach this storage on (the bound one when the config says 0). */
  port: number;
  diskUsage(): Promise<DiskUsage[]>;
  /** Called before each JOIN: learn the own IP / the tracker parameters if still missing. */
  beforeJoin?(tracker: HostPort): Promise<void>;
  /** The storage id sent in JOIN (use_storage_id), '' otherwise. */
  storageId?(): string;
  /** The HTTP gateway's port, told to fdfs trackers after each JOIN (200) for their redirects; 0 = none. */
  httpPort?: number;
  /** tls_port, told to fdfs trackers after each JOIN (201) so clients can find it (202); 0 = none. */
  tlsPort?: number;
  /** Replication progress (SyncProgress) for 89 SYNC_REPORT; sent after a BEAT whenever its version moved. */
  progress?: { syncReport(): SyncReport | null };
  /** While this storage is the trunk server: its trunk file id and free trunk space, for 73 / 74. */
  trunk?(): { fileId: number; freeMb: number } | null;
}

/**
 * Wait before connecting again: at once-ish after a planned re-JOIN (0 failures), then 0.25 s doubling per
 * failure up to min(heart_beat_interval, 5 s) — a restarted tracker is found within a second or two.
 */
export function reconnectDelay(failures: number, heartBeatInterval: number): number {
  if (failures <= 0) return 100;
  const capMs = Math.max(1, Math.min(heartBeatInterval, 5)) * 1000;
  return Math.min(capMs, 250 * 2 ** Math.min(failures - 1, 10));
}

export class TrackerReporter {
  private conn: Connection | null = null;
  private stopped = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private readonly name: string;
  private readonly log: Logger;
  /** Successful JOINs on this reporter (tests and monitoring). */
  joins = 0;
  beats = 0;
  /** Set during a pause: aborting it wakes the reporter (the tracker closed the connection). */
  private wakeup: AbortController | null = null;
  /** The tracker answered 200 with EINVAL: a stock tracker, not asked again. */
  private httpPortUnknownThere = false;
  private tlsPortUnknownThere = false;

  constructor(private readonly d: ReporterDeps, readonly tracker: HostPort) {
    this.name = formatHostPort(tracker);
    this.log = d.log.child({ tracker: this.name });
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Close the tracker connection now (the tracker marks the storage OFFLINE) and end the loop. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.conn?.destroy();
    await this.loop;
  }

  /** Sleep `ms`, cut short by stop() or by the tracker closing the connection (see session()). */
  private async pause(ms: number): Promise<void> {
    const wake = new AbortController();
    this.wakeup = wake;
    await sleep(ms, undefined, { signal: AbortSignal.any([this.abort.signal, wake.signal]) }).catch(() => {});
    if (this.wakeup === wake) this.wakeup = null;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const joinsBefore = this.joins;
      try {
        await this.session();
        failures = 0;
      } catch (err) {
        if (this.stopped) break;
        // A session that had joined and then lost the tracker starts a new streak.
        failures = this.joins > joinsBefore ? 1 : failures + 1;
        const msg = err instanceof Error ? err.message : String(err);
        // Log the first failure of a streak loudly, the rest quietly.
        if (failures === 1) this.log.warn({ err: msg }, 'tracker connection failed; will reconnect');
        else this.log.debug({ err: msg, failures }, 'tracker still unreachable');
      } finally {
        this.conn?.destroy();
        this.conn = null;
        this.d.view.trackerStatus.delete(this.name);
      }
      if (this.stopped) break;
      await this.pause(reconnectDelay(failures, this.d.config.heartBeatInterval));
    }
  }

  private async call(cmd: number, packet: Buffer): Promise<Buffer> {
    if (!this.conn || this.stopped) throw new Error('stopped');
    return this.conn.call(packet, { cmd, maxBody: 1 << 16 });
  }

  private async session(): Promise<void> {
    const { config } = this.d;
    if (this.d.beforeJoin) await this.d.beforeJoin(this.tracker);
    if (this.stopped) return;
    const { conn, host } = await connectTracker(config, this.tracker);
    this.conn = conn;
    // A restarted tracker must see us again within moments, not at the next heartbeat.
    conn.onClose(() => this.wakeup?.abort());
    if (this.stopped) return;
    await this.join(host);
    let planNotified = await this.syncPlan();
    let sentSync = -1;
    let sentVersion = -1;
    let sentConn = '';
    let nextBeat = 0;
    let nextReport = 0;
    let sentTrunk = '';
    while (!this.stopped) {
      const now = Date.now();
      if (now >= nextBeat) {
        nextBeat = now + config.heartBeatInterval * 1000;
        const connKey = `${this.d.connections.alloc}/${this.d.connections.current}/${this.d.connections.max}`;
        const changed = sentVersion !== this.d.stats.version || sentConn !== connKey;
        sentVersion = this.d.stats.version;
        sentConn = connKey;
        const block = changed ? this.d.stats.statBlock(this.d.connections) : null;
        this.notified(await this.call(TrackerCmd.StorageBeat, encodeBeatRequest(block)));
        this.beats++;
        if (!planNotified) planNotified = await this.syncPlan();
        if (!(await this.settleWithLeader(config.heartBeatInterval))) return;
        const report = this.d.progress?.syncReport();
        if (report && report.version !== sentSync) {
          sentSync = report.version;
          this.notified(await this.call(TrackerCmd.StorageSyncReport, encodeSyncReportRequest(report.entries)));
        }
      }
      if (now >= nextReport) {
        nextReport = now + config.statReportInterval * 1000;
        const usage = await this.d.diskUsage();
        this.notified(await this.call(TrackerCmd.StorageReportDiskUsage, encodeDiskUsageRequest(usage)));
        const trunk = this.d.trunk?.();
        if (trunk && `${trunk.fileId}/${trunk.freeMb}` !== sentTrunk) {
          sentTrunk = `${trunk.fileId}/${trunk.freeMb}`;
          await this.reportTrunk(trunk);
        }
      }
      await this.pause(Math.max(10, Math.min(nextBeat, nextReport) - Date.now()));
      if (conn.closed) throw new Error('the tracker closed the connection');
    }
  }

  /**
   * A follower that seems to disagree with the leader about us (§8.1): followers send no member lists, so
   * first ask it (71) what it holds now; if the disagreement is real and lasts, send it the leader's status
   * (59) and read the result back. Stock JOINs again instead, which shows the storage OFFLINE there for a
   * moment. False = the connection must be renewed (a tracker that does not answer 71).
   */
  /** 73 / 74 (§8.8); a tracker without trunk files answers EOPNOTSUPP, which changes nothing here. */
  private async reportTrunk(t: { fileId: number; freeMb: number }): Promise<void> {
    for (const [cmd, packet] of [[TrackerCmd.StorageReportTrunkFid, encodeTrunkFid(t.fileId, TrackerCmd.StorageReportTrunkFid)],
      [TrackerCmd.StorageReportTrunkFree, encodeTrunkFreeMb(t.freeMb)]] as const) {
      await this.call(cmd, packet).catch((err: unknown) => {
        if (!(err instanceof StatusError)) throw err;
        this.log.debug({ cmd, errno: err.errno }, 'trunk report refused');
      });
    }
  }

  private async settleWithLeader(heartBeatInterval: number): Promise<boolean> {
    const view = this.d.view;
    if (view.statusToReport(this.name) === null) return true;
    if (!(await this.refreshStatusHere())) {
      const status = view.statusToReport(this.name);
      if (status === null) return true;
      await this.call(TrackerCmd.StorageChangeStatus, encodeChangeStatusRequest(status));
      this.log.info({ status }, 'sent the leader\'s status to this tracker (59); joining again');
      return false;
    }
    const status = view.statusToReport(this.name, Math.max(2000, 2 * heartBeatInterval * 1000));
    if (status === null) return true;
    await this.call(TrackerCmd.StorageChangeStatus, encodeChangeStatusRequest(status));
    this.log.info({ status }, 'sent the leader\'s status to this tracker (59)');
    return this.refreshStatusHere();
  }

  /** 71 GET_STATUS about ourselves on this connection; false when the tracker would not say. */
  private async refreshStatusHere(): Promise<boolean> {
    const ip = this.conn?.localAddress;
    if (!ip) return false;
    try {
      const brief = decodeGetStatusResponse(await this.call(TrackerCmd.StorageGetStatus,
        encodeGetStatusRequest({ group: this.d.group, ip, port: this.d.port })));
      this.d.view.trackerStatus.set(this.name, brief.status);
      return true;
    } catch (err) {
      if (err instanceof StatusError) return false;
      throw err;
    }
  }

  private async join(host: string): Promise<void> {
    const { config, initFlag, view } = this.d;
    const res = decodeJoinResponse(await this.call(TrackerCmd.StorageJoin, encodeJoinRequest({
      group: this.d.group,
      storagePort: this.d.port,
      storePathCount: config.storePathCount,
      subdirCountPerPath: config.subdirCountPerPath,
      uploadPriority: config.uploadPriority,
      joinTime: initFlag.data.storageJoinTime,
      upTime: this.d.upTime,
      version: FDFS_PROTOCOL_VERSION,
      initFlag: !initFlag.syncOldDone,
      status: view.myStatus >= 0 ? view.myStatus : 0,
      storageId: this.d.storageId?.() ?? '',
      currentTrackerIp: host,
      trackers: config.trackerServers.map(formatHostPort),
    })));
    this.joins++;
    this.log.info({ status: res.status, src: res.srcId || undefined }, 'joined tracker');
    view.trackerStatus.set(this.name, res.status);
    view.setMyStatus(res.status, `JOIN answer from ${this.name}`);
    await this.reportHttpPort();
    await this.reportTlsPort();
  }

  /** 201 (fdfs only): tell the tracker the TLS port; a stock tracker answers EINVAL and is not asked again. */
  private async reportTlsPort(): Promise<void> {
    const port = this.d.tlsPort ?? 0;
    if (!port || this.tlsPortUnknownThere) return;
    try {
      await this.call(TrackerCmd.FdfsStorageReportTlsPort, encodeReportTlsPortRequest(port));
    } catch (err) {
      if (!(err instanceof StatusError && err.errno === Errno.EINVAL)) throw err;
      this.tlsPortUnknownThere = true;
    }
  }

  /** 200 (fdfs only): tell the tracker where the HTTP gateway listens; stock trackers do not know it (EINVAL). */
  private async reportHttpPort(): Promise<void> {
    const port = this.d.httpPort ?? 0;
    if (!port || this.httpPortUnknownThere) return;
    try {
      await this.call(TrackerCmd.FdfsStorageReportHttpPort, encodeReportHttpPortRequest(port));
    } catch (err) {
      if (!(err instanceof StatusError && err.errno === Errno.EINVAL)) throw err;
      this.httpPortUnknownThere = true;
      this.log.debug('this tracker does not take HTTP ports (a stock tracker): its http.storage_server_port applies');
    }
  }

  /**
   * First start: one reporter asks 87 SYNC_DEST_REQ and stores the plan. Once a plan is known, 88
   * SYNC_NOTIFY tells this tracker (after every JOIN). Returns true once 88 went out.
   */
  private async syncPlan(): Promise<boolean> {
    const { initFlag, shared } = this.d;
    if (!initFlag.syncOldDone && !shared.planInProgress) {
      shared.planInProgress = true;
      try {
        const plan = decodeSyncPlanResponse(await this.call(TrackerCmd.StorageSyncDestReq, encodeSyncDestRequest()));
        await initFlag.setSyncPlan(plan?.srcId ?? '', plan?.untilTimestamp ?? 0);
        this.log.info({ src: plan?.srcId || '(none)', until: plan?.untilTimestamp }, 'sync plan');
      } catch (err) {
        if (!(err instanceof StatusError && err.errno === Errno.ENOENT)) throw err;
        // Peers exist but none can be a source yet: ask again at the next heartbeat (the tracker keeps the connection).
        this.log.info('no sync source available yet; retrying');
        return false;
      } finally {
        shared.planInProgress = false;
      }
    }
    if (!initFlag.syncOldDone) return false;
    const d = initFlag.data;
    await this.call(TrackerCmd.StorageSyncNotify, encodeSyncNotifyRequest({ srcId: d.syncSrcServer, untilTimestamp: d.syncUntilTimestamp }));
    return true;
  }

  private notified(body: Buffer): void {
    this.d.view.apply(decodeChangeNotification(body), this.name);
  }
}
