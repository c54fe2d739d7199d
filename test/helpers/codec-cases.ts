// Table-driven codec tests, after mqtt-packet's test.js: each case parses its bytes (a captured fixture or
// inline hex) and compares the value, generates bytes from the value and compares the hex, and round-trips.
import { describe, it, expect } from 'vitest';
import { decodeEverySplit, hex } from './hex.js';
import { wire } from './wire.js';
import type { Header } from '../../src/protocol/header.js';

export interface Codec<V> {
  /** The whole packet (header + body) for `value`. */
  encode: (value: V) => Buffer;
  /** The value carried by one decoded frame; `header` is undefined for a body-only case. */
  decode: (body: Buffer, header: Header | undefined) => V;
}

export interface CodecCase<V> extends Partial<Codec<V>> {
  name: string;
  /** A capture under test/fixtures/wire/ (name without `.hex`), or inline hex for bytes we generated. */
  fixture?: string;
  hex?: string;
  bytes?: Buffer;
  value: V;
  /** The expected header of the parsed frame (checked when given). */
  header?: Partial<Header>;
  /** The bytes are a body without the 10-byte header; generated packets are compared without theirs. */
  bodyOnly?: boolean;
  /**
   * What we generate when it differs from the capture on purpose (e.g. stale stack bytes after a group's
   * NUL, which we write as zeros); `false` skips the generate step (decode-only values).
   */
  generates?: Buffer | false;
}

export function caseBytes<V>(c: CodecCase<V>): Buffer {
  if (c.fixture) return wire(c.fixture);
  if (c.hex !== undefined) return hex(c.hex);
  if (c.bytes) return Buffer.from(c.bytes);
  throw new Error(`case ${c.name}: give fixture, hex or bytes`);
}

function parse<V>(codec: Codec<V>, bytes: Buffer, bodyOnly: boolean | undefined): { value: V; header?: Header } {
  if (bodyOnly) return { value: codec.decode(bytes, undefined) };
  const frames = decodeEverySplit(bytes);
  expect(frames, 'one frame').toHaveLength(1);
  return { value: codec.decode(frames[0]!.body, frames[0]!.header), header: frames[0]!.header };
}

/**
 * One `describe(title)` with a parse, a generate and a round-trip test per case. With a codec, every case
 * has its value type; with `{}` each case brings its own encode/decode (a table mixing commands).
 */
export function codecCases<V>(title: string, codec: Codec<V>, cases: Array<CodecCase<V>>): void;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function codecCases(title: string, codec: Record<string, never>, cases: Array<CodecCase<any>>): void;
export function codecCases<V>(title: string, codec: Partial<Codec<V>>, cases: Array<CodecCase<V>>): void {
  describe(title, () => {
    for (const c of cases) {
      const k: Codec<V> = { encode: c.encode ?? codec.encode!, decode: c.decode ?? codec.decode! };
      if (!k.encode || !k.decode) throw new Error(`case ${c.name}: no encode/decode`);
      it(`${c.name}: parses to the value`, () => {
        const got = parse(k, caseBytes(c), c.bodyOnly);
        if (c.header) expect(got.header).toMatchObject(c.header);
        expect(got.value).toEqual(c.value);
      });
      if (c.generates !== false) {
        it(`${c.name}: generates the bytes`, () => {
          let out = k.encode(c.value);
          if (c.bodyOnly) out = out.subarray(10);
          const want = c.generates ?? caseBytes(c);
          expect(out.toString('hex')).toBe(want.toString('hex'));
        });
      }
      it(`${c.name}: round-trips`, () => {
        let out = k.encode(c.value);
        if (c.bodyOnly) out = out.subarray(10);
        expect(parse(k, out, c.bodyOnly).value).toEqual(c.value);
      });
    }
  });
}

/** A table of bytes that must be refused: `decode(bytes)` throws an error matching `error`. */
export function refusalCases(title: string, cases: Array<{ name: string; run: () => unknown; error: ErrorLike }>): void {
  describe(title, () => {
    for (const c of cases) {
      it(c.name, () => expectError(c.run, c.error));
    }
  });
}

export type ErrorLike = { errno?: number; cmd?: number; type?: new (...a: never[]) => Error; message?: RegExp };

/** `fn` throws an error with the given class, errno, cmd and message. */
export function expectError(fn: () => unknown, want: ErrorLike): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err, 'an error').toBeInstanceOf(want.type ?? Error);
  const e = err as Error & { errno?: number; cmd?: number };
  if (want.errno !== undefined) expect(e.errno).toBe(want.errno);
  if (want.cmd !== undefined) expect(e.cmd).toBe(want.cmd);
  if (want.message) expect(e.message).toMatch(want.message);
}

/** Decode `packet` whole, byte by byte and split at every offset; it must be exactly one frame. */
export function oneFrame(packet: Buffer): { header: Header; body: Buffer } {
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
