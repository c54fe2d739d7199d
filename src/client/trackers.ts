// The client's tracker list: start from the last tracker that answered, fail over on
// connection-level errors only (a tracker's status answer is authoritative), per-tracker stats.
import { PoolSet } from '../net/pool.js';
import type { Connection } from '../net/connection.js';
import { ConnectError, ErrorCode, FdfsError, StatusError } from '../errors.js';

export interface TrackerAddr {
  host: string;
  port: number;
}

export interface TrackerHealth {
  address: string;
  failures: number;
  lastOkAt: number | null;
  lastError: string | null;
}

export function parseAddress(text: string, defaultPort: number): TrackerAddr {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:]+)(?::(\d+))?$/.exec(text);
  if (!m) throw new FdfsError(ErrorCode.Usage, `bad address "${text}"`);
  return { host: m[1]!, port: m[2] ? Number(m[2]) : defaultPort };
}

export class TrackerSet {
  private current = 0;
  private readonly health: TrackerHealth[];

  constructor(readonly trackers: TrackerAddr[], private readonly pools: PoolSet) {
    if (!trackers.length) throw new FdfsError(ErrorCode.Usage, 'no tracker configured');
    this.health = trackers.map((t) => ({ address: `${t.host}:${t.port}`, failures: 0, lastOkAt: null, lastError: null }));
  }

  /** Run `fn` on a tracker connection, starting at the last one that worked, trying each once. */
  async use<T>(fn: (c: Connection, tracker: TrackerAddr) => Promise<T>): Promise<T> {
    let lastErr: unknown;
    const n = this.trackers.length;
    // Fixed at the start: concurrent calls move `current`, and this walk must still visit every tracker once.
    const start = this.current;
    for (let i = 0; i < n; i++) {
      const idx = (start + i) % n;
      const t = this.trackers[idx]!;
      const h = this.health[idx]!;
      try {
        const result = await this.pools.get(t.host, t.port).use((c) => fn(c, t));
        this.current = idx;
        h.lastOkAt = Date.now();
        h.failures = 0;
        return result;
      } catch (err) {
        if (err instanceof StatusError) {
          // The tracker answered: that is the cluster's answer, not a reason to fail over.
          this.current = idx;
          h.lastOkAt = Date.now();
          throw err;
        }
        h.failures++;
        h.lastError = (err as Error).message;
        if (err instanceof ConnectError) err.role = 'tracker';
        lastErr = err;
      }
    }
    throw lastErr;
  }

  /** Run `fn` on every tracker (admin commands go to all of them). */
  async each<T>(fn: (c: Connection, tracker: TrackerAddr) => Promise<T>): Promise<Array<{ tracker: TrackerAddr; result?: T; error?: unknown }>> {
    return Promise.all(
      this.trackers.map(async (t) => {
        try {
          return { tracker: t, result: await this.pools.get(t.host, t.port).use((c) => fn(c, t)) };
        } catch (error) {
          return { tracker: t, error };
        }
      }),
    );
  }

  snapshot(): TrackerHealth[] {
    return this.health.map((h) => ({ ...h }));
  }
}
