// Metadata text of SET/GET_METADATA and of the `<file>-m` sidecar (spec §5.7, §11.2): encode, decode
// and the 'M' merge. Keys are cut to 64 bytes and values to 256 bytes, never rejected.
//
// Encoding (no header, no terminator):
//   key1 0x02 value1 0x01 key2 0x02 value2 ...
//   0x01 separates records, 0x02 separates key and value; neither can be escaped.
//   A record without 0x02 is dropped by the parser. Written sorted by key (byte order).
import { Errno, StatusError } from '../errors.js';
import { MAX_META_NAME_LEN, MAX_META_VALUE_LEN, META_FIELD_SEP, META_RECORD_SEP } from './codes.js';

export const SIZES = {
  maxKey: MAX_META_NAME_LEN,
  maxValue: MAX_META_VALUE_LEN,
  recordSep: META_RECORD_SEP,
  fieldSep: META_FIELD_SEP,
} as const;

export type MetaEntry = [key: string, value: string];
export type Metadata = Record<string, string>;
export type MetadataInput = Metadata | Map<string, string> | ReadonlyArray<readonly [string, string]>;

export interface EncodeMetadataOptions {
  /** Sort records by key byte order, as the storage stores them. @default true */
  sort?: boolean;
}

function entriesOf(meta: MetadataInput): Array<readonly [string, string]> {
  if (meta instanceof Map) return [...meta.entries()];
  if (Array.isArray(meta)) return [...(meta as ReadonlyArray<readonly [string, string]>)];
  return Object.entries(meta as Metadata);
}

function hasSep(b: Buffer): boolean {
  return b.includes(META_RECORD_SEP) || b.includes(META_FIELD_SEP);
}

/**
 * Encode records; keys longer than 64 bytes and values longer than 256 bytes are truncated.
 * A repeated key keeps its last value. Keys must be non-empty; 0x01/0x02 inside a key or value → EINVAL.
 */
export function encodeMetadata(meta: MetadataInput, opts: EncodeMetadataOptions = {}): Buffer {
  const byKey = new Map<string, [Buffer, Buffer]>();
  for (const [k, v] of entriesOf(meta)) {
    const key = Buffer.from(k).subarray(0, MAX_META_NAME_LEN);
    const value = Buffer.from(v).subarray(0, MAX_META_VALUE_LEN);
    if (key.length === 0) throw new StatusError(Errno.EINVAL, 'empty metadata key');
    if (hasSep(key) || hasSep(value)) throw new StatusError(Errno.EINVAL, `metadata "${k}" contains 0x01/0x02`);
    const id = key.toString('latin1');
    byKey.delete(id);
    byKey.set(id, [key, value]);
  }
  const records = [...byKey.values()];
  if (opts.sort ?? true) records.sort((a, b) => Buffer.compare(a[0], b[0]));
  const parts: Buffer[] = [];
  const rs = Buffer.of(META_RECORD_SEP);
  const fs = Buffer.of(META_FIELD_SEP);
  records.forEach(([key, value], i) => {
    if (i > 0) parts.push(rs);
    parts.push(key, fs, value);
  });
  return Buffer.concat(parts);
}

/** Records in wire order; records without 0x02 are dropped, keys/values cut to 64/256 bytes. */
export function decodeMetadataEntries(buf: Buffer): MetaEntry[] {
  const out: MetaEntry[] = [];
  let start = 0;
  while (start <= buf.length && buf.length > 0) {
    let end = buf.indexOf(META_RECORD_SEP, start);
    if (end === -1) end = buf.length;
    const rec = buf.subarray(start, end);
    const sep = rec.indexOf(META_FIELD_SEP);
    if (sep !== -1) {
      const key = rec.subarray(0, Math.min(sep, MAX_META_NAME_LEN));
      const value = rec.subarray(sep + 1, Math.min(rec.length, sep + 1 + MAX_META_VALUE_LEN));
      out.push([key.toString('utf8'), value.toString('utf8')]);
    }
    start = end + 1;
  }
  return out;
}

/** Records as an object (a repeated key keeps its last value). */
export function decodeMetadata(buf: Buffer): Metadata {
  return Object.fromEntries(decodeMetadataEntries(buf));
}

/** The 'M' (merge) rule: existing keys get the new values, new keys are added. */
export function mergeMetadata(old: MetadataInput, update: MetadataInput): Metadata {
  const merged = new Map<string, string>(entriesOf(old));
  for (const [k, v] of entriesOf(update)) merged.set(k, v);
  return Object.fromEntries(merged);
}
