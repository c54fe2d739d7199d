import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { fastPath, fastPathMissing, type FastPath } from '../../../src/native/fastpath.js';
import { decodeFileName, parseLogicalName, sourceWord } from '../../../src/protocol/file-id.js';
import { decodeSlotHeader, trunkSlotOf } from '../../../src/protocol/trunk-slot.js';
import { formatJournal, parseJournal, type JournalOp } from '../../../src/storage/trunk/free-space.js';
import { tempDir } from '../../helpers/cluster.js';

const ENOENT = 2;
const EINVAL = 22;
const EEXIST = 17;

/** source, timestamp, store path index, sub high, sub low, fsync, attempts. */
function params(o: Partial<{ source: number; timestamp: number; path: number; high: number; low: number; fsync: number; attempts: number }> = {}): Int32Array {
  const ip = sourceWord({ ipv4: '10.0.5.72' });
  return Int32Array.from([o.source ?? ip, o.timestamp ?? 1_796_000_000, o.path ?? 0, o.high ?? 0x1a, o.low ?? 0xff, o.fsync ?? 0, o.attempts ?? 10]);
}

describe('the C store step (native/fastpath.c)', () => {
  let native: FastPath;
  beforeAll(() => {
    // `npm test` builds it first; a machine without a compiler runs fdfs without it, but the suite wants it.
    const loaded = fastPath();
    expect(loaded, `addon not loaded: ${fastPathMissing}`).not.toBeNull();
    native = loaded!;
  });

  it('computes zlib\'s CRC-32 at every length and alignment', () => {
    const buf = randomBytes(9000);
    for (const [start, len] of [[0, 0], [0, 1], [1, 7], [3, 8], [5, 63], [7, 4096], [0, 9000], [1, 8999]] as const) {
      const part = buf.subarray(start, start + len);
      expect(native.crc32(part)).toBe(zlib.crc32(part));
    }
  });

  for (const unnamed of [true, false]) {
  describe(unnamed ? 'through an unnamed file (O_TMPFILE)' : 'through a named temp file', () => {
    beforeAll(() => native.useTmpfile(unnamed));
    afterAll(() => native.useTmpfile(true));

    it('stores a file under a generated name that decodes to its facts, content and mtime', () => {
      const dir = tempDir();
      const content = randomBytes(5000);
      const logical = native.storeSmall(content, dir, 'jpg', params({ path: 3 }));
      expect(typeof logical).toBe('string');
      const name = logical as string;
      expect(name).toMatch(/^M03\/1A\/FF\/[A-Za-z0-9_-]{27}[0-9]{3}\.jpg$/);
      const info = decodeFileName(name);
      expect(info).toMatchObject({ kind: 'normal', size: 5000, crc32: zlib.crc32(content), timestamp: 1_796_000_000, ext: 'jpg', source: { ipv4: '10.0.5.72' } });
      const file = path.join(dir, parseLogicalName(name).fileName);
      expect(readFileSync(file).equals(content)).toBe(true);
      expect(statSync(file).mtimeMs).toBe(1_796_000_000_000);
      expect(readdirSync(dir)).toEqual([parseLogicalName(name).fileName]);
    });

    it('names files without an extension with seven digits, and server ids as the source', () => {
      const dir = tempDir();
      const name = native.storeSmall(Buffer.alloc(0), dir, '', params({ source: 4097, fsync: 1 })) as string;
      expect(name).toMatch(/^M00\/1A\/FF\/[A-Za-z0-9_-]{27}[0-9]{7}$/);
      expect(decodeFileName(name)).toMatchObject({ size: 0, crc32: 0, source: { serverId: 4097 } });
    });

    it('gives different names to files stored in the same second', () => {
      const dir = tempDir();
      const names = new Set<string>();
      for (let i = 0; i < 200; i++) names.add(native.storeSmall(Buffer.from('same'), dir, 'txt', params()) as string);
      expect(names.size).toBe(200);
      expect(readdirSync(dir)).toHaveLength(200);
    });

    it('refuses bad input with EINVAL and leaves nothing behind', () => {
      const dir = tempDir();
      for (const ext of ['a/b', 'toolong', 'a b', 'é']) expect(native.storeSmall(Buffer.from('x'), dir, ext, params())).toBe(-EINVAL);
      expect(native.storeSmall(Buffer.from('x'), dir, 'txt', params({ path: 256 }))).toBe(-EINVAL);
      expect(native.storeSmall(Buffer.from('x'), dir, 'txt', params({ low: -1 }))).toBe(-EINVAL);
      expect(native.storeSmall(Buffer.from('x'), dir, 'txt', new Int32Array(3))).toBe(-EINVAL);
    // Wrong types answer EINVAL too, never undefined or a throw.
    expect(native.storeSmall('x' as unknown as Buffer, dir, 'txt', params())).toBe(-EINVAL);
    expect(native.storeSmall(Buffer.from('x'), dir, 'txt', Float64Array.from(params()) as unknown as Int32Array)).toBe(-EINVAL);
    expect(native.storeSmall(Buffer.from('x'), path.join(dir, 'x'.repeat(4100)), 'txt', params())).toBe(-EINVAL);
      expect(readdirSync(dir)).toEqual([]);
    });

    it('answers ENOENT for a missing directory and EEXIST when no attempt is left, leaving no temp file', () => {
      const dir = tempDir();
      expect(native.storeSmall(Buffer.from('x'), path.join(dir, 'gone'), 'txt', params())).toBe(-ENOENT);
      mkdirSync(path.join(dir, 'd'));
      expect(native.storeSmall(Buffer.from('x'), path.join(dir, 'd'), 'txt', params({ attempts: 0 }))).toBe(-EEXIST);
      expect(readdirSync(path.join(dir, 'd'))).toEqual([]);
    });

    it('stores a replica under its given name with its mtime, and never replaces a file already there', () => {
      const dir = tempDir();
      const content = randomBytes(3000);
      expect(native.storeNamed(content, dir, 'wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg', 1_796_000_123, 1)).toBe(0);
      const file = path.join(dir, 'wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg');
      expect(readFileSync(file).equals(content)).toBe(true);
      expect(statSync(file).mtimeMs).toBe(1_796_000_123_000);
      expect(native.storeNamed(Buffer.from('other'), dir, 'wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg', 1_796_000_124, 0)).toBe(-EEXIST);
      expect(readFileSync(file).equals(content)).toBe(true);
      expect(native.storeNamed(Buffer.alloc(0), dir, 'empty', 0, 0)).toBe(0);
      expect(statSync(path.join(dir, 'empty')).size).toBe(0);
      expect(readdirSync(dir).sort()).toEqual(['empty', 'wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg']);
    });

    it('refuses a name that is not a leaf of the folder, a missing folder and wrong types, leaving nothing', () => {
      const dir = tempDir();
      mkdirSync(path.join(dir, 'd'));
      for (const leaf of ['', '.', '..', '../x', 'a/b', 'x'.repeat(300)]) {
        expect(native.storeNamed(Buffer.from('x'), path.join(dir, 'd'), leaf, 1, 0)).toBe(-EINVAL);
      }
      expect(native.storeNamed(Buffer.from('x'), path.join(dir, 'd'), 'ok', -1, 0)).toBe(-EINVAL);
      expect(native.storeNamed('x' as unknown as Buffer, path.join(dir, 'd'), 'ok', 1, 0)).toBe(-EINVAL);
      expect(native.storeNamed(Buffer.from('x'), path.join(dir, 'gone'), 'ok', 1, 0)).toBe(-ENOENT);
      expect(readdirSync(dir)).toEqual(['d']);
      expect(readdirSync(path.join(dir, 'd'))).toEqual([]);
    });
  });
  }

  describe('trunk slots', () => {
    /** source, timestamp, path, high, low, trunk id, offset, slot size. */
    const slot = (offset: number, size: number, trunkId = 7) => Int32Array.from([sourceWord({ ipv4: '10.0.5.72' }), 1_796_000_123, 1, 2, 3, trunkId, offset, size]);
    const at = (fd: number, pos: number, n: number) => {
      const b = Buffer.alloc(n);
      readSync(fd, b, 0, n, pos);
      return b;
    };
    /** A zeroed trunk file of `size` bytes, open read-write for `use`. */
    const withTrunkFile = (size: number, use: (fd: number, file: string) => void) => {
      const file = path.join(tempDir(), '000007');
      writeFileSync(file, Buffer.alloc(size));
      const fd = openSync(file, 'r+');
      try {
        use(fd, file);
      } finally {
        closeSync(fd);
      }
    };

    it('writes the header and content a reader of the name accepts (stock\'s trunk name and header)', () => {
      withTrunkFile(1 << 20, (fd) => {
        const content = randomBytes(3000);
        const name = native.storeTrunkSlot(content, fd, 'png', slot(65_536, 4096)) as string;
        expect(name).toMatch(/^M01\/02\/03\/[A-Za-z0-9_-]{43}[0-9]{3}\.png$/);
        expect(name).toHaveLength(60);
        expect(decodeFileName(name)).toMatchObject({ kind: 'trunk', size: 3000, crc32: zlib.crc32(content), timestamp: 1_796_000_123,
          trunk: { fileId: 7, offset: 65_536, size: 4096 }, source: { ipv4: '10.0.5.72' } });
        const ref = trunkSlotOf(name);
        expect(decodeSlotHeader(at(fd, 65_536, 24))).toEqual(ref.header);
        expect(at(fd, 65_536 + 24, 3000).equals(content)).toBe(true);
        // Nothing outside the slot was touched.
        expect(at(fd, 65_536 - 16, 16).equals(Buffer.alloc(16))).toBe(true);
        expect(at(fd, 65_536 + 24 + 3000, 1072).equals(Buffer.alloc(1072))).toBe(true);
      });
    });

    it('reads a slot back only while its header and content are what its name says', () => {
      withTrunkFile(1 << 20, (fd) => {
        const content = randomBytes(3000);
        const name = native.storeTrunkSlot(content, fd, 'png', slot(65_536, 4096)) as string;
        const ref = trunkSlotOf(name);
        const params = (o: Partial<{ offset: number; crc: number }> = {}) =>
          Int32Array.from([o.offset ?? ref.trunk.offset, ref.trunk.size, ref.header.fileSize, o.crc ?? ref.header.crc32, ref.header.mtime]);
        const got = native.readTrunkSlot(fd, ref.header.x7, params()) as Buffer;
        expect(got.subarray(24).equals(content)).toBe(true);
        expect(decodeSlotHeader(got)).toEqual(ref.header);
        // Another name's header, another slot, damaged content: never served under this name.
        expect(native.readTrunkSlot(fd, '123.jpg', params())).toBe(-ENOENT);
        expect(native.readTrunkSlot(fd, ref.header.x7, params({ offset: 0 }))).toBe(-ENOENT);
        expect(native.readTrunkSlot(fd, ref.header.x7, params({ crc: 1 }))).toBe(-ENOENT);
        writeSync(fd, Buffer.from([content[100]! ^ 0xff]), 0, 1, 65_536 + 24 + 100);
        expect(native.readTrunkSlot(fd, ref.header.x7, params())).toBe(-ENOENT);
        expect(native.readTrunkSlot(fd, ref.header.x7, Int32Array.from([1 << 20, 4096, 3000, ref.header.crc32, ref.header.mtime]))).toBe(-5 /* EIO: past the end */);
        expect(native.readTrunkSlot(fd, ref.header.x7, Int32Array.from([0, 100, 3000, 0, 0]))).toBe(-EINVAL);
      });
    });

    it('refuses content larger than the slot, a bad descriptor or extension, and writes nothing', () => {
      withTrunkFile(8192, (fd, file) => {
        expect(native.storeTrunkSlot(Buffer.alloc(4073), fd, 'txt', slot(0, 4096))).toBe(-EINVAL);
        expect(native.storeTrunkSlot(Buffer.alloc(10), fd, 'a/b', slot(0, 4096))).toBe(-EINVAL);
        expect(native.storeTrunkSlot(Buffer.alloc(10), -1, 'txt', slot(0, 4096))).toBe(-EINVAL);
        expect(native.storeTrunkSlot(Buffer.alloc(10), fd, 'txt', slot(-5, 4096))).toBe(-EINVAL);
        expect(native.storeTrunkSlot('not a buffer' as unknown as Buffer, fd, 'txt', slot(0, 4096))).toBe(-EINVAL);
        expect(readFileSync(file).equals(Buffer.alloc(8192))).toBe(true);
        const ro = openSync(file, 'r');
        try {
          expect(native.storeTrunkSlot(Buffer.alloc(10), ro, 'txt', slot(0, 4096))).toBe(-9 /* EBADF */);
        } finally {
          closeSync(ro);
        }
      });
    });
  });

  it('writes trunk binlog records as the JavaScript formatter does, in one write', () => {
    const file = path.join(tempDir(), 'binlog');
    writeFileSync(file, '1700000000 A 0 0 0 1 0 4194304\n');
    const ops: JournalOp[] = [
      { op: 'D', block: { storePathIndex: 0, subHigh: 0, subLow: 0, fileId: 1, offset: 0, size: 4_194_304 } },
      { op: 'A', block: { storePathIndex: 2, subHigh: 255, subLow: 17, fileId: 2_147_483_647, offset: 4120, size: 4_190_184 } },
    ];
    const a = new Int32Array(16 * 7);
    ops.forEach((j, i) => a.set([j.op.charCodeAt(0), j.block.storePathIndex, j.block.subHigh, j.block.subLow, j.block.fileId, j.block.offset, j.block.size], i * 7));
    const fd = openSync(file, 'a');
    try {
      const want = ops.map((j) => formatJournal(1_796_000_456, j) + '\n').join('');
      expect(native.writeJournal(fd, 1_796_000_456, a, 2)).toBe(want.length);
      expect(readFileSync(file, 'latin1')).toBe('1700000000 A 0 0 0 1 0 4194304\n' + want);
      expect(parseJournal(readFileSync(file, 'latin1')).slice(1)).toEqual(ops);
      expect(native.writeJournal(fd, 1, a, 17)).toBe(-EINVAL);
      expect(native.writeJournal(fd, 1, new Int32Array(6), 1)).toBe(-EINVAL);
    } finally {
      closeSync(fd);
    }
  });

  it('reads a small stored file whole, checked against its size and CRC, with room for the answer header', () => {
    const dir = tempDir();
    const file = path.join(dir, 'f');
    const content = randomBytes(5000);
    writeFileSync(file, content);
    const stamp = new Float64Array(4);
    const got = native.readSmallChecked(file, 5000, zlib.crc32(content), 10, 256 * 1024, stamp) as Buffer;
    expect(Buffer.isBuffer(got)).toBe(true);
    expect(got.length).toBe(5010);
    expect(got.subarray(10).equals(content)).toBe(true);
    const st = statSync(file);
    expect([...stamp]).toEqual([st.ino, st.size, st.mtimeMs, st.ctimeMs]);
    // Damage, a wrong size, absence, a directory and a size over the limit are each refused.
    expect(native.readSmallChecked(file, 5000, (zlib.crc32(content) ^ 1) >>> 0, 10, 256 * 1024, stamp)).toBe(-5 /* EIO */);
    expect(native.readSmallChecked(file, 4999, zlib.crc32(content), 10, 256 * 1024, stamp)).toBe(-5);
    expect(native.readSmallChecked(path.join(dir, 'gone'), 1, 0, 0, 256 * 1024, stamp)).toBe(-ENOENT);
    expect(native.readSmallChecked(dir, 1, 0, 0, 256 * 1024, stamp)).toBe(-EINVAL);
    expect(native.readSmallChecked(file, 5000, zlib.crc32(content), 0, 4096, stamp)).toBe(-27 /* EFBIG */);
    expect(native.readSmallChecked(file, 5000, zlib.crc32(content), 10, 256 * 1024, new Float64Array(2))).toBe(-EINVAL);
  });

  it('appends a line in one write, and refuses one over 4 KiB without writing', () => {
    const file = path.join(tempDir(), 'binlog.000');
    const fd = openSync(file, 'a');
    try {
      for (const line of ['1796000000 C M00/00/00/x.jpg\n', '1796000001 C M00/00/00/é.jpg\n']) {
        expect(native.appendLine(fd, line)).toBe(Buffer.byteLength(line));
      }
      expect(native.appendLine(fd, 'x'.repeat(5000))).toBe(-EINVAL);
      expect(readFileSync(file, 'utf8')).toBe('1796000000 C M00/00/00/x.jpg\n1796000001 C M00/00/00/é.jpg\n');
    } finally {
      closeSync(fd);
    }
    const ro = openSync(file, 'r');
    try {
      expect(native.appendLine(ro, 'x\n')).toBe(-9 /* EBADF */);
    } finally {
      closeSync(ro);
    }
  });
});
