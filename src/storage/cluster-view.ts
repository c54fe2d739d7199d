// What the storage knows of its cluster from the trackers' change notifications (spec §8.5.4): the leader
// tracker, the group's member list with statuses, and its own status; replication subscribes to 'members'.
import { EventEmitter } from 'node:events';
import type { Logger } from '../log.js';
import type { ChangeNotification, StorageBrief } from '../protocol/beat.js';
import { storageStatusName } from '../protocol/codes.js';

export interface ClusterViewEvents {
  /** The member list changed (every member of the group, this storage included). */
  members: [members: StorageBrief[]];
  /** A tracker named a (new) leader; `ip` empty means "no leader". */
  leader: [leader: StorageBrief, tracker: string];
  /** The status the trackers record for this storage changed. */
  status: [status: number];
}

export class ClusterView extends EventEmitter<ClusterViewEvents> {
  leader: StorageBrief | null = null;
  members: StorageBrief[] = [];
  /** −1 until a tracker told us (JOIN answer or member list). */
  myStatus = -1;
  /** Tracker that sent the last member list. */
  membersFrom = '';

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
      const changed = !this.leader || this.leader.ipAddr !== n.leader.ipAddr || this.leader.port !== n.leader.port;
      this.leader = n.leader;
      if (changed) {
        this.log?.info({ leader: n.leader.ipAddr ? `${n.leader.ipAddr}:${n.leader.port}` : '(none)', tracker }, 'tracker leader');
        this.emit('leader', n.leader, tracker);
      }
    }
    if (n.members) {
      this.members = n.members;
      this.membersFrom = tracker;
      this.log?.debug({ members: n.members.map((m) => `${m.ipAddr}:${m.port}=${storageStatusName(m.status)}`), tracker }, 'group members');
      this.emit('members', n.members);
      const me = this.self();
      const mine = n.members.find((m) => (m.ipAddr === me.ip || m.id === me.ip) && m.port === me.port);
      if (mine) this.setMyStatus(mine.status, 'member list');
    }
  }

  /** Peers of this storage (every member but itself). */
  peers(): StorageBrief[] {
    const me = this.self();
    return this.members.filter((m) => !((m.ipAddr === me.ip || m.id === me.ip) && m.port === me.port));
  }
}
