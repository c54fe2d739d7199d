import { describe, it, expect } from 'vitest';
import {
  encodeQueryStoreRequest, decodeQueryStoreRequest, encodeQueryStoreResponse, decodeQueryStoreResponse,
  encodeQueryStoreAllResponse, decodeQueryStoreAllResponse, encodeQueryFetchRequest, decodeQueryFetchRequest,
  encodeQueryFetchResponse, decodeQueryFetchResponse, encodeQueryFetchAllResponse, decodeQueryFetchAllResponse,
  type StorageAddr,
} from '../../../src/protocol/tracker-query.js';
import { ProtocolError, StatusError } from '../../../src/errors.js';
import { decodeEverySplit } from '../../helpers/hex.js';
import { wire } from '../../helpers/wire.js';
import { codecCases } from '../../helpers/codec-cases.js';

const NAME = 'M00/02/AC/Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk701.txt';

const q101 = wire('query-store.req');
const r101 = wire('query-store.resp');
const r102 = wire('query-fetch-one.resp');

codecCases('tracker-query captures (§12.1, §12.2)', {}, [
  { name: '101 request', fixture: 'query-store.req', header: { cmd: 101, pkgLen: 0 }, value: { all: false },
    encode: () => encodeQueryStoreRequest(), decode: (b, h) => decodeQueryStoreRequest(h!.cmd as 101, b) },
  { name: '101 answer', fixture: 'query-store.resp', header: { cmd: 100, pkgLen: 40 },
    value: { group: 'group1', ip: '10.77.0.3', port: 23000, storePathIndex: 0 },
    encode: (v) => encodeQueryStoreResponse(v, 16), decode: (b) => decodeQueryStoreResponse(b) },
  { name: '102 request', fixture: 'query-fetch-one.req', header: { pkgLen: 60, cmd: 102, status: 0 },
    value: { group: 'group1', logical: NAME },
    encode: (v) => encodeQueryFetchRequest(102, v.group, v.logical), decode: (b) => decodeQueryFetchRequest(b) },
  { name: '102 answer', fixture: 'query-fetch-one.resp', value: { group: 'group1', ip: '10.77.0.3', port: 23000 },
    encode: (v) => encodeQueryFetchResponse(v, 16), decode: (b) => decodeQueryFetchResponse(b) },
]);

function errno(fn: () => unknown): number {
  try { fn(); } catch (e) { if (e instanceof StatusError) return e.errno; throw e; }
  throw new Error('expected a StatusError');
}

describe('tracker-query 101/104/106/107', () => {
  it('cuts the captured 101 exchange into its two frames', () => {
    const frames = decodeEverySplit(Buffer.concat([q101, r101]));
    expect(frames.map((f) => [f.header.cmd, f.header.pkgLen])).toEqual([[101, 0], [100, 40]]);
  });

  it('encodes the four request forms', () => {
    expect([...encodeQueryStoreRequest({ all: true })]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 106, 0]);
    const with1 = encodeQueryStoreRequest({ group: 'group1' });
    expect(with1.subarray(0, 10).toString('hex')).toBe('00000000000000106800');
    expect(decodeQueryStoreRequest(104, with1.subarray(10))).toEqual({ group: 'group1', all: false });
    const withAll = encodeQueryStoreRequest({ group: 'G'.repeat(16), all: true });
    expect(withAll[8]).toBe(107);
    expect(decodeQueryStoreRequest(107, withAll.subarray(10))).toEqual({ group: 'G'.repeat(16), all: true });
    expect(errno(() => decodeQueryStoreRequest(101, Buffer.alloc(1)))).toBe(22);
    expect(errno(() => decodeQueryStoreRequest(104, Buffer.alloc(15)))).toBe(22);
    expect(errno(() => decodeQueryStoreRequest(107, Buffer.alloc(17)))).toBe(22);
    expect(errno(() => encodeQueryStoreRequest({ group: 'G'.repeat(17) }))).toBe(22);
  });

  it('handles the IPv6 (70-byte) response', () => {
    const t = { group: 'group1', ip: 'fe80::1234:5678:9abc:def0', port: 23000, storePathIndex: 3 };
    const pkt = encodeQueryStoreResponse(t, 46);
    expect(pkt.length - 10).toBe(70);
    expect(decodeQueryStoreResponse(pkt.subarray(10))).toEqual(t);
    expect(() => encodeQueryStoreResponse({ ...t, ip: 'x'.repeat(16) }, 16)).toThrow(StatusError);
  });

  it('rejects other response lengths with ProtocolError', () => {
    for (const n of [0, 39, 41, 69, 71]) expect(() => decodeQueryStoreResponse(Buffer.alloc(n))).toThrow(ProtocolError);
    for (const n of [16, 17, 18, 41, 16 + 23 + 2]) expect(() => decodeQueryStoreAllResponse(Buffer.alloc(n))).toThrow(ProtocolError);
  });

  it('encodes *_ALL responses: n servers then one path index', () => {
    const servers: StorageAddr[] = [{ ip: '10.77.0.2', port: 23000 }, { ip: '10.77.0.3', port: 23001 }];
    const v4 = encodeQueryStoreAllResponse({ group: 'group1', servers, storePathIndex: 1 }, 16);
    expect(v4.length - 10).toBe(16 + 2 * 23 + 1);
    expect(v4.readBigInt64BE(10 + 16 + 15)).toBe(23000n);
    expect(v4[v4.length - 1]).toBe(1);
    expect(decodeQueryStoreAllResponse(v4.subarray(10))).toEqual({ group: 'group1', servers, storePathIndex: 1 });
    const v6 = encodeQueryStoreAllResponse({ group: 'group1', servers, storePathIndex: 0 }, 46);
    expect(v6.length - 10).toBe(16 + 2 * 53 + 1);
    expect(decodeQueryStoreAllResponse(v6.subarray(10)).servers).toEqual(servers);
  });
});

describe('tracker-query 102/103/105', () => {
  it('does not take the 39-byte fetch answer for a 40-byte store answer', () => {
    const frames = decodeEverySplit(Buffer.concat([wire('query-fetch-one.req'), r102]));
    // the 39-byte form is not a store response and vice versa (13.2.12)
    expect(() => decodeQueryStoreResponse(frames[1]!.body)).toThrow(ProtocolError);
    expect(() => decodeQueryFetchResponse(decodeEverySplit(r101)[0]!.body)).toThrow(ProtocolError);
  });

  it('validates the name length: 22 ≤ n < 128', () => {
    expect(errno(() => decodeQueryFetchRequest(Buffer.alloc(16 + 21)))).toBe(22);
    expect(errno(() => decodeQueryFetchRequest(Buffer.alloc(16 + 128)))).toBe(22);
    expect(decodeQueryFetchRequest(Buffer.alloc(16 + 127)).logical).toHaveLength(127);
    expect(errno(() => encodeQueryFetchRequest(103, 'group1', 'M00/00/00/short'))).toBe(22);
    expect(encodeQueryFetchRequest(103, 'group1', NAME)[8]).toBe(103);
  });

  it('encodes and decodes 105 lists in both sizes', () => {
    const servers: StorageAddr[] = [{ ip: '10.77.1.2', port: 23000 }, { ip: '10.77.1.3', port: 23000 }, { ip: '10.77.1.5', port: 23002 }];
    for (const ipSize of [16, 46] as const) {
      const pkt = encodeQueryFetchAllResponse({ group: 'group1', servers }, ipSize);
      expect(pkt.length - 10).toBe(ipSize === 16 ? 39 + 2 * 23 : 69 + 2 * 53);
      expect(decodeQueryFetchAllResponse(pkt.subarray(10))).toEqual({ group: 'group1', servers });
    }
    expect(decodeQueryFetchAllResponse(r102.subarray(10))).toEqual({ group: 'group1', servers: [{ ip: '10.77.0.3', port: 23000 }] });
    expect(decodeQueryFetchResponse(encodeQueryFetchResponse({ group: 'g', ip: '::1', port: 1 }, 46).subarray(10)))
      .toEqual({ group: 'g', ip: '::1', port: 1 });
    for (const n of [16, 38, 40, 16 + 24]) expect(() => decodeQueryFetchAllResponse(Buffer.alloc(n))).toThrow(ProtocolError);
  });

  it('round-trips random targets', () => {
    for (let i = 0; i < 200; i++) {
      const ipSize = i % 2 ? 16 : 46;
      const n = 1 + (i % 5);
      const servers = Array.from({ length: n }, (_, j) => ({
        ip: ipSize === 16 ? `10.${i % 256}.${j}.${(i * 7) % 256}` : `fd00::${i.toString(16)}:${j}`, port: (i * 97 + j) % 65536,
      }));
      const group = `g${i}`.slice(0, 16);
      const storePathIndex = i % 256;
      expect(decodeQueryStoreAllResponse(encodeQueryStoreAllResponse({ group, servers, storePathIndex }, ipSize).subarray(10)))
        .toEqual({ group, servers, storePathIndex });
      expect(decodeQueryStoreResponse(encodeQueryStoreResponse({ group, ...servers[0]!, storePathIndex }, ipSize).subarray(10)))
        .toEqual({ group, ...servers[0]!, storePathIndex });
      expect(decodeQueryFetchAllResponse(encodeQueryFetchAllResponse({ group, servers }, ipSize).subarray(10)))
        .toEqual({ group, servers });
    }
  });
});
