import { describe, it, expect } from 'vitest';
import {
  NotifyFlag, SIZES, decodeBeatRequest, decodeBrief, decodeChangeNotification, decodeDiskUsageRequest,
  decodeSyncReportRequest, encodeBeatRequest, encodeBrief, encodeChangeNotification, encodeDiskUsageRequest,
  encodeSyncReportRequest, isEmptyBrief, type StorageBrief,
} from '../../../src/protocol/beat.js';
import { encodeChangelogRequest } from '../../../src/protocol/sync-coord.js';
import { decodeStatBlock, encodeStatBlock } from '../../../src/protocol/tracker-list.js';
import { CommonCmd, StorageStatus, TrackerCmd } from '../../../src/protocol/codes.js';
import { Errno, ProtocolError, StatusError } from '../../../src/errors.js';
import { oneFrame, packets } from './cluster-fixtures.js';

// §12.5 steady state: empty BEAT → flag byte 00; 77 CHANGELOG_REQ → empty.
const [beatEmpty, beatResp00, changelogEmpty, changelogResp] = packets(`
-> 0000  00 00 00 00 00 00 00 00 53 00                    |........S.|
<- 0000  00 00 00 00 00 00 00 01 64 00 00                 |........d..|
-> 0000  00 00 00 00 00 00 00 00 4d 00                    |........M.|
<- 0000  00 00 00 00 00 00 00 00 64 00                    |........d.|`);

// §12.5: BEAT with the 348-byte stat block (zero runs elided in the spec).
const [beatStats] = packets(`
-> 0000  00 00 00 00 00 00 01 5c 53 00 00 00 00 40 00 00  |.......\\S....@..|
   0010  00 00 00 00 00 10 00 00 00 00 00 01 0b 43 00 00  |.............C..|
   0020  00 00 00 01 0b 43 00 00 00 00 00 00 00 00 00 00  |.....C..........|
   0030  … (zeros up to 0x0079) …
   0070  00 00 00 00 00 00 00 00 00 00 00 01 0b 41 00 00  |.............A..|
   0080  00 00 00 01 0b 41 00 00 00 00 00 00 00 00 00 00  |.....A..........|
   …
   00b0  00 00 00 00 00 00 00 00 00 00 69 9a 9c 5d 00 00  |..........i..]..|
   00c0  00 00 69 9a 9c 5d 00 00 00 00 00 00 00 00 00 00  |..i..]..........|
   …
   00e0  00 00 00 00 00 00 00 00 00 00 69 9a 4e 20 00 00  |..........i.N ..|
   00f0  00 00 69 9a 4e 20 00 00 00 00 00 00 00 00 00 00  |..i.N ..........|
   …
   0110  00 00 00 00 00 00 00 00 00 00 00 02 16 84 00 00  |................|
   0120  00 00 00 02 16 84 00 00 00 00 00 01 21 81 00 00  |............!...|
   0130  00 00 00 01 21 81 00 00 00 00 00 01 21 83 00 00  |....!.......!...|
   0140  00 00 00 01 21 83 00 00 00 00 6b 01 f0 7b 00 00  |....!.....k..{..|
   0150  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  |................|
   0160  00 00 00 00 00 00                                |......|`);

// §12.5 and §12.7.1: 84 REPORT_DISK_USAGE with one store path, and the one-byte answer.
const [diskUsage125] = packets(`
-> 0000  00 00 00 00 00 00 00 10 54 00 00 00 00 00 00 03  |........T.......|
   0010  ef e3 00 00 00 00 00 01 35 0e                    |........5.|`);
const [diskUsage, diskUsageResp] = packets(`
-> 0000  00 00 00 00 00 00 00 10 54 00 00 00 00 00 00 03  |........T.......|
   0010  ef e3 00 00 00 00 00 01 2a d1                    |........*.|
<- 0000  00 00 00 00 00 00 00 01 64 00 00                 |........d..|`);

// §12.7.2: flags 05 (leader + members) to the first storage, and flags 04 when 10.77.1.3 joined.
const [notify05Req, notify05] = packets(`
-> 0000  00 00 00 00 00 00 00 00 53 00                    |........S.|
<- 0000  00 00 00 00 00 00 00 87 64 00 05 00 00 00 56 6a  |........d.....Vj|
   0010  31 30 2e 37 37 2e 31 2e 31 00 00 00 00 00 00 00  |10.77.1.1.......|
   0020  31 30 2e 37 37 2e 31 2e 31 00 00 00 00 00 00 00  |10.77.1.1.......|
   0030  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  |................|
   0040  00 00 00 00 00 00 00 00 00 00 00 00 00 00 07 00  |................|
   0050  00 59 d8 31 30 2e 37 37 2e 31 2e 32 00 00 00 00  |.Y.10.77.1.2....|
   0060  00 00 00 31 30 2e 37 37 2e 31 2e 32 00 00 00 00  |...10.77.1.2....|
   0070  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  |................|
   0080  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  |................|
   0090  00                                               |.|`);
const [notify04] = packets(`
<- 0000  00 00 00 00 00 00 00 87 64 00 04 07 00 00 59 d8  |........d.....Y.|
   0010  31 30 2e 37 37 2e 31 2e 32 00 00 00 00 00 00 00  |10.77.1.2.......|
   0020  31 30 2e 37 37 2e 31 2e 32 00 00 00 00 00 00 00  |10.77.1.2.......|
   0030  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  |................|
   0040  00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00  |................|
   0050  00 59 d8 31 30 2e 37 37 2e 31 2e 33 00 00 00 00  |.Y.10.77.1.3....|
   0060  00 00 00 31 30 2e 37 37 2e 31 2e 33 00 00 00 00  |...10.77.1.3....|
   0070  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  |................|
   0080  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  |................|
   0090  00                                               |.|`);

// §12.7.3: 89 SYNC_REPORT from 10.77.1.5 with three members, answered by the flag byte.
const [syncReport, syncReportResp] = packets(`
-> 0000  00 00 00 00 00 00 00 3c 59 00 31 30 2e 37 37 2e  |.......<Y.10.77.|
   0010  31 2e 32 00 00 00 00 00 00 00 6b 01 f7 20 31 30  |1.2.......k.. 10|
   0020  2e 37 37 2e 31 2e 33 00 00 00 00 00 00 00 00 00  |.77.1.3.........|
   0030  00 00 31 30 2e 37 37 2e 31 2e 35 00 00 00 00 00  |..10.77.1.5.....|
   0040  00 00 00 00 00 00                                |......|
<- 0000  00 00 00 00 00 00 00 01 64 00 00                 |........d..|`);

const member = (ip: string, status: number): StorageBrief => ({ status, port: 23000, id: ip, ipAddr: ip });
const leader: StorageBrief = { status: 0, port: 22122, id: '10.77.1.1', ipAddr: '10.77.1.1' };

function expectEinval(fn: () => unknown, cmd: number): void {
  expect(fn).toThrow(StatusError);
  try { fn(); } catch (err) {
    expect((err as StatusError).errno).toBe(Errno.EINVAL);
    expect((err as StatusError).cmd).toBe(cmd);
  }
}

describe('83 STORAGE_BEAT', () => {
  it('steady state: empty BEAT answered 00, then 77 answered empty (§12.5)', () => {
    expect(oneFrame(beatEmpty).header).toEqual({ pkgLen: 0, cmd: TrackerCmd.StorageBeat, status: 0 });
    expect(decodeBeatRequest(oneFrame(beatEmpty).body)).toBeNull();
    expect(encodeBeatRequest()).toEqual(beatEmpty);
    expect(decodeChangeNotification(oneFrame(beatResp00).body)).toEqual({ flags: 0 });
    expect(encodeChangeNotification({})).toEqual(beatResp00);
    expect(oneFrame(changelogEmpty).header).toEqual({ pkgLen: 0, cmd: TrackerCmd.StorageChangelogReq, status: 0 });
    expect(encodeChangelogRequest()).toEqual(changelogEmpty);
    expect(oneFrame(changelogResp).header).toEqual({ pkgLen: 0, cmd: CommonCmd.Resp, status: 0 });
  });

  it('carries the captured 348-byte stat block through unchanged (§12.5)', () => {
    const f = oneFrame(beatStats);
    expect(f.header).toEqual({ pkgLen: 348, cmd: TrackerCmd.StorageBeat, status: 0 });
    const block = decodeBeatRequest(f.body)!;
    expect(block).toHaveLength(SIZES.statBlock);
    expect(encodeBeatRequest(block)).toEqual(beatStats);
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
  it('decodes and encodes the captured reports and the 00 answer (§12.5, §12.7.1)', () => {
    for (const [pkt, free] of [[diskUsage125, 79118], [diskUsage, 76497]] as const) {
      const f = oneFrame(pkt);
      expect(f.header).toEqual({ pkgLen: 16, cmd: TrackerCmd.StorageReportDiskUsage, status: 0 });
      expect(decodeDiskUsageRequest(f.body, 1)).toEqual([{ totalMb: 258019, freeMb: free }]);
      expect(encodeDiskUsageRequest([{ totalMb: 258019, freeMb: free }])).toEqual(pkt);
    }
    expect(decodeChangeNotification(oneFrame(diskUsageResp).body)).toEqual({ flags: 0 });
  });

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
  it('decodes and encodes the captured three-member report and its 00 answer (§12.7.3)', () => {
    const entries = [
      { storageId: '10.77.1.2', timestamp: 0x6b01f720 },
      { storageId: '10.77.1.3', timestamp: 0 },
      { storageId: '10.77.1.5', timestamp: 0 },
    ];
    const f = oneFrame(syncReport);
    expect(f.header).toEqual({ pkgLen: 60, cmd: TrackerCmd.StorageSyncReport, status: 0 });
    expect(decodeSyncReportRequest(f.body)).toEqual(entries);
    expect(encodeSyncReportRequest(entries)).toEqual(syncReport);
    expect(decodeChangeNotification(oneFrame(syncReportResp).body)).toEqual({ flags: 0 });
  });

  it('rejects a body that is not n × 20', () => {
    expectEinval(() => decodeSyncReportRequest(Buffer.alloc(21)), TrackerCmd.StorageSyncReport);
    expectEinval(() => decodeSyncReportRequest(Buffer.alloc(0)), TrackerCmd.StorageSyncReport);
  });
});

describe('change notification (answer to 83/84/89)', () => {
  it('decodes and encodes flags 05: leader brief + members (§12.7.2)', () => {
    expect(oneFrame(notify05Req).header.cmd).toBe(TrackerCmd.StorageBeat);
    const f = oneFrame(notify05);
    expect(f.header).toEqual({ pkgLen: 135, cmd: CommonCmd.Resp, status: 0 });
    const n = decodeChangeNotification(f.body);
    expect(n).toEqual({
      flags: NotifyFlag.TrackerLeader | NotifyFlag.GroupServer,
      leader,
      members: [member('10.77.1.2', StorageStatus.Active)],
    });
    expect(encodeChangeNotification({ leader, members: n.members! })).toEqual(notify05);
  });

  it('decodes and encodes flags 04: members only (§12.7.2)', () => {
    const members = [member('10.77.1.2', StorageStatus.Active), member('10.77.1.3', StorageStatus.WaitSync)];
    expect(decodeChangeNotification(oneFrame(notify04).body)).toEqual({ flags: NotifyFlag.GroupServer, members });
    expect(encodeChangeNotification({ members })).toEqual(notify04);
  });

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
