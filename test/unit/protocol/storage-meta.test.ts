import { describe, it, expect } from 'vitest';
import {
  encodeSetMetadataRequest, decodeSetMetadataRequest, encodeGetMetadataRequest, decodeGetMetadataRequest,
  encodeGetMetadataResponse, decodeGetMetadataResponse,
} from '../../../src/protocol/storage-meta.js';
import { encodeMetadata } from '../../../src/protocol/metadata.js';
import { encodeHeader } from '../../../src/protocol/header.js';
import { StatusError } from '../../../src/errors.js';
import { hex, decodeEverySplit } from '../../helpers/hex.js';

const NAME = 'M00/02/AC/Ck0AA2sB8IuAKDoiAAAAHWMZ9Uk066.txt';

// §12.3 13 SET_METADATA from fdfs_test (flag 'O', records unsorted as the client sends them)
const setMetaReq = hex(`
-> 0000  00 00 00 00 00 00 00 7e 0d 00 00 00 00 00 00 00  |.......~........|
   0010  00 2c 00 00 00 00 00 00 00 31 4f 67 72 6f 75 70  |.,.......1Ogroup|
   0020  31 00 00 00 00 00 00 00 00 00 00 4d 30 30 2f 30  |1..........M00/0|
   0030  32 2f 41 43 2f 43 6b 30 41 41 32 73 42 38 49 75  |2/AC/Ck0AA2sB8Iu|
   0040  41 4b 44 6f 69 41 41 41 41 48 57 4d 5a 39 55 6b  |AKDoiAAAAHWMZ9Uk|
   0050  30 36 36 2e 74 78 74 65 78 74 5f 6e 61 6d 65 02  |066.txtext_name.|
   0060  6a 70 67 01 77 69 64 74 68 02 31 36 30 01 68 65  |jpg.width.160.he|
   0070  69 67 68 74 02 38 30 01 66 69 6c 65 5f 73 69 7a  |ight.80.file_siz|
   0080  65 02 31 31 35 31 32 30                          |e.115120|`);
const emptyOk = hex('00 00 00 00 00 00 00 00 64 00');

// §12.3 15 GET_METADATA response
const getMetaResp = hex(`
<- 0000  00 00 00 00 00 00 00 31 64 00 65 78 74 5f 6e 61  |.......1d.ext_na|
   0010  6d 65 02 6a 70 67 01 66 69 6c 65 5f 73 69 7a 65  |me.jpg.file_size|
   0020  02 31 31 35 31 32 30 01 68 65 69 67 68 74 02 38  |.115120.height.8|
   0030  30 01 77 69 64 74 68 02 31 36 30                 |0.width.160|`);

function einval(fn: () => unknown): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(StatusError);
  expect((err as StatusError).errno).toBe(22);
}

describe('storage-meta 13 SET_METADATA', () => {
  it('decodes the captured request', () => {
    const frames = decodeEverySplit(Buffer.concat([setMetaReq, emptyOk]));
    expect(frames.map((f) => f.header)).toEqual([{ pkgLen: 126, cmd: 13, status: 0 }, { pkgLen: 0, cmd: 100, status: 0 }]);
    const req = decodeSetMetadataRequest(frames[0]!.body);
    expect(req).toMatchObject({ op: 'O', group: 'group1', filename: NAME });
    expect(req.metadata).toEqual({ ext_name: 'jpg', width: '160', height: '80', file_size: '115120' });
    expect(req.raw).toHaveLength(49);
  });

  it('encodes the capture byte for byte (pre-encoded, unsorted metadata)', () => {
    const meta = encodeMetadata([['ext_name', 'jpg'], ['width', '160'], ['height', '80'], ['file_size', '115120']], { sort: false });
    const pkt = encodeSetMetadataRequest({ group: 'group1', filename: NAME, op: 'O', metadata: meta });
    expect(pkt.toString('hex')).toBe(setMetaReq.toString('hex'));
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
  it('encodes and decodes the request (group + name)', () => {
    const pkt = encodeGetMetadataRequest({ group: 'group1', filename: NAME });
    expect(pkt.subarray(0, 10)).toEqual(encodeHeader(60, 15));
    expect(decodeGetMetadataRequest(decodeEverySplit(pkt)[0]!.body)).toEqual({ group: 'group1', filename: NAME });
    einval(() => decodeGetMetadataRequest(Buffer.alloc(16)));
  });

  it('decodes the captured response and re-encodes it', () => {
    const [f] = decodeEverySplit(getMetaResp);
    const meta = decodeGetMetadataResponse(f!.body);
    expect(meta).toEqual({ ext_name: 'jpg', file_size: '115120', height: '80', width: '160' });
    expect(encodeGetMetadataResponse(meta).toString('hex')).toBe(getMetaResp.toString('hex'));
    expect(encodeGetMetadataResponse(f!.body).toString('hex')).toBe(getMetaResp.toString('hex'));
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
