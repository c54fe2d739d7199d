// Messages between a storage's owner process (tracker side, binlog rotation, replication, counters on disk)
// and its worker processes (client connections on the storage port). Plain JSON over the cluster channel.
import type { HttpCounters, RequestCounters } from '../../metrics.js';
import type { ConnectionStats } from '../../net/server.js';
import type { StatI64Field } from '../../protocol/tracker-list.js';
import type { StorageIdentity } from '../runtime.js';
import type { TrackerParams } from '../tracker-side/tracker-params.js';
import type { Block } from '../trunk/free-space.js';

/** What a worker's handlers read that the owner learns from the trackers. */
export interface SharedState {
  myIp: string;
  identity?: StorageIdentity;
  params: TrackerParams;
  /** The binlog file workers append to. */
  binlogIndex: number;
  /** The group's member IPs (null: not known yet). */
  memberIps: string[] | null;
  /** Trunk space can be had: this storage is the trunk server or knows it (trunk files are written). */
  trunkSpace?: boolean;
  /** This storage is the group's trunk server (answers 27/28/29). */
  trunkServer?: boolean;
}

export type ToWorker =
  | { t: 'state'; state: SharedState }
  | { t: 'rotate'; index: number }
  | { t: 'granted'; id: number }
  /** The owner's /metrics text, answering a worker's 'metrics' (ok false: it could not render). */
  | { t: 'metrics'; id: number; ok: boolean; contentType: string; body: string }
  | TrunkReply
  /** The trunk binlog is about to be compacted: write what is pending, then write nothing until trunk-resume. */
  | { t: 'trunk-pause'; id: number }
  /** The trunk binlog was replaced (or not): reopen it and go on. */
  | { t: 'trunk-resume' }
  | { t: 'stop' };

export type ToOwner =
  /** Sent once the worker listens for messages (any sent before would be lost). */
  | { t: 'hello' }
  /** Listening on the storage port, and on the HTTP gateway port when this storage has one. */
  | { t: 'listening'; host: string; port: number; http?: { host: string; port: number } }
  /** usage: a plain message for the operator (e.g. a port in use), not a crash. */
  | { t: 'fatal'; message: string; usage?: boolean }
  /** /metrics was asked on the worker's HTTP gateway: the owner renders every process's counters. */
  | { t: 'metrics'; id: number }
  | { t: 'rotated'; index: number }
  | { t: 'trunk-paused'; id: number }
  | { t: 'lock'; id: number; key: string }
  | { t: 'unlock'; id: number }
  | TrunkRequest
  | WorkerReport;

/** Trunk space asked of the owner (trunk/trunk-space.ts): answered, except trunk-return. */
export type TrunkRequest =
  | { t: 'trunk-reserve'; id: number; index: number; ip: string; slotSize: number }
  | { t: 'trunk-commit'; id: number; slot: Block }
  | { t: 'trunk-free'; id: number; slot: Block }
  /** A lease to carve slots from (leased-space.ts), answered with the block. */
  | { t: 'trunk-lease'; id: number; index: number; ip: string; slotSize: number; leaseSize: number }
  /** The unused rest of a lease, not answered. */
  | { t: 'trunk-return'; id: number; slot: Block };

export interface TrunkReply {
  t: 'trunk-reply';
  id: number;
  slot?: Block;
  error?: { errno: number; message: string };
}

/** Counters since the last report (timestamps: the newest), newest timestamp applied per sync source, connections. */
import type { RepairCounts } from '../repair/repairer.js';

export interface WorkerReport {
  t: 'report';
  stats: Partial<Record<StatI64Field, number>>;
  received: Record<string, number>;
  conn: ConnectionStats;
  /** Per-command request counters (cumulative) when metrics are on. */
  requests?: RequestCounters[];
  /** HTTP counters (cumulative) of the gateway this worker serves, when metrics are on. */
  http?: HttpCounters[];
  /** Damaged copies found and repaired by this worker (cumulative). */
  repairs?: RepairCounts;
}

/** Stat fields that hold a time (merged by max), not a count (merged by sum). */
export const TIME_FIELDS: ReadonlySet<StatI64Field> = new Set(['lastSourceUpdate', 'lastSyncUpdate', 'lastSyncedTimestamp', 'lastHeartBeatTime']);
