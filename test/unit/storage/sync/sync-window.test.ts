// sync_start_time / sync_end_time: the daily window of local time in which a storage pushes to its peers.
import { describe, it, expect } from 'vitest';
import { syncWindow } from '../../../../src/storage/sync/sync-window.js';

const t = (hour: number, minute: number) => ({ hour, minute, second: 0 });
const at = (h: number, m: number, s = 0) => new Date(2026, 10, 21, h, m, s);

describe('syncWindow', () => {
  it('is null for the whole day (the default 00:00–23:59)', () => {
    expect(syncWindow(t(0, 0), t(23, 59))).toBeNull();
  });

  it('opens from the start minute through the whole end minute', () => {
    const w = syncWindow(t(2, 0), t(5, 30))!;
    expect(w.text).toBe('02:00–05:30');
    expect(w.isOpen(at(1, 59, 59))).toBe(false);
    expect(w.isOpen(at(2, 0))).toBe(true);
    expect(w.isOpen(at(5, 30, 59))).toBe(true);
    expect(w.isOpen(at(5, 31))).toBe(false);
    expect(w.msUntilOpen(at(3, 0))).toBe(0);
    expect(w.msUntilOpen(at(1, 0))).toBe(3600_000);
    expect(w.msUntilOpen(at(6, 0))).toBe(20 * 3600_000);
  });

  it('spans midnight when the start is after the end', () => {
    const w = syncWindow(t(22, 0), t(6, 0))!;
    expect(w.isOpen(at(23, 0))).toBe(true);
    expect(w.isOpen(at(0, 30))).toBe(true);
    expect(w.isOpen(at(6, 0, 30))).toBe(true);
    expect(w.isOpen(at(12, 0))).toBe(false);
    expect(w.msUntilOpen(at(21, 0))).toBe(3600_000);
  });
});
