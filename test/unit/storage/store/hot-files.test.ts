// HotFiles: small checked files held in memory while their copy on disk is unchanged — any rewrite, truncate,
// replacement or delete makes the next read go to the disk again; bounded by bytes, oldest dropped first.
// readCheckedSmall serves a second read from it and never serves a copy changed on disk.
import { describe, it, expect, beforeEach } from 'vitest';
import { mkdtempSync, mkdirSync, renameSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { HotFiles } from '../../../../src/storage/store/hot-files.js';
import { StorePaths } from '../../../../src/storage/store/store-paths.js';
import { StatsKeeper } from '../../../../src/storage/store/stats.js';
import { VerifiedCopies } from '../../../../src/storage/repair/content-check.js';
import { readCheckedSmall } from '../../../../src/storage/handlers/download.js';
import { encodeFileName } from '../../../../src/protocol/file-id.js';
import type { StorageRuntime } from '../../../../src/storage/runtime.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-hot-'));
});

function stampOf(p: string) {
  const st = statSync(p);
  return { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
}

function put(name: string, data: Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, data);
  return p;
}

describe('HotFiles', () => {
  it('holds a file until its copy changes: rewrite in place, truncate, replacement, delete', async () => {
    const hot = new HotFiles();
    const data = randomBytes(4096);
    const p = put('a', data);
    hot.add(p, stampOf(p), data);
    expect(hot.get(p)?.data.equals(data)).toBe(true);

    await new Promise((r) => setTimeout(r, 5));
    writeFileSync(p, randomBytes(4096)); // same inode, same size: only the times move
    expect(hot.get(p)).toBeNull();
    expect(hot.size).toBe(0);

    hot.add(p, stampOf(p), data);
    truncateSync(p, 100);
    expect(hot.get(p)).toBeNull();

    hot.add(p, stampOf(p), Buffer.alloc(100));
    const q = put('b', Buffer.alloc(100));
    renameSync(q, p);
    expect(hot.get(p)).toBeNull();

    hot.add(p, stampOf(p), Buffer.alloc(100));
    unlinkSync(p);
    expect(hot.get(p)).toBeNull();
  });

  it('keeps at most maxBytes (oldest dropped first, a hit counts as use), nothing over maxEntry or of the wrong size', () => {
    const hot = new HotFiles(10_000, 5000); // room for two 4,000-byte files and their bookkeeping
    const files = ['1', '2', '3'].map((n) => {
      const data = randomBytes(4000);
      const p = put(n, data);
      return { p, data };
    });
    hot.add(files[0]!.p, stampOf(files[0]!.p), files[0]!.data);
    hot.add(files[1]!.p, stampOf(files[1]!.p), files[1]!.data);
    expect(hot.get(files[0]!.p)).not.toBeNull(); // 1 is now the most recent
    hot.add(files[2]!.p, stampOf(files[2]!.p), files[2]!.data);
    expect(hot.size).toBe(2);
    expect(hot.get(files[1]!.p)).toBeNull();
    expect(hot.get(files[0]!.p)).not.toBeNull();
    expect(hot.get(files[2]!.p)).not.toBeNull();

    const big = put('big', randomBytes(6000));
    hot.add(big, stampOf(big), randomBytes(6000));
    expect(hot.get(big)).toBeNull();
    hot.add(files[1]!.p, stampOf(files[1]!.p), files[1]!.data.subarray(1));
    expect(hot.get(files[1]!.p)).toBeNull();
  });

  it('offer keeps a file from its second read on; a scan of files read once keeps none', () => {
    const hot = new HotFiles(1 << 20);
    const scanned = Array.from({ length: 2000 }, (_, n) => {
      const data = randomBytes(64);
      return { p: put(`s${n}`, data), data };
    });
    for (const f of scanned) hot.offer(f.p, stampOf(f.p), f.data);
    expect(hot.size).toBe(0);
    // Read again: most paths are still remembered (a lossy table: a few collided and need one more read).
    for (const f of scanned) hot.offer(f.p, stampOf(f.p), f.data);
    expect(hot.size).toBeGreaterThan(1800);
    // One held stays held when offered again; one whose slot a neighbour took is held after one more read.
    const f = scanned.find((s) => hot.get(s.p) !== null)!;
    hot.offer(f.p, stampOf(f.p), f.data);
    expect(hot.get(f.p)?.data.equals(f.data)).toBe(true);
    const pushedOut = scanned.find((s) => hot.get(s.p) === null);
    if (pushedOut) {
      hot.offer(pushedOut.p, stampOf(pushedOut.p), pushedOut.data);
      hot.offer(pushedOut.p, stampOf(pushedOut.p), pushedOut.data);
      expect(hot.get(pushedOut.p)?.data.equals(pushedOut.data)).toBe(true);
    }
    const big = put('big-offer', randomBytes(2 << 20));
    hot.offer(big, stampOf(big), randomBytes(2 << 20));
    hot.offer(big, stampOf(big), randomBytes(2 << 20));
    expect(hot.get(big)).toBeNull();
  });

  it('counts what a tiny file really holds: a slice of a shared slab is copied out, and each entry costs its bookkeeping', () => {
    const hot = new HotFiles(100_000);
    let n = 0;
    for (; n < 1000; n++) {
      const data = Buffer.from(`tiny file ${n}`); // a slice of Node's shared 8 KiB pool
      const p = put(`t${n}`, data);
      hot.add(p, stampOf(p), data);
      expect(hot.get(p)!.data.buffer.byteLength).toBeLessThan(100);
    }
    // 1,000 files of a dozen bytes do not fit in 100 KB once their bookkeeping is counted.
    expect(hot.size).toBeLessThan(1000);
    expect(hot.size).toBeGreaterThan(300);
  });
});

describe('readCheckedSmall with held files', () => {
  function runtime(): StorageRuntime {
    return {
      paths: new StorePaths([dir], 256),
      stats: new StatsKeeper(null),
      content: { verified: new VerifiedCopies(), hot: new HotFiles() },
    } as unknown as StorageRuntime;
  }

  function stored(content: Buffer): string {
    const logical = encodeFileName({
      source: { ipv4: '10.0.0.1' }, timestamp: Math.floor(Date.now() / 1000), size: content.length, kind: 'normal',
      crc32: zlib.crc32(content) >>> 0, ext: 'jpg', storePathIndex: 0, subHigh: 1, subLow: 2,
    });
    mkdirSync(path.join(dir, 'data', '01', '02'), { recursive: true });
    writeFileSync(path.join(dir, 'data', logical.slice(4)), content);
    return logical;
  }

  it('held from the second read; a third comes from memory; a copy damaged on disk is not served from there', () => {
    const rt = runtime();
    const content = randomBytes(4096);
    const logical = stored(content);
    expect(readCheckedSmall(rt, logical, 0, 0, 10)!.data.subarray(10).equals(content)).toBe(true);
    expect(rt.content.hot!.size).toBe(0); // read once: not copied
    const first = readCheckedSmall(rt, logical, 0, 0, 10)!;
    expect(first.data.subarray(10).equals(content)).toBe(true);
    expect(rt.content.hot!.size).toBe(1);

    const again = readCheckedSmall(rt, logical, 0, 0, 10)!;
    expect(again.data.subarray(10).equals(content)).toBe(true);
    expect(again.data).not.toBe(first.data); // a fresh buffer: the caller writes its header into it
    expect(readCheckedSmall(rt, logical, 100, 50, 0)!.data.equals(content.subarray(100, 150))).toBe(true);
    expect(readCheckedSmall(rt, logical, 0, 0, 0)!.data.equals(content)).toBe(true);
    expect(rt.stats.stats.successDownloadCount).toBe(5);

    const damaged = Buffer.from(content);
    damaged[7]! ^= 0xff;
    writeFileSync(path.join(dir, 'data', logical.slice(4)), damaged);
    expect(readCheckedSmall(rt, logical, 0, 0, 10)).toBeNull(); // the full path then reports and repairs it
    expect(rt.content.hot!.size).toBe(0);

    unlinkSync(path.join(dir, 'data', logical.slice(4)));
    expect(readCheckedSmall(rt, logical, 0, 0, 0)).toBeNull();
  });
});
