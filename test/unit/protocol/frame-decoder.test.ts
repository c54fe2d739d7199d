import { describe, it, expect } from 'vitest';
import { FrameDecoder, decodeAll } from '../../../src/protocol/frame-decoder.js';
import { encodeHeader, decodeHeader } from '../../../src/protocol/header.js';
import { ProtocolError } from '../../../src/errors.js';
import { hex, decodeEverySplit } from '../../helpers/hex.js';

// 12.1: upload request of 29 bytes followed by the 60-byte response (captured, stock 6.16.1)
const uploadReq = hex(`
0000  00 00 00 00 00 00 00 2c 0b 00 00 00 00 00 00 00
0010  00 00 1d 74 78 74 00 00 00 48 65 6c 6c 6f 20 46
0020  61 73 74 44 46 53 20 77 69 72 65 20 70 72 6f 74
0030  6f 63 6f 6c 21 0a`);
const activeTest = hex('00 00 00 00 00 00 00 00 6f 00');

describe('FrameDecoder', () => {
  it('decodes a captured upload request whole, byte by byte and split at every offset', () => {
    const frames = decodeEverySplit(uploadReq);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.header).toEqual({ pkgLen: 44, cmd: 11, status: 0 });
    expect(frames[0]!.body.subarray(15).toString()).toBe('Hello FastDFS wire protocol!\n');
  });

  it('separates back-to-back frames at every split', () => {
    const frames = decodeEverySplit(Buffer.concat([activeTest, uploadReq, activeTest]));
    expect(frames.map((f) => f.header.cmd)).toEqual([111, 11, 111]);
    expect(frames[1]!.body).toHaveLength(44);
  });

  it('never hands a body slice across a frame boundary', () => {
    const slices: number[] = [];
    const dec = new FrameDecoder({ header: () => {}, body: (b) => slices.push(b.length), end: () => slices.push(-1) });
    dec.write(Buffer.concat([uploadReq, uploadReq]));
    expect(slices).toEqual([44, -1, 44, -1]);
  });

  it('reports a truncated frame', () => {
    expect(() => decodeAll(uploadReq.subarray(0, 20))).toThrow(ProtocolError);
  });

  it('rejects a negative pkg_len and a pkg_len above the command limit', () => {
    const neg = encodeHeader(-1n, 11);
    expect(() => decodeHeader(neg)).toThrow(ProtocolError);
    const dec = new FrameDecoder({ header: () => {}, body: () => {}, end: () => {} }, { maxPkgLen: () => 100 });
    expect(() => dec.write(encodeHeader(101, 12))).toThrow(/exceeds limit/);
  });

  it('maps the 2^58 read-until-close marker to an unbounded body', () => {
    const h = decodeHeader(hex('04 00 00 00 00 00 00 00 64 00'));
    expect(h.pkgLen).toBe(Number.POSITIVE_INFINITY);
  });
});
