// What the web console and its JSON API show of the cluster (src/http/console, wired in src/cli/serve): plain
// data copied out of the tracker's model — trackers and the leader, groups, storages with state, space,
// traffic and replication lag, the charts' rates — and the few routing answers the API needs.
import { Errno, StatusError } from '../errors.js';
import { storageStatusName, StorageStatus } from '../protocol/codes.js';
import type { TrackerRuntime } from './runtime.js';
import { chooseStoreGroup, chooseStoreServers, reservedMb } from './selection.js';
import type { StatHistory, RatePoint, TrafficCounters } from './stat-history.js';
import { replicationLag } from './stat-history.js';

export interface StorageView extends TrafficCounters {
  id: string;
  ip: string;
  port: number;
  status: string;
  statusCode: number;
  readable: boolean;
  writable: boolean;
  version: string;
  totalMb: number;
  freeMb: number;
  connections: number;
  lastHeartBeatTime: number;
  lastSourceUpdate: number;
  lastSyncedTimestamp: number;
  /** Seconds behind the other members' newest write; null while unknown. */
  lagSeconds: number | null;
}

export interface GroupView {
  name: string;
  totalMb: number;
  freeMb: number;
  reservedMb: number;
  storages: StorageView[];
}

export interface TrackerView {
  address: string;
  isLeader: boolean;
  isActive: boolean;
  version: string;
  upTime: number;
}

export interface ClusterOverview {
  /** Unix seconds on the tracker. */
  time: number;
  self: { address: string; isLeader: boolean; upTime: number };
  leader: string | null;
  trackers: TrackerView[];
  groups: GroupView[];
}

/** The cluster as this tracker sees it now. */
export function clusterOverview(rt: TrackerRuntime, self: { host: string; port: number }): ClusterOverview {
  const leader = rt.leader.leader(self.host);
  return {
    time: Math.floor(Date.now() / 1000),
    self: { address: `${self.host}:${self.port}`, isLeader: rt.leader.isLeader(), upTime: rt.upTime },
    leader: leader ? `${leader.ip}:${leader.port}` : null,
    trackers: rt.leader.trackers().map((t) => ({ address: t.host, isLeader: t.isLeader, isActive: t.isActive, version: t.version, upTime: t.upTime })),
    groups: rt.cluster.sortedGroups().map((g) => {
      const sp = g.space();
      const members = g.sorted();
      return {
        name: g.name, totalMb: sp.totalMb, freeMb: sp.freeMb, reservedMb: reservedMb(rt.policy.reserved, sp.totalMb),
        storages: members.filter((s) => s.status !== StorageStatus.Deleted).map((s) => {
          const st = s.stats;
          return {
            id: s.id, ip: s.ip, port: s.port, status: storageStatusName(s.status), statusCode: s.status,
            readable: s.readable, writable: s.writable, version: s.version, totalMb: s.totalMb, freeMb: s.freeMb,
            uploads: st.successUploadCount, downloads: st.successDownloadCount, deletes: st.successDeleteCount,
            bytesIn: st.successUploadBytes + st.successAppendBytes + st.successModifyBytes, bytesOut: st.successDownloadBytes,
            syncInBytes: st.successSyncInBytes, syncOutBytes: st.successSyncOutBytes, connections: st.connectionCurrentCount,
            lastHeartBeatTime: s.lastHeartBeatTime, lastSourceUpdate: st.lastSourceUpdate, lastSyncedTimestamp: s.lastSyncedTimestamp,
            lagSeconds: replicationLag(s, members),
          };
        }),
      };
    }),
  };
}

export interface ChartSeries {
  intervalSec: number;
  /** Per storage 'group/id': rates between consecutive samples, oldest first. */
  storages: Record<string, RatePoint[]>;
}

export function chartSeries(history: StatHistory): ChartSeries {
  return { intervalSec: history.intervalSec, storages: history.rates() };
}

/** The group's members a file page asks (every one not deleted), in id order. */
export function groupMembers(rt: TrackerRuntime, group: string): Array<{ id: string; ip: string; port: number; status: string; active: boolean }> {
  const g = rt.cluster.group(group);
  if (!g) throw new StatusError(Errno.ENOENT, `no group ${group}`);
  return g.sorted().filter((s) => s.status !== StorageStatus.Deleted)
    .map((s) => ({ id: s.id, ip: s.ip, port: s.port, status: storageStatusName(s.status), active: s.isActive }));
}

/** Where an upload goes, as 101/104 would answer (throws StatusError ENOENT/ENOSPC as they do). */
export function uploadTarget(rt: TrackerRuntime, group?: string): { group: string; ip: string; port: number; httpPort: number } {
  const g = chooseStoreGroup(rt.cluster, rt.policy, group);
  const s = chooseStoreServers(g, rt.policy, false).servers[0]!;
  return { group: g.name, ip: s.ip, port: s.port, httpPort: s.httpPort };
}
