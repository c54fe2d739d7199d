import { describe, it, expect } from 'vitest';
import { applyMetadata } from '../../../../src/storage/handlers/metadata.js';
import { encodeMetadata } from '../../../../src/protocol/metadata.js';

const text = (b: Buffer | null | undefined): string | null => (b ? b.toString('latin1') : null);
const E = (o: Record<string, string>): Buffer => encodeMetadata(o, { sort: false });

describe("applyMetadata: 'O' overwrite", () => {
  it('creates a sorted sidecar (C) when there is none', () => {
    const r = applyMetadata('O', null, E({ width: '160', ext_name: 'jpg', height: '80', file_size: '115120' }));
    expect(r?.op).toBe('C');
    expect(text(r?.content)).toBe('ext_name\x02jpg\x01file_size\x02115120\x01height\x0280\x01width\x02160');
  });

  it('replaces everything (U) when one exists', () => {
    const r = applyMetadata('O', encodeMetadata({ a: '1', b: '2' }), E({ only: 'one' }));
    expect(r?.op).toBe('U');
    expect(text(r?.content)).toBe('only\x02one');
  });

  it('with no records deletes the sidecar (D), or changes nothing without one', () => {
    expect(applyMetadata('O', encodeMetadata({ a: '1' }), Buffer.alloc(0))).toEqual({ op: 'D', content: null });
    expect(applyMetadata('O', null, Buffer.alloc(0))).toBeNull();
  });

  it('keeps the last value of a repeated key and drops empty keys', () => {
    const r = applyMetadata('O', null, Buffer.from('k\x021\x01\x02x\x01novalue\x01k\x022', 'latin1'));
    expect(text(r?.content)).toBe('k\x022');
  });
});

describe("applyMetadata: 'M' merge", () => {
  it('replaces existing keys, adds new ones, keeps the result sorted (U)', () => {
    const existing = encodeMetadata({ ext_name: 'jpg', file_size: '115120', height: '80', width: '160' });
    const r = applyMetadata('M', existing, E({ color: 'red', width: '1024' }));
    expect(r?.op).toBe('U');
    // The §5.7 captured answer.
    expect(text(r?.content)).toBe('color\x02red\x01ext_name\x02jpg\x01file_size\x02115120\x01height\x0280\x01width\x021024');
  });

  it('creates the sidecar (C) when there is none', () => {
    const r = applyMetadata('M', null, E({ b: '2', a: '1' }));
    expect(r?.op).toBe('C');
    expect(text(r?.content)).toBe('a\x021\x01b\x022');
  });

  it('with no records is a no-op', () => {
    expect(applyMetadata('M', encodeMetadata({ a: '1' }), Buffer.alloc(0))).toBeNull();
    expect(applyMetadata('M', null, Buffer.alloc(0))).toBeNull();
  });

  it('keeps bytes that are not UTF-8 and truncates keys to 64 and values to 256 bytes', () => {
    const raw = Buffer.concat([Buffer.from('k\x02'), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from(`\x01${'K'.repeat(70)}\x02${'v'.repeat(300)}`)]);
    const r = applyMetadata('O', null, raw);
    expect(text(r?.content)).toBe(`${'K'.repeat(64)}\x02${'v'.repeat(256)}\x01k\x02\xff\xfe\x80`);
  });

  it('sorts by byte order, not locale', () => {
    const r = applyMetadata('M', encodeMetadata({ b: '1' }), E({ B: '2', a: '3' }));
    expect(text(r?.content)).toBe('B\x022\x01a\x023\x01b\x021');
  });
});
