// The tracker's files under <base_path>/data (spec §11.4) in the stock text formats: storage_groups_new.dat,
// storage_servers_new.dat, storage_sync_timestamp.dat, storage_changelog.dat and .tracker_status.
import type { StorageStats } from '../protocol/tracker-list.js';

/** Index order of 63 GET_ONE_SYS_FILE (spec §8.9). */
export const GROUPS_FILE = 'storage_groups_new.dat';
export const SERVERS_FILE = 'storage_servers_new.dat';
export const SYNC_TIMESTAMP_FILE = 'storage_sync_timestamp.dat';
export const CHANGELOG_FILE = 'storage_changelog.dat';
export const TRACKER_STATUS_FILE = '.tracker_status';

export interface SysGroup {
  name: string;
  storagePort: number;
  storePathCount: number;
  subdirCountPerPath: number;
  currentTrunkFileId: number;
  trunkServer: string;
  lastTrunkServer: string;
}

/** Counters as stored per storage: the stock file keeps these 36 (no modify/truncate counters). */
export const STORAGE_FILE_STATS = [
  ['total_upload_count', 'totalUploadCount'], ['success_upload_count', 'successUploadCount'],
  ['total_append_count', 'totalAppendCount'], ['success_append_count', 'successAppendCount'],
  ['total_set_meta_count', 'totalSetMetaCount'], ['success_set_meta_count', 'successSetMetaCount'],
  ['total_delete_count', 'totalDeleteCount'], ['success_delete_count', 'successDeleteCount'],
  ['total_download_count', 'totalDownloadCount'], ['success_download_count', 'successDownloadCount'],
  ['total_get_meta_count', 'totalGetMetaCount'], ['success_get_meta_count', 'successGetMetaCount'],
  ['total_create_link_count', 'totalCreateLinkCount'], ['success_create_link_count', 'successCreateLinkCount'],
  ['total_delete_link_count', 'totalDeleteLinkCount'], ['success_delete_link_count', 'successDeleteLinkCount'],
  ['total_upload_bytes', 'totalUploadBytes'], ['success_upload_bytes', 'successUploadBytes'],
  ['total_append_bytes', 'totalAppendBytes'], ['success_append_bytes', 'successAppendBytes'],
  ['total_download_bytes', 'totalDownloadBytes'], ['success_download_bytes', 'successDownloadBytes'],
  ['total_sync_in_bytes', 'totalSyncInBytes'], ['success_sync_in_bytes', 'successSyncInBytes'],
  ['total_sync_out_bytes', 'totalSyncOutBytes'], ['success_sync_out_bytes', 'successSyncOutBytes'],
  ['total_file_open_count', 'totalFileOpenCount'], ['success_file_open_count', 'successFileOpenCount'],
  ['total_file_read_count', 'totalFileReadCount'], ['success_file_read_count', 'successFileReadCount'],
  ['total_file_write_count', 'totalFileWriteCount'], ['success_file_write_count', 'successFileWriteCount'],
  ['last_source_update', 'lastSourceUpdate'], ['last_sync_update', 'lastSyncUpdate'],
  ['last_synced_timestamp', 'lastSyncedTimestamp'], ['last_heart_beat_time', 'lastHeartBeatTime'],
] as const satisfies ReadonlyArray<readonly [string, keyof StorageStats]>;

export type StorageFileStatKey = (typeof STORAGE_FILE_STATS)[number][1];
export type StorageFileStats = Record<StorageFileStatKey, number>;

export interface SysStorage {
  group: string;
  /** Server id; equals ipAddr unless use_storage_id (then written as `id=`). */
  id: string;
  ipAddr: string;
  status: number;
  version: string;
  joinTime: number;
  storagePort: number;
  syncSrcServer: string;
  syncUntilTimestamp: number;
  totalMb: number;
  freeMb: number;
  changelogOffset: number;
  storePathCount: number;
  subdirCountPerPath: number;
  uploadPriority: number;
  stats: StorageFileStats;
}

export interface SyncTimestampRow {
  group: string;
  /** The destination storage. */
  id: string;
  /** Newest source timestamp it received from each member, in the group's storage order (own column 0). */
  timestamps: number[];
}

export interface ChangelogEntry {
  timestamp: number;
  group: string;
  id: string;
  status: number;
  newId: string;
}

export interface TrackerStatusFile {
  upTime: number;
  lastCheckTime: number;
}

export function emptyFileStats(): StorageFileStats {
  const s = {} as StorageFileStats;
  for (const [, k] of STORAGE_FILE_STATS) s[k] = 0;
  return s;
}

/** libfastcommon INI subset: `[section]`, `key=value` (whitespace trimmed), `#` comments. */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>([['', new Map()]]);
  let current = sections.get('')!;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const sec = /^\[([^\]]*)\]$/.exec(line);
    if (sec) {
      current = sections.get(sec[1]!) ?? new Map();
      sections.set(sec[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return sections;
}

function int(v: string | undefined): number {
  const n = Number.parseInt(v ?? '', 10);
  return Number.isFinite(n) ? n : 0;
}

function section(prefix: string, n: number): string {
  return `${prefix}${String(n).padStart(3, '0')}`;
}

// ---------------------------------------------------------------- storage_groups_new.dat

export function formatGroupsFile(groups: SysGroup[]): string {
  let out = `[Global]\n\tgroup_count=${groups.length}\n\n`;
  groups.forEach((g, i) => {
    out += `# group: ${g.name}\n[${section('Group', i + 1)}]\n` +
      `\tgroup_name=${g.name}\n\tstorage_port=${g.storagePort}\n\tstore_path_count=${g.storePathCount}\n` +
      `\tsubdir_count_per_path=${g.subdirCountPerPath}\n\tcurrent_trunk_file_id=${g.currentTrunkFileId}\n` +
      `\ttrunk_server=${g.trunkServer}\n\tlast_trunk_server=${g.lastTrunkServer}\n\n`;
  });
  return out;
}

export function parseGroupsFile(text: string): SysGroup[] {
  const ini = parseIni(text);
  const count = int(ini.get('Global')?.get('group_count'));
  const out: SysGroup[] = [];
  for (let i = 1; i <= count; i++) {
    const s = ini.get(section('Group', i));
    const name = s?.get('group_name');
    if (!s || !name) throw new Error(`${GROUPS_FILE}: [${section('Group', i)}] has no group_name`);
    out.push({
      name,
      storagePort: int(s.get('storage_port')),
      storePathCount: int(s.get('store_path_count')),
      subdirCountPerPath: int(s.get('subdir_count_per_path')),
      currentTrunkFileId: int(s.get('current_trunk_file_id')),
      trunkServer: s.get('trunk_server') ?? '',
      lastTrunkServer: s.get('last_trunk_server') ?? '',
    });
  }
  return out;
}

// ---------------------------------------------------------------- storage_servers_new.dat

export function formatServersFile(storages: SysStorage[], useStorageId: boolean): string {
  let out = '';
  storages.forEach((s, i) => {
    out += `# storage: ${s.ipAddr.includes(':') ? `[${s.ipAddr}]` : s.ipAddr}:${s.storagePort}\n[${section('Storage', i + 1)}]\n`;
    if (useStorageId) out += `\tid=${s.id}\n`;
    out += `\tgroup_name=${s.group}\n\tip_addr=${s.ipAddr}\n\tstatus=${s.status}\n\tversion=${s.version}\n` +
      `\tjoin_time=${s.joinTime}\n\tstorage_port=${s.storagePort}\n\tsync_src_server=${s.syncSrcServer}\n` +
      `\tsync_until_timestamp=${s.syncUntilTimestamp}\n\ttotal_mb=${s.totalMb}\n\tfree_mb=${s.freeMb}\n` +
      `\tchangelog_offset=${s.changelogOffset}\n\tstore_path_count=${s.storePathCount}\n` +
      `\tsubdir_count_per_path=${s.subdirCountPerPath}\n\tupload_priority=${s.uploadPriority}\n`;
    for (const [key, field] of STORAGE_FILE_STATS) out += `\t${key}=${s.stats[field]}\n`;
    out += '\n';
  });
  return out + `\n[Global]\n\tstorage_count=${storages.length}\n`;
}

export function parseServersFile(text: string): SysStorage[] {
  const ini = parseIni(text);
  const count = int(ini.get('Global')?.get('storage_count'));
  const out: SysStorage[] = [];
  for (let i = 1; i <= count; i++) {
    const s = ini.get(section('Storage', i));
    const group = s?.get('group_name');
    if (!s || !group) throw new Error(`${SERVERS_FILE}: [${section('Storage', i)}] has no group_name`);
    const ipAddr = s.get('ip_addr') ?? '';
    const id = s.get('id') || ipAddr;
    if (!id) throw new Error(`${SERVERS_FILE}: [${section('Storage', i)}] has neither id nor ip_addr`);
    const stats = emptyFileStats();
    for (const [key, field] of STORAGE_FILE_STATS) stats[field] = int(s.get(key));
    out.push({
      group,
      id,
      ipAddr,
      status: int(s.get('status')),
      version: s.get('version') ?? '',
      joinTime: int(s.get('join_time')),
      storagePort: int(s.get('storage_port')),
      syncSrcServer: s.get('sync_src_server') ?? '',
      syncUntilTimestamp: int(s.get('sync_until_timestamp')),
      totalMb: int(s.get('total_mb')),
      freeMb: int(s.get('free_mb')),
      changelogOffset: int(s.get('changelog_offset')),
      storePathCount: int(s.get('store_path_count')),
      subdirCountPerPath: int(s.get('subdir_count_per_path')),
      uploadPriority: int(s.get('upload_priority')),
      stats,
    });
  }
  return out;
}

// ---------------------------------------------------------------- storage_sync_timestamp.dat

export function formatSyncTimestamps(rows: SyncTimestampRow[]): string {
  return rows.map((r) => [r.group, r.id, ...r.timestamps].join(',') + '\n').join('');
}

export function parseSyncTimestamps(text: string): SyncTimestampRow[] {
  const out: SyncTimestampRow[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const [group, id, ...ts] = line.trim().split(',');
    if (!group || !id) throw new Error(`${SYNC_TIMESTAMP_FILE}: bad line "${line}"`);
    out.push({ group, id, timestamps: ts.map(int) });
  }
  return out;
}

// ---------------------------------------------------------------- storage_changelog.dat

/** One line; a delete has an empty new id, so the line ends with a space. */
export function formatChangelogEntry(e: ChangelogEntry): string {
  return `${e.timestamp} ${e.group} ${e.id} ${e.status} ${e.newId}\n`;
}

export function parseChangelog(text: string): ChangelogEntry[] {
  const out: ChangelogEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const [ts, group, id, status, newId] = line.split(' ');
    if (!ts || !group || !id || status === undefined) throw new Error(`${CHANGELOG_FILE}: bad line "${line}"`);
    out.push({ timestamp: int(ts), group, id, status: int(status), newId: newId ?? '' });
  }
  return out;
}

// ---------------------------------------------------------------- .tracker_status

export function formatTrackerStatus(s: TrackerStatusFile): string {
  return `up_time=${s.upTime}\nlast_check_time=${s.lastCheckTime}\n`;
}

export function parseTrackerStatus(text: string): TrackerStatusFile {
  const g = parseIni(text).get('')!;
  return { upTime: int(g.get('up_time')), lastCheckTime: int(g.get('last_check_time')) };
}
