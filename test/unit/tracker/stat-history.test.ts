// StatHistory: each stat block a storage beats in is copied into a bounded ring (at most one per interval; no
// block, no sample); rates are per-second deltas (never negative after a storage restarts); lag follows
// fdfs_monitor's rule; deleted storages lose their ring.
import { describe, it, expect } from 'vitest';
import { Cluster, type JoinInfo } from '../../../src/tracker/cluster.js';
import { StatHistory, replicationLag } from '../../../src/tracker/stat-history.js';
import { createLogger } from '../../../src/log.js';

const log = createLogger({ level: 'silent' });

function join(c: Cluster, group: string, ip: string) {
  const info: JoinInfo = {
    group, id: ip, ip, storagePort: 23000, storePathCount: 1, subdirCountPerPath: 256, uploadPriority: 10,
    joinTime: 1, upTime: 1, version: '6.16.1', initFlag: true, status: 0,
  };
  return c.join(info);
}

describe('StatHistory', () => {
  it('keeps at most keepSec / intervalSec + 1 samples per storage, oldest dropped first', () => {
    const c = new Cluster(log);
    const n = join(c, 'group1', '10.0.0.1');
    let t = 1000;
    const h = new StatHistory(c, { intervalSec: 10, keepSec: 60, now: () => t });
    for (let i = 0; i < 50; i++, t += 10) {
      n.stats = { ...n.stats, successUploadCount: i };
      h.sample();
    }
    const s = h.samples('group1/10.0.0.1');
    expect(s).toHaveLength(7);
    expect(s[0]!.t).toBe(1000 + 43 * 10);
    expect(s[6]!.t).toBe(1000 + 49 * 10);
  });

  it('rates are per-second deltas of the counters, and 0 (not negative) when counters restart', () => {
    const c = new Cluster(log);
    const n = join(c, 'group1', '10.0.0.1');
    let t = 1000;
    const h = new StatHistory(c, { intervalSec: 10, now: () => t });
    h.sample();
    n.stats = { ...n.stats, successUploadCount: 50, successUploadBytes: 5000, successDownloadCount: 30, successDownloadBytes: 300, successSyncOutBytes: 1000 };
    t += 10;
    h.sample();
    n.stats = { ...n.stats, successUploadCount: 0, successUploadBytes: 0 };
    t += 10;
    h.sample();
    const [first, second] = h.rates()['group1/10.0.0.1']!;
    expect(first).toEqual({ t: 1010, opsPerSec: 8, bytesInPerSec: 500, bytesOutPerSec: 30, syncBytesPerSec: 100, lag: 0 });
    expect(second).toMatchObject({ opsPerSec: 0, bytesInPerSec: 0 });
  });

  it('a sample per stat block received: none without a new block, none sooner than the interval', () => {
    const c = new Cluster(log);
    const n = join(c, 'group1', '10.0.0.1');
    let t = 1000;
    const h = new StatHistory(c, { intervalSec: 10, now: () => t });
    h.sample();
    t += 30;
    h.sample(); // same block: the storage reported nothing since
    expect(h.samples('group1/10.0.0.1')).toHaveLength(1);
    n.stats = { ...n.stats, successUploadCount: 10 };
    t += 4;
    h.sample();
    expect(h.samples('group1/10.0.0.1').map((x) => x.t)).toEqual([1000, 1034]);
    n.stats = { ...n.stats, successUploadCount: 20 };
    t += 4;
    h.sample(); // 4 s after the last sample: waits
    t += 8;
    h.sample();
    expect(h.samples('group1/10.0.0.1').map((x) => [x.t, x.uploads])).toEqual([[1000, 0], [1034, 10], [1046, 20]]);
  });

  it('lag: newest write of the other members minus what this one has synced; unknown before it synced', () => {
    const c = new Cluster(log);
    const a = join(c, 'group1', '10.0.0.1');
    const b = join(c, 'group1', '10.0.0.2');
    expect(replicationLag(a, [a, b])).toBe(0);
    b.stats.lastSourceUpdate = 2000;
    expect(replicationLag(a, [a, b])).toBeNull();
    a.lastSyncedTimestamp = 1990;
    expect(replicationLag(a, [a, b])).toBe(10);
    a.lastSyncedTimestamp = 2005;
    expect(replicationLag(a, [a, b])).toBe(0);
  });

  it('a deleted storage loses its ring at the next sample', () => {
    const c = new Cluster(log);
    join(c, 'group1', '10.0.0.1');
    join(c, 'group2', '10.0.0.2');
    const h = new StatHistory(c, { now: () => 1 });
    h.sample();
    expect(Object.keys(h.rates()).sort()).toEqual(['group1/10.0.0.1', 'group2/10.0.0.2']);
    c.deleteStorage('group2', '10.0.0.2');
    h.sample();
    expect(Object.keys(h.rates())).toEqual(['group1/10.0.0.1']);
  });
});
