import { describe, it, expect } from 'vitest';
import { downloadRange } from '../../../../src/storage/handlers/download.js';
import { Errno, StatusError } from '../../../../src/errors.js';

function errno(fn: () => unknown): number | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as StatusError).errno;
  }
}

describe('downloadRange (§5.6, 6.15.4+)', () => {
  it('length 0 means to the end of the file', () => {
    expect(downloadRange(43, 0, 0)).toEqual({ offset: 0, length: 43 });
    expect(downloadRange(43, 40, 0)).toEqual({ offset: 40, length: 3 });
  });

  it('an exact range is served as asked', () => {
    expect(downloadRange(29, 6, 7)).toEqual({ offset: 6, length: 7 });
    expect(downloadRange(29, 0, 29)).toEqual({ offset: 0, length: 29 });
  });

  it('a range past the end is clamped to what is left', () => {
    expect(downloadRange(43, 40, 100)).toEqual({ offset: 40, length: 3 });
    expect(downloadRange(43, 0, 44)).toEqual({ offset: 0, length: 43 });
  });

  it('offset at or beyond the end is EINVAL', () => {
    expect(errno(() => downloadRange(43, 100, 0))).toBe(Errno.EINVAL);
    expect(errno(() => downloadRange(43, 43, 0))).toBe(Errno.EINVAL);
    expect(errno(() => downloadRange(43, 43, 1))).toBe(Errno.EINVAL);
  });

  it('negative offset or length is EINVAL', () => {
    expect(errno(() => downloadRange(43, -1, 0))).toBe(Errno.EINVAL);
    expect(errno(() => downloadRange(43, 0, -1))).toBe(Errno.EINVAL);
  });

  it('a 0-byte file at offset 0 gives an empty body (deliberate departure from stock EINVAL)', () => {
    expect(downloadRange(0, 0, 0)).toEqual({ offset: 0, length: 0 });
    expect(downloadRange(0, 0, 10)).toEqual({ offset: 0, length: 0 });
    expect(errno(() => downloadRange(0, 1, 0))).toBe(Errno.EINVAL);
  });
});
