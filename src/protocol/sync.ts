// Storage ↔ storage replication codecs: 9 REPORT_SERVER_ID, 16/18/25/35 streamed heads, 17, 19/40, 37,
// 26 FETCH_ONE_PATH_BINLOG request and trailer (spec §9.4, §9.5, §9.8). Responses are header-only.
//
// group[16] below: 6.16.1 leaves stale bytes after the NUL in 16/18/25/35/37 — read up to the first NUL only.
// 9  REPORT_SERVER_ID (16): 0 16 storage id
// 16 SYNC_CREATE_FILE / 18 SYNC_UPDATE_FILE head (36 + name), then file_size content bytes
//    0 8 filename_len i64 · 8 8 file_size i64 · 16 4 ts i32 · 20 16 group · 36 … filename
//    (16 with header status 0x11 carries no content: "you already have it, just record it")
// 17 SYNC_DELETE_FILE (20 + name): 0 4 ts i32 · 4 16 group · 20 … filename
// 19 SYNC_CREATE_LINK / 40 SYNC_RENAME_FILE (36 + dest + src)
//    0 8 dest_len i64 · 8 8 src_len i64 · 16 4 ts i32 · 20 16 group · 36 … dest name · … src name
// 25 SYNC_APPEND_FILE / 35 SYNC_MODIFY_FILE head (44 + name), then `length` data bytes
//    0 8 filename_len i64 · 8 8 start_offset i64 · 16 8 length i64 · 24 4 ts i32 · 28 16 group · 44 … filename
// 37 SYNC_TRUNCATE_FILE (44 + name)
//    0 8 filename_len i64 · 8 8 old_file_size i64 · 16 8 new_file_size i64 · 24 4 ts i32 · 28 16 group · 44 … name
// 26 FETCH_ONE_PATH_BINLOG request (17): 0 16 group · 16 1 store_path_index u8
//    response: pkg_len 2^58, binlog text lines, then an 8-byte i64 trailer = number of text bytes, then close
// Encoders return whole packets (streamed ones: header + head, pkg_len counting the content that the caller
// streams next); decoders take the body. Bad requests throw StatusError(EINVAL), bad responses ProtocolError.
import { BufReader, BufWriter } from './buf.js';
import { defineCommand } from './command.js';
import {
  CommonCmd, GROUP_NAME_MAX_LEN, HEADER_SIZE, MAX_LOGIC_FILENAME_LEN, STORAGE_ID_MAX_SIZE, StorageCmd,
} from './codes.js';
import { encodeHeader, PKG_LEN_UNTIL_CLOSE } from './header.js';
import { einval, Errno, ProtocolError } from '../errors.js';

export const SIZES = {
  reportServerIdRequest: STORAGE_ID_MAX_SIZE,
  syncFileHeadFixed: 36,
  syncDeleteFixed: 20,
  syncLinkFixed: 36,
  syncRangeHeadFixed: 44,
  syncTruncateFixed: 44,
  fetchOnePathBinlogRequest: 17,
  fetchBinlogTrailer: 8,
} as const;

/** Header status of a 16/18 request that carries no content: "you already have it, just record it". */
export const SYNC_NO_CONTENT_STATUS = Errno.EEXIST;

/** A decoded streamed head and how many body bytes it took; the content starts at `consumed`. */
export interface Decoded<T> {
  head: T;
  consumed: number;
}

type SyncFileCmd = typeof StorageCmd.SyncCreateFile | typeof StorageCmd.SyncUpdateFile;
type SyncRangeCmd = typeof StorageCmd.SyncAppendFile | typeof StorageCmd.SyncModifyFile;
type SyncLinkCmd = typeof StorageCmd.SyncCreateLink | typeof StorageCmd.SyncRenameFile;

function nameBytes(cmd: number, name: string, what = 'filename'): Buffer {
  const b = Buffer.from(name);
  checkNameLen(cmd, b.length, what);
  return b;
}

function checkNameLen(cmd: number, len: number, what = 'filename'): void {
  if (len <= 0 || len >= MAX_LOGIC_FILENAME_LEN) throw einval(`cmd ${cmd}: ${what} length ${len} out of range 1…127`, cmd);
}

/** Header + head with pkg_len = head + `streamed` bytes the caller writes next. */
function streamedPacket(w: BufWriter, cmd: number, streamed: number, status = 0): Buffer {
  const pkt = w.finish(cmd, status);
  encodeHeader(w.length - HEADER_SIZE + streamed, cmd, status).copy(pkt, 0);
  return pkt;
}

// ---------------------------------------------------------------- 9 REPORT_SERVER_ID

export function encodeReportServerIdRequest(storageId: string): Buffer {
  return new BufWriter(SIZES.reportServerIdRequest).fixed(storageId, STORAGE_ID_MAX_SIZE).finish(StorageCmd.ReportServerId);
}

export function decodeReportServerIdRequest(body: Buffer): string {
  const cmd = StorageCmd.ReportServerId;
  if (body.length !== SIZES.reportServerIdRequest) throw einval(`REPORT_SERVER_ID body of ${body.length} bytes`, cmd);
  const id = new BufReader(body).fixed(STORAGE_ID_MAX_SIZE);
  if (!id) throw einval('REPORT_SERVER_ID with an empty id', cmd);
  return id;
}

// ---------------------------------------------------------------- 16 SYNC_CREATE_FILE / 18 SYNC_UPDATE_FILE

export interface SyncFileHead {
  /** Size of the local file (also sent by the no-content marker form). */
  fileSize: number;
  /** The binlog record's (source) timestamp. */
  timestamp: number;
  group: string;
  filename: string;
}

/**
 * Header + head of a 16/18 request; the caller then streams `fileSize` content bytes. With
 * `noContent` (16 only) the header carries status 0x11 and pkg_len covers the head alone.
 */
export function encodeSyncFileHead(cmd: SyncFileCmd, h: SyncFileHead, opts: { noContent?: boolean } = {}): Buffer {
  const name = nameBytes(cmd, h.filename);
  const w = new BufWriter(SIZES.syncFileHeadFixed + name.length)
    .i64(name.length).i64(h.fileSize).i32(h.timestamp).fixed(h.group, GROUP_NAME_MAX_LEN).bytes(name);
  return opts.noContent ? streamedPacket(w, cmd, 0, SYNC_NO_CONTENT_STATUS) : streamedPacket(w, cmd, h.fileSize);
}

/** Bytes of encodeSyncFileHead's packet for `filename` (header and head; the content follows them). */
export function syncFileHeadLength(filename: string): number {
  return HEADER_SIZE + SIZES.syncFileHeadFixed + Buffer.byteLength(filename);
}

/** null while `buf` (the start of the body) is too short to hold the whole head. */
export function decodeSyncFileHead(cmd: SyncFileCmd, buf: Buffer): Decoded<SyncFileHead> | null {
  if (buf.length < SIZES.syncFileHeadFixed) return null;
  const r = new BufReader(buf);
  const nameLen = r.i64();
  const fileSize = r.i64();
  checkNameLen(cmd, nameLen);
  if (fileSize < 0) throw einval(`negative file_size ${fileSize}`, cmd);
  const timestamp = r.i32();
  const group = r.fixed(GROUP_NAME_MAX_LEN);
  if (r.remaining < nameLen) return null;
  const filename = r.bytes(nameLen).toString('utf8');
  return { head: { fileSize, timestamp, group, filename }, consumed: r.pos };
}

// ---------------------------------------------------------------- 17 SYNC_DELETE_FILE

export interface SyncDeleteRequest {
  timestamp: number;
  group: string;
  filename: string;
}

export function encodeSyncDeleteRequest(req: SyncDeleteRequest): Buffer {
  const cmd = StorageCmd.SyncDeleteFile;
  const name = nameBytes(cmd, req.filename);
  return new BufWriter(SIZES.syncDeleteFixed + name.length)
    .i32(req.timestamp).fixed(req.group, GROUP_NAME_MAX_LEN).bytes(name).finish(cmd);
}

export function decodeSyncDeleteRequest(body: Buffer): SyncDeleteRequest {
  const cmd = StorageCmd.SyncDeleteFile;
  checkNameLen(cmd, body.length - SIZES.syncDeleteFixed);
  const r = new BufReader(body);
  return { timestamp: r.i32(), group: r.fixed(GROUP_NAME_MAX_LEN), filename: r.rest() };
}

// ---------------------------------------------------------------- 19 SYNC_CREATE_LINK / 40 SYNC_RENAME_FILE

export interface SyncLinkRequest {
  timestamp: number;
  group: string;
  /** The link (19) or the new name (40). */
  destFilename: string;
  /** The link target (19) or the old name (40). */
  srcFilename: string;
}

export function encodeSyncLinkRequest(cmd: SyncLinkCmd, req: SyncLinkRequest): Buffer {
  const dest = nameBytes(cmd, req.destFilename, 'dest filename');
  const src = nameBytes(cmd, req.srcFilename, 'src filename');
  return new BufWriter(SIZES.syncLinkFixed + dest.length + src.length)
    .i64(dest.length).i64(src.length).i32(req.timestamp).fixed(req.group, GROUP_NAME_MAX_LEN)
    .bytes(dest).bytes(src).finish(cmd);
}

/** Also reads the body a 6.16.1 receiver echoes in its successful 40 answer. */
export function decodeSyncLinkRequest(cmd: SyncLinkCmd, body: Buffer): SyncLinkRequest {
  if (body.length < SIZES.syncLinkFixed) throw einval(`cmd ${cmd}: body of ${body.length} bytes`, cmd);
  const r = new BufReader(body);
  const destLen = r.i64();
  const srcLen = r.i64();
  checkNameLen(cmd, destLen, 'dest filename');
  checkNameLen(cmd, srcLen, 'src filename');
  const timestamp = r.i32();
  const group = r.fixed(GROUP_NAME_MAX_LEN);
  if (r.remaining !== destLen + srcLen) {
    throw einval(`cmd ${cmd}: ${r.remaining} name bytes, want ${destLen} + ${srcLen}`, cmd);
  }
  return { timestamp, group, destFilename: r.bytes(destLen).toString('utf8'), srcFilename: r.rest() };
}

// ---------------------------------------------------------------- 25 SYNC_APPEND_FILE / 35 SYNC_MODIFY_FILE

export interface SyncRangeHead {
  startOffset: number;
  /** Data bytes that follow the head. */
  length: number;
  timestamp: number;
  group: string;
  filename: string;
}

/** Header + head of a 25/35 request; the caller then streams `length` bytes of the file from `startOffset`. */
export function encodeSyncRangeHead(cmd: SyncRangeCmd, h: SyncRangeHead): Buffer {
  const name = nameBytes(cmd, h.filename);
  const w = new BufWriter(SIZES.syncRangeHeadFixed + name.length)
    .i64(name.length).i64(h.startOffset).i64(h.length).i32(h.timestamp).fixed(h.group, GROUP_NAME_MAX_LEN).bytes(name);
  return streamedPacket(w, cmd, h.length);
}

/** null while `buf` is too short to hold the whole head; the data starts at `consumed`. */
export function decodeSyncRangeHead(cmd: SyncRangeCmd, buf: Buffer): Decoded<SyncRangeHead> | null {
  if (buf.length < SIZES.syncRangeHeadFixed) return null;
  const r = new BufReader(buf);
  const nameLen = r.i64();
  const startOffset = r.i64();
  const length = r.i64();
  checkNameLen(cmd, nameLen);
  if (startOffset < 0 || length < 0) throw einval(`cmd ${cmd}: bad range ${startOffset}+${length}`, cmd);
  const timestamp = r.i32();
  const group = r.fixed(GROUP_NAME_MAX_LEN);
  if (r.remaining < nameLen) return null;
  const filename = r.bytes(nameLen).toString('utf8');
  return { head: { startOffset, length, timestamp, group, filename }, consumed: r.pos };
}

// ---------------------------------------------------------------- 37 SYNC_TRUNCATE_FILE

export interface SyncTruncateRequest {
  oldFileSize: number;
  newFileSize: number;
  timestamp: number;
  group: string;
  filename: string;
}

export function encodeSyncTruncateRequest(req: SyncTruncateRequest): Buffer {
  const cmd = StorageCmd.SyncTruncateFile;
  const name = nameBytes(cmd, req.filename);
  return new BufWriter(SIZES.syncTruncateFixed + name.length)
    .i64(name.length).i64(req.oldFileSize).i64(req.newFileSize).i32(req.timestamp)
    .fixed(req.group, GROUP_NAME_MAX_LEN).bytes(name).finish(cmd);
}

export function decodeSyncTruncateRequest(body: Buffer): SyncTruncateRequest {
  const cmd = StorageCmd.SyncTruncateFile;
  if (body.length < SIZES.syncTruncateFixed) throw einval(`SYNC_TRUNCATE body of ${body.length} bytes`, cmd);
  const r = new BufReader(body);
  const nameLen = r.i64();
  const oldFileSize = r.i64();
  const newFileSize = r.i64();
  checkNameLen(cmd, nameLen);
  if (oldFileSize < 0 || newFileSize < 0) throw einval(`SYNC_TRUNCATE ${oldFileSize} → ${newFileSize}`, cmd);
  const timestamp = r.i32();
  const group = r.fixed(GROUP_NAME_MAX_LEN);
  if (r.remaining !== nameLen) throw einval(`SYNC_TRUNCATE: ${r.remaining} name bytes, want ${nameLen}`, cmd);
  return { oldFileSize, newFileSize, timestamp, group, filename: r.rest() };
}

// ---------------------------------------------------------------- 26 FETCH_ONE_PATH_BINLOG

export interface FetchOnePathBinlogRequest {
  group: string;
  storePathIndex: number;
}

export function encodeFetchOnePathBinlogRequest(req: FetchOnePathBinlogRequest): Buffer {
  return new BufWriter(SIZES.fetchOnePathBinlogRequest)
    .fixed(req.group, GROUP_NAME_MAX_LEN).u8(req.storePathIndex).finish(StorageCmd.FetchOnePathBinlog);
}

export function decodeFetchOnePathBinlogRequest(body: Buffer): FetchOnePathBinlogRequest {
  const cmd = StorageCmd.FetchOnePathBinlog;
  if (body.length !== SIZES.fetchOnePathBinlogRequest) throw einval(`FETCH_ONE_PATH_BINLOG body of ${body.length} bytes`, cmd);
  const r = new BufReader(body);
  return { group: r.fixed(GROUP_NAME_MAX_LEN), storePathIndex: r.u8() };
}

/** The answer's header: pkg_len 2^58 = "read until close". */
export function encodeFetchOnePathBinlogResponseHeader(): Buffer {
  return encodeHeader(PKG_LEN_UNTIL_CLOSE, CommonCmd.Resp, 0);
}

/** The 8 bytes that end a 26 stream: the number of text bytes before them. */
export function encodeFetchBinlogTrailer(textBytes: number): Buffer {
  return new BufWriter(SIZES.fetchBinlogTrailer, { header: false }).i64(textBytes).body();
}

/** Read the 8-byte trailer (when the text was streamed elsewhere, compare it with the bytes counted). */
export function decodeFetchBinlogTrailer(trailer: Buffer): number {
  if (trailer.length !== SIZES.fetchBinlogTrailer) throw new ProtocolError(`binlog trailer of ${trailer.length} bytes`);
  return new BufReader(trailer).i64();
}

/**
 * Split a complete 26 stream (everything after the header, up to the close) into text and trailer.
 * Throws ProtocolError when the trailer is missing or does not match (the fetch then fails with EINVAL).
 */
export function decodeFetchBinlogStream(stream: Buffer): Buffer {
  if (stream.length < SIZES.fetchBinlogTrailer) throw new ProtocolError('FETCH_ONE_PATH_BINLOG stream has no trailer');
  const textLen = stream.length - SIZES.fetchBinlogTrailer;
  const announced = stream.readBigInt64BE(textLen);
  if (announced !== BigInt(textLen)) {
    throw new ProtocolError(`FETCH_ONE_PATH_BINLOG trailer says ${announced}, got ${textLen} text bytes`);
  }
  return stream.subarray(0, textLen);
}

// ---- Command descriptors (protocol/command.ts): the heads net/request-head.ts reads for the receiver.

const NAME = { at: 0, min: 1, max: MAX_LOGIC_FILENAME_LEN - 1 };

export const SyncCommands = {
  ReportServerId: defineCommand({
    cmd: StorageCmd.ReportServerId, name: 'REPORT_SERVER_ID', headSize: SIZES.reportServerIdRequest, streamed: false,
    encode: encodeReportServerIdRequest, decode: (b) => decodeReportServerIdRequest(b),
  }),
  SyncCreateFile: defineCommand({
    cmd: StorageCmd.SyncCreateFile, name: 'SYNC_CREATE_FILE', headSize: SIZES.syncFileHeadFixed, streamed: true, nameLen: NAME,
    encode: (h: SyncFileHead) => encodeSyncFileHead(StorageCmd.SyncCreateFile, h),
    decode: (b) => decodeSyncFileHead(StorageCmd.SyncCreateFile, b)!.head,
  }),
  SyncUpdateFile: defineCommand({
    cmd: StorageCmd.SyncUpdateFile, name: 'SYNC_UPDATE_FILE', headSize: SIZES.syncFileHeadFixed, streamed: true, nameLen: NAME,
    encode: (h: SyncFileHead) => encodeSyncFileHead(StorageCmd.SyncUpdateFile, h),
    decode: (b) => decodeSyncFileHead(StorageCmd.SyncUpdateFile, b)!.head,
  }),
  SyncAppendFile: defineCommand({
    cmd: StorageCmd.SyncAppendFile, name: 'SYNC_APPEND_FILE', headSize: SIZES.syncRangeHeadFixed, streamed: true, nameLen: NAME,
    encode: (h: SyncRangeHead) => encodeSyncRangeHead(StorageCmd.SyncAppendFile, h),
    decode: (b) => decodeSyncRangeHead(StorageCmd.SyncAppendFile, b)!.head,
  }),
  SyncModifyFile: defineCommand({
    cmd: StorageCmd.SyncModifyFile, name: 'SYNC_MODIFY_FILE', headSize: SIZES.syncRangeHeadFixed, streamed: true, nameLen: NAME,
    encode: (h: SyncRangeHead) => encodeSyncRangeHead(StorageCmd.SyncModifyFile, h),
    decode: (b) => decodeSyncRangeHead(StorageCmd.SyncModifyFile, b)!.head,
  }),
  SyncDeleteFile: defineCommand({
    cmd: StorageCmd.SyncDeleteFile, name: 'SYNC_DELETE_FILE', headSize: SIZES.syncDeleteFixed, streamed: false,
    encode: encodeSyncDeleteRequest, decode: (b) => decodeSyncDeleteRequest(b),
  }),
  SyncCreateLink: defineCommand({
    cmd: StorageCmd.SyncCreateLink, name: 'SYNC_CREATE_LINK', headSize: SIZES.syncLinkFixed, streamed: false,
    encode: (r: SyncLinkRequest) => encodeSyncLinkRequest(StorageCmd.SyncCreateLink, r),
    decode: (b) => decodeSyncLinkRequest(StorageCmd.SyncCreateLink, b),
  }),
  SyncRenameFile: defineCommand({
    cmd: StorageCmd.SyncRenameFile, name: 'SYNC_RENAME_FILE', headSize: SIZES.syncLinkFixed, streamed: false,
    encode: (r: SyncLinkRequest) => encodeSyncLinkRequest(StorageCmd.SyncRenameFile, r),
    decode: (b) => decodeSyncLinkRequest(StorageCmd.SyncRenameFile, b),
  }),
  SyncTruncateFile: defineCommand({
    cmd: StorageCmd.SyncTruncateFile, name: 'SYNC_TRUNCATE_FILE', headSize: SIZES.syncTruncateFixed, streamed: false,
    encode: encodeSyncTruncateRequest, decode: (b) => decodeSyncTruncateRequest(b),
  }),
  FetchOnePathBinlog: defineCommand({
    cmd: StorageCmd.FetchOnePathBinlog, name: 'FETCH_ONE_PATH_BINLOG', headSize: SIZES.fetchOnePathBinlogRequest,
    streamed: false, encode: encodeFetchOnePathBinlogRequest, decode: (b) => decodeFetchOnePathBinlogRequest(b),
  }),
} as const;
