// Parse hexdump-style captures from the spec (offset column, hex bytes, |ascii|) into bytes.
import { decodeAll, type DecodedFrame } from '../../src/protocol/frame-decoder.js';

/** Accepts plain hex ("00 0a ff") or dump lines ("0010  00 0a ... |..|"); ignores offsets and ascii. */
export function hex(text: string): Buffer {
  const bytes: number[] = [];
  for (let line of text.split('\n')) {
    line = line.replace(/^\s*(->|<-)\s*/, '').replace(/\|.*$/, '').trim();
    if (!line) continue;
    const parts = line.split(/\s+/);
    if (/^[0-9a-f]{4,6}$/i.test(parts[0]!) && parts.length > 1) parts.shift();
    for (const p of parts) {
      if (!/^[0-9a-f]{2}$/i.test(p)) continue;
      bytes.push(parseInt(p, 16));
    }
  }
  return Buffer.from(bytes);
}

/** Decode `bytes` whole, byte by byte, and split at every offset; all must agree. */
export function decodeEverySplit(bytes: Buffer): DecodedFrame[] {
  const whole = decodeAll(bytes);
  const one = decodeAll(bytes, Array(bytes.length).fill(1));
  assertSame(whole, one, 'byte by byte');
  for (let i = 1; i < bytes.length; i++) {
    assertSame(whole, decodeAll(bytes, [i]), `split at ${i}`);
  }
  return whole;
}

function assertSame(a: DecodedFrame[], b: DecodedFrame[], how: string): void {
  const ok = a.length === b.length && a.every((f, i) =>
    f.header.pkgLen === b[i]!.header.pkgLen && f.header.cmd === b[i]!.header.cmd &&
    f.header.status === b[i]!.header.status && f.body.equals(b[i]!.body));
  if (!ok) throw new Error(`frames differ when decoded ${how}`);
}
