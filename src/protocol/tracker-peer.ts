// Tracker ↔ tracker codecs: 64 GET_STATUS (re-exported from tracker-list.ts), 58 JOIN_LEADER, 65 PING_LEADER,
// 66/67 NOTIFY/COMMIT_NEXT_LEADER, 61/62/63 system-file transfer, 68 NOTIFY_RESELECT_LEADER (spec §8.9).
//
// 64 TRACKER_GET_STATUS: empty request; response (17) 0 if_leader u8 · 1 running_time i64 · 9 restart_interval i64
// 58 TRACKER_JOIN_LEADER request (24): 0 8 up_time i64 · 8 8 version text · 16 8 server_port i64; empty response
// 65 TRACKER_PING_LEADER request (12): 0 4 alloc_count i32 · 4 4 current_count i32 · 8 4 max_count i32
//    response: empty, or n × 32 { 0 16 group · 16 16 trunk_server_id } when trunk servers changed
// 66 NOTIFY_NEXT_LEADER / 67 COMMIT_NEXT_LEADER request: "ip:port" text (≤ 52, no NUL); empty response
// 61 GET_SYS_FILES_START / 62 GET_SYS_FILES_END / 68 NOTIFY_RESELECT_LEADER: empty request, empty response
// 63 GET_ONE_SYS_FILE request (9): 0 1 index u8 · 1 8 offset i64
//    response: 0 8 file_size i64 · 8 … up to 8181 bytes of the file from offset
// Encoders return whole packets (header + body); decoders take the body. Bad requests throw
// StatusError(EINVAL), bad responses ProtocolError.
import { BufReader, BufWriter } from './buf.js';
import { CommonCmd, GROUP_NAME_MAX_LEN, MAX_IP_PORT_SIZE, STORAGE_ID_MAX_SIZE, TrackerCmd, VERSION_SIZE } from './codes.js';
import { formatIpPort, parseIpPort, type IpPort } from './join.js';
import { einval, ProtocolError } from '../errors.js';

export {
  type TrackerStatus, encodeGetTrackerStatusRequest, encodeGetTrackerStatusResponse, decodeGetTrackerStatusResponse,
} from './tracker-list.js';

export const SIZES = {
  trackerStatus: 17,
  joinLeaderRequest: 24,
  pingLeaderRequest: 12,
  pingLeaderEntry: 32,
  leaderTextMax: MAX_IP_PORT_SIZE,
  getOneSysFileRequest: 9,
  getOneSysFileHead: 8,
  /** Most file bytes in one 63 answer. */
  sysFileChunkMax: 8181,
} as const;

/** The files 63 transfers, by index (formats in spec §11.4). */
export const SYS_FILES = [
  'storage_groups_new.dat',
  'storage_servers_new.dat',
  'storage_sync_timestamp.dat',
  'storage_changelog.dat',
] as const;

function checkLength(cmd: number, body: Buffer, n: number, what: string): void {
  if (body.length !== n) throw einval(`${what} body of ${body.length} bytes, want ${n}`, cmd);
}

// ---------------------------------------------------------------- 61 / 62 / 68: header-only requests

export function encodeGetSysFilesStartRequest(): Buffer {
  return new BufWriter(0).finish(TrackerCmd.TrackerGetSysFilesStart);
}

export function encodeGetSysFilesEndRequest(): Buffer {
  return new BufWriter(0).finish(TrackerCmd.TrackerGetSysFilesEnd);
}

export function encodeNotifyReselectLeaderRequest(): Buffer {
  return new BufWriter(0).finish(TrackerCmd.TrackerNotifyReselectLeader);
}

// ---------------------------------------------------------------- 58 TRACKER_JOIN_LEADER

export interface JoinLeaderRequest {
  upTime: number;
  version: string;
  serverPort: number;
}

export function encodeJoinLeaderRequest(req: JoinLeaderRequest): Buffer {
  return new BufWriter(SIZES.joinLeaderRequest)
    .i64(req.upTime).fixed(req.version, VERSION_SIZE).i64(req.serverPort).finish(TrackerCmd.TrackerJoinLeader);
}

export function decodeJoinLeaderRequest(body: Buffer): JoinLeaderRequest {
  checkLength(TrackerCmd.TrackerJoinLeader, body, SIZES.joinLeaderRequest, 'JOIN_LEADER');
  const r = new BufReader(body);
  return { upTime: r.i64(), version: r.fixed(VERSION_SIZE), serverPort: r.i64() };
}

// ---------------------------------------------------------------- 65 TRACKER_PING_LEADER

export interface PingLeaderRequest {
  allocCount: number;
  currentCount: number;
  maxCount: number;
}

export function encodePingLeaderRequest(req: PingLeaderRequest): Buffer {
  return new BufWriter(SIZES.pingLeaderRequest)
    .i32(req.allocCount).i32(req.currentCount).i32(req.maxCount).finish(TrackerCmd.TrackerPingLeader);
}

export function decodePingLeaderRequest(body: Buffer): PingLeaderRequest {
  checkLength(TrackerCmd.TrackerPingLeader, body, SIZES.pingLeaderRequest, 'PING_LEADER');
  const r = new BufReader(body);
  return { allocCount: r.i32(), currentCount: r.i32(), maxCount: r.i32() };
}

export interface TrunkServerEntry {
  group: string;
  /** Empty when the group has no trunk server. */
  trunkServerId: string;
}

/** Empty list → header only (nothing changed since the last ping on this connection). */
export function encodePingLeaderResponse(entries: TrunkServerEntry[]): Buffer {
  const w = new BufWriter(entries.length * SIZES.pingLeaderEntry);
  for (const e of entries) w.fixed(e.group, GROUP_NAME_MAX_LEN).fixed(e.trunkServerId, STORAGE_ID_MAX_SIZE);
  return w.finish(CommonCmd.Resp);
}

export function decodePingLeaderResponse(body: Buffer): TrunkServerEntry[] {
  if (body.length % SIZES.pingLeaderEntry !== 0) {
    throw new ProtocolError(`PING_LEADER response of ${body.length} bytes is not n × 32`);
  }
  const r = new BufReader(body);
  const out: TrunkServerEntry[] = [];
  while (r.remaining > 0) out.push({ group: r.fixed(GROUP_NAME_MAX_LEN), trunkServerId: r.fixed(STORAGE_ID_MAX_SIZE) });
  return out;
}

// ---------------------------------------------------------------- 66 / 67 NOTIFY / COMMIT_NEXT_LEADER

/** 66 or 67: the next leader as "ip:port", no terminator. */
export function encodeNextLeaderRequest(
  cmd: typeof TrackerCmd.TrackerNotifyNextLeader | typeof TrackerCmd.TrackerCommitNextLeader, leader: IpPort,
): Buffer {
  const text = formatIpPort(leader.ip, leader.port);
  if (text.length > SIZES.leaderTextMax) throw einval(`leader "${text}" too long`, cmd);
  return new BufWriter(text.length).bytes(text).finish(cmd);
}

export function decodeNextLeaderRequest(cmd: number, body: Buffer): IpPort {
  if (body.length === 0 || body.length > SIZES.leaderTextMax) throw einval(`NEXT_LEADER body of ${body.length} bytes`, cmd);
  const text = body.toString('utf8');
  const addr = parseIpPort(text);
  if (!addr) throw einval(`NEXT_LEADER: bad ip:port "${text}"`, cmd);
  return addr;
}

// ---------------------------------------------------------------- 63 TRACKER_GET_ONE_SYS_FILE

export interface GetOneSysFileRequest {
  /** Index into SYS_FILES. */
  index: number;
  offset: number;
}

export function encodeGetOneSysFileRequest(req: GetOneSysFileRequest): Buffer {
  return new BufWriter(SIZES.getOneSysFileRequest).u8(req.index).i64(req.offset).finish(TrackerCmd.TrackerGetOneSysFile);
}

export function decodeGetOneSysFileRequest(body: Buffer): GetOneSysFileRequest {
  const cmd = TrackerCmd.TrackerGetOneSysFile;
  checkLength(cmd, body, SIZES.getOneSysFileRequest, 'GET_ONE_SYS_FILE');
  const r = new BufReader(body);
  const req = { index: r.u8(), offset: r.i64() };
  if (req.index >= SYS_FILES.length || req.offset < 0) {
    throw einval(`GET_ONE_SYS_FILE index ${req.index} offset ${req.offset}`, cmd);
  }
  return req;
}

export interface GetOneSysFileResponse {
  /** Size of the whole file. */
  fileSize: number;
  /** The bytes from the requested offset (at most 8181). */
  data: Buffer;
}

export function encodeGetOneSysFileResponse(res: GetOneSysFileResponse): Buffer {
  if (res.data.length > SIZES.sysFileChunkMax) throw new Error(`sys file chunk of ${res.data.length} bytes`);
  return new BufWriter(SIZES.getOneSysFileHead + res.data.length).i64(res.fileSize).bytes(res.data).finish(CommonCmd.Resp);
}

export function decodeGetOneSysFileResponse(body: Buffer): GetOneSysFileResponse {
  const r = new BufReader(body);
  const fileSize = r.i64();
  const data = r.restBytes();
  if (fileSize < 0 || data.length > fileSize) {
    throw new ProtocolError(`GET_ONE_SYS_FILE: ${data.length} bytes of a ${fileSize}-byte file`);
  }
  return { fileSize, data };
}
