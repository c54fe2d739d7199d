// Storage → tracker sync coordination and housekeeping: 87/79 sync plan, 88 SYNC_NOTIFY, 86 SYNC_SRC_REQ,
// 76 REPORT_STATUS, 71 GET_STATUS, 59 CHANGE_STATUS, 85 REPLICA_CHG, 77 CHANGELOG_REQ + lines, 78 (spec §8.7).
//
// syncbody (24): 0 16 src_id · 16 8 until_timestamp i64
// 87 SYNC_DEST_REQ / 79 SYNC_DEST_QUERY: empty request; response empty (no source) or syncbody
// 88 SYNC_NOTIFY request: syncbody (24 zero bytes when the storage has no source); empty response
// 86 SYNC_SRC_REQ request (32): 0 16 group · 16 16 dest storage id; response empty or syncbody
// 76 REPORT_STATUS request (83): 0 16 group · 16 67 brief (port 0 in 6.16.1); empty response
// 71 GET_STATUS request: 0 16 group · 16 … "ip:port" text; response: one 67-byte brief
// 59 CHANGE_STATUS request (1): status u8; empty response
// 85 REPLICA_CHG request: n × 67-byte brief (1 ≤ n ≤ 32); empty response
// 77 CHANGELOG_REQ request: empty, or (32) 0 16 group · 16 16 storage id;
//    response: changelog text "timestamp group storage_id status new_id\n" (≤ 8182 bytes, may end mid-line)
// 78 REPORT_IP_CHANGED request (108): 0 16 group · 16 46 old_ip · 62 46 new_ip; empty response
// Encoders return whole packets (header + body); decoders take the body. Bad requests throw
// StatusError(EINVAL), bad responses ProtocolError.
import { BufReader, BufWriter } from './buf.js';
import {
  CommonCmd, GROUP_NAME_MAX_LEN, IP_ADDRESS_SIZE, MAX_SERVERS_EACH_GROUP, STORAGE_ID_MAX_SIZE, TrackerCmd,
} from './codes.js';
import { SIZES as BEAT_SIZES, readBrief, writeBrief, decodeBrief, type StorageBrief } from './beat.js';
import { decodeGroupIpPort, encodeGroupIpPort, type IpPort } from './join.js';
import { einval, ProtocolError } from '../errors.js';

export const SIZES = {
  syncBody: 24,
  syncSrcRequest: 32,
  reportStatusRequest: GROUP_NAME_MAX_LEN + BEAT_SIZES.brief,
  getStatusResponse: BEAT_SIZES.brief,
  changeStatusRequest: 1,
  changelogRequest: 32,
  /** Most changelog bytes the tracker sends per 77 answer. */
  changelogResponseMax: 8182,
  reportIpChangedRequest: 108,
} as const;

function checkLength(cmd: number, body: Buffer, n: number, what: string): void {
  if (body.length !== n) throw einval(`${what} body of ${body.length} bytes, want ${n}`, cmd);
}

// ---------------------------------------------------------------- syncbody: 87, 79, 86 responses, 88 request

export interface SyncPlan {
  /** Storage that pushes the old files; empty in 88 when there is none. */
  srcId: string;
  /** Bootstrap cut-off (tracker clock, seconds). */
  untilTimestamp: number;
}

function writeSyncBody(w: BufWriter, plan: SyncPlan): BufWriter {
  return w.fixed(plan.srcId, STORAGE_ID_MAX_SIZE).i64(plan.untilTimestamp);
}

function readSyncBody(body: Buffer): SyncPlan {
  const r = new BufReader(body);
  return { srcId: r.fixed(STORAGE_ID_MAX_SIZE), untilTimestamp: r.i64() };
}

/** 87 SYNC_DEST_REQ (header only; JOIN required on the connection). */
export function encodeSyncDestRequest(): Buffer {
  return new BufWriter(0).finish(TrackerCmd.StorageSyncDestReq);
}

/** 79 SYNC_DEST_QUERY (header only). */
export function encodeSyncDestQueryRequest(): Buffer {
  return new BufWriter(0).finish(TrackerCmd.StorageSyncDestQuery);
}

/** Response of 87 / 79 / 86: header only when there is nothing to sync. */
export function encodeSyncPlanResponse(plan: SyncPlan | null): Buffer {
  if (!plan) return new BufWriter(0).finish(CommonCmd.Resp);
  return writeSyncBody(new BufWriter(SIZES.syncBody), plan).finish(CommonCmd.Resp);
}

/** null for the empty answer. */
export function decodeSyncPlanResponse(body: Buffer): SyncPlan | null {
  if (body.length === 0) return null;
  if (body.length !== SIZES.syncBody) throw new ProtocolError(`sync plan of ${body.length} bytes, want 0 or 24`);
  return readSyncBody(body);
}

/** 88 always carries the 24 bytes; `srcId: ''` and 0 when the storage has no source. */
export function encodeSyncNotifyRequest(plan: SyncPlan): Buffer {
  return writeSyncBody(new BufWriter(SIZES.syncBody), plan).finish(TrackerCmd.StorageSyncNotify);
}

export function decodeSyncNotifyRequest(body: Buffer): SyncPlan {
  checkLength(TrackerCmd.StorageSyncNotify, body, SIZES.syncBody, 'SYNC_NOTIFY');
  return readSyncBody(body);
}

// ---------------------------------------------------------------- 86 SYNC_SRC_REQ

export interface SyncSrcRequest {
  group: string;
  destId: string;
}

export function encodeSyncSrcRequest(req: SyncSrcRequest): Buffer {
  return new BufWriter(SIZES.syncSrcRequest)
    .fixed(req.group, GROUP_NAME_MAX_LEN).fixed(req.destId, STORAGE_ID_MAX_SIZE).finish(TrackerCmd.StorageSyncSrcReq);
}

export function decodeSyncSrcRequest(body: Buffer): SyncSrcRequest {
  checkLength(TrackerCmd.StorageSyncSrcReq, body, SIZES.syncSrcRequest, 'SYNC_SRC_REQ');
  const r = new BufReader(body);
  return { group: r.fixed(GROUP_NAME_MAX_LEN), destId: r.fixed(STORAGE_ID_MAX_SIZE) };
}

// ---------------------------------------------------------------- 76 REPORT_STATUS

export interface ReportStatusRequest {
  group: string;
  brief: StorageBrief;
}

export function encodeReportStatusRequest(req: ReportStatusRequest): Buffer {
  const w = new BufWriter(SIZES.reportStatusRequest).fixed(req.group, GROUP_NAME_MAX_LEN);
  return writeBrief(w, req.brief).finish(TrackerCmd.StorageReportStatus);
}

export function decodeReportStatusRequest(body: Buffer): ReportStatusRequest {
  checkLength(TrackerCmd.StorageReportStatus, body, SIZES.reportStatusRequest, 'REPORT_STATUS');
  const r = new BufReader(body);
  return { group: r.fixed(GROUP_NAME_MAX_LEN), brief: readBrief(r) };
}

// ---------------------------------------------------------------- 71 STORAGE_GET_STATUS

export interface GetStatusRequest extends IpPort {
  group: string;
}

export function encodeGetStatusRequest(req: GetStatusRequest): Buffer {
  return encodeGroupIpPort(TrackerCmd.StorageGetStatus, req);
}

export function decodeGetStatusRequest(body: Buffer): GetStatusRequest {
  return decodeGroupIpPort(TrackerCmd.StorageGetStatus, body);
}

export function encodeGetStatusResponse(brief: StorageBrief): Buffer {
  return writeBrief(new BufWriter(SIZES.getStatusResponse), brief).finish(CommonCmd.Resp);
}

export function decodeGetStatusResponse(body: Buffer): StorageBrief {
  return decodeBrief(body);
}

// ---------------------------------------------------------------- 59 STORAGE_CHANGE_STATUS

export function encodeChangeStatusRequest(status: number): Buffer {
  return new BufWriter(SIZES.changeStatusRequest).u8(status).finish(TrackerCmd.StorageChangeStatus);
}

export function decodeChangeStatusRequest(body: Buffer): number {
  checkLength(TrackerCmd.StorageChangeStatus, body, SIZES.changeStatusRequest, 'CHANGE_STATUS');
  return body[0]!;
}

// ---------------------------------------------------------------- 85 STORAGE_REPLICA_CHG

export function encodeReplicaChgRequest(briefs: StorageBrief[]): Buffer {
  const cmd = TrackerCmd.StorageReplicaChg;
  if (briefs.length < 1 || briefs.length > MAX_SERVERS_EACH_GROUP) throw einval(`REPLICA_CHG with ${briefs.length} briefs`, cmd);
  const w = new BufWriter(briefs.length * BEAT_SIZES.brief);
  for (const b of briefs) writeBrief(w, b);
  return w.finish(cmd);
}

export function decodeReplicaChgRequest(body: Buffer): StorageBrief[] {
  const n = body.length / BEAT_SIZES.brief;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SERVERS_EACH_GROUP) {
    throw einval(`REPLICA_CHG body of ${body.length} bytes is not n × 67 (1 ≤ n ≤ 32)`, TrackerCmd.StorageReplicaChg);
  }
  const r = new BufReader(body);
  const out: StorageBrief[] = [];
  for (let i = 0; i < n; i++) out.push(readBrief(r));
  return out;
}

// ---------------------------------------------------------------- 77 STORAGE_CHANGELOG_REQ

export interface ChangelogRequest {
  group: string;
  storageId: string;
}

/** No argument: the header-only form used on a joined connection. */
export function encodeChangelogRequest(req?: ChangelogRequest): Buffer {
  const cmd = TrackerCmd.StorageChangelogReq;
  if (!req) return new BufWriter(0).finish(cmd);
  return new BufWriter(SIZES.changelogRequest)
    .fixed(req.group, GROUP_NAME_MAX_LEN).fixed(req.storageId, STORAGE_ID_MAX_SIZE).finish(cmd);
}

/** null for the empty form. */
export function decodeChangelogRequest(body: Buffer): ChangelogRequest | null {
  if (body.length === 0) return null;
  checkLength(TrackerCmd.StorageChangelogReq, body, SIZES.changelogRequest, 'CHANGELOG_REQ');
  const r = new BufReader(body);
  return { group: r.fixed(GROUP_NAME_MAX_LEN), storageId: r.fixed(STORAGE_ID_MAX_SIZE) };
}

export interface ChangelogEntry {
  timestamp: number;
  group: string;
  storageId: string;
  /** 4 DELETED or 3 IP_CHANGED. */
  status: number;
  /** New id for IP_CHANGED; empty for deletions (the line then ends with a space). */
  newId: string;
}

/** "timestamp group storage_id status new_id\n" — a deletion keeps the space before the newline. */
export function formatChangelogLine(e: ChangelogEntry): string {
  return `${e.timestamp} ${e.group} ${e.storageId} ${e.status} ${e.newId}\n`;
}

/** One line with or without its newline; null when it is not a changelog line. */
export function parseChangelogLine(line: string): ChangelogEntry | null {
  const f = line.replace(/\r?\n$/, '').split(' ');
  if (f.length === 4) f.push('');
  if (f.length !== 5 || !/^\d+$/.test(f[0]!) || !/^\d+$/.test(f[3]!) || !f[1] || !f[2]) return null;
  return { timestamp: Number(f[0]), group: f[1], storageId: f[2], status: Number(f[3]), newId: f[4]! };
}

/** The response carries raw changelog bytes: whole lines, or a slice of the file cut anywhere. */
export function encodeChangelogResponse(data: ChangelogEntry[] | Buffer): Buffer {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.map(formatChangelogLine).join(''));
  if (bytes.length > SIZES.changelogResponseMax) throw new Error(`changelog chunk of ${bytes.length} bytes`);
  return new BufWriter(bytes.length).bytes(bytes).finish(CommonCmd.Resp);
}

export interface ChangelogChunk {
  entries: ChangelogEntry[];
  /** Complete lines that did not parse. */
  invalid: string[];
  /** Trailing text after the last newline: the start of a line cut by the 8182-byte limit. */
  partial: string;
}

/** Parse a 77 answer; pass the previous chunk's `partial` to continue a cut line. */
export function decodeChangelogResponse(body: Buffer | string, partial = ''): ChangelogChunk {
  const text = partial + (typeof body === 'string' ? body : body.toString('utf8'));
  const lines = text.split('\n');
  const out: ChangelogChunk = { entries: [], invalid: [], partial: lines.pop()! };
  for (const l of lines) {
    if (l === '') continue;
    const e = parseChangelogLine(l);
    if (e) out.entries.push(e); else out.invalid.push(l);
  }
  return out;
}

// ---------------------------------------------------------------- 78 STORAGE_REPORT_IP_CHANGED

export interface ReportIpChangedRequest {
  group: string;
  oldIp: string;
  newIp: string;
}

export function encodeReportIpChangedRequest(req: ReportIpChangedRequest): Buffer {
  return new BufWriter(SIZES.reportIpChangedRequest)
    .fixed(req.group, GROUP_NAME_MAX_LEN).fixed(req.oldIp, IP_ADDRESS_SIZE).fixed(req.newIp, IP_ADDRESS_SIZE)
    .finish(TrackerCmd.StorageReportIpChanged);
}

export function decodeReportIpChangedRequest(body: Buffer): ReportIpChangedRequest {
  checkLength(TrackerCmd.StorageReportIpChanged, body, SIZES.reportIpChangedRequest, 'REPORT_IP_CHANGED');
  const r = new BufReader(body);
  return { group: r.fixed(GROUP_NAME_MAX_LEN), oldIp: r.fixed(IP_ADDRESS_SIZE), newIp: r.fixed(IP_ADDRESS_SIZE) };
}
