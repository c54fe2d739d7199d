// What the tracker's request handlers share: the cluster model, policies, the leader view and
// settings taken from tracker.conf.
import type { Logger } from '../log.js';
import type { IpSize } from '../protocol/tracker-query.js';
import type { ParameterValue } from '../protocol/join.js';
import type { ConnectionStats } from '../net/server.js';
import type { Cluster } from './cluster.js';
import type { SelectionPolicy } from './selection.js';
import type { StorageNode } from './storage-node.js';

export interface LeaderView {
  /** True when this tracker is the leader. */
  isLeader(): boolean;
  /** The leader's address as seen from a connection that arrived on `localIp`; null if none. */
  leader(localIp: string): { ip: string; port: number } | null;
  /** Learn peer trackers from a JOIN body's tracker list. */
  learnTrackers(trackers: string[], localIp: string): void;
  /** Bumped whenever the leader changes (storages get a new leader brief). */
  readonly epoch: number;
}

export interface TrackerRuntime {
  cluster: Cluster;
  policy: SelectionPolicy;
  ipSize: IpSize;
  port: number;
  log: Logger;
  /** Process start (Unix seconds). */
  upTime: number;
  useStorageId: boolean;
  checkActiveInterval: number;
  /** Lines of the 75 STORAGE_PARAMETER_REQ answer. */
  parameters: Record<string, ParameterValue>;
  leader: LeaderView;
  connections: ConnectionStats;
}

/** Per-connection state: set by JOIN; what this connection has already been told. */
export interface TrackerConnState {
  node?: StorageNode;
  leaderEpochSent: number;
  groupChangeSeen: number;
}

export function newConnState(): TrackerConnState {
  return { leaderEpochSent: -1, groupChangeSeen: -1 };
}
