// Client ↔ tracker "where" queries (spec §4.1, §4.2, §4.7): QUERY_STORE_* 101/104/106/107 and
// QUERY_FETCH_ONE 102 / QUERY_UPDATE 103 / QUERY_FETCH_ALL 105, requests and responses.
//
// Requests
//   101, 106  empty
//   104, 107  0 group[16]
//   102/103/105  0 group[16]  16 logical name (22 ≤ n < 128, no terminator)
// Responses (RIP = 16 or 46; the IP field is RIP−1 = 15 or 45 bytes wide)
//   101/104   0 group[16]  16 ip[RIP−1]  16+RIP−1 port i64  24+RIP−1 store_path_index u8   = 40 / 70
//   106/107   0 group[16]  then n × (ip[RIP−1] + port i64)  then store_path_index u8  = 16 + n·23|53 + 1
//   102/103   0 group[16]  16 ip[RIP−1]  16+RIP−1 port i64                             = 39 / 69
//   105       the 39/69-byte head, then (n−1) × (ip[RIP−1] + port i64)
// Encoders return whole packets (header + body); decoders take the body.
import { Errno, ProtocolError, StatusError } from '../errors.js';
import { BufReader, BufWriter } from './buf.js';
import { CommonCmd, GROUP_NAME_MAX_LEN, IPV4_ADDRESS_SIZE, IPV6_ADDRESS_SIZE, MAX_LOGIC_FILENAME_LEN, TrackerCmd } from './codes.js';

export type IpSize = typeof IPV4_ADDRESS_SIZE | typeof IPV6_ADDRESS_SIZE;

export const SIZES = {
  storeOneV4: 40,
  storeOneV6: 70,
  fetchOneV4: 39,
  fetchOneV6: 69,
  serverV4: 23,
  serverV6: 53,
  minFetchName: 22,
  maxFetchName: MAX_LOGIC_FILENAME_LEN - 1,
} as const;

export interface StorageAddr { ip: string; port: number }
export interface StoreTarget extends StorageAddr { group: string; storePathIndex: number }
export interface StoreAllTarget { group: string; servers: StorageAddr[]; storePathIndex: number }
export interface FetchTarget extends StorageAddr { group: string }
export interface FetchAllTarget { group: string; servers: StorageAddr[] }

export type QueryStoreCmd = 101 | 104 | 106 | 107;
export type QueryFetchCmd = 102 | 103 | 105;

function checkIpSize(ipSize: number): asserts ipSize is IpSize {
  if (ipSize !== IPV4_ADDRESS_SIZE && ipSize !== IPV6_ADDRESS_SIZE) throw new Error(`bad ip size ${ipSize}`);
}

function checkGroup(group: string): void {
  const n = Buffer.byteLength(group);
  if (n === 0 || n > GROUP_NAME_MAX_LEN) throw new StatusError(Errno.EINVAL, `bad group name "${group}"`);
}

function writeServer(w: BufWriter, s: StorageAddr, ipSize: IpSize): void {
  if (Buffer.byteLength(s.ip) > ipSize - 1) throw new StatusError(Errno.EINVAL, `IP "${s.ip}" too long for ${ipSize - 1} bytes`);
  w.fixed(s.ip, ipSize - 1).i64(s.port);
}

function readServer(r: BufReader, ipSize: IpSize): StorageAddr {
  return { ip: r.fixed(ipSize - 1), port: r.i64() };
}

// ---- 101 / 104 / 106 / 107 requests

/** 101/106 without a group, 104/107 with one; `all` selects the *_ALL forms. */
export function encodeQueryStoreRequest(opts: { group?: string; all?: boolean } = {}): Buffer {
  const { group, all = false } = opts;
  if (group === undefined) {
    return new BufWriter(0).finish(all ? TrackerCmd.QueryStoreWithoutGroupAll : TrackerCmd.QueryStoreWithoutGroupOne);
  }
  checkGroup(group);
  return new BufWriter(GROUP_NAME_MAX_LEN).fixed(group, GROUP_NAME_MAX_LEN)
    .finish(all ? TrackerCmd.QueryStoreWithGroupAll : TrackerCmd.QueryStoreWithGroupOne);
}

/** Server side: body must be empty (101/106) or exactly group[16] (104/107), else EINVAL. */
export function decodeQueryStoreRequest(cmd: QueryStoreCmd, body: Buffer): { group?: string; all: boolean } {
  const all = cmd === TrackerCmd.QueryStoreWithoutGroupAll || cmd === TrackerCmd.QueryStoreWithGroupAll;
  const withGroup = cmd === TrackerCmd.QueryStoreWithGroupOne || cmd === TrackerCmd.QueryStoreWithGroupAll;
  const want = withGroup ? GROUP_NAME_MAX_LEN : 0;
  if (body.length !== want) {
    throw new StatusError(Errno.EINVAL, `cmd ${cmd}: body length ${body.length} != ${want}`, cmd);
  }
  return withGroup ? { group: new BufReader(body).fixed(GROUP_NAME_MAX_LEN), all } : { all };
}

// ---- 101 / 104 responses

export function encodeQueryStoreResponse(t: StoreTarget, ipSize: IpSize): Buffer {
  checkIpSize(ipSize);
  const w = new BufWriter(ipSize === IPV4_ADDRESS_SIZE ? SIZES.storeOneV4 : SIZES.storeOneV6);
  w.fixed(t.group, GROUP_NAME_MAX_LEN);
  writeServer(w, t, ipSize);
  return w.u8(t.storePathIndex).finish(CommonCmd.Resp);
}

/** Accepts exactly 40 (IPv4) or 70 (IPv6) bytes. */
export function decodeQueryStoreResponse(body: Buffer): StoreTarget {
  let ipSize: IpSize;
  if (body.length === SIZES.storeOneV4) ipSize = IPV4_ADDRESS_SIZE;
  else if (body.length === SIZES.storeOneV6) ipSize = IPV6_ADDRESS_SIZE;
  else throw new ProtocolError(`query store response: body length ${body.length}, want 40 or 70`);
  const r = new BufReader(body);
  const group = r.fixed(GROUP_NAME_MAX_LEN);
  const { ip, port } = readServer(r, ipSize);
  return { group, ip, port, storePathIndex: r.u8() };
}

// ---- 106 / 107 responses

export function encodeQueryStoreAllResponse(t: StoreAllTarget, ipSize: IpSize): Buffer {
  checkIpSize(ipSize);
  const w = new BufWriter(GROUP_NAME_MAX_LEN + t.servers.length * (ipSize + 7) + 1);
  w.fixed(t.group, GROUP_NAME_MAX_LEN);
  for (const s of t.servers) writeServer(w, s, ipSize);
  return w.u8(t.storePathIndex).finish(CommonCmd.Resp);
}

/** Length 16 + n·23 + 1 (IPv4) or 16 + n·53 + 1 (IPv6), n ≥ 1. */
export function decodeQueryStoreAllResponse(body: Buffer): StoreAllTarget {
  const ipSize = serverListIpSize(body.length - GROUP_NAME_MAX_LEN - 1, 'query store all');
  const r = new BufReader(body);
  const group = r.fixed(GROUP_NAME_MAX_LEN);
  const servers: StorageAddr[] = [];
  while (r.remaining > 1) servers.push(readServer(r, ipSize));
  return { group, servers, storePathIndex: r.u8() };
}

function serverListIpSize(listLen: number, what: string): IpSize {
  if (listLen > 0 && listLen % SIZES.serverV4 === 0) return IPV4_ADDRESS_SIZE;
  if (listLen > 0 && listLen % SIZES.serverV6 === 0) return IPV6_ADDRESS_SIZE;
  throw new ProtocolError(`${what} response: server list of ${listLen} bytes is neither n×23 nor n×53`);
}

// ---- 102 / 103 / 105 requests

export function encodeQueryFetchRequest(cmd: QueryFetchCmd, group: string, logical: string): Buffer {
  checkGroup(group);
  const n = Buffer.byteLength(logical);
  if (n < SIZES.minFetchName || n > SIZES.maxFetchName) {
    throw new StatusError(Errno.EINVAL, `file name length ${n} not in ${SIZES.minFetchName}..${SIZES.maxFetchName}`, cmd);
  }
  return new BufWriter(GROUP_NAME_MAX_LEN + n).fixed(group, GROUP_NAME_MAX_LEN).bytes(logical).finish(cmd);
}

/** Server side: 16 + 22 ≤ length < 16 + 128, else EINVAL. */
export function decodeQueryFetchRequest(body: Buffer): { group: string; logical: string } {
  const n = body.length - GROUP_NAME_MAX_LEN;
  if (n < SIZES.minFetchName || n > SIZES.maxFetchName) {
    throw new StatusError(Errno.EINVAL, `query fetch: body length ${body.length} out of range`);
  }
  const r = new BufReader(body);
  return { group: r.fixed(GROUP_NAME_MAX_LEN), logical: r.rest() };
}

// ---- 102 / 103 / 105 responses

export function encodeQueryFetchResponse(t: FetchTarget, ipSize: IpSize): Buffer {
  return encodeQueryFetchAllResponse({ group: t.group, servers: [t] }, ipSize);
}

/** Accepts exactly 39 (IPv4) or 69 (IPv6) bytes. */
export function decodeQueryFetchResponse(body: Buffer): FetchTarget {
  if (body.length !== SIZES.fetchOneV4 && body.length !== SIZES.fetchOneV6) {
    throw new ProtocolError(`query fetch response: body length ${body.length}, want 39 or 69`);
  }
  const { group, servers } = decodeQueryFetchAllResponse(body);
  return { group, ...servers[0]! };
}

/** 105: group + every server (the first one fills the 39/69-byte head). */
export function encodeQueryFetchAllResponse(t: FetchAllTarget, ipSize: IpSize): Buffer {
  checkIpSize(ipSize);
  if (t.servers.length === 0) throw new Error('query fetch response needs at least one server');
  const w = new BufWriter(GROUP_NAME_MAX_LEN + t.servers.length * (ipSize + 7));
  w.fixed(t.group, GROUP_NAME_MAX_LEN);
  for (const s of t.servers) writeServer(w, s, ipSize);
  return w.finish(CommonCmd.Resp);
}

/** Length 16 + n·23 (IPv4) or 16 + n·53 (IPv6), n ≥ 1. */
export function decodeQueryFetchAllResponse(body: Buffer): FetchAllTarget {
  const ipSize = serverListIpSize(body.length - GROUP_NAME_MAX_LEN, 'query fetch');
  const r = new BufReader(body);
  const group = r.fixed(GROUP_NAME_MAX_LEN);
  const servers: StorageAddr[] = [];
  while (r.remaining > 0) servers.push(readServer(r, ipSize));
  return { group, servers };
}
