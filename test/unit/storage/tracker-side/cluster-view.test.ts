// The storage's view of its trackers (spec §8.1, §8.5.4, §8.6): who the leader is (the tracker sending the
// leader brief), each tracker's status for this storage, and when a follower must be sent 59 CHANGE_STATUS.
import { describe, it, expect } from 'vitest';
import { ClusterView } from '../../../../src/storage/tracker-side/cluster-view.js';
import { StorageStatus as S } from '../../../../src/protocol/codes.js';
import type { StorageBrief } from '../../../../src/protocol/beat.js';

const me = { ip: '10.0.0.5', port: 23000 };
const brief = (ip: string, status: number, port = 23000): StorageBrief => ({ status, port, id: ip, ipAddr: ip });
const leaderBrief = brief('10.0.0.1', 0, 22122);

describe('ClusterView', () => {
  it('takes the leader from the tracker that sends the leader brief', () => {
    const v = new ClusterView(() => me);
    const seen: string[] = [];
    v.on('leader', (l, t) => seen.push(`${l.ipAddr}:${l.port} from ${t}`));
    v.apply({ leader: leaderBrief, members: [brief('10.0.0.5', S.Active)] }, '10.0.0.1:22122');
    expect(v.leaderFrom).toBe('10.0.0.1:22122');
    expect(v.myStatus).toBe(S.Active);
    v.apply({ leader: brief('10.0.0.2', 0, 22122) }, '10.0.0.2:22122');
    expect(seen).toEqual(['10.0.0.1:22122 from 10.0.0.1:22122', '10.0.0.2:22122 from 10.0.0.2:22122']);
    expect(v.leaderFrom).toBe('10.0.0.2:22122');
  });

  it('asks for 59 only when a follower disagrees and one of the two statuses is not OFFLINE/ONLINE/ACTIVE', () => {
    const v = new ClusterView(() => me);
    const follower = '10.0.0.2:22122';
    v.trackerStatus.set(follower, S.Init);
    expect(v.statusToReport(follower)).toBeNull(); // no leader known yet
    v.apply({ leader: leaderBrief, members: [brief('10.0.0.5', S.WaitSync)] }, '10.0.0.1:22122');
    expect(v.statusToReport('10.0.0.1:22122')).toBeNull(); // never to the leader itself
    expect(v.statusToReport(follower)).toBe(S.WaitSync);
    v.trackerStatus.set(follower, S.WaitSync);
    expect(v.statusToReport(follower)).toBeNull();
    v.apply({ members: [brief('10.0.0.5', S.Active)] }, '10.0.0.1:22122');
    expect(v.statusToReport(follower)).toBe(S.Active);
    v.trackerStatus.set(follower, S.Online);
    expect(v.statusToReport(follower)).toBeNull(); // both available: the follower's next beat settles it
    v.trackerStatus.delete('10.0.0.1:22122'); // the leader's connection is gone: nothing to compare with
    v.trackerStatus.set(follower, S.Syncing);
    expect(v.statusToReport(follower)).toBeNull();
    expect(v.statusToReport('10.0.0.9:22122')).toBeNull();
  });

  it('waits for a disagreement to last before answering it (the leader\'s news may reach the follower first)', () => {
    const v = new ClusterView(() => me);
    const follower = '10.0.0.2:22122';
    v.apply({ leader: leaderBrief, members: [brief('10.0.0.5', S.Syncing)] }, '10.0.0.1:22122');
    v.trackerStatus.set(follower, S.Active); // the follower heard of ACTIVE before the leader's list came
    expect(v.statusToReport(follower, 2000, 1000)).toBeNull();
    expect(v.statusToReport(follower, 2000, 2500)).toBeNull();
    v.apply({ members: [brief('10.0.0.5', S.Active)] }, '10.0.0.1:22122');
    expect(v.statusToReport(follower, 2000, 3500)).toBeNull(); // settled: nothing to send
    v.trackerStatus.set(follower, S.WaitSync); // a follower that really is behind
    expect(v.statusToReport(follower, 2000, 4000)).toBeNull();
    expect(v.statusToReport(follower, 2000, 5000)).toBeNull();
    expect(v.statusToReport(follower, 2000, 6000)).toBe(S.Active);
  });
});
