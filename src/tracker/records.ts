// Builds the wire records of 90/91/92/97/98 from the model (§4.3, §4.4, §4.6).
import type { GroupStat, StorageRecord } from '../protocol/tracker-list.js';
import type { StorageClusterStat, VolumeStat } from '../protocol/tracker-cluster-stat.js';
import { StorageStatus } from '../protocol/codes.js';
import type { Group } from './group.js';
import type { StorageNode } from './storage-node.js';
import { groupHasRoom, reservedMb, type SelectionPolicy } from './selection.js';

export function groupStat(g: Group, p: SelectionPolicy): GroupStat {
  const { totalMb, freeMb } = g.space();
  const writable = g.writable();
  return {
    groupName: g.name,
    totalMb,
    freeMb,
    reservedMb: reservedMb(p.reserved, totalMb),
    trunkFreeMb: g.trunk.freeMb,
    storageCount: g.storages.size,
    storagePort: g.storagePort,
    readableServerCount: g.readable().length,
    writableServerCount: writable.length,
    currentWriteServer: writable.length ? g.currentWriteServer % writable.length : 0,
    storePathCount: g.storePathCount,
    subdirCountPerPath: g.subdirCountPerPath,
    currentTrunkFileId: g.trunk.on ? g.trunk.currentFileId : -1,
  };
}

export function storageRecord(s: StorageNode, p: SelectionPolicy): StorageRecord {
  const r = liveRecord(s, p);
  if (s.status !== StorageStatus.Deleted) return r;
  // A deleted storage's space and settings are reported as zeros, as stock does.
  return {
    ...r, totalMb: 0, freeMb: 0, reservedMb: 0, uploadPriority: 0, storePathCount: 0, subdirCountPerPath: 0,
    stats: { ...r.stats, lastHeartBeatTime: 0 },
  };
}

function liveRecord(s: StorageNode, p: SelectionPolicy): StorageRecord {
  return {
    status: s.status,
    rwMode: s.rwMode,
    id: s.id,
    ipAddr: s.ip,
    srcId: s.syncSrcId,
    version: s.version,
    joinTime: s.joinTime,
    upTime: s.upTime,
    totalMb: s.totalMb,
    freeMb: s.freeMb,
    reservedMb: reservedMb(p.reserved, s.totalMb),
    uploadPriority: s.uploadPriority,
    storePathCount: s.storePathCount,
    subdirCountPerPath: s.subdirCountPerPath,
    currentWritePath: s.currentWritePath,
    storagePort: s.port,
    stats: { ...s.stats, lastSyncedTimestamp: s.lastSyncedTimestamp, lastHeartBeatTime: s.lastHeartBeatTime },
    ifTrunkServer: s.isTrunkServer,
  };
}

export function storageClusterStat(s: StorageNode): StorageClusterStat {
  return {
    id: s.id,
    host: `${s.ip}:${s.port}`,
    isTrunkServer: s.isTrunkServer,
    status: s.status,
    connectionAllocCount: s.stats.connectionAllocCount,
    connectionCurrentCount: s.stats.connectionCurrentCount,
    connectionMaxCount: s.stats.connectionMaxCount,
    version: s.version,
    upTime: s.upTime,
    lastHeartbeatTime: s.lastHeartBeatTime,
  };
}

export function volumeStat(g: Group, p: SelectionPolicy): VolumeStat {
  const { totalMb, freeMb } = g.space();
  const reserved = reservedMb(p.reserved, totalMb);
  const disk = groupHasRoom(g, p.reserved);
  return {
    groupName: g.name,
    totalMb,
    freeMb,
    reservedMb: reserved,
    availMb: disk ? Math.max(0, freeMb - reserved) : 0,
    trunkFreeMb: g.trunk.freeMb,
    isDiskAvailable: disk,
    isTrunkAvailable: g.trunk.freeMb > 0,
  };
}
