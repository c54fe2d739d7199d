// The HTTP gateway's request targets: `/[group/]Mxx/HH/HH/name`, every escape decoded once, no traversal in
// any spelling, the generated-name alphabet only.
import { describe, it, expect } from 'vitest';
import { parseTarget, fileTarget, withQueryParam, MAX_TARGET } from '../../../src/http/url-path.js';

const NAME = 'M00/02/AC/Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk701.txt';

describe('parseTarget', () => {
  it('splits path and query, decoding the path once', () => {
    const t = parseTarget(`/group1/${NAME}?token=abc&ts=1`)!;
    expect(t.path).toBe(`/group1/${NAME}`);
    expect(t.rawQuery).toBe('token=abc&ts=1');
    expect(t.query.get('ts')).toBe('1');
    expect(parseTarget('/a%2Fb')!.path).toBe('/a/b');
    expect(parseTarget('/%252e%252e')!.path).toBe('/%2e%2e');
    expect(parseTarget('/x')!.rawQuery).toBe('');
  });

  it('refuses missing, absolute-form, over-long and undecodable targets', () => {
    for (const bad of [undefined, '', 'http://h/x', '*', `/${'a'.repeat(MAX_TARGET)}`, '/%E0%A4%A', '/%zz']) {
      expect(parseTarget(bad)).toBeNull();
    }
  });
});

describe('fileTarget', () => {
  it('accepts the name with and without a group', () => {
    expect(fileTarget(`/group1/${NAME}`)).toEqual({ group: 'group1', logical: NAME });
    expect(fileTarget(`/${NAME}`)).toEqual({ group: '', logical: NAME });
    expect(fileTarget('/g/M00/00/00/a_b-c.d')).toEqual({ group: 'g', logical: 'M00/00/00/a_b-c.d' });
  });

  it('refuses traversal, separators and anything outside the generated alphabet', () => {
    const bad = [
      '/group1/M00/02/AC/../../../../etc/passwd', '/group1/M00/02/AC/..', '/M00/02/AC/a..b', '/M00/02/AC/.hidden',
      '/group1/M00/02/AC/a\\b', '/group1/M00/02/AC/a\0b', '/group1/M00/02/AC/%2e%2e', '/group1/M00/02/ac/x',
      '/group1/M0/02/AC/x', '/group1/M00/02/AC/', '/group1/M00/02/AC/a/b', '//M00/02/AC/x', '/group1-x/M00/02/AC/x',
      `/${'g'.repeat(17)}/M00/02/AC/x`, `/M00/02/AC/${'a'.repeat(128)}`, 'M00/02/AC/x', '/group1/M00/02/AC/é',
    ];
    for (const p of bad) expect(fileTarget(p), p).toBeNull();
    // a decoded %2e%2e is the same as a literal .. : refused
    expect(fileTarget(parseTarget('/group1/M00/02/AC/%2e%2e%2fx')!.path)).toBeNull();
  });
});

describe('withQueryParam', () => {
  it('appends to an existing query or starts one, encoding key and value', () => {
    expect(withQueryParam('', 'redirect', '1')).toBe('redirect=1');
    expect(withQueryParam('token=a', 'redirect', '1')).toBe('token=a&redirect=1');
    expect(withQueryParam('', 'a b', 'c&d')).toBe('a%20b=c%26d');
  });
});
