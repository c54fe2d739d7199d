// Tracker handlers for storage servers (§8): identity (60, 70, 69, 109), parameters (75), JOIN (81),
// reports answered with change notifications (83, 84, 89), sync coordination (76–79, 85–88, 59, 71).
import { decodeReportTlsPortRequest } from '../protocol/tls-ports.js';
import { TrackerCmd, StorageStatus, type StorageStatusCode } from '../protocol/codes.js';
import { Errno, StatusError } from '../errors.js';
import type { RequestContext } from '../net/server.js';
import {
  decodeJoinRequest, encodeJoinResponse, decodeGetMyIpRequest, encodeGetMyIpResponse, encodeParameterResponse,
  decodeGetServerIdRequest, encodeGetServerIdResponse, decodeFetchStorageIdsRequest, encodeFetchStorageIdsResponse,
  decodeGetGroupNameRequest, encodeGetGroupNameResponse, decodeReportHttpPortRequest,
} from '../protocol/join.js';
import {
  decodeBeatRequest, decodeDiskUsageRequest, decodeSyncReportRequest, encodeChangeNotification, type StorageBrief,
} from '../protocol/beat.js';
import {
  encodeSyncPlanResponse, decodeSyncNotifyRequest, decodeSyncSrcRequest, decodeReportStatusRequest, decodeGetStatusRequest,
  encodeGetStatusResponse, decodeChangeStatusRequest, decodeChangelogRequest,
} from '../protocol/sync-coord.js';
import { decodeStatBlock } from '../protocol/tracker-list.js';
import { isValidGroupName } from '../protocol/file-id.js';
import type { TrackerConnState, TrackerRuntime } from './runtime.js';
import { isAvailable } from './storage-status.js';
import type { StorageNode } from './storage-node.js';
import { StorageIds } from './storage-ids.js';
import { electTrunkServer, trunkFilesOn, TRUNK_HANDLERS } from './trunk-server.js';
import type { TrackerHandler } from './client-service.js';
import { checkJoinFields, checkStorageAnswers } from './join-check.js';
import { decodeMissingReport } from '../protocol/missing-report.js';

type Ctx = RequestContext<TrackerConnState>;

/** At most this many changelog bytes per 77 answer (stock: 8182). */
const CHANGELOG_CHUNK = 8182;

function joined(ctx: Ctx): StorageNode {
  const node = ctx.state.node;
  if (!node) throw new StatusError(Errno.EACCES, 'storage command before JOIN');
  return node;
}

function brief(s: StorageNode): StorageBrief {
  return { status: s.status, port: s.port, id: s.id, ipAddr: s.ip };
}

/** Leader brief once per connection (and after a leader change), members whenever the group moved. */
function notification(rt: TrackerRuntime, ctx: Ctx, node: StorageNode): Buffer {
  if (!rt.leader.isLeader()) return encodeChangeNotification({});
  const out: { leader?: StorageBrief; trunkServer?: StorageBrief; members?: StorageBrief[] } = {};
  if (ctx.state.leaderEpochSent !== rt.leader.epoch) {
    const l = rt.leader.leader(ctx.conn.localAddress);
    out.leader = l ? { status: 0, port: l.port, id: l.ip.slice(0, 15), ipAddr: l.ip } : { status: 0, port: 0, id: '', ipAddr: '' };
    ctx.state.leaderEpochSent = rt.leader.epoch;
  }
  const group = rt.cluster.group(node.group);
  if (group && trunkFilesOn(rt)) {
    const trunk = electTrunkServer(rt, group);
    if (ctx.state.trunkServerSent !== (trunk?.id ?? '')) {
      out.trunkServer = trunk ? brief(trunk) : { status: 0, port: 0, id: '', ipAddr: '' };
      ctx.state.trunkServerSent = trunk?.id ?? '';
    }
  }
  if (group && ctx.state.groupChangeSeen !== group.changeCount) {
    out.members = group.sorted().map(brief);
    ctx.state.groupChangeSeen = group.changeCount;
  }
  return encodeChangeNotification(out);
}

/**
 * Who is joining (§10.3): the IP text without storage ids; with them the id it claims (trust_storage_server_id)
 * or the storage_ids.conf entry of its address and port. The group exists afterwards even when the id is
 * refused, as in stock (such an empty group can then be deleted with 108).
 */
function joiningIdentity(rt: TrackerRuntime, group: string, ip: string, port: number, claimed: string): { id: string; rw?: number } {
  const ids = rt.storageIds;
  if (!rt.useStorageId || !ids) return { id: ip };
  rt.cluster.ensureGroup(group);
  const entry = claimed && rt.trustStorageServerId !== false ? ids.byId(claimed) : ids.byAddress(ip, port, group);
  if (!entry) throw new StatusError(Errno.ENOENT, `storage ${claimed || `${ip}:${port}`} is not in storage_ids.conf`);
  if (entry.groupName !== group) throw new StatusError(Errno.EINVAL, `storage id ${entry.id} belongs to ${entry.groupName}, not ${group}`);
  return { id: entry.id, rw: StorageIds.rwBits(entry) };
}

async function getMyIp(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const req = decodeGetMyIpRequest(body);
  const peer = ctx.conn.remoteAddress;
  // With storage ids the configured address(es) of the caller's entry, else the address it came from.
  const entry = rt.useStorageId ? rt.storageIds?.byAddress(peer, req.storagePort, req.group) : undefined;
  await ctx.replyPacket(encodeGetMyIpResponse(entry ? entry.hosts : peer));
}

async function parameters(rt: TrackerRuntime, ctx: Ctx): Promise<void> {
  await ctx.replyPacket(encodeParameterResponse(rt.parameters));
}

async function join(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const req = decodeJoinRequest(body);
  if (!isValidGroupName(req.group)) throw new StatusError(Errno.EINVAL, `bad group name "${req.group}"`);
  const ip = ctx.conn.remoteAddress;
  checkJoinFields(req);
  // A storage this tracker has not seen must answer on its port before a group or member is made for it.
  const known = [...(rt.cluster.group(req.group)?.storages.values() ?? [])].some((s) => s.ip === ip && s.port === req.storagePort);
  if (!known) await checkStorageAnswers(ip, req.storagePort, rt.connectTimeout);
  await rt.beforeJoin(req.trackers, ctx.conn.localAddress, req.currentTrackerIp);
  rt.leader.learnTrackers(req.trackers, ctx.conn.localAddress, req.currentTrackerIp);
  const who = joiningIdentity(rt, req.group, ip, req.storagePort, req.storageId);
  const node = rt.cluster.join({ ...req, id: who.id, ip });
  if (who.rw !== undefined && node.rwMode !== who.rw) {
    node.rwMode = who.rw;
    rt.cluster.group(node.group)?.touch();
  }
  if (ctx.state.node !== node) {
    if (ctx.state.node) ctx.state.node.connections--;
    node.connections++;
    ctx.state.node = node;
  }
  await ctx.replyPacket(encodeJoinResponse({ status: node.status, srcId: node.syncSrcId }));
}

async function beat(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const node = joined(ctx);
  const block = decodeBeatRequest(body);
  if (block) {
    const stats = decodeStatBlock(block);
    node.stats = stats;
    node.statsReported = true;
    node.lastSourceUpdate = stats.lastSourceUpdate;
    node.lastSyncUpdate = stats.lastSyncUpdate;
  }
  rt.cluster.heartbeat(node);
  await ctx.replyPacket(notification(rt, ctx, node));
}

/**
 * 201 (fdfs only): files a member lacks, or holds again. Taken only from a member of the group (by the address
 * the report comes from, or the storage that JOINed on this connection).
 */
async function reportMissing(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const req = decodeMissingReport(body);
  const group = rt.cluster.group(req.group);
  const ip = ctx.conn.remoteAddress;
  const node = ctx.state.node?.group === req.group ? ctx.state.node : [...group?.storages.values() ?? []].find((s) => s.ip === ip);
  if (!group || !node) throw new StatusError(Errno.EACCES, `${ip} is not a member of ${req.group}: its missing-file report is ignored`);
  for (const name of req.names) group.missing.note(name, node.id, req.held);
  rt.log.info({ storage: node.id, files: req.names.length, held: req.held }, req.held ? 'member holds reported files again' : 'member lacks files: reads go to other members');
  await ctx.reply();
}

/** 200 (fdfs only): the storage's HTTP port, for the HTTP entry's redirects. */
async function reportHttpPort(_rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  joined(ctx).httpPort = decodeReportHttpPortRequest(body);
  await ctx.reply();
}

/** 201 (fdfs only): the storage's tls_port, advertised by 202. */
async function reportTlsPort(_rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  joined(ctx).tlsPort = decodeReportTlsPortRequest(body);
  await ctx.reply();
}

async function diskUsage(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const node = joined(ctx);
  node.paths = decodeDiskUsageRequest(body, node.storePathCount);
  if (rt.policy.storePath === 2) {
    let best = 0;
    node.paths.forEach((p, i) => { if (p.freeMb > node.paths[best]!.freeMb) best = i; });
    node.currentWritePath = best;
  }
  rt.cluster.heartbeat(node);
  await ctx.replyPacket(notification(rt, ctx, node));
}

async function syncReport(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const node = joined(ctx);
  const entries = decodeSyncReportRequest(body).map((e) => ({ id: e.storageId, timestamp: e.timestamp }));
  rt.cluster.syncReport(node, entries, rt.policy.storeServer === 0);
  rt.cluster.heartbeat(node);
  await ctx.replyPacket(notification(rt, ctx, node));
}

async function syncDestReq(rt: TrackerRuntime, ctx: Ctx): Promise<void> {
  const node = joined(ctx);
  const plan = rt.cluster.syncDestReq(node);
  await ctx.replyPacket(encodeSyncPlanResponse(plan ? { srcId: plan.srcId, untilTimestamp: plan.until } : null));
}

async function syncDestQuery(_rt: TrackerRuntime, ctx: Ctx): Promise<void> {
  const node = joined(ctx);
  await ctx.replyPacket(encodeSyncPlanResponse(node.syncSrcId ? { srcId: node.syncSrcId, untilTimestamp: node.syncUntilTimestamp } : null));
}

async function syncNotify(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const node = joined(ctx);
  const plan = decodeSyncNotifyRequest(body);
  rt.cluster.syncNotify(node, plan.srcId, plan.untilTimestamp);
  await ctx.reply();
}

async function syncSrcReq(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const { group, destId } = decodeSyncSrcRequest(body);
  const dest = rt.cluster.storage(group, destId);
  if (!dest || dest.status === StorageStatus.Init || dest.status === StorageStatus.Deleted || dest.status === StorageStatus.IpChanged) {
    throw new StatusError(Errno.ENOENT, `storage ${destId} has no sync plan`);
  }
  await ctx.replyPacket(encodeSyncPlanResponse(dest.syncSrcId ? { srcId: dest.syncSrcId, untilTimestamp: dest.syncUntilTimestamp } : null));
}

async function reportStatus(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const { group, brief: b } = decodeReportStatusRequest(body);
  const node = rt.cluster.storage(group, b.id);
  if (!node) throw new StatusError(Errno.ENOENT, `storage ${b.id} not found in ${group}`);
  rt.cluster.reportStatus(node, b.status as StorageStatusCode);
  await ctx.reply();
}

async function getStatus(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const req = decodeGetStatusRequest(body);
  const g = rt.cluster.group(req.group);
  const node = g?.sorted().find((s) => s.ip === req.ip && s.port === req.port);
  if (!node) throw new StatusError(Errno.ENOENT, `storage ${req.ip}:${req.port} not found`);
  await ctx.replyPacket(encodeGetStatusResponse(brief(node)));
}

async function changeStatus(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const node = joined(ctx);
  let status = decodeChangeStatusRequest(body) as StorageStatusCode;
  if (!(isAvailable(status) && isAvailable(node.status))) {
    if (status === StorageStatus.Online || status === StorageStatus.Active) status = StorageStatus.Offline;
    rt.cluster.setStatus(node, status, 'status from the leader (59)');
  }
  await ctx.reply();
}

async function replicaChg(_rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  // The leader ignores peer-reported statuses (stock); nothing to merge without a follower role.
  void body;
  await ctx.reply();
}

async function changelog(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const req = decodeChangelogRequest(body);
  const node = req ? rt.cluster.storage(req.group, req.storageId) : joined(ctx);
  if (!node) {
    await ctx.reply();
    return;
  }
  const text = Buffer.from(rt.cluster.changelog);
  const start = Math.min(node.changelogOffset, text.length);
  const chunk = text.subarray(start, start + CHANGELOG_CHUNK);
  node.changelogOffset = start + chunk.length;
  await ctx.reply(chunk);
}

/** 70: the id of the storage at ip:port (the IP itself without storage ids). */
async function getServerId(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const req = decodeGetServerIdRequest(body);
  if (!rt.useStorageId || !rt.storageIds) {
    await ctx.replyPacket(encodeGetServerIdResponse(req.ip));
    return;
  }
  const entry = rt.storageIds.byAddress(req.ip, req.port, req.group || undefined);
  if (!entry) throw new StatusError(Errno.ENOENT, `no storage id for ${req.ip}:${req.port}`);
  await ctx.replyPacket(encodeGetServerIdResponse(entry.id));
}

/** 109: the group of the storage at ip (default: the caller) and port; only with storage ids. */
async function getGroupName(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const req = decodeGetGroupNameRequest(body);
  if (!rt.useStorageId || !rt.storageIds) throw new StatusError(Errno.EOPNOTSUPP, 'storage ids are not used');
  const ip = req.ip || ctx.conn.remoteAddress;
  const entry = rt.storageIds.byAddress(ip, req.port);
  if (!entry) throw new StatusError(Errno.ENOENT, `no storage id for ${ip}:${req.port}`);
  await ctx.replyPacket(encodeGetGroupNameResponse(entry.groupName));
}

/** 69: storage_ids.conf as text lines, one page per call. */
async function fetchStorageIds(rt: TrackerRuntime, ctx: Ctx, body: Buffer): Promise<void> {
  const req = decodeFetchStorageIdsRequest(body);
  if (!rt.useStorageId || !rt.storageIds) {
    if (!req.allowEmpty) throw new StatusError(Errno.EOPNOTSUPP, 'storage ids are not used');
    await ctx.reply(Buffer.alloc(8));
    return;
  }
  await ctx.replyPacket(encodeFetchStorageIdsResponse(rt.storageIds.page(req.startIndex)));
}

async function notSupported(): Promise<void> {
  throw new StatusError(Errno.EOPNOTSUPP, 'not supported by this tracker');
}

export const STORAGE_HANDLERS: Record<number, TrackerHandler> = {
  [TrackerCmd.StorageGetMyIp]: getMyIp,
  [TrackerCmd.StorageParameterReq]: parameters,
  [TrackerCmd.StorageJoin]: join,
  [TrackerCmd.StorageBeat]: beat,
  [TrackerCmd.StorageReportDiskUsage]: diskUsage,
  [TrackerCmd.StorageSyncReport]: syncReport,
  [TrackerCmd.StorageSyncDestReq]: syncDestReq,
  [TrackerCmd.StorageSyncDestQuery]: syncDestQuery,
  [TrackerCmd.StorageSyncNotify]: syncNotify,
  [TrackerCmd.StorageSyncSrcReq]: syncSrcReq,
  [TrackerCmd.StorageReportStatus]: reportStatus,
  [TrackerCmd.StorageGetStatus]: getStatus,
  [TrackerCmd.StorageChangeStatus]: changeStatus,
  [TrackerCmd.StorageReplicaChg]: replicaChg,
  [TrackerCmd.StorageChangelogReq]: changelog,
  [TrackerCmd.StorageGetServerId]: getServerId,
  [TrackerCmd.StorageFetchStorageIds]: fetchStorageIds,
  [TrackerCmd.StorageGetGroupName]: getGroupName,
  [TrackerCmd.StorageReportIpChanged]: notSupported,
  ...TRUNK_HANDLERS,
  [TrackerCmd.FdfsStorageReportHttpPort]: reportHttpPort,
  [TrackerCmd.FdfsStorageReportMissing]: reportMissing,
  [TrackerCmd.FdfsStorageReportTlsPort]: reportTlsPort,
};
