// The trunk settings a storage takes from the tracker's 75 answer (spec §8.2, §10.7; stock defaults when absent).
import { SLOT_HEADER_SIZE } from '../../protocol/trunk-slot.js';
import { parseBool } from '../../config/values.js';
import { parseTimeBase, type TimeBase } from '../schedule.js';

export interface TrunkSettings {
  slotMinSize: number;
  slotMaxSize: number;
  trunkFileSize: number;
  alignment: number;
  merge: boolean;
}

const MB = 1024 * 1024;

/** Parsed once per parameter set: every trunk upload asks. The tracker's parameters arrive as a new object. */
const parsed = new WeakMap<Record<string, string>, TrunkSettings>();

export function trunkSettings(raw: Record<string, string>): TrunkSettings {
  let s = parsed.get(raw);
  if (!s) parsed.set(raw, (s = parse(raw)));
  return s;
}

function parse(raw: Record<string, string>): TrunkSettings {
  const num = (k: string, d: number) => {
    const v = Number(raw[k]);
    return raw[k] !== undefined && Number.isFinite(v) && v >= 0 ? v : d;
  };
  const trunkFileSize = Math.max(4 * MB, num('trunk_file_size', 64 * MB));
  return {
    slotMinSize: Math.max(1, num('slot_min_size', 256)),
    slotMaxSize: Math.min(num('slot_max_size', trunkFileSize / 8), trunkFileSize / 2),
    trunkFileSize,
    alignment: num('trunk_alloc_alignment_size', 0),
    merge: rawBool(raw.trunk_free_space_merge),
  };
}

/** The slot size of a file of `size` bytes: header + content, at least slot_min_size, rounded up to the alignment. */
export function slotSizeFor(size: number, s: TrunkSettings): number {
  let n = Math.max(s.slotMinSize, size + SLOT_HEADER_SIZE);
  if (s.alignment > 0 && n % s.alignment !== 0) n += s.alignment - (n % s.alignment);
  return n;
}

/** The trunk server's upkeep (stock tracker.conf keys, sent in 75): schedules, backups, unused and occupied space. */
export interface TrunkUpkeepSettings {
  /** trunk_create_file_advance with trunk_create_file_interval > 0: create trunk files ahead of need. */
  createAdvance: boolean;
  createTimeBase: TimeBase | null;
  createIntervalSec: number;
  /** trunk_create_file_space_threshold: free trunk bytes to reach. */
  createThreshold: number;
  /** trunk_compress_binlog_interval (0: no scheduled compaction) from trunk_compress_binlog_time_base. */
  compressIntervalSec: number;
  compressTimeBase: TimeBase | null;
  /** trunk_binlog_max_backups: compacted-away binlogs kept as `binlog.YYYYMMDDHHMMSS` (0: none). */
  binlogMaxBackups: number;
  /** delete_unused_trunk_files: a trunk file that is free from end to end is removed. */
  deleteUnused: boolean;
  /** trunk_init_check_occupying: free blocks whose slot header shows a file are left out at load. */
  initCheckOccupying: boolean;
}

/** A boolean the tracker sent (stock's iniGetBoolValue: 1, true, yes, on); absent is false. */
export function rawBool(v: string | undefined): boolean {
  return v !== undefined && parseBool(v);
}

export function trunkUpkeep(raw: Record<string, string>): TrunkUpkeepSettings {
  const int = (k: string, d: number) => {
    const v = Number(raw[k]);
    return raw[k] !== undefined && Number.isSafeInteger(v) && v >= 0 ? v : d;
  };
  const createIntervalSec = int('trunk_create_file_interval', 86400);
  return {
    createAdvance: rawBool(raw.trunk_create_file_advance) && createIntervalSec > 0,
    createTimeBase: parseTimeBase(raw.trunk_create_file_time_base ?? '02:00'),
    createIntervalSec,
    createThreshold: int('trunk_create_file_space_threshold', 0),
    compressIntervalSec: int('trunk_compress_binlog_interval', 0),
    compressTimeBase: parseTimeBase(raw.trunk_compress_binlog_time_base ?? '03:00'),
    binlogMaxBackups: int('trunk_binlog_max_backups', 0),
    deleteUnused: rawBool(raw.delete_unused_trunk_files),
    initCheckOccupying: rawBool(raw.trunk_init_check_occupying),
  };
}
