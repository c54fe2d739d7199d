// leafFiles / leafDigests: only the group's files count — temp files, metadata sidecars and trunk containers
// (which one member may create in advance or delete as unused) leave a leaf's digest unchanged.
import { describe, it, expect, afterEach } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isGroupFileName, leafDigests, leafFiles } from '../../../../src/storage/repair/dir-digest.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

/** A data dir whose leaf 00/00 holds `files` (name → size). */
function dataDir(files: Record<string, number>): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'fdfs-digest-'));
  dirs.push(d);
  mkdirSync(path.join(d, '00', '00'), { recursive: true });
  for (const [name, size] of Object.entries(files)) writeFileSync(path.join(d, '00', '00', name), Buffer.alloc(size));
  return d;
}

const FILE = 'wKgBAmaBcdeAAAAAAAAAAAAAAAA123.txt';

describe('dir digest', () => {
  it('names: trunk containers, temp files and sidecars are not group files', () => {
    expect(isGroupFileName(FILE)).toBe(true);
    expect(isGroupFileName('000001')).toBe(false);
    expect(isGroupFileName('0000000042')).toBe(false);
    expect(isGroupFileName(`${FILE}-m`)).toBe(false);
    expect(isGroupFileName(`.${FILE}.tmp`)).toBe(false);
  });

  it('a trunk container on one member only leaves the leaf digest the same', async () => {
    const plain = dataDir({ [FILE]: 10 });
    const withTrunk = dataDir({ [FILE]: 10, '000001': 4096, '000002': 1024, [`${FILE}-m`]: 3 });
    expect([...(await leafFiles(path.join(withTrunk, '00', '00'))).keys()]).toEqual([FILE]);
    const a = await leafDigests(plain, '00');
    const b = await leafDigests(withTrunk, '00');
    expect(a).toHaveLength(1);
    expect(b).toEqual(a);
    expect(b[0]!.count).toBe(1);
  });

  it('a leaf holding only trunk containers has no digest', async () => {
    expect(await leafDigests(dataDir({ '000001': 4096 }), '00')).toEqual([]);
  });

  it('a real difference still shows', async () => {
    const a = await leafDigests(dataDir({ [FILE]: 10 }), '00');
    const b = await leafDigests(dataDir({ [FILE]: 11 }), '00');
    expect(b[0]!.digest).not.toBe(a[0]!.digest);
  });

  it('a leaf of more files than one slice of stats counts every one with its size', async () => {
    const files: Record<string, number> = {};
    for (let i = 0; i < 700; i++) files[`wKgBAmaBcdeAAAAAAAAAAAA${String(i).padStart(4, '0')}.bin`] = i % 37;
    const listed = await leafFiles(path.join(dataDir(files), '00', '00'));
    expect(listed.size).toBe(700);
    for (const [name, size] of Object.entries(files)) expect(listed.get(name)).toBe(size);
    expect([...listed.keys()]).toEqual(Object.keys(files).sort());
  });
});
