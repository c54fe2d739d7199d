// The last hour of what storages report in their beats, for the web console's charts: each stat block a
// storage beats in (a new StorageStats object on its node) is copied into a fixed-size ring per storage, at most
// one every `intervalSec` (counters are cumulative, so a skipped block loses resolution, not counts). Memory is
// bounded by storages × samples whatever the uptime. Rates are deltas between samples; no block, no sample.
import { StorageStatus } from '../protocol/codes.js';
import type { StorageStats } from '../protocol/tracker-list.js';
import type { Cluster } from './cluster.js';
import type { StorageNode } from './storage-node.js';

/** One sample: cumulative counters as the storage reported them, and its replication lag then. */
/** The cumulative traffic counters a storage reports in its beats. */
export interface TrafficCounters {
  uploads: number;
  downloads: number;
  deletes: number;
  bytesIn: number;
  bytesOut: number;
  syncInBytes: number;
  syncOutBytes: number;
}

export interface StatSample extends TrafficCounters {
  /** Unix seconds. */
  t: number;
  /** Seconds behind the newest write of the other members (fdfs_monitor's rule); null while unknown. */
  lag: number | null;
}

/** Per storage: rates between consecutive samples. */
export interface RatePoint {
  t: number;
  opsPerSec: number;
  bytesInPerSec: number;
  bytesOutPerSec: number;
  /** Replication traffic, in and out. */
  syncBytesPerSec: number;
  lag: number | null;
}

export interface StatHistoryOptions {
  /** Seconds between samples. @default 10 */
  intervalSec?: number;
  /** Seconds kept. @default 3600 */
  keepSec?: number;
  now?: () => number;
}

class Ring {
  private readonly items: Array<StatSample | undefined>;
  private next = 0;
  size = 0;
  /** The stat block the last sample copied, and when. */
  lastBlock: StorageStats | null = null;
  lastT = Number.NEGATIVE_INFINITY;

  constructor(readonly capacity: number) {
    this.items = new Array<StatSample | undefined>(capacity);
  }

  push(s: StatSample): void {
    this.items[this.next] = s;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** Oldest first. */
  toArray(): StatSample[] {
    const out: StatSample[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.items[(this.next - this.size + i + this.capacity) % this.capacity]!);
    return out;
  }
}

/** fdfs_monitor's lag: max(last_source_update of the other members) − this member's last_synced_timestamp. */
export function replicationLag(self: StorageNode, members: readonly StorageNode[]): number | null {
  let newest = 0;
  for (const o of members) if (o !== self && o.stats.lastSourceUpdate > newest) newest = o.stats.lastSourceUpdate;
  if (newest === 0) return 0;
  // The tracker's own figure (from sync reports), as 92 lists it; the beat's stat block does not carry it.
  if (self.lastSyncedTimestamp <= 0) return null;
  return Math.max(0, newest - self.lastSyncedTimestamp);
}

export class StatHistory {
  readonly intervalSec: number;
  readonly capacity: number;
  private readonly rings = new Map<string, Ring>();
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(private readonly cluster: Cluster, o: StatHistoryOptions = {}) {
    this.intervalSec = Math.max(1, o.intervalSec ?? 10);
    this.capacity = Math.ceil((o.keepSec ?? 3600) / this.intervalSec) + 1;
    this.now = o.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** Look for new stat blocks every 2 s (or intervalSec when shorter): a cheap identity check per storage. */
  start(): void {
    if (this.timer) return;
    this.sample();
    this.timer = setInterval(() => this.sample(), Math.min(2, this.intervalSec) * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Copy the stat blocks that arrived since the last sample; storages gone from the cluster lose their ring. */
  sample(): void {
    const t = this.now();
    const seen = new Set<string>();
    for (const g of this.cluster.sortedGroups()) {
      const members = g.sorted();
      for (const s of members) {
        if (s.status === StorageStatus.Deleted) continue;
        const key = `${g.name}/${s.id}`;
        seen.add(key);
        let ring = this.rings.get(key);
        if (!ring) this.rings.set(key, (ring = new Ring(this.capacity)));
        const st = s.stats;
        if (st === ring.lastBlock || t - ring.lastT < this.intervalSec) continue;
        ring.lastBlock = st;
        ring.lastT = t;
        ring.push({
          t,
          uploads: st.successUploadCount + st.successAppendCount + st.successModifyCount,
          downloads: st.successDownloadCount,
          deletes: st.successDeleteCount,
          bytesIn: st.successUploadBytes + st.successAppendBytes + st.successModifyBytes,
          bytesOut: st.successDownloadBytes,
          syncInBytes: st.successSyncInBytes,
          syncOutBytes: st.successSyncOutBytes,
          lag: replicationLag(s, members),
        });
      }
    }
    for (const key of this.rings.keys()) if (!seen.has(key)) this.rings.delete(key);
  }

  /** Raw samples of one storage ('group/id'), oldest first. */
  samples(key: string): StatSample[] {
    return this.rings.get(key)?.toArray() ?? [];
  }

  /** Rates of every storage between its consecutive samples, keyed 'group/id'. */
  rates(): Record<string, RatePoint[]> {
    const out: Record<string, RatePoint[]> = {};
    for (const [key, ring] of this.rings) {
      const s = ring.toArray();
      const points: RatePoint[] = [];
      for (let i = 1; i < s.length; i++) {
        const a = s[i - 1]!;
        const b = s[i]!;
        const dt = Math.max(1, b.t - a.t);
        // A restarted storage starts its counters again: no negative rates.
        const d = (x: number, y: number) => Math.max(0, y - x) / dt;
        points.push({
          t: b.t,
          opsPerSec: d(a.uploads + a.downloads + a.deletes, b.uploads + b.downloads + b.deletes),
          bytesInPerSec: d(a.bytesIn, b.bytesIn),
          bytesOutPerSec: d(a.bytesOut, b.bytesOut),
          syncBytesPerSec: d(a.syncInBytes + a.syncOutBytes, b.syncInBytes + b.syncOutBytes),
          lag: b.lag,
        });
      }
      out[key] = points;
    }
    return out;
  }
}
