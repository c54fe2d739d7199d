// The tracker's storage state machine (spec §8.6): which status changes are legal, as a table. Cluster.setStatus
// checks it; persisted statuses enter only through a StorageNode's restore path (persistence.ts).
import { StorageStatus, storageStatusName, type StorageStatusCode } from '../protocol/codes.js';

const S = StorageStatus;

/**
 * Statuses the leader can hand a follower with 59 CHANGE_STATUS (ONLINE/ACTIVE arrive as OFFLINE), and that
 * 76 REPORT_STATUS may set (DELETED and IP_CHANGED always apply): reachable from every live status.
 */
const MIRRORED: readonly StorageStatusCode[] = [S.Init, S.WaitSync, S.Syncing, S.IpChanged, S.Deleted, S.Offline, S.Recovery];

/**
 * Legal `from → to`. Besides MIRRORED: ONLINE comes from a JOIN (OFFLINE, RECOVERY) or from a plan without a
 * source (87 with no peers, 88 with an empty source: INIT, WAIT_SYNC, SYNCING; INIT also when a tracker that
 * lost its data adopts what a joining storage reports); ACTIVE only by heartbeat from OFFLINE or ONLINE.
 * DELETED and IP_CHANGED are left only by a JOIN (→ INIT) or a later 76 (IP_CHANGED → DELETED). NONE is a
 * storage-side placeholder the tracker never stores.
 */
export const STATUS_TRANSITIONS: Readonly<Record<StorageStatusCode, readonly StorageStatusCode[]>> = {
  [S.Init]: [...MIRRORED, S.Online],
  [S.WaitSync]: [...MIRRORED, S.Online],
  [S.Syncing]: [...MIRRORED, S.Online],
  [S.Offline]: [...MIRRORED, S.Online, S.Active],
  [S.Online]: [...MIRRORED, S.Active],
  [S.Active]: MIRRORED,
  [S.Recovery]: [...MIRRORED, S.Online],
  [S.Deleted]: [S.Init],
  [S.IpChanged]: [S.Init, S.Deleted],
  [S.None]: [],
};

/** True when the tracker may move a storage from `from` to `to` (a change to itself is no change). */
export function canChangeStatus(from: number, to: number): boolean {
  if (from === to) return true;
  return (STATUS_TRANSITIONS[from as StorageStatusCode] ?? []).includes(to as StorageStatusCode);
}

/** INIT, WAIT_SYNC, SYNCING: the storage does not hold the group's files yet (a plan without source ends it). */
export function isBeforeFirstSync(status: number): boolean {
  return status === S.Init || status === S.WaitSync || status === S.Syncing;
}

/** Statuses a storage may not leave by heartbeat alone (§8.6 activation). */
export function isActivatable(status: number): boolean {
  return status === S.Offline || status === S.Online;
}

/** OFFLINE, ONLINE, ACTIVE: "available" (§8.6). */
export function isAvailable(status: number): boolean {
  return status === S.Offline || status === S.Online || status === S.Active;
}

export function describeTransition(from: number, to: number): string {
  return `${storageStatusName(from)} → ${storageStatusName(to)}`;
}
