// Two trackers as peers (spec §8.9, §11.4), as real processes: one leader, the leader killed with -9 during a
// stream of uploads, the survivor taking over, the old leader restarted from its data files as a follower,
// a tracker started on a copy of the data files, and an empty tracker copying the system data at a JOIN.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { Connection } from '../../src/net/connection.js';
import { StorageStatus, TrackerCmd } from '../../src/protocol/codes.js';
import { Errno } from '../../src/errors.js';
import { encodeJoinRequest, decodeJoinResponse } from '../../src/protocol/join.js';
import {
  encodeGetLeaderRequest, decodeGetLeaderResponse, encodeGetTrackerStatusRequest, decodeGetTrackerStatusResponse,
} from '../../src/protocol/tracker-list.js';
import { encodeTrackerClusterStatRequest, decodeTrackerClusterStatResponse } from '../../src/protocol/tracker-cluster-stat.js';
import { parseServersFile } from '../../src/tracker/sys-files.js';
import { allocHost, startStorage, startTracker, stopAll, tempDir, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { ServerProcess } from '../helpers/proc.js';
import { listenAsStorage } from '../helpers/tracker-wire.js';

let trackers: TrackerHandle[] = [];
let storages: StorageHandle[] = [];
const extra: TrackerHandle[] = [];
let leader: TrackerHandle;
let follower: TrackerHandle;

async function ask<T>(t: TrackerHandle, packet: Buffer, cmd: number, decode: (b: Buffer) => T): Promise<T> {
  const c = await Connection.connect(t.host, t.port, { connectTimeout: 2, networkTimeout: 5 });
  try {
    return decode(await c.call(packet, { cmd }));
  } finally {
    c.destroy();
  }
}

const leaderOf = (t: TrackerHandle) =>
  ask(t, encodeGetLeaderRequest(), TrackerCmd.ServerGetLeader, decodeGetLeaderResponse).then((l) => `${l.ip}:${l.port}`);
const statusOf = (t: TrackerHandle) => ask(t, encodeGetTrackerStatusRequest(), TrackerCmd.TrackerGetStatus, decodeGetTrackerStatusResponse);
const clusterStat = (t: TrackerHandle) =>
  ask(t, encodeTrackerClusterStatRequest(), TrackerCmd.ServerTrackerClusterStat, decodeTrackerClusterStatResponse);

/** Every storage listed ACTIVE by tracker `t`. */
async function allActive(t: TrackerHandle): Promise<boolean> {
  const c = new FdfsClient({ trackers: [t.address], connectTimeout: 2 });
  try {
    for (const s of storages) {
      const list = await c.listStorages(s.group);
      if (list.find((r) => r.ipAddr === s.host)?.status !== StorageStatus.Active) return false;
    }
    return true;
  } finally {
    c.close();
  }
}

async function restart(t: TrackerHandle): Promise<void> {
  t.proc = new ServerProcess(t.proc.name, t.proc.args);
  await t.proc.start();
}

beforeAll(async () => {
  trackers = [await startTracker(), await startTracker()];
  const list = trackers.map((t) => t.address);
  storages = [await startStorage({ trackers: list, group: 'group1' }), await startStorage({ trackers: list, group: 'group2' })];
  await waitFor('both trackers list both storages ACTIVE', async () => (await allActive(trackers[0]!)) && allActive(trackers[1]!), 20_000);
  const l = await waitFor('a leader both trackers agree on', async () => {
    const [a, b] = await Promise.all(trackers.map(leaderOf));
    return a === b && a;
  }, 20_000);
  leader = trackers.find((t) => t.address === l)!;
  follower = trackers.find((t) => t !== leader)!;
});

afterAll(async () => {
  await stopAll([...storages, ...trackers, ...extra]);
});

describe('two trackers', () => {
  it('elect exactly one leader: 95 agrees, 64 and 96 answer as leader on it alone', async () => {
    expect(leader).toBeDefined();
    expect((await statusOf(leader)).ifLeader).toBe(true);
    expect((await statusOf(follower)).ifLeader).toBe(false);
    await expect(clusterStat(follower)).rejects.toMatchObject({ errno: Errno.EOPNOTSUPP });
    const stat = await waitFor('the follower pinging the leader', async () => {
      const s = await clusterStat(leader);
      return s.length === 2 && s.every((t) => t.isActive) && s;
    });
    expect(stat.filter((t) => t.isLeader).map((t) => t.host)).toEqual([leader.address]);
    expect(stat.map((t) => t.host).sort()).toEqual(trackers.map((t) => t.address).sort());
  });

  it('survive kill -9 of the leader during 200 uploads: none fails, the survivor leads, downloads work', async () => {
    // Data files are rewritten within a second of a change; let the leader's catch up before killing it.
    await waitFor('the leader to have written both storages', async () =>
      parseServersFile(readFileSync(path.join(leader.dir, 'data', 'storage_servers_new.dat'), 'utf8')).length === 2);
    const client = new FdfsClient({ trackers: [leader.address, follower.address], connectTimeout: 2, networkTimeout: 10 });
    const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
    const done: Array<{ id: string; sum: string }> = [];
    const failures: unknown[] = [];
    let next = 0;
    let killedAt = 0;
    const worker = async () => {
      while (next < 200) {
        const i = next++;
        const data = randomBytes(1000 + ((i * 7919) % 8000));
        try {
          done.push({ id: await client.upload(data, { ext: 'bin' }), sum: md5(data) });
        } catch (err) {
          failures.push(err);
        }
        if (done.length >= 50 && !killedAt) {
          killedAt = Date.now();
          void leader.proc.kill();
        }
      }
    };
    try {
      await Promise.all([worker(), worker(), worker(), worker()]);
      expect(failures.map((e) => String((e as Error).stack ?? e))).toEqual([]);
      expect(done.length).toBe(200);
      expect(killedAt).toBeGreaterThan(0);
      expect(leader.proc.running).toBe(false);
      expect(new Set(done.map((d) => d.id.split('/')[0])).size).toBe(2);

      await waitFor('the survivor to lead', async () => (await leaderOf(follower)) === follower.address, 30_000, 200);
      const tookMs = Date.now() - killedAt;
      expect((await statusOf(follower)).ifLeader).toBe(true);
      expect(await allActive(follower)).toBe(true);
      // The storages heard of the new leader with its next change notification (flags 05).
      await waitFor('storages told of the new leader', async () =>
        storages.every((s) => s.proc.output.includes(`"leader":"${follower.address}"`)), 10_000);
      for (const d of done) expect(md5(await client.downloadToBuffer(d.id))).toBe(d.sum);
      console.log(`failover: survivor led ${tookMs} ms after kill -9; ${done.length} uploads, 0 failures`);
    } finally {
      client.close();
    }
  });

  it('restart the old leader: it loads its data files, follows the survivor and lists the storages ACTIVE again', async () => {
    const old = leader;
    await restart(old);
    const loaded = old.proc.output.indexOf('loaded cluster state from data files');
    expect(loaded).toBeGreaterThan(-1);
    expect(old.proc.output.slice(Math.max(0, loaded - 200), loaded)).toMatch(/"groups":2,"storages":2/);
    // Loaded before any storage re-joined it.
    const firstJoin = old.proc.output.search(/"reason":"join/);
    expect(firstJoin === -1 || firstJoin > loaded).toBe(true);
    await waitFor('storages ACTIVE on the restarted tracker', () => allActive(old), 20_000);
    await waitFor('the restarted tracker to follow the survivor', async () => (await leaderOf(old)) === follower.address, 20_000);
    expect((await statusOf(old)).ifLeader).toBe(false);
    expect(await leaderOf(follower)).toBe(follower.address);
    await waitFor('96 on the leader lists the restarted follower active', async () =>
      (await clusterStat(follower)).find((t) => t.host === old.address)?.isActive, 10_000);
  });

  it('a tracker started on a copy of the data files lists the groups and storages (OFFLINE) before any JOIN', async () => {
    const src = path.join(follower.dir, 'data');
    const servers = parseServersFile(readFileSync(path.join(src, 'storage_servers_new.dat'), 'utf8'));
    expect(servers.map((s) => s.ipAddr).sort()).toEqual(storages.map((s) => s.host).sort());
    const dir = tempDir('fdfs-tracker-copy-');
    cpSync(src, path.join(dir, 'data'), { recursive: true });
    const copy = await startTracker({ conf: { base_path: dir } });
    extra.push(copy, { ...copy, dir });
    const client = new FdfsClient({ trackers: [copy.address] });
    try {
      expect((await client.listGroups()).map((g) => g.groupName)).toEqual(['group1', 'group2']);
      for (const s of storages) {
        const [rec] = await client.listStorages(s.group);
        expect(rec).toMatchObject({ ipAddr: s.host, status: StorageStatus.Offline, storagePort: s.port });
      }
      await expect(leaderOf(copy)).rejects.toMatchObject({ errno: Errno.ENOENT });
    } finally {
      client.close();
    }
  });

  it('an empty tracker copies the system data from the leader at its first JOIN (61/63/62)', async () => {
    const fresh = await startTracker();
    extra.push(fresh);
    const fake = allocHost();
    // A new storage must answer on its port before the tracker registers it.
    await listenAsStorage(fake, storages[0]!.port);
    const c = await Connection.connect(fresh.host, fresh.port, { localAddress: fake, connectTimeout: 2, networkTimeout: 10 });
    try {
      const now = Math.floor(Date.now() / 1000);
      const res = decodeJoinResponse(await c.call(encodeJoinRequest({
        group: 'group1', storagePort: storages[0]!.port, storePathCount: 1, subdirCountPerPath: 4, uploadPriority: 10,
        joinTime: now, upTime: now, version: '6.16.1', initFlag: true, status: 0, storageId: '',
        currentTrackerIp: fresh.host, trackers: [fresh.address, follower.address],
      }), { cmd: TrackerCmd.StorageJoin }));
      expect(res.status).toBe(StorageStatus.Init);
    } finally {
      c.destroy();
    }
    expect(fresh.proc.output).toContain('copied system data from another tracker');
    const client = new FdfsClient({ trackers: [fresh.address] });
    try {
      expect((await client.listGroups()).map((g) => g.groupName)).toEqual(['group1', 'group2']);
      const g1 = await client.listStorages('group1');
      expect(g1.map((r) => r.ipAddr).sort()).toEqual([storages[0]!.host, fake].sort());
      expect(g1.find((r) => r.ipAddr === storages[0]!.host)!.status).toBe(StorageStatus.Offline);
      await waitFor('the fresh tracker to follow the leader', async () => (await leaderOf(fresh)) === follower.address, 20_000);
    } finally {
      client.close();
    }
  });
});
