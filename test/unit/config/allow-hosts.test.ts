// allow_hosts matching (spec 10.5): *, IPs, hostnames, CIDR blocks and bracket ranges,
// hostname resolution through an injected lookup, and file:line errors for bad patterns.
import { describe, it, expect } from 'vitest';
import { AllowHosts, expandRanges } from '../../../src/config/allow-hosts.js';
import { ConfigError } from '../../../src/errors.js';

describe('AllowHosts', () => {
  it('allows everyone by default and with *', () => {
    expect(new AllowHosts().allows('203.0.113.9')).toBe(true);
    expect(AllowHosts.all().allows('::1')).toBe(true);
    const star = new AllowHosts(['10.0.0.1', '*']);
    expect(star.allowAll).toBe(true);
    expect(star.allows('8.8.8.8')).toBe(true);
  });

  it('matches single IPv4 and IPv6 addresses, and IPv4-mapped IPv6 peers', () => {
    const a = new AllowHosts(['192.168.0.196', '2409:8a20:42d:2f40::1']);
    expect(a.allows('192.168.0.196')).toBe(true);
    expect(a.allows('::ffff:192.168.0.196')).toBe(true);
    expect(a.allows('192.168.0.197')).toBe(false);
    expect(a.allows('2409:8a20:42d:2f40:0:0:0:1')).toBe(true);
    expect(a.allows('2409:8a20:42d:2f40::2')).toBe(false);
    expect(a.allows('not-an-ip')).toBe(false);
  });

  it('matches CIDR blocks (192.168.5.64/26 = .64 … .127)', () => {
    const a = new AllowHosts(['192.168.5.64/26', 'fd00::/8']);
    expect(a.allows('192.168.5.64')).toBe(true);
    expect(a.allows('192.168.5.127')).toBe(true);
    expect(a.allows('192.168.5.63')).toBe(false);
    expect(a.allows('192.168.5.128')).toBe(false);
    expect(a.allows('fd12:3456::1')).toBe(true);
    expect(a.allows('fe80::1')).toBe(false);
  });

  it('matches bracket ranges of IPs: 10.0.1.[1-15,20]', () => {
    const a = new AllowHosts(['10.0.1.[1-15,20]']);
    for (const ok of ['10.0.1.1', '10.0.1.9', '10.0.1.15', '10.0.1.20']) expect(a.allows(ok), ok).toBe(true);
    for (const no of ['10.0.1.0', '10.0.1.16', '10.0.1.19', '10.0.1.21', '10.0.2.1']) expect(a.allows(no), no).toBe(false);
  });

  it('expands zero-padded hostname ranges: host[01-08,20-25].domain.com', () => {
    const names = expandRanges('host[01-08,20-25].domain.com');
    expect(names).toHaveLength(14);
    expect(names.slice(0, 2)).toEqual(['host01.domain.com', 'host02.domain.com']);
    expect(names).toContain('host25.domain.com');
    expect(names).not.toContain('host1.domain.com');
    expect(expandRanges('n[8-10]')).toEqual(['n8', 'n9', 'n10']);
    expect(expandRanges('r[1-2]c[1-2]')).toEqual(['r1c1', 'r1c2', 'r2c1', 'r2c2']);
  });

  it('matches hostnames only after resolve()', async () => {
    const a = new AllowHosts(['storage[1-2].lan', 'localhost']);
    expect(a.hostnames).toEqual(['storage1.lan', 'storage2.lan', 'localhost']);
    expect(a.allows('10.9.0.1')).toBe(false);
    const table: Record<string, string[]> = { 'storage1.lan': ['10.9.0.1'], 'storage2.lan': ['10.9.0.2'], localhost: ['127.0.0.1', '::1'] };
    await a.resolve(async (h) => {
      if (!table[h]) throw new Error('ENOTFOUND');
      return table[h]!;
    });
    expect(a.allows('10.9.0.1')).toBe(true);
    expect(a.allows('10.9.0.2')).toBe(true);
    expect(a.allows('::1')).toBe(true);
    expect(a.allows('10.9.0.3')).toBe(false);
  });

  it('leaves a hostname that fails to resolve unmatched', async () => {
    const a = new AllowHosts(['ghost.invalid', '10.0.0.1']);
    await a.resolve(async () => { throw new Error('ENOTFOUND'); });
    expect(a.allows('10.0.0.1')).toBe(true);
  });

  it('rejects bad patterns with the file:line of the item', () => {
    const bad = ['10.0.1.[1-300]', '10.0.1.[5-1]', '10.0.1.[a-b]', 'host[1-2', '1.2.3.4/33', 'not a host', '10.0.0.256'];
    for (const v of bad) {
      let err: unknown;
      try {
        AllowHosts.fromItems([{ value: v, file: '/etc/fdfs/tracker.conf', line: 42 }]);
      } catch (e) {
        err = e;
      }
      expect(err, v).toBeInstanceOf(ConfigError);
      expect((err as Error).message, v).toMatch(/^\/etc\/fdfs\/tracker\.conf:42: allow_hosts: /);
    }
  });

  it('refuses patterns that expand too far', () => {
    expect(() => expandRanges('h[0-999]x[0-999]')).toThrow(/more than 65536/);
  });

  it('keeps the patterns as written for rendering', () => {
    expect(new AllowHosts(['10.0.1.[1-15,20]', '192.168.5.64/26']).patterns).toEqual(['10.0.1.[1-15,20]', '192.168.5.64/26']);
    expect(new AllowHosts([]).patterns).toEqual(['*']);
  });
});
