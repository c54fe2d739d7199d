import { describe, it, expect } from 'vitest';
import {
  encodeListOneGroupRequest, decodeListOneGroupRequest, encodeListAllGroupsRequest, encodeListGroupsResponse,
  decodeListGroupsResponse, encodeListStorageRequest, decodeListStorageRequest, encodeListStorageResponse,
  decodeListStorageResponse, encodeStatBlock, decodeStatBlock, emptyStorageStats, STAT_I64_FIELDS,
  encodeDeleteStorageRequest, decodeDeleteStorageRequest, encodeDeleteGroupRequest, decodeDeleteGroupRequest,
  encodeSetTrunkServerRequest, decodeSetTrunkServerRequest, encodeSetTrunkServerResponse, decodeSetTrunkServerResponse,
  encodeGetLeaderRequest, encodeGetLeaderResponse, decodeGetLeaderResponse, encodeGetTrackerStatusRequest,
  encodeGetTrackerStatusResponse, decodeGetTrackerStatusResponse, decodeEmptyRequest,
  type GroupStat, type StorageRecord, type StorageStats,
} from '../../../src/protocol/tracker-list.js';
import { encodeHeader } from '../../../src/protocol/header.js';
import { ProtocolError, StatusError } from '../../../src/errors.js';
import { decodeEverySplit } from '../../helpers/hex.js';
import { wire } from '../../helpers/wire.js';
import { codecCases } from '../../helpers/codec-cases.js';

function errno(fn: () => unknown): number {
  try { fn(); } catch (e) { if (e instanceof StatusError) return e.errno; throw e; }
  throw new Error('expected a StatusError');
}

// §12.4 91 SERVER_LIST_ALL_GROUPS and its single 113-byte record
const GROUP1: GroupStat = {
  groupName: 'group1', totalMb: 258019, freeMb: 79347, reservedMb: 51603, trunkFreeMb: 0, storageCount: 2,
  storagePort: 23000, readableServerCount: 1, writableServerCount: 1, currentWriteServer: 0, storePathCount: 1,
  subdirCountPerPath: 256, currentTrunkFileId: -1,
};

// §12.4 92: first record (WAIT_SYNC storage) as far as captured, and the complete second record
const rec1Head = wire('list-storage.resp-head').subarray(10);
const rec2 = wire('list-storage.resp-record-2');

function stats(over: Partial<StorageStats>): StorageStats {
  return { ...emptyStorageStats(), ...over };
}
const REC2: StorageRecord = {
  status: 7, rwMode: 6, id: '10.77.0.3', ipAddr: '10.77.0.3', srcId: '', version: '6.16.1', joinTime: 1795289036,
  upTime: 1795289036, totalMb: 258019, freeMb: 79347, reservedMb: 51603, uploadPriority: 10, storePathCount: 1,
  subdirCountPerPath: 256, currentWritePath: 0, storagePort: 23000, ifTrunkServer: false,
  stats: stats({
    connectionAllocCount: 64, connectionCurrentCount: 0, connectionMaxCount: 16,
    totalUploadCount: 68418, successUploadCount: 68418, totalDownloadCount: 68417, successDownloadCount: 68417,
    totalUploadBytes: 1771740224, successUploadBytes: 1771740224, totalDownloadBytes: 1771720224,
    successDownloadBytes: 1771720224, totalFileOpenCount: 136835, successFileOpenCount: 136835,
    totalFileReadCount: 74113, successFileReadCount: 74113, totalFileWriteCount: 74114, successFileWriteCount: 74114,
    lastSourceUpdate: 1795289150, lastSyncUpdate: 0, lastSyncedTimestamp: 0, lastHeartBeatTime: 1795289209,
  }),
};

const trackerStatus = { encode: encodeGetTrackerStatusResponse, decode: (b: Buffer) => decodeGetTrackerStatusResponse(b) };

codecCases('tracker-list captures (§12.4, §12.6, §12.7.3)', {}, [
  { name: '91 LIST_ALL_GROUPS', fixture: 'list-all-groups.req', value: null, encode: () => encodeListAllGroupsRequest(),
    decode: (b) => { decodeEmptyRequest(91, b); return null; } },
  { name: '91 answer, one group record', fixture: 'list-all-groups.resp', value: [GROUP1],
    encode: encodeListGroupsResponse, decode: (b) => decodeListGroupsResponse(b) },
  { name: '90 LIST_ONE_GROUP for an unknown group', fixture: 'list-one-group.req', value: { group: 'nosuch' },
    encode: (v) => encodeListOneGroupRequest(v.group), decode: (b) => decodeListOneGroupRequest(b) },
  { name: '92 answer, the second record alone (body only)', fixture: 'list-storage.resp-record-2', bodyOnly: true, value: [REC2],
    encode: (v) => encodeListStorageResponse(v, 16), decode: (b) => decodeListStorageResponse(b) },
  { name: '92 LIST_STORAGE, group only', hex: '00 00 00 00 00 00 00 10 5c 00 67 72 6f 75 70 31' + ' 00'.repeat(10), value: { group: 'group1' },
    encode: (v) => encodeListStorageRequest(v.group), decode: (b) => decodeListStorageRequest(b) },
  { name: '92 LIST_STORAGE, group + id', bytes: encodeListStorageRequest('group1', '10.77.0.3'), header: { pkgLen: 25, cmd: 92 },
    value: { group: 'group1', storageId: '10.77.0.3' },
    encode: (v) => encodeListStorageRequest(v.group, v.storageId), decode: (b) => decodeListStorageRequest(b) },
  { name: '93 DELETE_STORAGE', fixture: 'delete-storage.req', value: { group: 'group1', storageId: '10.77.1.5' },
    encode: (v) => encodeDeleteStorageRequest(v.group, v.storageId), decode: (b) => decodeDeleteStorageRequest(b) },
  { name: '108 DELETE_GROUP', bytes: encodeDeleteGroupRequest('group2'), header: { pkgLen: 16, cmd: 108 }, value: { group: 'group2' },
    encode: (v) => encodeDeleteGroupRequest(v.group), decode: (b) => decodeDeleteGroupRequest(b) },
  { name: '94 SET_TRUNK_SERVER, group + id', bytes: encodeSetTrunkServerRequest('group1', '10.77.1.2'),
    value: { group: 'group1', storageId: '10.77.1.2' },
    encode: (v) => encodeSetTrunkServerRequest(v.group, v.storageId), decode: (b) => decodeSetTrunkServerRequest(b) },
  { name: '94 answer: the id, NUL-terminated', hex: '00 00 00 00 00 00 00 0a 64 00' + Buffer.from('10.77.1.2\0').toString('hex').replace(/(..)/g, ' $1'),
    value: '10.77.1.2', encode: encodeSetTrunkServerResponse, decode: (b) => decodeSetTrunkServerResponse(b) },
  { name: '95 GET_LEADER', hex: '00 00 00 00 00 00 00 00 5f 00', value: null, encode: () => encodeGetLeaderRequest(),
    decode: (b) => { expect(b).toHaveLength(0); return null; } },
  { name: '95 answer', fixture: 'get-leader.resp', value: { ip: '10.77.0.1', port: 22122 },
    encode: encodeGetLeaderResponse, decode: (b) => decodeGetLeaderResponse(b) },
  { name: '95 answer, bracketed IPv6', hex: '00 00 00 00 00 00 00 0f 64 00' + Buffer.from('[fd00::1]:22122').toString('hex').replace(/(..)/g, ' $1'),
    value: { ip: 'fd00::1', port: 22122 }, encode: encodeGetLeaderResponse, decode: (b) => decodeGetLeaderResponse(b) },
  { name: '64 TRACKER_GET_STATUS', fixture: 'tracker-get-status.req', value: null, encode: () => encodeGetTrackerStatusRequest(),
    decode: (b) => { expect(b).toHaveLength(0); return null; } },
  { name: '64 answer, running 600 s', fixture: 'tracker-get-status.resp-running', value: { ifLeader: true, runningTime: 600, restartInterval: 0 }, ...trackerStatus },
  { name: '64 answer by the leader', fixture: 'tracker-get-status.resp-leader', value: { ifLeader: true, runningTime: 0, restartInterval: 0 }, ...trackerStatus },
  { name: '64 answer by a follower', fixture: 'tracker-get-status.resp-follower', value: { ifLeader: false, runningTime: 0, restartInterval: 0 }, ...trackerStatus },
]);

describe('tracker-list 90/91 groups', () => {
  it('cuts the captured 91 exchange in two frames and rejects bad 90/91 bodies', () => {
    expect(decodeEverySplit(Buffer.concat([wire('list-all-groups.req'), wire('list-all-groups.resp')]))).toHaveLength(2);
    expect(errno(() => decodeListOneGroupRequest(Buffer.alloc(17)))).toBe(22);
    expect(errno(() => decodeEmptyRequest(91, Buffer.alloc(1)))).toBe(22);
  });

  it('round-trips several groups and rejects partial records', () => {
    const gs = Array.from({ length: 5 }, (_, i) => ({ ...GROUP1, groupName: `g${i}`.repeat(i + 1).slice(0, 16), freeMb: i * 1000 }));
    expect(decodeListGroupsResponse(encodeListGroupsResponse(gs).subarray(10))).toEqual(gs);
    expect(decodeListGroupsResponse(Buffer.alloc(0))).toEqual([]);
    expect(() => decodeListGroupsResponse(Buffer.alloc(112))).toThrow(ProtocolError);
  });
});

describe('tracker-list 92 storages', () => {
  it('decodes the captured two-record answer', () => {
    const rec1 = Buffer.concat([rec1Head, Buffer.alloc(487 - rec1Head.length)]);
    const resp = Buffer.concat([encodeHeader(974, 100), rec1, rec2]);
    const [f] = decodeEverySplit(resp);
    const [a, b] = decodeListStorageResponse(f!.body);
    expect(a).toMatchObject({ status: 1, rwMode: 6, id: '10.77.0.2', ipAddr: '10.77.0.2', srcId: '10.77.0.3', version: '6.16.1', joinTime: 0x6b01efcc });
    expect(b).toEqual(REC2);
  });

  it('places the stat block at record offsets 138..485 and matches decodeStatBlock', () => {
    expect(decodeStatBlock(rec2.subarray(138, 486))).toEqual(REC2.stats);
    expect(encodeStatBlock(REC2.stats)).toEqual(rec2.subarray(138, 486));
    expect(STAT_I64_FIELDS).toHaveLength(42);
    expect(() => decodeStatBlock(Buffer.alloc(347))).toThrow(ProtocolError);
  });

  it('decodes the §12.5 BEAT stat block', () => {
    const beat = wire('storage-beat.req-stats');
    /* the same capture as the spec shows it:
0000  00 00 00 00 00 00 01 5c 53 00 00 00 00 40 00 00
0010  00 00 00 00 00 10 00 00 00 00 00 01 0b 43 00 00
0020  00 00 00 01 0b 43 00 00 00 00 00 00 00 00 00 00
0070  00 00 00 00 00 00 00 00 00 00 00 01 0b 41 00 00
0080  00 00 00 01 0b 41 00 00 00 00 00 00 00 00 00 00
00b0  00 00 00 00 00 00 00 00 00 00 69 9a 9c 5d 00 00
00c0  00 00 69 9a 9c 5d 00 00 00 00 00 00 00 00 00 00
00e0  00 00 00 00 00 00 00 00 00 00 69 9a 4e 20 00 00
00f0  00 00 69 9a 4e 20 00 00 00 00 00 00 00 00 00 00
0110  00 00 00 00 00 00 00 00 00 00 00 02 16 84 00 00
0120  00 00 00 02 16 84 00 00 00 00 00 01 21 81 00 00
0130  00 00 00 01 21 81 00 00 00 00 00 01 21 83 00 00
0140  00 00 00 01 21 83 00 00 00 00 6b 01 f0 7b 00 00
0150  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
0160  00 00 00 00 00 00 */
    const [f] = decodeEverySplit(beat);
    const s = decodeStatBlock(f!.body);
    expect(s).toEqual(stats({
      connectionAllocCount: 64, connectionMaxCount: 16, totalUploadCount: 68419, successUploadCount: 68419,
      totalDownloadCount: 68417, successDownloadCount: 68417, totalUploadBytes: 1771740253, successUploadBytes: 1771740253,
      totalDownloadBytes: 1771720224, successDownloadBytes: 1771720224, totalFileOpenCount: 136836,
      successFileOpenCount: 136836, totalFileReadCount: 74113, successFileReadCount: 74113,
      totalFileWriteCount: 74115, successFileWriteCount: 74115, lastSourceUpdate: 1795289211,
    }));
    expect(encodeStatBlock(s)).toEqual(f!.body);
  });

  it('puts the id after the group and validates lengths', () => {
    expect(encodeListStorageRequest('group1', '10.77.0.3').subarray(26).toString()).toBe('10.77.0.3');
    expect(decodeListStorageRequest(Buffer.alloc(16))).toEqual({ group: '' });
    expect(errno(() => decodeListStorageRequest(Buffer.alloc(15)))).toBe(22);
    expect(errno(() => decodeListStorageRequest(Buffer.alloc(32)))).toBe(22);
    expect(errno(() => encodeListStorageRequest('group1', 'x'.repeat(16)))).toBe(22);
  });

  it('uses 517-byte records for RIP 46 and rejects other sizes', () => {
    const v6 = { ...REC2, ipAddr: 'fd00:1234:5678::abcd:ef01' };
    const pkt = encodeListStorageResponse([v6, REC2], 46);
    expect(pkt.length - 10).toBe(2 * 517);
    expect(pkt.readBigInt64BE(10 + 58 + 30)).toBe(1795289036n); // join_time moved by 30
    expect(decodeListStorageResponse(pkt.subarray(10))).toEqual([v6, REC2]);
    expect(() => decodeListStorageResponse(Buffer.alloc(500))).toThrow(ProtocolError);
  });

  it('round-trips random records', () => {
    for (let i = 0; i < 60; i++) {
      const s = emptyStorageStats();
      s.connectionAllocCount = i; s.connectionCurrentCount = -i || 0; s.connectionMaxCount = 2 ** 31 - 1;
      STAT_I64_FIELDS.forEach((f, j) => { s[f] = Math.floor(Math.random() * Number.MAX_SAFE_INTEGER) * (j % 2 ? 1 : -1) || 0; });
      const rec: StorageRecord = {
        ...REC2, status: i % 10, rwMode: (i % 4) * 2, id: `id${i}`, srcId: i % 2 ? '' : `src${i}`, joinTime: i * 1e6,
        storagePort: i % 3 ? 23000 : -1, stats: s, ifTrunkServer: i % 5 === 0,
      };
      const ipSize = i % 2 ? 16 : 46;
      expect(decodeListStorageResponse(encodeListStorageResponse([rec], ipSize).subarray(10))).toEqual([rec]);
    }
  });
});

describe('tracker-list admin: 93, 94, 108, 95, 64', () => {
  it('rejects bad 93 SERVER_DELETE_STORAGE requests', () => {
    expect(errno(() => decodeDeleteStorageRequest(Buffer.alloc(16)))).toBe(22);
    expect(errno(() => decodeDeleteStorageRequest(Buffer.alloc(32)))).toBe(22);
    expect(errno(() => encodeDeleteStorageRequest('group1', ''))).toBe(22);
  });

  it('rejects a long 108 body; 94 without an id is group only', () => {
    expect(errno(() => decodeDeleteGroupRequest(Buffer.alloc(17)))).toBe(22);
    const q94 = encodeSetTrunkServerRequest('group1');
    expect(q94.subarray(0, 10)).toEqual(encodeHeader(16, 94));
  });

  it('rejects malformed 95 answers', () => {
    for (const bad of ['', '10.0.0.1', '10.0.0.1:', 'fd00::1:22122', '[fd00::1]22122']) {
      expect(() => decodeGetLeaderResponse(Buffer.from(bad))).toThrow(ProtocolError);
    }
  });

  it('rejects a short 64 answer', () => {
    expect(() => decodeGetTrackerStatusResponse(Buffer.alloc(16))).toThrow(ProtocolError);
  });
});
