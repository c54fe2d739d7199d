// Three trackers and one storage in this process (spec §8.9, §8.6): the stock candidate order picks the
// leader, a follower restarted with a stale status is corrected by the storage's 59 CHANGE_STATUS, and a
// stopped leader is replaced by the next candidate, which the storage learns from the leader brief.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultStorageConfig, defaultTrackerConfig, parseReservedSpace, type TrackerConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { StorageServer } from '../../src/storage/storage-server.js';
import type { StatusChange } from '../../src/tracker/cluster.js';
import { TrackerServer } from '../../src/tracker/tracker-server.js';
import { Connection } from '../../src/net/connection.js';
import { allocHost, waitFor } from '../helpers/cluster.js';

const silent = createLogger({ level: process.env.DBG ? 'info' : 'silent' });
const hosts = [allocHost(), allocHost(), allocHost()];
const storageIp = allocHost();
let dir: string;
const configs: TrackerConfig[] = [];
const trackers: TrackerServer[] = [];
let storage: StorageServer;
/** Status changes of the storage as each tracker recorded them. */
const changes: Array<StatusChange & { tracker: string }> = [];

/** The stock tie-break when all trackers started together: the largest address text. */
function byIpText(list: string[]): string[] {
  return [...list].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

function leaderOf(t: TrackerServer): string | undefined {
  const l = t.runtime.leader.leader('');
  return l ? `${l.ip}:${l.port}` : undefined;
}

function storageStatusOn(t: TrackerServer): number | undefined {
  return t.cluster.storage('group1', storageIp)?.status;
}

async function startTracker(i: number): Promise<TrackerServer> {
  const t = new TrackerServer(configs[i]!, { log: silent });
  t.cluster.on('status', (c: StatusChange) => changes.push({ ...c, tracker: hosts[i]! }));
  await t.start();
  trackers[i] = t;
  return t;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-trackers-inproc-'));
  hosts.forEach((h, i) => configs.push(defaultTrackerConfig({
    basePath: path.join(dir, `tracker${i}`), bindAddr: h, port: 22122, checkActiveInterval: 2,
    reservedStorageSpace: parseReservedSpace('1%'), connectTimeout: 2, networkTimeout: 5,
  })));
  for (let i = 0; i < hosts.length; i++) await startTracker(i);
  storage = new StorageServer(defaultStorageConfig({
    basePath: path.join(dir, 'storage'), storePaths: [path.join(dir, 'store0')], groupName: 'group1',
    trackerServers: hosts.map((h) => ({ hosts: [h], port: 22122 })), bindAddr: storageIp, port: 23000,
    heartBeatInterval: 1, statReportInterval: 1, subdirCountPerPath: 4, networkTimeout: 5,
  }), { log: silent });
  await storage.start();
  await waitFor('ACTIVE on every tracker', async () => trackers.every((t) => storageStatusOn(t) === StorageStatus.Active), 20_000);
});

afterAll(async () => {
  await storage?.stop();
  for (const t of trackers) await t?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('three trackers in one process', () => {
  it('agree on one leader; the storage learns it; only followers are corrected with 59', async () => {
    const leader = await waitFor('one leader', async () => {
      const seen = new Set(trackers.map(leaderOf));
      return seen.size === 1 && [...seen][0];
    }, 20_000);
    const leaderIp = leader.split(':')[0]!;
    expect(trackers.filter((t) => t.runtime.leader.isLeader()).map((t) => t.config.bindAddr)).toEqual([leaderIp]);
    await waitFor('the storage told of the leader', async () => storage.view.leader?.ipAddr === leaderIp, 10_000);
    // A follower that answered the first JOIN with INIT (it had no data to copy yet) is sent the leader's
    // ACTIVE with 59 and re-joined; one that copied the data from a peer answered ONLINE and needs nothing.
    expect(changes.some((c) => c.tracker === leaderIp && c.reason === 'status from the leader (59)')).toBe(false);
    await waitFor('ACTIVE everywhere again', async () => trackers.every((t) => storageStatusOn(t) === StorageStatus.Active));
  });

  it('a follower restarted with a stale WAIT_SYNC for the storage sees it ACTIVE again after its JOIN', async () => {
    const i = trackers.findIndex((t) => !t.runtime.leader.isLeader());
    await trackers[i]!.stop();
    const file = path.join(configs[i]!.basePath, 'data', 'storage_servers_new.dat');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\tstatus=\d+/, `\tstatus=${StorageStatus.WaitSync}`));
    const before = changes.length;
    const t = await startTracker(i);
    expect(storageStatusOn(t)).toBe(StorageStatus.WaitSync);
    await waitFor('ACTIVE again on the restarted follower', async () => storageStatusOn(t) === StorageStatus.Active, 20_000);
    // Put right by the storage's 88 after its JOIN there, without a detour through OFFLINE (the storage asks
    // the follower with 71 before correcting it with 59 and never reconnects for it).
    const here = changes.slice(before).filter((c) => c.tracker === hosts[i]);
    expect(here.length).toBeGreaterThan(0);
    expect(here.filter((c) => c.to === StorageStatus.Offline)).toEqual([]);
    await waitFor('it follows the leader', async () => leaderOf(t) === leaderOf(trackers[(i + 1) % 3]!), 20_000);
  });

  it('answers 64, 58 and 65 on the wire like the §12.7.5 capture', async () => {
    const leader = trackers.find((t) => t.runtime.leader.isLeader())!;
    const follower = trackers.find((t) => !t.runtime.leader.isLeader())!;
    const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
    const c = await Connection.connect(leader.config.bindAddr, 22122, { networkTimeout: 5 });
    try {
      const status = await c.call(hex('0000000000000000 4000'), { cmd: 64 });
      expect(status).toEqual(hex('01 0000000000000000 0000000000000000'));
      expect(await c.call(hex('0000000000000018 3a00 000000006b01f8b8 362e31362e310000 000000000000566a'), { cmd: 58 })).toEqual(Buffer.alloc(0));
      const ping = hex('000000000000000c 4100 00000100 00000001 00000002');
      expect(await c.call(ping, { cmd: 65 })).toEqual(Buffer.concat([Buffer.from('group1'), Buffer.alloc(26)]));
      expect(await c.call(ping, { cmd: 65 })).toEqual(Buffer.alloc(0));
    } finally {
      c.destroy();
    }
    const f = await Connection.connect(follower.config.bindAddr, 22122, { networkTimeout: 5 });
    try {
      expect(await f.call(hex('0000000000000000 4000'), { cmd: 64 })).toEqual(hex('00 0000000000000000 0000000000000000'));
      await expect(f.call(hex('0000000000000018 3a00 000000006b01f8b8 362e31362e310000 000000000000566a'), { cmd: 58 }))
        .rejects.toMatchObject({ errno: 95 });
    } finally {
      f.destroy();
    }
  });

  it('a stopped leader is replaced by the next candidate; the storage stays ACTIVE and follows', async () => {
    const old = trackers.find((t) => t.runtime.leader.isLeader())!;
    const rest = trackers.filter((t) => t !== old);
    // Neither survivor leads and both run < 300 s: the larger address text wins.
    const order = byIpText(rest.map((t) => t.config.bindAddr));
    const t0 = Date.now();
    await old.stop();
    const next = `${order.at(-1)}:22122`;
    await waitFor('the next candidate to lead', async () => rest.every((t) => leaderOf(t) === next), 30_000, 100);
    const ms = Date.now() - t0;
    await waitFor('the storage told of the new leader', async () => storage.view.leader?.ipAddr === order.at(-1), 10_000);
    expect(rest.every((t) => storageStatusOn(t) === StorageStatus.Active)).toBe(true);
    expect(ms).toBeLessThan(30_000);
    console.log(`in-process: next leader agreed ${ms} ms after the leader stopped`);
  });
});
