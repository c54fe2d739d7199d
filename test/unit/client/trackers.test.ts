// The client's tracker walk (spec §8.10): each call tries every tracker once from where it started, even when
// concurrent calls fail over meanwhile; a tracker's status answer is final; calls stick to the one that worked.
import { describe, it, expect } from 'vitest';
import { TrackerSet } from '../../../src/client/trackers.js';
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
});
