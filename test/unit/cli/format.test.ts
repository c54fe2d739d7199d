// src/cli/format.ts: the argument parsers commands share (metadata pairs, byte counts).
import { describe, it, expect } from 'vitest';
import { parseByteCount, parseMetaPairs } from '../../../src/cli/format.js';
import { UsageError } from '../../../src/errors.js';

describe('parseByteCount', () => {
  it('takes whole non-negative numbers up to 2^53-1', () => {
    expect(parseByteCount('0', 'size')).toBe(0);
    expect(parseByteCount('9007199254740991', 'size')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses anything else with a UsageError naming the argument', () => {
    for (const bad of ['', '-1', '1.5', '1e3', ' 1', 'x', '9007199254740993']) {
      expect(() => parseByteCount(bad, 'offset'), bad).toThrow(UsageError);
    }
    expect(() => parseByteCount('x', 'offset')).toThrow('bad offset "x" (want a byte count)');
  });
});

describe('parseMetaPairs', () => {
  it('splits at the first "=" and refuses pairs without a key', () => {
    expect(parseMetaPairs(['a=1', 'b=x=y', 'c='])).toEqual({ a: '1', b: 'x=y', c: '' });
    expect(() => parseMetaPairs(['=v'])).toThrow(UsageError);
    expect(() => parseMetaPairs(['novalue'])).toThrow('bad metadata "novalue" (want key=value)');
  });
});
