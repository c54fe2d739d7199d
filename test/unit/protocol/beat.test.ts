import { describe, it, expect } from 'vitest';
import {
  NotifyFlag, SIZES, decodeBeatRequest, decodeBrief, decodeChangeNotification, decodeDiskUsageRequest,
  decodeSyncReportRequest, encodeBeatRequest, encodeBrief, encodeChangeNotification, encodeDiskUsageRequest,
  encodeSyncReportRequest, isEmptyBrief, type StorageBrief,
} from '../../../src/protocol/beat.js';
import { encodeChangelogRequest } from '../../../src/protocol/sync-coord.js';
import { decodeStatBlock, encodeStatBlock } from '../../../src/protocol/tracker-list.js';
import { encodeHeader } from '../../../src/protocol/header.js';
import { CommonCmd, StorageStatus, TrackerCmd } from '../../../src/protocol/codes.js';
import { Errno, ProtocolError, StatusError } from '../../../src/errors.js';
import { wire } from '../../helpers/wire.js';
import { codecCases, oneFrame } from '../../helpers/codec-cases.js';

const beatStats = wire('storage-beat.req-stats');
const diskUsage = wire('report-disk-usage.req');
const notify05 = wire('change-notify.flags-05');
const notify04 = wire('change-notify.flags-04');

const member = (ip: string, status: number): StorageBrief => ({ status, port: 23000, id: ip, ipAddr: ip });
const leader: StorageBrief = { status: 0, port: 22122, id: '10.77.1.1', ipAddr: '10.77.1.1' };

function expectEinval(fn: () => unknown, cmd: number): void {
  expect(fn).toThrow(StatusError);
  try { fn(); } catch (err) {
    expect((err as StatusError).errno).toBe(Errno.EINVAL);
    expect((err as StatusError).cmd).toBe(cmd);
  }
}

const notification = { encode: encodeChangeNotification, decode: (b: Buffer) => decodeChangeNotification(b) };
const noBody = (b: Buffer): null => { expect(b).toHaveLength(0); return null; };

codecCases('beat captures (§12.5, §12.7.1–3)', {}, [
  { name: '83 BEAT, empty (steady state)', fixture: 'storage-beat.req', header: { pkgLen: 0, cmd: TrackerCmd.StorageBeat, status: 0 },
    value: null, encode: () => encodeBeatRequest(), decode: (b) => decodeBeatRequest(b) },
  { name: '83 BEAT before a flags-05 answer', fixture: 'storage-beat.req-before-notify-05', header: { cmd: TrackerCmd.StorageBeat },
    value: null, encode: () => encodeBeatRequest(), decode: (b) => decodeBeatRequest(b) },
  { name: '83 answer 00', fixture: 'storage-beat.resp-00', value: { flags: 0 }, ...notification },
  { name: '77 CHANGELOG_REQ, empty', fixture: 'changelog.req-empty', header: { pkgLen: 0, cmd: TrackerCmd.StorageChangelogReq, status: 0 },
    value: null, encode: () => encodeChangelogRequest(), decode: noBody },
  { name: '77 answer, empty', fixture: 'changelog.resp-empty', header: { pkgLen: 0, cmd: CommonCmd.Resp, status: 0 },
    value: null, encode: () => encodeHeader(0, CommonCmd.Resp), decode: noBody },
  { name: '83 BEAT with the 348-byte stat block', fixture: 'storage-beat.req-stats', header: { pkgLen: 348, cmd: TrackerCmd.StorageBeat, status: 0 },
    value: decodeBeatRequest(beatStats.subarray(10)), encode: (v) => encodeBeatRequest(v!), decode: (b) => decodeBeatRequest(b) },
  { name: '84 REPORT_DISK_USAGE (§12.5)', fixture: 'report-disk-usage.req-12-5', header: { pkgLen: 16, cmd: TrackerCmd.StorageReportDiskUsage, status: 0 },
    value: [{ totalMb: 258019, freeMb: 79118 }], encode: encodeDiskUsageRequest, decode: (b) => decodeDiskUsageRequest(b, 1) },
  { name: '84 REPORT_DISK_USAGE (§12.7.1)', fixture: 'report-disk-usage.req', header: { pkgLen: 16, cmd: TrackerCmd.StorageReportDiskUsage, status: 0 },
    value: [{ totalMb: 258019, freeMb: 76497 }], encode: encodeDiskUsageRequest, decode: (b) => decodeDiskUsageRequest(b, 1) },
  { name: '84 answer 00', fixture: 'report-disk-usage.resp', value: { flags: 0 }, ...notification },
  { name: '89 SYNC_REPORT, three members', fixture: 'sync-report.req', header: { pkgLen: 60, cmd: TrackerCmd.StorageSyncReport, status: 0 },
    value: [
      { storageId: '10.77.1.2', timestamp: 0x6b01f720 },
      { storageId: '10.77.1.3', timestamp: 0 },
      { storageId: '10.77.1.5', timestamp: 0 },
    ], encode: encodeSyncReportRequest, decode: (b) => decodeSyncReportRequest(b) },
  { name: '89 answer 00', fixture: 'sync-report.resp', value: { flags: 0 }, ...notification },
  { name: 'change notification 05: leader brief + members', fixture: 'change-notify.flags-05',
    header: { pkgLen: 135, cmd: CommonCmd.Resp, status: 0 },
    value: { flags: NotifyFlag.TrackerLeader | NotifyFlag.GroupServer, leader, members: [member('10.77.1.2', StorageStatus.Active)] },
    ...notification },
  { name: 'change notification 04: members only', fixture: 'change-notify.flags-04',
    value: { flags: NotifyFlag.GroupServer, members: [member('10.77.1.2', StorageStatus.Active), member('10.77.1.3', StorageStatus.WaitSync)] },
    ...notification },
]);

describe('83 STORAGE_BEAT', () => {
  it('carries the captured 348-byte stat block through unchanged (§12.5)', () => {
    const block = decodeBeatRequest(oneFrame(beatStats).body)!;
    expect(block).toHaveLength(SIZES.statBlock);
    // The layout belongs to tracker-list.ts; cross-check the decoded values the spec lists.
    const s = decodeStatBlock(block);
    expect(s).toMatchObject({
      connectionAllocCount: 64, connectionCurrentCount: 0, connectionMaxCount: 16,
      totalUploadCount: 68419, successUploadCount: 68419, totalDownloadCount: 68417, successDownloadCount: 68417,
      totalUploadBytes: 1771740253, successUploadBytes: 1771740253,
      totalDownloadBytes: 1771720224, successDownloadBytes: 1771720224,
      totalFileOpenCount: 136836, successFileOpenCount: 136836, totalFileReadCount: 74113, successFileReadCount: 74113,
      totalFileWriteCount: 74115, successFileWriteCount: 74115,
      lastSourceUpdate: 1795289211, lastSyncUpdate: 0, lastSyncedTimestamp: 0, lastHeartBeatTime: 0,
    });
    expect(encodeBeatRequest(encodeStatBlock(s))).toEqual(beatStats);
  });

  it('rejects any other body length with EINVAL', () => {
    expectEinval(() => decodeBeatRequest(Buffer.alloc(347)), TrackerCmd.StorageBeat);
    expectEinval(() => encodeBeatRequest(Buffer.alloc(10)), TrackerCmd.StorageBeat);
  });
});

describe('84 STORAGE_REPORT_DISK_USAGE', () => {
  it('rejects a wrong length or path count with EINVAL', () => {
    const body = oneFrame(diskUsage).body;
    expectEinval(() => decodeDiskUsageRequest(body, 2), TrackerCmd.StorageReportDiskUsage);
    expectEinval(() => decodeDiskUsageRequest(body.subarray(0, 15)), TrackerCmd.StorageReportDiskUsage);
    expectEinval(() => decodeDiskUsageRequest(Buffer.alloc(0)), TrackerCmd.StorageReportDiskUsage);
    const two = [{ totalMb: 1, freeMb: 2 }, { totalMb: 3, freeMb: 4 }];
    expect(decodeDiskUsageRequest(oneFrame(encodeDiskUsageRequest(two)).body, 2)).toEqual(two);
  });
});

describe('89 STORAGE_SYNC_REPORT', () => {
  it('rejects a body that is not n × 20', () => {
    expectEinval(() => decodeSyncReportRequest(Buffer.alloc(21)), TrackerCmd.StorageSyncReport);
    expectEinval(() => decodeSyncReportRequest(Buffer.alloc(0)), TrackerCmd.StorageSyncReport);
  });
});

describe('change notification (answer to 83/84/89)', () => {
  it('sizes the third storage\'s first answer at 269 bytes and carries a zero trunk brief', () => {
    const members = [member('10.77.1.2', 7), member('10.77.1.3', 7), member('10.77.1.5', 1)];
    expect(encodeChangeNotification({ leader, members }).length - 10).toBe(269);
    const zero: StorageBrief = { status: 0, port: 0, id: '', ipAddr: '' };
    const pkt = encodeChangeNotification({ leader, trunkServer: zero, members });
    const n = decodeChangeNotification(oneFrame(pkt).body);
    expect(n.flags).toBe(7);
    expect(isEmptyBrief(n.trunkServer!)).toBe(true);
    expect(n.members).toEqual(members);
  });

  it('rejects lengths that are not 1 + n × 67, unknown flags and missing briefs', () => {
    const body = oneFrame(notify05).body;
    expect(() => decodeChangeNotification(body.subarray(0, 100))).toThrow(ProtocolError);
    expect(() => decodeChangeNotification(Buffer.from([8]))).toThrow(/flags/);
    expect(() => decodeChangeNotification(Buffer.from([1]))).toThrow(/leader/);
    expect(() => decodeChangeNotification(Buffer.concat([Buffer.from([0]), body.subarray(1, 68)]))).toThrow(/beyond/);
  });
});

describe('storage brief', () => {
  it('is 67 bytes: status, port i32, id[16], ip[46]', () => {
    const b = member('10.77.1.2', StorageStatus.Active);
    const buf = encodeBrief(b);
    expect(buf).toEqual(oneFrame(notify04).body.subarray(1, 68));
    expect(decodeBrief(buf)).toEqual(b);
    expect(() => decodeBrief(buf.subarray(1))).toThrow(ProtocolError);
  });
});
