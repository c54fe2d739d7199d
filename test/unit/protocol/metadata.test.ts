import { describe, it, expect } from 'vitest';
import { encodeMetadata, decodeMetadata, decodeMetadataEntries, mergeMetadata } from '../../../src/protocol/metadata.js';
import { StatusError } from '../../../src/errors.js';
import { decodeEverySplit } from '../../helpers/hex.js';
import { wire } from '../../helpers/wire.js';

// §12.3 GET_METADATA response (stock 6.16.1): records sorted by key
const getMetaResp = wire('get-metadata.resp');

const M = (s: string) => Buffer.from(s.replace(/\|/g, '\x01').replace(/=/g, '\x02'), 'latin1');

describe('metadata encoding (§5.7)', () => {
  it('decodes the captured GET_METADATA body and re-encodes it byte for byte', () => {
    const [frame] = decodeEverySplit(getMetaResp);
    const meta = decodeMetadata(frame!.body);
    expect(meta).toEqual({ ext_name: 'jpg', file_size: '115120', height: '80', width: '160' });
    // fdfs_test sends them unsorted; the storage stores and returns them sorted
    const unsorted = { ext_name: 'jpg', width: '160', height: '80', file_size: '115120' };
    expect(encodeMetadata(unsorted).toString('hex')).toBe(frame!.body.toString('hex'));
    expect(encodeMetadata(unsorted, { sort: false })).toEqual(M('ext_name=jpg|width=160|height=80|file_size=115120'));
  });

  it('reproduces the §5.7 merge example', () => {
    const old = decodeMetadata(M('ext_name=jpg|file_size=115120|height=80|width=160'));
    const merged = mergeMetadata(old, { color: 'red', width: '1024' });
    expect(encodeMetadata(merged)).toEqual(M('color=red|ext_name=jpg|file_size=115120|height=80|width=1024'));
    // §12.7.4: O color=red, then M size=big
    expect(encodeMetadata(mergeMetadata({ color: 'red' }, [['size', 'big']]))).toEqual(M('color=red|size=big'));
    // §12.7.6 sidecar downloaded during recovery
    expect(decodeMetadata(M('h=768|w=1024'))).toEqual({ h: '768', w: '1024' });
  });

  it('drops records without 0x02 and keeps empty values', () => {
    expect(decodeMetadataEntries(M('a=1|junk|b=|=x|c=3=4|'))).toEqual([['a', '1'], ['b', ''], ['', 'x'], ['c', '3\x024']]);
    expect(decodeMetadataEntries(Buffer.alloc(0))).toEqual([]);
    expect(decodeMetadata(M('k=1|k=2'))).toEqual({ k: '2' });
  });

  it('truncates keys to 64 and values to 256 bytes on both sides', () => {
    const long = encodeMetadata({ ['k'.repeat(70)]: 'v'.repeat(300) });
    expect(long).toEqual(M(`${'k'.repeat(64)}=${'v'.repeat(256)}`));
    expect(decodeMetadataEntries(M(`${'k'.repeat(70)}=${'v'.repeat(300)}`))).toEqual([['k'.repeat(64), 'v'.repeat(256)]]);
  });

  it('sorts by byte order, dedupes and accepts Maps and entry lists', () => {
    expect(encodeMetadata([['b', '1'], ['B', '2'], ['a', '3'], ['b', '4']])).toEqual(M('B=2|a=3|b=4'));
    expect(encodeMetadata(new Map([['é', '1'], ['z', '2']]))).toEqual(Buffer.concat([M('z=2|'), Buffer.from('é'), M('=1')]));
    expect(encodeMetadata({})).toEqual(Buffer.alloc(0));
  });

  it('rejects separators and empty keys with EINVAL', () => {
    for (const bad of [{ 'a\x01': 'x' }, { a: 'x\x02y' }, { '': 'x' }] as Array<Record<string, string>>) {
      expect(() => encodeMetadata(bad)).toThrow(StatusError);
    }
  });

  it('round-trips random records', () => {
    const chars = 'abcXYZ019_-. /:äö漢';
    const rnd = (n: number) => Array.from({ length: n }, () => chars[Math.floor(Math.random() * chars.length)]).join('');
    for (let i = 0; i < 200; i++) {
      const meta: Record<string, string> = {};
      const n = Math.floor(Math.random() * 6);
      for (let j = 0; j < n; j++) meta[`${rnd(1 + Math.floor(Math.random() * 10))}`] = rnd(Math.floor(Math.random() * 30));
      const enc = encodeMetadata(meta);
      expect(decodeMetadata(enc)).toEqual(meta);
      const keys = decodeMetadataEntries(enc).map(([k]) => Buffer.from(k));
      for (let j = 1; j < keys.length; j++) expect(Buffer.compare(keys[j - 1]!, keys[j]!)).toBeLessThan(0);
    }
  });
});
