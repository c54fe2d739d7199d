// Shared by the protocol-cluster-*.test.ts files: spec dumps (§12) placed by their offset column, so the
// abbreviated captures ("… (zeros) …") become whole packets, and a one-frame decode through every split.
import { expect } from 'vitest';
import { decodeEverySplit } from '../../helpers/hex.js';
import type { DecodedFrame } from '../../../src/protocol/frame-decoder.js';

/**
 * Packets of a dump, each starting at a line with offset 0000. Bytes go to the offset their line names;
 * gaps are zero-filled up to 10 + pkg_len (or the last byte when pkg_len is the read-until-close marker).
 */
export function packets(dump: string): Buffer[] {
  const out: Map<number, number>[] = [];
  for (let line of dump.split('\n')) {
    line = line.replace(/^\s*(->|<-)\s*/, '').replace(/\|.*$/, '').trim();
    const parts = line.split(/\s+/);
    if (!/^[0-9a-f]{4,6}$/i.test(parts[0] ?? '')) continue;
    const offset = parseInt(parts.shift()!, 16);
    if (offset === 0) out.push(new Map());
    const bytes = out[out.length - 1]!;
    for (let i = 0; i < parts.length && /^[0-9a-f]{2}$/i.test(parts[i]!); i++) bytes.set(offset + i, parseInt(parts[i]!, 16));
  }
  return out.map((bytes) => {
    const last = Math.max(...bytes.keys()) + 1;
    const head = Buffer.from(Array.from({ length: 8 }, (_, i) => bytes.get(i) ?? 0));
    const pkgLen = head.readBigInt64BE(0);
    const size = pkgLen < 1n << 32n ? Math.max(10 + Number(pkgLen), last) : last;
    const buf = Buffer.alloc(size);
    for (const [o, b] of bytes) buf[o] = b;
    return buf;
  });
}

/** Decode `packet` whole, byte by byte and split at every offset; it must be exactly one frame. */
export function oneFrame(packet: Buffer): DecodedFrame {
  const frames = decodeEverySplit(packet);
  expect(frames).toHaveLength(1);
  return frames[0]!;
}

/** `packet` with the bytes after the first NUL of the fixed field [start, start+width) zeroed. */
export function zeroAfterNul(packet: Buffer, start: number, width: number): Buffer {
  const copy = Buffer.from(packet);
  const nul = copy.indexOf(0, start);
  if (nul >= 0 && nul < start + width) copy.fill(0, nul, start + width);
  return copy;
}
