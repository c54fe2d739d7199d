// use_storage_id with storage_ids.conf (§10.3, §8.3, §6.3) with real processes: storages are known by id,
// learn their id (by address or server_id), put it in file names, honour rw=read; 69/70/109 answer; an
// unknown storage is refused but leaves its empty group behind (deleted with 108); 93 works by id.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { Connection } from '../../src/net/connection.js';
import { Errno } from '../../src/errors.js';
import { StorageStatus, TrackerCmd } from '../../src/protocol/codes.js';
import {
  decodeFetchStorageIdsResponse, decodeGetGroupNameResponse, decodeGetServerIdResponse, encodeFetchStorageIdsRequest,
  encodeGetGroupNameRequest, encodeGetServerIdRequest,
} from '../../src/protocol/join.js';
import { allocHost, startTracker, startStorage, stopAll, tempDir, waitFor, type TrackerHandle, type StorageHandle } from '../helpers/cluster.js';
import { runCli } from '../helpers/proc.js';

let tracker: TrackerHandle;
const s: Record<'a' | 'b' | 'c' | 'x', StorageHandle> = {} as never;
let client: FdfsClient;
const hosts = { a: allocHost(), b: allocHost(), c: allocHost(), x: allocHost() };
const idOf: Record<string, string> = { [hosts.a]: '100001', [hosts.b]: '100002', [hosts.c]: '100003' };

async function trackerCall(packet: Buffer, cmd: number): Promise<Buffer> {
  const c = await Connection.connect(tracker.host, tracker.port);
  try {
    return await c.call(packet, { cmd });
  } finally {
    c.quit();
  }
}

beforeAll(async () => {
  const dir = tempDir('fdfs-ids-');
  const idsFile = path.join(dir, 'storage_ids.conf');
  writeFileSync(idsFile, [
    '# <id>  <group_name>  <host>[:port]  [rw=…]',
    `100001   group1  ${hosts.a}`,
    `100002   group1  ${hosts.b}`,
    `100003   group1  ${hosts.c}  rw=read`,
    '',
  ].join('\n'));
  tracker = await startTracker({ conf: { use_storage_id: true, id_type_in_filename: 'id', storage_ids_filename: idsFile } });
  s.a = await startStorage({ trackers: [tracker.address], host: hosts.a });
  s.b = await startStorage({ trackers: [tracker.address], host: hosts.b, conf: { server_id: '100002' } });
  s.c = await startStorage({ trackers: [tracker.address], host: hosts.c });
  s.x = await startStorage({ trackers: [tracker.address], host: hosts.x, group: 'group9' });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitFor('3 ACTIVE storages', async () => {
    const list = await client.listStorages('group1');
    return list.length === 3 && list.every((x) => x.status === StorageStatus.Active && x.freeMb > 0);
  }, 30_000);
});

afterAll(async () => {
  client?.close();
  await stopAll([...Object.values(s), tracker]);
});

describe('storage ids', () => {
  it('lists storages by id with their addresses and rw modes', async () => {
    const list = await client.listStorages('group1');
    expect(list.map((x) => [x.id, x.ipAddr, x.rwMode])).toEqual([
      ['100001', hosts.a, 6], ['100002', hosts.b, 6], ['100003', hosts.c, 4],
    ]);
    expect((await client.listStorages('group1', '100002')).map((x) => x.id)).toEqual(['100002']);
  });

  it('names files by the numeric id (LE u32), never uploads to a read-only storage, routes by id', async () => {
    const sources = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const id = await client.upload(Buffer.from(`by id ${i}`), { ext: 'txt' });
      const d = client.decodeFileId(id);
      expect('serverId' in d.source).toBe(true);
      const sid = String((d.source as { serverId: number }).serverId);
      const raw = Buffer.from(id.slice('group1/'.length + 10, 'group1/'.length + 37), 'base64url');
      expect(String(raw.readUInt32LE(0))).toBe(sid);
      sources.add(sid);
      const host = Object.keys(idOf).find((h) => idOf[h] === sid)!;
      expect((await client.queryUpdate(id)).ip).toBe(host);
      const info = await client.info(id);
      expect(info.sourceIp).toBe(host);
      expect((await client.downloadToBuffer(id)).toString()).toBe(`by id ${i}`);
    }
    expect(sources).toEqual(new Set(['100001', '100002']));
  });

  it('fdfs info decodes the source id offline', async () => {
    const id = await client.upload(Buffer.from('offline'), { ext: 'txt' });
    const out = await runCli(['info', id, '--offline']);
    expect(out.stdout).toMatch(/^source storage id: 10000[12]$/m);
  });

  it('answers 69 FETCH_STORAGE_IDS, 70 GET_SERVER_ID and 109 GET_GROUP_NAME', async () => {
    const ids = decodeFetchStorageIdsResponse(await trackerCall(encodeFetchStorageIdsRequest({ startIndex: 0, allowEmpty: false }), TrackerCmd.StorageFetchStorageIds));
    expect(ids.totalCount).toBe(3);
    expect(ids.entries).toEqual([
      { id: '100001', group: 'group1', host: hosts.a },
      { id: '100002', group: 'group1', host: hosts.b },
      { id: '100003', group: 'group1', host: hosts.c, rwMode: 'read' },
    ]);
    const page2 = decodeFetchStorageIdsResponse(await trackerCall(encodeFetchStorageIdsRequest({ startIndex: 2, allowEmpty: false }), TrackerCmd.StorageFetchStorageIds));
    expect(page2.entries.map((e) => e.id)).toEqual(['100003']);
    const sid = decodeGetServerIdResponse(await trackerCall(encodeGetServerIdRequest({ group: 'group1', ip: hosts.b, port: 23000 }), TrackerCmd.StorageGetServerId));
    expect(sid).toBe('100002');
    await expect(trackerCall(encodeGetServerIdRequest({ group: 'group1', ip: hosts.x, port: 23000 }), TrackerCmd.StorageGetServerId))
      .rejects.toMatchObject({ errno: Errno.ENOENT });
    const g = decodeGetGroupNameResponse(await trackerCall(encodeGetGroupNameRequest({ ip: hosts.c, port: 23000 }), TrackerCmd.StorageGetGroupName));
    expect(g).toBe('group1');
  });

  it('refuses a storage missing from storage_ids.conf; its empty group can be deleted once it is gone', async () => {
    await waitFor('group9 created by the refused join', async () => (await client.listGroups()).some((g) => g.groupName === 'group9'));
    expect((await client.listGroup('group9')).storageCount).toBe(0);
    expect(s.x.proc.output).toMatch(/cannot learn the storage id/);
    expect(s.x.proc.output).toMatch(/tracker connection failed/);
    await s.x.proc.stop();
    await client.deleteGroup('group9');
    expect((await client.listGroups()).map((g) => g.groupName)).toEqual(['group1']);
    await expect(client.deleteGroup('group9')).rejects.toMatchObject({ errno: Errno.ENOENT });
    await expect(client.deleteGroup('group1')).rejects.toMatchObject({ errno: Errno.EBUSY });
  });

  it('deletes a stopped storage by id (EBUSY while it runs), through our client and our CLI', async () => {
    await expect(client.deleteStorage('group1', '100001')).rejects.toMatchObject({ errno: Errno.EBUSY });
    const busy = await runCli(['storage', 'delete', 'group1', '100002', '--tracker', tracker.address]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/EBUSY/);
    await s.b.proc.stop();
    await waitFor('100002 OFFLINE', async () => (await client.listStorages('group1', '100002'))[0]?.status === StorageStatus.Offline, 20_000);
    const ok = await runCli(['storage', 'delete', 'group1', '100002', '--tracker', tracker.address]);
    expect(ok.code, ok.stderr).toBe(0);
    expect((await client.listStorages('group1', '100002'))[0]!.status).toBe(StorageStatus.Deleted);
    await client.deleteStorage('group1', '100002'); // EALREADY is not an error
    await expect(client.deleteStorage('group1', '100009')).rejects.toMatchObject({ errno: Errno.ENOENT });
    // Uploads now go to 100001 only.
    const id = await client.upload(Buffer.from('after delete'), { ext: 'txt' });
    expect(client.decodeFileId(id).source).toEqual({ serverId: 100001 });
  });
});
