import { describe, it, expect } from 'vitest';
import { FrameDecoder, decodeAll } from '../../../src/protocol/frame-decoder.js';
import { encodeHeader, decodeHeader } from '../../../src/protocol/header.js';
import { ProtocolError } from '../../../src/errors.js';
import { hex, decodeEverySplit } from '../../helpers/hex.js';
import { wire, wireNames } from '../../helpers/wire.js';

// §12.1: the 29-byte upload request, and §12.3 ACTIVE_TEST (captured, stock 6.16.1)
const uploadReq = wire('upload-file.req');
const activeTest = wire('active-test.req');

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

  it('decodes every captured fixture that holds one whole frame, at every split', () => {
    let whole = 0;
    for (const name of wireNames()) {
      const bytes = wire(name);
      if (bytes.length < 10) continue;
      let pkgLen: number;
      try { pkgLen = decodeHeader(bytes).pkgLen; } catch { continue; } // body-only capture
      if (pkgLen !== bytes.length - 10) continue; // partial capture
      const frames = decodeEverySplit(bytes);
      expect(frames, name).toHaveLength(1);
      expect(frames[0]!.header.cmd, name).toBe(bytes[8]);
      whole++;
    }
    expect(whole).toBeGreaterThan(90);
  });
});
