// 120 LIST_FILES (fdfs extension; stock never sends it and answers EINVAL): the files one storage holds for
// its group, one JSON object per line, streamed with pkg_len 2^58 ("until close") and ended, like 26, by an
// 8-byte count of the text bytes so a cut stream is told from a finished one.
//
// request: group[16]  since i64 (Unix seconds, 0 = all)  limit i64 (0 = no limit)  prefix_len u8
//          prefix[prefix_len] (`Mxx`, `Mxx/HH`, `Mxx/HH/HH/ab`…)  after[rest] (resume after this name, walk order)
// answer:  header(2^58, 100, 0), lines of ListedFile JSON, i64 text byte count, close.
import { einval, ProtocolError } from '../errors.js';
import { BufReader, BufWriter } from './buf.js';
import { defineCommand } from './command.js';
import { CommonCmd, FdfsStorageCmd, GROUP_NAME_MAX_LEN, MAX_LOGIC_FILENAME_LEN } from './codes.js';
import { encodeHeader, PKG_LEN_UNTIL_CLOSE } from './header.js';

/** The metadata key the upload commands keep the uploader's file name under (listed as `filename`). */
export const ORIGINAL_NAME_KEY = 'filename';

export const LIST_FILES_HEAD = GROUP_NAME_MAX_LEN + 8 + 8 + 1;
export const LIST_FILES_TRAILER = 8;
const NAME_MAX = MAX_LOGIC_FILENAME_LEN - 1;

export interface ListFilesRequest {
  group: string;
  /** Only files whose time is at or after this (Unix seconds); 0 = all. */
  since: number;
  /** At most this many lines; 0 = all. */
  limit: number;
  /** Only names starting with this ('' = all). */
  prefix: string;
  /** Resume after this logical name (the last one of the previous page; '' = from the start). */
  after: string;
}

/** One listed file. */
export interface ListedFile {
  /** Logical name `Mxx/HH/HH/name` (the file ID without the group). */
  name: string;
  size: number;
  /** Creation time from the name (mtime for names that carry none), Unix seconds. */
  time: number;
  /** CRC-32 of the content as the name records it (8 hex digits); null for appender files, whose content changes. */
  crc32: string | null;
  /** The uploader's file name when the metadata holds one (key `filename`). */
  filename?: string;
}

export function encodeListFilesRequest(req: ListFilesRequest): Buffer {
  const cmd = FdfsStorageCmd.ListFiles;
  const prefix = Buffer.from(req.prefix);
  const after = Buffer.from(req.after);
  if (prefix.length > NAME_MAX || after.length > NAME_MAX) throw einval('LIST_FILES: prefix or resume name too long', cmd);
  return new BufWriter(LIST_FILES_HEAD + prefix.length + after.length)
    .fixed(req.group, GROUP_NAME_MAX_LEN).i64(req.since).i64(req.limit).u8(prefix.length).bytes(prefix).bytes(after)
    .finish(cmd);
}

export function decodeListFilesRequest(body: Buffer): ListFilesRequest {
  const cmd = FdfsStorageCmd.ListFiles;
  if (body.length < LIST_FILES_HEAD || body.length > LIST_FILES_HEAD + 2 * NAME_MAX) {
    throw einval(`LIST_FILES body of ${body.length} bytes`, cmd);
  }
  const r = new BufReader(body);
  const group = r.fixed(GROUP_NAME_MAX_LEN);
  const since = r.i64();
  const limit = r.i64();
  const prefixLen = r.u8();
  if (since < 0 || limit < 0 || prefixLen > r.remaining) throw einval('LIST_FILES: bad since, limit or prefix length', cmd);
  const prefix = r.bytes(prefixLen).toString('utf8');
  return { group, since, limit, prefix, after: r.rest() };
}

/** The answer's header: pkg_len 2^58 = "read until close". */
export function encodeListFilesResponseHeader(): Buffer {
  return encodeHeader(PKG_LEN_UNTIL_CLOSE, CommonCmd.Resp, 0);
}

export function encodeListFilesTrailer(textBytes: number): Buffer {
  return new BufWriter(LIST_FILES_TRAILER, { header: false }).i64(textBytes).body();
}

export function encodeListedFile(f: ListedFile): string {
  return `${JSON.stringify(f)}\n`;
}

export function decodeListedFile(line: string): ListedFile {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new ProtocolError(`LIST_FILES: not a JSON line: ${line.slice(0, 80)}`);
  }
  const f = v as ListedFile;
  if (!f || typeof f.name !== 'string' || typeof f.size !== 'number' || typeof f.time !== 'number') {
    throw new ProtocolError(`LIST_FILES: bad line: ${line.slice(0, 80)}`);
  }
  return f;
}

export const ListFilesCommands = {
  ListFiles: defineCommand({
    cmd: FdfsStorageCmd.ListFiles, name: 'LIST_FILES', headSize: LIST_FILES_HEAD, streamed: false,
    maxBody: LIST_FILES_HEAD + 2 * NAME_MAX,
    encode: encodeListFilesRequest, decode: (b) => decodeListFilesRequest(b),
  }),
} as const;
