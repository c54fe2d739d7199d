// The tracker's client commands (client-service.ts): store/fetch/update queries (101–107), lists (90–92),
// admin (93, 94, 95, 108), cluster stats (96–98) and 64, spoken over TCP to an in-process tracker whose
// storages are raw peers at 127.0.N.1 (tracker-wire.ts). Answers and the stock errno of every refusal.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { encodeHeader } from '../../../src/protocol/header.js';
import { StorageStatus, TrackerCmd } from '../../../src/protocol/codes.js';
import { Errno } from '../../../src/errors.js';
import { encodeFileName } from '../../../src/protocol/file-id.js';
import {
  encodeQueryStoreRequest, decodeQueryStoreResponse, decodeQueryStoreAllResponse, encodeQueryFetchRequest,
  decodeQueryFetchResponse, decodeQueryFetchAllResponse,
} from '../../../src/protocol/tracker-query.js';
import {
  encodeListAllGroupsRequest, encodeListOneGroupRequest, decodeListGroupsResponse, encodeListStorageRequest,
  decodeListStorageResponse, encodeDeleteStorageRequest, encodeDeleteGroupRequest, encodeSetTrunkServerRequest,
  encodeGetLeaderRequest, decodeGetLeaderResponse, encodeGetTrackerStatusRequest, decodeGetTrackerStatusResponse,
} from '../../../src/protocol/tracker-list.js';
import {
  encodeTrackerClusterStatRequest, decodeTrackerClusterStatResponse, encodeStorageClusterStatRequest,
  decodeStorageClusterStatResponse, encodeVolumeStatRequest, decodeVolumeStatResponse,
} from '../../../src/protocol/tracker-cluster-stat.js';
import { Peer, activeStorage, startWireTracker, type WireTracker } from '../../helpers/tracker-wire.js';

let t: WireTracker;
let client: Peer;

beforeAll(async () => {
  t = await startWireTracker();
  client = await Peer.open(t);
});
afterAll(async () => {
  client?.close();
  await t?.stop();
});

function nameFrom(ip: string): string {
  return encodeFileName({ source: { ipv4: ip }, timestamp: 1795289211, size: 10, kind: 'normal', crc32: 1, ext: 'txt', storePathIndex: 0, subHigh: 0, subLow: 0 });
}

describe('tracker client-service before any storage', () => {
  it('answers ENOENT where there is nothing to name, and empty lists', async () => {
    await client.refused(encodeQueryStoreRequest(), Errno.ENOENT);
    await client.refused(encodeQueryStoreRequest({ group: 'nosuch' }), Errno.ENOENT);
    await client.refused(encodeGetTrackerStatusRequest(), Errno.ENOENT);
    await client.refused(encodeListOneGroupRequest('nosuch'), Errno.ENOENT);
    await client.refused(encodeListStorageRequest('nosuch'), Errno.ENOENT);
    await client.refused(encodeQueryFetchRequest(102, 'nosuch', nameFrom('127.9.9.9')), Errno.ENOENT);
    expect(decodeListGroupsResponse(await client.ok(encodeListAllGroupsRequest()))).toEqual([]);
    expect(decodeStorageClusterStatResponse(await client.ok(encodeStorageClusterStatRequest())).storages).toEqual([]);
  });

  it('refuses malformed bodies with EINVAL and keeps the connection', async () => {
    await client.refused(Buffer.concat([encodeHeader(3, TrackerCmd.QueryStoreWithoutGroupOne), Buffer.from('abc')]), Errno.EINVAL);
    await client.refused(Buffer.concat([encodeHeader(1, TrackerCmd.ServerListAllGroups), Buffer.from([0])]), Errno.EINVAL);
    await client.refused(Buffer.concat([encodeHeader(1, TrackerCmd.ServerGetLeader), Buffer.from([0])]), Errno.EINVAL);
    await client.refused(Buffer.concat([encodeHeader(16 + 5, TrackerCmd.QueryFetchOne), Buffer.alloc(16), Buffer.from('M00/x')]), Errno.EINVAL);
    await client.refused(Buffer.concat([encodeHeader(17, TrackerCmd.ServerDeleteGroup), Buffer.alloc(17)]), Errno.EINVAL);
    await client.refused(encodeHeader(0, 250), Errno.EINVAL);
    expect(client.closed).toBe(false);
  });

  it('94 SET_TRUNK_SERVER is EOPNOTSUPP without trunk files', async () => {
    await client.refused(encodeSetTrunkServerRequest('group1'), Errno.EOPNOTSUPP);
  });
});

describe('tracker client-service with an ACTIVE storage', () => {
  let s: Peer & { group: string };
  beforeAll(async () => { s = await activeStorage(t, 'cgroup'); });
  afterAll(() => s?.close());

  it('101/104/106/107 name the storage (and 106/107 list it)', async () => {
    for (const req of [undefined, { group: 'cgroup' }]) {
      expect(decodeQueryStoreResponse(await client.ok(encodeQueryStoreRequest(req))))
        .toEqual({ group: 'cgroup', ip: s.ip, port: 23000, storePathIndex: 0 });
    }
    for (const req of [{ all: true }, { group: 'cgroup', all: true }]) {
      expect(decodeQueryStoreAllResponse(await client.ok(encodeQueryStoreRequest(req))))
        .toEqual({ group: 'cgroup', servers: [{ ip: s.ip, port: 23000 }], storePathIndex: 0 });
    }
    await client.refused(encodeQueryStoreRequest({ group: 'nosuch' }), Errno.ENOENT);
  });

  it('102/103/105 send a file\'s readers and writer to its source storage', async () => {
    const name = nameFrom(s.ip);
    for (const cmd of [102, 103] as const) {
      expect(decodeQueryFetchResponse(await client.ok(encodeQueryFetchRequest(cmd, 'cgroup', name)))).toEqual({ group: 'cgroup', ip: s.ip, port: 23000 });
    }
    expect(decodeQueryFetchAllResponse(await client.ok(encodeQueryFetchRequest(105, 'cgroup', name))))
      .toEqual({ group: 'cgroup', servers: [{ ip: s.ip, port: 23000 }] });
  });

  it('90/91/92 list the group and its storage with the reported space', async () => {
    const [g] = decodeListGroupsResponse(await client.ok(encodeListOneGroupRequest('cgroup')));
    expect(g).toMatchObject({ groupName: 'cgroup', totalMb: 1000, freeMb: 900, storageCount: 1, storagePort: 23000, writableServerCount: 1 });
    expect(decodeListGroupsResponse(await client.ok(encodeListAllGroupsRequest())).map((x) => x.groupName)).toContain('cgroup');
    const list = decodeListStorageResponse(await client.ok(encodeListStorageRequest('cgroup')));
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ status: StorageStatus.Active, id: s.ip, ipAddr: s.ip, totalMb: 1000, freeMb: 900, storagePort: 23000 });
    expect(decodeListStorageResponse(await client.ok(encodeListStorageRequest('cgroup', s.ip)))).toHaveLength(1);
    await client.refused(encodeListStorageRequest('cgroup', '10.9.9.9'), Errno.ENOENT);
  });

  it('64, 95 and 96 describe this tracker as the leader', async () => {
    expect(decodeGetTrackerStatusResponse(await client.ok(encodeGetTrackerStatusRequest())).ifLeader).toBe(true);
    expect(decodeGetLeaderResponse(await client.ok(encodeGetLeaderRequest()))).toEqual({ ip: '127.0.0.1', port: t.port });
    const trackers = decodeTrackerClusterStatResponse(await client.ok(encodeTrackerClusterStatRequest()));
    expect(trackers).toHaveLength(1);
    expect(trackers[0]).toMatchObject({ host: `127.0.0.1:${t.port}`, isLeader: true, isActive: true });
    expect(decodeTrackerClusterStatResponse(await client.ok(encodeTrackerClusterStatRequest({ isLeader: false })))).toEqual([]);
  });

  it('97 filters storages by status, 98 reports the group\'s space', async () => {
    const active = decodeStorageClusterStatResponse(await client.ok(encodeStorageClusterStatRequest({ status: { op: '=', status: StorageStatus.Active } })));
    expect(active.storages.map((x) => x.id)).toContain(s.ip);
    const notActive = decodeStorageClusterStatResponse(await client.ok(encodeStorageClusterStatRequest({ status: { op: '!', status: StorageStatus.Active } })));
    expect(notActive.storages.map((x) => x.id)).not.toContain(s.ip);
    const vol = decodeVolumeStatResponse(await client.ok(encodeVolumeStatRequest()));
    expect(vol.groups.find((g) => g.groupName === 'cgroup')).toMatchObject({ totalMb: 1000, freeMb: 900, isDiskAvailable: true });
    const noSpace = decodeVolumeStatResponse(await client.ok(encodeVolumeStatRequest({ spaceAvailable: false })));
    expect(noSpace.groups.map((g) => g.groupName)).not.toContain('cgroup');
  });

  it('93 refuses to delete a running storage (EBUSY), 108 a group with storages (EBUSY); both work once it is gone', async () => {
    await client.refused(encodeDeleteStorageRequest('cgroup', s.ip), Errno.EBUSY);
    await client.refused(encodeDeleteGroupRequest('cgroup'), Errno.EBUSY);
    await client.refused(encodeDeleteStorageRequest('cgroup', '10.9.9.9'), Errno.ENOENT);
    await client.refused(encodeDeleteGroupRequest('nosuch'), Errno.ENOENT);
    s.close();
    await expect.poll(async () => decodeListStorageResponse(await client.ok(encodeListStorageRequest('cgroup', s.ip)))[0]!.status, { timeout: 3000 })
      .toBe(StorageStatus.Offline);
    await client.ok(encodeDeleteStorageRequest('cgroup', s.ip));
    await client.refused(encodeDeleteStorageRequest('cgroup', s.ip), Errno.EALREADY);
  });
});
