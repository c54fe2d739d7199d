// Small files are stored with blocking calls on the event loop: tens of microseconds while the disk keeps up. When
// it stalls (a disk seeking, ext4 scanning for a free inode after mass deletions, dirty pages throttled) one store
// holds every connection of its worker, where stock's other threads go on. So SLOW_STORES blocking stores slower
// than slowMs within a second (one alone may be the process losing its core, not the disk) send this process's next
// stores through the thread pool for pauseMs (a stall then holds one pool thread, not the loop), after which
// blocking stores are tried again. FDFS_SLOW_STORE_MS sets slowMs (0: every store goes through the pool).
import { performance } from 'node:perf_hooks';
import { UsageError } from '../../errors.js';

export const SLOW_STORE_MS = 5;
export const POOL_PAUSE_MS = 2000;
export const SLOW_STORES = 3;
const SLOW_WINDOW_MS = 1000;

export class DiskPace {
  private poolUntil = 0;
  private slowSince = 0;
  private slowCount = 0;

  constructor(private readonly slowMs = SLOW_STORE_MS, private readonly pauseMs = POOL_PAUSE_MS) {}

  /** Whether stores go through the thread pool now. */
  get slow(): boolean {
    if (this.slowMs === 0) return true;
    if (this.poolUntil === 0) return false;
    if (performance.now() < this.poolUntil) return true;
    this.poolUntil = 0;
    return false;
  }

  /** A blocking store took `ms`. */
  took(ms: number): void {
    if (ms < this.slowMs) return;
    const now = performance.now();
    if (now - this.slowSince > SLOW_WINDOW_MS) {
      this.slowSince = now;
      this.slowCount = 0;
    }
    if (++this.slowCount < SLOW_STORES) return;
    this.slowCount = 0;
    this.poolUntil = now + this.pauseMs;
  }
}

/** FDFS_SLOW_STORE_MS: unset or empty the default, else milliseconds ≥ 0 (UsageError otherwise). */
export function slowStoreMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.FDFS_SLOW_STORE_MS;
  if (v === undefined || v === '') return SLOW_STORE_MS;
  const ms = Number(v);
  if (!Number.isFinite(ms) || ms < 0) throw new UsageError(`FDFS_SLOW_STORE_MS must be a number of milliseconds (0: always the thread pool), not "${v}"`);
  return ms;
}

let pace: DiskPace | undefined;

/** This process's pace (each storage worker is a process of its own); fdfs serve checked the variable at start. */
export function diskPace(): DiskPace {
  return (pace ??= new DiskPace(slowStoreMs()));
}
