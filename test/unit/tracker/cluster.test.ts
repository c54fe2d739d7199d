import { describe, it, expect } from 'vitest';
import { Cluster, type JoinInfo } from '../../../src/tracker/cluster.js';
import { chooseStoreGroup, chooseStoreServers, chooseFetch, chooseUpdate, type SelectionPolicy } from '../../../src/tracker/selection.js';
import { StorageStatus as S } from '../../../src/protocol/codes.js';
import { encodeFileName } from '../../../src/protocol/file-id.js';
import { createLogger } from '../../../src/log.js';
import { Errno } from '../../../src/errors.js';

const log = createLogger({ level: 'silent' });
let clock = 1_800_000_000;
const now = () => clock;

function joinInfo(group: string, ip: string, extra: Partial<JoinInfo> = {}): JoinInfo {
  return {
    group, id: ip, ip, storagePort: 23000, storePathCount: 1, subdirCountPerPath: 256, uploadPriority: 10,
    joinTime: clock, upTime: clock, version: '6.16.1', initFlag: true, status: 0, ...extra,
  };
}

function activeStorage(c: Cluster, group: string, ip: string, freeMb = 1000, totalMb = 2000) {
  const n = c.join(joinInfo(group, ip));
  c.syncDestReq(n);
  n.paths = [{ totalMb, freeMb }];
  c.heartbeat(n);
  if (n.status !== S.Active) {
    // A later member waits for its sync source; finish the bootstrap as the source would.
    c.reportStatus(n, S.Syncing);
    c.reportStatus(n, S.Offline);
    c.heartbeat(n);
  }
  return n;
}

const policy: SelectionPolicy = {
  storeLookup: 0, storeGroup: '', storeServer: 0, storePath: 0, downloadServer: 0,
  reserved: { kind: 'ratio', ratio: 0.1 }, storageSyncFileMaxDelay: 86400, storageSyncFileMaxTime: 300,
};

function nameFrom(ip: string, ts: number): string {
  return encodeFileName({ source: { ipv4: ip }, timestamp: ts, size: 10, kind: 'normal', crc32: 1, ext: 'txt', storePathIndex: 0, subHigh: 0, subLow: 0 });
}

describe('tracker state machine', () => {
  it('walks a first storage INIT → ONLINE → ACTIVE, then OFFLINE on close and ONLINE on rejoin', () => {
    const c = new Cluster(log, now);
    const n = c.join(joinInfo('group1', '10.0.0.2'));
    expect(n.status).toBe(S.Init);
    expect(c.syncDestReq(n)).toBeNull();
    expect(n.status).toBe(S.Online);
    c.heartbeat(n);
    expect(n.status).toBe(S.Active);
    c.disconnected(n);
    expect(n.status).toBe(S.Offline);
    c.join(joinInfo('group1', '10.0.0.2', { initFlag: false }));
    expect(n.status).toBe(S.Online);
  });

  it('gives a second member a sync source and keeps it out of ACTIVE until the source reports it done', () => {
    const c = new Cluster(log, now);
    activeStorage(c, 'group1', '10.0.0.2');
    const b = c.join(joinInfo('group1', '10.0.0.3'));
    expect(c.syncDestReq(b)).toEqual({ srcId: '10.0.0.2', until: clock });
    expect(b.status).toBe(S.WaitSync);
    c.heartbeat(b);
    expect(b.status).toBe(S.WaitSync);
    c.reportStatus(b, S.Syncing);
    c.reportStatus(b, S.Offline);
    c.heartbeat(b);
    expect(b.status).toBe(S.Active);
  });

  it('gives no sync source when every member reported holding no files: ONLINE, ACTIVE at its first beat', () => {
    const c = new Cluster(log, now);
    const a = activeStorage(c, 'group1', '10.0.0.2');
    const b = c.join(joinInfo('group1', '10.0.0.3'));
    // Unknown counters (nothing reported since this tracker started) are not "empty": a source is named.
    expect(c.syncDestReq(b)).toEqual({ srcId: '10.0.0.2', until: clock });
    a.statsReported = true;
    const d = c.join(joinInfo('group1', '10.0.0.4'));
    expect(c.syncDestReq(d)).toBeNull();
    expect(d.status).toBe(S.Online);
    c.heartbeat(d);
    expect(d.status).toBe(S.Active);
    a.stats.lastSourceUpdate = clock;
    const e = c.join(joinInfo('group1', '10.0.0.5'));
    expect(c.syncDestReq(e)).toEqual({ srcId: '10.0.0.2', until: clock });
  });

  it('makes a bootstrapped member ACTIVE when its source reports it done while it is connected', () => {
    const c = new Cluster(log, now);
    activeStorage(c, 'group1', '10.0.0.2');
    const b = c.join(joinInfo('group1', '10.0.0.3'));
    b.connections = 1;
    c.syncDestReq(b);
    c.reportStatus(b, S.Syncing);
    c.reportStatus(b, S.Offline);
    expect(b.status).toBe(S.Active);
  });

  it('marks a silent ACTIVE storage OFFLINE after check_active_interval', () => {
    const c = new Cluster(log, now);
    const n = activeStorage(c, 'group1', '10.0.0.2');
    clock += 5;
    c.checkActive(10);
    expect(n.status).toBe(S.Active);
    clock += 6;
    c.checkActive(10);
    expect(n.status).toBe(S.Offline);
  });

  it('refuses to delete a live storage and deletes an offline one (changelog line)', () => {
    const c = new Cluster(log, now);
    const n = activeStorage(c, 'group1', '10.0.0.2');
    expect(() => c.deleteStorage('group1', '10.0.0.2')).toThrow(expect.objectContaining({ errno: Errno.EBUSY }));
    c.disconnected(n);
    c.deleteStorage('group1', '10.0.0.2');
    expect(n.status).toBe(S.Deleted);
    expect(c.changelog).toBe(`${clock} group1 10.0.0.2 4 \n`);
    expect(() => c.deleteStorage('group1', '10.0.0.2')).toThrow(expect.objectContaining({ errno: Errno.EALREADY }));
    c.join(joinInfo('group1', '10.0.0.2', { initFlag: false }));
    expect(n.status).toBe(S.Init);
  });
});

describe('selection', () => {
  it('round-robins uploads over writable storages and groups', () => {
    const c = new Cluster(log, now);
    activeStorage(c, 'group1', '10.0.0.2');
    activeStorage(c, 'group1', '10.0.0.3');
    activeStorage(c, 'group2', '10.0.0.4');
    const groups = [0, 1, 2, 3].map(() => chooseStoreGroup(c, policy).name);
    expect(groups).toEqual(['group1', 'group2', 'group1', 'group2']);
    const g1 = c.group('group1')!;
    const servers = [0, 1, 2].map(() => chooseStoreServers(g1, policy, false).servers[0]!.ip);
    expect(servers).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.2']);
  });

  it('picks the group with most free space for store_lookup 2 and answers ENOSPC when nothing has room', () => {
    const c = new Cluster(log, now);
    activeStorage(c, 'group1', '10.0.0.2', 500);
    activeStorage(c, 'group2', '10.0.0.4', 1500);
    expect(chooseStoreGroup(c, { ...policy, storeLookup: 2 }).name).toBe('group2');
    const full = { ...policy, reserved: { kind: 'ratio' as const, ratio: 0.9 } };
    expect(() => chooseStoreGroup(c, full)).toThrow(expect.objectContaining({ errno: Errno.ENOSPC }));
    expect(() => chooseStoreGroup(c, policy, 'nosuch')).toThrow(expect.objectContaining({ errno: Errno.ENOENT }));
  });

  it('does not call a group full before its storages reported their disks', () => {
    const c = new Cluster(log, now);
    const n = c.join(joinInfo('group1', '10.0.0.2'));
    c.syncDestReq(n);
    c.heartbeat(n);
    expect(n.paths).toEqual([]);
    expect(chooseStoreGroup(c, policy).name).toBe('group1');
    n.paths = [{ totalMb: 1000, freeMb: 50 }];
    expect(() => chooseStoreGroup(c, policy)).toThrow(expect.objectContaining({ errno: Errno.ENOSPC }));
  });

  it('routes a fresh file to its source until a replica has synced past it', () => {
    const c = new Cluster(log, now);
    const a = activeStorage(c, 'group1', '10.0.0.2');
    const b = activeStorage(c, 'group1', '10.0.0.3');
    const name = nameFrom('10.0.0.2', clock);
    for (let i = 0; i < 4; i++) expect(chooseFetch(c, policy, 'group1', name, false, clock)[0]!.ip).toBe('10.0.0.2');
    expect(chooseFetch(c, policy, 'group1', name, true, clock).map((s) => s.ip)).toEqual(['10.0.0.2']);
    c.syncReport(b, [{ id: a.id, timestamp: clock + 1 }], true);
    const picks = new Set([0, 1, 2, 3].map(() => chooseFetch(c, policy, 'group1', name, false, clock)[0]!.ip));
    expect(picks).toEqual(new Set(['10.0.0.2', '10.0.0.3']));
    expect(chooseUpdate(c, policy, 'group1', name).ip).toBe('10.0.0.2');
  });

  it('passes over a member that reported lacking a file (201), until it holds it again', () => {
    const c = new Cluster(log, now);
    const a = activeStorage(c, 'group1', '10.0.0.2');
    const b = activeStorage(c, 'group1', '10.0.0.3');
    const name = nameFrom('10.0.0.2', clock);
    const group = c.group('group1')!;
    group.missing.note(name, a.id, false);
    // The source lacks its fresh file: the other member is named, though its sync progress says nothing yet.
    for (let i = 0; i < 4; i++) expect(chooseFetch(c, policy, 'group1', name, false, clock)[0]!.ip).toBe(b.ip);
    expect(chooseFetch(c, policy, 'group1', name, true, clock).map((s) => s.ip)).toEqual([b.ip]);
    // Another file of a is still read from a.
    expect(chooseFetch(c, policy, 'group1', nameFrom('10.0.0.2', clock - 1), false, clock)[0]!.ip).toBe(a.ip);
    // Both lacking: the answer is as before (someone must be named).
    group.missing.note(name, b.id, false);
    expect(chooseFetch(c, policy, 'group1', name, false, clock)[0]!.ip).toBe(a.ip);
    group.missing.note(name, a.id, true);
    group.missing.note(name, b.id, true);
    expect(chooseFetch(c, policy, 'group1', name, false, clock)[0]!.ip).toBe(a.ip);
    expect(group.missing.size).toBe(0);
  });
});
