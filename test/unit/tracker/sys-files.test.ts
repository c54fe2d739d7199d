// Tracker data files (spec §11.4): stock text captured from fdfs_trackerd 6.16.1, parse/format round trips,
// the model ↔ files mapping (statuses restored as OFFLINE), and Persistence writing/loading a base_path.
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Cluster, type JoinInfo } from '../../../src/tracker/cluster.js';
import { StorageStatus as S } from '../../../src/protocol/codes.js';
import { createLogger } from '../../../src/log.js';
import {
  formatGroupsFile, parseGroupsFile, formatServersFile, parseServersFile, formatSyncTimestamps, parseSyncTimestamps,
  formatChangelogEntry, parseChangelog, formatTrackerStatus, parseTrackerStatus,
} from '../../../src/tracker/sys-files.js';
import { Persistence, renderSysFiles, restoreCluster } from '../../../src/tracker/persistence.js';

const log = createLogger({ level: 'silent' });

// storage_groups_new.dat as fdfs_trackerd 6.16.1 wrote it (199 bytes: the size 63 transferred in §12.7.5).
const GROUPS = '[Global]\n\tgroup_count=1\n\n# group: group1\n[Group001]\n\tgroup_name=group1\n\tstorage_port=23000\n' +
  '\tstore_path_count=1\n\tsubdir_count_per_path=256\n\tcurrent_trunk_file_id=0\n\ttrunk_server=\n\tlast_trunk_server=\n\n';

const COUNTERS = ['total_upload_count', 'success_upload_count', 'total_append_count', 'success_append_count',
  'total_set_meta_count', 'success_set_meta_count', 'total_delete_count', 'success_delete_count', 'total_download_count',
  'success_download_count', 'total_get_meta_count', 'success_get_meta_count', 'total_create_link_count',
  'success_create_link_count', 'total_delete_link_count', 'success_delete_link_count', 'total_upload_bytes',
  'success_upload_bytes', 'total_append_bytes', 'success_append_bytes', 'total_download_bytes', 'success_download_bytes',
  'total_sync_in_bytes', 'success_sync_in_bytes', 'total_sync_out_bytes', 'success_sync_out_bytes', 'total_file_open_count',
  'success_file_open_count', 'total_file_read_count', 'success_file_read_count', 'total_file_write_count',
  'success_file_write_count', 'last_source_update', 'last_sync_update', 'last_synced_timestamp', 'last_heart_beat_time'];

// storage_servers_new.dat as fdfs_trackerd 6.16.1 wrote it for one storage (1,218 bytes).
const SERVERS = '# storage: 127.0.9.11:23000\n[Storage001]\n\tgroup_name=group1\n\tip_addr=127.0.9.11\n\tstatus=6\n' +
  '\tversion=6.16.1\n\tjoin_time=1795293935\n\tstorage_port=23000\n\tsync_src_server=\n\tsync_until_timestamp=0\n' +
  '\ttotal_mb=0\n\tfree_mb=0\n\tchangelog_offset=32\n\tstore_path_count=1\n\tsubdir_count_per_path=256\n\tupload_priority=10\n' +
  COUNTERS.map((k) => `\t${k}=0\n`).join('') + '\n\n[Global]\n\tstorage_count=1\n';

// §11.4 examples.
const SYNC = 'group1,10.77.1.2,0,1795291496,1795291417\ngroup1,10.77.1.3,1795291496,0,1795291496\n' +
  'group1,10.77.1.5,1795291506,1795291506,0\n';
const CHANGELOG = '1795291523 group1 10.77.1.5 4 \n';
const STATUS = 'up_time=1795291445\nlast_check_time=1795291500\n';

describe('stock data-file formats (§11.4)', () => {
  it('storage_groups_new.dat: parse and format back byte for byte', () => {
    const groups = parseGroupsFile(GROUPS);
    expect(groups).toEqual([{ name: 'group1', storagePort: 23000, storePathCount: 1, subdirCountPerPath: 256,
      currentTrunkFileId: 0, trunkServer: '', lastTrunkServer: '' }]);
    expect(formatGroupsFile(groups)).toBe(GROUPS);
    expect(Buffer.byteLength(GROUPS)).toBe(199);
  });

  it('storage_servers_new.dat: parse and format back byte for byte (with and without ids)', () => {
    expect(Buffer.byteLength(SERVERS)).toBe(1218);
    const [s, ...rest] = parseServersFile(SERVERS);
    expect(rest).toEqual([]);
    expect(s).toMatchObject({ group: 'group1', id: '127.0.9.11', ipAddr: '127.0.9.11', status: 6, version: '6.16.1',
      joinTime: 1795293935, storagePort: 23000, changelogOffset: 32, storePathCount: 1, subdirCountPerPath: 256, uploadPriority: 10 });
    expect(formatServersFile([s!], false)).toBe(SERVERS);
    const withId = formatServersFile([{ ...s!, id: 'S100001' }], true);
    expect(withId).toContain('[Storage001]\n\tid=S100001\n\tgroup_name=group1\n');
    expect(parseServersFile(withId)[0]!.id).toBe('S100001');
  });

  it('storage_sync_timestamp.dat, storage_changelog.dat and .tracker_status round trip', () => {
    const rows = parseSyncTimestamps(SYNC);
    expect(rows[1]).toEqual({ group: 'group1', id: '10.77.1.3', timestamps: [1795291496, 0, 1795291496] });
    expect(formatSyncTimestamps(rows)).toBe(SYNC);
    const [e] = parseChangelog(CHANGELOG);
    expect(e).toEqual({ timestamp: 1795291523, group: 'group1', id: '10.77.1.5', status: 4, newId: '' });
    expect(formatChangelogEntry(e!)).toBe(CHANGELOG);
    expect(parseTrackerStatus(STATUS)).toEqual({ upTime: 1795291445, lastCheckTime: 1795291500 });
    expect(formatTrackerStatus({ upTime: 1795291445, lastCheckTime: 1795291500 })).toBe(STATUS);
  });

  it('rejects a storage section without a group', () => {
    expect(() => parseServersFile('[Storage001]\n\tip_addr=1.2.3.4\n[Global]\n\tstorage_count=1\n')).toThrow(/group_name/);
  });
});

function joinInfo(group: string, ip: string, extra: Partial<JoinInfo> = {}): JoinInfo {
  return { group, id: ip, ip, storagePort: 23000, storePathCount: 1, subdirCountPerPath: 256, uploadPriority: 10,
    joinTime: 1_800_000_000, upTime: 1_800_000_000, version: '6.16.1', initFlag: true, status: 0, ...extra };
}

/** group1: .2 ACTIVE (source), .3 ACTIVE, .5 WAIT_SYNC; group2: .7 DELETED. */
function sampleCluster(): Cluster {
  const c = new Cluster(log, () => 1_800_000_100);
  const a = c.join(joinInfo('group1', '10.77.1.2'));
  c.syncDestReq(a);
  a.paths = [{ totalMb: 1000, freeMb: 600 }];
  c.heartbeat(a);
  const b = c.join(joinInfo('group1', '10.77.1.3'));
  c.syncDestReq(b);
  c.reportStatus(b, S.Syncing);
  c.reportStatus(b, S.Offline);
  c.heartbeat(b);
  const d = c.join(joinInfo('group1', '10.77.1.5'));
  c.syncDestReq(d);
  a.syncFrom.set('10.77.1.3', 1795291496);
  b.syncFrom.set('10.77.1.2', 1795291417);
  a.stats.totalUploadCount = 42;
  const x = c.join(joinInfo('group2', '10.77.1.7'));
  c.syncDestReq(x);
  c.disconnected(x);
  c.deleteStorage('group2', '10.77.1.7');
  return c;
}

describe('model ↔ data files', () => {
  it('renders the model and restores it with storages OFFLINE (sync-pending statuses kept)', () => {
    const c = sampleCluster();
    const files = renderSysFiles(c, false);
    expect(files[2]).toBe('group1,10.77.1.2,0,1795291496,0\ngroup1,10.77.1.3,1795291417,0,0\ngroup1,10.77.1.5,0,0,0\n');
    expect(files[3]).toBe('1800000100 group2 10.77.1.7 4 \n');
    expect(files[1]).not.toContain('10.77.1.7'); // deleted storages are not saved (stock)
    const r = new Cluster(log);
    expect(restoreCluster(r, files)).toEqual({ groups: 2, storages: 3 });
    const g = r.group('group1')!;
    expect(g.sorted().map((s) => [s.id, s.status])).toEqual([
      ['10.77.1.2', S.Offline], ['10.77.1.3', S.Offline], ['10.77.1.5', S.WaitSync]]);
    expect(g.storages.get('10.77.1.5')!.syncSrcId).toBe('10.77.1.2');
    expect(g.storages.get('10.77.1.2')!.syncFrom.get('10.77.1.3')).toBe(1795291496);
    expect(g.storages.get('10.77.1.2')!.stats.totalUploadCount).toBe(42);
    expect(g.storages.get('10.77.1.2')!.totalMb).toBe(1000);
    expect(r.group('group2')!.storages.size).toBe(0);
    expect(r.changelog).toBe(files[3]);
    // A restored model renders to the same files, except for the statuses.
    const again = renderSysFiles(r, false);
    expect(again[0]).toBe(files[0]);
    expect(again[2]).toBe(files[2]);
    expect(again[1]!.replace(/status=\d+/g, '')).toBe(files[1]!.replace(/status=\d+/g, ''));
  });
});

describe('Persistence', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the files via temp + rename after a change, and a new process loads them', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-tracker-persist-'));
    mkdirSync(path.join(dir, 'data'));
    writeFileSync(path.join(dir, 'data', '.tracker_status'), 'up_time=100\nlast_check_time=200\n');
    const c = new Cluster(log);
    const p = new Persistence(c, { basePath: dir, useStorageId: false, log, upTime: 1000, throttleMs: 10 });
    expect(p.last).toEqual({ upTime: 100, lastCheckTime: 200 });
    await p.start();
    expect(parseTrackerStatus(readFileSync(path.join(dir, 'data', '.tracker_status'), 'utf8')).upTime).toBe(1000);
    const n = c.join(joinInfo('group1', '10.0.0.9'));
    c.syncDestReq(n);
    c.heartbeat(n);
    for (let i = 0; i < 150 && !readdirSync(path.join(dir, 'data')).includes('storage_servers_new.dat'); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await p.stop();
    const files = readdirSync(path.join(dir, 'data')).sort();
    expect(files).toEqual(['.tracker_status', 'storage_changelog.dat', 'storage_groups_new.dat', 'storage_servers_new.dat',
      'storage_sync_timestamp.dat']);
    expect(readFileSync(path.join(dir, 'data', 'storage_servers_new.dat'), 'utf8')).toContain(`\tstatus=${S.Active}\n`);

    const c2 = new Cluster(log);
    const p2 = new Persistence(c2, { basePath: dir, useStorageId: false, log, upTime: 2000 });
    expect(await p2.load()).toEqual({ groups: 1, storages: 1 });
    expect(c2.storage('group1', '10.0.0.9')!.status).toBe(S.Offline);
    expect(p2.last.upTime).toBe(1000);
  });

  it('61 lock: writes every file, holds changes back until 62', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-tracker-persist-'));
    const c = sampleCluster();
    const p = new Persistence(c, { basePath: dir, useStorageId: false, log, upTime: 1000, throttleMs: 10 });
    const owner = {};
    expect(await p.lock(owner)).toBe(true);
    expect(await p.lock({})).toBe(false);
    const before = readFileSync(p.file(1), 'utf8');
    c.join(joinInfo('group1', '10.77.1.9'));
    p.changed();
    await new Promise((r) => setTimeout(r, 50));
    expect(readFileSync(p.file(1), 'utf8')).toBe(before);
    p.unlock(owner);
    for (let i = 0; i < 100 && !readFileSync(p.file(1), 'utf8').includes('10.77.1.9'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(readFileSync(p.file(1), 'utf8')).toContain('10.77.1.9');
    await p.stop();
  });
});
