// Replication of one storage: a SyncSender per peer of the tracker's member list (§8.5.4), the newest source
// timestamp received from each peer for 89 SYNC_REPORT (§8.5.3), deleted peers' marks retired (§8.7 77).
import path from 'node:path';
import type { Logger } from '../../log.js';
import type { StorageBrief, SyncReportEntry } from '../../protocol/beat.js';
import { StorageStatus } from '../../protocol/codes.js';
import type { ClusterView } from '../tracker-side/cluster-view.js';
import type { InitFlag } from '../store/init-flag.js';
import type { StorageRuntime } from '../runtime.js';
import { MarkFile } from '../binlog/marks.js';
import { NON_SOURCE_REWIND, SyncSender, type PeerState } from './sync-sender.js';
import { TrackerCalls } from '../tracker-side/tracker-calls.js';

export interface ReplicationDeps {
  rt: StorageRuntime;
  view: ClusterView;
  initFlag: InitFlag;
  /** This storage's id as peers and trackers know it (its IP without storage ids). */
  selfId(): string;
  log: Logger;
}

/**
 * Seconds taken off the newest received timestamp in SYNC_REPORT: binlog lines are appended in completion
 * order, so a record stamped T+1 can precede one stamped T by the few ms a publish takes. Reporting one second
 * less keeps "replica synced past the file's timestamp" (§10.1) true for every file it covers.
 */
const REPORT_MARGIN = 1;

const S = StorageStatus;

export class Replication {
  readonly calls: TrackerCalls;
  private readonly senders = new Map<string, SyncSender>();
  private readonly received = new Map<string, number>();
  /** Deleted peers whose mark was already retired. */
  private readonly retired = new Set<string>();
  private version = 0;
  private stopped = false;
  private readonly log: Logger;
  private readonly onMembers = (members: StorageBrief[]) => this.membersChanged(members);

  constructor(private readonly d: ReplicationDeps) {
    this.log = d.log.child({ part: 'sync' });
    this.calls = new TrackerCalls(d.rt.config, this.log, () => {
      const l = d.view.leader;
      return l?.ipAddr ? `${l.ipAddr}:${l.port}` : '';
    });
  }

  /**
   * Attach to the runtime (receiver bookkeeping) and the member list; on a restart also ask the trackers'
   * changelog (77) about peers deleted meanwhile (in the background: the member list says it too).
   */
  start(firstStart: boolean): void {
    this.d.rt.replication = this;
    this.d.view.on('members', this.onMembers);
    if (this.d.view.members.length) this.membersChanged(this.d.view.members);
    if (!firstStart) void this.retireDeleted().catch((err) => this.log.warn({ err }, 'changelog check failed'));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.d.view.off('members', this.onMembers);
    await Promise.all([...this.senders.values()].map((s) => s.stop()));
    this.senders.clear();
  }

  /** Senders by peer id (tests, monitoring). */
  get peers(): ReadonlyMap<string, SyncSender> {
    return this.senders;
  }

  /** Newest source timestamp received from a peer (0: nothing yet). */
  newestFrom(sourceId: string): number {
    return this.received.get(sourceId) ?? 0;
  }

  noteReceived(sourceId: string, timestamp: number): void {
    if (timestamp > (this.received.get(sourceId) ?? 0)) {
      this.received.set(sourceId, timestamp);
      this.version++;
    }
  }

  /** The 89 body (every member in list order, itself 0) and a version that moves when it changed; null alone. */
  syncReport(): { version: number; entries: SyncReportEntry[] } | null {
    const members = this.d.view.members;
    if (members.length < 2) return null;
    const self = this.d.selfId();
    const f = this.d.initFlag.data;
    // A bootstrapped member holds every file stamped well before its cut-off (they came from its source).
    const floor = f.syncSrcServer ? Math.max(0, f.syncUntilTimestamp - NON_SOURCE_REWIND) : 0;
    const entries = members.map((m) => {
      if (m.id === self) return { storageId: m.id, timestamp: 0 };
      const got = this.received.get(m.id) ?? this.received.get(m.ipAddr);
      return { storageId: m.id, timestamp: Math.max(got ? got - REPORT_MARGIN : 0, floor) };
    });
    return { version: this.version, entries };
  }

  private membersChanged(members: StorageBrief[]): void {
    if (this.stopped) return;
    this.version++;
    const mine = new Set(this.d.view.peers().map((p) => p.id));
    for (const m of members) {
      if (!mine.has(m.id)) continue;
      const existing = this.senders.get(m.id);
      if (m.status === S.Deleted || m.status === S.IpChanged) {
        if (existing) {
          this.senders.delete(m.id);
          this.log.info({ peer: m.id }, 'peer deleted: stopping replication to it');
          void existing.retire();
        } else if (!this.retired.has(m.id)) {
          this.retired.add(m.id);
          void this.markOf(m).retire().catch(() => {});
        }
        continue;
      }
      this.retired.delete(m.id);
      const peer: PeerState = { id: m.id, ip: m.ipAddr, port: m.port, status: m.status };
      if (existing) {
        existing.update(peer);
      } else {
        const sender = new SyncSender({ rt: this.d.rt, calls: this.calls, selfId: this.d.selfId, log: this.log }, peer);
        this.senders.set(m.id, sender);
        this.log.info({ peer: `${peer.ip}:${peer.port}`, status: peer.status }, 'replicating to peer');
        sender.start();
      }
    }
    for (const [id, sender] of this.senders) {
      if (!members.some((m) => m.id === id)) {
        this.senders.delete(id);
        void sender.stop();
      }
    }
  }

  private markOf(p: { id: string; ipAddr: string; port: number }): MarkFile {
    const { rt } = this.d;
    return MarkFile.forPeer(path.join(rt.config.basePath, 'data', 'sync'), { id: p.id, ip: p.ipAddr, port: p.port }, !!rt.identity, this.log);
  }

  /** 77 with a body at startup: rename the marks of peers deleted while this storage was away. */
  private async retireDeleted(): Promise<void> {
    const { rt } = this.d;
    const self = this.d.selfId();
    if (!self) return;
    const entries = await this.calls.changelog(rt.group, self);
    for (const e of entries) {
      if (e.group !== rt.group || e.storageId === self || e.status !== S.Deleted || this.senders.has(e.storageId)) continue;
      // Without storage ids the id is the IP; the group's storages share one port.
      await this.markOf({ id: e.storageId, ipAddr: e.storageId, port: rt.config.port }).retire();
    }
  }
}
