import { describe, it, expect } from 'vitest';
import { mkdtempSync, existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StorePaths } from '../../../../src/storage/store/store-paths.js';
import { Errno, StatusError } from '../../../../src/errors.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'fdfs-paths-'));
const sp = new StorePaths([path.join(root, 'p0'), path.join(root, 'p1')], 256);
const NAME = 'CgAAAWsB8HuAKOo1AAAAHWMZ9Uk701.txt';

function errnoOf(fn: () => unknown): number | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof StatusError ? err.errno : -1;
  }
}

describe('StorePaths.resolve', () => {
  it('maps Mxx/HH/HH/name under <store_path>/data', () => {
    const r = sp.resolve(`M01/0A/FF/${NAME}`);
    expect(r).toMatchObject({ storePathIndex: 1, subHigh: 10, subLow: 255, fileName: NAME });
    expect(r.absPath).toBe(path.join(root, 'p1', 'data', '0A', 'FF', NAME));
    expect(r.dir).toBe(path.join(root, 'p1', 'data', '0A', 'FF'));
    expect(sp.resolve(`M00/00/00/${NAME}-m`).absPath.endsWith(`${NAME}-m`)).toBe(true);
    expect(sp.resolve(`M00/00/00/${NAME.replace('.txt', '_big.tar.gz')}`).fileName).toBe(NAME.replace('.txt', '_big.tar.gz'));
  });

  const traversal = [
    '../../../etc/passwd',
    'M00/00/00/../../../../etc/passwd',
    'M00/00/00/..',
    'M00/00/00/.',
    'M00/00/00/..a',
    'M00/00/00/a..b',
    'M00/../../x',
    'M00/00/../x',
    'M00/00/00/a/../../x',
    'M00/00/00/a/b',
    'M00/00/00/..\\..\\x',
    'M00/00/00/%2e%2e%2fx',
    'M00/00/00/..%2f..%2fetc',
    'M00/00/00/\u2024\u2024',
    'M00/00/00/．．',
    'M00/00/00/x\0../../y',
    'M00/00/00/x\0',
    '/etc/passwd',
    'M00//00/00/x',
    'M00/00/00//x',
    'M00/00/00/',
    'M00/00/00/ ',
    'M00/00/00/.hidden.tmp',
    'M00/00/00/x\ny',
    ' M00/00/00/x',
    'M00/00/00/x/',
  ];
  it.each(traversal)('rejects %j with EINVAL', (name) => {
    expect(errnoOf(() => sp.resolve(name))).toBe(Errno.EINVAL);
  });

  it.each([
    'm00/00/00/x', 'M0a/00/00/x', 'M00/0a/00/x', 'M00/00/ff/x', 'M00/0G/00/x', 'M0/00/00/x', 'M000/00/00/x',
    'M00/000/00/x', 'M00/00/0/x', 'X00/00/00/x', 'M-1/00/00/x', 'M00/+1/00/x',
  ])('rejects bad hex %j with EINVAL', (name) => {
    expect(errnoOf(() => sp.resolve(name))).toBe(Errno.EINVAL);
  });

  it('rejects a store path index beyond store_path_count', () => {
    expect(errnoOf(() => sp.resolve(`M02/00/00/${NAME}`))).toBe(Errno.EINVAL);
    expect(errnoOf(() => sp.resolve(`MFF/00/00/${NAME}`))).toBe(Errno.EINVAL);
    expect(errnoOf(() => sp.resolve(`M01/00/00/${NAME}`))).toBeUndefined();
  });

  it('rejects names of 128 bytes or more', () => {
    const long = `M00/00/00/${'a'.repeat(118)}`;
    expect(Buffer.byteLength(long)).toBe(128);
    expect(errnoOf(() => sp.resolve(long))).toBe(Errno.EINVAL);
    expect(errnoOf(() => sp.resolve(long.slice(0, -1)))).toBeUndefined();
  });

  it('at() refuses file names that would leave data/HH/HH', () => {
    expect(errnoOf(() => sp.at(0, 0, 0, '../x'))).toBe(Errno.EINVAL);
    expect(errnoOf(() => sp.at(0, 0, 0, 'a/b'))).toBe(Errno.EINVAL);
    expect(errnoOf(() => sp.at(5, 0, 0, 'x'))).toBe(Errno.EINVAL);
    expect(sp.at(0, 1, 2, 'x').logical).toBe('M00/01/02/x');
    expect(errnoOf(() => sp.at(0, 0, 0, '..'))).toBe(Errno.EINVAL);
    expect(errnoOf(() => sp.at(0, 0, 0, ''))).toBe(Errno.EINVAL);
    expect(errnoOf(() => sp.at(0, 0, 0, 'a\0b'))).toBe(Errno.EINVAL);
  });

  it('dirOf builds data/HH/HH for bytes 0–255 only', () => {
    expect(sp.dirOf(0, 0xab, 0x0c)).toBe(path.join(sp.dataDirs[0]!, 'AB', '0C'));
    expect(sp.at(0, 0xff, 0xff, 'x').absPath).toBe(path.join(sp.dataDirs[0]!, 'FF', 'FF', 'x'));
    for (const [h, l] of [[256, 0], [0, -1], [1.5, 0], [Number.NaN, 0]]) expect(errnoOf(() => sp.dirOf(0, h!, l!))).toBe(Errno.EINVAL);
  });
});

describe('StorePaths directories', () => {
  it('init() creates data/ only; ensureDir creates one leaf lazily', async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'fdfs-paths-init-'));
    const p = new StorePaths([base], 256);
    const t0 = Date.now();
    await p.init();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(readdirSync(path.join(base, 'data'))).toEqual([]);
    const d = p.dirOf(0, 0xab, 0x01);
    await p.ensureDir(d);
    await p.ensureDir(d);
    expect(existsSync(path.join(base, 'data', 'AB', '01'))).toBe(true);
    expect(readdirSync(path.join(base, 'data'))).toEqual(['AB']);
  });
});
