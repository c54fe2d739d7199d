// The tracker's storage-facing commands (storage-service.ts, §8) spoken over TCP to an in-process tracker on
// 127.0.0.1, as storages at distinct 127.0.0.x source addresses: identity, JOIN, beats, disk usage, sync
// plans, status reports and changes, and the stock errno of every refusal. Only the wire is used.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { encodeHeader } from '../../../src/protocol/header.js';
import { Peer, activeStorage as activeStorageIn, joinRequest, nextIp, startWireTracker, type WireTracker } from '../../helpers/tracker-wire.js';
import { CommonCmd, StorageStatus, TrackerCmd } from '../../../src/protocol/codes.js';
import { Errno } from '../../../src/errors.js';
import { encodeMissingReport } from '../../../src/protocol/missing-report.js';
import {
  encodeGetMyIpRequest, decodeGetMyIpResponse, encodeParameterRequest, decodeParameterResponse, encodeJoinRequest,
  decodeJoinResponse, encodeGetServerIdRequest, decodeGetServerIdResponse, encodeFetchStorageIdsRequest,
  encodeGetGroupNameRequest, type JoinRequest,
} from '../../../src/protocol/join.js';
import {
  encodeBeatRequest, decodeChangeNotification, encodeDiskUsageRequest, encodeSyncReportRequest, NotifyFlag,
} from '../../../src/protocol/beat.js';
import {
  encodeSyncDestRequest, encodeSyncDestQueryRequest, decodeSyncPlanResponse, encodeSyncNotifyRequest, encodeSyncSrcRequest,
  encodeReportStatusRequest, encodeGetStatusRequest, decodeGetStatusResponse, encodeChangeStatusRequest, encodeChangelogRequest,
  encodeReplicaChgRequest, encodeReportIpChangedRequest,
} from '../../../src/protocol/sync-coord.js';
import {
  encodeStatBlock, emptyStorageStats, encodeListStorageRequest, decodeListStorageResponse, type StorageRecord,
} from '../../../src/protocol/tracker-list.js';

const GROUP = 'group1';
let t: WireTracker;

beforeAll(async () => { t = await startWireTracker(); });
afterAll(async () => { await t?.stop(); });

const open = (ip = '127.0.0.1') => Peer.open(t, ip);
const joinReq = (over: Partial<JoinRequest> = {}) => joinRequest(t, over);

async function statusOf(ip: string, group = GROUP): Promise<number> {
  const p = await open();
  try {
    return decodeGetStatusResponse(await p.ok(encodeGetStatusRequest({ group, ip, port: 23000 }))).status;
  } finally {
    p.close();
  }
}

async function record(ip: string, group = GROUP): Promise<StorageRecord> {
  const p = await open();
  try {
    const list = decodeListStorageResponse(await p.ok(encodeListStorageRequest(group, ip)));
    expect(list).toHaveLength(1);
    return list[0]!;
  } finally {
    p.close();
  }
}

let groups = 0;
/** A group of its own for each test (a later member of a group would wait for a sync source). */
const freshGroup = (): string => `g${++groups}`;
const activeStorage = (group = freshGroup()) => activeStorageIn(t, group);

describe('tracker storage-service: identity and parameters', () => {
  it('60 GET_MY_IP answers the address the storage came from', async () => {
    const ip = nextIp();
    const p = await open(ip);
    expect(decodeGetMyIpResponse(await p.ok(encodeGetMyIpRequest({ group: GROUP, storagePort: 23000 })))).toEqual([ip]);
    p.close();
  });

  it('75 PARAMETER_REQ lists the tracker settings a storage adopts', async () => {
    const p = await open(nextIp());
    const params = decodeParameterResponse(await p.ok(encodeParameterRequest()));
    expect(params).toMatchObject({ use_storage_id: '0', id_type_in_filename: 'ip', store_path: '0', use_trunk_file: '0', response_ip_addr_size: '16' });
    expect(params.reserved_storage_space).toMatch(/^1(\.00)?%$/);
    p.close();
  });

  it('70 GET_SERVER_ID echoes the IP without storage ids; 109 and 69 (strict) are EOPNOTSUPP, 69 (allow empty) is 8 zeros', async () => {
    const p = await open(nextIp());
    expect(decodeGetServerIdResponse(await p.ok(encodeGetServerIdRequest({ group: GROUP, ip: '10.77.1.5', port: 23000 })))).toBe('10.77.1.5');
    await p.refused(encodeGetGroupNameRequest({ port: 23000 }), Errno.EOPNOTSUPP);
    await p.refused(encodeFetchStorageIdsRequest({ startIndex: 0, allowEmpty: false }), Errno.EOPNOTSUPP);
    expect(await p.ok(encodeFetchStorageIdsRequest({ startIndex: 0, allowEmpty: true }))).toEqual(Buffer.alloc(8));
    p.close();
  });
});

describe('tracker storage-service: JOIN and reports', () => {
  it('refuses reports before JOIN with EACCES and keeps the connection', async () => {
    const p = await open(nextIp());
    await p.refused(encodeBeatRequest(), Errno.EACCES);
    await p.refused(encodeDiskUsageRequest([{ totalMb: 1, freeMb: 1 }]), Errno.EACCES);
    await p.refused(encodeSyncReportRequest([{ storageId: '10.0.0.1', timestamp: 1 }]), Errno.EACCES);
    await p.refused(encodeSyncDestRequest(), Errno.EACCES);
    await p.refused(encodeSyncDestQueryRequest(), Errno.EACCES);
    await p.refused(encodeSyncNotifyRequest({ srcId: '', untilTimestamp: 0 }), Errno.EACCES);
    await p.refused(encodeChangeStatusRequest(StorageStatus.Active), Errno.EACCES);
    await p.refused(encodeChangelogRequest(), Errno.EACCES);
    expect(p.closed).toBe(false);
    expect(await p.ok(encodeHeader(0, CommonCmd.ActiveTest))).toHaveLength(0);
    p.close();
  });

  it('refuses a malformed JOIN and a bad group name with EINVAL', async () => {
    const p = await open(nextIp());
    const good = encodeJoinRequest(joinReq());
    const cut = Buffer.concat([encodeHeader(good.length - 11, TrackerCmd.StorageJoin), good.subarray(10, good.length - 1)]);
    await p.refused(cut, Errno.EINVAL);
    await p.refused(encodeJoinRequest(joinReq({ group: 'bad group!' })), Errno.EINVAL);
    p.close();
  });

  it('registers no group or member for a JOIN with impossible sizes (EINVAL) or whose storage port does not answer (ECONNREFUSED)', async () => {
    const p = await open(nextIp());
    const group = freshGroup();
    await p.refused(encodeJoinRequest(joinReq({ group, storePathCount: 0 })), Errno.EINVAL);
    await p.refused(encodeJoinRequest(joinReq({ group, subdirCountPerPath: 100_000 })), Errno.EINVAL);
    await p.refused(encodeJoinRequest(joinReq({ group, storagePort: 70_000 })), Errno.EINVAL);
    // Nothing listens on this address's port 23001.
    await p.refused(encodeJoinRequest(joinReq({ group, storagePort: 23001 })), Errno.ECONNREFUSED);
    expect(p.closed).toBe(false);
    const lister = await open();
    await lister.refused(encodeListStorageRequest(group), Errno.ENOENT);
    lister.close();
    // The same storage once its port answers.
    expect(decodeJoinResponse(await p.ok(encodeJoinRequest(joinReq({ group })))).status).toBe(StorageStatus.Init);
    p.close();
  });

  it('walks the first storage INIT → ONLINE → ACTIVE through 81, 87, 88 and 83; 83 answers with the group', async () => {
    const p = await open(nextIp());
    expect(decodeJoinResponse(await p.ok(encodeJoinRequest(joinReq())))).toEqual({ status: StorageStatus.Init, srcId: '' });
    expect(await statusOf(p.ip)).toBe(StorageStatus.Init);
    expect(decodeSyncPlanResponse(await p.ok(encodeSyncDestRequest()))).toBeNull();
    expect(await statusOf(p.ip)).toBe(StorageStatus.Online);
    expect(await p.ok(encodeSyncNotifyRequest({ srcId: '', untilTimestamp: 0 }))).toHaveLength(0);
    const first = decodeChangeNotification(await p.ok(encodeBeatRequest()));
    expect(first.flags & NotifyFlag.GroupServer).toBe(NotifyFlag.GroupServer);
    expect(first.members?.map((m) => m.ipAddr)).toContain(p.ip);
    expect(await statusOf(p.ip)).toBe(StorageStatus.Active);
    // nothing changed since: the next beat's answer carries no members
    expect(decodeChangeNotification(await p.ok(encodeBeatRequest())).members).toBeUndefined();
    // a rejoin on the same connection keeps the node and answers its current status
    expect(decodeJoinResponse(await p.ok(encodeJoinRequest(joinReq({ initFlag: false, status: StorageStatus.Active })))).status)
      .toBe(StorageStatus.Active);
    p.close();
  });

  it('83 with a stat block stores the counters the 92 listing shows', async () => {
    const p = await activeStorage();
    const stats = { ...emptyStorageStats(), totalUploadCount: 42, successUploadCount: 41, totalUploadBytes: 123456, lastSourceUpdate: 1795289211 };
    await p.ok(encodeBeatRequest(encodeStatBlock(stats)));
    const rec = await record(p.ip, p.group);
    expect(rec.stats).toMatchObject({ totalUploadCount: 42, successUploadCount: 41, totalUploadBytes: 123456, lastSourceUpdate: 1795289211 });
    expect(rec.status).toBe(StorageStatus.Active);
    p.close();
  });

  it('84 REPORT_DISK_USAGE sets total and free space; a wrong path count is EINVAL', async () => {
    const p = await activeStorage();
    const n = decodeChangeNotification(await p.ok(encodeDiskUsageRequest([{ totalMb: 258019, freeMb: 76497 }])));
    expect(n.flags & ~(NotifyFlag.TrackerLeader | NotifyFlag.GroupServer)).toBe(0);
    expect(await record(p.ip, p.group)).toMatchObject({ totalMb: 258019, freeMb: 76497 });
    await p.refused(encodeDiskUsageRequest([{ totalMb: 1, freeMb: 1 }, { totalMb: 2, freeMb: 2 }]), Errno.EINVAL);
    p.close();
  });

  it('89 SYNC_REPORT is answered by a change notification', async () => {
    const p = await activeStorage();
    const n = decodeChangeNotification(await p.ok(encodeSyncReportRequest([{ storageId: p.ip, timestamp: 1795290000 }])));
    expect(typeof n.flags).toBe('number');
    await p.refused(Buffer.concat([encodeHeader(21, TrackerCmd.StorageSyncReport), Buffer.alloc(21)]), Errno.EINVAL);
    p.close();
  });

  it('201 REPORT_MISSING is taken from a member on a connection of its own, EACCES from anyone else', async () => {
    const member = await activeStorage();
    const name = 'M00/00/00/CgAAAmsB8HuAKOo1AAAAHWMZ9Uk701.txt';
    const own = await open(member.ip);
    await own.ok(encodeMissingReport({ group: member.group, held: false, names: [name] }));
    await own.ok(encodeMissingReport({ group: member.group, held: true, names: [name] }));
    own.close();
    const stranger = await open(nextIp());
    await stranger.refused(encodeMissingReport({ group: member.group, held: false, names: [name] }), Errno.EACCES);
    await stranger.refused(Buffer.concat([encodeHeader(17, TrackerCmd.FdfsStorageReportMissing), Buffer.alloc(17)]), Errno.EINVAL);
    expect(stranger.closed).toBe(false);
    stranger.close();
    member.close();
  });

  it('marks a storage OFFLINE when its last connection closes', async () => {
    const p = await activeStorage();
    p.close();
    await expect.poll(() => statusOf(p.ip, p.group), { timeout: 3000 }).toBe(StorageStatus.Offline);
  });
});

describe('tracker storage-service: sync plans and status changes', () => {
  it('gives a second member a plan (87), answers 79 and 86 with it, and lets the source move it to ACTIVE (76)', async () => {
    const group = 'gplan';
    const src = await activeStorage(group);
    const dst = await open(nextIp());
    await dst.ok(encodeJoinRequest(joinReq({ group })));
    const plan = decodeSyncPlanResponse(await dst.ok(encodeSyncDestRequest()));
    expect(plan?.srcId).toBe(src.ip);
    expect(plan!.untilTimestamp).toBeGreaterThan(0);
    expect(await statusOf(dst.ip, group)).toBe(StorageStatus.WaitSync);
    expect(decodeSyncPlanResponse(await dst.ok(encodeSyncDestQueryRequest()))).toEqual(plan);
    // the source asks whom it feeds (86), then reports the destination SYNCING and done (76)
    expect(decodeSyncPlanResponse(await src.ok(encodeSyncSrcRequest({ group, destId: dst.ip })))).toEqual(plan);
    const brief = { status: StorageStatus.Syncing, port: 23000, id: dst.ip, ipAddr: dst.ip };
    await src.ok(encodeReportStatusRequest({ group, brief }));
    expect(await statusOf(dst.ip, group)).toBe(StorageStatus.Syncing);
    await src.ok(encodeReportStatusRequest({ group, brief: { ...brief, status: StorageStatus.Offline } }));
    await dst.ok(encodeSyncNotifyRequest(plan!));
    await dst.ok(encodeBeatRequest());
    expect(await statusOf(dst.ip, group)).toBe(StorageStatus.Active);
    // the first member's answer now lists both
    const n = decodeChangeNotification(await src.ok(encodeBeatRequest()));
    expect(n.members?.map((m) => m.ipAddr).sort()).toEqual([src.ip, dst.ip].sort());
    src.close();
    dst.close();
  });

  it('refuses plans and statuses of unknown storages with ENOENT', async () => {
    const p = await activeStorage('gunknown');
    await p.refused(encodeSyncSrcRequest({ group: 'gunknown', destId: '10.99.99.99' }), Errno.ENOENT);
    await p.refused(encodeReportStatusRequest({ group: 'gunknown', brief: { status: StorageStatus.Offline, port: 23000, id: '10.99.99.99', ipAddr: '10.99.99.99' } }), Errno.ENOENT);
    await p.refused(encodeGetStatusRequest({ group: 'gunknown', ip: '10.99.99.99', port: 23000 }), Errno.ENOENT);
    await p.refused(encodeGetStatusRequest({ group: 'nosuchgroup', ip: p.ip, port: 23000 }), Errno.ENOENT);
    p.close();
  });

  it('59 CHANGE_STATUS applies a leader-sent status unless both are available states', async () => {
    const p = await activeStorage('gchange');
    await p.ok(encodeChangeStatusRequest(StorageStatus.Online));
    expect(await statusOf(p.ip, 'gchange')).toBe(StorageStatus.Active);
    await p.ok(encodeChangeStatusRequest(StorageStatus.WaitSync));
    expect(await statusOf(p.ip, 'gchange')).toBe(StorageStatus.WaitSync);
    await p.refused(Buffer.concat([encodeHeader(2, TrackerCmd.StorageChangeStatus), Buffer.from([1, 1])]), Errno.EINVAL);
    p.close();
  });

  it('77 CHANGELOG_REQ answers the changelog from the connection\'s offset (empty here)', async () => {
    const p = await activeStorage('gchangelog');
    expect(await p.ok(encodeChangelogRequest())).toHaveLength(0);
    expect(await p.ok(encodeChangelogRequest({ group: 'gchangelog', storageId: '10.99.99.99' }))).toHaveLength(0);
    p.close();
  });

  it('85 REPLICA_CHG is acknowledged; 78 and the trunk commands are EOPNOTSUPP', async () => {
    const p = await activeStorage('gmisc');
    await p.ok(encodeReplicaChgRequest([{ status: StorageStatus.Active, port: 23000, id: p.ip, ipAddr: p.ip }]));
    await p.refused(encodeReportIpChangedRequest({ group: 'gmisc', oldIp: p.ip, newIp: '127.9.9.9' }), Errno.EOPNOTSUPP);
    for (const cmd of [TrackerCmd.StorageFetchTrunkFid, TrackerCmd.StorageReportTrunkFid, TrackerCmd.StorageReportTrunkFree]) {
      await p.refused(encodeHeader(0, cmd), Errno.EOPNOTSUPP);
    }
    p.close();
  });
});
