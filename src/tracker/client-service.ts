// Tracker handlers for client commands: store/fetch/update queries (101–107), lists (90–92),
// admin (93, 94, 95, 108), cluster stats (96–98) and the tracker status (64).
import { encodeQueryTlsPortsResponse } from '../protocol/tls-ports.js';
import { CommonCmd, TrackerCmd } from '../protocol/codes.js';
import { encodeStatus } from '../protocol/header.js';
import { Errno, StatusError } from '../errors.js';
import type { InlinePort, RequestContext } from '../net/server.js';
import type { FrameSocket } from '../net/frame-socket.js';
import {
  decodeQueryStoreRequest, encodeQueryStoreResponse, encodeQueryStoreAllResponse, decodeQueryFetchRequest,
  encodeQueryFetchResponse, encodeQueryFetchAllResponse, type QueryStoreCmd,
} from '../protocol/tracker-query.js';
import {
  decodeListOneGroupRequest, encodeListGroupsResponse, decodeListStorageRequest, encodeListStorageResponse,
  decodeDeleteStorageRequest, decodeDeleteGroupRequest, encodeGetLeaderResponse, encodeGetTrackerStatusResponse,
  decodeEmptyRequest, decodeSetTrunkServerRequest, encodeSetTrunkServerResponse,
} from '../protocol/tracker-list.js';
import {
  decodeTrackerClusterStatRequest, encodeTrackerClusterStatResponse, decodeStorageClusterStatRequest,
  encodeStorageClusterStatResponse, decodeVolumeStatRequest, encodeVolumeStatResponse,
} from '../protocol/tracker-cluster-stat.js';
import type { TrackerConnState, TrackerRuntime } from './runtime.js';
import type { StorageNode } from './storage-node.js';
import { chooseStoreGroup, chooseStoreServers, chooseFetch, chooseUpdate } from './selection.js';
import { groupStat, storageRecord, storageClusterStat, volumeStat } from './records.js';
import { setTrunkServer as setTrunkServerOf, trunkFilesOn } from './trunk-server.js';

type Ctx = RequestContext<TrackerConnState>;
export type TrackerHandler = (rt: TrackerRuntime, ctx: Ctx, body: Buffer) => Promise<void>;

// Answers to the hot queries (one storage) are the same bytes for the same target: built once per storage and
// kept beside it, checked against what they were built from (a storage's address may change).
interface StorageAnswers {
  group: string;
  ip: string;
  port: number;
  ipSize: number;
  /** 101/104 answers by store path index. */
  store: Array<Buffer | undefined>;
  /** The 102/103 answer. */
  fetch: Buffer | null;
}
const answersOf = new WeakMap<StorageNode, StorageAnswers>();

function storageAnswers(s: StorageNode, group: string, ipSize: number): StorageAnswers {
  let a = answersOf.get(s);
  if (a === undefined || a.group !== group || a.ip !== s.ip || a.port !== s.port || a.ipSize !== ipSize) {
    a = { group, ip: s.ip, port: s.port, ipSize, store: [], fetch: null };
    answersOf.set(s, a);
  }
  return a;
}

/** The 101/104/105/106 answer (throws StatusError when no group or storage can take the file). */
function storeAnswer(rt: TrackerRuntime, cmd: QueryStoreCmd, body: Buffer): Buffer {
  const req = decodeQueryStoreRequest(cmd, body);
  const group = chooseStoreGroup(rt.cluster, rt.policy, req.group);
  const { servers, storePathIndex } = chooseStoreServers(group, rt.policy, req.all);
  if (req.all) {
    return encodeQueryStoreAllResponse(
      { group: group.name, servers: servers.map((s) => ({ ip: s.ip, port: s.port })), storePathIndex }, rt.ipSize);
  }
  const s = servers[0]!;
  const a = storageAnswers(s, group.name, rt.ipSize);
  return a.store[storePathIndex] ??= encodeQueryStoreResponse({ group: group.name, ip: s.ip, port: s.port, storePathIndex }, rt.ipSize);
}

/** The 102/103/105 answer (throws StatusError when the group or a storage holding the file is missing). */
function fetchAnswer(rt: TrackerRuntime, cmd: number, body: Buffer): Buffer {
  const { group, logical } = decodeQueryFetchRequest(body);
  if (cmd === TrackerCmd.QueryUpdate) {
    const s = chooseUpdate(rt.cluster, rt.policy, group, logical);
    return encodeQueryFetchResponse({ group, ip: s.ip, port: s.port }, rt.ipSize);
  }
  const all = cmd === TrackerCmd.QueryFetchAll;
  const list = chooseFetch(rt.cluster, rt.policy, group, logical, all);
  if (all) return encodeQueryFetchAllResponse({ group, servers: list.map((s) => ({ ip: s.ip, port: s.port })) }, rt.ipSize);
  const s = list[0]!;
  const a = storageAnswers(s, group, rt.ipSize);
  return a.fetch ??= encodeQueryFetchResponse({ group, ip: s.ip, port: s.port }, rt.ipSize);
}

async function queryStore(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  await ctx.replyPacket(storeAnswer(rt, ctx.header.cmd as QueryStoreCmd, body));
}

async function queryFetch(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  await ctx.replyPacket(fetchAnswer(rt, ctx.header.cmd, body));
}

/**
 * The hot one-storage queries answered inline (net/server.ts InlinePort); anything that fails takes the
 * normal path, which reports it. Selection has no side effect but the round-robin turn, as on the normal path.
 */
export function inlineClientQuery(rt: TrackerRuntime, cmd: number, body: Buffer): Buffer | null {
  try {
    switch (cmd) {
      case TrackerCmd.QueryStoreWithoutGroupOne:
      case TrackerCmd.QueryStoreWithGroupOne:
        return storeAnswer(rt, cmd, body);
      case TrackerCmd.QueryFetchOne:
      case TrackerCmd.QueryUpdate:
        return fetchAnswer(rt, cmd, body);
      default:
        return null;
    }
  } catch {
    return null;
  }
}

/** ACTIVE_TEST's answer (connection pools send it before reusing a connection). */
const ACTIVE_TEST_OK = encodeStatus(0);

/** The tracker port's inline answers over `of.runtime`. */
export class TrackerInlinePort implements InlinePort<TrackerConnState> {
  constructor(private readonly of: { readonly runtime: TrackerRuntime }) {}

  answer(_state: TrackerConnState, _conn: FrameSocket, cmd: number, body: Buffer): Buffer | null {
    return inlineClientQuery(this.of.runtime, cmd, body);
  }

  /** Only a plain client's connection: nothing of a storage, a peer tracker or a lock lives on it. */
  detachable(state: TrackerConnState): boolean {
    return state.node === undefined && state.peerTracker === undefined && state.sysFilesLocked !== true && state.trunkSent !== true;
  }

  /** A client connection's requests once it is served in C (net/native-queries.ts): queries and ACTIVE_TEST. */
  detachedAnswer(cmd: number, body: Buffer): Buffer | null {
    if (cmd === CommonCmd.ActiveTest) return body.length === 0 ? ACTIVE_TEST_OK : null;
    return inlineClientQuery(this.of.runtime, cmd, body);
  }
}

async function listGroups(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  if (ctx.header.cmd === TrackerCmd.ServerListOneGroup) {
    const { group } = decodeListOneGroupRequest(body);
    const g = rt.cluster.group(group);
    if (!g) throw new StatusError(Errno.ENOENT, `group ${group} not found`);
    await ctx.replyPacket(encodeListGroupsResponse([groupStat(g, rt.policy)]));
    return;
  }
  decodeEmptyRequest(TrackerCmd.ServerListAllGroups, body);
  await ctx.replyPacket(encodeListGroupsResponse(rt.cluster.sortedGroups().map((g) => groupStat(g, rt.policy))));
}

async function listStorages(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const { group, storageId } = decodeListStorageRequest(body);
  const g = rt.cluster.group(group);
  if (!g) throw new StatusError(Errno.ENOENT, `group ${group} not found`);
  let nodes = g.sorted();
  if (storageId) {
    nodes = nodes.filter((s) => s.id === storageId);
    if (!nodes.length) throw new StatusError(Errno.ENOENT, `storage ${storageId} not found in ${group}`);
  }
  await ctx.replyPacket(encodeListStorageResponse(nodes.map((s) => storageRecord(s, rt.policy)), rt.ipSize));
}

async function deleteStorage(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const { group, storageId } = decodeDeleteStorageRequest(body);
  rt.cluster.deleteStorage(group, storageId);
  await ctx.reply();
}

async function deleteGroup(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const { group } = decodeDeleteGroupRequest(body);
  rt.cluster.deleteGroup(group);
  await ctx.reply();
}

async function setTrunkServer(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  // Stock answers EOPNOTSUPP when use_trunk_file is off, and on a follower (the client tries the next tracker).
  if (!trunkFilesOn(rt)) throw new StatusError(Errno.EOPNOTSUPP, 'trunk files are not enabled');
  if (!rt.leader.isLeader()) throw new StatusError(Errno.EOPNOTSUPP, 'only the leader tracker sets trunk servers');
  const { group, storageId } = decodeSetTrunkServerRequest(body);
  const g = rt.cluster.group(group);
  if (!g) throw new StatusError(Errno.ENOENT, `unknown group ${group}`);
  await ctx.replyPacket(encodeSetTrunkServerResponse(setTrunkServerOf(rt, g, storageId)));
}

async function getLeader(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  decodeEmptyRequest(TrackerCmd.ServerGetLeader, body);
  const leader = rt.leader.leader(ctx.conn.localAddress);
  if (!leader) throw new StatusError(Errno.ENOENT, 'no leader');
  await ctx.replyPacket(encodeGetLeaderResponse(leader));
}

async function trackerStatus(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  decodeEmptyRequest(TrackerCmd.TrackerGetStatus, body);
  if (!rt.cluster.groups.size) throw new StatusError(Errno.ENOENT, 'no groups yet');
  await ctx.replyPacket(encodeGetTrackerStatusResponse(rt.leader.status()));
}

async function trackerClusterStat(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const f = decodeTrackerClusterStatRequest(body);
  if (!rt.leader.isLeader()) throw new StatusError(Errno.EOPNOTSUPP, 'not the leader');
  const list = rt.leader.trackers()
    .filter((t) => (f.isActive === undefined || t.isActive === f.isActive) && (f.isLeader === undefined || t.isLeader === f.isLeader));
  await ctx.replyPacket(encodeTrackerClusterStatResponse(list));
}

async function storageClusterStatHandler(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const f = decodeStorageClusterStatRequest(body);
  // Without trunk files stock ignores the trunk-server filter bit (no storage is a trunk server).
  const storages = rt.cluster.sortedGroups().flatMap((g) => g.sorted()).filter((s) => {
    if (f.status) return f.status.op === '=' ? s.status === f.status.status : s.status !== f.status.status;
    return true;
  });
  await ctx.replyPacket(encodeStorageClusterStatResponse({
    useStorageId: rt.useStorageId, useTrunkFile: false, storages: storages.map(storageClusterStat),
  }));
}

async function volumeStatHandler(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const f = decodeVolumeStatRequest(body);
  // As for 97: the trunk filter means nothing while trunk files are off (stock ignores it).
  const groups = rt.cluster.sortedGroups().map((g) => volumeStat(g, rt.policy)).filter((v) =>
    (f.diskAvailable === undefined || v.isDiskAvailable === f.diskAvailable) &&
    (f.spaceAvailable === undefined || (v.availMb > 0) === f.spaceAvailable));
  await ctx.replyPacket(encodeVolumeStatResponse({ useTrunkFile: false, groups }));
}

/** 202 (fdfs only): every storage's address and TLS port, so clients can reach storages over TLS. */
async function queryTlsPorts(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  if (body.length) throw new StatusError(Errno.EINVAL, 'QUERY_TLS_PORTS with a body', TrackerCmd.FdfsQueryTlsPorts);
  const entries = rt.cluster.sortedGroups().flatMap((g) => g.sorted().map((s) => ({ ip: s.ip, port: s.port, tlsPort: s.tlsPort })));
  await ctx.replyPacket(encodeQueryTlsPortsResponse(entries));
}

export const CLIENT_HANDLERS: Record<number, TrackerHandler> = {
  [TrackerCmd.QueryStoreWithoutGroupOne]: queryStore,
  [TrackerCmd.QueryStoreWithGroupOne]: queryStore,
  [TrackerCmd.QueryStoreWithoutGroupAll]: queryStore,
  [TrackerCmd.QueryStoreWithGroupAll]: queryStore,
  [TrackerCmd.QueryFetchOne]: queryFetch,
  [TrackerCmd.QueryUpdate]: queryFetch,
  [TrackerCmd.QueryFetchAll]: queryFetch,
  [TrackerCmd.ServerListOneGroup]: listGroups,
  [TrackerCmd.ServerListAllGroups]: listGroups,
  [TrackerCmd.ServerListStorage]: listStorages,
  [TrackerCmd.ServerDeleteStorage]: deleteStorage,
  [TrackerCmd.ServerDeleteGroup]: deleteGroup,
  [TrackerCmd.ServerSetTrunkServer]: setTrunkServer,
  [TrackerCmd.ServerGetLeader]: getLeader,
  [TrackerCmd.TrackerGetStatus]: trackerStatus,
  [TrackerCmd.ServerTrackerClusterStat]: trackerClusterStat,
  [TrackerCmd.ServerStorageClusterStat]: storageClusterStatHandler,
  [TrackerCmd.ServerStorageVolumnStat]: volumeStatHandler,
  [TrackerCmd.FdfsQueryTlsPorts]: queryTlsPorts,
};
