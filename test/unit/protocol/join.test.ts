import { describe, it, expect } from 'vitest';
import {
  SIZES, decodeFetchStorageIdsRequest, decodeFetchStorageIdsResponse, decodeGetGroupNameRequest,
  decodeGetGroupNameResponse, decodeGetMyIpRequest, decodeGetMyIpResponse, decodeGetServerIdRequest,
  decodeGetServerIdResponse, decodeJoinRequest, decodeJoinResponse, decodeParameterResponse, encodeFetchStorageIdsRequest,
  encodeFetchStorageIdsResponse, encodeGetGroupNameRequest, encodeGetGroupNameResponse, encodeGetMyIpRequest,
  encodeGetMyIpResponse, encodeGetServerIdRequest, encodeGetServerIdResponse, encodeJoinRequest, encodeJoinResponse,
  encodeParameterRequest, encodeParameterResponse, formatIpPort, parseIpPort, type JoinRequest,
} from '../../../src/protocol/join.js';
import { encodeHeader } from '../../../src/protocol/header.js';
import { CommonCmd, StorageStatus, TrackerCmd } from '../../../src/protocol/codes.js';
import { Errno, ProtocolError, StatusError } from '../../../src/errors.js';
import { oneFrame, packets } from './cluster-fixtures.js';

// §12.6: 60 GET_MY_IP from a hand-written client on the single-host lab.
const [myIpReq0, myIpResp0] = packets(`
-> 0000  00 00 00 00 00 00 00 15 3c 00 67 72 6f 75 70 31  |........<.group1|
   0010  00 00 00 00 00 00 00 00 00 00 00 00 00 59 d8     |.............Y.|
<- 0000  00 00 00 00 00 00 00 09 64 00 31 30 2e 37 37 2e  |........d.10.77.|
   0010  30 2e 31                                         |0.1|`);

// §12.7.1: 60 GET_MY_IP at storage start, then 82 QUIT.
const [myIpReq, myIpResp, quit] = packets(`
-> 0000  00 00 00 00 00 00 00 15 3c 00 67 72 6f 75 70 31  |........<.group1|
   0010  00 00 00 00 00 00 00 00 00 00 00 00 00 59 d8     |.............Y.|
<- 0000  00 00 00 00 00 00 00 09 64 00 31 30 2e 37 37 2e  |........d.10.77.|
   0010  31 2e 32                                         |1.2|
-> 0000  00 00 00 00 00 00 00 00 52 00                    |........R.|`);

// §12.7.1: 81 JOIN, first start of the group's first storage (161 bytes), answered INIT + empty src.
const [joinReq, joinResp] = packets(`
-> 0000  00 00 00 00 00 00 00 a1 51 00 67 72 6f 75 70 31  |........Q.group1|
   0010  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  |................|
   0020  00 59 d8 00 00 00 00 00 00 00 01 00 00 00 00 00  |.Y..............|
   0030  00 01 00 00 00 00 00 00 00 00 0a 00 00 00 00 6b  |...............k|
   0040  01 f6 34 00 00 00 00 6b 01 f6 34 36 2e 31 36 2e  |..4....k..46.16.|
   0050  31 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00  |1...............|
   0060  00 00 00 00 00 31 30 2e 37 37 2e 31 2e 31 00 00  |.....10.77.1.1..|
   0070  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  |................|
   0080  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  |................|
   0090  00 00 00 00 00 00 00 00 00 00 01 31 30 2e 37 37  |...........10.77|
   00a0  2e 31 2e 31 3a 32 32 31 32 32 0a                 |.1.1:22122.|
<- 0000  00 00 00 00 00 00 00 11 64 00 00 00 00 00 00 00  |........d.......|
   0010  00 00 00 00 00 00 00 00 00 00 00                 |...........|`);

// §12.7.1: a storage bootstrapped from 10.77.1.2 gets ONLINE + its source back.
const [joinRespSrc] = packets(`
<- 0000  00 00 00 00 00 00 00 11 64 00 06 31 30 2e 37 37
   0010  2e 31 2e 32 00 00 00 00 00 00 00`);

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

describe('60 STORAGE_GET_MY_IP', () => {
  it('decodes and re-encodes the captured request and answers (§12.6, §12.7.1)', () => {
    for (const [req, resp, ip] of [[myIpReq0, myIpResp0, '10.77.0.1'], [myIpReq, myIpResp, '10.77.1.2']] as const) {
      const f = oneFrame(req);
      expect(f.header).toEqual({ pkgLen: 21, cmd: TrackerCmd.StorageGetMyIp, status: 0 });
      expect(decodeGetMyIpRequest(f.body)).toEqual({ group: 'group1', storagePort: 23000 });
      expect(encodeGetMyIpRequest({ group: 'group1', storagePort: 23000 })).toEqual(req);
      const r = oneFrame(resp);
      expect(r.header).toEqual({ pkgLen: 9, cmd: CommonCmd.Resp, status: 0 });
      expect(decodeGetMyIpResponse(r.body)).toEqual([ip]);
      expect(encodeGetMyIpResponse(ip)).toEqual(resp);
    }
  });

  it('is followed by a header-only QUIT', () => {
    expect(oneFrame(quit).header).toEqual({ pkgLen: 0, cmd: CommonCmd.Quit, status: 0 });
  });

  it('joins several addresses with commas and rejects bad bodies', () => {
    const pkt = encodeGetMyIpResponse(['10.0.0.1', '192.168.1.1']);
    expect(decodeGetMyIpResponse(oneFrame(pkt).body)).toEqual(['10.0.0.1', '192.168.1.1']);
    expect(() => decodeGetMyIpResponse(Buffer.alloc(0))).toThrow(ProtocolError);
    expectEinval(() => decodeGetMyIpRequest(Buffer.alloc(20)), TrackerCmd.StorageGetMyIp);
  });
});

describe('81 STORAGE_JOIN', () => {
  it('decodes every field of the captured first-start JOIN (§12.7.1)', () => {
    const f = oneFrame(joinReq);
    expect(f.header).toEqual({ pkgLen: 161, cmd: TrackerCmd.StorageJoin, status: 0 });
    expect(decodeJoinRequest(f.body)).toEqual(firstJoin);
  });

  it('encodes the same values byte for byte', () => {
    expect(encodeJoinRequest(firstJoin)).toEqual(joinReq);
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

  it('decodes and encodes the captured answers (INIT + empty src; ONLINE + 10.77.1.2)', () => {
    const r = oneFrame(joinResp);
    expect(r.header).toEqual({ pkgLen: 17, cmd: CommonCmd.Resp, status: 0 });
    expect(decodeJoinResponse(r.body)).toEqual({ status: StorageStatus.Init, srcId: '' });
    expect(encodeJoinResponse({ status: StorageStatus.Init, srcId: '' })).toEqual(joinResp);
    expect(decodeJoinResponse(oneFrame(joinRespSrc).body)).toEqual({ status: StorageStatus.Online, srcId: '10.77.1.2' });
    expect(encodeJoinResponse({ status: StorageStatus.Online, srcId: '10.77.1.2' })).toEqual(joinRespSrc);
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
  it('round-trips group + ip:port and the id text (captured id: 10.77.0.3)', () => {
    const pkt = encodeGetServerIdRequest({ group: 'group1', ip: '10.77.0.3', port: 23000 });
    const f = oneFrame(pkt);
    expect(f.header).toEqual({ pkgLen: 16 + 15, cmd: TrackerCmd.StorageGetServerId, status: 0 });
    expect(f.body.subarray(16).toString()).toBe('10.77.0.3:23000');
    expect(decodeGetServerIdRequest(f.body)).toEqual({ group: 'group1', ip: '10.77.0.3', port: 23000 });
    const resp = encodeGetServerIdResponse('10.77.0.3');
    expect(resp).toEqual(Buffer.concat([encodeHeader(9, CommonCmd.Resp), Buffer.from('10.77.0.3')]));
    expect(decodeGetServerIdResponse(oneFrame(resp).body)).toBe('10.77.0.3');
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
  it('round-trips the port-only and ip + port forms and the group answer', () => {
    const portOnly = encodeGetGroupNameRequest({ port: 23000 });
    expect(portOnly).toEqual(Buffer.concat([encodeHeader(4, TrackerCmd.StorageGetGroupName), Buffer.from([0, 0, 0x59, 0xd8])]));
    expect(decodeGetGroupNameRequest(oneFrame(portOnly).body)).toEqual({ port: 23000 });
    const withIp = encodeGetGroupNameRequest({ ip: '10.77.1.2', port: 23000 });
    expect(decodeGetGroupNameRequest(oneFrame(withIp).body)).toEqual({ ip: '10.77.1.2', port: 23000 });
    const resp = encodeGetGroupNameResponse('group1');
    expect(resp.length).toBe(10 + 16);
    expect(decodeGetGroupNameResponse(oneFrame(resp).body)).toBe('group1');
  });

  it('rejects a short body (EINVAL) and a too-long IP (ENAMETOOLONG)', () => {
    expectEinval(() => decodeGetGroupNameRequest(Buffer.alloc(3)), TrackerCmd.StorageGetGroupName);
    const long = Buffer.concat([Buffer.alloc(46, 0x31), Buffer.alloc(4)]);
    expect(() => decodeGetGroupNameRequest(long)).toThrow(expect.objectContaining({ errno: Errno.ENAMETOOLONG }));
  });
});

describe('69 STORAGE_FETCH_STORAGE_IDS', () => {
  it('round-trips the 5-byte request', () => {
    const pkt = encodeFetchStorageIdsRequest({ startIndex: 0, allowEmpty: true });
    expect(pkt).toEqual(Buffer.concat([encodeHeader(5, TrackerCmd.StorageFetchStorageIds), Buffer.from([0, 0, 0, 0, 1])]));
    expect(decodeFetchStorageIdsRequest(oneFrame(pkt).body)).toEqual({ startIndex: 0, allowEmpty: true });
    expectEinval(() => decodeFetchStorageIdsRequest(Buffer.alloc(4)), TrackerCmd.StorageFetchStorageIds);
  });

  it('decodes and encodes the captured empty answer (8 zero bytes)', () => {
    const pkt = Buffer.concat([encodeHeader(8, CommonCmd.Resp), Buffer.alloc(8)]);
    expect(decodeFetchStorageIdsResponse(oneFrame(pkt).body)).toEqual({ totalCount: 0, entries: [] });
    expect(encodeFetchStorageIdsResponse({ totalCount: 0, entries: [] })).toEqual(pkt);
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
