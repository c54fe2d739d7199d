// File IDs and generated file names (spec §6): split/validate `group/Mxx/HH/HH/name`, build and decode the
// 27-char base64 facts, the X7 extension, trunk locators, slave names and the random-mode sub-directories.
//
// The 20 packed bytes behind B27 (§6.3):
//   off size field
//   0   4    source: IPv4 octets in natural order, or the server id as a little-endian u32
//   4   4    create timestamp, u32 BE (Unix seconds)
//   8   8    size field, i64 BE with flag bits (§6.4): bit 63 = random part present, bits 32..54 random,
//            bit 58 = appender, bit 59 = trunk; the low 32 bits hold the size when known
//   16  4    crc32, u32 BE
// The 12 bytes behind T16 (trunk names only, §6.6):
//   0   4    trunk file id (i32 BE)    4   4    slot offset (i32 BE)    8   4    slot size (i32 BE)
import { rememberLast } from '../remember-last.js';
import { einval } from '../errors.js';
import {
  APPENDER_FLAG, FILE_EXT_NAME_MAX_LEN, FILE_PREFIX_MAX_LEN, FILENAME_BASE64_LENGTH, GROUP_NAME_MAX_LEN,
  LOGIC_FILE_PATH_LEN, MAX_LOGIC_FILENAME_LEN, MAX_SERVER_ID, NORMAL_LOGIC_FILENAME_LENGTH,
  TRUNK_FLAG, TRUNK_LOGIC_FILENAME_LENGTH,
} from './codes.js';

export const SIZES = {
  facts: 20,
  b27: FILENAME_BASE64_LENGTH,
  trunkLocator: 12,
  t16: 16,
  x7: 7,
  logicPathPrefix: LOGIC_FILE_PATH_LEN,
  normalLogical: NORMAL_LOGIC_FILENAME_LENGTH,
  trunkLogical: TRUNK_LOGIC_FILENAME_LENGTH,
  maxLogical: MAX_LOGIC_FILENAME_LEN - 1,
} as const;

const BIT63 = 1n << 63n;
const LOW32 = 0xffffffffn;
const B64_RE = /^[A-Za-z0-9_-]*$/;
const EXT_RE = /^[A-Za-z0-9._-]*$/;
const GROUP_RE = /^[A-Za-z0-9]{1,16}$/;
const LOGICAL_RE = /^M([0-9A-F]{2})\/([0-9A-F]{2})\/([0-9A-F]{2})\/(.+)$/s;

export type FileSource = { ipv4: string } | { serverId: number };
export type FileKind = 'normal' | 'appender' | 'slave' | 'trunk';
export interface TrunkLocation { fileId: number; offset: number; size: number }

/** The decoded 20 bytes of B27. */
export interface FileFacts {
  source: FileSource;
  timestamp: number;
  sizeField: bigint;
  crc32: number;
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

export function isValidGroupName(group: string): boolean {
  return GROUP_RE.test(group) && Buffer.byteLength(group) <= GROUP_NAME_MAX_LEN;
}

/** Upload extension without the dot: 0–6 chars of `[A-Za-z0-9._-]`. */
export function isValidExt(ext: string): boolean {
  return ext.length <= FILE_EXT_NAME_MAX_LEN && EXT_RE.test(ext);
}

/** Slave prefix: 1–16 chars of `[A-Za-z0-9._-]`. */
export function isValidPrefix(prefix: string): boolean {
  return prefix.length >= 1 && prefix.length <= FILE_PREFIX_MAX_LEN && EXT_RE.test(prefix);
}

/** `group/logical` split on the first `/`; the group must be valid and the logical name 1–127 bytes. */
export function splitFileId(fileId: string): { group: string; logical: string } {
  const slash = fileId.indexOf('/');
  if (slash <= 0) throw einval(`bad file id "${fileId}": no group`);
  const group = fileId.slice(0, slash);
  const logical = fileId.slice(slash + 1);
  if (!isValidGroupName(group)) throw einval(`bad group name "${group}"`);
  const n = Buffer.byteLength(logical);
  if (n === 0 || n > SIZES.maxLogical) throw einval(`bad file name length ${n}`);
  return { group, logical };
}

export interface LogicalName {
  storePathIndex: number;
  subHigh: number;
  subLow: number;
  /** The part after `Mxx/HH/HH/`. */
  fileName: string;
  /** `HH/HH/name`, relative to `<store_path>/data/`. */
  relPath: string;
}

/** Validate `Mxx/HH/HH/name` (uppercase hex; no further `/`, `..`, spaces or control chars; < 128 bytes). */
export function parseLogicalName(logical: string): LogicalName {
  if (Buffer.byteLength(logical) > SIZES.maxLogical) throw einval(`file name too long: ${logical.length}`);
  const m = LOGICAL_RE.exec(logical);
  if (!m) throw einval(`bad file name "${logical}"`);
  const fileName = m[4]!;
  if (fileName.includes('/') || fileName.includes('..') || /[\x00-\x20\x7f]/.test(fileName)) {
    throw einval(`bad file name "${logical}"`);
  }
  return {
    storePathIndex: parseInt(m[1]!, 16),
    subHigh: parseInt(m[2]!, 16),
    subLow: parseInt(m[3]!, 16),
    fileName,
    relPath: logical.slice(4),
  };
}

/** The 8-byte size field of §6.4; `rand` is the 23-bit random part (ignored for normal files ≥ 4 GiB). */
export function sizeFieldFor(kind: 'normal' | 'appender' | 'trunk', size: bigint | number, rand: number): bigint {
  const s = BigInt(size);
  if (s < 0n) throw einval(`negative size ${s}`);
  const r = (BigInt(rand & 0x7fffff) | 0x80000000n) << 32n;
  if (kind === 'normal') return s > LOW32 ? s : r | s;
  if (kind === 'appender') return r | APPENDER_FLAG;
  if (s > LOW32) throw einval(`trunk file too large: ${s}`);
  return r | TRUNK_FLAG | s;
}

/** Pack the 20 bytes of §6.3 and return them as the 27-char base64 (`-`/`_`, no padding). */
export function encodeFileFacts(f: FileFacts): string {
  writeSource(f.source);
  const field = BigInt.asUintN(64, f.sizeField);
  return packFacts(f.timestamp, Number(field >> 32n), Number(field & LOW32), f.crc32);
}

/** The rest of encodeFileFacts once the source is in place: the size field as its high and low 32 bits. */
function packFacts(timestamp: number, sizeHigh: number, sizeLow: number, crc32: number): string {
  if (!Number.isInteger(timestamp) || timestamp < 0 || timestamp > 0xffffffff) {
    throw einval(`bad timestamp ${timestamp}`);
  }
  const b = factsOut;
  b.writeUInt32BE(timestamp, 4);
  b.writeUInt32BE(sizeHigh, 8);
  b.writeUInt32BE(sizeLow, 12);
  b.writeUInt32BE(crc32 >>> 0, 16);
  return b.toString('base64url');
}

/** encodeFileFacts for a normal file under 4 GiB, without BigInt: what every small upload names. */
function encodeSmallNormalFacts(source: FileSource, timestamp: number, size: number, rand: number, crc32: number): string {
  writeSource(source);
  return packFacts(timestamp, ((rand & 0x7fffff) | 0x80000000) >>> 0, size, crc32);
}

function writeSource(source: FileSource): void {
  const b = factsOut;
  if ('serverId' in source) {
    const id = source.serverId;
    if (!Number.isInteger(id) || id < 1 || id > MAX_SERVER_ID) throw einval(`bad server id ${id}`);
    b.writeUInt32LE(id, 0);
  } else {
    b.set(ipv4Octets(source.ipv4), 0);
  }
}

/** A name's four source bytes as one word, the first in the low 8 bits (what native/fastpath.c takes). */
export function sourceWord(source: FileSource): number {
  writeSource(source);
  return factsOut.readInt32LE(0);
}

/** Scratch for encodeFileFacts: its text is made before anything else can write here. */
const factsOut = Buffer.alloc(SIZES.facts);
/** The octets of a name's source address (a storage makes all its names with one or two). */
const ipv4Octets = rememberLast((ipv4): readonly number[] => {
  const oct = ipv4.split('.').map(Number);
  if (oct.length !== 4 || !oct.every((o) => Number.isInteger(o) && o >= 0 && o <= 255)) {
    throw einval(`bad IPv4 address "${ipv4}"`);
  }
  return oct;
});

/** Inverse of encodeFileFacts (§6.3): LE u32 in 1…2^24−1 is a server id, anything else an IPv4 address. */
export function decodeFileFacts(b27: string): FileFacts {
  if (b27.length !== SIZES.b27 || !decodeFactBytes(b27, 0, SIZES.facts)) throw einval(`bad base64 file facts "${b27}"`);
  return factsFromBytes();
}

/** The FileFacts of the bytes decodeFactBytes left in `factBytes`. */
function factsFromBytes(): FileFacts {
  const b = factBytes;
  const le = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  const source: FileSource = le > 0 && le <= MAX_SERVER_ID ? { serverId: le } : { ipv4: `${b[0]}.${b[1]}.${b[2]}.${b[3]}` };
  return { source, timestamp: u32At(b, 4), sizeField: (BigInt(u32At(b, 8)) << 32n) | BigInt(u32At(b, 12)), crc32: u32At(b, 16) };
}

export function encodeTrunkLocation(t: TrunkLocation): string {
  const b = Buffer.alloc(SIZES.trunkLocator);
  b.writeInt32BE(t.fileId, 0);
  b.writeInt32BE(t.offset, 4);
  b.writeInt32BE(t.size, 8);
  return b.toString('base64url');
}

export function decodeTrunkLocation(t16: string): TrunkLocation {
  if (t16.length !== SIZES.t16 || !B64_RE.test(t16)) throw einval(`bad trunk locator "${t16}"`);
  const b = Buffer.from(t16, 'base64url');
  return { fileId: b.readInt32BE(0), offset: b.readInt32BE(4), size: b.readInt32BE(8) };
}

/**
 * X7 (§6.5): empty ext → 7 random digits; otherwise (6 − len) digits + "." + ext.
 * `rand` returns [0, 1) like Math.random; each digit is '0' + floor(10·rand()).
 */
export function formatExt(ext: string, rand: () => number = Math.random): string {
  if (!isValidExt(ext)) throw einval(`bad file extension "${ext}"`);
  const n = ext ? FILE_EXT_NAME_MAX_LEN - ext.length : SIZES.x7;
  let digits = '';
  for (let i = 0; i < n; i++) digits += String.fromCharCode(48 + Math.floor(10 * rand()));
  return ext ? `${digits}.${ext}` : digits;
}

export interface EncodeFileNameOptions {
  source: FileSource;
  timestamp: number;
  size: bigint | number;
  kind: 'normal' | 'appender' | 'trunk';
  crc32: number;
  /** Extension without the dot, 0–6 chars. */
  ext: string;
  storePathIndex: number;
  subHigh: number;
  subLow: number;
  /** Required for kind 'trunk'. */
  trunk?: TrunkLocation;
  /** [0, 1) source; called once for the size field's random part, then once per X7 digit. @default Math.random */
  random?: () => number;
}

function checkByte(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 255) throw einval(`bad ${name} ${v}`);
}

/** Build the logical name `Mxx/HH/HH/<B27>[<T16>]<X7>` of a new file (§6.1). */
export function encodeFileName(o: EncodeFileNameOptions): string {
  const random = o.random ?? Math.random;
  checkByte('storePathIndex', o.storePathIndex);
  checkByte('subHigh', o.subHigh);
  checkByte('subLow', o.subLow);
  if (o.kind === 'trunk' && !o.trunk) throw einval('trunk file name needs a trunk location');
  const rand = Math.floor(random() * 0x800000);
  const small = o.kind === 'normal' && typeof o.size === 'number' && Number.isInteger(o.size) && o.size >= 0 && o.size <= 0xffffffff;
  const b27 = small
    ? encodeSmallNormalFacts(o.source, o.timestamp, o.size as number, rand, o.crc32)
    : encodeFileFacts({ source: o.source, timestamp: o.timestamp, sizeField: sizeFieldFor(o.kind, o.size, rand), crc32: o.crc32 });
  const t16 = o.kind === 'trunk' ? encodeTrunkLocation(o.trunk!) : '';
  return `M${hex2(o.storePathIndex)}/${hex2(o.subHigh)}/${hex2(o.subLow)}/${b27}${t16}${formatExt(o.ext, random)}`;
}

export interface FileNameInfo {
  source: FileSource;
  timestamp: number;
  kind: FileKind;
  /** Raw size field with its flag bits. */
  sizeField: bigint;
  /** Real size, only for normal and trunk files (appender and slave sizes must be asked from the storage). */
  size?: number;
  /** For normal/trunk files the content CRC; appender: its initial content; slave: the master's. */
  crc32: number;
  /** Trunk names only. */
  trunk?: TrunkLocation;
  /** Text after the last `.` of the last 7 chars, or ''. */
  ext: string;
}

/** Decode what a logical name tells without a server (§6.8). */
export function decodeFileName(logical: string): FileNameInfo {
  const len = logical.length;
  if (len < NORMAL_LOGIC_FILENAME_LENGTH) throw einval(`file name too short: ${len}`);
  const start = LOGIC_FILE_PATH_LEN;
  if (!decodeFactBytes(logical, start, SIZES.facts)) throw einval(`bad base64 file facts "${logical.slice(start, start + SIZES.b27)}"`);
  const facts = factsFromBytes();
  const v = facts.sizeField;
  const appender = (v & APPENDER_FLAG) !== 0n;
  const trunkFlag = (v & TRUNK_FLAG) !== 0n;
  let kind: FileKind;
  if (appender) kind = 'appender';
  else if (len === TRUNK_LOGIC_FILENAME_LENGTH && trunkFlag) kind = 'trunk';
  else if (len > TRUNK_LOGIC_FILENAME_LENGTH || (len > NORMAL_LOGIC_FILENAME_LENGTH && !trunkFlag)) kind = 'slave';
  else kind = 'normal';
  const info: FileNameInfo = { ...facts, kind, ext: extOf(logical) };
  if (kind === 'normal' || kind === 'trunk') {
    const size = (v & BIT63) !== 0n || trunkFlag ? v & LOW32 : v;
    if (size <= BigInt(Number.MAX_SAFE_INTEGER)) info.size = Number(size);
  }
  if (kind === 'trunk') info.trunk = decodeTrunkLocation(logical.slice(start + SIZES.b27, start + SIZES.b27 + SIZES.t16));
  return info;
}

/**
 * decodeFileName as servers read names (§10.1, §5.8): any name whose B27 is complete (≥ 37 chars) is decoded;
 * 37–43 chars can only be a slave whose master extension was dropped. Shorter (pre-1.12) names → null.
 */
export function peekFileName(logical: string): FileNameInfo | null {
  if (logical.length >= NORMAL_LOGIC_FILENAME_LENGTH) return decodeFileName(logical);
  if (logical.length < LOGIC_FILE_PATH_LEN + SIZES.b27) return null;
  const facts = decodeFileFacts(logical.slice(LOGIC_FILE_PATH_LEN, LOGIC_FILE_PATH_LEN + SIZES.b27));
  return { ...facts, kind: (facts.sizeField & APPENDER_FLAG) !== 0n ? 'appender' : 'slave', ext: extOf(logical) };
}

/** A file's metadata lives beside it in `<name>-m` (§11.2). */
export const METADATA_SUFFIX = '-m';

/**
 * True when a logical name is the metadata sidecar of a generated name: never a stored file of its own (the
 * one clash, a slave prefix "-m" without extension, is refused by slaveFileName).
 */
export function isMetadataSidecar(logical: string): boolean {
  if (!logical.endsWith(METADATA_SUFFIX)) return false;
  try {
    return peekFileName(logical.slice(0, -METADATA_SUFFIX.length)) !== null;
  } catch {
    return false;
  }
}

/** What a tracker needs of a name to route a read (§5.8): its source, its timestamp, and whether it is normal. */
export interface FileRouting {
  /** Dotted IPv4 of the source ('' when the name carries a server id). */
  sourceIp: string;
  /** Server id of the source ('' when the name carries an IPv4). */
  sourceId: string;
  timestamp: number;
  /** A normal (or trunk) file, not an appender or slave. */
  normal: boolean;
}

const B64_VALUE = (() => {
  const t = new Int8Array(128).fill(-1);
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = i;
  return t;
})();
const factBytes = new Uint8Array(SIZES.facts + 1);

/**
 * Decode the first `n` bytes of the B27 at `start` into `factBytes` straight from the characters (no Buffer,
 * regex or BigInt: this runs on every read). False when any of the 27 characters is not base64url.
 */
function decodeFactBytes(logical: string, start: number, n: number): boolean {
  const b = factBytes;
  const chars = Math.ceil((n * 4) / 3);
  for (let i = 0; i < SIZES.b27; i++) {
    const c = logical.charCodeAt(start + i);
    const d = c < 128 ? B64_VALUE[c]! : -1;
    if (d < 0) return false;
    if (i >= chars) continue;
    // Four characters make three bytes.
    const at = (i >> 2) * 3;
    const shift = 18 - 6 * (i & 3);
    if ((i & 3) === 0) b[at] = b[at + 1] = b[at + 2] = 0;
    const v = d << shift;
    b[at]! |= v >>> 16;
    b[at + 1]! |= (v >>> 8) & 0xff;
    b[at + 2]! |= v & 0xff;
  }
  return true;
}

const u32At = (b: Uint8Array, at: number): number => ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;

/**
 * peekFileName's routing facts, read straight from the first 12 characters of the B27 (source, timestamp,
 * the size field's flag byte) without building the whole FileNameInfo: the tracker does this on every read
 * query. Same answers as peekFileName, null for pre-1.12 names, EINVAL for a B27 that is not base64.
 */
export function fileRouting(logical: string): FileRouting | null {
  const len = logical.length;
  const start = LOGIC_FILE_PATH_LEN;
  if (len < start + SIZES.b27) return null;
  if (!decodeFactBytes(logical, start, 9)) {
    throw einval(`bad base64 file facts "${logical.slice(start, start + SIZES.b27)}"`);
  }
  const b = factBytes;
  const le = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  const byId = le > 0 && le <= MAX_SERVER_ID;
  const appender = (b[8]! & 0x04) !== 0;
  const trunkFlag = (b[8]! & 0x08) !== 0;
  const slave = len < NORMAL_LOGIC_FILENAME_LENGTH || len > TRUNK_LOGIC_FILENAME_LENGTH || (len > NORMAL_LOGIC_FILENAME_LENGTH && !trunkFlag);
  return {
    sourceIp: byId ? '' : `${b[0]}.${b[1]}.${b[2]}.${b[3]}`,
    sourceId: byId ? String(le) : '',
    timestamp: u32At(b, 4),
    normal: !appender && !slave,
  };
}

/** What a normal file's name says of its content (§6.3, §6.4). */
export interface NormalContentFacts {
  size: number;
  crc32: number;
  /** Creation time (Unix seconds). */
  timestamp: number;
}

/**
 * The size, CRC32 and time a normal file's name carries, decoded without allocation beyond the answer; null for
 * appender, slave, trunk and pre-1.12 names, bad base64, or sizes beyond 2^53. Same facts as peekFileName.
 */
export function normalContentFacts(logical: string): NormalContentFacts | null {
  const len = logical.length;
  if (len < NORMAL_LOGIC_FILENAME_LENGTH || len > TRUNK_LOGIC_FILENAME_LENGTH) return null;
  if (!decodeFactBytes(logical, LOGIC_FILE_PATH_LEN, SIZES.facts)) return null;
  const b = factBytes;
  const hi = u32At(b, 8);
  const appender = (b[8]! & 0x04) !== 0;
  const trunkFlag = (b[8]! & 0x08) !== 0;
  if (appender || (len === TRUNK_LOGIC_FILENAME_LENGTH && trunkFlag) || (len > NORMAL_LOGIC_FILENAME_LENGTH && !trunkFlag)) return null;
  const lo = u32At(b, 12);
  // Bit 63 (random part present) or the trunk flag: the size is the low word; otherwise the whole field.
  const size = (b[8]! & 0x80) !== 0 || trunkFlag ? lo : hi * 0x100000000 + lo;
  if (!Number.isSafeInteger(size)) return null;
  return { size, crc32: u32At(b, 16), timestamp: u32At(b, 4) };
}

/** What a trunk name says: its content's facts and where its slot lies (§6.6). */
export interface TrunkNameFacts extends NormalContentFacts {
  trunk: TrunkLocation;
}

const locatorBytes = new Uint8Array(SIZES.trunkLocator);
const i32At = (b: Uint8Array, at: number): number => (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;

/**
 * The facts and slot of a trunk name, decoded straight from the characters (no Buffer, regex or BigInt: every
 * read and write of a trunk file asks); null for any other name or bad base64. Same answers as decodeFileName.
 */
export function trunkNameFacts(logical: string): TrunkNameFacts | null {
  if (logical.length !== TRUNK_LOGIC_FILENAME_LENGTH || !decodeFactBytes(logical, LOGIC_FILE_PATH_LEN, SIZES.facts)) return null;
  const b = factBytes;
  // The trunk flag without the appender flag (§6.4).
  if ((b[8]! & 0x08) === 0 || (b[8]! & 0x04) !== 0) return null;
  const size = u32At(b, 12);
  const crc32 = u32At(b, 16);
  const timestamp = u32At(b, 4);
  const start = LOGIC_FILE_PATH_LEN + SIZES.b27;
  const t = locatorBytes;
  for (let i = 0; i < SIZES.t16; i += 4) {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = logical.charCodeAt(start + i + k);
      const d = c < 128 ? B64_VALUE[c]! : -1;
      if (d < 0) return null;
      v = (v << 6) | d;
    }
    const at = (i >> 2) * 3;
    t[at] = v >>> 16;
    t[at + 1] = (v >>> 8) & 0xff;
    t[at + 2] = v & 0xff;
  }
  return { size, crc32, timestamp, trunk: { fileId: i32At(t, 0), offset: i32At(t, 4), size: i32At(t, 8) } };
}

function extOf(name: string): string {
  const tail = name.slice(-SIZES.x7);
  const dot = tail.lastIndexOf('.');
  return dot === -1 ? '' : tail.slice(dot + 1);
}

/**
 * Slave name (§6.7): master without its dot-extension, then `prefix`, then the slave extension.
 * `ext` undefined → keep the master's; '' → none; '.x' or 'x' → '.x'.
 */
export function slaveFileName(master: string, prefix: string, ext?: string): string {
  parseLogicalName(master);
  if (master.length - 4 < SIZES.b27 + SIZES.x7) {
    throw einval(`master file name too short: "${master}"`);
  }
  if (prefix !== '' && !isValidPrefix(prefix)) throw einval(`bad slave prefix "${prefix}"`);
  const tail = master.slice(-SIZES.x7);
  const dotAt = tail.indexOf('.');
  const dotExt = dotAt === -1 ? '' : tail.slice(dotAt);
  let slaveExt: string;
  if (ext === undefined) slaveExt = dotExt;
  else if (ext === '') slaveExt = '';
  else slaveExt = ext.startsWith('.') ? ext : `.${ext}`;
  if (slaveExt && !isValidExt(slaveExt.slice(1))) throw einval(`bad slave extension "${ext}"`);
  if (slaveExt === '' && prefix === '-m') throw einval('slave prefix "-m" without extension clashes with metadata');
  if (prefix === '' && slaveExt === dotExt) throw einval('slave name would equal the master name');
  const name = `${master.slice(0, master.length - dotExt.length)}${prefix}${slaveExt}`;
  if (Buffer.byteLength(name) > SIZES.maxLogical) throw einval(`slave file name too long: ${name.length}`);
  return name;
}

/** PJW hash with signed 32-bit arithmetic, as file_distribute_path_mode 1 uses it (§6.2). */
export function pjwHash(data: string | Buffer): number {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  let h = 0;
  for (const b of bytes) {
    h = ((h << 4) + b) | 0;
    const t = h & 0xf0000000;
    if (t !== 0) h = (h ^ (t >> 24)) & 0x0fffffff;
  }
  return h;
}

/** Sub-directories for file_distribute_path_mode 1 (random): derived from the B27 text (§6.2). */
export function distributeSubdirs(b27: string, subdirCount: number): { subHigh: number; subLow: number } {
  if (!Number.isInteger(subdirCount) || subdirCount < 1 || subdirCount > 256) {
    throw einval(`bad subdir count ${subdirCount}`);
  }
  const n = pjwHash(b27) % 65536;
  return { subHigh: ((n >> 8) & 0xff) % subdirCount, subLow: (n & 0xff) % subdirCount };
}
