// `fdfs monitor` data: asks every tracker the client knows (91 groups, 92 storages per group, 95 leader),
// derives what fdfs_monitor derives (available space, sync delay) and judges health. Output is a JSON contract.
import type { FdfsClient } from '../../client/index.js';
import type { Connection } from '../../net/connection.js';
import { ConnectError, StatusError, connectReason, errnoName } from '../../errors.js';
import { StorageStatus, TrackerCmd, storageStatusName } from '../../protocol/codes.js';
import {
  decodeGetLeaderResponse, decodeListGroupsResponse, decodeListStorageResponse, encodeGetLeaderRequest,
  encodeListAllGroupsRequest, encodeListStorageRequest, type GroupStat, type StorageRecord,
} from '../../protocol/tracker-list.js';
import { describeFailure } from '../exit-codes.js';
import { formatIpPort } from '../../protocol/join.js';

export interface TrackerView {
  address: string;
  /** It answered 91 and 92. */
  ok: boolean;
  /** What 95 said ('ip:port'), or null when it has none / did not answer. */
  leader: string | null;
  isLeader: boolean;
  error: string | null;
  groups: number;
  storages: number;
  /** Storages this tracker sees in a state other than ACTIVE. */
  notActive: number;
}

export interface GroupView {
  name: string;
  totalMb: number;
  freeMb: number;
  reservedMb: number;
  /** What fdfs_monitor calls "disk available space": max(0, free − reserved). */
  availableMb: number;
  storageCount: number;
  activeCount: number;
  readableCount: number;
  writableCount: number;
  storagePort: number;
  storePathCount: number;
  /** With trunk files (use_trunk_file): the group's trunk server (ip:port, '' = none yet) and its free trunk space. */
  trunk?: { server: string; freeMb: number; currentFileId: number };
}

export interface StorageView {
  group: string;
  id: string;
  ip: string;
  port: number;
  status: string;
  statusCode: number;
  /** 'rw', 'r', 'w' or '-'. */
  rwMode: string;
  version: string;
  srcId: string;
  joinTime: number;
  upTime: number;
  totalMb: number;
  freeMb: number;
  usedMb: number;
  uploads: { total: number; success: number; bytes: number };
  downloads: { total: number; success: number; bytes: number };
  deletes: { total: number; success: number };
  connections: { current: number; max: number };
  lastHeartBeatTime: number;
  lastSourceUpdate: number;
  lastSyncUpdate: number;
  lastSyncedTimestamp: number;
  /** fdfs_monitor's "synced delay": 0 when nothing to sync, null when never synced. */
  syncLagSeconds: number | null;
}

export interface ClusterView {
  /** Unix seconds when collected. */
  time: number;
  healthy: boolean;
  /** Why not healthy, one line each. */
  problems: string[];
  /** The tracker whose answers fill groups and storages (the leader when it answered). */
  source: string | null;
  leader: string | null;
  trackers: TrackerView[];
  groups: GroupView[];
  storages: StorageView[];
  summary: { trackers: number; trackersUp: number; groups: number; storages: number; active: number; availableMb: number };
}

interface TrackerAnswer {
  groups: GroupStat[];
  storages: Map<string, StorageRecord[]>;
  leader: string | null;
}

async function askTracker(c: Connection): Promise<TrackerAnswer> {
  const groups = decodeListGroupsResponse(await c.call(encodeListAllGroupsRequest(), { cmd: TrackerCmd.ServerListAllGroups, maxBody: 1 << 20 }));
  const storages = new Map<string, StorageRecord[]>();
  for (const g of groups) {
    const body = await c.call(encodeListStorageRequest(g.groupName), { cmd: TrackerCmd.ServerListStorage, maxBody: 1 << 20 });
    storages.set(g.groupName, decodeListStorageResponse(body));
  }
  let leader: string | null = null;
  try {
    const l = decodeGetLeaderResponse(await c.call(encodeGetLeaderRequest(), { cmd: TrackerCmd.ServerGetLeader, maxBody: 64 }));
    leader = formatIpPort(l.ip, l.port);
  } catch (err) {
    // ENOENT: no leader elected yet; EOPNOTSUPP from an old tracker. Either way: unknown, not down.
    if (!(err instanceof StatusError)) throw err;
  }
  return { groups, storages, leader };
}

/** max(last_source_update of the other members) − this member's last_synced_timestamp (fdfs_monitor's rule). */
export function syncLag(self: StorageRecord, group: readonly StorageRecord[]): number | null {
  let maxSource = 0;
  for (const o of group) if (o !== self && o.stats.lastSourceUpdate > maxSource) maxSource = o.stats.lastSourceUpdate;
  if (maxSource === 0) return 0;
  if (self.stats.lastSyncedTimestamp <= 0) return null;
  return Math.max(0, maxSource - self.stats.lastSyncedTimestamp);
}

function rw(mode: number): string {
  return `${mode & 4 ? 'r' : ''}${mode & 2 ? 'w' : ''}` || '-';
}

function storageView(group: string, s: StorageRecord, members: readonly StorageRecord[]): StorageView {
  const st = s.stats;
  return {
    group, id: s.id, ip: s.ipAddr, port: s.storagePort, status: storageStatusName(s.status), statusCode: s.status,
    rwMode: rw(s.rwMode), version: s.version, srcId: s.srcId, joinTime: s.joinTime, upTime: s.upTime,
    totalMb: s.totalMb, freeMb: s.freeMb, usedMb: Math.max(0, s.totalMb - s.freeMb),
    uploads: { total: st.totalUploadCount, success: st.successUploadCount, bytes: st.successUploadBytes },
    downloads: { total: st.totalDownloadCount, success: st.successDownloadCount, bytes: st.successDownloadBytes },
    deletes: { total: st.totalDeleteCount, success: st.successDeleteCount },
    connections: { current: st.connectionCurrentCount, max: st.connectionMaxCount },
    lastHeartBeatTime: st.lastHeartBeatTime, lastSourceUpdate: st.lastSourceUpdate, lastSyncUpdate: st.lastSyncUpdate,
    lastSyncedTimestamp: st.lastSyncedTimestamp, syncLagSeconds: syncLag(s, members),
  };
}

/** One round of questions to every tracker, and the judgement. */
export async function collectCluster(client: FdfsClient): Promise<ClusterView> {
  const answers = await client.trackers.each((c) => askTracker(c));
  const trackers: TrackerView[] = answers.map(({ tracker, result, error }) => {
    const address = `${tracker.host}:${tracker.port}`;
    const all = result ? [...result.storages.values()].flat() : [];
    return {
      address, ok: !!result, leader: result?.leader ?? null, isLeader: !!result && result.leader === address,
      error: error ? failureText(error) : null, groups: result?.groups.length ?? 0, storages: all.length,
      notActive: all.filter((s) => s.status !== StorageStatus.Active).length,
    };
  });
  const problems: string[] = [];
  for (const t of trackers) {
    if (!t.ok) problems.push(`tracker ${t.address} does not answer: ${t.error}`);
  }
  const leaders = [...new Set(trackers.map((t) => t.leader).filter((l): l is string => !!l))];
  if (leaders.length > 1) problems.push(`trackers disagree on the leader: ${leaders.join(' vs ')}`);
  const leader = leaders.length === 1 ? leaders[0]! : null;
  const leaderIdx = answers.findIndex((a, i) => a.result && trackers[i]!.address === leader);
  const sourceIdx = leaderIdx >= 0 ? leaderIdx : answers.findIndex((a) => a.result);
  const src = sourceIdx >= 0 ? answers[sourceIdx]!.result! : null;

  const groups: GroupView[] = [];
  const storages: StorageView[] = [];
  for (const g of src?.groups ?? []) {
    const members = src!.storages.get(g.groupName) ?? [];
    for (const s of members) storages.push(storageView(g.groupName, s, members));
    groups.push({
      name: g.groupName, totalMb: g.totalMb, freeMb: g.freeMb, reservedMb: g.reservedMb,
      availableMb: Math.max(0, g.freeMb - g.reservedMb), storageCount: g.storageCount,
      activeCount: members.filter((s) => s.status === StorageStatus.Active).length,
      readableCount: g.readableServerCount, writableCount: g.writableServerCount, storagePort: g.storagePort,
      storePathCount: g.storePathCount,
      ...(g.currentTrunkFileId >= 0 ? { trunk: trunkOf(g, members) } : {}),
    });
  }
  if (src && storages.length === 0) problems.push('no storage has joined yet');
  for (const s of storages) {
    if (s.statusCode !== StorageStatus.Active) problems.push(`storage ${s.ip}:${s.port} of ${s.group} is ${s.status}`);
  }
  // Other trackers can see a storage differently (one it cannot reach): their view counts too.
  for (let i = 0; i < answers.length; i++) {
    const t = trackers[i]!;
    if (i === sourceIdx || !t.ok) continue;
    if (t.notActive) problems.push(`tracker ${t.address} sees ${t.notActive} storage(s) not ACTIVE`);
    if (t.storages !== storages.length) problems.push(`tracker ${t.address} knows ${t.storages} storage(s), ${trackers[sourceIdx]?.address} knows ${storages.length}`);
  }
  return {
    time: Math.floor(Date.now() / 1000),
    healthy: problems.length === 0,
    problems,
    source: sourceIdx >= 0 ? trackers[sourceIdx]!.address : null,
    leader,
    trackers,
    groups,
    storages,
    summary: {
      trackers: trackers.length, trackersUp: trackers.filter((t) => t.ok).length, groups: groups.length,
      storages: storages.length, active: storages.filter((s) => s.statusCode === StorageStatus.Active).length,
      availableMb: groups.reduce((n, g) => n + g.availableMb, 0),
    },
  };
}

function failureText(err: unknown): string {
  if (err instanceof StatusError) return `${errnoName(err.errno)} ${err.message}`;
  // The table already names the tracker: say only what went wrong.
  if (err instanceof ConnectError) return `unreachable (${connectReason(err.cause)})`;
  return describeFailure(err).message;
}

/** The trunk server of a group with trunk files, as the tracker lists it (92 if_trunk_server, 91 trunk_free_mb). */
function trunkOf(g: GroupStat, members: StorageRecord[]): NonNullable<GroupView['trunk']> {
  const t = members.find((s) => s.ifTrunkServer);
  return { server: t ? `${t.ipAddr}:${t.storagePort}` : '', freeMb: g.trunkFreeMb, currentFileId: g.currentTrunkFileId };
}
