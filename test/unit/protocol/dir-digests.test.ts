// 122 DIR_DIGESTS codec: a top-level directory in, one digest line per leaf directory out; bad bodies are
// EINVAL / ProtocolError.
import { describe, it, expect } from 'vitest';
import {
  decodeDirDigestsRequest, decodeDirDigestsResponse, encodeDirDigestsRequest, encodeDirDigestsResponse,
} from '../../../src/protocol/dir-digests.js';
import { HEADER_SIZE } from '../../../src/protocol/codes.js';

describe('DIR_DIGESTS', () => {
  it('round-trips a request and an answer', () => {
    const packet = encodeDirDigestsRequest({ group: 'group1', dir: 'M01/0A' });
    expect(packet.readUInt8(8)).toBe(122);
    expect(decodeDirDigestsRequest(packet.subarray(HEADER_SIZE))).toEqual({ group: 'group1', dir: 'M01/0A' });
    const leaves = [{ leaf: '00', digest: '0123456789abcdef', count: 3 }, { leaf: 'FF', digest: 'fedcba9876543210', count: 1 }];
    expect(decodeDirDigestsResponse(encodeDirDigestsResponse(leaves))).toEqual(leaves);
    expect(decodeDirDigestsResponse(Buffer.alloc(0))).toEqual([]);
  });

  it('refuses a directory that is not Mxx/HH, a wrong body length, and bad answer lines', () => {
    expect(() => encodeDirDigestsRequest({ group: 'g', dir: 'M00/../' })).toThrow(/not a directory/);
    const body = encodeDirDigestsRequest({ group: 'g', dir: 'M00/00' }).subarray(HEADER_SIZE);
    expect(() => decodeDirDigestsRequest(Buffer.concat([body, Buffer.from('x')]))).toThrow(/body of/);
    const evil = Buffer.from(body);
    evil.write('../x/y', 16);
    expect(() => decodeDirDigestsRequest(evil)).toThrow(/not a directory/);
    expect(() => decodeDirDigestsResponse(Buffer.from('00 xyz 1\n'))).toThrow(/bad answer line/);
  });
});
