// BufWriter / BufReader (habit 3): one allocation that grows when needed, pkg_len patched last, NUL-padded
// strings cut at the first NUL on read, ProtocolError (not RangeError) on short bodies and unsafe i64s.
import { describe, it, expect } from 'vitest';
import { BufReader, BufWriter, cstr } from '../../../src/protocol/buf.js';
import { decodeHeader, encodeHeader, writeHeaderInto } from '../../../src/protocol/header.js';
import { ProtocolError } from '../../../src/errors.js';
import { codecCases } from '../../helpers/codec-cases.js';

interface Fields { u8: number; i32: number; u32: number; i64: number; group: string; name: string }

codecCases<Fields>('BufWriter → BufReader fields', {
  encode: (v) => new BufWriter(0).u8(v.u8).i32(v.i32).u32(v.u32).i64(v.i64).fixed(v.group, 16).bytes(v.name).finish(11),
  decode: (body) => {
    const r = new BufReader(body);
    return { u8: r.u8(), i32: r.i32(), u32: r.u32(), i64: r.i64(), group: r.fixed(16), name: r.rest() };
  },
}, [
  { name: 'all widths, an initial size of 0 grows', hex: `00 00 00 00 00 00 00 26 0b 00  ff  ff ff ff fe  80 00 00 00
      00 00 00 00 00 01 11 70  67 72 6f 75 70 31 00 00 00 00 00 00 00 00 00 00  4d 30 30 2f 61`,
    header: { pkgLen: 0x26, cmd: 11, status: 0 },
    value: { u8: 255, i32: -2, u32: 0x80000000, i64: 70000, group: 'group1', name: 'M00/a' } },
  { name: 'a 16-byte group fills its field without a NUL', bytes: new BufWriter(40).u8(0).i32(0).u32(0).i64(-1).fixed('G'.repeat(16), 16).finish(11),
    value: { u8: 0, i32: 0, u32: 0, i64: -1, group: 'G'.repeat(16), name: '' } },
]);

describe('BufWriter', () => {
  it('cuts long fixed strings, writes NUL padding over reused memory, and masks u8/i32', () => {
    const w = new BufWriter(0, { header: false }).fixed('abcdefgh', 4).fixed(Buffer.from('xy'), 4).u8(0x1ff).i32(2 ** 32 + 5);
    expect(w.body().toString('hex')).toBe('61626364' + '78790000' + 'ff' + '00000005');
    expect(w.length).toBe(13);
    expect(() => w.finish(11)).toThrow(/without header/);
  });

  it('patches pkg_len last, after any growth', () => {
    const w = new BufWriter(1);
    for (let i = 0; i < 1000; i++) w.u8(i);
    const pkt = w.finish(100, 2);
    expect(decodeHeader(pkt)).toEqual({ pkgLen: 1000, cmd: 100, status: 2 });
    expect(pkt).toHaveLength(1010);
    expect(pkt[10 + 999]).toBe(999 & 0xff);
  });
});

describe('BufReader', () => {
  it('throws ProtocolError naming the want and the offset on a short body', () => {
    const r = new BufReader(Buffer.alloc(20));
    r.bytes(12);
    expect(() => r.fixed(16)).toThrow(ProtocolError);
    expect(() => r.fixed(16)).toThrow('short body: want 16 at 12 of 20');
    for (const read of [(x: BufReader) => x.bytes(9), (x: BufReader) => x.fixed(9)]) {
      expect(() => read(r)).toThrow(ProtocolError);
    }
    expect(r.pos).toBe(12);
    expect(r.remaining).toBe(8);
    r.i64();
    expect(() => r.u8()).toThrow('short body: want 1 at 20 of 20');
    expect(() => r.i32()).toThrow(ProtocolError);
  });

  it('refuses an i64 outside the safe-integer range but hands it out as a bigint', () => {
    const b = Buffer.alloc(16);
    b.writeBigInt64BE(2n ** 53n, 0);
    b.writeBigInt64BE(-(2n ** 53n), 8);
    expect(() => new BufReader(b).i64()).toThrow(/outside safe range at 0/);
    const r = new BufReader(b);
    expect(r.big64()).toBe(2n ** 53n);
    expect(() => r.i64()).toThrow(ProtocolError);
    expect(new BufReader(Buffer.from('001fffffffffffff', 'hex')).i64()).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('cuts fixed fields at the first NUL, ignoring stale bytes after it (§2.2)', () => {
    const field = Buffer.from('group1\0stale!!!!', 'latin1');
    expect(new BufReader(field).fixed(16)).toBe('group1');
    expect(cstr(field)).toBe('group1');
    expect(cstr(Buffer.from('no-nul'))).toBe('no-nul');
    const r = new BufReader(Buffer.from([0xff, 0x80, 1, 2, 3]));
    expect([r.u8(), r.i8()]).toEqual([255, -128]);
    expect(r.restBytes()).toEqual(Buffer.from([1, 2, 3]));
    expect(r.rest()).toBe('');
  });
});

describe('writeHeaderInto', () => {
  it('writes the bytes encodeHeader makes, pkg_len past 32 bits included, and leaves the rest alone', () => {
    for (const [len, cmd, status] of [[0, 100, 0], [4096, 100, 0], [2 ** 32 + 5, 100, 0], [Number.MAX_SAFE_INTEGER, 11, 2]] as const) {
      const packet = Buffer.alloc(12, 0xee);
      writeHeaderInto(packet, len, cmd, status);
      expect(packet.subarray(0, 10).equals(encodeHeader(len, cmd, status))).toBe(true);
      expect(packet.subarray(10)).toEqual(Buffer.from([0xee, 0xee]));
    }
  });
});
