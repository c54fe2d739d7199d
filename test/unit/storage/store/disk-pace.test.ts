// Blocking stores slower than slowMs send the next stores through the thread pool for a while (disk-pace.ts),
// and BufferedFile.publish then takes the pool's way with the same result: content, mtime, no replacing, nothing
// left behind.
import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DiskPace, diskPace, slowStoreMs } from '../../../../src/storage/store/disk-pace.js';
import { BufferedFile } from '../../../../src/storage/store/file-writer.js';
import { Errno, UsageError } from '../../../../src/errors.js';

describe('disk pace', () => {
  it('three slow stores within a second send the next ones through the pool for the pause, then blocking ones come back', async () => {
    const pace = new DiskPace(5, 100);
    expect(pace.slow).toBe(false);
    pace.took(0.2);
    expect(pace.slow).toBe(false);
    pace.took(7);
    pace.took(9);
    expect(pace.slow).toBe(false);
    pace.took(6);
    expect(pace.slow).toBe(true);
    await sleep(150);
    expect(pace.slow).toBe(false);
    expect(new DiskPace(0).slow).toBe(true);
  });

  it('FDFS_SLOW_STORE_MS: unset or empty the default, milliseconds, anything else a usage error', () => {
    expect(slowStoreMs({})).toBe(5);
    expect(slowStoreMs({ FDFS_SLOW_STORE_MS: '' })).toBe(5);
    expect(slowStoreMs({ FDFS_SLOW_STORE_MS: '0' })).toBe(0);
    expect(slowStoreMs({ FDFS_SLOW_STORE_MS: '12.5' })).toBe(12.5);
    for (const bad of ['-1', 'soon', 'Infinity']) expect(() => slowStoreMs({ FDFS_SLOW_STORE_MS: bad })).toThrow(UsageError);
  });

  it('publish through the pool: the content and mtime, EEXIST without replacing, replace when asked, no temp left', async () => {
    // Blocking stores are done when publish returns its promise; before the pool path's first await, nothing is.
    const blocking = path.join(mkdtempSync(path.join(os.tmpdir(), 'fdfs-pace-')), 'now.txt');
    const sync = new BufferedFile(path.dirname(blocking), [Buffer.from('now')]).publish(blocking, 1);
    expect(existsSync(blocking)).toBe(true);
    await sync;
    for (let i = 0; i < 3; i++) diskPace().took(60_000);
    expect(diskPace().slow).toBe(true);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-pace-'));
    const writes: boolean[] = [];
    const parts = [Buffer.from('stored '), Buffer.from('through '), Buffer.from('the pool')];
    const file = new BufferedFile(dir, parts, { counters: { fileWrite: (ok) => writes.push(ok) } });
    const target = path.join(dir, 'name.txt');
    const publishing = file.publish(target, 1795289211);
    expect(existsSync(target)).toBe(false);
    await publishing;
    expect(readFileSync(target, 'latin1')).toBe('stored through the pool');
    expect(statSync(target).mtimeMs).toBe(1795289211 * 1000);
    expect(writes).toEqual([true]);
    await expect(new BufferedFile(dir, [Buffer.from('other')]).publish(target, 1)).rejects.toMatchObject({ errno: Errno.EEXIST });
    expect(readFileSync(target, 'latin1')).toBe('stored through the pool');
    writeFileSync(path.join(dir, 'old.txt'), 'old');
    await new BufferedFile(dir, [Buffer.from('new')]).publish(path.join(dir, 'old.txt'), 2, { replace: true });
    expect(readFileSync(path.join(dir, 'old.txt'), 'latin1')).toBe('new');
    expect(readdirSync(dir).sort()).toEqual(['name.txt', 'old.txt']);
  });
});
