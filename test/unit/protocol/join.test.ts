import { describe, it, expect } from 'vitest';
import {
  SIZES, decodeFetchStorageIdsRequest, decodeFetchStorageIdsResponse, decodeGetGroupNameRequest,
  decodeGetGroupNameResponse, decodeGetMyIpRequest, decodeGetMyIpResponse, decodeGetServerIdRequest,
  decodeGetServerIdResponse, decodeJoinRequest, decodeJoinResponse, decodeParameterResponse, encodeFetchStorageIdsRequest,
  encodeFetchStorageIdsResponse, encodeGetGroupNameRequest, encodeGetGroupNameResponse, encodeGetMyIpRequest,
  encodeGetMyIpResponse, encodeGetServerIdRequest, encodeGetServerIdResponse, encodeJoinRequest, encodeJoinResponse,
  encodeParameterRequest, encodeParameterResponse, formatIpPort, parseIpPort, type JoinRequest,
  encodeReportHttpPortRequest, decodeReportHttpPortRequest,
} from '../../../src/protocol/join.js';
import { encodeHeader } from '../../../src/protocol/header.js';
import { CommonCmd, StorageStatus, TrackerCmd } from '../../../src/protocol/codes.js';
import { Errno, ProtocolError, StatusError } from '../../../src/errors.js';
import { wire } from '../../helpers/wire.js';
import { codecCases, oneFrame } from '../../helpers/codec-cases.js';

const joinReq = wire('storage-join.req');

// §8.2: the 75 answer of a 6.16.1 tracker (740 bytes on the wire in the multi-host lab).
const PARAMS_TEXT = `use_storage_id=0
id_type_in_filename=ip
trust_storage_server_id=1
response_ip_addr_size=16
storage_ip_changed_auto_adjust=1
storage_sync_file_max_delay=86400
store_path=0
reserved_storage_space=20.00%
use_trunk_file=0
slot_min_size=256
slot_max_size=1048576
trunk_alloc_alignment_size=256
trunk_file_size=67108864
trunk_create_file_advance=0
trunk_create_file_time_base=02:00
trunk_create_file_interval=86400
trunk_create_file_space_threshold=21474836480
trunk_init_check_occupying=0
trunk_init_reload_from_binlog=0
trunk_free_space_merge=1
delete_unused_trunk_files=0
trunk_compress_binlog_min_interval=86400
trunk_compress_binlog_interval=86400
trunk_compress_binlog_time_base=03:00
trunk_binlog_max_backups=7
store_slave_file_use_link=0
`;

const firstJoin: JoinRequest = {
  group: 'group1',
  storagePort: 23000,
  storePathCount: 1,
  subdirCountPerPath: 256,
  uploadPriority: 10,
  joinTime: 1795290676,
  upTime: 1795290676,
  version: '6.16.1',
  initFlag: true,
  status: StorageStatus.Init,
  storageId: '',
  currentTrackerIp: '10.77.1.1',
  trackers: ['10.77.1.1:22122'],
};

function expectEinval(fn: () => unknown, cmd: number): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).errno).toBe(Errno.EINVAL);
    expect((err as StatusError).cmd).toBe(cmd);
    return;
  }
  throw new Error('expected EINVAL');
}

const myIp = { encode: encodeGetMyIpRequest, decode: (b: Buffer) => decodeGetMyIpRequest(b) };
const myIpAnswer = { encode: (v: string[]) => encodeGetMyIpResponse(v.length === 1 ? v[0]! : v), decode: (b: Buffer) => decodeGetMyIpResponse(b) };
const joinAnswer = { encode: encodeJoinResponse, decode: (b: Buffer) => decodeJoinResponse(b) };
const myIpHeader = { pkgLen: 21, cmd: TrackerCmd.StorageGetMyIp, status: 0 };

codecCases('join captures (§12.6, §12.7.1) and generated forms', {}, [
  { name: '60 GET_MY_IP (§12.6)', fixture: 'get-my-ip.req-12-6', header: myIpHeader, value: { group: 'group1', storagePort: 23000 }, ...myIp },
  { name: '60 answer 10.77.0.1', fixture: 'get-my-ip.resp-12-6', header: { pkgLen: 9, cmd: CommonCmd.Resp, status: 0 }, value: ['10.77.0.1'], ...myIpAnswer },
  { name: '60 GET_MY_IP (§12.7.1)', fixture: 'get-my-ip.req', header: myIpHeader, value: { group: 'group1', storagePort: 23000 }, ...myIp },
  { name: '60 answer 10.77.1.2', fixture: 'get-my-ip.resp', header: { pkgLen: 9, cmd: CommonCmd.Resp, status: 0 }, value: ['10.77.1.2'], ...myIpAnswer },
  { name: '60 answer with two addresses', hex: '00 00 00 00 00 00 00 14 64 00' + Buffer.from('10.0.0.1,192.168.1.1').toString('hex').replace(/(..)/g, ' $1'),
    value: ['10.0.0.1', '192.168.1.1'], ...myIpAnswer },
  { name: '82 QUIT after GET_MY_IP', fixture: 'quit.req', header: { pkgLen: 0, cmd: CommonCmd.Quit, status: 0 }, value: 0,
    encode: () => encodeHeader(0, CommonCmd.Quit), decode: (b) => b.length },
  { name: '81 JOIN, first start', fixture: 'storage-join.req', header: { pkgLen: 161, cmd: TrackerCmd.StorageJoin, status: 0 },
    value: firstJoin, encode: encodeJoinRequest, decode: (b) => decodeJoinRequest(b) },
  { name: '81 answer INIT + empty source', fixture: 'storage-join.resp-init', header: { pkgLen: 17, cmd: CommonCmd.Resp, status: 0 },
    value: { status: StorageStatus.Init, srcId: '' }, ...joinAnswer },
  { name: '81 answer ONLINE + 10.77.1.2', fixture: 'storage-join.resp-online', value: { status: StorageStatus.Online, srcId: '10.77.1.2' }, ...joinAnswer },
  { name: '70 GET_SERVER_ID request', hex: '00 00 00 00 00 00 00 1f 46 00 67 72 6f 75 70 31' + ' 00'.repeat(10) + Buffer.from('10.77.0.3:23000').toString('hex').replace(/(..)/g, ' $1'),
    header: { pkgLen: 16 + 15, cmd: TrackerCmd.StorageGetServerId, status: 0 }, value: { group: 'group1', ip: '10.77.0.3', port: 23000 },
    encode: encodeGetServerIdRequest, decode: (b) => decodeGetServerIdRequest(b) },
  { name: '70 answer: the id text (captured id 10.77.0.3)', hex: '00 00 00 00 00 00 00 09 64 00' + Buffer.from('10.77.0.3').toString('hex').replace(/(..)/g, ' $1'),
    value: '10.77.0.3', encode: encodeGetServerIdResponse, decode: (b) => decodeGetServerIdResponse(b) },
  { name: '109 GET_GROUP_NAME, port only', hex: '00 00 00 00 00 00 00 04 6d 00 00 00 59 d8', value: { port: 23000 },
    encode: encodeGetGroupNameRequest, decode: (b) => decodeGetGroupNameRequest(b) },
  { name: '109 GET_GROUP_NAME, ip + port', bytes: encodeGetGroupNameRequest({ ip: '10.77.1.2', port: 23000 }), value: { ip: '10.77.1.2', port: 23000 },
    encode: encodeGetGroupNameRequest, decode: (b) => decodeGetGroupNameRequest(b) },
  { name: '109 answer', hex: '00 00 00 00 00 00 00 10 64 00 67 72 6f 75 70 31' + ' 00'.repeat(10), value: 'group1',
    encode: encodeGetGroupNameResponse, decode: (b) => decodeGetGroupNameResponse(b) },
  { name: '69 FETCH_STORAGE_IDS request', hex: '00 00 00 00 00 00 00 05 45 00 00 00 00 00 01', value: { startIndex: 0, allowEmpty: true },
    encode: encodeFetchStorageIdsRequest, decode: (b) => decodeFetchStorageIdsRequest(b) },
  { name: '69 empty answer (8 zero bytes, as captured)', hex: '00 00 00 00 00 00 00 08 64 00' + ' 00'.repeat(8), value: { totalCount: 0, entries: [] },
    encode: encodeFetchStorageIdsResponse, decode: (b) => decodeFetchStorageIdsResponse(b) },
]);

describe('60 STORAGE_GET_MY_IP', () => {
  it('rejects bad bodies', () => {
    expect(() => decodeGetMyIpResponse(Buffer.alloc(0))).toThrow(ProtocolError);
    expectEinval(() => decodeGetMyIpRequest(Buffer.alloc(20)), TrackerCmd.StorageGetMyIp);
  });
});

describe('81 STORAGE_JOIN', () => {
  it('is the fixed part plus one tracker line', () => {
    expect(SIZES.joinFixed + '10.77.1.1:22122\n'.length).toBe(161);
  });

  it('encodes a restart: only up_time and init_flag differ', () => {
    const restart = encodeJoinRequest({ ...firstJoin, upTime: 0x6b01f6da, initFlag: false });
    const diff = [...restart.keys()].filter((i) => restart[i] !== joinReq[i]);
    // body offset 64 (last byte of up_time: 34 → da) and 73 (init_flag), +10 for the header
    expect(diff).toEqual([10 + 64, 10 + 73]);
    expect(decodeJoinRequest(restart.subarray(10))).toMatchObject({ upTime: 1795290842, initFlag: false });
  });

  it('carries two tracker lines (177 bytes) and a status of −1', () => {
    const req = { ...firstJoin, status: -1, trackers: ['10.77.1.1:22122', '10.77.1.5:22122'] };
    const pkt = encodeJoinRequest(req);
    expect(pkt.length - 10).toBe(177);
    expect(pkt[10 + 74]).toBe(0xff);
    expect(decodeJoinRequest(oneFrame(pkt).body)).toEqual(req);
  });

  it('answers malformed bodies with EINVAL', () => {
    const body = joinReq.subarray(10);
    expectEinval(() => decodeJoinRequest(body.subarray(0, 144)), TrackerCmd.StorageJoin);
    expectEinval(() => decodeJoinRequest(body.subarray(0, body.length - 1)), TrackerCmd.StorageJoin); // no '\n'
    expectEinval(() => decodeJoinRequest(Buffer.concat([body, Buffer.from('x:1\n')])), TrackerCmd.StorageJoin);
    const zeroTrackers = Buffer.from(body.subarray(0, 145));
    zeroTrackers.writeBigInt64BE(0n, 137);
    expectEinval(() => decodeJoinRequest(zeroTrackers), TrackerCmd.StorageJoin);
    expectEinval(() => encodeJoinRequest({ ...firstJoin, trackers: [] }), TrackerCmd.StorageJoin);
    expect(() => decodeJoinResponse(Buffer.alloc(16))).toThrow(ProtocolError);
  });
});

describe('75 STORAGE_PARAMETER_REQ', () => {
  it('sends a header-only request', () => {
    expect(encodeParameterRequest()).toEqual(encodeHeader(0, TrackerCmd.StorageParameterReq));
  });

  it('decodes the captured 740-byte answer and re-encodes it from the record (§8.2)', () => {
    const pkt = Buffer.concat([encodeHeader(740, CommonCmd.Resp), Buffer.from(PARAMS_TEXT)]);
    const params = decodeParameterResponse(oneFrame(pkt).body);
    expect(Object.keys(params)).toHaveLength(26);
    expect(params).toMatchObject({
      use_storage_id: '0', id_type_in_filename: 'ip', reserved_storage_space: '20.00%',
      trunk_create_file_time_base: '02:00', trunk_create_file_space_threshold: '21474836480',
      store_slave_file_use_link: '0',
    });
    expect(encodeParameterResponse(params)).toEqual(pkt);
  });

  it('writes numbers and booleans, and reads INI comments, blanks and spaces', () => {
    const pkt = encodeParameterResponse({ use_storage_id: false, store_path: 0, trust_storage_server_id: true });
    expect(pkt.subarray(10).toString()).toBe('use_storage_id=0\nstore_path=0\ntrust_storage_server_id=1\n');
    expect(decodeParameterResponse(Buffer.from('# c\n\n a = b \nnoeq\nc=1=2'))).toEqual({ a: 'b', c: '1=2' });
  });
});

describe('70 STORAGE_GET_SERVER_ID', () => {
  it('writes ip:port as text after the group', () => {
    const f = oneFrame(encodeGetServerIdRequest({ group: 'group1', ip: '10.77.0.3', port: 23000 }));
    expect(f.body.subarray(16).toString()).toBe('10.77.0.3:23000');
  });

  it('brackets IPv6 and rejects bad addresses', () => {
    const pkt = encodeGetServerIdRequest({ group: 'g', ip: 'fe80::1', port: 23000 });
    expect(pkt.subarray(26).toString()).toBe('[fe80::1]:23000');
    expect(decodeGetServerIdRequest(pkt.subarray(10))).toEqual({ group: 'g', ip: 'fe80::1', port: 23000 });
    expectEinval(() => decodeGetServerIdRequest(Buffer.alloc(16)), TrackerCmd.StorageGetServerId);
    expectEinval(() => decodeGetServerIdRequest(Buffer.concat([Buffer.alloc(16), Buffer.from('10.0.0.1')])),
      TrackerCmd.StorageGetServerId);
    expect(() => decodeGetServerIdResponse(Buffer.alloc(0))).toThrow(ProtocolError);
  });
});

describe('ip:port text', () => {
  it('formats and parses IPv4 and bracketed IPv6', () => {
    expect(formatIpPort('10.77.1.5', 22122)).toBe('10.77.1.5:22122');
    expect(formatIpPort('::1', 22122)).toBe('[::1]:22122');
    expect(parseIpPort('[::1]:22122')).toEqual({ ip: '::1', port: 22122 });
    expect(parseIpPort('10.77.1.5:22122')).toEqual({ ip: '10.77.1.5', port: 22122 });
    for (const bad of ['10.77.1.5', ':1', '10.0.0.1:', '10.0.0.1:99999', '::1:22122', '[::1]']) {
      expect(parseIpPort(bad)).toBeNull();
    }
  });
});

describe('109 STORAGE_GET_GROUP_NAME', () => {
  it('sizes the ip + port form by the IP text and the answer at 16 bytes', () => {
    expect(encodeGetGroupNameResponse('group1').length).toBe(10 + 16);
    expect(encodeGetGroupNameRequest({ ip: '10.77.1.2', port: 23000 }).length).toBe(10 + '10.77.1.2'.length + 4);
  });

  it('rejects a short body (EINVAL) and a too-long IP (ENAMETOOLONG)', () => {
    expectEinval(() => decodeGetGroupNameRequest(Buffer.alloc(3)), TrackerCmd.StorageGetGroupName);
    const long = Buffer.concat([Buffer.alloc(46, 0x31), Buffer.alloc(4)]);
    expect(() => decodeGetGroupNameRequest(long)).toThrow(expect.objectContaining({ errno: Errno.ENAMETOOLONG }));
  });
});

describe('69 STORAGE_FETCH_STORAGE_IDS', () => {
  it('rejects a request shorter than 5 bytes', () => {
    expectEinval(() => decodeFetchStorageIdsRequest(Buffer.alloc(4)), TrackerCmd.StorageFetchStorageIds);
  });

  it('round-trips id lines with and without rw=', () => {
    const res = {
      totalCount: 5,
      entries: [
        { id: '100001', group: 'group1', host: '10.77.1.2' },
        { id: '100002', group: 'group1', host: '10.77.1.3,192.168.0.3:23000', rwMode: 'read' },
        { id: '100003', group: 'group2', host: '[fe80::3]:23000', rwMode: 'none' },
      ],
    };
    const pkt = encodeFetchStorageIdsResponse(res);
    expect(pkt.subarray(18).toString()).toBe(
      '100001 group1 10.77.1.2\n100002 group1 10.77.1.3,192.168.0.3:23000 rw=read\n100003 group2 [fe80::3]:23000 rw=none\n');
    expect(decodeFetchStorageIdsResponse(oneFrame(pkt).body)).toEqual(res);
    expect(encodeFetchStorageIdsResponse({ totalCount: 1, entries: [{ ...res.entries[0]!, rwMode: 'both' }] })
      .subarray(18).toString()).toBe('100001 group1 10.77.1.2\n');
    const lying = Buffer.from(pkt.subarray(10));
    lying.writeInt32BE(2, 4);
    expect(() => decodeFetchStorageIdsResponse(lying)).toThrow(ProtocolError);
  });
});

describe('200 REPORT_HTTP_PORT (fdfs only)', () => {
  it('round-trips the port as an i64 and refuses other lengths and impossible ports', () => {
    const pkt = encodeReportHttpPortRequest(8890);
    const frame = oneFrame(pkt);
    expect(frame.header.cmd).toBe(TrackerCmd.FdfsStorageReportHttpPort);
    expect(frame.body.readBigInt64BE(0)).toBe(8890n);
    expect(decodeReportHttpPortRequest(frame.body)).toBe(8890);
    expectEinval(() => decodeReportHttpPortRequest(Buffer.alloc(4)), TrackerCmd.FdfsStorageReportHttpPort);
    expectEinval(() => decodeReportHttpPortRequest(oneFrame(encodeReportHttpPortRequest(70000)).body), TrackerCmd.FdfsStorageReportHttpPort);
  });
});
