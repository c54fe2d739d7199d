// The sync sender's state machine driven with fakes (no sockets): a fake TrackerCalls answers 86, the sync
// window is closed so no session starts, and the states are read from the sender and its log lines.
import { describe, it, expect, vi, beforeEach, afterEach } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Logger } from '../../../../src/log.js';
import { StorageStatus as S } from '../../../../src/protocol/codes.js';
import { formatMarkFile, markFileName, parseMarkFile } from '../../../../src/protocol/binlog-format.js';
import { freshMark } from '../../../../src/storage/binlog/marks.js';
import type { StorageRuntime } from '../../../../src/storage/runtime.js';
import type { TrackerCalls } from '../../../../src/storage/tracker-side/tracker-calls.js';
import { SyncSender, type PeerState } from '../../../../src/storage/sync/sync-sender.js';
import {
  isBeingBootstrapped, needsPlan, peerTakesPushes, SENDER_TRANSITIONS, SenderStates, type SenderState,
} from '../../../../src/storage/sync/sender-state.js';

const SELF = '10.0.0.2';
const UNTIL = 1_800_000_000;
const PEER: PeerState = { id: '10.0.0.5', ip: '10.0.0.5', port: 23000, status: S.WaitSync };

let dir: string;
let lines: Array<Record<string, unknown>>;
let log: Logger;
let senders: SyncSender[];

/** A daily window that opened an hour from now: closed for the whole test, so no connection is made. */
function closedWindow() {
  const h = (new Date().getHours() + 2) % 24;
  return { syncStartTime: { hour: h, minute: 0, second: 0 }, syncEndTime: { hour: (h + 1) % 24, minute: 0, second: 0 } };
}

function fakeCalls(plan: { srcId: string; untilTimestamp: number } | null) {
  return {
    syncSrc: vi.fn(async () => plan),
    reportStatus: vi.fn(async () => 1),
  };
}

function newSender(calls: ReturnType<typeof fakeCalls>, peer: PeerState = PEER): SyncSender {
  const syncDir = path.join(dir, 'data', 'sync');
  const rt = {
    group: 'group1',
    config: { basePath: dir, storePathCount: 1, syncMaxThreads: 1, ...closedWindow() },
    binlog: { dir: syncDir, currentIndex: 0, subscribe: () => () => {}, flush: async () => {} },
  } as unknown as StorageRuntime;
  const s = new SyncSender({ rt, calls: calls as unknown as TrackerCalls, selfId: () => SELF, log }, { ...peer });
  senders.push(s);
  return s;
}

const markPath = () => path.join(dir, 'data', 'sync', markFileName(PEER.ip, PEER.port));
const storedMark = () => parseMarkFile(readFileSync(markPath(), 'utf8'));
/** The mark file is rewritten right after the state moved: wait for it. */
const markSoon = (want: Record<string, unknown>) =>
  vi.waitFor(() => expect(storedMark()).toMatchObject(want), { timeout: 2000, interval: 5 });
const moves = () => lines.filter((l) => l.msg === 'sync sender state').map((l) => `${l.from}→${l.to}`);

async function reach(s: SyncSender, state: SenderState): Promise<void> {
  await vi.waitFor(() => expect(s.state).toBe(state), { timeout: 2000, interval: 5 });
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-sender-'));
  mkdirSync(path.join(dir, 'data', 'sync'), { recursive: true });
  lines = [];
  log = pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l)) }) as unknown as Logger;
  senders = [];
});

afterEach(async () => {
  await Promise.all(senders.map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

describe('sender transition table', () => {
  it('has a row per state; every state but stopped can stop; stopped is final', () => {
    const states = Object.keys(SENDER_TRANSITIONS) as SenderState[];
    expect(states).toEqual(['new', 'unplanned', 'salvaged', 'resumed', 'bootstrapping', 'replicating', 'stopped']);
    for (const s of states) if (s !== 'stopped') expect(SENDER_TRANSITIONS[s]).toContain('stopped');
    expect(SENDER_TRANSITIONS.stopped).toEqual([]);
    expect(SENDER_TRANSITIONS.replicating).not.toContain('bootstrapping');
  });

  it('SenderStates logs legal moves and refuses illegal ones with a warning', () => {
    const seen: string[] = [];
    const st = new SenderStates(log, (from, to, reason) => seen.push(`${from}→${to}:${reason}`));
    expect(st.set('bootstrapping', 'skip the plan')).toBe(false);
    expect(st.state).toBe('new');
    expect(lines.at(-1)).toMatchObject({ level: 40, from: 'new', to: 'bootstrapping', reason: 'skip the plan' });
    expect(st.set('unplanned', 'no mark file')).toBe(true);
    expect(st.set('unplanned', 'again')).toBe(true);
    expect(st.set('stopped', 'stop')).toBe(true);
    expect(st.set('replicating', 'late')).toBe(false);
    expect(seen).toEqual(['new→unplanned:no mark file', 'unplanned→stopped:stop']);
  });

  it('asks for a plan with no mark or a salvaged one, and for a resumed mark only while the peer is being bootstrapped', () => {
    expect(needsPlan('unplanned', S.Active)).toBe(true);
    expect(needsPlan('salvaged', S.Active)).toBe(true);
    expect(needsPlan('resumed', S.Active)).toBe(false);
    expect(needsPlan('resumed', S.Syncing)).toBe(true);
    expect(needsPlan('replicating', S.WaitSync)).toBe(false);
    expect([S.Init, S.WaitSync, S.Syncing, S.Offline].filter(isBeingBootstrapped)).toEqual([S.WaitSync, S.Syncing]);
  });

  it('pushes to ONLINE/ACTIVE peers, to a peer being bootstrapped only as its source', () => {
    expect(peerTakesPushes(S.Active, false)).toBe(true);
    expect(peerTakesPushes(S.Online, false)).toBe(true);
    expect(peerTakesPushes(S.WaitSync, false)).toBe(false);
    expect(peerTakesPushes(S.Syncing, true)).toBe(true);
    expect(peerTakesPushes(S.Offline, true)).toBe(false);
  });
});

describe('SyncSender states', () => {
  it('no mark, 86 names this storage: unplanned → bootstrapping, the mark file says need_sync_old', async () => {
    const calls = fakeCalls({ srcId: SELF, untilTimestamp: UNTIL });
    const s = newSender(calls);
    expect(s.state).toBe('new');
    s.start();
    await reach(s, 'bootstrapping');
    await markSoon({ needSyncOld: true, syncOldDone: false, untilTimestamp: UNTIL, binlogOffset: 0 });
    await s.stop();
    expect(s.state).toBe('stopped');
    expect(moves()).toEqual(['new→unplanned', 'unplanned→bootstrapping', 'bootstrapping→stopped']);
    expect(calls.syncSrc).toHaveBeenCalledTimes(1);
    expect(s.connected).toBe(false);
  });

  it('no mark, 86 names another storage: replicating, and the WAIT_SYNC peer is not asked about again', async () => {
    const calls = fakeCalls({ srcId: '10.0.0.3', untilTimestamp: UNTIL });
    const s = newSender(calls);
    s.start();
    await reach(s, 'replicating');
    s.update({ ...PEER, status: S.Syncing });
    await new Promise((r) => setTimeout(r, 50));
    expect(calls.syncSrc).toHaveBeenCalledTimes(1);
    await markSoon({ needSyncOld: false, untilTimestamp: UNTIL });
  });

  it('a peer in INIT is not asked about: the sender stays unplanned', async () => {
    const calls = fakeCalls({ srcId: SELF, untilTimestamp: UNTIL });
    const s = newSender(calls, { ...PEER, status: S.Init });
    s.start();
    await reach(s, 'unplanned');
    await new Promise((r) => setTimeout(r, 50));
    expect(s.state).toBe('unplanned');
    expect(calls.syncSrc).not.toHaveBeenCalled();
  });

  it('an intact mark resumes without 86 for an ACTIVE peer; a peer back in WAIT_SYNC gets one 86', async () => {
    writeFileSync(markPath(), formatMarkFile(freshMark({ untilTimestamp: 5 })));
    const calls = fakeCalls({ srcId: '10.0.0.3', untilTimestamp: UNTIL });
    const s = newSender(calls, { ...PEER, status: S.Active });
    s.start();
    await reach(s, 'resumed');
    await new Promise((r) => setTimeout(r, 50));
    expect(calls.syncSrc).not.toHaveBeenCalled();
    s.update({ ...PEER, status: S.WaitSync });
    await reach(s, 'replicating');
    expect(calls.syncSrc).toHaveBeenCalledTimes(1);
    // Not its source: the resumed mark is kept as it was.
    await markSoon({ needSyncOld: false, untilTimestamp: 5 });
  });

  it('a damaged mark is salvaged: its plan is replaced by the 86 answer', async () => {
    writeFileSync(markPath(), 'binlog_index=0\nbinlog_offset=0\nneed_sync_old=1\nsync_old_d');
    const calls = fakeCalls({ srcId: '10.0.0.3', untilTimestamp: UNTIL });
    const s = newSender(calls, { ...PEER, status: S.Active });
    s.start();
    await reach(s, 'replicating');
    expect(moves().slice(0, 2)).toEqual(['new→salvaged', 'salvaged→replicating']);
    await markSoon({ needSyncOld: false, untilTimestamp: UNTIL });
  });

  it('a finished bootstrap whose peer is still SYNCING reports it OFFLINE', async () => {
    writeFileSync(markPath(), formatMarkFile(freshMark({ needSyncOld: true, syncOldDone: true, untilTimestamp: UNTIL })));
    const calls = fakeCalls({ srcId: SELF, untilTimestamp: UNTIL });
    const s = newSender(calls, { ...PEER, status: S.Syncing });
    s.start();
    await reach(s, 'replicating');
    await vi.waitFor(() => expect(calls.reportStatus).toHaveBeenCalledWith('group1', expect.objectContaining({ status: S.Offline, id: PEER.id })));
    expect(moves().slice(0, 2)).toEqual(['new→resumed', 'resumed→replicating']);
  });

  it('86 naming this storage with a new cut-off starts the resumed mark over as a bootstrap', async () => {
    writeFileSync(markPath(), formatMarkFile(freshMark({ binlogOffset: 0, untilTimestamp: 7 })));
    const calls = fakeCalls({ srcId: SELF, untilTimestamp: UNTIL });
    const s = newSender(calls, { ...PEER, status: S.WaitSync });
    s.start();
    await reach(s, 'bootstrapping');
    await markSoon({ needSyncOld: true, syncOldDone: false, untilTimestamp: UNTIL });
  });

  it('stops from new without running, and stopping twice is harmless', async () => {
    const s = newSender(fakeCalls(null));
    await s.stop();
    await s.stop();
    expect(s.state).toBe('stopped');
    expect(lines.some((l) => l.level === 40)).toBe(false);
  });
});
