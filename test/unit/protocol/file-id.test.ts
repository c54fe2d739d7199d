import { describe, it, expect } from 'vitest';
import { crc32 } from 'node:zlib';
import {
  splitFileId, parseLogicalName, encodeFileName, decodeFileName, encodeFileFacts, decodeFileFacts, formatExt,
  slaveFileName, isMetadataSidecar, pjwHash, distributeSubdirs, isValidExt, isValidPrefix, isValidGroupName, sizeFieldFor,
  encodeTrunkLocation, decodeTrunkLocation, type FileKind, fileRouting, peekFileName, normalContentFacts, trunkNameFacts,
} from '../../../src/protocol/file-id.js';
import { StatusError } from '../../../src/errors.js';
import { isTrunkName, trunkSlotOf } from '../../../src/protocol/trunk-slot.js';

/** A scripted [0,1) source: each value is returned once, in order. */
function script(...values: number[]): () => number {
  let i = 0;
  return () => {
    if (i >= values.length) throw new Error('script exhausted');
    return values[i++]!;
  };
}
const sizeRand = (r: number) => r / 0x800000;
const digit = (d: number) => d / 10 + 0.01;

function einval(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StatusError);
    expect((e as StatusError).errno).toBe(22);
    return;
  }
  throw new Error('expected EINVAL');
}

// Every real name captured from stock 6.16.1 (§6.9, §5.2, §5.4, §9.1, §12); the decoded 20 bytes come from
// the spec where it spells them out, the rest from the capture context (binlog time, content size and CRC).
interface RealName {
  name: string; facts: string; ip: string; ts: number; kind: FileKind; size?: number; crc: number; ext: string;
  sizeField: bigint;
}
const REAL: RealName[] = [
  { name: 'M00/02/AC/Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk701.txt', facts: '0a4d0003 6b01f07b 8028ea350000001d 6319f549',
    ip: '10.77.0.3', ts: 1795289211, kind: 'normal', size: 29, crc: 0x6319f549, ext: 'txt', sizeField: 0x8028ea350000001dn },
  { name: 'M00/02/AC/Ck0AA2sB8H-EOCruAAAAAGMZ9Uk778.txt', facts: '0a4d0003 6b01f07f 84382aee00000000 6319f549',
    ip: '10.77.0.3', ts: 1795289215, kind: 'appender', crc: 0x6319f549, ext: 'txt', sizeField: 0x84382aee00000000n },
  { name: 'M00/02/AC/Ck0AA2sB8KKAfEzqAAERcGDnf3g263.bin', facts: '0a4d0003 6b01f0a2 807c4cea00011170 60e77f78',
    ip: '10.77.0.3', ts: 1795289250, kind: 'normal', size: 70000, crc: 0x60e77f78, ext: 'bin', sizeField: 0x807c4cea00011170n },
  { name: 'M00/02/AC/Ck0AA2sB8QGAHON3AAAAAAAAAAA3905426', facts: '0a4d0003 6b01f101 801ce37700000000 00000000',
    ip: '10.77.0.3', ts: 1795289345, kind: 'normal', size: 0, crc: 0, ext: '', sizeField: 0x801ce37700000000n },
  { name: 'M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066.txt', facts: '0a4d0003 6b01f08b 80283a220000001d 6319f549',
    ip: '10.77.0.3', ts: 1795289227, kind: 'normal', size: 29, crc: 0x6319f549, ext: 'txt', sizeField: 0x80283a220000001dn },
  { name: 'M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066_big.txt', facts: '0a4d0003 6b01f08b 80283a220000001d 6319f549',
    ip: '10.77.0.3', ts: 1795289227, kind: 'slave', crc: 0x6319f549, ext: 'txt', sizeField: 0x80283a220000001dn },
  { name: 'M00/02/AC/Ck0AA2sB8QGEQs0YAAAAAKaEx8Y732.log', facts: '0a4d0003 6b01f101 8442cd1800000000 a684c7c6',
    ip: '10.77.0.3', ts: 1795289345, kind: 'appender', crc: 0xa684c7c6, ext: 'log', sizeField: 0x8442cd1800000000n },
  { name: 'M00/02/AC/Ck0AA2sB8QGAN_t_AAAABb037po732.log', facts: '0a4d0003 6b01f101 8037fb7f00000005 bd37ee9a',
    ip: '10.77.0.3', ts: 1795289345, kind: 'normal', size: 5, crc: 0xbd37ee9a, ext: 'log', sizeField: 0x8037fb7f00000005n },
  { name: 'M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528.txt', facts: '0a4d0102 6b01f694 8026fbfb00000013 b4e42f93',
    ip: '10.77.1.2', ts: 1795290772, kind: 'normal', size: 19, crc: 0xb4e42f93, ext: 'txt', sizeField: 0x8026fbfb00000013n },
  { name: 'M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528_s.txt', facts: '0a4d0102 6b01f694 8026fbfb00000013 b4e42f93',
    ip: '10.77.1.2', ts: 1795290772, kind: 'slave', crc: 0xb4e42f93, ext: 'txt', sizeField: 0x8026fbfb00000013n },
  { name: 'M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528.txt-m', facts: '0a4d0102 6b01f694 8026fbfb00000013 b4e42f93',
    ip: '10.77.1.2', ts: 1795290772, kind: 'slave', crc: 0xb4e42f93, ext: 'txt-m', sizeField: 0x8026fbfb00000013n },
  { name: 'M00/00/00/Ck0BAmsB9p6EGB8HAAAAAKaEx8Y038.log', facts: '0a4d0102 6b01f69e 84181f0700000000 a684c7c6',
    ip: '10.77.1.2', ts: 1795290782, kind: 'appender', crc: 0xa684c7c6, ext: 'log', sizeField: 0x84181f0700000000n },
  { name: 'M00/00/00/Ck0BAmsB9qmAaUKjAAAACJEAUxc038.log', facts: '0a4d0102 6b01f6a9 806942a300000008 91005317',
    ip: '10.77.1.2', ts: 1795290793, kind: 'normal', size: 8, crc: 0x91005317, ext: 'log', sizeField: 0x806942a300000008n },
];

describe('file-id: real names', () => {
  for (const r of REAL) {
    it(`decodes ${r.name.slice(10)}`, () => {
      const b27 = r.name.slice(10, 37);
      expect(Buffer.from(b27, 'base64url').toString('hex')).toBe(r.facts.replace(/ /g, ''));
      const d = decodeFileName(r.name);
      expect(d.source).toEqual({ ipv4: r.ip });
      expect(d.timestamp).toBe(r.ts);
      expect(d.kind).toBe(r.kind);
      expect(d.size).toBe(r.size);
      expect(d.crc32).toBe(r.crc);
      expect(d.sizeField).toBe(r.sizeField);
      expect(d.ext).toBe(r.ext);
      expect(d.trunk).toBeUndefined();
      // re-encode the 20 bytes and compare with the captured base64
      expect(encodeFileFacts({ source: d.source, timestamp: d.timestamp, sizeField: d.sizeField, crc32: d.crc32 })).toBe(b27);
      expect(decodeFileFacts(b27)).toEqual({ source: { ipv4: r.ip }, timestamp: r.ts, sizeField: r.sizeField, crc32: r.crc });
    });
  }

  it('CRCs of known contents match the names (zlib CRC-32)', () => {
    expect(crc32('Hello FastDFS wire protocol!\n')).toBe(0x6319f549);
    expect(crc32('0123456789')).toBe(0xa684c7c6); // appender initial content
    expect(crc32('01AB4')).toBe(0xbd37ee9a); // §5.3 sequence after truncate(5), then regenerated (§5.4)
    expect(crc32('01xy4567')).toBe(0x91005317); // §9.1 sequence, regenerated at 8 bytes
  });

  it('re-encodes the whole §6.9 name from its fields with scripted randomness', () => {
    const name = encodeFileName({
      source: { ipv4: '10.77.0.3' }, timestamp: 1795289211, size: 29, kind: 'normal', crc32: 0x6319f549, ext: 'txt',
      storePathIndex: 0, subHigh: 0x02, subLow: 0xac, random: script(sizeRand(0x28ea35), digit(7), digit(0), digit(1)),
    });
    expect(name).toBe('M00/02/AC/Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk701.txt');
    const app = encodeFileName({
      source: { ipv4: '10.77.0.3' }, timestamp: 1795289215, size: 29n, kind: 'appender', crc32: 0x6319f549, ext: 'txt',
      storePathIndex: 0, subHigh: 2, subLow: 0xac, random: script(sizeRand(0x382aee), digit(7), digit(7), digit(8)),
    });
    expect(app).toBe('M00/02/AC/Ck0AA2sB8H-EOCruAAAAAGMZ9Uk778.txt');
    const empty = encodeFileName({
      source: { ipv4: '10.77.0.3' }, timestamp: 1795289345, size: 0, kind: 'normal', crc32: 0, ext: '',
      storePathIndex: 0, subHigh: 2, subLow: 0xac, random: script(sizeRand(0x1ce377), ...[3, 9, 0, 5, 4, 2, 6].map(digit)),
    });
    expect(empty).toBe('M00/02/AC/Ck0AA2sB8QGAHON3AAAAAAAAAAA3905426');
  });

  it('splits the §6.1 file ID and parses its logical name', () => {
    const { group, logical } = splitFileId('group1/M00/02/AC/Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk701.txt');
    expect(group).toBe('group1');
    expect(parseLogicalName(logical)).toEqual({
      storePathIndex: 0, subHigh: 2, subLow: 0xac, fileName: 'Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk701.txt',
      relPath: '02/AC/Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk701.txt',
    });
    expect(parseLogicalName('MFF/00/0F/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528.txt-m').storePathIndex).toBe(255);
  });
});

describe('file-id: validation', () => {
  it('rejects bad file IDs and logical names with EINVAL', () => {
    einval(() => splitFileId('group1'));
    einval(() => splitFileId('/M00/02/AC/abc'));
    einval(() => splitFileId('grp-1/M00/02/AC/abc'));
    einval(() => splitFileId('abcdefghijklmnopq/M00/02/AC/abc'));
    einval(() => splitFileId('group1/'));
    einval(() => splitFileId(`group1/M00/02/AC/${'a'.repeat(118)}`));
    expect(splitFileId(`group1/M00/02/AC/${'a'.repeat(117)}`).logical).toHaveLength(127);
    for (const bad of ['m00/02/AC/abc', 'M0a/02/AC/abc', 'M00/02/ac/abc', 'M00/2/AC/abc', 'M00/02/AC/',
      'M00/02/AC/a/b', 'M00/02/AC/..', 'M00/02/AC/a..b', 'M00/02/AC', 'X00/02/AC/abc', 'M00/02/AC/a\0b',
      'M000/02/AC/abc', 'M00/02/AC/a b', 'M00/02/AC/a\nb', `M00/02/AC/${'a'.repeat(118)}`]) {
      einval(() => parseLogicalName(bad));
    }
  });

  it('validates group names, extensions and prefixes', () => {
    expect(isValidGroupName('group1')).toBe(true);
    expect(isValidGroupName('G'.repeat(16))).toBe(true);
    expect(isValidGroupName('G'.repeat(17))).toBe(false);
    expect(isValidGroupName('')).toBe(false);
    expect(isValidGroupName('group_1')).toBe(false);
    expect(isValidExt('')).toBe(true);
    expect(isValidExt('tar.gz')).toBe(true);
    expect(isValidExt('a_b-c')).toBe(true);
    expect(isValidExt('abcdefg')).toBe(false);
    expect(isValidExt('a/b')).toBe(false);
    expect(isValidExt('a b')).toBe(false);
    expect(isValidPrefix('_big')).toBe(true);
    expect(isValidPrefix('')).toBe(false);
    expect(isValidPrefix('p'.repeat(17))).toBe(false);
    expect(isValidPrefix('a/b')).toBe(false);
  });

  it('rejects bad encoder inputs', () => {
    const base = { source: { ipv4: '10.0.0.1' }, timestamp: 1, size: 1, kind: 'normal' as const, crc32: 0, ext: '',
      storePathIndex: 0, subHigh: 0, subLow: 0 };
    einval(() => encodeFileName({ ...base, source: { ipv4: '10.0.0' } }));
    einval(() => encodeFileName({ ...base, source: { ipv4: '10.0.0.256' } }));
    einval(() => encodeFileName({ ...base, source: { serverId: 0 } }));
    einval(() => encodeFileName({ ...base, source: { serverId: 0x1000000 } }));
    einval(() => encodeFileName({ ...base, subHigh: 256 }));
    einval(() => encodeFileName({ ...base, ext: 'toolong' }));
    einval(() => encodeFileName({ ...base, kind: 'trunk' }));
    einval(() => decodeFileName('M00/02/AC/Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk701.tx'));
    einval(() => decodeFileName('M00/02/AC/Ck0AA2sB8HuAKOo1AAAAHWMZ9U!701.txt'));
  });
});

describe('file-id: size field, X7, server ids, trunk names', () => {
  it('builds the §6.4 size field for every kind', () => {
    expect(sizeFieldFor('normal', 29, 0x28ea35)).toBe(0x8028ea350000001dn);
    expect(sizeFieldFor('normal', 1n << 32n, 0x28ea35)).toBe(1n << 32n);
    expect(sizeFieldFor('appender', 29, 0x382aee)).toBe(0x84382aee00000000n);
    expect(sizeFieldFor('trunk', 100, 0)).toBe(0x8800000000000064n);
    einval(() => sizeFieldFor('trunk', 1n << 32n, 0));
    const big = decodeFileName(`M00/00/00/${encodeFileFacts({ source: { ipv4: '1.2.3.4' }, timestamp: 1, sizeField: 5n << 32n, crc32: 1 })}1234567`);
    expect(big).toMatchObject({ kind: 'normal', size: 5 * 2 ** 32 });
  });

  it("names a normal file under 4 GiB as the size field's BigInt form does, at every edge of the field", () => {
    const sources = [{ ipv4: '192.168.5.72' }, { serverId: 100001 }];
    for (const source of sources) {
      for (const size of [0, 1, 4096, 0x7fffffff, 0x80000000, 0xffffffff, 2 ** 32, 2 ** 40 + 3]) {
        for (const rand of [0, 1, 0x28ea35, 0x7fffff]) {
          const logical = encodeFileName({
            source, timestamp: 1795289211, size, kind: 'normal', crc32: 0xfedcba98, ext: 'jpg', storePathIndex: 0,
            subHigh: 1, subLow: 2, random: script(rand / 0x800000, ...Array(7).fill(0)),
          });
          const b27 = encodeFileFacts({ source, timestamp: 1795289211, sizeField: sizeFieldFor('normal', size, rand), crc32: 0xfedcba98 });
          expect(logical.slice(10, 37)).toBe(b27);
          expect(decodeFileName(logical)).toMatchObject({ kind: 'normal', size, crc32: 0xfedcba98 });
        }
      }
    }
  });

  it('formats X7 extensions (§6.5)', () => {
    expect(formatExt('txt', script(digit(7), digit(0), digit(1)))).toBe('701.txt');
    expect(formatExt('jpeg', script(digit(1), digit(1)))).toBe('11.jpeg');
    expect(formatExt('tar.gz', script())).toBe('.tar.gz');
    expect(formatExt('', script(...[3, 9, 0, 5, 4, 2, 6].map(digit)))).toBe('3905426');
    expect(formatExt('b')).toMatch(/^[0-9]{5}\.b$/);
    expect(formatExt('')).toMatch(/^[0-9]{7}$/);
    einval(() => formatExt('a*b'));
  });

  it('puts a server id little-endian into the name (§6.3)', () => {
    const b27 = encodeFileFacts({ source: { serverId: 100001 }, timestamp: 1795289211, sizeField: 0x8028ea350000001dn, crc32: 1 });
    expect(Buffer.from(b27, 'base64url').subarray(0, 4).toString('hex')).toBe('a1860100');
    expect(decodeFileFacts(b27).source).toEqual({ serverId: 100001 });
    // an IPv4 address ending in .0 with a small first octet reads back as a server id (quirk 13.2.7)
    const quirk = encodeFileFacts({ source: { ipv4: '10.1.2.0' }, timestamp: 0, sizeField: 0n, crc32: 0 });
    expect(decodeFileFacts(quirk).source).toEqual({ serverId: 0x0002010a });
  });

  it('encodes and decodes trunk names (§6.6)', () => {
    const name = encodeFileName({
      source: { ipv4: '10.77.0.3' }, timestamp: 1795289211, size: 1234, kind: 'trunk', crc32: 0xdeadbeef, ext: 'jpg',
      storePathIndex: 1, subHigh: 0, subLow: 5, trunk: { fileId: 7, offset: 65536, size: 2048 },
      random: script(sizeRand(0x123456), digit(4), digit(2), digit(9)),
    });
    expect(name).toHaveLength(60);
    expect(name.startsWith('M01/00/05/')).toBe(true);
    expect(name.endsWith('429.jpg')).toBe(true);
    const d = decodeFileName(name);
    expect(d).toMatchObject({ kind: 'trunk', size: 1234, crc32: 0xdeadbeef, ext: 'jpg', trunk: { fileId: 7, offset: 65536, size: 2048 } });
    expect(d.sizeField).toBe(0x8812345600000000n | 1234n);
    expect(decodeTrunkLocation(encodeTrunkLocation({ fileId: 1, offset: 2, size: 3 }))).toEqual({ fileId: 1, offset: 2, size: 3 });
    // the trunk flag on a 44-char name is a normal file; a longer name without it is a slave
    expect(decodeFileName(`${name.slice(0, 37)}429.jpg`).kind).toBe('normal');
    expect(decodeFileName(`${name.slice(0, 53)}_x429.jpg`).kind).toBe('slave');
  });
});

describe('file-id: slave names (§6.7)', () => {
  const master = 'M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066.txt';
  it('derives the captured slave name', () => {
    expect(slaveFileName(master, '_big', 'txt')).toBe('M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066_big.txt');
    expect(slaveFileName('M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528.txt', '_s', 'txt'))
      .toBe('M00/00/00/Ck0BAmsB9pSAJvv7AAAAE7TkL5M528_s.txt');
  });
  it('handles the extension argument forms', () => {
    expect(slaveFileName(master, '_big')).toBe('M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066_big.txt');
    expect(slaveFileName(master, '_big', '.jpg')).toBe('M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066_big.jpg');
    expect(slaveFileName(master, '_big', '')).toBe('M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066_big');
    expect(slaveFileName(master, '', 'jpg')).toBe('M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066.jpg');
    const noExt = 'M00/02/AC/Ck0AA2sB8QGAHON3AAAAAAAAAAA3905426';
    expect(slaveFileName(noExt, '_t', 'png')).toBe(`${noExt}_t.png`);
    expect(slaveFileName('M00/02/AC/Ck0AA2sB8QGAHON3AAAAAAAAAAA.tar.gz', '_t')).toBe('M00/02/AC/Ck0AA2sB8QGAHON3AAAAAAAAAAA_t.tar.gz');
  });
  it('applies the rejection rules', () => {
    einval(() => slaveFileName(master, '-m', ''));
    einval(() => slaveFileName(master, ''));
    einval(() => slaveFileName(master, '', 'txt'));
    einval(() => slaveFileName(master, '', '.txt'));
    einval(() => slaveFileName('M00/02/AC/Ck0AA2sB8QGAHON3AAAAAAAAAAA3905426', ''));
    einval(() => slaveFileName('M00/02/AC/Ck0AA2sB8QGAHON3AAAAAAAAAAA3905426', '', ''));
    einval(() => slaveFileName(master, 'bad/prefix', 'txt'));
    einval(() => slaveFileName(master, '_big', 'toolong'));
    einval(() => slaveFileName('M00/02/AC/short.txt', '_big', 'txt'));
    expect(slaveFileName(master, '-m', 'txt')).toBe('M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066-m.txt');
  });
});

describe('file-id: metadata sidecars', () => {
  it('knows `<generated name>-m` as a sidecar, and nothing else', () => {
    expect(isMetadataSidecar('M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066.txt-m')).toBe(true);
    expect(isMetadataSidecar('M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066-m')).toBe(true);
    expect(isMetadataSidecar('M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066.txt')).toBe(false);
    expect(isMetadataSidecar('M00/02/AC/short-m')).toBe(false);
    expect(isMetadataSidecar('M00/02/AC/Ck0AA2sB8IuAKDoi!!AAHWMZ9Uk066-m')).toBe(false);
  });
});

describe('file-id: random-mode sub-directories (§6.2)', () => {
  /** Independent reference with BigInt and explicit int32 wrap-around (arithmetic shift of a signed value). */
  function refPjw(s: string): number {
    let h = 0n;
    for (const b of Buffer.from(s)) {
      h = BigInt.asIntN(32, (h << 4n) + BigInt(b));
      const t = h & BigInt.asIntN(32, 0xf0000000n);
      if (t !== 0n) h = (h ^ (t >> 24n)) & 0x0fffffffn;
    }
    return Number(h);
  }

  it('hashes like the int32 reference', () => {
    expect(pjwHash('')).toBe(0);
    expect(pjwHash('A')).toBe(65);
    expect(pjwHash('AB')).toBe(65 * 16 + 66);
    expect(pjwHash('Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk')).toBe(139790059);
    expect(pjwHash(Buffer.from('Ck0AA2sB8KKAfEzqAAERcGDnf3g'))).toBe(246761623);
    const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < 500; i++) {
      let s = '';
      for (let j = 0; j < 27; j++) s += alpha[Math.floor(Math.random() * 64)];
      expect(pjwHash(s)).toBe(refPjw(s));
    }
  });

  it('derives high/low from the hash modulo the subdir count', () => {
    // 139790059 % 65536 = 0x06EB
    expect(139790059 % 65536).toBe(0x06eb);
    expect(distributeSubdirs('Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk', 256)).toEqual({ subHigh: 0x06, subLow: 0xeb });
    expect(distributeSubdirs('Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk', 16)).toEqual({ subHigh: 0x06 % 16, subLow: 0xeb % 16 });
    expect(distributeSubdirs('Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk', 1)).toEqual({ subHigh: 0, subLow: 0 });
    einval(() => distributeSubdirs('x', 0));
    einval(() => distributeSubdirs('x', 257));
  });
});

describe('file-id: randomised round trips', () => {
  it('encodeFileName → decodeFileName keeps every field', () => {
    for (let i = 0; i < 300; i++) {
      const kind = (['normal', 'appender', 'trunk'] as const)[i % 3]!;
      const useId = i % 4 === 0;
      const source = useId ? { serverId: 1 + Math.floor(Math.random() * 0xfffffe) }
        : { ipv4: [1 + Math.floor(Math.random() * 254), 0, 0, 1 + Math.floor(Math.random() * 254)].map(String).join('.') };
      const size = kind === 'normal' && i % 7 === 0 ? 2 ** 32 + Math.floor(Math.random() * 1e9) : Math.floor(Math.random() * 2 ** 32);
      const ext = ['', 'txt', 'tar.gz', 'a', 'jpeg1'][i % 5]!;
      const o = {
        source, timestamp: Math.floor(Math.random() * 2 ** 32), size, kind, crc32: Math.floor(Math.random() * 2 ** 32), ext,
        storePathIndex: i % 256, subHigh: (i * 7) % 256, subLow: (i * 13) % 256,
        trunk: kind === 'trunk' ? { fileId: i, offset: i * 100, size: 4096 } : undefined,
      };
      const name = encodeFileName(o);
      expect(name).toHaveLength(kind === 'trunk' ? 60 : 44);
      const p = parseLogicalName(name);
      expect([p.storePathIndex, p.subHigh, p.subLow]).toEqual([o.storePathIndex, o.subHigh, o.subLow]);
      const d = decodeFileName(name);
      expect(d.kind).toBe(kind);
      expect(d.source).toEqual(source);
      expect(d.timestamp).toBe(o.timestamp);
      expect(d.crc32).toBe(o.crc32);
      expect(d.ext).toBe(ext.includes('.') ? ext.slice(ext.lastIndexOf('.') + 1) : ext);
      expect(d.size).toBe(kind === 'appender' ? undefined : size);
      if (kind !== 'normal' || size < 2 ** 32) expect(d.sizeField >> 63n).toBe(1n);
      if (kind === 'trunk') expect(d.trunk).toEqual(o.trunk);
    }
  });
});

describe('file-id: fileRouting (the tracker\'s read routing facts)', () => {
  const viaPeek = (logical: string) => {
    const info = peekFileName(logical);
    if (!info) return null;
    return {
      sourceIp: 'ipv4' in info.source ? info.source.ipv4 : '',
      sourceId: 'serverId' in info.source ? String(info.source.serverId) : '',
      timestamp: info.timestamp,
      normal: info.kind === 'normal' || info.kind === 'trunk',
    };
  };

  it('agrees with peekFileName on normal, appender, trunk, slave, id-named, short and pre-1.12 names', () => {
    const names: string[] = [];
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
    for (let i = 0; i < 400; i++) {
      const kind = (['normal', 'appender', 'trunk'] as const)[i % 3]!;
      const source = i % 4 === 0 ? { serverId: 1 + Math.floor(rand() * 0xfffffe) } : { ipv4: [1 + (i % 250), i % 256, (i * 7) % 256, (i * 13) % 256].join('.') };
      const name = encodeFileName({
        source, timestamp: Math.floor(rand() * 0xffffffff), size: Math.floor(rand() * 2 ** (kind === 'trunk' ? 31 : 40)), kind, crc32: Math.floor(rand() * 0xffffffff),
        ext: i % 5 ? 'jpg' : '', storePathIndex: i % 3, subHigh: i % 256, subLow: (i * 3) % 256,
        ...(kind === 'trunk' ? { trunk: { fileId: i, offset: i * 10, size: 100 } } : {}),
      } as Parameters<typeof encodeFileName>[0]);
      names.push(name);
      if (kind === 'normal') names.push(slaveFileName(name, '_150x150'), name.slice(0, 40));
    }
    names.push('M00/00/00/short.jpg', 'M00/00/00/' + 'A'.repeat(27));
    for (const n of names) expect(fileRouting(n), n).toEqual(viaPeek(n));
  });

  it('refuses a B27 that is not base64 with EINVAL, as peekFileName does', () => {
    const bad = 'M00/00/00/wKgFSFvAem6AfpJXAAA2F*v_nRs556.jpg';
    expect(() => peekFileName(bad)).toThrow(StatusError);
    expect(() => fileRouting(bad)).toThrow(StatusError);
  });
});

describe('file-id: normalContentFacts (what a download checks a copy against)', () => {
  const viaPeek = (logical: string) => {
    let info;
    try {
      info = peekFileName(logical);
    } catch {
      return null;
    }
    if (!info || info.kind !== 'normal' || info.size === undefined) return null;
    return { size: info.size, crc32: info.crc32 >>> 0, timestamp: info.timestamp };
  };

  it('agrees with peekFileName on normal (small, ≥ 4 GiB), appender, trunk, slave, short and bad names', () => {
    const names: string[] = [];
    let seed = 11;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
    for (let i = 0; i < 600; i++) {
      const kind = (['normal', 'normal', 'appender', 'trunk'] as const)[i % 4]!;
      const big = kind === 'normal' && i % 8 === 0;
      const size = big ? 2 ** 32 + Math.floor(rand() * 2 ** 40) : Math.floor(rand() * 2 ** (kind === 'trunk' ? 31 : 32));
      const source = i % 3 === 0 ? { serverId: 1 + Math.floor(rand() * 0xfffffe) } : { ipv4: [1 + (i % 250), i % 256, (i * 7) % 256, (i * 13) % 256].join('.') };
      const name = encodeFileName({
        source, timestamp: Math.floor(rand() * 0xffffffff), size, kind, crc32: Math.floor(rand() * 0xffffffff),
        ext: i % 5 ? 'jpg' : '', storePathIndex: i % 3, subHigh: i % 256, subLow: (i * 3) % 256,
        ...(kind === 'trunk' ? { trunk: { fileId: i, offset: i * 10, size: 100 } } : {}),
      } as Parameters<typeof encodeFileName>[0]);
      names.push(name);
      if (kind === 'normal') names.push(slaveFileName(name, '_150x150'), slaveFileName(name, '-s'), name.slice(0, 40));
    }
    names.push('M00/00/00/short.jpg', 'M00/00/00/' + 'A'.repeat(34), 'M00/00/00/wKgFSFvAem6AfpJXAAA2F*v_nRs556.jpg');
    let normal = 0;
    for (const n of names) {
      const want = viaPeek(n);
      if (want) normal++;
      expect(normalContentFacts(n), n).toEqual(want);
    }
    expect(normal).toBeGreaterThan(250);
  });
});

describe('file-id: trunkNameFacts (what every trunk read and write decodes)', () => {
  const viaDecode = (logical: string) => {
    let info;
    try {
      info = decodeFileName(logical);
    } catch {
      return null;
    }
    if (info.kind !== 'trunk' || info.size === undefined || !info.trunk) return null;
    return { size: info.size, crc32: info.crc32 >>> 0, timestamp: info.timestamp, trunk: info.trunk };
  };

  it('agrees with decodeFileName on trunk names (negative and large locations too), other kinds and bad names', () => {
    const names: string[] = [];
    let seed = 29;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
    const i32 = () => Math.floor(rand() * 2 ** 32) - 2 ** 31;
    for (let i = 0; i < 800; i++) {
      const kind = (['trunk', 'trunk', 'trunk', 'normal', 'appender'] as const)[i % 5]!;
      const source = i % 3 === 0 ? { serverId: 1 + Math.floor(rand() * 0xfffffe) } : { ipv4: [1 + (i % 250), i % 256, (i * 7) % 256, (i * 13) % 256].join('.') };
      const name = encodeFileName({
        source, timestamp: Math.floor(rand() * 0xffffffff), size: Math.floor(rand() * 2 ** 31), kind, crc32: Math.floor(rand() * 0xffffffff),
        ext: i % 4 ? 'png' : '', storePathIndex: i % 3, subHigh: i % 256, subLow: (i * 5) % 256,
        ...(kind === 'trunk' ? { trunk: i % 7 ? { fileId: i32(), offset: i32(), size: i32() } : { fileId: i, offset: i * 256, size: 512 } } : {}),
      } as Parameters<typeof encodeFileName>[0]);
      names.push(name);
      // Damage one character of the locator or the facts: base64 or not, the answers must still agree.
      const at = 10 + Math.floor(rand() * 43);
      names.push(name.slice(0, at) + '*' + name.slice(at + 1), name.slice(0, at) + 'A' + name.slice(at + 1));
    }
    let trunk = 0;
    for (const n of names) {
      const want = viaDecode(n);
      if (want) trunk++;
      expect(trunkNameFacts(n), n).toEqual(want);
      expect(isTrunkName(n), n).toBe(want !== null);
      if (want) {
        const ref = trunkSlotOf(n);
        expect(ref.trunk).toEqual(want.trunk);
        expect(ref.header).toMatchObject({ allocSize: want.trunk.size, fileSize: want.size, crc32: want.crc32, mtime: want.timestamp, x7: n.slice(-7) });
      }
    }
    expect(trunk).toBeGreaterThan(900);
  });
});
