import { describe, it, expect } from 'vitest';
import {
  encodeSetMetadataRequest, decodeSetMetadataRequest, encodeGetMetadataRequest, decodeGetMetadataRequest,
  encodeGetMetadataResponse, decodeGetMetadataResponse,
} from '../../../src/protocol/storage-meta.js';
import { encodeMetadata } from '../../../src/protocol/metadata.js';
import { encodeHeader } from '../../../src/protocol/header.js';
import { StatusError } from '../../../src/errors.js';
import { decodeEverySplit } from '../../helpers/hex.js';
import { wire } from '../../helpers/wire.js';
import { codecCases } from '../../helpers/codec-cases.js';

const NAME = 'M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066.txt';

const setMetaReq = wire('set-metadata.req');
const emptyOk = wire('empty.resp');
const getMetaResp = wire('get-metadata.resp');
const META = { ext_name: 'jpg', width: '160', height: '80', file_size: '115120' };

codecCases('storage-meta captures (§12.3)', {}, [
  { name: '13 SET_METADATA request (unsorted records, as fdfs_test sends them)', fixture: 'set-metadata.req',
    header: { pkgLen: 126, cmd: 13, status: 0 },
    value: { group: 'group1', filename: NAME, op: 'O' as const,
      raw: encodeMetadata([['ext_name', 'jpg'], ['width', '160'], ['height', '80'], ['file_size', '115120']], { sort: false }) },
    // pre-encoded metadata goes out as given: byte for byte the capture
    encode: (v) => encodeSetMetadataRequest({ group: v.group, filename: v.filename, op: v.op, metadata: v.raw }),
    decode: (b) => {
      const d = decodeSetMetadataRequest(b);
      expect(d.metadata).toEqual(META);
      expect(d.raw).toHaveLength(49);
      return { group: d.group, filename: d.filename, op: d.op, raw: d.raw };
    } },
  { name: '15 GET_METADATA answer (records sorted)', fixture: 'get-metadata.resp',
    value: { ext_name: 'jpg', file_size: '115120', height: '80', width: '160' },
    encode: (v) => encodeGetMetadataResponse(v), decode: (b) => decodeGetMetadataResponse(b) },
  { name: '15 GET_METADATA answer from the raw body', fixture: 'get-metadata.resp',
    value: Buffer.from('ext_name\x02jpg\x01file_size\x02115120\x01height\x0280\x01width\x02160', 'latin1'),
    encode: (v) => encodeGetMetadataResponse(v), decode: (b) => b },
  { name: '15 GET_METADATA request', hex: '00 00 00 00 00 00 00 3c 0f 00 67 72 6f 75 70 31' + ' 00'.repeat(10) + ' ' +
      Buffer.from(NAME).toString('hex').replace(/(..)/g, '$1 '),
    header: { pkgLen: 60, cmd: 15 }, value: { group: 'group1', filename: NAME },
    encode: (v) => encodeGetMetadataRequest(v), decode: (b) => decodeGetMetadataRequest(b) },
]);

function einval(fn: () => unknown): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(StatusError);
  expect((err as StatusError).errno).toBe(22);
}

describe('storage-meta 13 SET_METADATA', () => {
  it('cuts the captured request and its empty answer into two frames', () => {
    const frames = decodeEverySplit(Buffer.concat([setMetaReq, emptyOk]));
    expect(frames.map((f) => f.header)).toEqual([{ pkgLen: 126, cmd: 13, status: 0 }, { pkgLen: 0, cmd: 100, status: 0 }]);
  });

  it('sorts records given as an object and round-trips merge requests', () => {
    const pkt = encodeSetMetadataRequest({ group: 'group1', filename: NAME, op: 'M', metadata: { width: '1024', color: 'red' } });
    const [f] = decodeEverySplit(pkt);
    const d = decodeSetMetadataRequest(f!.body);
    expect(d.op).toBe('M');
    expect(d.raw.toString('latin1')).toBe('color\x02red\x01width\x021024');
    const empty = decodeSetMetadataRequest(encodeSetMetadataRequest({ group: 'g', filename: NAME, op: 'O', metadata: {} }).subarray(10));
    expect(empty.raw).toHaveLength(0);
    expect(empty.metadata).toEqual({});
  });

  it('rejects bad lengths and flags with EINVAL', () => {
    const body = Buffer.from(setMetaReq.subarray(10));
    einval(() => decodeSetMetadataRequest(body.subarray(0, 32)));
    einval(() => decodeSetMetadataRequest(body.subarray(0, body.length - 1))); // meta_size no longer matches
    const flag = Buffer.from(body); flag[16] = 0x58;
    einval(() => decodeSetMetadataRequest(flag));
    const zeroName = Buffer.from(body); zeroName.writeBigInt64BE(0n, 0);
    einval(() => decodeSetMetadataRequest(zeroName));
    const longName = Buffer.from(body); longName.writeBigInt64BE(128n, 0);
    einval(() => decodeSetMetadataRequest(longName));
    const negMeta = Buffer.from(body); negMeta.writeBigInt64BE(-1n, 8);
    einval(() => decodeSetMetadataRequest(negMeta));
    einval(() => encodeSetMetadataRequest({ group: 'group1', filename: NAME, op: 'X' as 'O', metadata: {} }));
    einval(() => encodeSetMetadataRequest({ group: 'group1', filename: 'x'.repeat(128), op: 'O', metadata: {} }));
  });
});

describe('storage-meta 15 GET_METADATA', () => {
  it('refuses a request without a name', () => {
    expect(encodeGetMetadataRequest({ group: 'group1', filename: NAME }).subarray(0, 10)).toEqual(encodeHeader(60, 15));
    einval(() => decodeGetMetadataRequest(Buffer.alloc(16)));
    expect(getMetaResp).toHaveLength(59);
  });

  it('round-trips random SET requests', () => {
    for (let i = 0; i < 100; i++) {
      const metadata: Record<string, string> = {};
      for (let j = 0; j < i % 5; j++) metadata[`k${Math.random().toString(36).slice(2, 8)}`] = Math.random().toString(36);
      const req = { group: `g${i}`, filename: `M00/00/00/${'x'.repeat(1 + (i % 100))}`, op: i % 2 ? 'M' as const : 'O' as const, metadata };
      const d = decodeSetMetadataRequest(decodeEverySplit(encodeSetMetadataRequest(req))[0]!.body);
      expect({ group: d.group, filename: d.filename, op: d.op, metadata: d.metadata }).toEqual(req);
    }
  });
});
