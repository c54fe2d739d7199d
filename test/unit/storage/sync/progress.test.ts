import { describe, it, expect } from 'vitest';
import { StorageStatus as S } from '../../../../src/protocol/codes.js';
import { ClusterView } from '../../../../src/storage/tracker-side/cluster-view.js';
import type { InitFlag } from '../../../../src/storage/store/init-flag.js';
import { REPORT_MARGIN, SyncProgress } from '../../../../src/storage/sync/progress.js';
import { NON_SOURCE_REWIND } from '../../../../src/storage/sync/sync-sender.js';

const brief = (ip: string, status: number = S.Active) => ({ status, port: 23000, id: ip, ipAddr: ip });

function setup(flag = { syncSrcServer: '', syncUntilTimestamp: 0 }) {
  const view = new ClusterView(() => ({ ip: '10.0.0.2', port: 23000 }));
  const progress = new SyncProgress({ view, initFlag: { data: flag } as unknown as InitFlag, selfId: () => '10.0.0.2' });
  return { view, progress };
}

describe('SyncProgress', () => {
  it('reports nothing while the storage is alone in its group', () => {
    const { view, progress } = setup();
    expect(progress.syncReport()).toBeNull();
    view.apply({ flags: 0, members: [brief('10.0.0.2')] }, 't1');
    expect(progress.syncReport()).toBeNull();
  });

  it('keeps the newest timestamp per peer and reports it one margin lower, itself as 0', () => {
    const { view, progress } = setup();
    view.apply({ flags: 0, members: [brief('10.0.0.2'), brief('10.0.0.3'), brief('10.0.0.4')] }, 't1');
    progress.noteReceived('10.0.0.3', 1000);
    progress.noteReceived('10.0.0.3', 900);
    expect(progress.newestFrom('10.0.0.3')).toBe(1000);
    expect(progress.newestFrom('10.0.0.4')).toBe(0);
    expect(progress.syncReport()!.entries).toEqual([
      { storageId: '10.0.0.2', timestamp: 0 },
      { storageId: '10.0.0.3', timestamp: 1000 - REPORT_MARGIN },
      { storageId: '10.0.0.4', timestamp: 0 },
    ]);
  });

  it('moves its version on news and on a new member list, not on older records', () => {
    const { view, progress } = setup();
    view.apply({ flags: 0, members: [brief('10.0.0.2'), brief('10.0.0.3')] }, 't1');
    const v0 = progress.syncReport()!.version;
    progress.noteReceived('10.0.0.3', 1000);
    const v1 = progress.syncReport()!.version;
    expect(v1).toBeGreaterThan(v0);
    progress.noteReceived('10.0.0.3', 999);
    expect(progress.syncReport()!.version).toBe(v1);
    view.apply({ flags: 0, members: [brief('10.0.0.2'), brief('10.0.0.3', S.Offline)] }, 't1');
    expect(progress.syncReport()!.version).toBeGreaterThan(v1);
  });

  it('a bootstrapped member reports at least its cut-off less the non-source rewind', () => {
    const { view, progress } = setup({ syncSrcServer: '10.0.0.3', syncUntilTimestamp: 5000 });
    view.apply({ flags: 0, members: [brief('10.0.0.2'), brief('10.0.0.3'), brief('10.0.0.4')] }, 't1');
    progress.noteReceived('10.0.0.4', 6000);
    expect(progress.syncReport()!.entries.map((e) => e.timestamp)).toEqual([0, 5000 - NON_SOURCE_REWIND, 6000 - REPORT_MARGIN]);
  });
});
