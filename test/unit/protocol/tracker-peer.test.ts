import { describe, it, expect } from 'vitest';
import {
  SIZES, SYS_FILES, decodeGetOneSysFileRequest, decodeGetOneSysFileResponse, decodeGetTrackerStatusResponse,
  decodeJoinLeaderRequest, decodeNextLeaderRequest, decodePingLeaderRequest, decodePingLeaderResponse,
  encodeGetOneSysFileRequest, encodeGetOneSysFileResponse, encodeGetSysFilesEndRequest, encodeGetSysFilesStartRequest,
  encodeGetTrackerStatusRequest, encodeGetTrackerStatusResponse, encodeJoinLeaderRequest, encodeNextLeaderRequest,
  encodeNotifyReselectLeaderRequest, encodePingLeaderRequest, encodePingLeaderResponse,
} from '../../../src/protocol/tracker-peer.js';
import { encodeHeader } from '../../../src/protocol/header.js';
import { CommonCmd, TrackerCmd } from '../../../src/protocol/codes.js';
import { Errno, ProtocolError, StatusError } from '../../../src/errors.js';
import { oneFrame, packets } from './cluster-fixtures.js';

// §12.6: 64 TRACKER_GET_STATUS — leader, running 600 s, restart interval 0.
const [statusReq0, statusResp0] = packets(`
-> 0000  00 00 00 00 00 00 00 00 40 00                    |........@.|
<- 0000  00 00 00 00 00 00 00 11 64 00 01 00 00 00 00 00  |........d.......|
   0010  00 02 58 00 00 00 00 00 00 00 00                 |..X........|`);

// §12.7.5: 64 answered by the leader (01, zeros) and later by a follower (00, zeros).
const [statusReq, statusLeader, statusFollower] = packets(`
-> 0000  00 00 00 00 00 00 00 00 40 00                    |........@.|
<- 0000  00 00 00 00 00 00 00 11 64 00 01 00 00 00 00 00  |........d.......|
   0010  00 00 00 00 00 00 00 00 00 00 00                 |...........|
<- 0000  00 00 00 00 00 00 00 11 64 00 00 00 00 00 00 00  |........d.......|
   0010  00 00 00 00 00 00 00 00 00 00 00                 |...........|`);

// §12.7.5: 61 → 63 (index 0: 199-byte storage_groups_new.dat, shown only in part) → 63 (index 3: empty) → 62.
const [start, startResp, one0, one0Resp, one3, one3Resp, end, endResp] = packets(`
-> 0000  00 00 00 00 00 00 00 00 3d 00                    |........=.|
<- 0000  00 00 00 00 00 00 00 00 64 00                    |........d.|
-> 0000  00 00 00 00 00 00 00 09 3f 00 00 00 00 00 00 00  |........?.......|
   0010  00 00 00                                         |...|
<- 0000  00 00 00 00 00 00 00 cf 64 00 00 00 00 00 00 00  |........d.......|
   0010  00 c7 5b 47 6c 6f 62 61 6c 5d 0a 09 67 72 6f 75  |..[Global]..grou|
   0020  70 5f 63 6f 75 6e 74 3d 31 0a 0a 23 20 67 72 6f  |p_count=1..# gro|
   0030  75 70 3a 20 67 72 6f 75 70 31 0a 5b 47 72 6f 75  |up: group1.[Grou|
   …     (217 bytes in total)
-> 0000  00 00 00 00 00 00 00 09 3f 00 03 00 00 00 00 00  |........?.......|
   0010  00 00 00                                         |...|
<- 0000  00 00 00 00 00 00 00 08 64 00 00 00 00 00 00 00  |........d.......|
   0010  00 00                                            |..|
-> 0000  00 00 00 00 00 00 00 00 3e 00                    |........>.|
<- 0000  00 00 00 00 00 00 00 00 64 00                    |........d.|`);

// §12.7.5: 58 JOIN_LEADER and the first 65 PING_LEADER on the connection (one group, no trunk server).
const [joinLeader, joinLeaderResp, ping, pingResp] = packets(`
-> 0000  00 00 00 00 00 00 00 18 3a 00 00 00 00 00 6b 01  |........:.....k.|
   0010  f8 b8 36 2e 31 36 2e 31 00 00 00 00 00 00 00 00  |..6.16.1........|
   0020  56 6a                                            |Vj|
<- 0000  00 00 00 00 00 00 00 00 64 00                    |........d.|
-> 0000  00 00 00 00 00 00 00 0c 41 00 00 00 01 00 00 00  |........A.......|
   0010  00 01 00 00 00 02                                |......|
<- 0000  00 00 00 00 00 00 00 20 64 00 67 72 6f 75 70 31  |....... d.group1|
   0010  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  |................|
   0020  00 00 00 00 00 00 00 00 00 00                    |..........|`);

// §12.7.5: 66 NOTIFY_NEXT_LEADER and 67 COMMIT_NEXT_LEADER, both answered empty.
const [notify, notifyResp, commit, commitResp] = packets(`
-> 0000  00 00 00 00 00 00 00 0f 42 00 31 30 2e 37 37 2e  |........B.10.77.|
   0010  31 2e 35 3a 32 32 31 32 32                       |1.5:22122|
<- 0000  00 00 00 00 00 00 00 00 64 00                    |........d.|
-> 0000  00 00 00 00 00 00 00 0f 43 00 31 30 2e 37 37 2e  |........C.10.77.|
   0010  31 2e 35 3a 32 32 31 32 32                       |1.5:22122|
<- 0000  00 00 00 00 00 00 00 00 64 00                    |........d.|`);

const emptyResp = encodeHeader(0, CommonCmd.Resp);

function expectEinval(fn: () => unknown, cmd: number): void {
  expect(fn).toThrow(StatusError);
  try { fn(); } catch (err) {
    expect((err as StatusError).errno).toBe(Errno.EINVAL);
    expect((err as StatusError).cmd).toBe(cmd);
  }
}

describe('64 TRACKER_GET_STATUS', () => {
  it('decodes and encodes the captured answers (§12.6, §12.7.5)', () => {
    for (const req of [statusReq0, statusReq]) {
      expect(oneFrame(req).header).toEqual({ pkgLen: 0, cmd: TrackerCmd.TrackerGetStatus, status: 0 });
      expect(encodeGetTrackerStatusRequest()).toEqual(req);
    }
    const cases = [
      [statusResp0, { ifLeader: true, runningTime: 600, restartInterval: 0 }],
      [statusLeader, { ifLeader: true, runningTime: 0, restartInterval: 0 }],
      [statusFollower, { ifLeader: false, runningTime: 0, restartInterval: 0 }],
    ] as const;
    for (const [pkt, status] of cases) {
      const f = oneFrame(pkt);
      expect(f.header).toEqual({ pkgLen: SIZES.trackerStatus, cmd: CommonCmd.Resp, status: 0 });
      expect(decodeGetTrackerStatusResponse(f.body)).toEqual(status);
      expect(encodeGetTrackerStatusResponse(status)).toEqual(pkt);
    }
  });
});

describe('61 / 63 / 62 system-file transfer', () => {
  it('61 and 62 are header-only both ways (§12.7.5)', () => {
    expect(encodeGetSysFilesStartRequest()).toEqual(start);
    expect(encodeGetSysFilesEndRequest()).toEqual(end);
    expect(oneFrame(start).header.cmd).toBe(TrackerCmd.TrackerGetSysFilesStart);
    expect(oneFrame(end).header.cmd).toBe(TrackerCmd.TrackerGetSysFilesEnd);
    expect(startResp).toEqual(emptyResp);
    expect(endResp).toEqual(emptyResp);
  });

  it('decodes and encodes the captured 63 requests for index 0 and 3', () => {
    for (const [pkt, index] of [[one0, 0], [one3, 3]] as const) {
      const f = oneFrame(pkt);
      expect(f.header).toEqual({ pkgLen: 9, cmd: TrackerCmd.TrackerGetOneSysFile, status: 0 });
      expect(decodeGetOneSysFileRequest(f.body)).toEqual({ index, offset: 0 });
      expect(encodeGetOneSysFileRequest({ index, offset: 0 })).toEqual(pkt);
    }
    expect(SYS_FILES[0]).toBe('storage_groups_new.dat');
    expect(SYS_FILES[3]).toBe('storage_changelog.dat');
  });

  it('decodes the 199-byte storage_groups_new.dat answer and the empty changelog answer', () => {
    const f = oneFrame(one0Resp);
    expect(f.header).toEqual({ pkgLen: 207, cmd: CommonCmd.Resp, status: 0 });
    const res = decodeGetOneSysFileResponse(f.body);
    expect(res.fileSize).toBe(199);
    expect(res.data).toHaveLength(199);
    expect(res.data.toString('latin1', 0, 46)).toBe('[Global]\n\tgroup_count=1\n\n# group: group1\n[Grou');
    expect(encodeGetOneSysFileResponse(res)).toEqual(one0Resp);
    expect(decodeGetOneSysFileResponse(oneFrame(one3Resp).body)).toEqual({ fileSize: 0, data: Buffer.alloc(0) });
    expect(encodeGetOneSysFileResponse({ fileSize: 0, data: Buffer.alloc(0) })).toEqual(one3Resp);
  });

  it('rejects bad indexes and inconsistent answers', () => {
    expectEinval(() => decodeGetOneSysFileRequest(Buffer.from([4, 0, 0, 0, 0, 0, 0, 0, 0])), TrackerCmd.TrackerGetOneSysFile);
    expectEinval(() => decodeGetOneSysFileRequest(Buffer.alloc(8)), TrackerCmd.TrackerGetOneSysFile);
    expect(() => decodeGetOneSysFileResponse(Buffer.alloc(7))).toThrow(ProtocolError);
    const tooMuch = encodeGetOneSysFileResponse({ fileSize: 1, data: Buffer.from('ab') });
    expect(() => decodeGetOneSysFileResponse(tooMuch.subarray(10))).toThrow(ProtocolError);
    expect(() => encodeGetOneSysFileResponse({ fileSize: 9000, data: Buffer.alloc(8182) })).toThrow();
  });
});

describe('58 TRACKER_JOIN_LEADER and 65 TRACKER_PING_LEADER', () => {
  it('decodes and encodes the captured join (§12.7.5)', () => {
    const req = { upTime: 0x6b01f8b8, version: '6.16.1', serverPort: 22122 };
    const f = oneFrame(joinLeader);
    expect(f.header).toEqual({ pkgLen: 24, cmd: TrackerCmd.TrackerJoinLeader, status: 0 });
    expect(decodeJoinLeaderRequest(f.body)).toEqual(req);
    expect(encodeJoinLeaderRequest(req)).toEqual(joinLeader);
    expect(joinLeaderResp).toEqual(emptyResp);
    expectEinval(() => decodeJoinLeaderRequest(Buffer.alloc(23)), TrackerCmd.TrackerJoinLeader);
  });

  it('decodes and encodes the captured ping and its first answer', () => {
    const req = { allocCount: 256, currentCount: 1, maxCount: 2 };
    const f = oneFrame(ping);
    expect(f.header).toEqual({ pkgLen: 12, cmd: TrackerCmd.TrackerPingLeader, status: 0 });
    expect(decodePingLeaderRequest(f.body)).toEqual(req);
    expect(encodePingLeaderRequest(req)).toEqual(ping);
    const r = oneFrame(pingResp);
    expect(r.header).toEqual({ pkgLen: 32, cmd: CommonCmd.Resp, status: 0 });
    expect(decodePingLeaderResponse(r.body)).toEqual([{ group: 'group1', trunkServerId: '' }]);
    expect(encodePingLeaderResponse([{ group: 'group1', trunkServerId: '' }])).toEqual(pingResp);
  });

  it('answers later pings with an empty body', () => {
    expect(encodePingLeaderResponse([])).toEqual(emptyResp);
    expect(decodePingLeaderResponse(Buffer.alloc(0))).toEqual([]);
    expect(() => decodePingLeaderResponse(Buffer.alloc(33))).toThrow(ProtocolError);
    expectEinval(() => decodePingLeaderRequest(Buffer.alloc(11)), TrackerCmd.TrackerPingLeader);
  });
});

describe('66 / 67 next leader, 68 reselect', () => {
  it('decodes and encodes the captured notify and commit (§12.7.5)', () => {
    const leader = { ip: '10.77.1.5', port: 22122 };
    for (const [pkt, resp, cmd] of [
      [notify, notifyResp, TrackerCmd.TrackerNotifyNextLeader],
      [commit, commitResp, TrackerCmd.TrackerCommitNextLeader],
    ] as const) {
      const f = oneFrame(pkt);
      expect(f.header).toEqual({ pkgLen: 15, cmd, status: 0 });
      expect(decodeNextLeaderRequest(cmd, f.body)).toEqual(leader);
      expect(encodeNextLeaderRequest(cmd, leader)).toEqual(pkt);
      expect(resp).toEqual(emptyResp);
    }
  });

  it('brackets IPv6, rejects bad text with EINVAL; 68 is header-only', () => {
    const cmd = TrackerCmd.TrackerNotifyNextLeader;
    const v6 = encodeNextLeaderRequest(cmd, { ip: 'fe80::5', port: 22122 });
    expect(v6.subarray(10).toString()).toBe('[fe80::5]:22122');
    expect(decodeNextLeaderRequest(cmd, v6.subarray(10))).toEqual({ ip: 'fe80::5', port: 22122 });
    expectEinval(() => decodeNextLeaderRequest(cmd, Buffer.from('10.77.1.5')), cmd);
    expectEinval(() => decodeNextLeaderRequest(cmd, Buffer.alloc(0)), cmd);
    expectEinval(() => decodeNextLeaderRequest(cmd, Buffer.alloc(53, 0x31)), cmd);
    expect(encodeNotifyReselectLeaderRequest()).toEqual(encodeHeader(0, TrackerCmd.TrackerNotifyReselectLeader));
  });
});
