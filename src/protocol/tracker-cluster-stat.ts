// Cluster statistics commands (spec §4.6, since 6.15.5/6.16): 96 SERVER_TRACKER_CLUSTER_STAT,
// 97 SERVER_STORAGE_CLUSTER_STAT and 98 SERVER_STORAGE_VOLUMN_STAT (sic), requests and records.
//
// 96 request (3): 0 filter_by u8 (1 = is_active, 2 = is_leader)  1 is_active u8  2 is_leader u8
//    response: 0 count u8, then count × 90:
//      0 host[52] "ip:port"  52 is_leader u8  53 is_active u8  54 alloc_count i32  58 current_count i32
//      62 max_count i32  66 version[8]  74 up_time i64  82 last_heartbeat_time i64
// 97 request (4): 0 filter_by u8 (1 = trunk server, 2 = status)  1 op_type u8 '=' / '!'  2 status u8
//      3 is_trunk_server u8
//    response: 0 use_storage_id u8  1 use_trunk_file u8  2 count i32, then count × 106:
//      0 id[16]  16 host[52]  68 is_trunk_server u8  69 status u8  70 alloc/current/max 3 × i32
//      82 version[8]  90 up_time i64  98 last_heartbeat_time i64
// 98 request (4): 0 filter_by u8 (1 disk, 2 trunk, 4 space)  1 is_disk_available  2 is_trunk_available
//      3 is_space_available (u8 0/1 each)
//    response: 0 use_trunk_file u8  1 count i32, then count × 59:
//      0 group_name[17]  17 total_mb  25 free_mb  33 reserved_mb  41 avail_mb  49 trunk_free_mb (i64)
//      57 is_disk_available u8  58 is_trunk_available u8
// Text fields may hold stale bytes after their NUL on stock trackers; we zero-fill and cut at the NUL.
// Encoders return whole packets (header + body); decoders take the body.
import { Errno, ProtocolError, StatusError } from '../errors.js';
import { BufReader, BufWriter } from './buf.js';
import { CommonCmd, GROUP_NAME_MAX_LEN, MAX_IP_PORT_SIZE, STORAGE_ID_MAX_SIZE, TrackerCmd, VERSION_SIZE } from './codes.js';

export const SIZES = {
  trackerStatRequest: 3,
  trackerStatRecord: 90,
  storageStatRequest: 4,
  storageStatHead: 6,
  storageStatRecord: 106,
  volumeStatRequest: 4,
  volumeStatHead: 5,
  volumeStatRecord: 59,
} as const;

function badLength(cmd: number, len: number, want: number): StatusError {
  return new StatusError(Errno.EINVAL, `cmd ${cmd}: body length ${len} != ${want}`, cmd);
}

// ---- 96

export interface TrackerClusterFilter { isActive?: boolean; isLeader?: boolean }
export interface TrackerClusterStat {
  host: string;
  isLeader: boolean;
  isActive: boolean;
  connectionAllocCount: number;
  connectionCurrentCount: number;
  connectionMaxCount: number;
  version: string;
  upTime: number;
  lastHeartbeatTime: number;
}

export function encodeTrackerClusterStatRequest(f: TrackerClusterFilter = {}): Buffer {
  const by = (f.isActive !== undefined ? 1 : 0) | (f.isLeader !== undefined ? 2 : 0);
  return new BufWriter(SIZES.trackerStatRequest).u8(by).u8(f.isActive ? 1 : 0).u8(f.isLeader ? 1 : 0)
    .finish(TrackerCmd.ServerTrackerClusterStat);
}

export function decodeTrackerClusterStatRequest(body: Buffer): TrackerClusterFilter {
  const cmd = TrackerCmd.ServerTrackerClusterStat;
  if (body.length !== SIZES.trackerStatRequest) throw badLength(cmd, body.length, SIZES.trackerStatRequest);
  const f: TrackerClusterFilter = {};
  if (body[0]! & 1) f.isActive = body[1] !== 0;
  if (body[0]! & 2) f.isLeader = body[2] !== 0;
  return f;
}

export function encodeTrackerClusterStatResponse(list: readonly TrackerClusterStat[]): Buffer {
  if (list.length > 255) throw new Error('too many trackers for a u8 count');
  const w = new BufWriter(1 + list.length * SIZES.trackerStatRecord).u8(list.length);
  for (const t of list) {
    w.fixed(t.host, MAX_IP_PORT_SIZE).u8(t.isLeader ? 1 : 0).u8(t.isActive ? 1 : 0)
      .i32(t.connectionAllocCount).i32(t.connectionCurrentCount).i32(t.connectionMaxCount)
      .fixed(t.version, VERSION_SIZE).i64(t.upTime).i64(t.lastHeartbeatTime);
  }
  return w.finish(CommonCmd.Resp);
}

export function decodeTrackerClusterStatResponse(body: Buffer): TrackerClusterStat[] {
  const r = new BufReader(body);
  const count = r.u8();
  if (body.length !== 1 + count * SIZES.trackerStatRecord) {
    throw new ProtocolError(`tracker cluster stat: ${body.length} bytes for ${count} records`);
  }
  const out: TrackerClusterStat[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      host: r.fixed(MAX_IP_PORT_SIZE), isLeader: r.u8() !== 0, isActive: r.u8() !== 0,
      connectionAllocCount: r.i32(), connectionCurrentCount: r.i32(), connectionMaxCount: r.i32(),
      version: r.fixed(VERSION_SIZE), upTime: r.i64(), lastHeartbeatTime: r.i64(),
    });
  }
  return out;
}

// ---- 97

export interface StorageClusterFilter {
  isTrunkServer?: boolean;
  /** Keep storages whose status is (`=`) or is not (`!`) `status`. */
  status?: { op: '=' | '!'; status: number };
}
export interface StorageClusterStat {
  id: string;
  host: string;
  isTrunkServer: boolean;
  status: number;
  connectionAllocCount: number;
  connectionCurrentCount: number;
  connectionMaxCount: number;
  version: string;
  upTime: number;
  lastHeartbeatTime: number;
}
export interface StorageClusterStatResponse {
  useStorageId: boolean;
  useTrunkFile: boolean;
  storages: StorageClusterStat[];
}

export function encodeStorageClusterStatRequest(f: StorageClusterFilter = {}): Buffer {
  const by = (f.isTrunkServer !== undefined ? 1 : 0) | (f.status ? 2 : 0);
  return new BufWriter(SIZES.storageStatRequest).u8(by).u8(f.status ? f.status.op.charCodeAt(0) : 0)
    .u8(f.status?.status ?? 0).u8(f.isTrunkServer ? 1 : 0).finish(TrackerCmd.ServerStorageClusterStat);
}

export function decodeStorageClusterStatRequest(body: Buffer): StorageClusterFilter {
  const cmd = TrackerCmd.ServerStorageClusterStat;
  if (body.length !== SIZES.storageStatRequest) throw badLength(cmd, body.length, SIZES.storageStatRequest);
  const f: StorageClusterFilter = {};
  if (body[0]! & 1) f.isTrunkServer = body[3] !== 0;
  if (body[0]! & 2) {
    const op = String.fromCharCode(body[1]!);
    if (op !== '=' && op !== '!') throw new StatusError(Errno.EINVAL, `cmd ${cmd}: bad op_type ${body[1]}`, cmd);
    f.status = { op, status: body[2]! };
  }
  return f;
}

export function encodeStorageClusterStatResponse(res: StorageClusterStatResponse): Buffer {
  const w = new BufWriter(SIZES.storageStatHead + res.storages.length * SIZES.storageStatRecord);
  w.u8(res.useStorageId ? 1 : 0).u8(res.useTrunkFile ? 1 : 0).i32(res.storages.length);
  for (const s of res.storages) {
    w.fixed(s.id, STORAGE_ID_MAX_SIZE).fixed(s.host, MAX_IP_PORT_SIZE).u8(s.isTrunkServer ? 1 : 0).u8(s.status)
      .i32(s.connectionAllocCount).i32(s.connectionCurrentCount).i32(s.connectionMaxCount)
      .fixed(s.version, VERSION_SIZE).i64(s.upTime).i64(s.lastHeartbeatTime);
  }
  return w.finish(CommonCmd.Resp);
}

export function decodeStorageClusterStatResponse(body: Buffer): StorageClusterStatResponse {
  const r = new BufReader(body);
  const useStorageId = r.u8() !== 0;
  const useTrunkFile = r.u8() !== 0;
  const count = r.i32();
  if (count < 0 || body.length !== SIZES.storageStatHead + count * SIZES.storageStatRecord) {
    throw new ProtocolError(`storage cluster stat: ${body.length} bytes for ${count} records`);
  }
  const storages: StorageClusterStat[] = [];
  for (let i = 0; i < count; i++) {
    storages.push({
      id: r.fixed(STORAGE_ID_MAX_SIZE), host: r.fixed(MAX_IP_PORT_SIZE), isTrunkServer: r.u8() !== 0,
      status: r.u8(), connectionAllocCount: r.i32(), connectionCurrentCount: r.i32(), connectionMaxCount: r.i32(),
      version: r.fixed(VERSION_SIZE), upTime: r.i64(), lastHeartbeatTime: r.i64(),
    });
  }
  return { useStorageId, useTrunkFile, storages };
}

// ---- 98

export interface VolumeFilter { diskAvailable?: boolean; trunkAvailable?: boolean; spaceAvailable?: boolean }
export interface VolumeStat {
  groupName: string;
  totalMb: number;
  freeMb: number;
  reservedMb: number;
  availMb: number;
  trunkFreeMb: number;
  isDiskAvailable: boolean;
  isTrunkAvailable: boolean;
}
export interface VolumeStatResponse { useTrunkFile: boolean; groups: VolumeStat[] }

export function encodeVolumeStatRequest(f: VolumeFilter = {}): Buffer {
  const by = (f.diskAvailable !== undefined ? 1 : 0) | (f.trunkAvailable !== undefined ? 2 : 0)
    | (f.spaceAvailable !== undefined ? 4 : 0);
  return new BufWriter(SIZES.volumeStatRequest).u8(by).u8(f.diskAvailable ? 1 : 0).u8(f.trunkAvailable ? 1 : 0)
    .u8(f.spaceAvailable ? 1 : 0).finish(TrackerCmd.ServerStorageVolumnStat);
}

export function decodeVolumeStatRequest(body: Buffer): VolumeFilter {
  const cmd = TrackerCmd.ServerStorageVolumnStat;
  if (body.length !== SIZES.volumeStatRequest) throw badLength(cmd, body.length, SIZES.volumeStatRequest);
  const f: VolumeFilter = {};
  if (body[0]! & 1) f.diskAvailable = body[1] !== 0;
  if (body[0]! & 2) f.trunkAvailable = body[2] !== 0;
  if (body[0]! & 4) f.spaceAvailable = body[3] !== 0;
  return f;
}

export function encodeVolumeStatResponse(res: VolumeStatResponse): Buffer {
  const w = new BufWriter(SIZES.volumeStatHead + res.groups.length * SIZES.volumeStatRecord);
  w.u8(res.useTrunkFile ? 1 : 0).i32(res.groups.length);
  for (const g of res.groups) {
    w.fixed(g.groupName, GROUP_NAME_MAX_LEN + 1).i64(g.totalMb).i64(g.freeMb).i64(g.reservedMb).i64(g.availMb)
      .i64(g.trunkFreeMb).u8(g.isDiskAvailable ? 1 : 0).u8(g.isTrunkAvailable ? 1 : 0);
  }
  return w.finish(CommonCmd.Resp);
}

export function decodeVolumeStatResponse(body: Buffer): VolumeStatResponse {
  const r = new BufReader(body);
  const useTrunkFile = r.u8() !== 0;
  const count = r.i32();
  if (count < 0 || body.length !== SIZES.volumeStatHead + count * SIZES.volumeStatRecord) {
    throw new ProtocolError(`volume stat: ${body.length} bytes for ${count} records`);
  }
  const groups: VolumeStat[] = [];
  for (let i = 0; i < count; i++) {
    groups.push({
      groupName: r.fixed(GROUP_NAME_MAX_LEN + 1), totalMb: r.i64(), freeMb: r.i64(), reservedMb: r.i64(),
      availMb: r.i64(), trunkFreeMb: r.i64(), isDiskAvailable: r.u8() !== 0, isTrunkAvailable: r.u8() !== 0,
    });
  }
  return { useTrunkFile, groups };
}
