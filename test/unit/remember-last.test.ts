// rememberLast: the function runs again only when its argument changes; a throw remembers nothing.
import { describe, it, expect } from 'vitest';
import { rememberLast } from '../../src/remember-last.js';

describe('rememberLast', () => {
  it('computes once per new argument, and not past a throw', () => {
    const seen: string[] = [];
    const len = rememberLast((s) => {
      seen.push(s);
      if (s === 'bad') throw new Error('bad input');
      return s.length;
    });
    expect(len('abc')).toBe(3);
    expect(len('abc')).toBe(3);
    expect(len('de')).toBe(2);
    expect(() => len('bad')).toThrow('bad input');
    expect(() => len('bad')).toThrow('bad input');
    expect(len('de')).toBe(2);
    expect(seen).toEqual(['abc', 'de', 'bad', 'bad']);
  });
});
