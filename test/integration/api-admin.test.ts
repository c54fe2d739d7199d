// Administrative API with two trackers (§4.5): list one group, get the leader, ACTIVE_TEST, delete a storage
// (checked on every tracker first: EBUSY while live) and delete a group, through our client and our CLI.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { FdfsClient } from '../../src/client/index.js';
import { Errno } from '../../src/errors.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { startTracker, startStorage, stopAll, waitFor, type TrackerHandle, type StorageHandle } from '../helpers/cluster.js';
import { runCli } from '../helpers/proc.js';

let t1: TrackerHandle;
let t2: TrackerHandle;
let s1: StorageHandle;
let s2: StorageHandle;
let client: FdfsClient;
const each: FdfsClient[] = [];
const t = () => ['--tracker', t1.address, '--tracker', t2.address];

async function statusOn(c: FdfsClient, host: string): Promise<number | undefined> {
  return (await c.listStorages('group1')).find((x) => x.id === host)?.status;
}

beforeAll(async () => {
  t1 = await startTracker();
  t2 = await startTracker();
  s1 = await startStorage({ trackers: [t1.address, t2.address] });
  s2 = await startStorage({ trackers: [t1.address, t2.address] });
  client = new FdfsClient({ trackers: [t1.address, t2.address] });
  each.push(new FdfsClient({ trackers: [t1.address] }), new FdfsClient({ trackers: [t2.address] }));
  for (const c of each) {
    await waitFor('both storages ACTIVE', async () => {
      const list = await c.listStorages('group1');
      return list.length === 2 && list.every((x) => x.status === StorageStatus.Active && x.freeMb > 0);
    }, 30_000);
  }
});

afterAll(async () => {
  client?.close();
  for (const c of each) c.close();
  await stopAll([s1, s2, t1, t2]);
});

describe('administration', () => {
  it('lists one group and all groups; ENOENT for an unknown group', async () => {
    const g = await client.listGroup('group1');
    expect(g).toMatchObject({ groupName: 'group1', storageCount: 2, writableServerCount: 2, readableServerCount: 2, storagePort: 23000 });
    expect((await client.listGroups()).map((x) => x.groupName)).toEqual(['group1']);
    await expect(client.listGroup('nosuch')).rejects.toMatchObject({ errno: Errno.ENOENT });
  });

  it('gets the leader and tests servers with ACTIVE_TEST', async () => {
    const leader = await client.getLeader();
    expect([t1.address, t2.address]).toContain(`${leader.ip}:${leader.port}`);
    expect(await client.activeTest(t1.address)).toBe(true);
    expect(await client.activeTest(s1.address)).toBe(true);
    expect(await client.activeTest('127.0.0.1:1')).toBe(false);
    const cli = await runCli(['leader', ...t()]);
    expect(cli.code, cli.stderr).toBe(0);
    expect([t1.address, t2.address]).toContain(cli.stdout.trim());
  });

  it('fdfs groups and fdfs storages print the cluster, and --json the records', async () => {
    // Right after start-up a follower tracker may still be settling a new member's status (59 from the
    // storage); the listing is checked once the cluster has settled.
    const groups = await waitFor('both storages readable and writable in `fdfs groups`', async () => {
      const r = await runCli(['groups', ...t()]);
      return /^group1\s+2\s+2\s+2\s+23000\s/m.test(r.stdout) ? r : null;
    }, 15_000, 250);
    expect(groups.code, groups.stderr).toBe(0);
    expect(groups.stdout).toMatch(/^GROUP\s+STORAGES/);
    expect(groups.stdout).toMatch(/^group1\s+2\s+2\s+2\s+23000\s/m);
    const storages = await runCli(['storages', ...t()]);
    expect(storages.stdout).toContain(`${s1.host}:23000`);
    expect(storages.stdout).toContain(`${s2.host}:23000`);
    expect(storages.stdout).toMatch(/ACTIVE/);
    expect(storages.stdout).toMatch(/^states: ACTIVE = serving uploads and downloads$/m);
    const json = JSON.parse((await runCli(['storages', 'group1', s2.host, '--json', ...t()])).stdout) as { storages: Array<{ group: string; storage: { id: string } }> };
    expect(json.storages.map((x) => [x.group, x.storage.id])).toEqual([['group1', s2.host]]);
    const missing = await runCli(['groups', 'nosuch', ...t()]);
    expect(missing.code).toBe(3);
  });

  it('refuses to delete a live storage (EBUSY) and deletes it on every tracker once stopped', async () => {
    await expect(client.deleteStorage('group1', s2.host)).rejects.toMatchObject({ errno: Errno.EBUSY });
    for (const c of each) expect(await statusOn(c, s2.host)).toBe(StorageStatus.Active);
    await s2.proc.stop();
    for (const c of each) await waitFor('OFFLINE on this tracker', async () => (await statusOn(c, s2.host)) === StorageStatus.Offline, 20_000);
    const del = await runCli(['storage', 'delete', 'group1', s2.host, ...t()]);
    expect(del.code, del.stderr).toBe(0);
    for (const c of each) expect(await statusOn(c, s2.host)).toBe(StorageStatus.Deleted);
    // Already deleted everywhere: EALREADY is not an error; an unknown storage is ENOENT (exit 3).
    await client.deleteStorage('group1', s2.host);
    const unknown = await runCli(['storage', 'delete', 'group1', '10.9.9.9', ...t()]);
    expect(unknown.code).toBe(3);
    // Uploads go to the remaining storage only.
    const id = await client.upload(Buffer.from('after'), { ext: 'txt' });
    expect(client.decodeFileId(id).source).toEqual({ ipv4: s1.host });
  });

  it('deletes a group only when it has no storages', async () => {
    await expect(client.deleteGroup('group1')).rejects.toMatchObject({ errno: Errno.EBUSY });
    await expect(client.deleteGroup('nosuch')).rejects.toMatchObject({ errno: Errno.ENOENT });
    const cli = await runCli(['group', 'delete', 'group1', ...t()]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/EBUSY/);
  });
});
