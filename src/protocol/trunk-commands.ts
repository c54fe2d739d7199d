// Trunk-file commands (spec §8.8). Storage → tracker: 72 FETCH_TRUNK_FID (answer i32), 73 REPORT_TRUNK_FID
// (i32), 74 REPORT_TRUNK_FREE (i64 MB). Storage → trunk server: 27 ALLOC_SPACE `group[16] size i32 path u8`,
// 28 ALLOC_CONFIRM / 29 FREE_SPACE `group[16]` + the 15-byte trunk info
//   0 store_path_index u8  1 sub_path_high u8  2 sub_path_low u8  3 file_id i32  7 offset i32  11 size i32
import { einval } from '../errors.js';
import { BufReader, BufWriter, cstr } from './buf.js';
import { CommonCmd, GROUP_NAME_MAX_LEN, StorageCmd, TrackerCmd } from './codes.js';
import { defineCommand } from './command.js';

export const TRUNK_INFO_SIZE = 15;

export interface TrunkInfo {
  storePathIndex: number;
  subHigh: number;
  subLow: number;
  fileId: number;
  offset: number;
  size: number;
}

function exact(body: Buffer, n: number, what: string): void {
  if (body.length !== n) throw einval(`${what}: body of ${body.length} bytes, expected ${n}`);
}

/** A packet (header included) whose body is the i32 trunk file id: 73's request, 72's answer (cmd 100). */
export function encodeTrunkFid(id: number, cmd: number = CommonCmd.Resp): Buffer {
  return new BufWriter(4).i32(id).finish(cmd);
}

export function decodeTrunkFid(body: Buffer): number {
  exact(body, 4, 'trunk file id');
  const id = new BufReader(body).i32();
  if (id < 0) throw einval(`negative trunk file id ${id}`);
  return id;
}

export function encodeTrunkFreeMb(mb: number): Buffer {
  return new BufWriter(8).i64(mb).finish(TrackerCmd.StorageReportTrunkFree);
}

export function decodeTrunkFreeMb(body: Buffer): number {
  exact(body, 8, 'trunk free space');
  return new BufReader(body).i64();
}

export function encodeTrunkInfo(t: TrunkInfo): Buffer {
  return new BufWriter(TRUNK_INFO_SIZE, { header: false }).u8(t.storePathIndex).u8(t.subHigh).u8(t.subLow)
    .i32(t.fileId).i32(t.offset).i32(t.size).body();
}

export function decodeTrunkInfo(body: Buffer): TrunkInfo {
  exact(body, TRUNK_INFO_SIZE, 'trunk info');
  const r = new BufReader(body);
  return { storePathIndex: r.u8(), subHigh: r.u8(), subLow: r.u8(), fileId: r.i32(), offset: r.i32(), size: r.i32() };
}


export interface TrunkAllocRequest { group: string; size: number; storePathIndex: number }
export interface TrunkSlotRequest { group: string; slot: TrunkInfo }

const GROUP = GROUP_NAME_MAX_LEN;

export function encodeTrunkAllocRequest(r: TrunkAllocRequest): Buffer {
  return new BufWriter(GROUP + 5).fixed(r.group, GROUP).i32(r.size).u8(r.storePathIndex).finish(StorageCmd.TrunkAllocSpace);
}

export function decodeTrunkAllocRequest(body: Buffer): TrunkAllocRequest {
  exact(body, GROUP + 5, 'TRUNK_ALLOC_SPACE');
  const r = new BufReader(body);
  const group = cstr(r.bytes(GROUP));
  const size = r.i32();
  if (size <= 0) throw einval(`bad trunk space size ${size}`);
  return { group, size, storePathIndex: r.u8() };
}

/** 28 / 29: the group and the slot. */
export function encodeTrunkSlotRequest(cmd: number, r: TrunkSlotRequest): Buffer {
  return new BufWriter(GROUP + TRUNK_INFO_SIZE).fixed(r.group, GROUP).bytes(encodeTrunkInfo(r.slot)).finish(cmd);
}

export function decodeTrunkSlotRequest(body: Buffer): TrunkSlotRequest {
  exact(body, GROUP + TRUNK_INFO_SIZE, 'trunk slot request');
  return { group: cstr(body.subarray(0, GROUP)), slot: decodeTrunkInfo(body.subarray(GROUP)) };
}

export const TrunkCommands = {
  AllocSpace: defineCommand({
    cmd: StorageCmd.TrunkAllocSpace, name: 'TRUNK_ALLOC_SPACE', headSize: GROUP + 5, maxBody: GROUP + 5, streamed: false,
    encode: encodeTrunkAllocRequest, decode: (b) => decodeTrunkAllocRequest(b),
  }),
  AllocConfirm: defineCommand({
    cmd: StorageCmd.TrunkAllocConfirm, name: 'TRUNK_ALLOC_CONFIRM', headSize: GROUP + TRUNK_INFO_SIZE, maxBody: GROUP + TRUNK_INFO_SIZE,
    streamed: false, encode: (r: TrunkSlotRequest) => encodeTrunkSlotRequest(StorageCmd.TrunkAllocConfirm, r), decode: (b) => decodeTrunkSlotRequest(b),
  }),
  FreeSpace: defineCommand({
    cmd: StorageCmd.TrunkFreeSpace, name: 'TRUNK_FREE_SPACE', headSize: GROUP + TRUNK_INFO_SIZE, maxBody: GROUP + TRUNK_INFO_SIZE,
    streamed: false, encode: (r: TrunkSlotRequest) => encodeTrunkSlotRequest(StorageCmd.TrunkFreeSpace, r), decode: (b) => decodeTrunkSlotRequest(b),
  }),
};

export function encodeTruncateTrunkBinlog(): Buffer {
  return new BufWriter(0).finish(StorageCmd.TrunkTruncateBinlogFile);
}

/** 30–33: the trunk server keeps the other members' copy of its trunk binlog (raw lines, or no body). */
export const TrunkBinlogCommands = {
  SyncBinlog: defineCommand({
    cmd: StorageCmd.TrunkSyncBinlog, name: 'TRUNK_SYNC_BINLOG', headSize: 0, streamed: false,
    encode: (lines: Buffer) => new BufWriter(lines.length).bytes(lines).finish(StorageCmd.TrunkSyncBinlog), decode: (b) => b,
  }),
  GetBinlogSize: defineCommand({
    cmd: StorageCmd.TrunkGetBinlogSize, name: 'TRUNK_GET_BINLOG_SIZE', headSize: 0, maxBody: 0, streamed: false,
    encode: () => new BufWriter(0).finish(StorageCmd.TrunkGetBinlogSize), decode: () => null,
  }),
  DeleteBinlogMarks: defineCommand({
    cmd: StorageCmd.TrunkDeleteBinlogMarks, name: 'TRUNK_DELETE_BINLOG_MARKS', headSize: 0, maxBody: 0, streamed: false,
    encode: () => new BufWriter(0).finish(StorageCmd.TrunkDeleteBinlogMarks), decode: () => null,
  }),
  TruncateBinlogFile: defineCommand({
    cmd: StorageCmd.TrunkTruncateBinlogFile, name: 'TRUNK_TRUNCATE_BINLOG_FILE', headSize: 0, maxBody: 0, streamed: false,
    encode: encodeTruncateTrunkBinlog, decode: () => null,
  }),
};
