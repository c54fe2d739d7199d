// Trunk files on the tracker (spec §8.8): with use_trunk_file the leader names one trunk server per group — the
// current one while it stays ACTIVE, else the first ACTIVE writable member in id order — and sends it to the
// group's storages in the TRUNK_SERVER brief of the beat answers; 72/73/74 keep the group's trunk file id and
// the trunk server's free trunk space.
import { Errno, StatusError } from '../errors.js';
import { CommonCmd, StorageStatus, TrackerCmd } from '../protocol/codes.js';
import { encodeHeader } from '../protocol/header.js';
import { decodeTrunkFid, decodeTrunkFreeMb, encodeTrunkFid } from '../protocol/trunk-commands.js';
import type { Group } from './group.js';
import type { TrackerRuntime } from './runtime.js';
import type { StorageNode } from './storage-node.js';
import type { RequestContext } from '../net/server.js';
import type { TrackerConnState } from './runtime.js';

type TrackerHandler = (rt: TrackerRuntime, ctx: RequestContext<TrackerConnState>, body: Buffer) => Promise<void>;

export function trunkFilesOn(rt: TrackerRuntime): boolean {
  return Number(rt.parameters.use_trunk_file) === 1;
}

/** The group's trunk server after re-checking it (leader only); null when none can serve now. */
export function electTrunkServer(rt: TrackerRuntime, group: Group): StorageNode | null {
  group.trunk.on = true;
  const current = group.trunk.serverId ? group.storages.get(group.trunk.serverId) : undefined;
  if (current?.isActive) return current;
  // As stock, a trunk server that stopped beating keeps the role for 2 × check_active_interval: a restart
  // does not move it (a new one would start from its own trunk binlog).
  const now = Math.floor(Date.now() / 1000);
  if (current && current.status !== StorageStatus.Deleted && now - current.lastHeartBeatTime < 2 * rt.checkActiveInterval) return null;
  const next = group.writable()[0] ?? null;
  const id = next?.id ?? '';
  if (current) current.isTrunkServer = false;
  if (group.trunk.serverId) group.trunk.lastServerId = group.trunk.serverId;
  group.trunk.serverId = id;
  if (next) {
    next.isTrunkServer = true;
    rt.log.info({ group: group.name, storage: id }, 'trunk server set');
  }
  return next;
}

/**
 * 94 (leader, §4.5): with no id keep the ACTIVE trunk server or elect one; with an id move the role to that
 * storage, which must be ACTIVE and writable, while no other trunk server is ACTIVE. Returns the trunk server's id.
 */
export function setTrunkServer(rt: TrackerRuntime, group: Group, id: string): string {
  if (!id) {
    const t = electTrunkServer(rt, group);
    if (!t) throw new StatusError(Errno.ENOENT, `group ${group.name} has no storage that can be trunk server`);
    return t.id;
  }
  const target = group.storages.get(id);
  if (!target) throw new StatusError(Errno.ENOENT, `storage ${id} is not in group ${group.name}`);
  if (group.trunk.serverId === id) throw new StatusError(Errno.EALREADY, `${id} is the trunk server already`);
  const current = group.trunk.serverId ? group.storages.get(group.trunk.serverId) : undefined;
  if (current?.isActive) throw new StatusError(Errno.EEXIST, `${current.id} is the ACTIVE trunk server of ${group.name}`);
  if (!target.isActive) throw new StatusError(Errno.ENONET, `storage ${id} is not ACTIVE`);
  if (!target.writable) throw new StatusError(Errno.EACCES, `storage ${id} is not writable`);
  if (current) current.isTrunkServer = false;
  if (group.trunk.serverId) group.trunk.lastServerId = group.trunk.serverId;
  group.trunk.serverId = id;
  group.trunk.on = true;
  target.isTrunkServer = true;
  rt.log.info({ group: group.name, storage: id }, 'trunk server set (94)');
  return id;
}

function trunkGroup(rt: TrackerRuntime, node: StorageNode | undefined): Group {
  if (!node) throw new StatusError(Errno.EACCES, 'storage command before JOIN');
  if (!trunkFilesOn(rt)) throw new StatusError(Errno.EOPNOTSUPP, 'use_trunk_file is off on this tracker');
  const group = rt.cluster.group(node.group);
  if (!group) throw new StatusError(Errno.ENOENT, `unknown group ${node.group}`);
  return group;
}

/** 72: the group's current trunk file id. */
const fetchTrunkFid: TrackerHandler = async (rt, ctx) => {
  const group = trunkGroup(rt, ctx.state.node);
  await ctx.replyPacket(encodeTrunkFid(group.trunk.currentFileId));
};

/** 73: the trunk server reports the trunk file id it reached (never goes back). */
const reportTrunkFid: TrackerHandler = async (rt, ctx, body) => {
  const group = trunkGroup(rt, ctx.state.node);
  const id = decodeTrunkFid(body);
  if (id > group.trunk.currentFileId) group.trunk.currentFileId = id;
  await ctx.replyPacket(encodeEmpty());
};

/** 74: the trunk server's free trunk space (MB), shown in 91 / 92 / 98. */
const reportTrunkFree: TrackerHandler = async (rt, ctx, body) => {
  const group = trunkGroup(rt, ctx.state.node);
  const mb = decodeTrunkFreeMb(body);
  group.trunk.freeMb = Math.max(0, mb);
  await ctx.replyPacket(encodeEmpty());
};

function encodeEmpty(): Buffer {
  return encodeHeader(0, CommonCmd.Resp, 0);
}

export const TRUNK_HANDLERS: Record<number, TrackerHandler> = {
  [TrackerCmd.StorageFetchTrunkFid]: fetchTrunkFid,
  [TrackerCmd.StorageReportTrunkFid]: reportTrunkFid,
  [TrackerCmd.StorageReportTrunkFree]: reportTrunkFree,
};
