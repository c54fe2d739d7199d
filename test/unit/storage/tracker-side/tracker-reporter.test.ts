// The storage ↔ tracker sequence of §8.1 against a scripted fake tracker: 60 + QUIT, 75, then 81, 87, 88,
// 83 with the stat block, 84; change notifications; reconnect and JOIN again after the tracker drops it or
// goes away; 87 retried while the tracker has no source; upload counters in the next beat.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FrameServer } from '../../../../src/net/server.js';
import { createLogger } from '../../../../src/log.js';
import { defaultStorageConfig } from '../../../../src/config/index.js';
import { StorageServer } from '../../../../src/storage/storage-server.js';
import { sortTrackers } from '../../../../src/storage/tracker-side/tracker-client.js';
import { TrackerCmd, StorageStatus } from '../../../../src/protocol/codes.js';
import { decodeJoinRequest, encodeGetMyIpResponse, encodeJoinResponse, encodeParameterResponse, decodeGetMyIpRequest } from '../../../../src/protocol/join.js';
import { decodeDiskUsageRequest, encodeChangeNotification } from '../../../../src/protocol/beat.js';
import { decodeSyncNotifyRequest } from '../../../../src/protocol/sync-coord.js';
import { decodeStatBlock } from '../../../../src/protocol/tracker-list.js';
import { encodeSyncPlanResponse } from '../../../../src/protocol/sync-coord.js';
import { encodeQueryStoreResponse } from '../../../../src/protocol/tracker-query.js';
import { FdfsClient } from '../../../../src/client/index.js';
import { Errno } from '../../../../src/errors.js';
import { FakeTracker, emptyAnswer, type FakeAnswer } from '../../../helpers/fake-tracker.js';

interface Seen { conn: number; cmd: number; len: number; body: Buffer }
const silent = createLogger({ level: 'silent' });

let dir: string;
let fake: FrameServer<{ conn: number; beats: number }>;
let storage: StorageServer;
const seen: Seen[] = [];
let conns = 0;
let dropAfterBeats = 2;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-reporter-'));
  fake = new FrameServer({
    host: '127.0.0.1', port: 0, role: 'tracker', log: silent, networkTimeout: 10,
    maxPkgLen: () => 1 << 16,
    newState: () => ({ conn: ++conns, beats: 0 }),
    dispatch: async (ctx) => {
      const body = await ctx.conn.readRest();
      seen.push({ conn: ctx.state.conn, cmd: ctx.header.cmd, len: body.length, body });
      switch (ctx.header.cmd) {
        case TrackerCmd.StorageGetMyIp:
          decodeGetMyIpRequest(body);
          return ctx.replyPacket(encodeGetMyIpResponse('127.0.0.1'));
        case TrackerCmd.StorageParameterReq:
          return ctx.replyPacket(encodeParameterResponse({ store_path: 2, reserved_storage_space: '10.00%', use_trunk_file: 0 }));
        case TrackerCmd.StorageJoin:
          return ctx.replyPacket(encodeJoinResponse({ status: StorageStatus.Init, srcId: '' }));
        case TrackerCmd.StorageSyncDestReq:
        case TrackerCmd.StorageSyncNotify:
          return ctx.reply();
        case TrackerCmd.StorageBeat: {
          ctx.state.beats++;
          if (ctx.state.beats > dropAfterBeats) {
            ctx.conn.destroy();
            return;
          }
          const me = { status: StorageStatus.Active, port: storage.address.port, id: '127.0.0.1', ipAddr: '127.0.0.1' };
          const leader = { status: 0, port: fake.address.port, id: '127.0.0.1', ipAddr: '127.0.0.1' };
          return ctx.replyPacket(encodeChangeNotification(ctx.state.beats === 1 ? { leader, members: [me] } : {}));
        }
        case TrackerCmd.StorageReportDiskUsage:
          decodeDiskUsageRequest(body, 1);
          return ctx.replyPacket(encodeChangeNotification({}));
        default:
          return ctx.reply();
      }
    },
  });
  await fake.listen();
  storage = new StorageServer(defaultStorageConfig({
    basePath: dir,
    trackerServers: [{ hosts: ['127.0.0.1'], port: fake.address.port }],
    groupName: 'group1',
    bindAddr: '127.0.0.1',
    port: 0,
    heartBeatInterval: 1,
    statReportInterval: 1,
    subdirCountPerPath: 8,
  }), { log: silent });
  await storage.start();
});

afterAll(async () => {
  await storage?.stop();
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function until(fn: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out; seen ${seen.map((s) => `${s.conn}:${s.cmd}/${s.len}`).join(' ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('tracker reporter', () => {
  it('sorts tracker entries like the C client', () => {
    const list = sortTrackers([
      { hosts: ['10.77.1.9'], port: 22122 }, { hosts: ['10.77.1.5', '10.0.0.5'], port: 22122 },
      { hosts: ['10.77.1.10'], port: 22122 }, { hosts: ['10.77.1.9'], port: 22122 }, { hosts: ['10.77.1.5'], port: 22122 },
    ]);
    expect(list.map((t) => `${t.hosts.join(',')}:${t.port}`)).toEqual([
      '10.77.1.10:22122', '10.77.1.5:22122', '10.77.1.9:22122', '10.77.1.5,10.0.0.5:22122',
    ]);
  });

  it('follows the startup sequence: 60, 75, then 81 → 87 → 88 → 83 (348 bytes) → 84', async () => {
    await until(() => seen.filter((s) => s.cmd === TrackerCmd.StorageReportDiskUsage).length >= 1);
    const byConn = (c: number) => seen.filter((s) => s.conn === c).map((s) => s.cmd);
    expect(byConn(1)).toEqual([TrackerCmd.StorageGetMyIp]);
    expect(byConn(2)).toEqual([TrackerCmd.StorageParameterReq]);
    expect(byConn(3).slice(0, 5)).toEqual([
      TrackerCmd.StorageJoin, TrackerCmd.StorageSyncDestReq, TrackerCmd.StorageSyncNotify, TrackerCmd.StorageBeat,
      TrackerCmd.StorageReportDiskUsage,
    ]);
    const join = decodeJoinRequest(seen.find((s) => s.cmd === TrackerCmd.StorageJoin)!.body);
    expect(join).toMatchObject({
      group: 'group1', storePathCount: 1, subdirCountPerPath: 8, uploadPriority: 10, version: '6.16.1',
      initFlag: true, status: 0, storageId: '', currentTrackerIp: '127.0.0.1', trackers: [`127.0.0.1:${fake.address.port}`],
    });
    expect(join.joinTime).toBe(join.upTime);
    const firstBeat = seen.find((s) => s.conn === 3 && s.cmd === TrackerCmd.StorageBeat)!;
    expect(firstBeat.len).toBe(348);
    decodeStatBlock(firstBeat.body);
    const notify = decodeSyncNotifyRequest(seen.find((s) => s.cmd === TrackerCmd.StorageSyncNotify)!.body);
    expect(notify).toEqual({ srcId: '', untilTimestamp: 0 });
    expect(storage.runtime.params).toMatchObject({ loaded: true, storePathMode: 2, reserved: { kind: 'ratio', ratio: 0.1 } });
    expect(storage.runtime.myIp).toBe('127.0.0.1');
  });

  it('applies the change notification: leader, members and its own status', async () => {
    await until(() => storage.view.myStatus === StorageStatus.Active);
    expect(storage.view.leader?.ipAddr).toBe('127.0.0.1');
    expect(storage.view.members).toHaveLength(1);
    expect(storage.view.peers()).toEqual([]);
  });

  it('sends an empty BEAT when nothing changed', async () => {
    await until(() => seen.filter((s) => s.conn === 3 && s.cmd === TrackerCmd.StorageBeat).length >= 2);
    const beats = seen.filter((s) => s.conn === 3 && s.cmd === TrackerCmd.StorageBeat);
    expect(beats[1]!.len).toBe(0);
  });

  it('reconnects after the tracker drops it and JOINs again with init_flag 0, 88 without 87', async () => {
    await until(() => seen.some((s) => s.conn > 3 && s.cmd === TrackerCmd.StorageBeat));
    dropAfterBeats = 1000;
    const c = seen.find((s) => s.conn > 3)!.conn;
    const cmds = seen.filter((s) => s.conn === c).map((s) => s.cmd);
    expect(cmds.slice(0, 3)).toEqual([TrackerCmd.StorageJoin, TrackerCmd.StorageSyncNotify, TrackerCmd.StorageBeat]);
    const join = decodeJoinRequest(seen.find((s) => s.conn === c && s.cmd === TrackerCmd.StorageJoin)!.body);
    expect(join.initFlag).toBe(false);
    expect(join.status).toBe(StorageStatus.Active);
    expect(seen.find((s) => s.conn === c && s.cmd === TrackerCmd.StorageBeat)!.len).toBe(348);
    expect(storage.reporters[0]!.joins).toBeGreaterThanOrEqual(2);
  });

  it('stop() closes the tracker connection and saves the plan in .data_init_flag', async () => {
    await storage.stop();
    const flag = readFileSync(path.join(dir, 'data', '.data_init_flag'), 'utf8');
    expect(flag).toMatch(/^sync_old_done=1$/m);
    expect(flag).toMatch(/^last_ip_addr=127\.0\.0\.1$/m);
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.stats.current).toBe(0);
  });
});

// ---------------------------------------------------------------- against a plain scripted tracker (no src/net)

describe('tracker reporter against a scripted tracker', () => {
  let fdir: string;
  let fakeT: FakeTracker;
  let st: StorageServer;
  let port = 0;
  let destReqs = 0;
  const PLAN = { srcId: '127.0.0.9', untilTimestamp: 1795290693 };

  /** The stock-like answers; 87 is ENOENT twice (no source yet), then a plan. */
  const answer: FakeAnswer = (req) => {
    switch (req.cmd) {
      case TrackerCmd.StorageGetMyIp: return encodeGetMyIpResponse('127.0.0.1');
      case TrackerCmd.StorageParameterReq: return encodeParameterResponse({ store_path: 0, reserved_storage_space: '1%', use_trunk_file: 0 });
      case TrackerCmd.StorageJoin: return encodeJoinResponse({ status: StorageStatus.Init, srcId: '' });
      case TrackerCmd.StorageSyncDestReq: return ++destReqs <= 2 ? emptyAnswer(Errno.ENOENT) : encodeSyncPlanResponse(PLAN);
      case TrackerCmd.StorageBeat:
      case TrackerCmd.StorageReportDiskUsage:
      case TrackerCmd.StorageSyncReport: {
        const me = { status: StorageStatus.Active, port: st.address.port, id: '127.0.0.1', ipAddr: '127.0.0.1' };
        return encodeChangeNotification({ members: [me] });
      }
      case TrackerCmd.QueryStoreWithoutGroupOne:
        return encodeQueryStoreResponse({ group: 'group1', ip: '127.0.0.1', port: st.address.port, storePathIndex: 0 }, 16);
      default: return emptyAnswer();
    }
  };

  beforeAll(async () => {
    fdir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-reporter-script-'));
    fakeT = new FakeTracker(answer);
    port = await fakeT.start();
    st = new StorageServer(defaultStorageConfig({
      basePath: fdir, trackerServers: [{ hosts: ['127.0.0.1'], port }], groupName: 'group1', bindAddr: '127.0.0.1',
      port: 0, heartBeatInterval: 1, statReportInterval: 1, subdirCountPerPath: 4,
    }), { log: silent });
    await st.start();
  });

  afterAll(async () => {
    await st?.stop();
    await fakeT?.stop();
    if (fdir) rmSync(fdir, { recursive: true, force: true });
  });

  async function waitUntil(what: string, fn: () => boolean, ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while (!fn()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; seen ${fakeT.seen.map((s) => `${s.conn}:${s.cmd}`).join(' ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('asks 87 again at each beat while the tracker has no source (ENOENT), keeps the connection, then sends 88 with the plan', async () => {
    await waitUntil('88 SYNC_NOTIFY', () => fakeT.of(TrackerCmd.StorageSyncNotify).length >= 1);
    const asks = fakeT.of(TrackerCmd.StorageSyncDestReq);
    expect(asks).toHaveLength(3);
    expect(new Set(asks.map((a) => a.conn)).size).toBe(1);
    const joinConn = fakeT.of(TrackerCmd.StorageJoin)[0]!.conn;
    expect(asks[0]!.conn).toBe(joinConn);
    // beats went on between the refused asks
    const onConn = fakeT.seen.filter((s) => s.conn === joinConn).map((s) => s.cmd);
    expect(onConn.indexOf(TrackerCmd.StorageBeat)).toBeLessThan(onConn.lastIndexOf(TrackerCmd.StorageSyncDestReq));
    expect(decodeSyncNotifyRequest(fakeT.of(TrackerCmd.StorageSyncNotify)[0]!.body)).toEqual(PLAN);
    const flag = readFileSync(path.join(fdir, 'data', '.data_init_flag'), 'utf8');
    expect(flag).toMatch(/^sync_src_server=127\.0\.0\.9$/m);
    expect(flag).toMatch(/^sync_until_timestamp=1795290693$/m);
    expect(flag).toMatch(/^sync_old_done=1$/m);
  });

  it('reports one store path in 84 with plausible sizes', async () => {
    await waitUntil('84', () => fakeT.of(TrackerCmd.StorageReportDiskUsage).length >= 1);
    const [usage] = decodeDiskUsageRequest(fakeT.of(TrackerCmd.StorageReportDiskUsage).at(-1)!.body, 1);
    expect(usage!.totalMb).toBeGreaterThan(0);
    expect(usage!.freeMb).toBeGreaterThanOrEqual(0);
    expect(usage!.freeMb).toBeLessThanOrEqual(usage!.totalMb);
  });

  it('carries the upload counters in the next BEAT after an upload, then beats empty again', async () => {
    await waitUntil('ACTIVE', () => st.view.myStatus === StorageStatus.Active);
    const client = new FdfsClient({ trackers: [`127.0.0.1:${port}`] });
    try {
      await client.upload(Buffer.from('counted by the beat'), { ext: 'txt' });
    } finally {
      client.close();
    }
    const before = fakeT.seen.length;
    await waitUntil('a beat with a stat block after the upload', () =>
      fakeT.seen.slice(before).some((s) => s.cmd === TrackerCmd.StorageBeat && s.body.length === 348));
    const beat = fakeT.seen.slice(before).find((s) => s.cmd === TrackerCmd.StorageBeat && s.body.length === 348)!;
    const stats = decodeStatBlock(beat.body);
    expect(stats.totalUploadCount).toBeGreaterThanOrEqual(1);
    expect(stats.successUploadCount).toBeGreaterThanOrEqual(1);
    expect(stats.totalUploadBytes).toBeGreaterThanOrEqual('counted by the beat'.length);
    expect(stats.lastSourceUpdate).toBeGreaterThan(0);
    const after = fakeT.seen.indexOf(beat);
    await waitUntil('an empty beat', () => fakeT.seen.slice(after + 1).some((s) => s.cmd === TrackerCmd.StorageBeat && s.body.length === 0));
  });

  it('reconnects when the tracker goes away and comes back on the same port, and JOINs with init_flag 0', async () => {
    const joinsBefore = fakeT.of(TrackerCmd.StorageJoin).length;
    await fakeT.stop();
    await new Promise((r) => setTimeout(r, 1500)); // at least one refused reconnect
    const seenBefore = fakeT.seen.length;
    await fakeT.start(port);
    await waitUntil('a JOIN on the restarted tracker', () => fakeT.of(TrackerCmd.StorageJoin).length > joinsBefore);
    const join = decodeJoinRequest(fakeT.of(TrackerCmd.StorageJoin).at(-1)!.body);
    expect(join.initFlag).toBe(false);
    expect(join.status).toBe(StorageStatus.Active);
    await waitUntil('88 and a beat after the JOIN', () => {
      const cmds = fakeT.seen.slice(seenBefore).map((s) => s.cmd);
      return cmds.includes(TrackerCmd.StorageSyncNotify) && cmds.includes(TrackerCmd.StorageBeat);
    });
    const cmds = fakeT.seen.slice(seenBefore).map((s) => s.cmd).filter((c) => c !== TrackerCmd.StorageGetMyIp && c !== TrackerCmd.StorageParameterReq);
    expect(cmds.slice(0, 3)).toEqual([TrackerCmd.StorageJoin, TrackerCmd.StorageSyncNotify, TrackerCmd.StorageBeat]);
    expect(decodeSyncNotifyRequest(fakeT.of(TrackerCmd.StorageSyncNotify).at(-1)!.body)).toEqual(PLAN);
    // the first beat on the new connection carries the stat block (the tracker knows nothing yet)
    expect(fakeT.seen.slice(seenBefore).find((s) => s.cmd === TrackerCmd.StorageBeat)!.body).toHaveLength(348);
  });
});
