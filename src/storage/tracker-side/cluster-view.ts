// What the storage knows of its cluster from the trackers' change notifications (spec §8.5.4): the leader
// tracker, the group's member list with statuses, and its own status; replication subscribes to 'members'.
import { EventEmitter } from 'node:events';
import type { Logger } from '../../log.js';
import type { ChangeNotification, StorageBrief } from '../../protocol/beat.js';
import { StorageStatus, storageStatusName } from '../../protocol/codes.js';

export interface ClusterViewEvents {
  /** The member list changed (every member of the group, this storage included). */
  members: [members: StorageBrief[]];
  /** A tracker named a (new) leader; `ip` empty means "no leader". */
  leader: [leader: StorageBrief, tracker: string];
  /** The leader named the group's trunk server (null: none). */
  trunk: [trunkServer: StorageBrief | null];
  /** The status the trackers record for this storage changed. */
  status: [status: number];
}

export class ClusterView extends EventEmitter<ClusterViewEvents> {
  leader: StorageBrief | null = null;
  /** The group's trunk server as the leader last named it (use_trunk_file). */
  trunkServer: StorageBrief | null = null;
  members: StorageBrief[] = [];
  /** −1 until a tracker told us (JOIN answer or member list). */
  myStatus = -1;
  /** Tracker that sent the last member list. */
  membersFrom = '';
  /** Each tracker's idea of this storage's status (its JOIN answer, its member lists), by tracker name. */
  readonly trackerStatus = new Map<string, number>();
  /** The tracker that sent the last leader brief: only the leader sends them (§8.5.4). */
  leaderFrom = '';
  /** Per follower: the disagreement last seen (its status > the leader's) and since when (ms). */
  private readonly disagreedSince = new Map<string, { key: string; since: number }>();

  constructor(private readonly self: () => { ip: string; port: number }, private readonly log?: Logger) {
    super();
  }

  setMyStatus(status: number, why: string): void {
    if (status === this.myStatus) return;
    this.log?.info({ from: storageStatusName(this.myStatus), to: storageStatusName(status), why }, 'own status');
    this.myStatus = status;
    this.emit('status', status);
  }

  /** Apply one change notification received from `tracker`. */
  apply(n: ChangeNotification, tracker: string): void {
    if (n.leader) {
      this.leaderFrom = n.leader.ipAddr ? tracker : '';
      const changed = !this.leader || this.leader.ipAddr !== n.leader.ipAddr || this.leader.port !== n.leader.port;
      this.leader = n.leader;
      if (changed) {
        this.log?.info({ leader: n.leader.ipAddr ? `${n.leader.ipAddr}:${n.leader.port}` : '(none)', tracker }, 'tracker leader');
        this.emit('leader', n.leader, tracker);
      }
    }
    if (n.trunkServer) {
      const next = n.trunkServer.ipAddr ? n.trunkServer : null;
      if (next?.ipAddr !== this.trunkServer?.ipAddr || next?.port !== this.trunkServer?.port) {
        this.log?.info({ trunkServer: next ? `${next.ipAddr}:${next.port}` : '(none)', tracker }, 'trunk server');
        this.trunkServer = next;
        this.emit('trunk', next);
      }
    }
    if (n.members) {
      this.members = n.members;
      this.membersFrom = tracker;
      this.log?.debug({ members: n.members.map((m) => `${m.ipAddr}:${m.port}=${storageStatusName(m.status)}`), tracker }, 'group members');
      this.emit('members', n.members);
      const me = this.self();
      const mine = n.members.find((m) => (m.ipAddr === me.ip || m.id === me.ip) && m.port === me.port);
      if (mine) {
        this.trackerStatus.set(tracker, mine.status);
        this.setMyStatus(mine.status, 'member list');
      }
    }
  }

  /**
   * 59 CHANGE_STATUS (§8.1, §8.6): the leader's status for this storage when `tracker` (a follower) records
   * another one and at least one of the two is not OFFLINE/ONLINE/ACTIVE; null when nothing is to be sent.
   * The same disagreement must have lasted `settleMs`: a change the leader just made can reach us through
   * the follower first, and answering it with the leader's older status would undo it.
   */
  statusToReport(tracker: string, settleMs = 0, now = Date.now()): number | null {
    const lead = this.disagreement(tracker);
    if (lead === null) {
      this.disagreedSince.delete(tracker);
      return null;
    }
    const key = `${this.trackerStatus.get(tracker)}>${lead}`;
    const seen = this.disagreedSince.get(tracker);
    if (!seen || seen.key !== key) {
      this.disagreedSince.set(tracker, { key, since: now });
      return settleMs <= 0 ? lead : null;
    }
    return now - seen.since >= settleMs ? lead : null;
  }

  private disagreement(tracker: string): number | null {
    if (!this.leaderFrom || tracker === this.leaderFrom) return null;
    const mine = this.trackerStatus.get(tracker);
    const lead = this.trackerStatus.get(this.leaderFrom);
    if (mine === undefined || lead === undefined || mine < 0 || lead < 0 || mine === lead) return null;
    const available = (s: number) => s === StorageStatus.Offline || s === StorageStatus.Online || s === StorageStatus.Active;
    return available(mine) && available(lead) ? null : lead;
  }

  /** Peers of this storage (every member but itself). */
  peers(): StorageBrief[] {
    const me = this.self();
    return this.members.filter((m) => !((m.ipAddr === me.ip || m.id === me.ip) && m.port === me.port));
  }
}
