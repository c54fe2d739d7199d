import { describe, it, expect } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { BufferedFile, TempFile, publishNoReplace, writeFileAtomic, tempFileName } from '../../../../src/storage/store/file-writer.js';
import { Errno, StatusError } from '../../../../src/errors.js';

function tmpDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'fdfs-writer-'));
}

async function* chunksOf(...parts: Buffer[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield p;
}

describe('TempFile', () => {
  it('names temp files .<random>.tmp', () => {
    const n = tempFileName();
    expect(n).toMatch(/^\.[A-Za-z0-9_-]+\.tmp$/);
    expect(tempFileName()).not.toBe(n);
  });

  it('stays hidden until publish, then appears at once with its mtime and content', async () => {
    const dir = tmpDir();
    const counts = { open: 0, write: 0 };
    const t = await TempFile.create(dir, { counters: { fileOpen: () => counts.open++, fileWrite: () => counts.write++ } });
    const parts = [Buffer.from('Hello '), Buffer.from('FastDFS '), Buffer.from('wire protocol!\n')];
    await t.writeAll(chunksOf(...parts), 29);
    const visible = readdirSync(dir).filter((n) => !n.startsWith('.'));
    expect(visible).toEqual([]);
    expect(readdirSync(dir)).toEqual([path.basename(t.path)]);
    expect(t.bytes).toBe(29);
    expect(t.crc32).toBe(0x6319f549); // CRC of the §6.9 example content
    expect(t.crc32).toBe(zlib.crc32(Buffer.concat(parts)));
    await t.publish(path.join(dir, 'final.txt'), 1795289211);
    expect(readdirSync(dir)).toEqual(['final.txt']);
    expect(readFileSync(path.join(dir, 'final.txt'), 'latin1')).toBe('Hello FastDFS wire protocol!\n');
    expect(Math.floor(statSync(path.join(dir, 'final.txt')).mtimeMs / 1000)).toBe(1795289211);
    expect(counts.open).toBe(1);
    expect(counts.write).toBe(1); // small chunks are gathered into one write
  });

  it('computes the CRC incrementally over many chunks', async () => {
    const dir = tmpDir();
    const data = Buffer.alloc(1_000_003);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    const parts: Buffer[] = [];
    for (let off = 0; off < data.length; off += 65_536) parts.push(data.subarray(off, off + 65_536));
    const t = await TempFile.create(dir);
    await t.writeAll(chunksOf(...parts), data.length);
    expect(t.crc32).toBe(zlib.crc32(data));
    await t.publish(path.join(dir, 'big'), 1);
    expect(readFileSync(path.join(dir, 'big')).equals(data)).toBe(true);
  });

  it('fails on a length mismatch; discard removes the temp file', async () => {
    const dir = tmpDir();
    const t = await TempFile.create(dir);
    const err = await t.writeAll(chunksOf(Buffer.from('abc')), 5).catch((e: unknown) => e);
    expect((err as StatusError).errno).toBe(Errno.EIO);
    await t.discard();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('removes the temp file when the source breaks mid-stream', async () => {
    const dir = tmpDir();
    const t = await TempFile.create(dir);
    async function* broken(): AsyncGenerator<Buffer> {
      yield Buffer.from('part');
      throw new Error('connection reset');
    }
    await expect(t.writeAll(broken(), 100)).rejects.toThrow('connection reset');
    await t.discard();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('publish without replace fails with EEXIST and leaves the existing file alone', async () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'taken'), 'old');
    const t = await TempFile.create(dir);
    await t.write(Buffer.from('new'));
    const err = await t.publish(path.join(dir, 'taken'), 5).catch((e: unknown) => e);
    expect((err as StatusError).errno).toBe(Errno.EEXIST);
    expect(readFileSync(path.join(dir, 'taken'), 'utf8')).toBe('old');
    await t.discard();
    expect(readdirSync(dir)).toEqual(['taken']);
  });

  it('publish with replace overwrites atomically', async () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'f'), 'old');
    const t = await TempFile.create(dir);
    await t.write(Buffer.from('new'));
    await t.publish(path.join(dir, 'f'), 7, { replace: true });
    expect(readFileSync(path.join(dir, 'f'), 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['f']);
  });
});

describe('publishNoReplace / writeFileAtomic', () => {
  it('moves a file unless the target exists', async () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'a'), '1');
    await publishNoReplace(path.join(dir, 'a'), path.join(dir, 'b'));
    expect(readdirSync(dir)).toEqual(['b']);
    writeFileSync(path.join(dir, 'c'), '2');
    await expect(publishNoReplace(path.join(dir, 'c'), path.join(dir, 'b'))).rejects.toMatchObject({ errno: Errno.EEXIST });
    expect(readdirSync(dir).sort()).toEqual(['b', 'c']);
  });

  it('replaces small files through a temp file', async () => {
    const dir = tmpDir();
    const f = path.join(dir, 'x-m');
    await writeFileAtomic(f, 'one');
    await writeFileAtomic(f, Buffer.from('two'));
    expect(readFileSync(f, 'utf8')).toBe('two');
    expect(readdirSync(dir)).toEqual(['x-m']);
  });
});

describe('BufferedFile', () => {
  it('writes nothing until publish, then one file with its content, CRC and mtime, and no temp left', async () => {
    const dir = tmpDir();
    const counts = { open: 0, write: 0 };
    const parts = [Buffer.from('Hello '), Buffer.from('FastDFS '), Buffer.from('wire protocol!\n')];
    const f = await BufferedFile.collect(dir, chunksOf(...parts), 29, { counters: { fileOpen: () => counts.open++, fileWrite: () => counts.write++ } });
    expect(readdirSync(dir)).toEqual([]);
    expect(f.crc32).toBe(0x6319f549);
    expect(f.bytes).toBe(29);
    await f.publish(path.join(dir, 'final.txt'), 1795289211);
    expect(readdirSync(dir)).toEqual(['final.txt']);
    expect(readFileSync(path.join(dir, 'final.txt'), 'latin1')).toBe('Hello FastDFS wire protocol!\n');
    expect(Math.floor(statSync(path.join(dir, 'final.txt')).mtimeMs / 1000)).toBe(1795289211);
    expect(counts).toEqual({ open: 1, write: 1 });
  });

  it('refuses a body of another length than announced', async () => {
    await expect(BufferedFile.collect(tmpDir(), chunksOf(Buffer.from('abc')), 4)).rejects.toMatchObject({ errno: Errno.EIO });
  });

  it('publish without replace fails with EEXIST, keeps the existing file and leaves no temp', async () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'taken'), 'old');
    const f = new BufferedFile(dir, [Buffer.from('new')]);
    await expect(f.publish(path.join(dir, 'taken'), 1)).rejects.toMatchObject({ errno: Errno.EEXIST });
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readFileSync(path.join(dir, 'taken'), 'utf8')).toBe('old');
    await f.publish(path.join(dir, 'taken'), 1, { replace: true });
    expect(readFileSync(path.join(dir, 'taken'), 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['taken']);
  });

  it('a missing directory is ENOENT at publish, with nothing left behind', async () => {
    const dir = path.join(tmpDir(), 'gone');
    const f = new BufferedFile(dir, [Buffer.from('x')]);
    await expect(f.publish(path.join(dir, 'a'), 1)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('an empty body publishes an empty file', async () => {
    const dir = tmpDir();
    const f = await BufferedFile.collect(dir, chunksOf(), 0);
    await f.publish(path.join(dir, 'empty'), 1);
    expect(statSync(path.join(dir, 'empty')).size).toBe(0);
  });
});

describe('tempFileName', () => {
  it('is unique per call within a process and keeps the swept shape .<12>.tmp', () => {
    const names = new Set(Array.from({ length: 1000 }, () => tempFileName()));
    expect(names.size).toBe(1000);
    for (const n of names) expect(n).toMatch(/^\.[A-Za-z0-9_-]{12}\.tmp$/);
  });
});

/** A pumpable body (as FrameSocket.bodyChunks gives): `pumped` parts go to the sink until it says stop, the rest iterate. */
function pumpable(parts: Buffer[]): AsyncIterable<Buffer> & { pump(sink: (c: Buffer) => boolean): Promise<number>; pumpedParts: number } {
  let next = 0;
  const body = {
    pumpedParts: 0,
    async pump(sink: (c: Buffer) => boolean): Promise<number> {
      let n = 0;
      while (next < parts.length) {
        const c = parts[next++]!;
        n += c.length;
        body.pumpedParts++;
        if (!sink(c)) break;
      }
      return n;
    },
    async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
      while (next < parts.length) yield parts[next++]!;
    },
  };
  return body;
}

describe('TempFile.writeAll from a body that pumps', () => {
  it('writes each chunk as it comes, with the same bytes and CRC as the chunk path', async () => {
    const parts = Array.from({ length: 12 }, (_, i) => Buffer.alloc(70_000, i + 1));
    const t = await TempFile.create(tmpDir());
    const body = pumpable(parts);
    await t.writeAll(body, 840_000);
    // All 12 unless writes stall (a busy machine): the rest then go by the chunk path, same bytes and CRC.
    expect(body.pumpedParts).toBeGreaterThanOrEqual(1);
    expect(t.crc32).toBe(zlib.crc32(Buffer.concat(parts)));
    await t.close();
    expect(readFileSync(t.path).equals(Buffer.concat(parts))).toBe(true);
  });

  it('a sparse replica keeps its runs of zeros as holes', async () => {
    const parts = [Buffer.alloc(65_536, 7), Buffer.alloc(1 << 20), Buffer.alloc(65_536, 9)];
    const t = await TempFile.create(tmpDir(), { sparse: true });
    await t.writeAll(pumpable(parts), 65_536 * 2 + (1 << 20));
    await t.close();
    expect(readFileSync(t.path).equals(Buffer.concat(parts))).toBe(true);
    expect(statSync(t.path).blocks * 512).toBeLessThan(1 << 20);
  });

  it('fsync_after_written_bytes keeps the chunk path (its fsyncs are not made on the event loop)', async () => {
    const parts = [Buffer.alloc(1000, 1), Buffer.alloc(1000, 2)];
    const t = await TempFile.create(tmpDir(), { fsyncAfterBytes: 1500 });
    const body = pumpable(parts);
    await t.writeAll(body, 2000);
    expect(body.pumpedParts).toBe(0);
    await t.close();
    expect(readFileSync(t.path).equals(Buffer.concat(parts))).toBe(true);
  });
});
