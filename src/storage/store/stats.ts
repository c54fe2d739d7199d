// The storage's counters (the stat block of spec §8.5.1) and the round-robin directory state (§6.2), kept in
// memory and persisted to `<base_path>/data/storage_stat.dat` every `sync_stat_file_interval` and at stop.
import { readFile } from 'node:fs/promises';
import type { Logger } from '../../log.js';
import { STAT_I64_FIELDS, emptyStorageStats, encodeStatBlock, type StatI64Field, type StorageStats } from '../../protocol/tracker-list.js';
import { formatStorageStatFile, parseStorageStatFile } from '../../protocol/binlog-format.js';
import { writeFileAtomic } from './file-writer.js';

/** Operations with a total/success count pair in the stat block. */
export type StatOp = 'Upload' | 'Append' | 'Modify' | 'Truncate' | 'SetMeta' | 'Delete' | 'Download' | 'GetMeta'
  | 'CreateLink' | 'DeleteLink';
/** Operations with a total/success byte pair. */
export type ByteOp = 'Upload' | 'Append' | 'Modify' | 'Download' | 'SyncIn' | 'SyncOut';

/** Round-robin position of file_distribute_path_mode 0. */
export interface DistState {
  high: number;
  low: number;
  count: number;
}

// The field names per operation, as literals: a key made by a template on every request is a new string that V8
// looks up in its string table before each property access (perf showed it on every upload).
const TOTAL_COUNT: Record<StatOp, StatI64Field> = {
  Upload: 'totalUploadCount', Append: 'totalAppendCount', Modify: 'totalModifyCount', Truncate: 'totalTruncateCount',
  SetMeta: 'totalSetMetaCount', Delete: 'totalDeleteCount', Download: 'totalDownloadCount', GetMeta: 'totalGetMetaCount',
  CreateLink: 'totalCreateLinkCount', DeleteLink: 'totalDeleteLinkCount',
};
const SUCCESS_COUNT: Record<StatOp, StatI64Field> = {
  Upload: 'successUploadCount', Append: 'successAppendCount', Modify: 'successModifyCount', Truncate: 'successTruncateCount',
  SetMeta: 'successSetMetaCount', Delete: 'successDeleteCount', Download: 'successDownloadCount',
  GetMeta: 'successGetMetaCount', CreateLink: 'successCreateLinkCount', DeleteLink: 'successDeleteLinkCount',
};
const TOTAL_BYTES: Record<ByteOp, StatI64Field> = {
  Upload: 'totalUploadBytes', Append: 'totalAppendBytes', Modify: 'totalModifyBytes', Download: 'totalDownloadBytes',
  SyncIn: 'totalSyncInBytes', SyncOut: 'totalSyncOutBytes',
};
const SUCCESS_BYTES: Record<ByteOp, StatI64Field> = {
  Upload: 'successUploadBytes', Append: 'successAppendBytes', Modify: 'successModifyBytes', Download: 'successDownloadBytes',
  SyncIn: 'successSyncInBytes', SyncOut: 'successSyncOutBytes',
};

/** Fields sent as 0 and not persisted (the tracker computes them). */
const NOT_PERSISTED = new Set<StatI64Field>(['lastSyncedTimestamp', 'lastHeartBeatTime']);

/** totalUploadCount → total_upload_count (the storage_stat.dat key). */
export function statKey(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export class StatsKeeper {
  readonly stats: StorageStats = emptyStorageStats();
  readonly dist: DistState = { high: 0, low: 0, count: 0 };
  /** Bumped on every change; the tracker reporter sends the block when it moved. */
  version = 0;
  private savedVersion = -1;
  private timer: NodeJS.Timeout | null = null;

  /** `file` null: counters kept only in memory (a worker process; its owner persists the merged ones). */
  constructor(private readonly file: string | null, private readonly log?: Logger) {}

  async load(): Promise<void> {
    if (this.file === null) return;
    const text = await readFile(this.file, 'utf8').catch(() => null);
    if (text === null) return;
    const kv = parseStorageStatFile(text);
    for (const f of STAT_I64_FIELDS) {
      if (NOT_PERSISTED.has(f)) continue;
      const v = kv[statKey(f)];
      if (v !== undefined && Number.isSafeInteger(v) && v >= 0) this.stats[f] = v;
    }
    this.dist.high = kv.dist_path_index_high ?? 0;
    this.dist.low = kv.dist_path_index_low ?? 0;
    this.dist.count = kv.dist_write_file_count ?? 0;
    this.savedVersion = this.version;
  }

  /** Persist every `seconds`. */
  startAutoSave(seconds: number): void {
    this.timer = setInterval(() => void this.save().catch((err) => this.log?.warn({ err }, 'cannot save storage_stat.dat')),
      Math.max(1, seconds) * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.save(true);
  }

  async save(force = false): Promise<void> {
    if (this.file === null || (!force && this.savedVersion === this.version)) return;
    const v = this.version;
    const counters: Record<string, number> = {};
    for (const f of STAT_I64_FIELDS) if (!NOT_PERSISTED.has(f)) counters[statKey(f)] = this.stats[f];
    counters.dist_path_index_high = this.dist.high;
    counters.dist_path_index_low = this.dist.low;
    counters.dist_write_file_count = this.dist.count;
    await writeFileAtomic(this.file, formatStorageStatFile(counters));
    this.savedVersion = v;
  }

  private bump(): void {
    this.version++;
  }

  /** Counters a worker process gathered: counts are added, times (`timeFields`) keep the newest. */
  merge(delta: Partial<Record<StatI64Field, number>>, timeFields: ReadonlySet<StatI64Field>): void {
    for (const [f, v] of Object.entries(delta) as Array<[StatI64Field, number]>) {
      this.stats[f] = timeFields.has(f) ? Math.max(this.stats[f], v) : this.stats[f] + v;
    }
    this.bump();
  }

  /** A request of `op` started. */
  begin(op: StatOp): void {
    this.stats[TOTAL_COUNT[op]]++;
    this.bump();
  }

  /** A request of `op` succeeded; `sourceUpdate` marks a change made here as the source (Unix seconds). */
  success(op: StatOp, sourceUpdate?: number): void {
    this.stats[SUCCESS_COUNT[op]]++;
    if (sourceUpdate !== undefined) this.stats.lastSourceUpdate = Math.max(this.stats.lastSourceUpdate, sourceUpdate);
    this.bump();
  }

  /** A change made here as the source outside the counted operations (e.g. 38 REGENERATE). */
  sourceUpdate(ts: number): void {
    this.stats.lastSourceUpdate = Math.max(this.stats.lastSourceUpdate, ts);
    this.bump();
  }

  bytes(op: ByteOp, total: number, success: number): void {
    this.stats[TOTAL_BYTES[op]] += total;
    this.stats[SUCCESS_BYTES[op]] += success;
    this.bump();
  }

  fileOpen(ok: boolean): void {
    this.stats.totalFileOpenCount++;
    if (ok) this.stats.successFileOpenCount++;
    this.bump();
  }

  fileRead(ok: boolean): void {
    this.stats.totalFileReadCount++;
    if (ok) this.stats.successFileReadCount++;
    this.bump();
  }

  fileWrite(ok: boolean): void {
    this.stats.totalFileWriteCount++;
    if (ok) this.stats.successFileWriteCount++;
    this.bump();
  }

  /** Directory rotation changed (persisted with the counters). */
  distChanged(): void {
    this.bump();
  }

  /** The 348-byte block for BEAT, with the live connection counters. */
  statBlock(conn: { alloc: number; current: number; max: number }): Buffer {
    return encodeStatBlock({
      ...this.stats,
      connectionAllocCount: conn.alloc,
      connectionCurrentCount: conn.current,
      connectionMaxCount: conn.max,
      lastSyncedTimestamp: 0,
      lastHeartBeatTime: 0,
    });
  }
}
