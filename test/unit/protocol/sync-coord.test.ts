import { describe, it, expect } from 'vitest';
import {
  SIZES, decodeChangeStatusRequest, decodeChangelogRequest, decodeChangelogResponse, decodeGetStatusRequest,
  decodeGetStatusResponse, decodeReplicaChgRequest, decodeReportIpChangedRequest, decodeReportStatusRequest,
  decodeSyncNotifyRequest, decodeSyncPlanResponse, decodeSyncSrcRequest, encodeChangeStatusRequest,
  encodeChangelogRequest, encodeChangelogResponse, encodeGetStatusRequest, encodeGetStatusResponse,
  encodeReplicaChgRequest, encodeReportIpChangedRequest, encodeReportStatusRequest, encodeSyncDestQueryRequest,
  encodeSyncDestRequest, encodeSyncNotifyRequest, encodeSyncPlanResponse, encodeSyncSrcRequest, formatChangelogLine,
  parseChangelogLine, type ChangelogEntry,
} from '../../../src/protocol/sync-coord.js';
import { encodeHeader } from '../../../src/protocol/header.js';
import { CommonCmd, StorageStatus, TrackerCmd } from '../../../src/protocol/codes.js';
import { Errno, ProtocolError, StatusError } from '../../../src/errors.js';
import { oneFrame, packets } from './cluster-fixtures.js';

// §12.7.1: 87 SYNC_DEST_REQ — first storage (empty answer), second storage ({10.77.1.2, 1795290693}).
const [destReq1, destResp1, destReq2, destResp2] = packets(`
-> 0000  00 00 00 00 00 00 00 00 57 00                    |........W.|
<- 0000  00 00 00 00 00 00 00 00 64 00                    |........d.|

-> 0000  00 00 00 00 00 00 00 00 57 00                    |........W.|
<- 0000  00 00 00 00 00 00 00 18 64 00 31 30 2e 37 37 2e  |........d.10.77.|
   0010  31 2e 32 00 00 00 00 00 00 00 00 00 00 00 6b 01  |1.2...........k.|
   0020  f6 45                                            |.E|`);

// §12.7.1: 88 SYNC_NOTIFY — 24 zero bytes, then the second storage echoing its plan.
const [notifyZero, notifyResp, notifyPlan] = packets(`
-> 0000  00 00 00 00 00 00 00 18 58 00 00 00 00 00 00 00  |........X.......|
   0010  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  |................|
   0020  00 00                                            |..|
<- 0000  00 00 00 00 00 00 00 00 64 00                    |........d.|

-> 0000  00 00 00 00 00 00 00 18 58 00 31 30 2e 37 37 2e  |........X.10.77.|
   0010  31 2e 32 00 00 00 00 00 00 00 00 00 00 00 6b 01  |1.2...........k.|
   0020  f6 45                                            |.E|`);

// §12.7.3: 86 SYNC_SRC_REQ about 10.77.1.3 (names 10.77.1.2) and about 10.77.1.2 (empty answer).
const [srcReq3, srcResp3, srcReq2, srcResp2] = packets(`
-> 0000  00 00 00 00 00 00 00 20 56 00 67 72 6f 75 70 31  |....... V.group1|
   0010  00 00 00 00 00 00 00 00 00 00 31 30 2e 37 37 2e  |..........10.77.|
   0020  31 2e 33 00 00 00 00 00 00 00                    |1.3.......|
<- 0000  00 00 00 00 00 00 00 18 64 00 31 30 2e 37 37 2e  |........d.10.77.|
   0010  31 2e 32 00 00 00 00 00 00 00 00 00 00 00 6b 01  |1.2...........k.|
   0020  f6 45                                            |.E|

-> 0000  00 00 00 00 00 00 00 20 56 00 67 72 6f 75 70 31  |....... V.group1|
   0010  00 00 00 00 00 00 00 00 00 00 31 30 2e 37 37 2e  |..........10.77.|
   0020  31 2e 32 00 00 00 00 00 00 00                    |1.2.......|
<- 0000  00 00 00 00 00 00 00 00 64 00                    |........d.|`);

// §12.7.3: 76 REPORT_STATUS, SYNCING with port 0.
const [reportStatus, reportStatusResp] = packets(`
-> 0000  00 00 00 00 00 00 00 53 4c 00 67 72 6f 75 70 31  |.......SL.group1|
   0010  00 00 00 00 00 00 00 00 00 00 02 00 00 00 00 31  |...............1|
   0020  30 2e 37 37 2e 31 2e 33 00 00 00 00 00 00 00 31  |0.77.1.3.......1|
   0030  30 2e 37 37 2e 31 2e 33 00 00 00 00 00 00 00 00  |0.77.1.3........|
   0040  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  |................|
   0050  00 00 00 00 00 00 00 00 00 00 00 00 00           |.............|
<- 0000  00 00 00 00 00 00 00 00 64 00                    |........d.|`);

// §12.7.3: 85 REPLICA_CHG, one brief with status 02 and port 23000.
const [replicaChg, replicaChgResp] = packets(`
-> 0000  00 00 00 00 00 00 00 43 55 00 02 00 00 59 d8 31  |.......CU....Y.1|
   0010  30 2e 37 37 2e 31 2e 35 00 00 00 00 00 00 00 31  |0.77.1.5.......1|
   0020  30 2e 37 37 2e 31 2e 35 00 00 00 00 00 00 00 00  |0.77.1.5........|
   0030  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  |................|
   0040  00 00 00 00 00 00 00 00 00 00 00 00 00           |.............|
<- 0000  00 00 00 00 00 00 00 00 64 00                    |........d.|`);

// §12.7.3: 77 CHANGELOG_REQ with a body, answered by one deletion line.
const [changelogReq, changelogResp] = packets(`
-> 0000  00 00 00 00 00 00 00 20 4d 00 67 72 6f 75 70 31  |....... M.group1|
   0010  00 00 00 00 00 00 00 00 00 00 31 30 2e 37 37 2e  |..........10.77.|
   0020  31 2e 35 00 00 00 00 00 00 00                    |1.5.......|
<- 0000  00 00 00 00 00 00 00 1f 64 00 31 37 39 35 32 39  |........d.179529|
   0010  31 35 32 33 20 67 72 6f 75 70 31 20 31 30 2e 37  |1523 group1 10.7|
   0020  37 2e 31 2e 35 20 34 20 0a                       |7.1.5 4 .|`);

// §12.7.3: 59 CHANGE_STATUS to the follower (01 = WAIT_SYNC).
const [changeStatus, changeStatusResp] = packets(`
-> 0000  00 00 00 00 00 00 00 01 3b 00 01                 |........;..|
<- 0000  00 00 00 00 00 00 00 00 64 00                    |........d.|`);

// §12.6: 71 GET_STATUS for 10.77.0.3:23000 → ACTIVE brief (zeros elided in the spec).
const [getStatusReq0, getStatusResp0] = packets(`
-> 0000  00 00 00 00 00 00 00 1f 47 00 67 72 6f 75 70 31  |........G.group1|
   0010  00 00 00 00 00 00 00 00 00 00 31 30 2e 37 37 2e  |..........10.77.|
   0020  30 2e 33 3a 32 33 30 30 30                       |0.3:23000|
<- 0000  00 00 00 00 00 00 00 43 64 00 07 00 00 59 d8 31  |.......Cd....Y.1|
   0010  30 2e 37 37 2e 30 2e 33 00 00 00 00 00 00 00 31  |0.77.0.3.......1|
   0020  30 2e 37 37 2e 30 2e 33 00 00 00 00 00 00 00 00  |0.77.0.3........|
   0030  … (zeros to the end of the 46-byte IP field) …`);

// §12.7.6: 71 GET_STATUS of a storage in disk recovery → RECOVERY (09). The spec shows the answer only up to
// the first byte of the IP field; the line at 0x20 completes it as in §12.6 (ip = id = "10.77.1.5").
const [getStatusReq, getStatusResp] = packets(`
-> 0000  00 00 00 00 00 00 00 1f 47 00 67 72 6f 75 70 31  |........G.group1|
   0010  00 00 00 00 00 00 00 00 00 00 31 30 2e 37 37 2e  |..........10.77.|
   0020  31 2e 35 3a 32 33 30 30 30                       |1.5:23000|
<- 0000  00 00 00 00 00 00 00 43 64 00 09 00 00 59 d8 31  |.......Cd....Y.1|
   0010  30 2e 37 37 2e 31 2e 35 00 00 00 00 00 00 00 31  |0.77.1.5.......1|
   0020  30 2e 37 37 2e 31 2e 35
   …     (77 bytes in total)`);

const plan = { srcId: '10.77.1.2', untilTimestamp: 1795290693 };
const deletion: ChangelogEntry = { timestamp: 1795291523, group: 'group1', storageId: '10.77.1.5', status: 4, newId: '' };
const emptyResp = encodeHeader(0, CommonCmd.Resp);

function expectEinval(fn: () => unknown, cmd: number): void {
  expect(fn).toThrow(StatusError);
  try { fn(); } catch (err) {
    expect((err as StatusError).errno).toBe(Errno.EINVAL);
    expect((err as StatusError).cmd).toBe(cmd);
  }
}

describe('87 SYNC_DEST_REQ / 79 SYNC_DEST_QUERY', () => {
  it('decodes and encodes both captured answers (§12.7.1)', () => {
    for (const req of [destReq1, destReq2]) expect(encodeSyncDestRequest()).toEqual(req);
    expect(oneFrame(destReq1).header).toEqual({ pkgLen: 0, cmd: TrackerCmd.StorageSyncDestReq, status: 0 });
    expect(decodeSyncPlanResponse(oneFrame(destResp1).body)).toBeNull();
    expect(encodeSyncPlanResponse(null)).toEqual(destResp1);
    const f = oneFrame(destResp2);
    expect(f.header).toEqual({ pkgLen: 24, cmd: CommonCmd.Resp, status: 0 });
    expect(decodeSyncPlanResponse(f.body)).toEqual(plan);
    expect(encodeSyncPlanResponse(plan)).toEqual(destResp2);
  });

  it('79 is header-only; a plan of another length is a ProtocolError', () => {
    expect(encodeSyncDestQueryRequest()).toEqual(encodeHeader(0, TrackerCmd.StorageSyncDestQuery));
    expect(() => decodeSyncPlanResponse(Buffer.alloc(23))).toThrow(ProtocolError);
  });
});

describe('88 SYNC_NOTIFY', () => {
  it('decodes and encodes the zero body and the echoed plan (§12.7.1)', () => {
    const f = oneFrame(notifyZero);
    expect(f.header).toEqual({ pkgLen: 24, cmd: TrackerCmd.StorageSyncNotify, status: 0 });
    expect(decodeSyncNotifyRequest(f.body)).toEqual({ srcId: '', untilTimestamp: 0 });
    expect(encodeSyncNotifyRequest({ srcId: '', untilTimestamp: 0 })).toEqual(notifyZero);
    expect(decodeSyncNotifyRequest(oneFrame(notifyPlan).body)).toEqual(plan);
    expect(encodeSyncNotifyRequest(plan)).toEqual(notifyPlan);
    expect(notifyResp).toEqual(emptyResp);
    expectEinval(() => decodeSyncNotifyRequest(Buffer.alloc(0)), TrackerCmd.StorageSyncNotify);
  });
});

describe('86 SYNC_SRC_REQ', () => {
  it('decodes and encodes both captured exchanges (§12.7.3)', () => {
    const f = oneFrame(srcReq3);
    expect(f.header).toEqual({ pkgLen: 32, cmd: TrackerCmd.StorageSyncSrcReq, status: 0 });
    expect(decodeSyncSrcRequest(f.body)).toEqual({ group: 'group1', destId: '10.77.1.3' });
    expect(encodeSyncSrcRequest({ group: 'group1', destId: '10.77.1.3' })).toEqual(srcReq3);
    expect(decodeSyncPlanResponse(oneFrame(srcResp3).body)).toEqual(plan);
    expect(encodeSyncPlanResponse(plan)).toEqual(srcResp3);
    expect(decodeSyncSrcRequest(oneFrame(srcReq2).body)).toEqual({ group: 'group1', destId: '10.77.1.2' });
    expect(encodeSyncSrcRequest({ group: 'group1', destId: '10.77.1.2' })).toEqual(srcReq2);
    expect(decodeSyncPlanResponse(oneFrame(srcResp2).body)).toBeNull();
    expectEinval(() => decodeSyncSrcRequest(Buffer.alloc(31)), TrackerCmd.StorageSyncSrcReq);
  });
});

describe('76 REPORT_STATUS', () => {
  const syncing = { group: 'group1', brief: { status: StorageStatus.Syncing, port: 0, id: '10.77.1.3', ipAddr: '10.77.1.3' } };

  it('decodes and encodes the captured SYNCING report with port 0 (§12.7.3)', () => {
    const f = oneFrame(reportStatus);
    expect(f.header).toEqual({ pkgLen: SIZES.reportStatusRequest, cmd: TrackerCmd.StorageReportStatus, status: 0 });
    expect(decodeReportStatusRequest(f.body)).toEqual(syncing);
    expect(encodeReportStatusRequest(syncing)).toEqual(reportStatus);
    expect(reportStatusResp).toEqual(emptyResp);
  });

  it('encodes the OFFLINE report that followed: only the status byte differs', () => {
    const offline = encodeReportStatusRequest({ ...syncing, brief: { ...syncing.brief, status: StorageStatus.Offline } });
    const expected = Buffer.from(reportStatus);
    expected[10 + 16] = 0x05;
    expect(offline).toEqual(expected);
    expectEinval(() => decodeReportStatusRequest(Buffer.alloc(82)), TrackerCmd.StorageReportStatus);
  });
});

describe('85 REPLICA_CHG', () => {
  it('decodes and encodes the captured single brief (§12.7.3)', () => {
    const briefs = [{ status: StorageStatus.Syncing, port: 23000, id: '10.77.1.5', ipAddr: '10.77.1.5' }];
    const f = oneFrame(replicaChg);
    expect(f.header).toEqual({ pkgLen: 67, cmd: TrackerCmd.StorageReplicaChg, status: 0 });
    expect(decodeReplicaChgRequest(f.body)).toEqual(briefs);
    expect(encodeReplicaChgRequest(briefs)).toEqual(replicaChg);
    expect(replicaChgResp).toEqual(emptyResp);
  });

  it('needs 1…32 whole briefs', () => {
    expectEinval(() => decodeReplicaChgRequest(Buffer.alloc(0)), TrackerCmd.StorageReplicaChg);
    expectEinval(() => decodeReplicaChgRequest(Buffer.alloc(68)), TrackerCmd.StorageReplicaChg);
    expectEinval(() => decodeReplicaChgRequest(Buffer.alloc(67 * 33)), TrackerCmd.StorageReplicaChg);
    expect(decodeReplicaChgRequest(Buffer.alloc(67 * 32))).toHaveLength(32);
    expectEinval(() => encodeReplicaChgRequest([]), TrackerCmd.StorageReplicaChg);
  });
});

describe('77 CHANGELOG_REQ', () => {
  it('decodes and encodes the captured request with body and its one-line answer (§12.7.3)', () => {
    const f = oneFrame(changelogReq);
    expect(f.header).toEqual({ pkgLen: 32, cmd: TrackerCmd.StorageChangelogReq, status: 0 });
    expect(decodeChangelogRequest(f.body)).toEqual({ group: 'group1', storageId: '10.77.1.5' });
    expect(encodeChangelogRequest({ group: 'group1', storageId: '10.77.1.5' })).toEqual(changelogReq);
    const r = oneFrame(changelogResp);
    expect(r.header).toEqual({ pkgLen: 31, cmd: CommonCmd.Resp, status: 0 });
    expect(decodeChangelogResponse(r.body)).toEqual({ entries: [deletion], invalid: [], partial: '' });
    expect(encodeChangelogResponse([deletion])).toEqual(changelogResp);
    expect(encodeChangelogResponse(r.body)).toEqual(changelogResp);
  });

  it('has an empty form and rejects other lengths', () => {
    expect(decodeChangelogRequest(Buffer.alloc(0))).toBeNull();
    expectEinval(() => decodeChangelogRequest(Buffer.alloc(16)), TrackerCmd.StorageChangelogReq);
  });

  it('formats and parses storage_changelog.dat lines exactly, space before the newline included (§11.4)', () => {
    expect(formatChangelogLine(deletion)).toBe('1795291523 group1 10.77.1.5 4 \n');
    expect(parseChangelogLine('1795291523 group1 10.77.1.5 4 \n')).toEqual(deletion);
    expect(parseChangelogLine('1795291523 group1 10.77.1.5 4')).toEqual(deletion);
    const ipChanged = { timestamp: 1795291600, group: 'group1', storageId: '10.77.1.5', status: 3, newId: '10.77.1.6' };
    expect(parseChangelogLine(formatChangelogLine(ipChanged))).toEqual(ipChanged);
    for (const bad of ['', 'x group1 id 4 ', '1 group1 id', '1 group1 id four ', '1  id 4 ', '1 g id 4 new extra']) {
      expect(parseChangelogLine(bad)).toBeNull();
    }
  });

  it('carries a line cut by the 8182-byte limit over to the next answer', () => {
    const text = formatChangelogLine(deletion).repeat(3);
    const a = decodeChangelogResponse(Buffer.from(text.slice(0, 40)));
    expect(a.entries).toEqual([deletion]);
    expect(a.partial).toBe(text.slice(31, 40));
    const b = decodeChangelogResponse(Buffer.from(text.slice(40) + 'garbage line\n'), a.partial);
    expect(b).toEqual({ entries: [deletion, deletion], invalid: ['garbage line'], partial: '' });
  });
});

describe('59 CHANGE_STATUS', () => {
  it('decodes and encodes the captured 01 and the 02 that followed (§12.7.3)', () => {
    const f = oneFrame(changeStatus);
    expect(f.header).toEqual({ pkgLen: 1, cmd: TrackerCmd.StorageChangeStatus, status: 0 });
    expect(decodeChangeStatusRequest(f.body)).toBe(StorageStatus.WaitSync);
    expect(encodeChangeStatusRequest(StorageStatus.WaitSync)).toEqual(changeStatus);
    expect(decodeChangeStatusRequest(oneFrame(encodeChangeStatusRequest(2)).body)).toBe(StorageStatus.Syncing);
    expect(changeStatusResp).toEqual(emptyResp);
    expectEinval(() => decodeChangeStatusRequest(Buffer.alloc(2)), TrackerCmd.StorageChangeStatus);
  });
});

describe('71 STORAGE_GET_STATUS', () => {
  it('decodes and encodes the captured ACTIVE lookup (§12.6)', () => {
    const f = oneFrame(getStatusReq0);
    expect(f.header).toEqual({ pkgLen: 31, cmd: TrackerCmd.StorageGetStatus, status: 0 });
    expect(decodeGetStatusRequest(f.body)).toEqual({ group: 'group1', ip: '10.77.0.3', port: 23000 });
    expect(encodeGetStatusRequest({ group: 'group1', ip: '10.77.0.3', port: 23000 })).toEqual(getStatusReq0);
    const r = oneFrame(getStatusResp0);
    expect(r.header).toEqual({ pkgLen: 67, cmd: CommonCmd.Resp, status: 0 });
    const brief = { status: StorageStatus.Active, port: 23000, id: '10.77.0.3', ipAddr: '10.77.0.3' };
    expect(decodeGetStatusResponse(r.body)).toEqual(brief);
    expect(encodeGetStatusResponse(brief)).toEqual(getStatusResp0);
  });

  it('decodes and encodes the captured RECOVERY lookup (§12.7.6)', () => {
    expect(decodeGetStatusRequest(oneFrame(getStatusReq).body)).toEqual({ group: 'group1', ip: '10.77.1.5', port: 23000 });
    expect(encodeGetStatusRequest({ group: 'group1', ip: '10.77.1.5', port: 23000 })).toEqual(getStatusReq);
    const brief = { status: StorageStatus.Recovery, port: 23000, id: '10.77.1.5', ipAddr: '10.77.1.5' };
    expect(getStatusResp).toHaveLength(77);
    expect(decodeGetStatusResponse(oneFrame(getStatusResp).body)).toEqual(brief);
    expect(encodeGetStatusResponse(brief)).toEqual(getStatusResp);
  });

  it('rejects a missing or malformed ip:port with EINVAL', () => {
    expectEinval(() => decodeGetStatusRequest(Buffer.alloc(16)), TrackerCmd.StorageGetStatus);
    expectEinval(() => decodeGetStatusRequest(Buffer.concat([Buffer.alloc(16), Buffer.from('10.77.1.5')])),
      TrackerCmd.StorageGetStatus);
    expect(() => decodeGetStatusResponse(Buffer.alloc(66))).toThrow(ProtocolError);
  });
});

describe('78 REPORT_IP_CHANGED', () => {
  it('round-trips the 108-byte body', () => {
    const req = { group: 'group1', oldIp: '10.77.1.5', newIp: '10.77.1.6' };
    const pkt = encodeReportIpChangedRequest(req);
    const f = oneFrame(pkt);
    expect(f.header).toEqual({ pkgLen: 108, cmd: TrackerCmd.StorageReportIpChanged, status: 0 });
    expect(f.body.subarray(62, 71).toString()).toBe('10.77.1.6');
    expect(decodeReportIpChangedRequest(f.body)).toEqual(req);
    expectEinval(() => decodeReportIpChangedRequest(Buffer.alloc(107)), TrackerCmd.StorageReportIpChanged);
  });
});
