// The client's tracker walk (spec §8.10): each call tries every tracker once from where it started, even when
// concurrent calls fail over meanwhile; a tracker's status answer is final; calls stick to the one that worked.
import { describe, it, expect } from 'vitest';
import { TrackerSet, parseAddress } from '../../../src/client/trackers.js';
import type { PoolSet } from '../../../src/net/pool.js';
import type { Connection } from '../../../src/net/connection.js';
import { ConnectError, Errno, ProtocolError, StatusError } from '../../../src/errors.js';

type Script = (host: string) => Promise<void>;

/** Pools whose use() runs `script(host)` instead of a socket exchange. */
function fakePools(script: Script): PoolSet {
  return {
    get: (host: string) => ({
      use: async <T>(fn: (c: Connection) => Promise<T>) => {
        await script(host);
        return fn({} as Connection);
      },
    }),
  } as unknown as PoolSet;
}

function deferred(): { promise: Promise<void>; reject: (e: Error) => void } {
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((_, rej) => (reject = rej));
  return { promise, reject };
}

describe('TrackerSet.use', () => {
  it('an in-flight call whose tracker dies goes to the next tracker even after another call moved on', async () => {
    const pendingOnA: Array<ReturnType<typeof deferred>> = [];
    let aDead = false;
    const visits: string[] = [];
    const set = new TrackerSet([{ host: 'A', port: 1 }, { host: 'B', port: 1 }], fakePools(async (host) => {
      visits.push(host);
      if (host === 'B') return;
      if (aDead) throw new ConnectError('A:1', new Error('connection refused'));
      const d = deferred();
      pendingOnA.push(d);
      return d.promise;
    }));
    const first = set.use(async (_c, t) => t.host);
    const second = set.use(async (_c, t) => t.host);
    await new Promise((r) => setImmediate(r));
    expect(pendingOnA.length).toBe(2);
    aDead = true;
    pendingOnA[1]!.reject(new ProtocolError('A closed the connection'));
    expect(await second).toBe('B');
    pendingOnA[0]!.reject(new ProtocolError('A closed the connection'));
    expect(await first).toBe('B');
    // Later calls start at B, the tracker that answered last.
    expect(await set.use(async (_c, t) => t.host)).toBe('B');
    expect(visits).toEqual(['A', 'A', 'B', 'B', 'B']);
  });

  it("does not fail over on a tracker's status answer", async () => {
    const set = new TrackerSet([{ host: 'A', port: 1 }, { host: 'B', port: 1 }], fakePools(async () => {}));
    await expect(set.use(async () => {
      throw new StatusError(Errno.ENOENT);
    })).rejects.toMatchObject({ errno: Errno.ENOENT });
    expect(set.snapshot()[1]!.lastOkAt).toBeNull();
  });

  it('throws the last error when every tracker is down', async () => {
    const set = new TrackerSet([{ host: 'A', port: 1 }, { host: 'B', port: 1 }], fakePools(async (host) => {
      throw new ConnectError(`${host}:1`, new Error('connection refused'));
    }));
    await expect(set.use(async () => 1)).rejects.toMatchObject({ address: 'B:1', role: 'tracker' });
    expect(set.snapshot().map((h) => h.failures)).toEqual([1, 1]);
  });

  it('a tracker that failed is tried after the others for a minute, and trusted again once it answers', async () => {
    const down = new Set(['A']);
    const visits: string[] = [];
    const set = new TrackerSet([{ host: 'A', port: 1 }, { host: 'B', port: 1 }, { host: 'C', port: 1 }], fakePools(async (host) => {
      visits.push(host);
      if (down.has(host)) throw new ConnectError(`${host}:1`, new Error('timed out'));
    }));
    expect(await set.use(async (_c, t) => t.host)).toBe('B');
    const [a] = set.snapshot();
    expect(a!.avoidUntil).toBeGreaterThan(Date.now() + 50_000);
    // B and C fail: A, though avoided, is still asked last, and answering clears its mark.
    down.clear();
    down.add('B');
    down.add('C');
    expect(await set.use(async (_c, t) => t.host)).toBe('A');
    expect(visits).toEqual(['A', 'B', 'B', 'C', 'A']);
    expect(set.snapshot().map((h) => h.avoidUntil === null)).toEqual([true, false, false]);
  });
});

describe('parseAddress', () => {
  it('takes HOST, HOST:PORT and [IPv6]:PORT; refuses a port outside 1–65535 in plain words', () => {
    expect(parseAddress('tracker1', 22122)).toEqual({ host: 'tracker1', port: 22122 });
    expect(parseAddress('10.0.0.1:22123', 22122)).toEqual({ host: '10.0.0.1', port: 22123 });
    expect(parseAddress('[::1]:22122', 1)).toEqual({ host: '::1', port: 22122 });
    expect(() => parseAddress('h:99999', 22122)).toThrow('bad address "h:99999": port 99999 is not between 1 and 65535');
    expect(() => parseAddress('h:0', 22122)).toThrow(/port 0 is not between 1 and 65535/);
    expect(() => parseAddress('a b:1', 22122)).toThrow('bad address "a b:1" (want HOST:PORT)');
  });
});
