// Stock's periodic tasks (libfastcommon's scheduler, used by the trunk server for trunk_create_file_* and
// trunk_compress_binlog_*): first run at the next time aligned to time_base + k × interval (local time), then
// every interval; a run missed (the process was busy) is skipped, not caught up, and runs never overlap.
import { parseTimeOfDay, type TimeOfDay } from '../config/values.js';
import type { Logger } from '../log.js';

/** A time of day, local time (`HH:MM` in tracker.conf). */
export type TimeBase = TimeOfDay;

/** `HH:MM` or `HH:MM:SS`; null when absent or malformed (the schedule then starts one interval from now). */
export function parseTimeBase(text: string | undefined): TimeBase | null {
  try {
    return text === undefined ? null : parseTimeOfDay(text);
  } catch {
    return null;
  }
}

/**
 * The first run (Unix seconds), as libfastcommon's sched_make_first_call_time computes it: from today's time
 * base (yesterday's when today's is still ahead), the next multiple of the interval after now. Note stock's
 * edge: exactly on a multiple later than the base itself gives now + interval, on the base itself gives now.
 */
export function firstCallTime(nowSec: number, base: TimeBase | null, intervalSec: number): number {
  if (!base) return nowSec + intervalSec;
  const now = new Date(nowSec * 1000);
  const at = new Date(now);
  if (now.getHours() < base.hour || (now.getHours() === base.hour && now.getMinutes() < base.minute)) at.setDate(at.getDate() - 1);
  at.setHours(base.hour, base.minute, base.second, 0);
  const remain = nowSec - Math.floor(at.getTime() / 1000);
  if (remain > 0) return nowSec + intervalSec - (remain % intervalSec);
  if (remain < 0) return nowSec + (-remain % intervalSec);
  return nowSec;
}

/** setTimeout's longest delay; longer waits are chained. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export interface ScheduleOptions {
  name: string;
  timeBase: TimeBase | null;
  /** Seconds between runs (> 0). */
  intervalSec: number;
  task: () => Promise<unknown> | unknown;
  log: Logger;
}

export class Schedule {
  private timer: NodeJS.Timeout | null = null;
  private nextAt = 0;
  private running: Promise<void> | null = null;

  constructor(private readonly o: ScheduleOptions) {
    if (!(o.intervalSec > 0)) throw new RangeError(`schedule ${o.name}: interval must be > 0`);
  }

  get started(): boolean {
    return this.timer !== null;
  }

  /** Unix seconds of the next run (0 while stopped). */
  get nextRunAt(): number {
    return this.timer ? this.nextAt : 0;
  }

  start(): void {
    if (this.timer) return;
    this.nextAt = firstCallTime(Math.floor(Date.now() / 1000), this.o.timeBase, this.o.intervalSec);
    this.o.log.info({ schedule: this.o.name, first: new Date(this.nextAt * 1000).toISOString(), every: this.o.intervalSec }, 'schedule started');
    this.arm();
  }

  /** No further run; resolves once a run under way has finished. */
  async stop(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.o.log.info({ schedule: this.o.name }, 'schedule stopped');
    }
    await this.running;
  }

  private arm(): void {
    const ms = Math.min(MAX_DELAY_MS, Math.max(0, this.nextAt * 1000 - Date.now()));
    this.timer = setTimeout(() => this.fire(), ms);
    this.timer.unref();
  }

  private fire(): void {
    const now = Date.now() / 1000;
    if (now < this.nextAt) return this.arm();
    while (this.nextAt <= now) this.nextAt += this.o.intervalSec;
    this.arm();
    if (this.running) return;
    this.running = Promise.resolve()
      .then(() => this.o.task())
      .then(() => undefined, (err: Error) => {
        this.o.log.warn({ schedule: this.o.name, err: err.message }, 'scheduled task failed');
      })
      .finally(() => {
        this.running = null;
      });
  }
}
