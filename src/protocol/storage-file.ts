// Client ↔ storage file commands (spec §5.1–§5.6, §5.8, §5.9): upload 11/23, slave 21, append 24,
// modify 34, truncate 36, regenerate 38, delete 12, download 14, query file info 22, create link 20.
//
// Streamed heads (content of file_size bytes follows; pkg_len = head + file_size):
//   11/23  0 store_path_index i8 (−1 = storage chooses)  1 file_size i64  9 ext[6]            head 15
//   21     0 master_len i64 (11…127)  8 file_size i64  16 prefix[16]  32 ext[6]  38 master  head 38 + n
//   24     0 name_len i64 (44…127)  8 file_size i64  16 name                                 head 16 + n
//   34     0 name_len i64 (44…127)  8 file_offset i64  16 file_size i64  24 name             head 24 + n
// Fixed bodies:
//   36     0 name_len i64  8 truncated_file_size i64  16 name                               16 + n
//   38     0 appender name (44…127)
//   12/22  0 group[16]  16 name (22: flags in the header's status byte: 1 no CRC, 2 keep silence)
//   14     0 file_offset i64  8 download_bytes i64 (0 = to end)  16 group[16]  32 name
//   20     0 master_len i64 (0…127)  8 src_len i64 (1…127)  16 sig_len i64 (≤ 64)  24 group[16]
//          40 prefix[16]  56 ext[6]  62 master, src name, signature
// Responses:
//   11/21/23/38/20  0 group[16]  16 logical name (no terminator)
//   14              the content (pkg_len bytes)
//   22              0 file_size i64  8 create_timestamp i64  16 crc32 i64 (sign-extended i32)
//                   24 source_ip[RIP]                                                       40 / 70
// Encoders return whole packets (a streamed command: header + head only); decoders take the body.
// Request decoders throw StatusError(EINVAL) exactly where the storage answers EINVAL.
import { einval, ProtocolError } from '../errors.js';
import { BufReader, BufWriter } from './buf.js';
import { encodeHeader, writeHeaderInto } from './header.js';
import {
  CommonCmd, FILE_EXT_NAME_MAX_LEN, FILE_PREFIX_MAX_LEN, GROUP_NAME_MAX_LEN, HEADER_SIZE, IPV4_ADDRESS_SIZE,
  IPV6_ADDRESS_SIZE, MAX_LOGIC_FILENAME_LEN, NORMAL_LOGIC_FILENAME_LENGTH, StorageCmd,
} from './codes.js';
import { defineCommand } from './command.js';
import { isValidExt, isValidPrefix } from './file-id.js';
import type { IpSize } from './tracker-query.js';

export const SIZES = {
  uploadHead: 15,
  slaveHead: 38,
  appendHead: 16,
  modifyHead: 24,
  truncateHead: 16,
  downloadHead: 32,
  createLinkHead: 62,
  fileInfoV4: 40,
  fileInfoV6: 70,
  maxName: MAX_LOGIC_FILENAME_LEN - 1,
  minMasterName: 11,
  minAppenderName: NORMAL_LOGIC_FILENAME_LENGTH,
  minFileInfoName: 37,
  maxSignature: 64,
} as const;

export const QueryFileInfoFlags = { NotCalcCrc32: 1, KeepSilence: 2 } as const;

export interface Decoded<T> { head: T; used: number }

function checkLen(cmd: number, what: string, n: number, min: number, max: number): void {
  if (!Number.isSafeInteger(n) || n < min || n > max) throw einval(`${what} ${n} not in ${min}..${max}`, cmd);
}

function checkName(cmd: number, name: string, min = 1): number {
  const n = Buffer.byteLength(name);
  checkLen(cmd, 'file name length', n, min, SIZES.maxName);
  return n;
}

function checkGroup(cmd: number, group: string): void {
  checkLen(cmd, 'group name length', Buffer.byteLength(group), 1, GROUP_NAME_MAX_LEN);
}

function checkExt(cmd: number, ext: string): void {
  if (!isValidExt(ext)) throw einval(`bad file extension "${ext}"`, cmd);
}

/** Finish a streamed head: pkg_len covers the head plus the content that follows. */
function finishStream(w: BufWriter, cmd: number, fileSize: number): Buffer {
  if (!Number.isSafeInteger(fileSize) || fileSize < 0) throw einval(`bad file size ${fileSize}`, cmd);
  const pkt = w.finish(cmd);
  pkt.writeBigInt64BE(BigInt(pkt.length - HEADER_SIZE + fileSize), 0);
  return pkt;
}

/** Read an i64 length/size field of a request; out of the safe range → EINVAL. */
function reqI64(cmd: number, r: BufReader, what: string): number {
  const v = r.big64();
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) throw einval(`bad ${what} ${v}`, cmd);
  return Number(v);
}

function expectContent(cmd: number, fileSize: number, pkgLen: number, head: number): void {
  if (fileSize !== pkgLen - head) throw einval(`file_size ${fileSize} != pkg_len ${pkgLen} - ${head}`, cmd);
}

// ---- 11 UPLOAD_FILE / 23 UPLOAD_APPENDER_FILE

export interface UploadHead { storePathIndex: number; fileSize: number; ext: string }

export function encodeUploadHead(cmd: 11 | 23, h: UploadHead): Buffer {
  checkExt(cmd, h.ext);
  checkLen(cmd, 'store_path_index', h.storePathIndex, -1, 255);
  const w = new BufWriter(SIZES.uploadHead).u8(h.storePathIndex).i64(h.fileSize).fixed(h.ext, FILE_EXT_NAME_MAX_LEN);
  return finishStream(w, cmd, h.fileSize);
}

/** null until `buf` holds the 15-byte head; the content starts at `used`. */
export function decodeUploadHead(cmd: 11 | 23, buf: Buffer, pkgLen: number): Decoded<UploadHead> | null {
  if (pkgLen < SIZES.uploadHead) throw einval(`pkg_len ${pkgLen} < ${SIZES.uploadHead}`, cmd);
  if (buf.length < SIZES.uploadHead) return null;
  const r = new BufReader(buf);
  const storePathIndex = r.i8();
  if (storePathIndex < -1) throw einval(`bad store_path_index ${storePathIndex}`, cmd);
  const fileSize = reqI64(cmd, r, 'file_size');
  expectContent(cmd, fileSize, pkgLen, SIZES.uploadHead);
  const ext = r.fixed(FILE_EXT_NAME_MAX_LEN);
  checkExt(cmd, ext);
  return { head: { storePathIndex, fileSize, ext }, used: SIZES.uploadHead };
}

/**
 * Response of 11, 21, 23, 38 and 20: group[16] + logical name. Written into one buffer from the pool, with no
 * writer object, BigInt or intermediate buffers: every upload answers with one.
 */
export function encodeUploadResponse(group: string, logical: string): Buffer {
  const body = GROUP_NAME_MAX_LEN + Buffer.byteLength(logical);
  const out = Buffer.allocUnsafe(HEADER_SIZE + body);
  writeHeaderInto(out, body);
  // Group names are ASCII of at most 16 bytes (isValidGroupName): no character is cut at the field's end.
  const g = out.write(group, HEADER_SIZE, GROUP_NAME_MAX_LEN);
  out.fill(0, HEADER_SIZE + g, HEADER_SIZE + GROUP_NAME_MAX_LEN);
  out.write(logical, HEADER_SIZE + GROUP_NAME_MAX_LEN);
  return out;
}

export function decodeUploadResponse(body: Buffer): { group: string; logical: string } {
  const n = body.length - GROUP_NAME_MAX_LEN;
  if (n < 1 || n > SIZES.maxName) throw new ProtocolError(`upload response: body length ${body.length}`);
  const r = new BufReader(body);
  return { group: r.fixed(GROUP_NAME_MAX_LEN), logical: r.rest() };
}

// ---- 21 UPLOAD_SLAVE_FILE

export interface SlaveUploadHead { masterFilename: string; fileSize: number; prefix: string; ext: string }

export function encodeSlaveUploadHead(h: SlaveUploadHead): Buffer {
  const cmd = StorageCmd.UploadSlaveFile;
  const n = checkName(cmd, h.masterFilename, SIZES.minMasterName);
  if (!isValidPrefix(h.prefix)) throw einval(`bad slave prefix "${h.prefix}"`, cmd);
  checkExt(cmd, h.ext);
  const w = new BufWriter(SIZES.slaveHead + n).i64(n).i64(h.fileSize).fixed(h.prefix, FILE_PREFIX_MAX_LEN)
    .fixed(h.ext, FILE_EXT_NAME_MAX_LEN).bytes(h.masterFilename);
  return finishStream(w, cmd, h.fileSize);
}

export function decodeSlaveUploadHead(buf: Buffer, pkgLen: number): Decoded<SlaveUploadHead> | null {
  const cmd = StorageCmd.UploadSlaveFile;
  if (pkgLen < SIZES.slaveHead) throw einval(`pkg_len ${pkgLen} < ${SIZES.slaveHead}`, cmd);
  if (buf.length < 16) return null;
  const r = new BufReader(buf);
  const n = reqI64(cmd, r, 'master_filename_len');
  checkLen(cmd, 'master_filename_len', n, SIZES.minMasterName, SIZES.maxName);
  const fileSize = reqI64(cmd, r, 'file_size');
  expectContent(cmd, fileSize, pkgLen, SIZES.slaveHead + n);
  if (buf.length < SIZES.slaveHead + n) return null;
  const prefix = r.fixed(FILE_PREFIX_MAX_LEN);
  if (!isValidPrefix(prefix)) throw einval(`bad slave prefix "${prefix}"`, cmd);
  const ext = r.fixed(FILE_EXT_NAME_MAX_LEN);
  checkExt(cmd, ext);
  const masterFilename = r.bytes(n).toString('utf8');
  return { head: { masterFilename, fileSize, prefix, ext }, used: SIZES.slaveHead + n };
}

// ---- 24 APPEND_FILE / 34 MODIFY_FILE

export interface AppendHead { filename: string; fileSize: number }
export interface ModifyHead { filename: string; fileOffset: number; fileSize: number }

export function encodeAppendHead(h: AppendHead): Buffer {
  const cmd = StorageCmd.AppendFile;
  const n = checkName(cmd, h.filename, SIZES.minAppenderName);
  const w = new BufWriter(SIZES.appendHead + n).i64(n).i64(h.fileSize).bytes(h.filename);
  return finishStream(w, cmd, h.fileSize);
}

export function decodeAppendHead(buf: Buffer, pkgLen: number): Decoded<AppendHead> | null {
  const cmd = StorageCmd.AppendFile;
  if (pkgLen < SIZES.appendHead) throw einval(`pkg_len ${pkgLen} < ${SIZES.appendHead}`, cmd);
  if (buf.length < SIZES.appendHead) return null;
  const r = new BufReader(buf);
  const n = reqI64(cmd, r, 'appender_filename_len');
  checkLen(cmd, 'appender_filename_len', n, SIZES.minAppenderName, SIZES.maxName);
  const fileSize = reqI64(cmd, r, 'file_size');
  expectContent(cmd, fileSize, pkgLen, SIZES.appendHead + n);
  if (buf.length < SIZES.appendHead + n) return null;
  return { head: { filename: r.bytes(n).toString('utf8'), fileSize }, used: SIZES.appendHead + n };
}

export function encodeModifyHead(h: ModifyHead): Buffer {
  const cmd = StorageCmd.ModifyFile;
  const n = checkName(cmd, h.filename, SIZES.minAppenderName);
  checkLen(cmd, 'file_offset', h.fileOffset, 0, Number.MAX_SAFE_INTEGER);
  const w = new BufWriter(SIZES.modifyHead + n).i64(n).i64(h.fileOffset).i64(h.fileSize).bytes(h.filename);
  return finishStream(w, cmd, h.fileSize);
}

export function decodeModifyHead(buf: Buffer, pkgLen: number): Decoded<ModifyHead> | null {
  const cmd = StorageCmd.ModifyFile;
  if (pkgLen < SIZES.modifyHead) throw einval(`pkg_len ${pkgLen} < ${SIZES.modifyHead}`, cmd);
  if (buf.length < SIZES.modifyHead) return null;
  const r = new BufReader(buf);
  const n = reqI64(cmd, r, 'appender_filename_len');
  checkLen(cmd, 'appender_filename_len', n, SIZES.minAppenderName, SIZES.maxName);
  const fileOffset = reqI64(cmd, r, 'file_offset');
  const fileSize = reqI64(cmd, r, 'file_size');
  expectContent(cmd, fileSize, pkgLen, SIZES.modifyHead + n);
  if (buf.length < SIZES.modifyHead + n) return null;
  return { head: { filename: r.bytes(n).toString('utf8'), fileOffset, fileSize }, used: SIZES.modifyHead + n };
}

// ---- 36 TRUNCATE_FILE / 38 REGENERATE_APPENDER_FILENAME

export interface TruncateRequest { filename: string; truncatedFileSize: number }

export function encodeTruncateRequest(t: TruncateRequest): Buffer {
  const cmd = StorageCmd.TruncateFile;
  const n = checkName(cmd, t.filename, SIZES.minAppenderName);
  checkLen(cmd, 'truncated_file_size', t.truncatedFileSize, 0, Number.MAX_SAFE_INTEGER);
  return new BufWriter(SIZES.truncateHead + n).i64(n).i64(t.truncatedFileSize).bytes(t.filename).finish(cmd);
}

export function decodeTruncateRequest(body: Buffer): TruncateRequest {
  const cmd = StorageCmd.TruncateFile;
  if (body.length < SIZES.truncateHead) throw einval(`body length ${body.length} < ${SIZES.truncateHead}`, cmd);
  const r = new BufReader(body);
  const n = reqI64(cmd, r, 'appender_filename_len');
  checkLen(cmd, 'appender_filename_len', n, SIZES.minAppenderName, SIZES.maxName);
  if (body.length !== SIZES.truncateHead + n) throw einval(`body length ${body.length} != 16 + ${n}`, cmd);
  const truncatedFileSize = reqI64(cmd, r, 'truncated_file_size');
  return { filename: r.rest(), truncatedFileSize };
}

export function encodeRegenerateRequest(filename: string): Buffer {
  const cmd = StorageCmd.RegenerateAppenderFilename;
  checkName(cmd, filename, SIZES.minAppenderName);
  return new BufWriter(Buffer.byteLength(filename)).bytes(filename).finish(cmd);
}

export function decodeRegenerateRequest(body: Buffer): { filename: string } {
  const cmd = StorageCmd.RegenerateAppenderFilename;
  checkLen(cmd, 'file name length', body.length, SIZES.minAppenderName, SIZES.maxName);
  return { filename: body.toString('utf8') };
}

// ---- group + name bodies: 12 DELETE_FILE, 22 QUERY_FILE_INFO (15 GET_METADATA in storage-meta)

export interface GroupFile { group: string; filename: string }

/** group[16] + name; `status` is the request header's status byte (22 flags). */
export function encodeGroupFileRequest(cmd: number, f: GroupFile, status = 0, minName = 1): Buffer {
  checkGroup(cmd, f.group);
  const n = checkName(cmd, f.filename, minName);
  return new BufWriter(GROUP_NAME_MAX_LEN + n).fixed(f.group, GROUP_NAME_MAX_LEN).bytes(f.filename).finish(cmd, status);
}

export function decodeGroupFileRequest(cmd: number, body: Buffer, minName = 1): GroupFile {
  checkLen(cmd, 'file name length', body.length - GROUP_NAME_MAX_LEN, minName, SIZES.maxName);
  const r = new BufReader(body);
  return { group: r.fixed(GROUP_NAME_MAX_LEN), filename: r.rest() };
}

export function encodeDeleteFileRequest(f: GroupFile): Buffer {
  return encodeGroupFileRequest(StorageCmd.DeleteFile, f);
}

export function decodeDeleteFileRequest(body: Buffer): GroupFile {
  return decodeGroupFileRequest(StorageCmd.DeleteFile, body);
}

export interface QueryFileInfoRequest extends GroupFile { notCalcCrc32?: boolean; keepSilence?: boolean }

export function encodeQueryFileInfoRequest(q: QueryFileInfoRequest): Buffer {
  const flags = (q.notCalcCrc32 ? QueryFileInfoFlags.NotCalcCrc32 : 0) | (q.keepSilence ? QueryFileInfoFlags.KeepSilence : 0);
  return encodeGroupFileRequest(StorageCmd.QueryFileInfo, q, flags, SIZES.minFileInfoName);
}

/** `status` = the request header's status byte, which carries the flags. */
export function decodeQueryFileInfoRequest(body: Buffer, status: number): Required<QueryFileInfoRequest> {
  const f = decodeGroupFileRequest(StorageCmd.QueryFileInfo, body, SIZES.minFileInfoName);
  return {
    ...f,
    notCalcCrc32: (status & QueryFileInfoFlags.NotCalcCrc32) !== 0,
    keepSilence: (status & QueryFileInfoFlags.KeepSilence) !== 0,
  };
}

export interface FileInfo { fileSize: number; createTimestamp: number; crc32: number; sourceIp: string }

/** crc32 (an unsigned 32-bit value) goes out sign-extended to i64, as stock storages send it. */
export function encodeQueryFileInfoResponse(info: FileInfo, ipSize: IpSize): Buffer {
  if (ipSize !== IPV4_ADDRESS_SIZE && ipSize !== IPV6_ADDRESS_SIZE) throw new Error(`bad ip size ${ipSize}`);
  return new BufWriter(ipSize === IPV4_ADDRESS_SIZE ? SIZES.fileInfoV4 : SIZES.fileInfoV6)
    .i64(info.fileSize).i64(info.createTimestamp).i64(BigInt.asIntN(32, BigInt(info.crc32 >>> 0)))
    .fixed(info.sourceIp, ipSize).finish(CommonCmd.Resp);
}

/** Accepts 40 (IPv4) or 70 (IPv6) bytes; crc32 is the low 32 bits, unsigned. */
export function decodeQueryFileInfoResponse(body: Buffer): FileInfo {
  let ipSize: number;
  if (body.length === SIZES.fileInfoV4) ipSize = IPV4_ADDRESS_SIZE;
  else if (body.length === SIZES.fileInfoV6) ipSize = IPV6_ADDRESS_SIZE;
  else throw new ProtocolError(`query file info response: body length ${body.length}, want 40 or 70`);
  const r = new BufReader(body);
  const fileSize = r.i64();
  const createTimestamp = r.i64();
  const crc32 = Number(BigInt.asUintN(32, r.big64()));
  return { fileSize, createTimestamp, crc32, sourceIp: r.fixed(ipSize) };
}

// ---- 14 DOWNLOAD_FILE

export interface DownloadRequest extends GroupFile {
  fileOffset: number;
  /** 0 = to the end of the file. */
  downloadBytes: number;
}

export function encodeDownloadRequest(d: DownloadRequest): Buffer {
  const cmd = StorageCmd.DownloadFile;
  checkGroup(cmd, d.group);
  const n = checkName(cmd, d.filename);
  checkLen(cmd, 'file_offset', d.fileOffset, 0, Number.MAX_SAFE_INTEGER);
  checkLen(cmd, 'download_bytes', d.downloadBytes, 0, Number.MAX_SAFE_INTEGER);
  return new BufWriter(SIZES.downloadHead + n).i64(d.fileOffset).i64(d.downloadBytes)
    .fixed(d.group, GROUP_NAME_MAX_LEN).bytes(d.filename).finish(cmd);
}

export function decodeDownloadRequest(body: Buffer): DownloadRequest {
  const cmd = StorageCmd.DownloadFile;
  checkLen(cmd, 'file name length', body.length - SIZES.downloadHead, 1, SIZES.maxName);
  const r = new BufReader(body);
  const fileOffset = reqI64(cmd, r, 'file_offset');
  const downloadBytes = reqI64(cmd, r, 'download_bytes');
  return { fileOffset, downloadBytes, group: r.fixed(GROUP_NAME_MAX_LEN), filename: r.rest() };
}

/** The download answer is a header announcing `length` content bytes, then the streamed content. */
export function encodeDownloadResponseHead(length: number): Buffer {
  return encodeHeader(length, CommonCmd.Resp, 0);
}

// ---- 20 CREATE_LINK

export interface CreateLinkRequest {
  /** '' for a non-slave link. */
  masterFilename: string;
  srcFilename: string;
  srcFileSig: Buffer;
  group: string;
  prefix: string;
  ext: string;
}

export function encodeCreateLinkRequest(c: CreateLinkRequest): Buffer {
  const cmd = StorageCmd.CreateLink;
  checkGroup(cmd, c.group);
  const m = c.masterFilename ? checkName(cmd, c.masterFilename) : 0;
  const s = checkName(cmd, c.srcFilename);
  checkLen(cmd, 'src_file_sig_len', c.srcFileSig.length, 0, SIZES.maxSignature);
  if (c.prefix && !isValidPrefix(c.prefix)) throw einval(`bad prefix "${c.prefix}"`, cmd);
  checkExt(cmd, c.ext);
  return new BufWriter(SIZES.createLinkHead + m + s + c.srcFileSig.length)
    .i64(m).i64(s).i64(c.srcFileSig.length).fixed(c.group, GROUP_NAME_MAX_LEN).fixed(c.prefix, FILE_PREFIX_MAX_LEN)
    .fixed(c.ext, FILE_EXT_NAME_MAX_LEN).bytes(c.masterFilename).bytes(c.srcFilename).bytes(c.srcFileSig).finish(cmd);
}

export function decodeCreateLinkRequest(body: Buffer): CreateLinkRequest {
  const cmd = StorageCmd.CreateLink;
  if (body.length < SIZES.createLinkHead) throw einval(`body length ${body.length} < ${SIZES.createLinkHead}`, cmd);
  const r = new BufReader(body);
  const m = reqI64(cmd, r, 'master_filename_len');
  const s = reqI64(cmd, r, 'src_filename_len');
  const g = reqI64(cmd, r, 'src_file_sig_len');
  checkLen(cmd, 'master_filename_len', m, 0, SIZES.maxName);
  checkLen(cmd, 'src_filename_len', s, 1, SIZES.maxName);
  checkLen(cmd, 'src_file_sig_len', g, 0, SIZES.maxSignature);
  if (body.length !== SIZES.createLinkHead + m + s + g) throw einval(`body length ${body.length} mismatch`, cmd);
  const group = r.fixed(GROUP_NAME_MAX_LEN);
  const prefix = r.fixed(FILE_PREFIX_MAX_LEN);
  const ext = r.fixed(FILE_EXT_NAME_MAX_LEN);
  if (prefix && !isValidPrefix(prefix)) throw einval(`bad prefix "${prefix}"`, cmd);
  checkExt(cmd, ext);
  return {
    masterFilename: r.bytes(m).toString('utf8'),
    srcFilename: r.bytes(s).toString('utf8'),
    srcFileSig: Buffer.from(r.bytes(g)),
    group, prefix, ext,
  };
}

// ---- Command descriptors (protocol/command.ts): the heads net/request-head.ts reads for the storage.

const NAME = { at: 0, min: SIZES.minAppenderName, max: SIZES.maxName };

export const StorageFileCommands = {
  UploadFile: defineCommand({
    cmd: StorageCmd.UploadFile, name: 'UPLOAD_FILE', headSize: SIZES.uploadHead, streamed: true,
    encode: (h: UploadHead) => encodeUploadHead(StorageCmd.UploadFile, h),
    decode: (b, pkgLen) => decodeUploadHead(StorageCmd.UploadFile, b, pkgLen)!.head,
  }),
  UploadAppenderFile: defineCommand({
    cmd: StorageCmd.UploadAppenderFile, name: 'UPLOAD_APPENDER_FILE', headSize: SIZES.uploadHead, streamed: true,
    encode: (h: UploadHead) => encodeUploadHead(StorageCmd.UploadAppenderFile, h),
    decode: (b, pkgLen) => decodeUploadHead(StorageCmd.UploadAppenderFile, b, pkgLen)!.head,
  }),
  UploadSlaveFile: defineCommand({
    cmd: StorageCmd.UploadSlaveFile, name: 'UPLOAD_SLAVE_FILE', headSize: SIZES.slaveHead, streamed: true,
    nameLen: { at: 0, min: SIZES.minMasterName, max: SIZES.maxName },
    encode: encodeSlaveUploadHead, decode: (b, pkgLen) => decodeSlaveUploadHead(b, pkgLen)!.head,
  }),
  AppendFile: defineCommand({
    cmd: StorageCmd.AppendFile, name: 'APPEND_FILE', headSize: SIZES.appendHead, streamed: true, nameLen: NAME,
    encode: encodeAppendHead, decode: (b, pkgLen) => decodeAppendHead(b, pkgLen)!.head,
  }),
  ModifyFile: defineCommand({
    cmd: StorageCmd.ModifyFile, name: 'MODIFY_FILE', headSize: SIZES.modifyHead, streamed: true, nameLen: NAME,
    encode: encodeModifyHead, decode: (b, pkgLen) => decodeModifyHead(b, pkgLen)!.head,
  }),
  TruncateFile: defineCommand({
    cmd: StorageCmd.TruncateFile, name: 'TRUNCATE_FILE', headSize: SIZES.truncateHead, streamed: false, nameLen: NAME,
    encode: encodeTruncateRequest, decode: (b) => decodeTruncateRequest(b),
  }),
  RegenerateAppenderFilename: defineCommand({
    cmd: StorageCmd.RegenerateAppenderFilename, name: 'REGENERATE_APPENDER_FILENAME', headSize: SIZES.minAppenderName,
    streamed: false, encode: encodeRegenerateRequest, decode: (b) => decodeRegenerateRequest(b),
  }),
  DeleteFile: defineCommand({
    cmd: StorageCmd.DeleteFile, name: 'DELETE_FILE', headSize: GROUP_NAME_MAX_LEN + 1, streamed: false,
    encode: encodeDeleteFileRequest, decode: (b) => decodeDeleteFileRequest(b),
  }),
  QueryFileInfo: defineCommand({
    cmd: StorageCmd.QueryFileInfo, name: 'QUERY_FILE_INFO', headSize: GROUP_NAME_MAX_LEN + SIZES.minFileInfoName, streamed: false,
    encode: encodeQueryFileInfoRequest, decode: (b, _pkgLen, status) => decodeQueryFileInfoRequest(b, status),
  }),
  DownloadFile: defineCommand({
    cmd: StorageCmd.DownloadFile, name: 'DOWNLOAD_FILE', headSize: SIZES.downloadHead + 1, streamed: false,
    encode: encodeDownloadRequest, decode: (b) => decodeDownloadRequest(b),
  }),
  CreateLink: defineCommand({
    cmd: StorageCmd.CreateLink, name: 'CREATE_LINK', headSize: SIZES.createLinkHead, streamed: false,
    encode: encodeCreateLinkRequest, decode: (b) => decodeCreateLinkRequest(b),
  }),
} as const;
