// The client's tracker list: start from the last tracker that answered, fail over on
// connection-level errors only (a tracker's status answer is authoritative), per-tracker stats.
// A tracker that failed (refused, hung, not a tracker) is tried last for a while, so a hung one costs one timeout.
import { PoolSet } from '../net/pool.js';
import type { Connection } from '../net/connection.js';
import { ConnectError, Errno, ErrorCode, FdfsError, NotFdfsError, StatusError, UsageError } from '../errors.js';
import { TrackerCmd } from '../protocol/codes.js';
import { encodeListAllGroupsRequest } from '../protocol/tracker-list.js';

export interface TrackerAddr {
  host: string;
  port: number;
}

export interface TrackerHealth {
  address: string;
  failures: number;
  lastOkAt: number | null;
  lastError: string | null;
  /** Until when (ms since the epoch) this tracker is tried after the others, having failed; null when trusted. */
  avoidUntil: number | null;
}

/** How long a failed tracker goes to the back of the list. */
const AVOID_MS = 60_000;

export function parseAddress(text: string, defaultPort: number): TrackerAddr {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:\s]+)(?::(\d+))?$/.exec(text);
  if (!m) throw new UsageError(`bad address "${text}" (want HOST:PORT)`);
  const port = m[2] ? Number(m[2]) : defaultPort;
  if (port < 1 || port > 65535) throw new UsageError(`bad address "${text}": port ${port} is not between 1 and 65535`);
  return { host: m[1]!, port };
}

export class TrackerSet {
  private current = 0;
  private readonly health: TrackerHealth[];

  constructor(readonly trackers: TrackerAddr[], private readonly pools: PoolSet) {
    if (!trackers.length) throw new FdfsError(ErrorCode.Usage, 'no tracker configured');
    this.health = trackers.map((t) => ({ address: `${t.host}:${t.port}`, failures: 0, lastOkAt: null, lastError: null, avoidUntil: null }));
  }

  /** Every tracker once, from `start`: the ones not recently failed first, in their turn. */
  private order(start: number): number[] {
    const now = Date.now();
    const all = this.trackers.map((_, i) => (start + i) % this.trackers.length);
    const avoided = (i: number) => (this.health[i]!.avoidUntil ?? 0) > now;
    return [...all.filter((i) => !avoided(i)), ...all.filter(avoided)];
  }

  /** Run `fn` on a tracker connection, starting at the last one that worked, trying each once. */
  async use<T>(fn: (c: Connection, tracker: TrackerAddr) => Promise<T>): Promise<T> {
    let lastErr: unknown;
    // Fixed at the start: concurrent calls move `current`, and this walk must still visit every tracker once.
    for (const idx of this.order(this.current)) {
      const t = this.trackers[idx]!;
      const h = this.health[idx]!;
      try {
        const result = await this.pools.get(t.host, t.port).use((c) => fn(c, t));
        this.trusted(idx);
        return result;
      } catch (caught) {
        let err = caught;
        if (err instanceof StatusError && err.errno === Errno.EINVAL && (await this.notATracker(t))) {
          err = new UsageError(`${h.address} is not a tracker: it refuses tracker requests, so it is probably a storage server `
            + '— give a tracker\'s address (trackers listen on port 22122 by default)');
        }
        if (err instanceof StatusError) {
          // The tracker answered: that is the cluster's answer, not a reason to fail over.
          this.trusted(idx);
          throw err;
        }
        h.failures++;
        h.lastError = (err as Error).message;
        h.avoidUntil = Date.now() + AVOID_MS;
        if (err instanceof ConnectError || err instanceof NotFdfsError) err.role = 'tracker';
        lastErr = err;
      }
    }
    throw lastErr;
  }

  private trusted(idx: number): void {
    const h = this.health[idx]!;
    this.current = idx;
    h.lastOkAt = Date.now();
    h.failures = 0;
    h.avoidUntil = null;
  }

  /**
   * After an EINVAL: does `t` refuse even the simplest tracker request (list groups, no arguments)? A tracker
   * never does; a storage refuses every tracker command with EINVAL.
   */
  private async notATracker(t: TrackerAddr): Promise<boolean> {
    const cmd = TrackerCmd.ServerListAllGroups;
    const probe = await this.pools.get(t.host, t.port)
      .use((c) => c.call(encodeListAllGroupsRequest(), { cmd, onError: 'return', maxBody: 1 << 20 }))
      .catch(() => null);
    return probe?.status === Errno.EINVAL;
  }

  /** Run `fn` on every tracker (admin commands go to all of them). */
  async each<T>(fn: (c: Connection, tracker: TrackerAddr) => Promise<T>): Promise<Array<{ tracker: TrackerAddr; result?: T; error?: unknown }>> {
    return Promise.all(
      this.trackers.map(async (t) => {
        try {
          return { tracker: t, result: await this.pools.get(t.host, t.port).use((c) => fn(c, t)) };
        } catch (error) {
          if (error instanceof NotFdfsError) error.role = 'tracker';
          return { tracker: t, error };
        }
      }),
    );
  }

  snapshot(): TrackerHealth[] {
    return this.health.map((h) => ({ ...h }));
  }
}
