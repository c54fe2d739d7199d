// Storage → tracker identity and join codecs: 81 STORAGE_JOIN, 60 GET_MY_IP, 75 PARAMETER_REQ,
// 70 GET_SERVER_ID, 109 GET_GROUP_NAME, 69 FETCH_STORAGE_IDS (spec §8.2–8.4), plus ip:port text helpers.
//
// 81 STORAGE_JOIN request (145 + tracker lines)       81 response (17)
//   0   17  group_name (16 + NUL)                       0   1  my_status u8
//   17   8  storage_port i64                            1  16  src_id (empty = none)
//   25   8  store_path_count i64
//   33   8  subdir_count_per_path i64                 60 GET_MY_IP request (21)
//   41   8  upload_priority i64                         0  17  group_name (16 + NUL)
//   49   8  join_time i64                               17  4  storage_port i32
//   57   8  up_time i64                               60 response: ip text, dual IPs joined by ',', no NUL
//   65   8  version text ("6.16.1")
//   73   1  init_flag u8                              75 PARAMETER_REQ: empty request; response
//   74   1  status i8 (−1 = a tracker failed to answer)   "key=value\n" lines (INI text)
//   75  16  storage_id (zeros without use_storage_id)
//   91  46  current_tracker_ip                        70 GET_SERVER_ID request: group[16] + "ip:port" text
//   137  8  tracker_count i64 (1…16)                  70 response: storage id text, no NUL
//   145  …  tracker_count × "host:port\n" (≤ 100 each)
//                                                     109 GET_GROUP_NAME request: port i32 (4), or
// 69 FETCH_STORAGE_IDS request (5)                        ip text + port i32; response: group[16]
//   0   4  start_index i32
//   4   1  allow_empty u8                             69 response: total_count i32, returned_count i32,
//                                                        then lines "id group host[ rw=mode]\n"
// Encoders return whole packets (header + body); decoders take the body. Bad requests throw
// StatusError(EINVAL), bad responses ProtocolError.
import { BufReader, BufWriter } from './buf.js';
import {
  CommonCmd, GROUP_NAME_MAX_LEN, IP_ADDRESS_SIZE, MAX_IP_PORT_SIZE, MAX_TRACKERS, STORAGE_ID_MAX_SIZE, TrackerCmd,
  VERSION_SIZE,
} from './codes.js';
import { einval, Errno, ProtocolError, StatusError } from '../errors.js';

export const SIZES = {
  /** Fixed part of the JOIN body before the tracker lines. */
  joinFixed: 145,
  joinResponse: 17,
  /** Longest tracker line in a JOIN body, newline excluded (MAX_MULTI_IP_PORT_SIZE). */
  joinTrackerLineMax: 100,
  getMyIpRequest: 21,
  /** group[16] + the longest "ip:port" text. */
  getServerIdRequestMax: GROUP_NAME_MAX_LEN + MAX_IP_PORT_SIZE,
  getGroupNameResponse: GROUP_NAME_MAX_LEN,
  fetchStorageIdsRequest: 5,
  fetchStorageIdsHead: 8,
} as const;

// ---------------------------------------------------------------- ip:port text

export interface IpPort {
  ip: string;
  port: number;
}

/** "ip:port"; IPv6 addresses are bracketed ("[::1]:22122"). */
export function formatIpPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Parse "ip:port" or "[ipv6]:port"; null for anything else. */
export function parseIpPort(text: string): IpPort | null {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (!m || Number(m[3]) > 65535) return null;
  return { ip: m[1] ?? m[2]!, port: Number(m[3]) };
}

// ---------------------------------------------------------------- 81 STORAGE_JOIN

export interface JoinRequest {
  group: string;
  storagePort: number;
  storePathCount: number;
  subdirCountPerPath: number;
  uploadPriority: number;
  /** The storage's first-ever start (from .data_init_flag). */
  joinTime: number;
  /** Process start time. */
  upTime: number;
  version: string;
  /** True while the storage has not yet got its initial sync plan. */
  initFlag: boolean;
  /** The storage's own idea of its status; −1 after a failed join elsewhere. */
  status: number;
  /** Empty without use_storage_id. */
  storageId: string;
  currentTrackerIp: string;
  /** One entry per tracker: "host:port", "ip1,ip2:port" or "[ipv6]:port". */
  trackers: string[];
}

export function encodeJoinRequest(req: JoinRequest): Buffer {
  const cmd = TrackerCmd.StorageJoin;
  if (req.trackers.length < 1 || req.trackers.length > MAX_TRACKERS) {
    throw einval(`tracker_count ${req.trackers.length} out of range 1…${MAX_TRACKERS}`, cmd);
  }
  const w = new BufWriter(SIZES.joinFixed + req.trackers.length * 24)
    .fixed(req.group, GROUP_NAME_MAX_LEN + 1)
    .i64(req.storagePort)
    .i64(req.storePathCount)
    .i64(req.subdirCountPerPath)
    .i64(req.uploadPriority)
    .i64(req.joinTime)
    .i64(req.upTime)
    .fixed(req.version, VERSION_SIZE)
    .u8(req.initFlag ? 1 : 0)
    .u8(req.status)
    .fixed(req.storageId, STORAGE_ID_MAX_SIZE)
    .fixed(req.currentTrackerIp, IP_ADDRESS_SIZE)
    .i64(req.trackers.length);
  for (const t of req.trackers) {
    if (!t || t.length > SIZES.joinTrackerLineMax || t.includes('\n')) throw einval(`bad tracker line "${t}"`, cmd);
    w.bytes(`${t}\n`);
  }
  return w.finish(cmd);
}

export function decodeJoinRequest(body: Buffer): JoinRequest {
  const cmd = TrackerCmd.StorageJoin;
  if (body.length < SIZES.joinFixed) throw einval(`JOIN body of ${body.length} bytes, want ≥ 145`, cmd);
  const r = new BufReader(body);
  const req: JoinRequest = {
    group: r.fixed(GROUP_NAME_MAX_LEN + 1),
    storagePort: r.i64(),
    storePathCount: r.i64(),
    subdirCountPerPath: r.i64(),
    uploadPriority: r.i64(),
    joinTime: r.i64(),
    upTime: r.i64(),
    version: r.fixed(VERSION_SIZE),
    initFlag: r.u8() !== 0,
    status: r.i8(),
    storageId: r.fixed(STORAGE_ID_MAX_SIZE),
    currentTrackerIp: r.fixed(IP_ADDRESS_SIZE),
    trackers: [],
  };
  const count = r.i64();
  if (count < 1 || count > MAX_TRACKERS) throw einval(`JOIN tracker_count ${count} out of range`, cmd);
  const text = r.rest();
  const lines = text.split('\n');
  if (lines.pop() !== '' || lines.length !== count) {
    throw einval(`JOIN announces ${count} tracker lines, body has ${JSON.stringify(text)}`, cmd);
  }
  for (const l of lines) {
    if (!l || l.length > SIZES.joinTrackerLineMax) throw einval(`bad JOIN tracker line "${l}"`, cmd);
  }
  req.trackers = lines;
  return req;
}

export interface JoinResponse {
  /** The storage's status as the tracker now records it. */
  status: number;
  /** Storage this one syncs old data from; empty if none. */
  srcId: string;
}

export function encodeJoinResponse(res: JoinResponse): Buffer {
  return new BufWriter(SIZES.joinResponse).u8(res.status).fixed(res.srcId, STORAGE_ID_MAX_SIZE).finish(CommonCmd.Resp);
}

export function decodeJoinResponse(body: Buffer): JoinResponse {
  if (body.length !== SIZES.joinResponse) throw new ProtocolError(`JOIN response of ${body.length} bytes, want 17`);
  const r = new BufReader(body);
  return { status: r.u8(), srcId: r.fixed(STORAGE_ID_MAX_SIZE) };
}

// ---------------------------------------------------------------- 60 STORAGE_GET_MY_IP

export interface GetMyIpRequest {
  group: string;
  storagePort: number;
}

export function encodeGetMyIpRequest(req: GetMyIpRequest): Buffer {
  return new BufWriter(SIZES.getMyIpRequest)
    .fixed(req.group, GROUP_NAME_MAX_LEN + 1).i32(req.storagePort).finish(TrackerCmd.StorageGetMyIp);
}

export function decodeGetMyIpRequest(body: Buffer): GetMyIpRequest {
  if (body.length !== SIZES.getMyIpRequest) {
    throw einval(`GET_MY_IP body of ${body.length} bytes, want 21`, TrackerCmd.StorageGetMyIp);
  }
  const r = new BufReader(body);
  return { group: r.fixed(GROUP_NAME_MAX_LEN + 1), storagePort: r.i32() };
}

/** The storage's address(es) as the tracker sees them; several are joined by ','. */
export function encodeGetMyIpResponse(ips: string | string[]): Buffer {
  const text = typeof ips === 'string' ? ips : ips.join(',');
  return new BufWriter(Buffer.byteLength(text)).bytes(text).finish(CommonCmd.Resp);
}

export function decodeGetMyIpResponse(body: Buffer): string[] {
  const text = body.toString('utf8');
  if (!text) throw new ProtocolError('GET_MY_IP response is empty');
  return text.split(',');
}

// ---------------------------------------------------------------- 75 STORAGE_PARAMETER_REQ

export function encodeParameterRequest(): Buffer {
  return new BufWriter(0).finish(TrackerCmd.StorageParameterReq);
}

export type ParameterValue = string | number | boolean;

/** One "key=value\n" line per entry, in insertion order; booleans as 1/0. */
export function encodeParameterResponse(params: Record<string, ParameterValue>): Buffer {
  let text = '';
  for (const [k, v] of Object.entries(params)) {
    const value = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
    if (!k || k.includes('=') || k.includes('\n') || value.includes('\n')) throw new Error(`bad parameter "${k}"`);
    text += `${k}=${value}\n`;
  }
  return new BufWriter(Buffer.byteLength(text)).bytes(text).finish(CommonCmd.Resp);
}

/** INI-style: blank lines and '#' comments skipped, key and value trimmed, the last duplicate wins. */
export function decodeParameterResponse(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of body.toString('utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

// ---------------------------------------------------------------- 70 STORAGE_GET_SERVER_ID

export interface GetServerIdRequest extends IpPort {
  group: string;
}

export function encodeGetServerIdRequest(req: GetServerIdRequest): Buffer {
  return encodeGroupIpPort(TrackerCmd.StorageGetServerId, req);
}

export function decodeGetServerIdRequest(body: Buffer): GetServerIdRequest {
  return decodeGroupIpPort(TrackerCmd.StorageGetServerId, body);
}

export function encodeGetServerIdResponse(storageId: string): Buffer {
  return new BufWriter(Buffer.byteLength(storageId)).bytes(storageId).finish(CommonCmd.Resp);
}

export function decodeGetServerIdResponse(body: Buffer): string {
  if (body.length === 0 || body.length >= STORAGE_ID_MAX_SIZE) {
    throw new ProtocolError(`GET_SERVER_ID response of ${body.length} bytes`);
  }
  return body.toString('utf8');
}

/** group[16] + "ip:port" text: the request of 70 and 71. */
export function encodeGroupIpPort(cmd: number, req: { group: string } & IpPort): Buffer {
  const text = formatIpPort(req.ip, req.port);
  if (text.length > MAX_IP_PORT_SIZE) throw einval(`ip:port "${text}" too long`, cmd);
  return new BufWriter(GROUP_NAME_MAX_LEN + text.length).fixed(req.group, GROUP_NAME_MAX_LEN).bytes(text).finish(cmd);
}

export function decodeGroupIpPort(cmd: number, body: Buffer): { group: string } & IpPort {
  if (body.length <= GROUP_NAME_MAX_LEN || body.length > GROUP_NAME_MAX_LEN + MAX_IP_PORT_SIZE) {
    throw einval(`cmd ${cmd}: body of ${body.length} bytes`, cmd);
  }
  const r = new BufReader(body);
  const group = r.fixed(GROUP_NAME_MAX_LEN);
  const text = r.rest();
  const addr = parseIpPort(text);
  if (!addr) throw einval(`cmd ${cmd}: bad ip:port "${text}"`, cmd);
  return { group, ...addr };
}

// ---------------------------------------------------------------- 109 STORAGE_GET_GROUP_NAME

export interface GetGroupNameRequest {
  /** Absent: the tracker uses the connection's peer address. */
  ip?: string;
  port: number;
}

export function encodeGetGroupNameRequest(req: GetGroupNameRequest): Buffer {
  const ip = req.ip ?? '';
  return new BufWriter(Buffer.byteLength(ip) + 4).bytes(ip).i32(req.port).finish(TrackerCmd.StorageGetGroupName);
}

export function decodeGetGroupNameRequest(body: Buffer): GetGroupNameRequest {
  if (body.length < 4) throw einval(`GET_GROUP_NAME body of ${body.length} bytes`, TrackerCmd.StorageGetGroupName);
  const port = body.readInt32BE(body.length - 4);
  if (body.length === 4) return { port };
  const ip = new BufReader(body.subarray(0, body.length - 4)).fixed(body.length - 4);
  if (Buffer.byteLength(ip) >= IP_ADDRESS_SIZE) {
    throw new StatusError(Errno.ENAMETOOLONG, `GET_GROUP_NAME ip "${ip}" too long`, TrackerCmd.StorageGetGroupName);
  }
  return { ip, port };
}

export function encodeGetGroupNameResponse(group: string): Buffer {
  return new BufWriter(GROUP_NAME_MAX_LEN).fixed(group, GROUP_NAME_MAX_LEN).finish(CommonCmd.Resp);
}

export function decodeGetGroupNameResponse(body: Buffer): string {
  if (body.length !== SIZES.getGroupNameResponse) throw new ProtocolError(`GET_GROUP_NAME response of ${body.length} bytes`);
  return new BufReader(body).fixed(GROUP_NAME_MAX_LEN);
}

// ---------------------------------------------------------------- 69 STORAGE_FETCH_STORAGE_IDS

export interface FetchStorageIdsRequest {
  startIndex: number;
  /** Answer 8 zero bytes instead of EOPNOTSUPP when storage ids are off. */
  allowEmpty: boolean;
}

export function encodeFetchStorageIdsRequest(req: FetchStorageIdsRequest): Buffer {
  return new BufWriter(SIZES.fetchStorageIdsRequest)
    .i32(req.startIndex).u8(req.allowEmpty ? 1 : 0).finish(TrackerCmd.StorageFetchStorageIds);
}

export function decodeFetchStorageIdsRequest(body: Buffer): FetchStorageIdsRequest {
  const cmd = TrackerCmd.StorageFetchStorageIds;
  if (body.length !== SIZES.fetchStorageIdsRequest) throw einval(`FETCH_STORAGE_IDS body of ${body.length} bytes`, cmd);
  const r = new BufReader(body);
  const req = { startIndex: r.i32(), allowEmpty: r.u8() !== 0 };
  if (req.startIndex < 0) throw einval(`FETCH_STORAGE_IDS start_index ${req.startIndex}`, cmd);
  return req;
}

/** One storage_ids.conf entry as sent by 69. */
export interface StorageIdEntry {
  id: string;
  group: string;
  /** "ip[:port]", "ip1,ip2[:port]" or "[ipv6][:port]" as configured. */
  host: string;
  /** Omitted (or "both") when the storage serves reads and writes. */
  rwMode?: string;
}

export interface FetchStorageIdsResponse {
  totalCount: number;
  entries: StorageIdEntry[];
}

export function encodeFetchStorageIdsResponse(res: FetchStorageIdsResponse): Buffer {
  let text = '';
  for (const e of res.entries) {
    text += `${e.id} ${e.group} ${e.host}${e.rwMode && e.rwMode !== 'both' ? ` rw=${e.rwMode}` : ''}\n`;
  }
  return new BufWriter(SIZES.fetchStorageIdsHead + Buffer.byteLength(text))
    .i32(res.totalCount).i32(res.entries.length).bytes(text).finish(CommonCmd.Resp);
}

export function decodeFetchStorageIdsResponse(body: Buffer): FetchStorageIdsResponse {
  const r = new BufReader(body);
  const totalCount = r.i32();
  const returned = r.i32();
  const lines = r.rest().split('\n').filter((l) => l !== '');
  if (returned < 0 || returned > totalCount || lines.length !== returned) {
    throw new ProtocolError(`FETCH_STORAGE_IDS: total ${totalCount}, returned ${returned}, ${lines.length} lines`);
  }
  const entries = lines.map((line): StorageIdEntry => {
    const f = line.split(' ').filter((x) => x !== '');
    if (f.length < 3 || f.length > 4 || (f.length === 4 && !f[3]!.startsWith('rw='))) {
      throw new ProtocolError(`bad storage id line "${line}"`);
    }
    const e: StorageIdEntry = { id: f[0]!, group: f[1]!, host: f[2]! };
    if (f.length === 4) e.rwMode = f[3]!.slice(3);
    return e;
  });
  return { totalCount, entries };
}

// ---------------------------------------------------------------- 200 REPORT_HTTP_PORT (fdfs only)

/** Body: the storage's HTTP gateway port, i64 (0 = none). Response: empty. */
export function encodeReportHttpPortRequest(port: number): Buffer {
  return new BufWriter(8).i64(port).finish(TrackerCmd.FdfsStorageReportHttpPort);
}

export function decodeReportHttpPortRequest(body: Buffer): number {
  if (body.length !== 8) throw einval(`REPORT_HTTP_PORT body of ${body.length} bytes, want 8`, TrackerCmd.FdfsStorageReportHttpPort);
  const port = new BufReader(body).i64();
  if (port < 0 || port > 65535) throw einval(`bad HTTP port ${port}`, TrackerCmd.FdfsStorageReportHttpPort);
  return port;
}
