// Trunk binlog compaction on a schedule (compactNow) and its backups (trunk_binlog_max_backups): the old file
// kept as binlog.YYYYMMDDHHMMSS, the oldest beyond the max deleted, other files in data/trunk left alone.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, writeSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { child } from '../../../../src/log.js';
import { TrunkCompactor, type CompactorDeps } from '../../../../src/storage/trunk/compactor.js';
import { backupName, listBackups } from '../../../../src/storage/trunk/binlog-backups.js';

const log = child({ test: 'compactor-upkeep' });
let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-compact-'));
  file = path.join(dir, 'binlog');
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, [
    '1700000000 A 0 0 0 1 0 4194304',
    '1700000001 D 0 0 0 1 0 4194304', '1700000001 A 0 0 0 1 512 4193792', '1700000001 A 0 0 0 1 0 512',
    '1700000002 D 0 0 0 1 0 512',
  ].join('\n') + '\n');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function compactor(over: Partial<CompactorDeps> = {}): TrunkCompactor {
  return new TrunkCompactor({
    file, log, isTrunkServer: () => true, minIntervalSec: () => 0, holdWriters: async () => () => {}, reopenOwn: () => {},
    ...over,
  });
}

describe('scheduled trunk binlog compaction', () => {
  it('compacts whatever the size, and not again while the file is unchanged', async () => {
    const c = compactor();
    await c.compactNow();
    expect(c.compactions).toBe(1);
    expect(readFileSync(file, 'latin1').trim().split('\n').map((l) => l.split(' ').slice(1).join(' '))).toEqual(['A 0 0 0 1 512 4193792']);
    await c.compactNow();
    expect(c.compactions).toBe(1);
    appendFileSync(file, '1700000003 A 0 0 0 1 0 512\n');
    await c.compactNow();
    expect(c.compactions).toBe(2);
  });

  it('honours trunk_compress_binlog_min_interval and stays off when not the trunk server', async () => {
    const c = compactor({ minIntervalSec: () => 3600 });
    await c.compactNow();
    appendFileSync(file, '1700000003 A 0 0 0 1 0 512\n');
    await c.compactNow();
    expect(c.compactions).toBe(1);
    const off = compactor({ isTrunkServer: () => false });
    await off.compactNow();
    expect(off.compactions).toBe(0);
  });

  it('replays the file before holding the writers, then only what they wrote meanwhile: the result is the whole replay', async () => {
    const records = (text: string) => text.trim().split('\n').map((l) => l.split(' ').slice(1).join(' ')).sort();
    /** A compactor whose writers, asked to hold, first do `meanwhile` to the file. */
    const whileHolding = (meanwhile: () => void) => compactor({
      holdWriters: async () => {
        meanwhile();
        return () => {};
      },
    });

    // A worker writes while the compactor waits for the writers: a torn line first, completed before the hold.
    appendFileSync(file, '1700000003 A 0 0 0 2 0 4194304\n');
    await whileHolding(() => {
      appendFileSync(file, '1700000003 D 0 0 0 1 512 4096\n1700000003 A 0 0 0 1 4608');
      appendFileSync(file, ' 4189696\n');
    }).compactNow();
    expect(records(readFileSync(file, 'latin1'))).toEqual(['A 0 0 0 1 4608 4189696', 'A 0 0 0 2 0 4194304']);

    // What lay in the file before the hold was replayed before it: a probe that rewrites an early line in place
    // (nothing does in use) while the writers are held is not seen.
    writeFileSync(file, '1700000006 A 0 0 0 5 0 4194304\n1700000006 A 0 0 0 6 0 4194304\n');
    await whileHolding(() => {
      const fd = openSync(file, 'r+');
      writeSync(fd, '1700000009 A 0 0 0 7 0 4194304', 0); // same length as the line it replaces
      closeSync(fd);
    }).compactNow();
    expect(records(readFileSync(file, 'latin1'))).toEqual(['A 0 0 0 5 0 4194304', 'A 0 0 0 6 0 4194304']);

    // The file replaced meanwhile (another compaction, a new copy): replayed whole while the writers are held.
    appendFileSync(file, '1700000004 A 0 0 0 9 0 512\n');
    await whileHolding(() => {
      writeFileSync(`${file}.new`, '1700000004 A 0 0 0 3 0 4194304\n');
      renameSync(`${file}.new`, file);
    }).compactNow();
    expect(records(readFileSync(file, 'latin1'))).toEqual(['A 0 0 0 3 0 4194304']);

    // No longer the trunk server when the writers are held: nothing is compacted.
    let trunkServer = true;
    const demoted = compactor({ isTrunkServer: () => trunkServer, holdWriters: async () => { trunkServer = false; return () => {}; } });
    appendFileSync(file, '1700000005 D 0 0 0 3 0 4194304\n');
    const size = statSync(file).size;
    await demoted.compactNow();
    expect(demoted.compactions).toBe(0);
    expect(statSync(file).size).toBe(size);
  });

  it('journals what beforeSwap writes into the compacted file (unused trunk files dropped first)', async () => {
    const c = compactor({ beforeSwap: () => appendFileSync(file, '1700000004 D 0 0 0 1 512 4193792\n') });
    await c.compactNow();
    expect(readFileSync(file, 'latin1')).toBe('');
  });
});

describe('trunk binlog backups (trunk_binlog_max_backups)', () => {
  it('names them binlog.YYYYMMDDHHMMSS in local time', () => {
    expect(backupName('/x/binlog', new Date(2026, 11, 3, 9, 5, 7))).toBe('/x/binlog.20261203090507');
  });

  it('keeps the old binlog, deletes the oldest beyond the max, and leaves other files alone', async () => {
    const old = readFileSync(file, 'latin1');
    const oldIno = statSync(file).ino;
    writeFileSync(`${file}.20200101000000`, 'oldest\n');
    writeFileSync(`${file}.20210101000000`, 'older\n');
    writeFileSync(`${file}.rollback`, 'stock leftover\n');
    writeFileSync(`${file}.2021`, 'not a backup\n');
    const c = compactor({ maxBackups: () => 2 });
    await c.compactNow();
    const backups = listBackups(file).map((f) => path.basename(f));
    expect(backups.length).toBe(2);
    expect(backups[0]).toBe('binlog.20210101000000');
    expect(backups[1]).toMatch(/^binlog\.\d{14}$/);
    expect(readFileSync(path.join(dir, backups[1]!), 'latin1')).toBe(old);
    expect(statSync(path.join(dir, backups[1]!)).ino).toBe(oldIno);
    // The live binlog is another file now (the pusher sees a new inode and resends from the start).
    expect(statSync(file).ino).not.toBe(oldIno);
    expect(existsSync(`${file}.rollback`) && existsSync(`${file}.2021`)).toBe(true);
    expect(readdirSync(dir).filter((n) => n.endsWith('.compact'))).toEqual([]);
  });

  it('keeps none with trunk_binlog_max_backups = 0', async () => {
    const c = compactor({ maxBackups: () => 0 });
    await c.compactNow();
    expect(listBackups(file)).toEqual([]);
  });
});
