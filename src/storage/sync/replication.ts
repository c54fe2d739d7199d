// Replication of one storage: a SyncSender per peer of the tracker's member list (§8.5.4), deleted peers'
// marks retired (§8.7 77). What was received from each peer is kept apart, in SyncProgress (progress.ts).
import path from 'node:path';
import type { Logger } from '../../log.js';
import type { StorageBrief } from '../../protocol/beat.js';
import { StorageStatus } from '../../protocol/codes.js';
import type { ClusterView } from '../tracker-side/cluster-view.js';
import type { OwnerRuntime } from '../runtime.js';
import { MarkFile } from '../binlog/marks.js';
import { SyncSender, type PeerState } from './sync-sender.js';
import { TrackerCalls } from '../tracker-side/tracker-calls.js';

export interface ReplicationDeps {
  rt: OwnerRuntime;
  view: ClusterView;
  /** This storage's id as peers and trackers know it (its IP without storage ids). */
  selfId(): string;
  log: Logger;
}

const S = StorageStatus;

export class Replication {
  readonly calls: TrackerCalls;
  private readonly senders = new Map<string, SyncSender>();
  /** Deleted peers whose mark was already retired. */
  private readonly retired = new Set<string>();
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
   * Follow the member list; on a restart also ask the trackers' changelog (77) about peers deleted
   * meanwhile (in the background: the member list says it too).
   */
  start(firstStart: boolean): void {
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

  private membersChanged(members: StorageBrief[]): void {
    if (this.stopped) return;
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
