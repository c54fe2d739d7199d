// 120 LIST_FILES (fdfs extension): request bytes, bounds, and the NDJSON line format.
import { describe, it, expect } from 'vitest';
import {
  decodeListedFile, decodeListFilesRequest, encodeListedFile, encodeListFilesRequest, encodeListFilesResponseHeader,
  encodeListFilesTrailer, type ListFilesRequest,
} from '../../../src/protocol/list-files.js';
import { decodeHeader } from '../../../src/protocol/header.js';
import { ProtocolError, StatusError } from '../../../src/errors.js';
import { codecCases } from '../../helpers/codec-cases.js';

/** Hex written in fields (spaces between them), as bytes. */
const packed = (fields: string) => Buffer.from(fields.replace(/\s+/g, ''), 'hex');

const REQ: ListFilesRequest = { group: 'group1', since: 1700000000, limit: 100, prefix: 'M00/0A', after: '' };

codecCases<ListFilesRequest>('120 LIST_FILES request', {
  encode: encodeListFilesRequest,
  decode: (body) => decodeListFilesRequest(body),
}, [
  {
    name: 'group, since, limit, prefix',
    bytes: packed('0000000000000027 78 00 67726f757031 00000000000000000000 000000006553f100 0000000000000064 06 4d30302f3041'),
    value: REQ,
    header: { cmd: 120, status: 0, pkgLen: 39 },
  },
  {
    name: 'resume after a name, no prefix',
    bytes: packed('000000000000002a 78 00 67726f757031 00000000000000000000 0000000000000000 0000000000000000 00 4d30302f30302f3031'),
    value: { group: 'group1', since: 0, limit: 0, prefix: '', after: 'M00/00/01' },
  },
]);

describe('120 LIST_FILES bounds and lines', () => {
  it('refuses a short body, a negative limit and a prefix length past the body (EINVAL)', () => {
    const good = encodeListFilesRequest(REQ).subarray(10);
    expect(() => decodeListFilesRequest(good.subarray(0, 20))).toThrow(StatusError);
    const negative = Buffer.from(good);
    negative.writeBigInt64BE(-1n, 24);
    expect(() => decodeListFilesRequest(negative)).toThrow(/bad since, limit/);
    const longPrefix = Buffer.from(good);
    longPrefix[32] = 200;
    expect(() => decodeListFilesRequest(longPrefix)).toThrow(/prefix length/);
    expect(() => encodeListFilesRequest({ ...REQ, prefix: 'x'.repeat(200) })).toThrow(/too long/);
  });

  it('answers "until close" and ends with the text byte count', () => {
    const h = decodeHeader(encodeListFilesResponseHeader());
    expect(h).toMatchObject({ pkgLen: Number.POSITIVE_INFINITY, cmd: 100, status: 0 });
    expect(encodeListFilesTrailer(300).toString('hex')).toBe('000000000000012c');
  });

  it('one JSON object per line, round trip; a bad line is a ProtocolError', () => {
    const f = { name: 'M00/00/01/abc.jpg', size: 5, time: 1700000000, crc32: '0badf00d', filename: 'cat.jpg' };
    const line = encodeListedFile(f);
    expect(line.endsWith('\n')).toBe(true);
    expect(decodeListedFile(line.trim())).toEqual(f);
    expect(() => decodeListedFile('{"name":1}')).toThrow(ProtocolError);
    expect(() => decodeListedFile('not json')).toThrow(ProtocolError);
  });
});
