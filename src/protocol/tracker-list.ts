// Client ↔ tracker listing and admin commands (spec §4.3–§4.5, §8.9): 90/91 group records, 92 storage
// records with the 348-byte stat block (§8.5.1), 93/94/108 admin requests, 95 leader text, 64 tracker status.
//
// 90 request: group[16]          91 request: empty          response: n × 113-byte group record
//   0 group_name[17]  17 total_mb  25 free_mb  33 reserved_mb  41 trunk_free_mb  49 storage_count
//   57 storage_port  65 readable_server_count  73 writable_server_count  81 current_write_server
//   89 store_path_count  97 subdir_count_per_path  105 current_trunk_file_id          (all i64)
// 92 request: group[16] + storage id (0–15 bytes, unpadded)   response: n × 487 (RIP 16) or 517 (RIP 46)
//   0 status u8  1 rw_mode u8  2 id[16]  18 ip_addr[RIP]  then (v4 offsets; +30 for v6)
//   34 src_id[16]  50 version[8]  58 join_time  66 up_time  74 total_mb  82 free_mb  90 reserved_mb
//   98 upload_priority  106 store_path_count  114 subdir_count_per_path  122 current_write_path
//   130 storage_port  138..485 stat block (348)  486 if_trunk_server u8
// Stat block (§8.5.1): 0 alloc_count i32  4 current_count i32  8 max_count i32, then 42 × i64 from
//   12 total_upload_count … 316 last_source_update  324 last_sync_update  332 last_synced_timestamp
//   340 last_heart_beat_time (order in STAT_I64_FIELDS)
// 93 request: group[16] + id (1–15)   94 request: group[16] + id (0–15), response: id + NUL
// 108 request: group[16]   95 request: empty, response: "ip:port" / "[ip]:port" text
// 64 request: empty   response (17): 0 if_leader u8  1 running_time i64  9 restart_interval i64
// Encoders return whole packets (header + body); decoders take the body.
import { Errno, ProtocolError, StatusError } from '../errors.js';
import { BufReader, BufWriter } from './buf.js';
import {
  CommonCmd, GROUP_NAME_MAX_LEN, IPV4_ADDRESS_SIZE, IPV6_ADDRESS_SIZE, STAT_BLOCK_SIZE, STORAGE_ID_MAX_SIZE,
  TrackerCmd, VERSION_SIZE,
} from './codes.js';
import type { IpSize } from './tracker-query.js';
import { formatIpPort, parseIpPort } from './join.js';

export const SIZES = {
  groupRecord: 113,
  storageRecordV4: 487,
  storageRecordV6: 517,
  statBlock: STAT_BLOCK_SIZE,
  trackerStatus: 17,
  maxStorageId: STORAGE_ID_MAX_SIZE - 1,
} as const;

// ---- stat block (§8.5.1)

/** The i64 fields of the stat block, in wire order after the three i32 connection counters. */
export const STAT_I64_FIELDS = [
  'totalUploadCount', 'successUploadCount', 'totalAppendCount', 'successAppendCount',
  'totalModifyCount', 'successModifyCount', 'totalTruncateCount', 'successTruncateCount',
  'totalSetMetaCount', 'successSetMetaCount', 'totalDeleteCount', 'successDeleteCount',
  'totalDownloadCount', 'successDownloadCount', 'totalGetMetaCount', 'successGetMetaCount',
  'totalCreateLinkCount', 'successCreateLinkCount', 'totalDeleteLinkCount', 'successDeleteLinkCount',
  'totalUploadBytes', 'successUploadBytes', 'totalAppendBytes', 'successAppendBytes',
  'totalModifyBytes', 'successModifyBytes', 'totalDownloadBytes', 'successDownloadBytes',
  'totalSyncInBytes', 'successSyncInBytes', 'totalSyncOutBytes', 'successSyncOutBytes',
  'totalFileOpenCount', 'successFileOpenCount', 'totalFileReadCount', 'successFileReadCount',
  'totalFileWriteCount', 'successFileWriteCount',
  'lastSourceUpdate', 'lastSyncUpdate', 'lastSyncedTimestamp', 'lastHeartBeatTime',
] as const;
export type StatI64Field = (typeof STAT_I64_FIELDS)[number];

export type StorageStats = {
  connectionAllocCount: number;
  connectionCurrentCount: number;
  connectionMaxCount: number;
} & Record<StatI64Field, number>;

/** All-zero stats (a fresh storage). */
export function emptyStorageStats(): StorageStats {
  const s = { connectionAllocCount: 0, connectionCurrentCount: 0, connectionMaxCount: 0 } as StorageStats;
  for (const f of STAT_I64_FIELDS) s[f] = 0;
  return s;
}

export function writeStatBlock(w: BufWriter, s: StorageStats): BufWriter {
  w.i32(s.connectionAllocCount).i32(s.connectionCurrentCount).i32(s.connectionMaxCount);
  for (const f of STAT_I64_FIELDS) w.i64(s[f]);
  return w;
}

export function readStatBlock(r: BufReader): StorageStats {
  const s = { connectionAllocCount: r.i32(), connectionCurrentCount: r.i32(), connectionMaxCount: r.i32() } as StorageStats;
  for (const f of STAT_I64_FIELDS) s[f] = r.i64();
  return s;
}

/** The 348 bytes alone (the BEAT body, §8.5.1). */
export function encodeStatBlock(s: StorageStats): Buffer {
  return writeStatBlock(new BufWriter(STAT_BLOCK_SIZE, { header: false }), s).body();
}

export function decodeStatBlock(buf: Buffer): StorageStats {
  if (buf.length !== STAT_BLOCK_SIZE) throw new ProtocolError(`stat block: ${buf.length} bytes, want ${STAT_BLOCK_SIZE}`);
  return readStatBlock(new BufReader(buf));
}

// ---- shared request helpers

function checkGroup(group: string, cmd?: number): void {
  const n = Buffer.byteLength(group);
  if (n === 0 || n > GROUP_NAME_MAX_LEN) throw new StatusError(Errno.EINVAL, `bad group name "${group}"`, cmd);
}

/** group[16] + unpadded storage id of minId..15 bytes. */
function encodeGroupAndId(cmd: number, group: string, id: string, minId: number): Buffer {
  checkGroup(group, cmd);
  const n = Buffer.byteLength(id);
  if (n < minId || n > SIZES.maxStorageId) throw new StatusError(Errno.EINVAL, `bad storage id "${id}"`, cmd);
  return new BufWriter(GROUP_NAME_MAX_LEN + n).fixed(group, GROUP_NAME_MAX_LEN).bytes(id).finish(cmd);
}

function decodeGroupAndId(cmd: number, body: Buffer, minId: number): { group: string; storageId: string } {
  const n = body.length - GROUP_NAME_MAX_LEN;
  if (n < minId || n > SIZES.maxStorageId) throw new StatusError(Errno.EINVAL, `cmd ${cmd}: body length ${body.length}`, cmd);
  const r = new BufReader(body);
  return { group: r.fixed(GROUP_NAME_MAX_LEN), storageId: r.rest() };
}

function decodeGroupOnly(cmd: number, body: Buffer): string {
  if (body.length !== GROUP_NAME_MAX_LEN) throw new StatusError(Errno.EINVAL, `cmd ${cmd}: body length ${body.length} != 16`, cmd);
  return new BufReader(body).fixed(GROUP_NAME_MAX_LEN);
}

/** Header-only requests: 91, 95, 64 (and 101/106 in tracker-query). */
export function encodeEmptyRequest(cmd: number): Buffer {
  return new BufWriter(0).finish(cmd);
}

/** Server side: a command that takes no body got one → EINVAL. */
export function decodeEmptyRequest(cmd: number, body: Buffer): void {
  if (body.length !== 0) throw new StatusError(Errno.EINVAL, `cmd ${cmd}: expected empty body, got ${body.length}`, cmd);
}

// ---- 90 / 91 groups

export interface GroupStat {
  groupName: string;
  totalMb: number;
  freeMb: number;
  reservedMb: number;
  trunkFreeMb: number;
  storageCount: number;
  storagePort: number;
  readableServerCount: number;
  writableServerCount: number;
  currentWriteServer: number;
  storePathCount: number;
  subdirCountPerPath: number;
  currentTrunkFileId: number;
}
const GROUP_I64_FIELDS = [
  'totalMb', 'freeMb', 'reservedMb', 'trunkFreeMb', 'storageCount', 'storagePort', 'readableServerCount',
  'writableServerCount', 'currentWriteServer', 'storePathCount', 'subdirCountPerPath', 'currentTrunkFileId',
] as const;

export function encodeListOneGroupRequest(group: string): Buffer {
  checkGroup(group, TrackerCmd.ServerListOneGroup);
  return new BufWriter(GROUP_NAME_MAX_LEN).fixed(group, GROUP_NAME_MAX_LEN).finish(TrackerCmd.ServerListOneGroup);
}

export function decodeListOneGroupRequest(body: Buffer): { group: string } {
  return { group: decodeGroupOnly(TrackerCmd.ServerListOneGroup, body) };
}

export function encodeListAllGroupsRequest(): Buffer {
  return encodeEmptyRequest(TrackerCmd.ServerListAllGroups);
}

/** Response of 90 (one record) and 91 (all groups, sorted by name by the caller). */
export function encodeListGroupsResponse(groups: readonly GroupStat[]): Buffer {
  const w = new BufWriter(groups.length * SIZES.groupRecord);
  for (const g of groups) {
    checkGroup(g.groupName);
    w.fixed(g.groupName, GROUP_NAME_MAX_LEN + 1);
    for (const f of GROUP_I64_FIELDS) w.i64(g[f]);
  }
  return w.finish(CommonCmd.Resp);
}

export function decodeListGroupsResponse(body: Buffer): GroupStat[] {
  if (body.length % SIZES.groupRecord !== 0) throw new ProtocolError(`group list: ${body.length} bytes is not n×113`);
  const r = new BufReader(body);
  const out: GroupStat[] = [];
  while (r.remaining > 0) {
    const g = { groupName: r.fixed(GROUP_NAME_MAX_LEN + 1) } as GroupStat;
    for (const f of GROUP_I64_FIELDS) g[f] = r.i64();
    out.push(g);
  }
  return out;
}

// ---- 92 storages

export interface StorageRecord {
  status: number;
  /** Bit mask: 4 readable, 2 writable. */
  rwMode: number;
  id: string;
  ipAddr: string;
  srcId: string;
  version: string;
  joinTime: number;
  upTime: number;
  totalMb: number;
  freeMb: number;
  reservedMb: number;
  uploadPriority: number;
  storePathCount: number;
  subdirCountPerPath: number;
  currentWritePath: number;
  storagePort: number;
  stats: StorageStats;
  ifTrunkServer: boolean;
}
const STORAGE_I64_FIELDS = [
  'joinTime', 'upTime', 'totalMb', 'freeMb', 'reservedMb', 'uploadPriority', 'storePathCount',
  'subdirCountPerPath', 'currentWritePath', 'storagePort',
] as const;

/** Body: group[16], optionally followed by a storage id (1–15 bytes). */
export function encodeListStorageRequest(group: string, storageId?: string): Buffer {
  if (storageId === undefined || storageId === '') {
    checkGroup(group, TrackerCmd.ServerListStorage);
    return new BufWriter(GROUP_NAME_MAX_LEN).fixed(group, GROUP_NAME_MAX_LEN).finish(TrackerCmd.ServerListStorage);
  }
  return encodeGroupAndId(TrackerCmd.ServerListStorage, group, storageId, 1);
}

/** Server side: 16 ≤ length < 32, else EINVAL. */
export function decodeListStorageRequest(body: Buffer): { group: string; storageId?: string } {
  const { group, storageId } = decodeGroupAndId(TrackerCmd.ServerListStorage, body, 0);
  return storageId ? { group, storageId } : { group };
}

export function writeStorageRecord(w: BufWriter, s: StorageRecord, ipSize: IpSize): BufWriter {
  w.u8(s.status).u8(s.rwMode).fixed(s.id, STORAGE_ID_MAX_SIZE).fixed(s.ipAddr, ipSize)
    .fixed(s.srcId, STORAGE_ID_MAX_SIZE).fixed(s.version, VERSION_SIZE);
  for (const f of STORAGE_I64_FIELDS) w.i64(s[f]);
  return writeStatBlock(w, s.stats).u8(s.ifTrunkServer ? 1 : 0);
}

export function readStorageRecord(r: BufReader, ipSize: IpSize): StorageRecord {
  const s = {
    status: r.u8(), rwMode: r.u8(), id: r.fixed(STORAGE_ID_MAX_SIZE), ipAddr: r.fixed(ipSize),
    srcId: r.fixed(STORAGE_ID_MAX_SIZE), version: r.fixed(VERSION_SIZE),
  } as StorageRecord;
  for (const f of STORAGE_I64_FIELDS) s[f] = r.i64();
  s.stats = readStatBlock(r);
  s.ifTrunkServer = r.u8() !== 0;
  return s;
}

export function encodeListStorageResponse(records: readonly StorageRecord[], ipSize: IpSize): Buffer {
  if (ipSize !== IPV4_ADDRESS_SIZE && ipSize !== IPV6_ADDRESS_SIZE) throw new Error(`bad ip size ${ipSize}`);
  const size = ipSize === IPV4_ADDRESS_SIZE ? SIZES.storageRecordV4 : SIZES.storageRecordV6;
  const w = new BufWriter(records.length * size);
  for (const s of records) writeStorageRecord(w, s, ipSize);
  return w.finish(CommonCmd.Resp);
}

/** Record size detected like the C client: `len % 487` first, then `len % 517`. */
export function decodeListStorageResponse(body: Buffer): StorageRecord[] {
  let ipSize: IpSize;
  if (body.length % SIZES.storageRecordV4 === 0) ipSize = IPV4_ADDRESS_SIZE;
  else if (body.length % SIZES.storageRecordV6 === 0) ipSize = IPV6_ADDRESS_SIZE;
  else throw new ProtocolError(`storage list: ${body.length} bytes is neither n×487 nor n×517`);
  const r = new BufReader(body);
  const out: StorageRecord[] = [];
  while (r.remaining > 0) out.push(readStorageRecord(r, ipSize));
  return out;
}

// ---- 93 / 94 / 108 admin

export function encodeDeleteStorageRequest(group: string, storageId: string): Buffer {
  return encodeGroupAndId(TrackerCmd.ServerDeleteStorage, group, storageId, 1);
}

/** Server side: 17 ≤ length ≤ 31, else EINVAL. */
export function decodeDeleteStorageRequest(body: Buffer): { group: string; storageId: string } {
  return decodeGroupAndId(TrackerCmd.ServerDeleteStorage, body, 1);
}

export function encodeDeleteGroupRequest(group: string): Buffer {
  checkGroup(group, TrackerCmd.ServerDeleteGroup);
  return new BufWriter(GROUP_NAME_MAX_LEN).fixed(group, GROUP_NAME_MAX_LEN).finish(TrackerCmd.ServerDeleteGroup);
}

export function decodeDeleteGroupRequest(body: Buffer): { group: string } {
  return { group: decodeGroupOnly(TrackerCmd.ServerDeleteGroup, body) };
}

/** Empty id: let the leader keep or elect the trunk server. */
export function encodeSetTrunkServerRequest(group: string, storageId = ''): Buffer {
  return encodeGroupAndId(TrackerCmd.ServerSetTrunkServer, group, storageId, 0);
}

export function decodeSetTrunkServerRequest(body: Buffer): { group: string; storageId: string } {
  return decodeGroupAndId(TrackerCmd.ServerSetTrunkServer, body, 0);
}

/** The resulting trunk server id including its terminating NUL. */
export function encodeSetTrunkServerResponse(storageId: string): Buffer {
  return new BufWriter(Buffer.byteLength(storageId) + 1).bytes(storageId).u8(0).finish(CommonCmd.Resp);
}

export function decodeSetTrunkServerResponse(body: Buffer): string {
  return new BufReader(body).fixed(body.length);
}

// ---- 95 leader

export function encodeGetLeaderRequest(): Buffer {
  return encodeEmptyRequest(TrackerCmd.ServerGetLeader);
}

/** `ip:port`, IPv6 as `[ip]:port`, no terminator. */
export function encodeGetLeaderResponse(leader: { ip: string; port: number }): Buffer {
  const text = formatIpPort(leader.ip, leader.port);
  return new BufWriter(text.length).bytes(text).finish(CommonCmd.Resp);
}

export function decodeGetLeaderResponse(body: Buffer): { ip: string; port: number } {
  const text = body.toString('utf8');
  const addr = parseIpPort(text);
  if (!addr) throw new ProtocolError(`bad leader address "${text}"`);
  return addr;
}

// ---- 64 tracker status

export interface TrackerStatus {
  ifLeader: boolean;
  /** Seconds, rounded down to a multiple of 300 by the tracker. */
  runningTime: number;
  restartInterval: number;
}

export function encodeGetTrackerStatusRequest(): Buffer {
  return encodeEmptyRequest(TrackerCmd.TrackerGetStatus);
}

export function encodeGetTrackerStatusResponse(s: TrackerStatus): Buffer {
  return new BufWriter(SIZES.trackerStatus).u8(s.ifLeader ? 1 : 0).i64(s.runningTime).i64(s.restartInterval)
    .finish(CommonCmd.Resp);
}

export function decodeGetTrackerStatusResponse(body: Buffer): TrackerStatus {
  if (body.length !== SIZES.trackerStatus) throw new ProtocolError(`tracker status: ${body.length} bytes, want 17`);
  const r = new BufReader(body);
  return { ifLeader: r.u8() !== 0, runningTime: r.i64(), restartInterval: r.i64() };
}
