// Text formats of the storage's sync state: binlog lines and op letters (§9.1, §9.2), mark files (§9.3),
// binlog_index.dat, .data_init_flag and storage_stat.dat key=value files (§11.3). Pure text, no file I/O.
//
// binlog line  "<timestamp> <op> <logical filename>[ <extra>]\n"   (one space between fields, ≤ 256 bytes)
//   C c U u D d   no extra
//   A a M m       "<start_offset> <length>"
//   T t           "<old_size> <new_size>"
//   L l           "<link target>"          (line is "L <link> <target>")
//   R r           "<old name>"             (line is "R <new> <old>")
// mark file    binlog_index, binlog_offset, need_sync_old, sync_old_done, until_timestamp,
//              scan_row_count, sync_row_count — one "key=value\n" each, in this order
// key=value files: "key=value\n" lines; blank lines and '#' comments ignored on read

// ---------------------------------------------------------------- op letters

/** Uppercase: this storage is the source; lowercase: applied here as a replica. */
export const BinlogOp = {
  SourceCreateFile: 'C',
  ReplicaCreateFile: 'c',
  SourceUpdateFile: 'U',
  ReplicaUpdateFile: 'u',
  SourceDeleteFile: 'D',
  ReplicaDeleteFile: 'd',
  SourceAppendFile: 'A',
  ReplicaAppendFile: 'a',
  SourceModifyFile: 'M',
  ReplicaModifyFile: 'm',
  SourceTruncateFile: 'T',
  ReplicaTruncateFile: 't',
  SourceCreateLink: 'L',
  ReplicaCreateLink: 'l',
  SourceRenameFile: 'R',
  ReplicaRenameFile: 'r',
} as const;
export type BinlogOpCode = (typeof BinlogOp)[keyof typeof BinlogOp];

type PlainOp = 'C' | 'c' | 'U' | 'u' | 'D' | 'd';
type RangeOp = 'A' | 'a' | 'M' | 'm';
type TruncateOp = 'T' | 't';
type PairOp = 'L' | 'l' | 'R' | 'r';

interface RecordBase {
  /** Source-side Unix seconds of the operation. */
  timestamp: number;
  /** Logical name "Mxx/HH/HH/name" without group (sidecars end in "-m"); the link / new name for L/R. */
  filename: string;
}

export type BinlogRecord =
  | (RecordBase & { op: PlainOp })
  | (RecordBase & { op: RangeOp; startOffset: number; length: number })
  | (RecordBase & { op: TruncateOp; oldSize: number; newSize: number })
  | (RecordBase & { op: PairOp; /** Link target (L) or old name (R). */ srcFilename: string });

const OPS = new Set<string>(Object.values(BinlogOp));

export function isBinlogOp(op: string): op is BinlogOpCode {
  return OPS.has(op);
}

export function isSourceOp(op: BinlogOpCode): boolean {
  return op >= 'A' && op <= 'Z';
}

/** The letter a replica writes for a record it received. */
export function toReplicaOp<T extends BinlogOpCode>(op: T): Lowercase<T> {
  return op.toLowerCase() as Lowercase<T>;
}

/** Max bytes of one binlog line, newline included. */
export const BINLOG_LINE_MAX = 256;

// ---------------------------------------------------------------- binlog lines

/** The line with its trailing newline. */
export function formatBinlogLine(rec: BinlogRecord): string {
  const head = `${rec.timestamp} ${rec.op} ${rec.filename}`;
  switch (rec.op) {
    case 'A': case 'a': case 'M': case 'm':
      return `${head} ${rec.startOffset} ${rec.length}\n`;
    case 'T': case 't':
      return `${head} ${rec.oldSize} ${rec.newSize}\n`;
    case 'L': case 'l': case 'R': case 'r':
      return `${head} ${rec.srcFilename}\n`;
    default:
      return `${head}\n`;
  }
}

const UINT = /^\d+$/;

/**
 * Parse one line (with or without its newline). Returns null for anything malformed instead of throwing —
 * notably 6.16.1's slave-link record "ts L  target" with an empty link name (§13.2 item 18).
 */
export function parseBinlogLine(line: string): BinlogRecord | null {
  if (line.endsWith('\n')) line = line.slice(0, -1);
  const s1 = line.indexOf(' ');
  const s2 = s1 < 0 ? -1 : line.indexOf(' ', s1 + 1);
  if (s1 <= 0 || s2 !== s1 + 2) return null;
  const ts = line.slice(0, s1);
  const op = line[s1 + 1]!;
  if (!UINT.test(ts) || !isBinlogOp(op)) return null;
  const timestamp = Number(ts);
  const parts = line.slice(s2 + 1).split(' ');
  if (parts.some((p) => p === '')) return null;
  const [filename, a, b] = parts as [string, string?, string?];
  switch (op) {
    case 'A': case 'a': case 'M': case 'm':
      if (parts.length !== 3 || !UINT.test(a!) || !UINT.test(b!)) return null;
      return { timestamp, op, filename, startOffset: Number(a), length: Number(b) };
    case 'T': case 't':
      if (parts.length !== 3 || !UINT.test(a!) || !UINT.test(b!)) return null;
      return { timestamp, op, filename, oldSize: Number(a), newSize: Number(b) };
    case 'L': case 'l': case 'R': case 'r':
      if (parts.length !== 2) return null;
      return { timestamp, op, filename, srcFilename: a! };
    default:
      if (parts.length !== 1) return null;
      return { timestamp, op, filename };
  }
}

export interface BinlogChunk {
  records: BinlogRecord[];
  /** Complete lines that did not parse (skipped, as the C sender does). */
  invalid: string[];
  /** Text after the last newline: a line still being written. */
  partial: string;
}

/** Parse a run of binlog text (a file, a read chunk or a 26 stream); prepend the last `partial` to continue. */
export function parseBinlogText(text: string, partial = ''): BinlogChunk {
  const lines = (partial + text).split('\n');
  const out: BinlogChunk = { records: [], invalid: [], partial: lines.pop()! };
  for (const l of lines) {
    if (l === '') continue;
    const rec = parseBinlogLine(l);
    if (rec) out.records.push(rec); else out.invalid.push(l);
  }
  return out;
}

// ---------------------------------------------------------------- key=value files

/** Parse "key=value" lines: trims both sides, skips blanks and '#' comments; the last duplicate wins. */
export function parseKeyValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    out.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return out;
}

/** One "key=value\n" line per entry, in order; booleans as 1/0. */
export function formatKeyValues(entries: Iterable<[string, string | number | bigint | boolean]>): string {
  let text = '';
  for (const [k, v] of entries) text += `${k}=${typeof v === 'boolean' ? (v ? 1 : 0) : v}\n`;
  return text;
}

/** The text up to its last newline: a torn write leaves an unterminated last line, which is dropped. */
function completeLines(text: string): string {
  return text.slice(0, text.lastIndexOf('\n') + 1);
}

function int(kv: Map<string, string>, key: string): number | undefined {
  const v = kv.get(key);
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined;
}

// ---------------------------------------------------------------- mark file (§9.3)

export interface SyncMark {
  binlogIndex: number;
  /** Offset of the next unread record in that binlog file. */
  binlogOffset: number;
  /** This storage is the designated bootstrap source for the peer. */
  needSyncOld: boolean;
  syncOldDone: boolean;
  untilTimestamp: number;
  scanRowCount: number;
  syncRowCount: number;
}

const MARK_KEYS: [keyof SyncMark, string][] = [
  ['binlogIndex', 'binlog_index'],
  ['binlogOffset', 'binlog_offset'],
  ['needSyncOld', 'need_sync_old'],
  ['syncOldDone', 'sync_old_done'],
  ['untilTimestamp', 'until_timestamp'],
  ['scanRowCount', 'scan_row_count'],
  ['syncRowCount', 'sync_row_count'],
];

export function formatMarkFile(m: SyncMark): string {
  return formatKeyValues(MARK_KEYS.map(([prop, key]) => [key, m[prop]]));
}

/** null when any of the seven keys is missing or not an integer, e.g. a half-written file (whose unterminated
 * last line is ignored). */
export function parseMarkFile(text: string): SyncMark | null {
  const kv = parseKeyValues(completeLines(text));
  const out: Record<string, number | boolean> = {};
  for (const [prop, key] of MARK_KEYS) {
    const v = int(kv, key);
    if (v === undefined) return null;
    out[prop] = prop === 'needSyncOld' || prop === 'syncOldDone' ? v !== 0 : v;
  }
  return out as unknown as SyncMark;
}

/** "<ip>_<port>.mark" without storage ids, "<id>.mark" with them. */
export function markFileName(ipOrId: string, port?: number): string {
  return port === undefined ? `${ipOrId}.mark` : `${ipOrId}_${port}.mark`;
}

/** The name a deleted peer's mark file is renamed to: "<name>.mark.<YYYYMMDDhhmmss>" (local time). */
export function retiredMarkFileName(markName: string, when: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${markName}.${when.getFullYear()}${p(when.getMonth() + 1)}${p(when.getDate())}` +
    `${p(when.getHours())}${p(when.getMinutes())}${p(when.getSeconds())}`;
}

// ---------------------------------------------------------------- binlog_index.dat (§9.1)

export interface BinlogIndex {
  currentWrite: number;
  currentCompress: number;
}

export function formatBinlogIndex(i: BinlogIndex): string {
  return formatKeyValues([['current_write', i.currentWrite], ['current_compress', i.currentCompress]]);
}

/** Also accepts the old single-number form; null when unreadable. */
export function parseBinlogIndex(text: string): BinlogIndex | null {
  if (/^\s*\d+\s*$/.test(text)) return { currentWrite: Number(text.trim()), currentCompress: 0 };
  const kv = parseKeyValues(text);
  const currentWrite = int(kv, 'current_write');
  if (currentWrite === undefined) return null;
  return { currentWrite, currentCompress: int(kv, 'current_compress') ?? 0 };
}

// ---------------------------------------------------------------- .data_init_flag (§11.3)

export interface DataInitFlag {
  storageJoinTime: number;
  syncOldDone: boolean;
  /** Empty for the group's first storage. */
  syncSrcServer: string;
  syncUntilTimestamp: number;
  lastIpAddr: string;
  lastServerPort: number;
  currentTrunkFileId: number;
  trunkLastCompressTime: number;
  trunkBinlogCompressStage: number;
  /** store_path_mark<N>, by store path index. */
  storePathMarks: string[];
}

export function formatDataInitFlag(f: DataInitFlag): string {
  return formatKeyValues([
    ['storage_join_time', f.storageJoinTime],
    ['sync_old_done', f.syncOldDone],
    ['sync_src_server', f.syncSrcServer],
    ['sync_until_timestamp', f.syncUntilTimestamp],
    ['last_ip_addr', f.lastIpAddr],
    ['last_server_port', f.lastServerPort],
    ['current_trunk_file_id', f.currentTrunkFileId],
    ['trunk_last_compress_time', f.trunkLastCompressTime],
    ['trunk_binlog_compress_stage', f.trunkBinlogCompressStage],
    ...f.storePathMarks.map((m, i): [string, string] => [`store_path_mark${i}`, m]),
  ]);
}

/**
 * null when storage_join_time or sync_old_done is missing (no usable flag file); other keys default to 0/''.
 * An unterminated last line (torn write) is ignored.
 */
export function parseDataInitFlag(text: string): DataInitFlag | null {
  const kv = parseKeyValues(completeLines(text));
  const joinTime = int(kv, 'storage_join_time');
  const syncOldDone = int(kv, 'sync_old_done');
  if (joinTime === undefined || syncOldDone === undefined) return null;
  const marks: string[] = [];
  for (const [k, v] of kv) {
    const m = /^store_path_mark(\d+)$/.exec(k);
    if (m) marks[Number(m[1])] = v;
  }
  return {
    storageJoinTime: joinTime,
    syncOldDone: syncOldDone !== 0,
    syncSrcServer: kv.get('sync_src_server') ?? '',
    syncUntilTimestamp: int(kv, 'sync_until_timestamp') ?? 0,
    lastIpAddr: kv.get('last_ip_addr') ?? '',
    lastServerPort: int(kv, 'last_server_port') ?? 0,
    currentTrunkFileId: int(kv, 'current_trunk_file_id') ?? 0,
    trunkLastCompressTime: int(kv, 'trunk_last_compress_time') ?? 0,
    trunkBinlogCompressStage: int(kv, 'trunk_binlog_compress_stage') ?? 0,
    storePathMarks: Array.from(marks, (m) => m ?? ''),
  };
}

// ---------------------------------------------------------------- storage_stat.dat (§11.3)

/**
 * Every counter by its FastDFS name (total_upload_count, …, dist_write_file_count); non-integers and an
 * unterminated last line are skipped.
 */
export function parseStorageStatFile(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of parseKeyValues(completeLines(text))) {
    if (/^-?\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

export function formatStorageStatFile(counters: Record<string, number | bigint>): string {
  return formatKeyValues(Object.entries(counters));
}
