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
import { wire } from '../../helpers/wire.js';
import { codecCases, oneFrame } from '../../helpers/codec-cases.js';

const reportStatus = wire('report-status.req');

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

const empty = { value: null, encode: () => emptyResp, decode: (b: Buffer): null => { expect(b).toHaveLength(0); return null; } };
const planAnswer = { encode: encodeSyncPlanResponse, decode: (b: Buffer) => decodeSyncPlanResponse(b) };
const syncing = { group: 'group1', brief: { status: StorageStatus.Syncing, port: 0, id: '10.77.1.3', ipAddr: '10.77.1.3' } };
const respHeader = (pkgLen: number) => ({ pkgLen, cmd: CommonCmd.Resp, status: 0 });

codecCases('sync-coord captures (§12.6, §12.7.1, §12.7.3, §12.7.6)', {}, [
  { name: '87 SYNC_DEST_REQ', fixture: 'sync-dest-req.req', header: { pkgLen: 0, cmd: TrackerCmd.StorageSyncDestReq, status: 0 },
    value: null, encode: () => encodeSyncDestRequest(), decode: (b) => { expect(b).toHaveLength(0); return null; } },
  { name: '87 answer, empty', fixture: 'sync-dest-req.resp-empty', value: null, ...planAnswer },
  { name: '87 answer, a plan', fixture: 'sync-dest-req.resp-plan', header: respHeader(24), value: plan, ...planAnswer },
  { name: '88 SYNC_NOTIFY, zero body', fixture: 'sync-notify.req-zero', header: { pkgLen: 24, cmd: TrackerCmd.StorageSyncNotify, status: 0 },
    value: { srcId: '', untilTimestamp: 0 }, encode: encodeSyncNotifyRequest, decode: (b) => decodeSyncNotifyRequest(b) },
  { name: '88 SYNC_NOTIFY, echoed plan', fixture: 'sync-notify.req-plan', value: plan, encode: encodeSyncNotifyRequest, decode: (b) => decodeSyncNotifyRequest(b) },
  { name: '88 answer', fixture: 'sync-notify.resp', ...empty },
  { name: '86 SYNC_SRC_REQ about 10.77.1.3', fixture: 'sync-src-req.req-3', header: { pkgLen: 32, cmd: TrackerCmd.StorageSyncSrcReq, status: 0 },
    value: { group: 'group1', destId: '10.77.1.3' }, encode: encodeSyncSrcRequest, decode: (b) => decodeSyncSrcRequest(b) },
  { name: '86 answer, a plan', fixture: 'sync-src-req.resp-3', value: plan, ...planAnswer },
  { name: '86 SYNC_SRC_REQ about 10.77.1.2', fixture: 'sync-src-req.req-2', value: { group: 'group1', destId: '10.77.1.2' },
    encode: encodeSyncSrcRequest, decode: (b) => decodeSyncSrcRequest(b) },
  { name: '86 answer, empty', fixture: 'sync-src-req.resp-2', value: null, ...planAnswer },
  { name: '76 REPORT_STATUS, SYNCING with port 0', fixture: 'report-status.req',
    header: { pkgLen: SIZES.reportStatusRequest, cmd: TrackerCmd.StorageReportStatus, status: 0 },
    value: syncing, encode: encodeReportStatusRequest, decode: (b) => decodeReportStatusRequest(b) },
  { name: '76 answer', fixture: 'report-status.resp', ...empty },
  { name: '85 REPLICA_CHG, one brief', fixture: 'replica-chg.req', header: { pkgLen: 67, cmd: TrackerCmd.StorageReplicaChg, status: 0 },
    value: [{ status: StorageStatus.Syncing, port: 23000, id: '10.77.1.5', ipAddr: '10.77.1.5' }],
    encode: encodeReplicaChgRequest, decode: (b) => decodeReplicaChgRequest(b) },
  { name: '85 answer', fixture: 'replica-chg.resp', ...empty },
  { name: '77 CHANGELOG_REQ with a body', fixture: 'changelog.req', header: { pkgLen: 32, cmd: TrackerCmd.StorageChangelogReq, status: 0 },
    value: { group: 'group1', storageId: '10.77.1.5' }, encode: encodeChangelogRequest, decode: (b) => decodeChangelogRequest(b)! },
  { name: '77 answer, one deletion line', fixture: 'changelog.resp', header: respHeader(31),
    value: { entries: [deletion], invalid: [], partial: '' },
    encode: (v) => encodeChangelogResponse(v.entries), decode: (b) => decodeChangelogResponse(b) },
  { name: '77 answer from the raw body', fixture: 'changelog.resp', value: Buffer.from(formatChangelogLine(deletion)),
    encode: (v) => encodeChangelogResponse(v), decode: (b) => b },
  { name: '59 CHANGE_STATUS 01', fixture: 'change-status.req', header: { pkgLen: 1, cmd: TrackerCmd.StorageChangeStatus, status: 0 },
    value: StorageStatus.WaitSync, encode: encodeChangeStatusRequest, decode: (b) => decodeChangeStatusRequest(b) },
  { name: '59 CHANGE_STATUS 02 (sent next)', hex: '00 00 00 00 00 00 00 01 3b 00 02', value: StorageStatus.Syncing,
    encode: encodeChangeStatusRequest, decode: (b) => decodeChangeStatusRequest(b) },
  { name: '59 answer', fixture: 'change-status.resp', ...empty },
  { name: '71 GET_STATUS 10.77.0.3:23000', fixture: 'get-status.req-12-6', header: { pkgLen: 31, cmd: TrackerCmd.StorageGetStatus, status: 0 },
    value: { group: 'group1', ip: '10.77.0.3', port: 23000 }, encode: encodeGetStatusRequest, decode: (b) => decodeGetStatusRequest(b) },
  { name: '71 answer ACTIVE', fixture: 'get-status.resp-active', header: respHeader(67),
    value: { status: StorageStatus.Active, port: 23000, id: '10.77.0.3', ipAddr: '10.77.0.3' },
    encode: encodeGetStatusResponse, decode: (b) => decodeGetStatusResponse(b) },
  { name: '71 GET_STATUS of a recovering storage', fixture: 'get-status.req-recovery',
    value: { group: 'group1', ip: '10.77.1.5', port: 23000 }, encode: encodeGetStatusRequest, decode: (b) => decodeGetStatusRequest(b) },
  { name: '71 answer RECOVERY (77 bytes)', fixture: 'get-status.resp-recovery', header: respHeader(67),
    value: { status: StorageStatus.Recovery, port: 23000, id: '10.77.1.5', ipAddr: '10.77.1.5' },
    encode: encodeGetStatusResponse, decode: (b) => decodeGetStatusResponse(b) },
  { name: '78 REPORT_IP_CHANGED (108-byte body)', bytes: encodeReportIpChangedRequest({ group: 'group1', oldIp: '10.77.1.5', newIp: '10.77.1.6' }),
    header: { pkgLen: 108, cmd: TrackerCmd.StorageReportIpChanged, status: 0 },
    value: { group: 'group1', oldIp: '10.77.1.5', newIp: '10.77.1.6' }, encode: encodeReportIpChangedRequest, decode: (b) => decodeReportIpChangedRequest(b) },
]);

describe('87 SYNC_DEST_REQ / 79 SYNC_DEST_QUERY', () => {
  it('79 is header-only; a plan of another length is a ProtocolError', () => {
    expect(encodeSyncDestQueryRequest()).toEqual(encodeHeader(0, TrackerCmd.StorageSyncDestQuery));
    expect(() => decodeSyncPlanResponse(Buffer.alloc(23))).toThrow(ProtocolError);
  });
});

describe('88 SYNC_NOTIFY', () => {
  it('rejects an empty body', () => {
    expectEinval(() => decodeSyncNotifyRequest(Buffer.alloc(0)), TrackerCmd.StorageSyncNotify);
  });
});

describe('86 SYNC_SRC_REQ', () => {
  it('rejects a short body', () => {
    expectEinval(() => decodeSyncSrcRequest(Buffer.alloc(31)), TrackerCmd.StorageSyncSrcReq);
  });
});

describe('76 REPORT_STATUS', () => {
  it('encodes the OFFLINE report that followed: only the status byte differs', () => {
    const offline = encodeReportStatusRequest({ ...syncing, brief: { ...syncing.brief, status: StorageStatus.Offline } });
    const expected = Buffer.from(reportStatus);
    expected[10 + 16] = 0x05;
    expect(offline).toEqual(expected);
    expectEinval(() => decodeReportStatusRequest(Buffer.alloc(82)), TrackerCmd.StorageReportStatus);
  });
});

describe('85 REPLICA_CHG', () => {
  it('needs 1…32 whole briefs', () => {
    expectEinval(() => decodeReplicaChgRequest(Buffer.alloc(0)), TrackerCmd.StorageReplicaChg);
    expectEinval(() => decodeReplicaChgRequest(Buffer.alloc(68)), TrackerCmd.StorageReplicaChg);
    expectEinval(() => decodeReplicaChgRequest(Buffer.alloc(67 * 33)), TrackerCmd.StorageReplicaChg);
    expect(decodeReplicaChgRequest(Buffer.alloc(67 * 32))).toHaveLength(32);
    expectEinval(() => encodeReplicaChgRequest([]), TrackerCmd.StorageReplicaChg);
  });
});

describe('77 CHANGELOG_REQ', () => {
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
  it('rejects a body other than one byte', () => {
    expectEinval(() => decodeChangeStatusRequest(Buffer.alloc(2)), TrackerCmd.StorageChangeStatus);
  });
});

describe('71 STORAGE_GET_STATUS', () => {
  it('rejects a missing or malformed ip:port with EINVAL', () => {
    expectEinval(() => decodeGetStatusRequest(Buffer.alloc(16)), TrackerCmd.StorageGetStatus);
    expectEinval(() => decodeGetStatusRequest(Buffer.concat([Buffer.alloc(16), Buffer.from('10.77.1.5')])),
      TrackerCmd.StorageGetStatus);
    expect(() => decodeGetStatusResponse(Buffer.alloc(66))).toThrow(ProtocolError);
  });
});

describe('78 REPORT_IP_CHANGED', () => {
  it('puts the new IP at body offset 62 and rejects a short body', () => {
    const f = oneFrame(encodeReportIpChangedRequest({ group: 'group1', oldIp: '10.77.1.5', newIp: '10.77.1.6' }));
    expect(f.body.subarray(62, 71).toString()).toBe('10.77.1.6');
    expectEinval(() => decodeReportIpChangedRequest(Buffer.alloc(107)), TrackerCmd.StorageReportIpChanged);
  });
});
