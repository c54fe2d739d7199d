// `fdfs ls` input: --since as Unix seconds, a date or an age; --prefix as the start of a file name.
import { describe, it, expect } from 'vitest';
import { checkPrefix, parseSince } from '../../../src/cli/list-files.js';
import { UsageError } from '../../../src/errors.js';

const NOW = Date.UTC(2026, 0, 31, 12, 0, 0);

describe('parseSince', () => {
  it('takes Unix seconds, ISO dates and times, and ages before now', () => {
    expect(parseSince('1700000000', NOW)).toBe(1700000000);
    expect(parseSince('2026-01-31', NOW)).toBe(Date.UTC(2026, 0, 31) / 1000);
    expect(parseSince('2026-01-31T10:30:00Z', NOW)).toBe(Date.UTC(2026, 0, 31, 10, 30) / 1000);
    expect(parseSince('30m', NOW)).toBe(NOW / 1000 - 1800);
    expect(parseSince('12h', NOW)).toBe(NOW / 1000 - 12 * 3600);
    expect(parseSince('7d', NOW)).toBe(NOW / 1000 - 7 * 86400);
    expect(parseSince('2W', NOW)).toBe(NOW / 1000 - 14 * 86400);
  });

  it('refuses anything else with a usage error that says what it takes', () => {
    for (const bad of ['yesterday', '', '-5', '12x', 'Jan 31', '2026-13-45']) {
      expect(() => parseSince(bad, NOW)).toThrow(UsageError);
    }
    expect(() => parseSince('soon', NOW)).toThrow(/Unix seconds, a date like 2026-01-31 .* or an age like 30m/);
  });
});

describe('checkPrefix', () => {
  it('accepts a store path, a first level, a leaf and the start of a name', () => {
    for (const ok of ['M', 'M0', 'M00', 'M00/', 'M00/0A', 'M00/0A/', 'M00/0A/FF', 'M00/0A/FF/', 'M00/0A/FF/wKgB']) expect(checkPrefix(ok)).toBe(ok);
  });

  it('refuses lowercase hex, a group, other paths (exit 2 usage error)', () => {
    for (const bad of ['m00', 'group1/M00', 'M00/0a', 'M00//', '../M00', 'M00/00/00/a/b', 'M0G']) expect(() => checkPrefix(bad)).toThrow(UsageError);
  });
});
