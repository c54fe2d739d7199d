import { describe, it, expect } from 'vitest';
import { Cluster, type JoinInfo, type StatusChange } from '../../../src/tracker/cluster.js';
import { canChangeStatus, isBeforeFirstSync, STATUS_TRANSITIONS } from '../../../src/tracker/storage-status.js';
import { restoreCluster } from '../../../src/tracker/persistence.js';
import { emptyFileStats, formatServersFile } from '../../../src/tracker/sys-files.js';
import { StorageStatus as S, type StorageStatusCode } from '../../../src/protocol/codes.js';
import { pino } from 'pino';
import type { Logger } from '../../../src/log.js';

const ALL = Object.values(S) as StorageStatusCode[];
const clock = 1_800_000_000;

function joinInfo(ip: string, extra: Partial<JoinInfo> = {}): JoinInfo {
  return {
    group: 'group1', id: ip, ip, storagePort: 23000, storePathCount: 1, subdirCountPerPath: 256, uploadPriority: 10,
    joinTime: clock, upTime: clock, version: '6.16.1', initFlag: true, status: 0, ...extra,
  };
}

/** A cluster whose log lines and 'status' events are kept for the assertions. */
function recorded() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) }) as unknown as Logger;
  const c = new Cluster(log, () => clock);
  const events: StatusChange[] = [];
  c.on('status', (e: StatusChange) => events.push(e));
  return { c, lines, events };
}

describe('storage status table', () => {
  it('has a row for every status and names only known statuses', () => {
    expect(Object.keys(STATUS_TRANSITIONS).map(Number).sort((a, b) => a - b)).toEqual([...ALL].sort((a, b) => a - b));
    for (const to of Object.values(STATUS_TRANSITIONS).flat()) expect(ALL).toContain(to);
  });

  it('allows the §8.6 paths and nothing into NONE or out of it', () => {
    const legal: Array<[StorageStatusCode, StorageStatusCode]> = [
      [S.Init, S.WaitSync], [S.Init, S.Online], [S.WaitSync, S.Syncing], [S.Syncing, S.Offline], [S.Offline, S.Active],
      [S.Online, S.Active], [S.Active, S.Offline], [S.Offline, S.Online], [S.Recovery, S.Online], [S.Offline, S.Deleted],
      [S.Deleted, S.Init], [S.IpChanged, S.Init], [S.Active, S.Recovery], [S.Active, S.WaitSync],
    ];
    for (const [from, to] of legal) expect(canChangeStatus(from, to), `${from} → ${to}`).toBe(true);
    for (const s of ALL) {
      if (s !== S.None) expect(canChangeStatus(s, S.None)).toBe(false);
      if (s !== S.None) expect(canChangeStatus(S.None, s)).toBe(false);
    }
  });

  it('reaches ACTIVE only from OFFLINE or ONLINE, and leaves DELETED only for INIT', () => {
    for (const s of ALL) expect(canChangeStatus(s, S.Active)).toBe(s === S.Offline || s === S.Online || s === S.Active);
    for (const s of ALL) expect(canChangeStatus(S.Deleted, s)).toBe(s === S.Init || s === S.Deleted);
    expect(canChangeStatus(S.Active, S.Online)).toBe(false);
  });

  it('names INIT, WAIT_SYNC and SYNCING "before the first sync"', () => {
    expect(ALL.filter(isBeforeFirstSync)).toEqual([S.Init, S.WaitSync, S.Syncing]);
  });
});

describe('Cluster.setStatus', () => {
  it('logs {from, to, reason} and emits one event per change; the same status is no change', () => {
    const { c, lines, events } = recorded();
    const n = c.join(joinInfo('10.0.0.2'));
    expect(c.setStatus(n, S.Online, 'test')).toBe(true);
    expect(c.setStatus(n, S.Online, 'again')).toBe(true);
    expect(events.map((e) => [e.from, e.to, e.reason])).toEqual([[S.Init, S.Online, 'test']]);
    expect(lines.filter((l) => l.msg === 'storage status')).toEqual([
      expect.objectContaining({ from: 'INIT', to: 'ONLINE', reason: 'test', storage: '10.0.0.2', group: 'group1' }),
    ]);
  });

  it('refuses an illegal change with a warning, keeps the status and emits nothing', () => {
    const { c, lines, events } = recorded();
    const n = c.join(joinInfo('10.0.0.2'));
    const before = c.group('group1')!.changeCount;
    expect(c.setStatus(n, S.Active, 'skip the sync')).toBe(false);
    expect(n.status).toBe(S.Init);
    expect(events).toEqual([]);
    expect(c.group('group1')!.changeCount).toBe(before);
    expect(lines.find((l) => String(l.msg).includes('refused'))).toMatchObject({ level: 40, from: 'INIT', to: 'ACTIVE' });
  });

  it('does not store NONE reported with 76 (it used to, being numerically greater)', () => {
    const { c, events } = recorded();
    const a = c.join(joinInfo('10.0.0.2'));
    c.syncDestReq(a);
    c.heartbeat(a);
    const b = c.join(joinInfo('10.0.0.3'));
    c.syncDestReq(b);
    expect(b.status).toBe(S.WaitSync);
    c.reportStatus(b, S.None);
    expect(b.status).toBe(S.WaitSync);
    expect(events.at(-1)?.to).toBe(S.WaitSync);
  });

  it('a tracker that lost its data adopts a joining storage\'s status (ACTIVE as ONLINE) through setStatus', () => {
    const { c, events } = recorded();
    const n = c.join(joinInfo('10.0.0.2', { initFlag: false, status: S.Active }));
    expect(n.status).toBe(S.Online);
    expect(events.map((e) => [e.from, e.to, e.reason])).toEqual([[S.Init, S.Online, 'join: adopted reported status']]);
  });

  it('a deleted storage comes back through INIT only (JOIN), not by heartbeat', () => {
    const { c } = recorded();
    const n = c.join(joinInfo('10.0.0.2'));
    c.syncDestReq(n);
    c.disconnected(n);
    c.deleteStorage('group1', '10.0.0.2');
    c.heartbeat(n);
    expect(n.status).toBe(S.Deleted);
    expect(c.setStatus(n, S.Online, 'test')).toBe(false);
    c.join(joinInfo('10.0.0.2', { initFlag: false }));
    expect(n.status).toBe(S.Init);
  });

  it('status is read-only outside the cluster', () => {
    const { c } = recorded();
    const n = c.join(joinInfo('10.0.0.2'));
    expect(() => { (n as { status: number }).status = S.Active; }).toThrow(TypeError);
  });

  it('restores persisted statuses without transitions or events (OFFLINE unless INIT/WAIT_SYNC/SYNCING)', () => {
    const { c, events } = recorded();
    const rows = [S.WaitSync, S.Active, S.Recovery].map((status, i) => ({
      group: 'group1', id: `10.0.0.${i + 2}`, ipAddr: `10.0.0.${i + 2}`, status, version: '6.16.1', joinTime: clock,
      storagePort: 23000, syncSrcServer: '', syncUntilTimestamp: 0, totalMb: 0, freeMb: 0, changelogOffset: 0,
      storePathCount: 1, subdirCountPerPath: 256, uploadPriority: 10, stats: emptyFileStats(),
    }));
    restoreCluster(c, ['', formatServersFile(rows, false), '', '']);
    expect(c.group('group1')!.sorted().map((s) => s.status)).toEqual([S.WaitSync, S.Offline, S.Offline]);
    expect(events).toEqual([]);
  });
});
