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
import { wire } from '../../helpers/wire.js';
import { codecCases, oneFrame } from '../../helpers/codec-cases.js';

const emptyResp = encodeHeader(0, CommonCmd.Resp);

function expectEinval(fn: () => unknown, cmd: number): void {
  expect(fn).toThrow(StatusError);
  try { fn(); } catch (err) {
    expect((err as StatusError).errno).toBe(Errno.EINVAL);
    expect((err as StatusError).cmd).toBe(cmd);
  }
}

const empty = { value: null, encode: () => emptyResp, decode: (b: Buffer): null => { expect(b).toHaveLength(0); return null; } };
const headerOnly = (cmd: number, encode: () => Buffer) =>
  ({ header: { pkgLen: 0, cmd, status: 0 }, value: null, encode, decode: (b: Buffer): null => { expect(b).toHaveLength(0); return null; } });
const status = { encode: encodeGetTrackerStatusResponse, decode: (b: Buffer) => decodeGetTrackerStatusResponse(b) };
const statusHeader = { pkgLen: SIZES.trackerStatus, cmd: CommonCmd.Resp, status: 0 };
const oneSysFile = { encode: encodeGetOneSysFileRequest, decode: (b: Buffer) => decodeGetOneSysFileRequest(b) };
const nextLeader = (cmd: 66 | 67) => ({ header: { pkgLen: 15, cmd, status: 0 }, value: { ip: '10.77.1.5', port: 22122 },
  encode: (v: { ip: string; port: number }) => encodeNextLeaderRequest(cmd, v), decode: (b: Buffer) => decodeNextLeaderRequest(cmd, b) });

codecCases('tracker-peer captures (§12.6, §12.7.5)', {}, [
  { name: '64 GET_STATUS (§12.6)', fixture: 'tracker-get-status.req', ...headerOnly(TrackerCmd.TrackerGetStatus, encodeGetTrackerStatusRequest) },
  { name: '64 answer: leader, running 600 s', fixture: 'tracker-get-status.resp-running', header: statusHeader,
    value: { ifLeader: true, runningTime: 600, restartInterval: 0 }, ...status },
  { name: '64 answer by the leader', fixture: 'tracker-get-status.resp-leader', header: statusHeader,
    value: { ifLeader: true, runningTime: 0, restartInterval: 0 }, ...status },
  { name: '64 answer by a follower', fixture: 'tracker-get-status.resp-follower', header: statusHeader,
    value: { ifLeader: false, runningTime: 0, restartInterval: 0 }, ...status },
  { name: '61 GET_SYS_FILES_START', fixture: 'get-sys-files-start.req', ...headerOnly(TrackerCmd.TrackerGetSysFilesStart, encodeGetSysFilesStartRequest) },
  { name: '61 answer', fixture: 'get-sys-files-start.resp', ...empty },
  { name: '62 GET_SYS_FILES_END', fixture: 'get-sys-files-end.req', ...headerOnly(TrackerCmd.TrackerGetSysFilesEnd, encodeGetSysFilesEndRequest) },
  { name: '62 answer', fixture: 'get-sys-files-end.resp', ...empty },
  { name: '63 GET_ONE_SYS_FILE index 0', fixture: 'get-one-sys-file.req-0', header: { pkgLen: 9, cmd: TrackerCmd.TrackerGetOneSysFile, status: 0 },
    value: { index: 0, offset: 0 }, ...oneSysFile },
  { name: '63 GET_ONE_SYS_FILE index 3', fixture: 'get-one-sys-file.req-3', header: { pkgLen: 9, cmd: TrackerCmd.TrackerGetOneSysFile, status: 0 },
    value: { index: 3, offset: 0 }, ...oneSysFile },
  { name: '63 answer: 199-byte storage_groups_new.dat', fixture: 'get-one-sys-file.resp-0', header: { pkgLen: 207, cmd: CommonCmd.Resp, status: 0 },
    value: { fileSize: 199, data: wire('get-one-sys-file.resp-0').subarray(18) },
    encode: encodeGetOneSysFileResponse, decode: (b) => decodeGetOneSysFileResponse(b) },
  { name: '63 answer: empty changelog', fixture: 'get-one-sys-file.resp-3', value: { fileSize: 0, data: Buffer.alloc(0) },
    encode: encodeGetOneSysFileResponse, decode: (b) => decodeGetOneSysFileResponse(b) },
  { name: '58 JOIN_LEADER', fixture: 'join-leader.req', header: { pkgLen: 24, cmd: TrackerCmd.TrackerJoinLeader, status: 0 },
    value: { upTime: 0x6b01f8b8, version: '6.16.1', serverPort: 22122 }, encode: encodeJoinLeaderRequest, decode: (b) => decodeJoinLeaderRequest(b) },
  { name: '58 answer', fixture: 'join-leader.resp', ...empty },
  { name: '65 PING_LEADER', fixture: 'ping-leader.req', header: { pkgLen: 12, cmd: TrackerCmd.TrackerPingLeader, status: 0 },
    value: { allocCount: 256, currentCount: 1, maxCount: 2 }, encode: encodePingLeaderRequest, decode: (b) => decodePingLeaderRequest(b) },
  { name: '65 first answer: one group, no trunk server', fixture: 'ping-leader.resp', header: { pkgLen: 32, cmd: CommonCmd.Resp, status: 0 },
    value: [{ group: 'group1', trunkServerId: '' }], encode: encodePingLeaderResponse, decode: (b) => decodePingLeaderResponse(b) },
  { name: '65 later answers: empty', hex: '00 00 00 00 00 00 00 00 64 00', value: [],
    encode: encodePingLeaderResponse, decode: (b) => decodePingLeaderResponse(b) },
  { name: '66 NOTIFY_NEXT_LEADER', fixture: 'notify-next-leader.req', ...nextLeader(TrackerCmd.TrackerNotifyNextLeader) },
  { name: '66 answer', fixture: 'notify-next-leader.resp', ...empty },
  { name: '67 COMMIT_NEXT_LEADER', fixture: 'commit-next-leader.req', ...nextLeader(TrackerCmd.TrackerCommitNextLeader) },
  { name: '67 answer', fixture: 'commit-next-leader.resp', ...empty },
  { name: '66 with a bracketed IPv6 leader', hex: '00 00 00 00 00 00 00 0f 42 00' + Buffer.from('[fe80::5]:22122').toString('hex').replace(/(..)/g, ' $1'),
    ...nextLeader(TrackerCmd.TrackerNotifyNextLeader), value: { ip: 'fe80::5', port: 22122 } },
]);

describe('61 / 63 / 62 system-file transfer', () => {
  it('names the files by index and shows the captured text', () => {
    expect(SYS_FILES[0]).toBe('storage_groups_new.dat');
    expect(SYS_FILES[3]).toBe('storage_changelog.dat');
    const res = decodeGetOneSysFileResponse(oneFrame(wire('get-one-sys-file.resp-0')).body);
    expect(res.data.toString('latin1', 0, 46)).toBe('[Global]\n\tgroup_count=1\n\n# group: group1\n[Grou');
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
  it('rejects short bodies and a partial answer', () => {
    expectEinval(() => decodeJoinLeaderRequest(Buffer.alloc(23)), TrackerCmd.TrackerJoinLeader);
    expect(() => decodePingLeaderResponse(Buffer.alloc(33))).toThrow(ProtocolError);
    expectEinval(() => decodePingLeaderRequest(Buffer.alloc(11)), TrackerCmd.TrackerPingLeader);
  });
});

describe('66 / 67 next leader, 68 reselect', () => {
  it('rejects bad text with EINVAL; 68 is header-only', () => {
    const cmd = TrackerCmd.TrackerNotifyNextLeader;
    expectEinval(() => decodeNextLeaderRequest(cmd, Buffer.from('10.77.1.5')), cmd);
    expectEinval(() => decodeNextLeaderRequest(cmd, Buffer.alloc(0)), cmd);
    expectEinval(() => decodeNextLeaderRequest(cmd, Buffer.alloc(53, 0x31)), cmd);
    expect(encodeNotifyReselectLeaderRequest()).toEqual(encodeHeader(0, TrackerCmd.TrackerNotifyReselectLeader));
  });
});
