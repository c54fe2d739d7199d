// What the tracker's request handlers share: the cluster model, policies, the leader view and
// settings taken from tracker.conf.
import type { Logger } from '../log.js';
import type { IpSize } from '../protocol/tracker-query.js';
import type { ParameterValue } from '../protocol/join.js';
import type { ConnectionStats } from '../net/server.js';
import type { Cluster } from './cluster.js';
import type { SelectionPolicy } from './selection.js';
import type { StorageNode } from './storage-node.js';
import type { StorageIds } from './storage-ids.js';
import type { TrackerStatus } from '../protocol/tracker-peer.js';
import type { TrackerClusterStat } from '../protocol/tracker-cluster-stat.js';

/** One tracker as 96 lists it. */
export type PeerTrackerInfo = TrackerClusterStat;

export interface LeaderView {
  /** True when this tracker is the leader. */
  isLeader(): boolean;
  /** The leader's address as seen from a connection that arrived on `localIp`; null if none. */
  leader(localIp: string): { ip: string; port: number } | null;
  /** Learn peer trackers from a JOIN body's tracker list. */
  learnTrackers(trackers: string[], localIp: string, currentTrackerIp?: string): void;
  /** Bumped whenever the leader changes (storages get a new leader brief). */
  readonly epoch: number;
  /** The 64 TRACKER_GET_STATUS answer. */
  status(): TrackerStatus;
  /** 66 / 67 / 58 / 65 / 68 (spec §8.9); they throw StatusError as stock answers. */
  notifyNextLeader(addr: { ip: string; port: number }): void;
  commitNextLeader(addr: { ip: string; port: number }): void;
  joinLeader(ip: string, req: { upTime: number; version: string; serverPort: number }): string;
  pinged(key: string, conn: { allocCount: number; currentCount: number; maxCount: number }): void;
  reselect(): void;
  /** Every known tracker (96). */
  trackers(): PeerTrackerInfo[];
}

/** The data files as 61/62/63 serve them. */
export interface SysFileStore {
  /** 61: write every file and hold them unchanged for `owner` (false if another peer holds them). */
  lock(owner: object): Promise<boolean>;
  /** 62, or the owner's connection closed. */
  unlock(owner: object): void;
  /** Absolute path of file `index` (0–3). */
  file(index: number): string;
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
  /** storage_ids.conf when use_storage_id is on (identity by id, §10.3). */
  storageIds?: StorageIds | null;
  /** `trust_storage_server_id`: accept the id a storage sends in JOIN. @default true */
  trustStorageServerId?: boolean;
  checkActiveInterval: number;
  /** `connect_timeout` (seconds): how long a new storage's port may take to answer its JOIN's check. */
  connectTimeout: number;
  /** Lines of the 75 STORAGE_PARAMETER_REQ answer. */
  parameters: Record<string, ParameterValue>;
  leader: LeaderView;
  connections: ConnectionStats;
  sysFiles: SysFileStore;
  /** Before a JOIN is handled: fetch the system data from a peer if this tracker starts empty (§8.9). */
  beforeJoin(trackers: string[], localIp: string, currentTrackerIp: string): Promise<void>;
}

/** Per-connection state: set by JOIN; what this connection has already been told. */
export interface TrackerConnState {
  node?: StorageNode;
  leaderEpochSent: number;
  groupChangeSeen: number;
  /** A follower tracker that sent 58 on this connection. */
  peerTracker?: string;
  /** Trunk-server answer already sent on this connection (65). */
  trunkSent?: boolean;
  /** The trunk server (id, '' = none) last sent to the storage on this connection. */
  trunkServerSent?: string;
  /** This connection holds the system-file lock (61 … 62). */
  sysFilesLocked?: boolean;
}

export function newConnState(): TrackerConnState {
  return { leaderEpochSent: -1, groupChangeSeen: -1 };
}
