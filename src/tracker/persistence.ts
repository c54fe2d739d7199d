// Keeps the cluster model in <base_path>/data (spec §11.4): loads it at start (storages OFFLINE until they
// JOIN), rewrites the files via temp + rename soon after status/membership changes, and installs fetched files.
import { mkdirSync, readFileSync } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { StorageStatus, type StorageStatusCode } from '../protocol/codes.js';
import { emptyStorageStats } from '../protocol/tracker-list.js';
import type { Logger } from '../log.js';
import type { Cluster } from './cluster.js';
import { Group } from './group.js';
import { StorageNode } from './storage-node.js';
import {
  CHANGELOG_FILE, GROUPS_FILE, SERVERS_FILE, STORAGE_FILE_STATS, SYNC_TIMESTAMP_FILE, TRACKER_STATUS_FILE,
  emptyFileStats, formatGroupsFile, formatServersFile, formatSyncTimestamps, formatTrackerStatus, parseGroupsFile,
  parseServersFile, parseSyncTimestamps, parseTrackerStatus, type SysStorage, type TrackerStatusFile,
} from './sys-files.js';

/** The files 61/62/63 transfer, by index (spec §8.9). */
export const SYS_FILE_NAMES = [GROUPS_FILE, SERVERS_FILE, SYNC_TIMESTAMP_FILE, CHANGELOG_FILE] as const;

/** Seconds between .tracker_status rewrites (stock TRACKER_SYNC_STATUS_FILE_INTERVAL). */
export const STATUS_FILE_INTERVAL = 300;

const S = StorageStatus;
/** Statuses restored as they were; every other one becomes OFFLINE until the storage JOINs again. */
const KEPT_ON_LOAD = new Set<number>([S.Init, S.WaitSync, S.Syncing]);

function persisted(s: StorageNode): boolean {
  return s.status !== S.Deleted && s.status !== S.IpChanged;
}

/** The four data files' text for the current model. */
export function renderSysFiles(cluster: Cluster, useStorageId: boolean): string[] {
  const groups = cluster.sortedGroups();
  const storages: SysStorage[] = [];
  const sync: string[] = [];
  for (const g of groups) {
    const members = g.sorted().filter(persisted);
    for (const s of members) {
      const stats = emptyFileStats();
      for (const [, k] of STORAGE_FILE_STATS) stats[k] = s.stats[k];
      stats.lastSourceUpdate = s.lastSourceUpdate;
      stats.lastSyncUpdate = s.lastSyncUpdate;
      stats.lastSyncedTimestamp = s.lastSyncedTimestamp;
      stats.lastHeartBeatTime = s.lastHeartBeatTime;
      storages.push({
        group: g.name, id: s.id, ipAddr: s.ip, status: s.status, version: s.version, joinTime: s.joinTime,
        storagePort: s.port, syncSrcServer: s.syncSrcId, syncUntilTimestamp: s.syncUntilTimestamp,
        totalMb: s.totalMb, freeMb: s.freeMb, changelogOffset: s.changelogOffset, storePathCount: s.storePathCount,
        subdirCountPerPath: s.subdirCountPerPath, uploadPriority: s.uploadPriority, stats,
      });
      sync.push(formatSyncTimestamps([{
        group: g.name, id: s.id, timestamps: members.map((m) => (m === s ? 0 : s.syncFrom.get(m.id) ?? 0)),
      }]));
    }
  }
  return [
    formatGroupsFile(groups.map((g) => ({
      name: g.name, storagePort: g.storagePort, storePathCount: g.storePathCount, subdirCountPerPath: g.subdirCountPerPath,
      currentTrunkFileId: g.trunk.currentFileId, trunkServer: g.trunk.serverId, lastTrunkServer: g.trunk.lastServerId,
    }))),
    formatServersFile(storages, useStorageId),
    sync.join(''),
    cluster.changelog,
  ];
}

/** Replace the model with the content of the four files (missing ones count as empty). */
export function restoreCluster(cluster: Cluster, files: Array<string | undefined>): { groups: number; storages: number } {
  const [groupsText, serversText, syncText, changelog] = files;
  cluster.groups.clear();
  for (const g of parseGroupsFile(groupsText ?? '')) {
    const group = new Group(g.name);
    group.storagePort = g.storagePort;
    group.storePathCount = g.storePathCount;
    group.subdirCountPerPath = g.subdirCountPerPath;
    group.trunk.currentFileId = Math.max(0, g.currentTrunkFileId);
    group.trunk.lastServerId = g.trunkServer || g.lastTrunkServer;
    cluster.groups.set(g.name, group);
  }
  let count = 0;
  for (const r of parseServersFile(serversText ?? '')) {
    let group = cluster.groups.get(r.group);
    if (!group) {
      group = new Group(r.group);
      group.storagePort = r.storagePort;
      cluster.groups.set(r.group, group);
    }
    // Restore path: the loaded status is the node's first one, not a transition (nothing is emitted).
    const restored = (KEPT_ON_LOAD.has(r.status) ? r.status : S.Offline) as StorageStatusCode;
    const s = new StorageNode(r.id, r.ipAddr || r.id, r.group, r.storagePort, restored);
    s.version = r.version;
    s.joinTime = r.joinTime;
    s.syncSrcId = r.syncSrcServer;
    s.syncUntilTimestamp = r.syncUntilTimestamp;
    s.paths = r.totalMb > 0 ? [{ totalMb: r.totalMb, freeMb: r.freeMb }] : [];
    s.changelogOffset = r.changelogOffset;
    s.storePathCount = r.storePathCount || 1;
    s.subdirCountPerPath = r.subdirCountPerPath;
    s.uploadPriority = r.uploadPriority;
    s.stats = { ...emptyStorageStats(), ...r.stats };
    s.lastSourceUpdate = r.stats.lastSourceUpdate;
    s.lastSyncUpdate = r.stats.lastSyncUpdate;
    s.lastSyncedTimestamp = r.stats.lastSyncedTimestamp;
    s.lastHeartBeatTime = r.stats.lastHeartBeatTime;
    group.storages.set(s.id, s);
    group.touch();
    count++;
  }
  for (const row of parseSyncTimestamps(syncText ?? '')) {
    const group = cluster.groups.get(row.group);
    const dest = group?.storages.get(row.id);
    if (!group || !dest) continue;
    const columns = group.sorted().filter(persisted);
    row.timestamps.forEach((ts, i) => {
      const src = columns[i];
      if (src && src !== dest && ts > 0) dest.syncFrom.set(src.id, ts);
    });
  }
  cluster.changelog = changelog ?? '';
  return { groups: cluster.groups.size, storages: count };
}

/** Write a file whole: temp file, fsync, rename. */
export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(data);
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}

export interface PersistenceOptions {
  basePath: string;
  useStorageId: boolean;
  log: Logger;
  /** Process start (Unix seconds). */
  upTime: number;
  /** Soonest rewrite after a change. @default 1000 */
  throttleMs?: number;
  /** Rewrite anyway (counters, disk usage, sync progress) this often. @default 60000 */
  periodicMs?: number;
}

export class Persistence {
  readonly dataDir: string;
  /** The previous run's .tracker_status (zeros when there was none). */
  readonly last: TrackerStatusFile;
  /** What each file holds on disk ('\0': unknown or missing, write it). */
  private written: string[] = ['\0', '\0', '\0', '\0'];
  private dirty = false;
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private periodic: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  /** Held between 61 and 62: the files must not change while a peer reads them. */
  private lockedBy: object | null = null;
  private readonly log: Logger;

  constructor(private readonly cluster: Cluster, private readonly opts: PersistenceOptions) {
    this.dataDir = path.join(opts.basePath, 'data');
    this.log = opts.log;
    mkdirSync(this.dataDir, { recursive: true });
    let last: TrackerStatusFile = { upTime: 0, lastCheckTime: 0 };
    try {
      last = parseTrackerStatus(readFileSync(path.join(this.dataDir, TRACKER_STATUS_FILE), 'utf8'));
    } catch {
      // first start
    }
    this.last = last;
  }

  file(index: number): string {
    return path.join(this.dataDir, SYS_FILE_NAMES[index]!);
  }

  /** Load the data files into the (empty) model. */
  async load(): Promise<{ groups: number; storages: number }> {
    const texts = await Promise.all(SYS_FILE_NAMES.map((_, i) => readFile(this.file(i), 'utf8').catch(() => undefined)));
    // Missing files are created by the first flush.
    this.written = texts.map((t) => t ?? '\0');
    if (texts.every((t) => t === undefined)) return { groups: 0, storages: 0 };
    const counts = restoreCluster(this.cluster, texts);
    this.log.info(counts, 'loaded cluster state from data files');
    return counts;
  }

  /** Start writing: .tracker_status now and every 300 s, the model after changes. */
  async start(): Promise<void> {
    await this.writeStatus();
    this.schedule(0);
    this.statusTimer = setInterval(() => void this.writeStatus().catch(() => {}), STATUS_FILE_INTERVAL * 1000);
    this.statusTimer.unref();
    this.periodic = setInterval(() => this.schedule(0), this.opts.periodicMs ?? 60_000);
    this.periodic.unref();
    const mark = () => this.changed();
    this.cluster.on('status', mark);
    this.cluster.on('changed', mark);
  }

  /** A status or membership change: rewrite soon (throttled). */
  changed(): void {
    this.dirty = true;
    this.schedule(this.opts.throttleMs ?? 1000);
  }

  private schedule(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().catch((err) => this.log.warn({ err }, 'writing tracker data files failed'));
    }, ms);
    this.timer.unref();
  }

  /** Write whichever files changed (skipped while a peer holds the 61 lock). */
  async flush(): Promise<void> {
    if (this.lockedBy) {
      this.dirty = true;
      return;
    }
    this.dirty = false;
    await this.write();
  }

  /** Render the model and write the files whose text changed (one writer at a time). */
  private async write(): Promise<void> {
    while (this.flushing) await this.flushing.catch(() => {});
    this.flushing = (async () => {
      const texts = renderSysFiles(this.cluster, this.opts.useStorageId);
      for (let i = 0; i < texts.length; i++) {
        if (texts[i] === this.written[i]) continue;
        await writeFileAtomic(this.file(i), texts[i]!);
        this.written[i] = texts[i]!;
      }
    })();
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  async writeStatus(): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    await writeFileAtomic(path.join(this.dataDir, TRACKER_STATUS_FILE), formatTrackerStatus({ upTime: this.opts.upTime, lastCheckTime: now }));
  }

  /** 61: write every file (even unchanged or empty ones) and take the lock for `owner`. */
  async lock(owner: object): Promise<boolean> {
    if (this.lockedBy && this.lockedBy !== owner) return false;
    this.lockedBy = owner;
    this.written = this.written.map(() => '\0');
    try {
      await this.write();
    } catch (err) {
      this.unlock(owner);
      throw err;
    }
    return true;
  }

  /** 62 or the connection closed. */
  unlock(owner: object): void {
    if (this.lockedBy !== owner) return;
    this.lockedBy = null;
    if (this.dirty) this.schedule(0);
  }

  /** Replace our files and model with a peer's (system-data transfer). */
  async install(files: Buffer[]): Promise<{ groups: number; storages: number }> {
    for (let i = 0; i < SYS_FILE_NAMES.length; i++) await writeFileAtomic(this.file(i), files[i] ?? Buffer.alloc(0));
    const texts = files.map((b) => b.toString('utf8'));
    const counts = restoreCluster(this.cluster, texts);
    this.written = texts;
    return counts;
  }

  async stop(): Promise<void> {
    for (const t of [this.timer, this.periodic, this.statusTimer]) if (t) clearTimeout(t);
    this.timer = this.periodic = this.statusTimer = null;
    this.lockedBy = null;
    await this.flush().catch((err) => this.log.warn({ err }, 'writing tracker data files failed'));
    await this.writeStatus().catch(() => {});
    await Promise.all(SYS_FILE_NAMES.map((_, i) => rm(`${this.file(i)}.tmp`, { force: true })));
  }
}
