// Replication progress of one storage, shared by its parts: the receiver notes the newest source timestamp
// got from each peer, the tracker reporters read the 89 SYNC_REPORT body from it (§8.5.3), metrics read both.
import type { StorageBrief, SyncReportEntry } from '../../protocol/beat.js';
import type { InitFlag } from '../store/init-flag.js';
import type { ClusterView } from '../tracker-side/cluster-view.js';
import { NON_SOURCE_REWIND } from './sync-sender.js';

/**
 * Seconds taken off the newest received timestamp in SYNC_REPORT: binlog lines are appended in completion
 * order, so a record stamped T+1 can precede one stamped T by the few ms a publish takes. Reporting one second
 * less keeps "replica synced past the file's timestamp" (§10.1) true for every file it covers.
 */
export const REPORT_MARGIN = 1;

export interface SyncProgressDeps {
  view: ClusterView;
  initFlag: InitFlag;
  /** This storage's id as peers and trackers know it (its IP without storage ids). */
  selfId(): string;
}

export interface SyncReport {
  /** Moves whenever the entries may have changed (a reporter sends 89 only then). */
  version: number;
  entries: SyncReportEntry[];
}

export class SyncProgress {
  private readonly received = new Map<string, number>();
  private version = 0;

  constructor(private readonly d: SyncProgressDeps) {
    // The report lists every member: a new member list changes it too.
    d.view.on('members', () => this.version++);
  }

  /** A record from `sourceId` (its 9 REPORT_SERVER_ID, else its address) stamped `timestamp` was applied. */
  noteReceived(sourceId: string, timestamp: number): void {
    if (timestamp > (this.received.get(sourceId) ?? 0)) {
      this.received.set(sourceId, timestamp);
      this.version++;
    }
  }

  /** Newest source timestamp received from a peer (0: nothing yet). */
  newestFrom(sourceId: string): number {
    return this.received.get(sourceId) ?? 0;
  }

  /** Newest source timestamp by peer id (metrics). */
  receivedByPeer(): Map<string, number> {
    return new Map(this.received);
  }

  /** The 89 body (every member in list order, itself 0) and its version; null while this storage is alone. */
  syncReport(): SyncReport | null {
    const members: StorageBrief[] = this.d.view.members;
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
}
