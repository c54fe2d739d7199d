// What metrics and `fdfs serve` read of a running tracker (TrackerServer.snapshot()): plain data copied out of
// the cluster model, so readers never hold the live groups or storage nodes.
import type { ReservedSpace } from '../config/values.js';
import type { Cluster } from './cluster.js';

export interface MemberSnapshot {
  id: string;
  /** ip:port */
  address: string;
  status: number;
  lastHeartBeatTime: number;
  lastSourceUpdate: number;
  lastSyncedTimestamp: number;
  /** Newest source timestamp received from each peer id (its SYNC_REPORT row). */
  syncFrom: Record<string, number>;
}

export interface GroupSnapshot {
  name: string;
  /** Group space as 91 reports it (§4.3), and the reserve tracker.conf keeps free. */
  totalMb: number;
  freeMb: number;
  reservedMb: number;
  /** Members sorted by id. */
  storages: MemberSnapshot[];
}

export interface TrackerSnapshot {
  address: { host: string; port: number };
  isLeader: boolean;
  /** Groups sorted by name. */
  groups: GroupSnapshot[];
}

export function clusterSnapshot(cluster: Cluster, reserved: ReservedSpace): GroupSnapshot[] {
  return cluster.sortedGroups().map((g) => {
    const sp = g.space();
    return {
      name: g.name,
      totalMb: sp.totalMb,
      freeMb: sp.freeMb,
      reservedMb: reserved.kind === 'mb' ? reserved.mb : Math.floor(sp.totalMb * reserved.ratio),
      storages: g.sorted().map((s) => ({
        id: s.id, address: s.address, status: s.status, lastHeartBeatTime: s.lastHeartBeatTime,
        lastSourceUpdate: s.lastSourceUpdate, lastSyncedTimestamp: s.lastSyncedTimestamp, syncFrom: Object.fromEntries(s.syncFrom),
      })),
    };
  });
}
