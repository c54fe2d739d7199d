import { describe, it, expect, vi, afterEach } from 'vitest';
import { firstCallTime, parseTimeBase, Schedule } from '../../../src/storage/schedule.js';
import { child } from '../../../src/log.js';

/** Unix seconds of a local time on 10 Jan 2026. */
const at = (h: number, m: number, s = 0) => Math.floor(new Date(2026, 0, 10, h, m, s).getTime() / 1000);
const log = child({ test: 'schedule' });

describe('firstCallTime (libfastcommon sched_make_first_call_time)', () => {
  it('before today\'s base: counts from yesterday\'s base, so a daily task runs at the base today', () => {
    expect(firstCallTime(at(1, 30), { hour: 2, minute: 0, second: 0 }, 86400)).toBe(at(2, 0));
  });

  it('after the base: the next multiple of the interval', () => {
    expect(firstCallTime(at(5, 10), { hour: 2, minute: 0, second: 0 }, 3600)).toBe(at(6, 0));
    expect(firstCallTime(at(2, 0, 10), { hour: 2, minute: 0, second: 0 }, 7)).toBe(at(2, 0, 14));
  });

  it('keeps stock\'s edges: on the base itself now, on a later multiple one interval on', () => {
    expect(firstCallTime(at(2, 0), { hour: 2, minute: 0, second: 0 }, 3600)).toBe(at(2, 0));
    expect(firstCallTime(at(3, 0), { hour: 2, minute: 0, second: 0 }, 3600)).toBe(at(4, 0));
  });

  it('without a time base: one interval from now', () => {
    expect(firstCallTime(at(3, 17), null, 600)).toBe(at(3, 27));
  });

  it('parses HH:MM and HH:MM:SS, refuses nonsense', () => {
    expect(parseTimeBase('02:00')).toEqual({ hour: 2, minute: 0, second: 0 });
    expect(parseTimeBase('3:5:9')).toEqual({ hour: 3, minute: 5, second: 9 });
    expect(parseTimeBase('24:00')).toBeNull();
    expect(parseTimeBase(undefined)).toBeNull();
  });
});

describe('Schedule', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs at the aligned time, then every interval, skips a run while one is under way, and stops', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date(2026, 0, 10, 2, 0, 10));
    let release: (() => void) | null = null;
    let calls = 0;
    const s = new Schedule({ name: 't', timeBase: { hour: 2, minute: 0, second: 0 }, intervalSec: 7, log,
      task: () => { calls++; return new Promise<void>((r) => { release = r; }); } });
    s.start();
    expect(s.nextRunAt).toBe(at(2, 0, 14));
    await vi.advanceTimersByTimeAsync(3900);
    expect(calls).toBe(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toBe(1);
    // Still running at the next tick: that run is skipped.
    await vi.advanceTimersByTimeAsync(7000);
    expect(calls).toBe(1);
    release!();
    await vi.advanceTimersByTimeAsync(7000);
    expect(calls).toBe(2);
    release!();
    await s.stop();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(calls).toBe(2);
    expect(s.started).toBe(false);
  });

  it('logs a failing task and keeps going', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date(2026, 0, 10, 2, 0, 0, 500));
    let calls = 0;
    const s = new Schedule({ name: 'f', timeBase: null, intervalSec: 1, log, task: () => { calls++; throw new Error('boom'); } });
    s.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls).toBe(3);
    await s.stop();
  });
});
