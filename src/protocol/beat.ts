// Storage → tracker heartbeat codecs: 83 BEAT, 84 REPORT_DISK_USAGE, 89 SYNC_REPORT, the change-notification
// answer all three share, and the 67-byte storage brief used there and by 71/76/85 (spec §8.5).
//
// 83 BEAT request: empty, or the 348-byte stat block (layout and codec in tracker-list.ts)
// 84 REPORT_DISK_USAGE request: store_path_count × 16
//   0   8  total_mb i64
//   8   8  free_mb i64
// 89 SYNC_REPORT request: n × 20 (every member as this storage knows it, itself included with 0)
//   0  16  storage_id
//   16  4  last_synced_src_timestamp i32
// 83/84/89 response (change notification): flags u8, then 67-byte briefs in this order
//   flag 1 TRACKER_LEADER → one leader brief; flag 2 TRUNK_SERVER → one trunk brief;
//   flag 4 GROUP_SERVER → one brief per group member (sorted by id). A follower answers just 00.
// Storage brief (67)
//   0   1  status u8
//   1   4  port i32
//   5  16  id
//   21 46  ip_addr
// Encoders return whole packets (header + body), except encodeBrief (the 67 bytes alone); decoders take
// the body. Bad requests throw StatusError(EINVAL), bad responses ProtocolError.
import { BufReader, BufWriter } from './buf.js';
import { CommonCmd, IP_ADDRESS_SIZE, STAT_BLOCK_SIZE, STORAGE_BRIEF_SIZE, STORAGE_ID_MAX_SIZE, TrackerCmd } from './codes.js';
import { einval, ProtocolError } from '../errors.js';

export const SIZES = {
  statBlock: STAT_BLOCK_SIZE,
  diskUsageEntry: 16,
  syncReportEntry: 20,
  brief: STORAGE_BRIEF_SIZE,
  notifyFlags: 1,
} as const;

// ---------------------------------------------------------------- storage brief

export interface StorageBrief {
  status: number;
  /** 0 in 76 REPORT_STATUS briefs sent by 6.16.1. */
  port: number;
  id: string;
  ipAddr: string;
}

export function writeBrief(w: BufWriter, b: StorageBrief): BufWriter {
  return w.u8(b.status).i32(b.port).fixed(b.id, STORAGE_ID_MAX_SIZE).fixed(b.ipAddr, IP_ADDRESS_SIZE);
}

export function readBrief(r: BufReader): StorageBrief {
  return { status: r.u8(), port: r.i32(), id: r.fixed(STORAGE_ID_MAX_SIZE), ipAddr: r.fixed(IP_ADDRESS_SIZE) };
}

/** The 67 bytes alone (not a packet). */
export function encodeBrief(b: StorageBrief): Buffer {
  return writeBrief(new BufWriter(SIZES.brief, { header: false }), b).body();
}

export function decodeBrief(buf: Buffer): StorageBrief {
  if (buf.length !== SIZES.brief) throw new ProtocolError(`storage brief of ${buf.length} bytes, want 67`);
  return readBrief(new BufReader(buf));
}

/** The all-zero brief: "no trunk server" / "no leader". */
export function isEmptyBrief(b: StorageBrief): boolean {
  return b.id === '' && b.ipAddr === '';
}

// ---------------------------------------------------------------- 83 STORAGE_BEAT

/** Header only, or header + the 348-byte stat block (encodeStatBlock in tracker-list.ts) copied through. */
export function encodeBeatRequest(statBlock?: Buffer | null): Buffer {
  const cmd = TrackerCmd.StorageBeat;
  if (!statBlock) return new BufWriter(0).finish(cmd);
  if (statBlock.length !== SIZES.statBlock) throw einval(`stat block of ${statBlock.length} bytes, want 348`, cmd);
  return new BufWriter(SIZES.statBlock).bytes(statBlock).finish(cmd);
}

/** null for an empty beat; the raw stat block otherwise (decodeStatBlock reads it). Other lengths → EINVAL. */
export function decodeBeatRequest(body: Buffer): Buffer | null {
  if (body.length === 0) return null;
  if (body.length !== SIZES.statBlock) throw einval(`BEAT body of ${body.length} bytes, want 0 or 348`, TrackerCmd.StorageBeat);
  return body;
}

// ---------------------------------------------------------------- 84 REPORT_DISK_USAGE

export interface DiskUsage {
  totalMb: number;
  freeMb: number;
}

export function encodeDiskUsageRequest(paths: DiskUsage[]): Buffer {
  const w = new BufWriter(paths.length * SIZES.diskUsageEntry);
  for (const p of paths) w.i64(p.totalMb).i64(p.freeMb);
  return w.finish(TrackerCmd.StorageReportDiskUsage);
}

/** `expectedPaths`: the store_path_count recorded at JOIN; a mismatch is EINVAL. */
export function decodeDiskUsageRequest(body: Buffer, expectedPaths?: number): DiskUsage[] {
  const cmd = TrackerCmd.StorageReportDiskUsage;
  if (body.length === 0 || body.length % SIZES.diskUsageEntry !== 0) {
    throw einval(`REPORT_DISK_USAGE body of ${body.length} bytes is not n × 16`, cmd);
  }
  const n = body.length / SIZES.diskUsageEntry;
  if (expectedPaths !== undefined && n !== expectedPaths) {
    throw einval(`REPORT_DISK_USAGE has ${n} paths, want ${expectedPaths}`, cmd);
  }
  const r = new BufReader(body);
  const out: DiskUsage[] = [];
  for (let i = 0; i < n; i++) out.push({ totalMb: r.i64(), freeMb: r.i64() });
  return out;
}

// ---------------------------------------------------------------- 89 SYNC_REPORT

export interface SyncReportEntry {
  storageId: string;
  /** Newest source timestamp received from that peer; 0 for the reporter itself. */
  timestamp: number;
}

export function encodeSyncReportRequest(entries: SyncReportEntry[]): Buffer {
  const w = new BufWriter(entries.length * SIZES.syncReportEntry);
  for (const e of entries) w.fixed(e.storageId, STORAGE_ID_MAX_SIZE).i32(e.timestamp);
  return w.finish(TrackerCmd.StorageSyncReport);
}

export function decodeSyncReportRequest(body: Buffer): SyncReportEntry[] {
  if (body.length === 0 || body.length % SIZES.syncReportEntry !== 0) {
    throw einval(`SYNC_REPORT body of ${body.length} bytes is not n × 20`, TrackerCmd.StorageSyncReport);
  }
  const r = new BufReader(body);
  const out: SyncReportEntry[] = [];
  while (r.remaining > 0) out.push({ storageId: r.fixed(STORAGE_ID_MAX_SIZE), timestamp: r.i32() });
  return out;
}

// ---------------------------------------------------------------- change notification (83/84/89 response)

export const NotifyFlag = {
  TrackerLeader: 1,
  TrunkServer: 2,
  GroupServer: 4,
} as const;

export interface ChangeNotification {
  /** Present with flag TRACKER_LEADER; an empty IP means "no leader". */
  leader?: StorageBrief;
  /** Present with flag TRUNK_SERVER; all zero if the group has none. */
  trunkServer?: StorageBrief;
  /** Present with flag GROUP_SERVER: every member, the receiver included. */
  members?: StorageBrief[];
}

/** Flags follow from which parts are present; `{}` gives the follower's single byte 00. */
export function encodeChangeNotification(n: ChangeNotification): Buffer {
  const count = (n.leader ? 1 : 0) + (n.trunkServer ? 1 : 0) + (n.members?.length ?? 0);
  const flags = (n.leader ? NotifyFlag.TrackerLeader : 0) | (n.trunkServer ? NotifyFlag.TrunkServer : 0) |
    (n.members ? NotifyFlag.GroupServer : 0);
  const w = new BufWriter(SIZES.notifyFlags + count * SIZES.brief).u8(flags);
  if (n.leader) writeBrief(w, n.leader);
  if (n.trunkServer) writeBrief(w, n.trunkServer);
  for (const b of n.members ?? []) writeBrief(w, b);
  return w.finish(CommonCmd.Resp);
}

/** An empty body is read as "no change" (flags 0). Checks `(len − 1) % 67 == 0` and the flags. */
export function decodeChangeNotification(body: Buffer): ChangeNotification & { flags: number } {
  if (body.length === 0) return { flags: 0 };
  if ((body.length - 1) % SIZES.brief !== 0) {
    throw new ProtocolError(`change notification of ${body.length} bytes is not 1 + n × 67`);
  }
  const r = new BufReader(body);
  const flags = r.u8();
  if (flags & ~(NotifyFlag.TrackerLeader | NotifyFlag.TrunkServer | NotifyFlag.GroupServer)) {
    throw new ProtocolError(`unknown change-notification flags 0x${flags.toString(16)}`);
  }
  const out: ChangeNotification & { flags: number } = { flags };
  const need = (what: string): void => {
    if (r.remaining < SIZES.brief) throw new ProtocolError(`change notification flags 0x${flags.toString(16)}: no ${what} brief`);
  };
  if (flags & NotifyFlag.TrackerLeader) { need('leader'); out.leader = readBrief(r); }
  if (flags & NotifyFlag.TrunkServer) { need('trunk server'); out.trunkServer = readBrief(r); }
  if (flags & NotifyFlag.GroupServer) {
    out.members = [];
    while (r.remaining > 0) out.members.push(readBrief(r));
  }
  if (r.remaining > 0) throw new ProtocolError(`change notification has ${r.remaining} bytes beyond its flags`);
  return out;
}
