// Leader election ordering (spec §8.9 step 2), the 300 s rounding of 64, and the peer-list and 66/67/68 rules
// of Relationship that need no network.
import { describe, it, expect } from 'vitest';
import { compareCandidates, pickCandidate, trimTime, Relationship } from '../../../src/tracker/leader.js';
import { createLogger } from '../../../src/log.js';
import { Errno } from '../../../src/errors.js';

const log = createLogger({ level: 'silent' });
const t = (ip: string, extra: Partial<{ ifLeader: boolean; runningTime: number; restartInterval: number; port: number }> = {}) =>
  ({ ip, port: 22122, ifLeader: false, runningTime: 0, restartInterval: 0, ...extra });

function rel(bindAddr: string, now = 1_800_000_000) {
  return new Relationship({
    bindAddr, port: 22122, upTime: now - 700, lastCheckTime: now - 1400, log, now: () => now,
    timeouts: { connectTimeout: 1, networkTimeout: 1 }, connections: { alloc: 0, current: 0, max: 0 },
  });
}

describe('candidate ordering', () => {
  it('an existing leader wins over everything else', () => {
    expect(pickCandidate([t('10.0.0.9', { runningTime: 900 }), t('10.0.0.1', { ifLeader: true })])!.ip).toBe('10.0.0.1');
  });

  it('then the longest running, then the one down the shortest time', () => {
    expect(pickCandidate([t('10.0.0.9'), t('10.0.0.1', { runningTime: 300 })])!.ip).toBe('10.0.0.1');
    expect(pickCandidate([t('10.0.0.9', { restartInterval: 600 }), t('10.0.0.1', { restartInterval: 300 })])!.ip).toBe('10.0.0.1');
  });

  it('then the largest IP text (byte order, so .5 beats .10), then the largest port', () => {
    expect(pickCandidate([t('10.77.1.10'), t('10.77.1.5'), t('10.77.1.1')])!.ip).toBe('10.77.1.5');
    expect(pickCandidate([t('10.0.0.1', { port: 22122 }), t('10.0.0.1', { port: 22123 })])!.port).toBe(22123);
    expect(compareCandidates(t('10.0.0.1'), t('10.0.0.1'))).toBe(0);
    expect(pickCandidate([])).toBeUndefined();
  });

  it('64 reports times rounded down to 300 s', () => {
    expect([trimTime(0), trimTime(299), trimTime(300), trimTime(899)]).toEqual([0, 0, 300, 600]);
    expect(rel('10.0.0.1').status()).toEqual({ ifLeader: false, runningTime: 600, restartInterval: 600 });
  });
});

describe('Relationship without peers on the network', () => {
  it('learns trackers from JOIN lists (dual addresses merged) and leads at once when it is the only one', () => {
    const r = rel('10.0.0.1');
    expect(r.leader('10.0.0.1')).toBeNull();
    r.learnTrackers(['10.0.0.1:22122'], '10.0.0.1');
    expect(r.isLeader()).toBe(true);
    expect(r.leader('10.0.0.1')).toEqual({ ip: '10.0.0.1', port: 22122 });
    expect(r.epoch).toBe(1);
    r.learnTrackers(['10.0.0.1:22122', '10.0.0.2,192.168.0.2:22122'], '10.0.0.1');
    r.learnTrackers(['192.168.0.2:22122'], '10.0.0.1');
    expect(r.trackers().map((x) => x.host)).toEqual(['10.0.0.1:22122', '10.0.0.2:22122']);
    expect(r.otherTrackers(['10.0.0.1:22122', '10.0.0.2:22122'], '10.0.0.1')).toEqual([{ ip: '10.0.0.2', port: 22122 }]);
  });

  it('66 naming another tracker makes a leader step down (EINVAL); 67 needs the announced one', () => {
    const r = rel('10.0.0.1');
    r.learnTrackers(['10.0.0.1:22122'], '10.0.0.1');
    expect(() => r.notifyNextLeader({ ip: '10.0.0.2', port: 22122 })).toThrow(expect.objectContaining({ errno: Errno.EINVAL }));
    expect(r.isLeader()).toBe(false);
    expect(() => r.commitNextLeader({ ip: '10.0.0.3', port: 22122 })).toThrow(expect.objectContaining({ errno: Errno.EINVAL }));
    r.notifyNextLeader({ ip: '10.0.0.2', port: 22122 });
    r.commitNextLeader({ ip: '10.0.0.2', port: 22122 });
    expect(r.leader('10.0.0.1')).toEqual({ ip: '10.0.0.2', port: 22122 });
    expect(r.isLeader()).toBe(false);
  });

  it('58/65/68 are for the leader only; 68 makes it step down', () => {
    const r = rel('10.0.0.1');
    expect(() => r.joinLeader('10.0.0.2', { upTime: 1, version: '6.16.1', serverPort: 22122 }))
      .toThrow(expect.objectContaining({ errno: Errno.EOPNOTSUPP }));
    expect(() => r.reselect()).toThrow(expect.objectContaining({ errno: Errno.EOPNOTSUPP }));
    r.learnTrackers(['10.0.0.1:22122'], '10.0.0.1');
    const key = r.joinLeader('10.0.0.2', { upTime: 5, version: '6.16.1', serverPort: 22122 });
    r.pinged(key, { allocCount: 256, currentCount: 1, maxCount: 2 });
    expect(r.trackers()[1]).toMatchObject({ host: '10.0.0.2:22122', isLeader: false, isActive: true, upTime: 5,
      connectionAllocCount: 256, version: '6.16.1' });
    r.reselect();
    expect(r.isLeader()).toBe(false);
    expect(r.leader('10.0.0.1')).toBeNull();
  });
});
