import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryScratchRoot, scratchFolder } from '../../../src/net/scratch-folder.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-scratch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('warm-up scratch folder', () => {
  it('goes to the memory filesystem under a name fixed by the base path, one per server and suffix', () => {
    const a = scratchFolder('/srv/a', '0', '/dev/shm');
    expect(path.dirname(a)).toBe('/dev/shm');
    expect(path.basename(a)).toMatch(/^fdfs-[0-9a-f]{16}\.warm-up\.0$/);
    expect(scratchFolder('/srv/a/', '0', '/dev/shm')).toBe(a); // the same server, however its path is written
    expect(scratchFolder('/srv/a', '1', '/dev/shm')).not.toBe(a);
    expect(scratchFolder('/srv/b', '0', '/dev/shm')).not.toBe(a);
    expect(path.basename(scratchFolder('/srv/a', null, '/dev/shm'))).toMatch(/^fdfs-[0-9a-f]{16}\.warm-up$/);
  });

  it('stays in the data folder when there is no memory filesystem', () => {
    expect(scratchFolder('/srv/a', 'owner', null)).toBe('/srv/a/data/.warm-up.owner');
    expect(scratchFolder('/srv/a', null, null)).toBe('/srv/a/data/.warm-up');
  });

  it('takes a folder only when it exists and this process may write and enter it', () => {
    expect(memoryScratchRoot(path.join(dir, 'absent'))).toBeNull();
    const file = path.join(dir, 'file');
    writeFileSync(file, 'x', { mode: 0o644 });
    expect(memoryScratchRoot(file)).toBeNull(); // not a folder one can enter, even as root
    if (process.platform === 'linux') expect(memoryScratchRoot(dir)).toBe(dir);
  });
});
