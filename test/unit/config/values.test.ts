// Value parsers (src/config/values.ts): booleans, integers, sizes, reserved space, times,
// host:port lists and enums — accepted forms, formatting round trips, and file:line errors.
import { describe, it, expect } from 'vitest';
import {
  formatHostPort, formatReservedSpace, formatReservedSpaceParam, formatSize, formatTimeOfDay, parseBool,
  parseEnum, parseHostPort, parseInteger, parseReservedSpace, parseSize, parseTimeOfDay,
} from '../../../src/config/values.js';
import { ConfigError } from '../../../src/errors.js';

const at = { key: 'k', file: '/etc/fdfs/x.conf', line: 7 };

describe('parseBool', () => {
  it('is true only for true/yes/on (any case) and 1', () => {
    for (const v of ['true', 'TRUE', 'Yes', 'on', 'ON', '1', ' true ']) expect(parseBool(v), v).toBe(true);
    for (const v of ['false', 'no', 'off', '0', '', '2', 'truee', 'enabled']) expect(parseBool(v), v).toBe(false);
  });
});

describe('parseInteger', () => {
  it('parses signed decimals and checks the range', () => {
    expect(parseInteger('23000')).toBe(23000);
    expect(parseInteger('-5', at, { min: -10 })).toBe(-5);
    expect(() => parseInteger('0', at, { min: 1, max: 65535 })).toThrow('/etc/fdfs/x.conf:7: k: bad value "0": must be between 1 and 65535');
    expect(() => parseInteger('999', at, { max: 256 })).toThrow(/must be <= 256/);
  });

  it('rejects text, decimals and inline comments, naming file:line', () => {
    expect(() => parseInteger('abc', at)).toThrow('/etc/fdfs/x.conf:7: k: bad value "abc": not an integer');
    expect(() => parseInteger('1.5', at)).toThrow(ConfigError);
    expect(() => parseInteger('23000 # port', at)).toThrow(/inline # comments are not supported/);
    expect(() => parseInteger('99999999999999999999', at)).toThrow(/out of range/);
  });
});

describe('parseSize', () => {
  it('reads bare bytes and K/M/G/T units with optional B, any case', () => {
    expect(parseSize('512')).toBe(512);
    expect(parseSize('256KB')).toBe(256 * 1024);
    expect(parseSize('256k')).toBe(256 * 1024);
    expect(parseSize('64MB')).toBe(64 * 1024 ** 2);
    expect(parseSize('64mb')).toBe(64 * 1024 ** 2);
    expect(parseSize('20G')).toBe(20 * 1024 ** 3);
    expect(parseSize('2t')).toBe(2 * 1024 ** 4);
    expect(parseSize('100B')).toBe(100);
    expect(parseSize('8 KB')).toBe(8192);
  });

  it('rejects other units, fractions and negatives', () => {
    for (const v of ['1.5MB', '-1', '10X', 'KB', '1 MiB', '']) {
      expect(() => parseSize(v, at), v).toThrow(ConfigError);
    }
    expect(() => parseSize('32KB', at, { min: 64 * 1024 })).toThrow(/must be >= 65536/);
  });

  it('formats back to the shortest exact unit', () => {
    expect(formatSize(256 * 1024)).toBe('256KB');
    expect(formatSize(20 * 1024 ** 3)).toBe('20GB');
    expect(formatSize(1536)).toBe('1536');
    expect(formatSize(0)).toBe('0');
    for (const n of [0, 1, 1000, 1024, 1536 * 1024, 3 * 1024 ** 4]) expect(parseSize(formatSize(n))).toBe(n);
  });
});

describe('parseReservedSpace', () => {
  it('reads a percentage as a ratio', () => {
    expect(parseReservedSpace('20%')).toEqual({ kind: 'ratio', ratio: 0.2 });
    expect(parseReservedSpace('10.5%')).toEqual({ kind: 'ratio', ratio: 0.105 });
    expect(parseReservedSpace('0.01%')).toEqual({ kind: 'ratio', ratio: 0.0001 });
  });

  it('reads an absolute size in whole MB', () => {
    expect(parseReservedSpace('1024MB')).toEqual({ kind: 'mb', mb: 1024 });
    expect(parseReservedSpace('4GB')).toEqual({ kind: 'mb', mb: 4096 });
    expect(parseReservedSpace('2g')).toEqual({ kind: 'mb', mb: 2048 });
    expect(parseReservedSpace('1048576')).toEqual({ kind: 'mb', mb: 1 });
    expect(parseReservedSpace('512K')).toEqual({ kind: 'mb', mb: 0 });
  });

  it('rejects percentages outside 0 < x < 100', () => {
    for (const v of ['0%', '100%', '150%', '-5%', 'abc%', '%']) {
      expect(() => parseReservedSpace(v, at), v).toThrow(ConfigError);
    }
  });

  it('formats exactly for conf files and with two decimals for parameter replies', () => {
    for (const v of ['20%', '7%', '12.345%', '1024MB']) {
      expect(parseReservedSpace(formatReservedSpace(parseReservedSpace(v)))).toEqual(parseReservedSpace(v));
    }
    expect(formatReservedSpace({ kind: 'ratio', ratio: 0.07 })).toBe('7%');
    expect(formatReservedSpaceParam({ kind: 'ratio', ratio: 0.2 })).toBe('20.00%');
    expect(formatReservedSpaceParam({ kind: 'mb', mb: 1024 })).toBe('1024MB');
  });
});

describe('parseTimeOfDay', () => {
  it('reads HH:MM and optional :SS', () => {
    expect(parseTimeOfDay('02:00')).toEqual({ hour: 2, minute: 0, second: 0 });
    expect(parseTimeOfDay('23:59')).toEqual({ hour: 23, minute: 59, second: 0 });
    expect(parseTimeOfDay('1:5:9')).toEqual({ hour: 1, minute: 5, second: 9 });
    expect(formatTimeOfDay(parseTimeOfDay('1:5'))).toBe('01:05');
    expect(formatTimeOfDay(parseTimeOfDay('01:05:09'))).toBe('01:05:09');
  });

  it('rejects out-of-range and malformed times', () => {
    for (const v of ['24:00', '12:60', '12', '12:00:60', 'noon', '']) {
      expect(() => parseTimeOfDay(v, at), v).toThrow(ConfigError);
    }
  });
});

describe('parseHostPort', () => {
  it('reads host:port, dual addresses and hostnames', () => {
    expect(parseHostPort('192.168.0.196:22122')).toEqual({ hosts: ['192.168.0.196'], port: 22122 });
    expect(parseHostPort('192.168.2.100,122.244.141.46:22122')).toEqual({ hosts: ['192.168.2.100', '122.244.141.46'], port: 22122 });
    expect(parseHostPort('tracker-1.example.com:22122')).toEqual({ hosts: ['tracker-1.example.com'], port: 22122 });
  });

  it('reads IPv6 in brackets, alone, paired or mixed with IPv4', () => {
    expect(parseHostPort('[::1]:22122')).toEqual({ hosts: ['::1'], port: 22122 });
    expect(parseHostPort('[2409:8a20:42d:2f40:587a:4c47:72c0:ad8e,fe80::1ee9:90a8:1351:436c]:22122')).toEqual({
      hosts: ['2409:8a20:42d:2f40:587a:4c47:72c0:ad8e', 'fe80::1ee9:90a8:1351:436c'], port: 22122,
    });
    expect(parseHostPort('10.0.0.1,[fe80::1]:22122')).toEqual({ hosts: ['10.0.0.1', 'fe80::1'], port: 22122 });
  });

  it('uses the default port when none is written', () => {
    expect(parseHostPort('192.168.0.196', at, 23000)).toEqual({ hosts: ['192.168.0.196'], port: 23000 });
    expect(parseHostPort('2409:8a20::1', at, 23000)).toEqual({ hosts: ['2409:8a20::1'], port: 23000 });
    expect(() => parseHostPort('192.168.0.196', at)).toThrow(/expected host:port/);
  });

  it('rejects bad ports, unbracketed IPv6 with a port, three hosts and junk', () => {
    for (const v of ['1.2.3.4:0', '1.2.3.4:65536', 'host:abc', 'a,b,c:1', ':22122', 'bad host:1', '1.2.3.4:22122 # x', '[::1:22122']) {
      expect(() => parseHostPort(v, at), v).toThrow(ConfigError);
    }
  });

  it('formats back with IPv6 bracketed', () => {
    for (const v of ['1.2.3.4:22122', 'a.example,b.example:1', '[::1]:22122', '10.0.0.1,[fe80::1]:2']) {
      expect(parseHostPort(formatHostPort(parseHostPort(v)))).toEqual(parseHostPort(v));
    }
    expect(formatHostPort({ hosts: ['::1'], port: 22122 })).toBe('[::1]:22122');
  });
});

describe('parseEnum', () => {
  it('matches case-insensitively and returns the canonical spelling', () => {
    expect(parseEnum('ipv6', ['auto', 'IPv4', 'IPv6'] as const)).toBe('IPv6');
    expect(parseEnum('Warning', ['warn', 'info'] as const, at, { warning: 'warn' })).toBe('warn');
    expect(() => parseEnum('x', ['a', 'b'] as const, at)).toThrow('/etc/fdfs/x.conf:7: k: bad value "x": expected one of a, b');
  });
});
