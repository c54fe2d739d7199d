// What a name says a normal file's copy must be, the bounded memory of checked copies, and the one ambiguous case: a slave whose name has a normal name's length.
import { describe, it, expect } from 'vitest';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeFileName, slaveFileName } from '../../../../src/protocol/file-id.js';
import {
  expectedContent, isSlaveOfSibling, looksAsWritten, VerifiedCopies,
} from '../../../../src/storage/repair/content-check.js';

const normal = encodeFileName({
  source: { ipv4: '10.0.0.1' }, timestamp: 1_700_000_000, size: 5_000_000, kind: 'normal', crc32: 0xdeadbeef, ext: 'jpg',
  storePathIndex: 0, subHigh: 1, subLow: 2,
});

describe('expectedContent', () => {
  it('reads size, CRC32 and time from a normal name; nothing for appender and slave names', () => {
    expect(expectedContent(normal)).toEqual({ size: 5_000_000, crc32: 0xdeadbeef, timestamp: 1_700_000_000 });
    const appender = encodeFileName({ source: { ipv4: '10.0.0.1' }, timestamp: 1, size: 0, kind: 'appender', crc32: 0, ext: '',
      storePathIndex: 0, subHigh: 0, subLow: 0 });
    expect(expectedContent(appender)).toBeNull();
    expect(expectedContent(slaveFileName(normal, '_150x150', 'jpg'))).toBeNull();
    expect(expectedContent('M00/00/00/short')).toBeNull();
  });
});

describe('looksAsWritten', () => {
  const e = { size: 5_000_000, crc32: 0xdeadbeef, timestamp: 1_700_000_000 };
  const t = e.timestamp * 1000;
  it('trusts a copy with the name\'s size, exactly its time as mtime and a ctime within 2 s of it', () => {
    expect(looksAsWritten({ ino: 1, size: e.size, mtimeMs: t, ctimeMs: t + 1999 }, e)).toBe(true);
    expect(looksAsWritten({ ino: 1, size: e.size, mtimeMs: t, ctimeMs: t }, e)).toBe(true);
  });
  it('reads in full a copy written or touched later, one with another size or mtime, or an unknown ctime', () => {
    expect(looksAsWritten({ ino: 1, size: e.size, mtimeMs: t, ctimeMs: t + 2000 }, e)).toBe(false);
    expect(looksAsWritten({ ino: 1, size: e.size, mtimeMs: t, ctimeMs: t - 1 }, e)).toBe(false);
    expect(looksAsWritten({ ino: 1, size: e.size, mtimeMs: t + 1, ctimeMs: t }, e)).toBe(false);
    expect(looksAsWritten({ ino: 1, size: e.size - 1, mtimeMs: t, ctimeMs: t }, e)).toBe(false);
    expect(looksAsWritten({ ino: 1, size: e.size, mtimeMs: t }, e)).toBe(false);
  });
});

describe('VerifiedCopies', () => {
  it('forgets a copy whose stamp changed, and the least recently used beyond its limit', () => {
    const v = new VerifiedCopies(2);
    const s = { ino: 1, size: 10, mtimeMs: 5 };
    v.add('/a', s);
    expect(v.has('/a', s)).toBe(true);
    expect(v.has('/a', { ...s, mtimeMs: 6 })).toBe(false);
    expect(v.has('/a', s)).toBe(false);
    v.add('/a', s);
    v.add('/b', s);
    expect(v.has('/a', s)).toBe(true);
    v.add('/c', s);
    expect(v.has('/b', s)).toBe(false);
    expect(v.has('/a', s) && v.has('/c', s)).toBe(true);
    expect(v.size).toBe(2);
  });
});

describe('isSlaveOfSibling', () => {
  it('tells a slave of normal-name length by its master in the same directory, not the master by its slaves', () => {
    const dir = path.join(os.tmpdir(), `fdfs-cc-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      const master = path.basename(normal);
      const stem = master.slice(0, master.lastIndexOf('.'));
      const shortSlave = `${stem}12.x`;
      expect(shortSlave.length).toBe(master.length);
      const bigSlave = path.basename(slaveFileName(normal, '_150x150', 'jpg'));
      for (const n of [master, shortSlave, bigSlave, `${master}-m`]) writeFileSync(path.join(dir, n), '');
      expect(isSlaveOfSibling(path.join(dir, shortSlave))).toBe(true);
      expect(isSlaveOfSibling(path.join(dir, master))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
