import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StatsKeeper, statKey } from '../../../../src/storage/store/stats.js';
import { InitFlag } from '../../../../src/storage/store/init-flag.js';
import { decodeStatBlock } from '../../../../src/protocol/tracker-list.js';
import { KeyedLock } from '../../../../src/storage/store/locks.js';

const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'fdfs-stats-'));

describe('StatsKeeper', () => {
  it('uses the stock storage_stat.dat key names', () => {
    expect(statKey('totalUploadCount')).toBe('total_upload_count');
    expect(statKey('successSetMetaCount')).toBe('success_set_meta_count');
    expect(statKey('lastSourceUpdate')).toBe('last_source_update');
  });

  it('each operation counts in its own fields of the stat block, and nowhere else', () => {
    const ops = ['Upload', 'Append', 'Modify', 'Truncate', 'SetMeta', 'Delete', 'Download', 'GetMeta', 'CreateLink', 'DeleteLink'] as const;
    for (const op of ops) {
      const s = new StatsKeeper(null);
      s.begin(op);
      s.success(op);
      s.success(op);
      const changed = Object.entries(s.stats).filter(([, v]) => v !== 0);
      expect(Object.fromEntries(changed)).toEqual({ [`total${op}Count`]: 1, [`success${op}Count`]: 2 });
    }
    for (const op of ['Upload', 'Append', 'Modify', 'Download', 'SyncIn', 'SyncOut'] as const) {
      const s = new StatsKeeper(null);
      s.bytes(op, 7, 5);
      const changed = Object.entries(s.stats).filter(([, v]) => v !== 0);
      expect(Object.fromEntries(changed)).toEqual({ [`total${op}Bytes`]: 7, [`success${op}Bytes`]: 5 });
    }
  });

  it('counts operations, bumps its version and encodes the 348-byte block', () => {
    const s = new StatsKeeper(path.join(tmp(), 'storage_stat.dat'));
    const v0 = s.version;
    s.begin('Upload');
    s.bytes('Upload', 29, 29);
    s.success('Upload', 1795289211);
    s.begin('Download');
    s.fileOpen(true);
    s.fileRead(false);
    expect(s.version).toBeGreaterThan(v0);
    const block = decodeStatBlock(s.statBlock({ alloc: 5, current: 2, max: 3 }));
    expect(block).toMatchObject({
      connectionAllocCount: 5, connectionCurrentCount: 2, connectionMaxCount: 3,
      totalUploadCount: 1, successUploadCount: 1, totalUploadBytes: 29, successUploadBytes: 29,
      totalDownloadCount: 1, successDownloadCount: 0, totalFileOpenCount: 1, successFileOpenCount: 1,
      totalFileReadCount: 1, successFileReadCount: 0, lastSourceUpdate: 1795289211, lastSyncedTimestamp: 0, lastHeartBeatTime: 0,
    });
  });

  it('persists counters and the directory rotation, and loads them back', async () => {
    const file = path.join(tmp(), 'storage_stat.dat');
    const s = new StatsKeeper(file);
    s.begin('Delete');
    s.success('Delete', 100);
    Object.assign(s.dist, { high: 2, low: 7, count: 42 });
    await s.save();
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^total_delete_count=1$/m);
    expect(text).toMatch(/^success_delete_count=1$/m);
    expect(text).toMatch(/^last_source_update=100$/m);
    expect(text).toMatch(/^dist_path_index_high=2\ndist_path_index_low=7\ndist_write_file_count=42$/m);
    expect(text).not.toMatch(/last_heart_beat_time/);
    const t = new StatsKeeper(file);
    await t.load();
    expect(t.stats.totalDeleteCount).toBe(1);
    expect(t.stats.lastSourceUpdate).toBe(100);
    expect(t.dist).toEqual({ high: 2, low: 7, count: 42 });
  });
});

describe('InitFlag', () => {
  it('creates the file on a first start and keeps the join time afterwards', async () => {
    const file = path.join(tmp(), '.data_init_flag');
    const a = new InitFlag(file);
    await a.load(1795290676, 23000);
    expect(a.firstStart).toBe(true);
    expect(a.syncOldDone).toBe(false);
    await a.setSyncPlan('10.77.1.2', 1795290693);
    await a.setIp('10.77.1.3');
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n').slice(0, 6)).toEqual([
      'storage_join_time=1795290676', 'sync_old_done=1', 'sync_src_server=10.77.1.2',
      'sync_until_timestamp=1795290693', 'last_ip_addr=10.77.1.3', 'last_server_port=23000',
    ]);
    const b = new InitFlag(file);
    await b.load(1795299999, 23000);
    expect(b.firstStart).toBe(false);
    expect(b.data.storageJoinTime).toBe(1795290676);
    expect(b.data.syncSrcServer).toBe('10.77.1.2');
  });

  it('an empty source means nothing to sync (until 0)', async () => {
    const file = path.join(tmp(), '.data_init_flag');
    writeFileSync(file, 'garbage');
    const f = new InitFlag(file);
    await f.load(5, 23000);
    expect(f.firstStart).toBe(true);
    await f.setSyncPlan('', 123);
    expect(f.data).toMatchObject({ syncOldDone: true, syncSrcServer: '', syncUntilTimestamp: 0 });
  });
});

describe('KeyedLock', () => {
  it('serialises one key and lets others run', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    const slow = (tag: string, ms: number) => async () => {
      order.push(`${tag}+`);
      await new Promise((r) => setTimeout(r, ms));
      order.push(`${tag}-`);
    };
    await Promise.all([lock.run('a', slow('a1', 30)), lock.run('a', slow('a2', 1)), lock.run('b', slow('b1', 5))]);
    expect(order.indexOf('a1-')).toBeLessThan(order.indexOf('a2+'));
    expect(order.indexOf('b1+')).toBeLessThan(order.indexOf('a1-'));
    expect(lock.size).toBe(0);
  });
});
