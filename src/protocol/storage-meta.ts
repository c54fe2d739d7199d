// Client ↔ storage metadata commands (spec §5.7): 13 SET_METADATA and 15 GET_METADATA, requests and
// responses; the metadata text itself is encoded by metadata.ts.
//
// 13 request: 0 filename_len i64 (1…127)  8 meta_size i64 (= pkg_len − 33 − filename_len)
//             16 op_flag u8 'O' (0x4F) overwrite / 'M' (0x4D) merge  17 group[16]  33 name  33+n metadata
//    response: empty
// 15 request: 0 group[16]  16 name          response: the stored metadata text (sorted by key)
// Encoders return whole packets (header + body); decoders take the body.
import { einval } from '../errors.js';
import { BufReader, BufWriter } from './buf.js';
import { CommonCmd, GROUP_NAME_MAX_LEN, MAX_LOGIC_FILENAME_LEN, StorageCmd } from './codes.js';
import { defineCommand } from './command.js';
import { decodeMetadata, encodeMetadata, type Metadata, type MetadataInput } from './metadata.js';
import { decodeGroupFileRequest, encodeGroupFileRequest, type GroupFile } from './storage-file.js';

export const SIZES = {
  setMetadataHead: 33,
  maxName: MAX_LOGIC_FILENAME_LEN - 1,
} as const;

export const MetadataOp = { Overwrite: 'O', Merge: 'M' } as const;
export type MetadataOpFlag = (typeof MetadataOp)[keyof typeof MetadataOp];

export interface SetMetadataRequest extends GroupFile {
  op: MetadataOpFlag;
  /** Records to encode (sorted by key), or already encoded metadata text sent as is. */
  metadata: MetadataInput | Buffer;
}

export interface DecodedSetMetadata extends GroupFile {
  op: MetadataOpFlag;
  /** The metadata text as received. */
  raw: Buffer;
  metadata: Metadata;
}

export function encodeSetMetadataRequest(req: SetMetadataRequest): Buffer {
  if (req.op !== MetadataOp.Overwrite && req.op !== MetadataOp.Merge) throw einval(`bad op flag "${req.op}"`, StorageCmd.SetMetadata);
  const group = Buffer.byteLength(req.group);
  if (group < 1 || group > GROUP_NAME_MAX_LEN) throw einval(`bad group name "${req.group}"`, StorageCmd.SetMetadata);
  const n = Buffer.byteLength(req.filename);
  if (n < 1 || n > SIZES.maxName) throw einval(`file name length ${n} not in 1..${SIZES.maxName}`, StorageCmd.SetMetadata);
  const meta = Buffer.isBuffer(req.metadata) ? req.metadata : encodeMetadata(req.metadata);
  return new BufWriter(SIZES.setMetadataHead + n + meta.length)
    .i64(n).i64(meta.length).u8(req.op.charCodeAt(0)).fixed(req.group, GROUP_NAME_MAX_LEN)
    .bytes(req.filename).bytes(meta).finish(StorageCmd.SetMetadata);
}

/** Server side: lengths must add up and op must be 'O' or 'M', else EINVAL. */
export function decodeSetMetadataRequest(body: Buffer): DecodedSetMetadata {
  if (body.length < SIZES.setMetadataHead) throw einval(`body length ${body.length} < ${SIZES.setMetadataHead}`, StorageCmd.SetMetadata);
  const r = new BufReader(body);
  const n = r.big64();
  const size = r.big64();
  if (n < 1n || n > BigInt(SIZES.maxName)) throw einval(`filename_len ${n} not in 1..${SIZES.maxName}`, StorageCmd.SetMetadata);
  if (size < 0n || size !== BigInt(body.length - SIZES.setMetadataHead) - n) {
    throw einval(`meta_size ${size} != body ${body.length} - 33 - ${n}`, StorageCmd.SetMetadata);
  }
  const flag = String.fromCharCode(r.u8());
  if (flag !== MetadataOp.Overwrite && flag !== MetadataOp.Merge) throw einval(`bad op flag 0x${flag.charCodeAt(0).toString(16)}`, StorageCmd.SetMetadata);
  const group = r.fixed(GROUP_NAME_MAX_LEN);
  const filename = r.bytes(Number(n)).toString('utf8');
  const raw = r.restBytes();
  return { op: flag, group, filename, raw, metadata: decodeMetadata(raw) };
}

export function encodeGetMetadataRequest(f: GroupFile): Buffer {
  return encodeGroupFileRequest(StorageCmd.GetMetadata, f);
}

export function decodeGetMetadataRequest(body: Buffer): GroupFile {
  return decodeGroupFileRequest(StorageCmd.GetMetadata, body);
}

/** The body is the sidecar text as stored; records are (re-)encoded sorted when not given as bytes. */
export function encodeGetMetadataResponse(metadata: MetadataInput | Buffer): Buffer {
  const meta = Buffer.isBuffer(metadata) ? metadata : encodeMetadata(metadata);
  return new BufWriter(meta.length).bytes(meta).finish(CommonCmd.Resp);
}

export function decodeGetMetadataResponse(body: Buffer): Metadata {
  return decodeMetadata(body);
}

// ---- Command descriptors (protocol/command.ts)

export const StorageMetaCommands = {
  SetMetadata: defineCommand({
    cmd: StorageCmd.SetMetadata, name: 'SET_METADATA', headSize: SIZES.setMetadataHead, streamed: false,
    nameLen: { at: 0, min: 1, max: SIZES.maxName },
    encode: encodeSetMetadataRequest, decode: (b) => decodeSetMetadataRequest(b),
  }),
  GetMetadata: defineCommand({
    cmd: StorageCmd.GetMetadata, name: 'GET_METADATA', headSize: GROUP_NAME_MAX_LEN + 1, streamed: false,
    encode: encodeGetMetadataRequest, decode: (b) => decodeGetMetadataRequest(b),
  }),
} as const;
