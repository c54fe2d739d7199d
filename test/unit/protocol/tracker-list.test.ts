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
import { hex, decodeEverySplit } from '../../helpers/hex.js';

/** Dump lines placed at their offset column; elided "… (zeros) …" lines stay zero. */
function dumpAt(text: string, total: number): Buffer {
  const out = Buffer.alloc(total);
  for (const line of text.split('\n')) {
    const m = /^\s*(?:<-|->)?\s*([0-9a-f]{4,6})\s+(.*)$/i.exec(line);
    if (m) hex(m[2]!).copy(out, parseInt(m[1]!, 16));
  }
  return out;
}

function errno(fn: () => unknown): number {
  try { fn(); } catch (e) { if (e instanceof StatusError) return e.errno; throw e; }
  throw new Error('expected a StatusError');
}

// §12.4 91 SERVER_LIST_ALL_GROUPS and its single 113-byte record
const q91 = hex('-> 0000  00 00 00 00 00 00 00 00 5b 00');
const r91 = hex(`
<- 0000  00 00 00 00 00 00 00 71 64 00 67 72 6f 75 70 31  |.......qd.group1|
   0010  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  |................|
   0020  03 ef e3 00 00 00 00 00 01 35 f3 00 00 00 00 00  |.........5......|
   0030  00 c9 93 00 00 00 00 00 00 00 00 00 00 00 00 00  |................|
   0040  00 00 02 00 00 00 00 00 00 59 d8 00 00 00 00 00  |.........Y......|
   0050  00 00 01 00 00 00 00 00 00 00 01 00 00 00 00 00  |................|
   0060  00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00  |................|
   0070  00 01 00 ff ff ff ff ff ff ff ff                 |...........|`);
const GROUP1: GroupStat = {
  groupName: 'group1', totalMb: 258019, freeMb: 79347, reservedMb: 51603, trunkFreeMb: 0, storageCount: 2,
  storagePort: 23000, readableServerCount: 1, writableServerCount: 1, currentWriteServer: 0, storePathCount: 1,
  subdirCountPerPath: 256, currentTrunkFileId: -1,
};

// §12.4 92: first record (WAIT_SYNC storage) as far as captured, and the complete second record
const rec1Head = hex(`
<- 0000  00 00 00 00 00 00 03 ce 64 00 01 06 31 30 2e 37  |........d...10.7|
   0010  37 2e 30 2e 32 00 00 00 00 00 00 00 31 30 2e 37  |7.0.2.......10.7|
   0020  37 2e 30 2e 32 00 00 00 00 00 00 00 31 30 2e 37  |7.0.2.......10.7|
   0030  37 2e 30 2e 33 00 00 00 00 00 00 00 36 2e 31 36  |7.0.3.......6.16|
   0040  2e 31 00 00 00 00 00 00 6b 01 ef cc 00 00 00 00  |.1......k.......|`).subarray(10);
const rec2 = dumpAt(`
0000  07 06 31 30 2e 37 37 2e 30 2e 33 00 00 00 00 00  |..10.77.0.3.....|
0010  00 00 31 30 2e 37 37 2e 30 2e 33 00 00 00 00 00  |..10.77.0.3.....|
0020  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  |................|
0030  00 00 36 2e 31 36 2e 31 00 00 00 00 00 00 6b 01  |..6.16.1......k.|
0040  ef cc 00 00 00 00 6b 01 ef cc 00 00 00 00 00 03  |......k.........|
0050  ef e3 00 00 00 00 00 01 35 f3 00 00 00 00 00 00  |........5.......|
0060  c9 93 00 00 00 00 00 00 00 0a 00 00 00 00 00 00  |................|
0070  00 01 00 00 00 00 00 00 01 00 00 00 00 00 00 00  |................|
0080  00 00 00 00 00 00 00 00 59 d8 00 00 00 40 00 00  |........Y....@..|
0090  00 00 00 00 00 10 00 00 00 00 00 01 0b 42 00 00  |.............B..|
00a0  00 00 00 01 0b 42 00 00 00 00 00 00 00 00 00 00  |.....B..........|
00b0  … (zeros) …
00f0  00 00 00 00 00 00 00 00 00 00 00 01 0b 41 00 00  |.............A..|
0100  00 00 00 01 0b 41 00 00 00 00 00 00 00 00 00 00  |.....A..........|
0110  … (zeros) …
0130  00 00 00 00 00 00 00 00 00 00 69 9a 9c 40 00 00  |..........i..@..|
0140  00 00 69 9a 9c 40 00 00 00 00 00 00 00 00 00 00  |..i..@..........|
0150  … (zeros) …
0160  00 00 00 00 00 00 00 00 00 00 69 9a 4e 20 00 00  |..........i.N ..|
0170  00 00 69 9a 4e 20 00 00 00 00 00 00 00 00 00 00  |..i.N ..........|
0180  … (zeros) …
0190  00 00 00 00 00 00 00 00 00 00 00 02 16 83 00 00  |................|
01a0  00 00 00 02 16 83 00 00 00 00 00 01 21 81 00 00  |............!...|
01b0  00 00 00 01 21 81 00 00 00 00 00 01 21 82 00 00  |....!.......!...|
01c0  00 00 00 01 21 82 00 00 00 00 6b 01 f0 3e 00 00  |....!.....k..>..|
01d0  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  |................|
01e0  00 00 6b 01 f0 79 00                             |..k..y.|`, 487);

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

describe('tracker-list 90/91 groups', () => {
  it('matches the captured 91 exchange', () => {
    const frames = decodeEverySplit(Buffer.concat([q91, r91]));
    decodeEmptyRequest(91, frames[0]!.body);
    expect(decodeListGroupsResponse(frames[1]!.body)).toEqual([GROUP1]);
    expect(encodeListAllGroupsRequest().toString('hex')).toBe(q91.toString('hex'));
    expect(encodeListGroupsResponse([GROUP1]).toString('hex')).toBe(r91.toString('hex'));
  });

  it('matches the captured 90 request for an unknown group', () => {
    const q90 = hex(`
-> 0000  00 00 00 00 00 00 00 10 5a 00 6e 6f 73 75 63 68  |........Z.nosuch|
   0010  00 00 00 00 00 00 00 00 00 00                    |..........|`);
    expect(decodeListOneGroupRequest(decodeEverySplit(q90)[0]!.body)).toEqual({ group: 'nosuch' });
    expect(encodeListOneGroupRequest('nosuch').toString('hex')).toBe(q90.toString('hex'));
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
  it('encodes the captured second record byte for byte from the decoded table', () => {
    expect(encodeListStorageResponse([REC2], 16).subarray(10).toString('hex')).toBe(rec2.toString('hex'));
    expect(decodeListStorageResponse(rec2)).toEqual([REC2]);
  });

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
    const beat = dumpAt(`
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
0160  00 00 00 00 00 00`, 0x166);
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

  it('encodes the 92 requests (group only, group + id) and validates lengths', () => {
    expect(encodeListStorageRequest('group1').toString('hex')).toBe(`0000000000000010${'5c00'}${Buffer.from('group1').toString('hex')}${'00'.repeat(10)}`);
    const withId = encodeListStorageRequest('group1', '10.77.0.3');
    expect(withId.subarray(0, 10)).toEqual(encodeHeader(25, 92));
    expect(withId.subarray(26).toString()).toBe('10.77.0.3');
    expect(decodeListStorageRequest(withId.subarray(10))).toEqual({ group: 'group1', storageId: '10.77.0.3' });
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
  it('matches the captured 93 SERVER_DELETE_STORAGE request (§12.7.3)', () => {
    const q93 = hex(`
-> 0000  00 00 00 00 00 00 00 19 5d 00 67 72 6f 75 70 31  |........].group1|
   0010  00 00 00 00 00 00 00 00 00 00 31 30 2e 37 37 2e  |..........10.77.|
   0020  31 2e 35                                         |1.5|`);
    const [f] = decodeEverySplit(q93);
    expect(decodeDeleteStorageRequest(f!.body)).toEqual({ group: 'group1', storageId: '10.77.1.5' });
    expect(encodeDeleteStorageRequest('group1', '10.77.1.5').toString('hex')).toBe(q93.toString('hex'));
    expect(errno(() => decodeDeleteStorageRequest(Buffer.alloc(16)))).toBe(22);
    expect(errno(() => decodeDeleteStorageRequest(Buffer.alloc(32)))).toBe(22);
    expect(errno(() => encodeDeleteStorageRequest('group1', ''))).toBe(22);
  });

  it('encodes 108 and 94', () => {
    const q108 = encodeDeleteGroupRequest('group2');
    expect(q108.subarray(0, 10)).toEqual(encodeHeader(16, 108));
    expect(decodeDeleteGroupRequest(q108.subarray(10))).toEqual({ group: 'group2' });
    expect(errno(() => decodeDeleteGroupRequest(Buffer.alloc(17)))).toBe(22);
    const q94 = encodeSetTrunkServerRequest('group1');
    expect(q94.subarray(0, 10)).toEqual(encodeHeader(16, 94));
    expect(decodeSetTrunkServerRequest(encodeSetTrunkServerRequest('group1', '10.77.1.2').subarray(10)))
      .toEqual({ group: 'group1', storageId: '10.77.1.2' });
    const r94 = encodeSetTrunkServerResponse('10.77.1.2');
    expect(r94.subarray(10)).toEqual(Buffer.from('10.77.1.2\0'));
    expect(decodeSetTrunkServerResponse(r94.subarray(10))).toBe('10.77.1.2');
  });

  it('matches the captured 95 SERVER_GET_LEADER answer', () => {
    const r95 = hex(`
<- 0000  00 00 00 00 00 00 00 0f 64 00 31 30 2e 37 37 2e  |........d.10.77.|
   0010  30 2e 31 3a 32 32 31 32 32                       |0.1:22122|`);
    const [f] = decodeEverySplit(r95);
    expect(decodeGetLeaderResponse(f!.body)).toEqual({ ip: '10.77.0.1', port: 22122 });
    expect(encodeGetLeaderResponse({ ip: '10.77.0.1', port: 22122 }).toString('hex')).toBe(r95.toString('hex'));
    expect(encodeGetLeaderRequest()).toEqual(encodeHeader(0, 95));
    const v6 = encodeGetLeaderResponse({ ip: 'fd00::1', port: 22122 });
    expect(v6.subarray(10).toString()).toBe('[fd00::1]:22122');
    expect(decodeGetLeaderResponse(v6.subarray(10))).toEqual({ ip: 'fd00::1', port: 22122 });
    for (const bad of ['', '10.0.0.1', '10.0.0.1:', 'fd00::1:22122', '[fd00::1]22122']) {
      expect(() => decodeGetLeaderResponse(Buffer.from(bad))).toThrow(ProtocolError);
    }
  });

  it('matches the captured 64 TRACKER_GET_STATUS exchanges (§12.6, §12.7.5)', () => {
    const q64 = hex('-> 0000  00 00 00 00 00 00 00 00 40 00');
    const cases: Array<[string, { ifLeader: boolean; runningTime: number; restartInterval: number }]> = [
      [`<- 0000  00 00 00 00 00 00 00 11 64 00 01 00 00 00 00 00
   0010  00 02 58 00 00 00 00 00 00 00 00`, { ifLeader: true, runningTime: 600, restartInterval: 0 }],
      [`<- 0000  00 00 00 00 00 00 00 11 64 00 01 00 00 00 00 00
   0010  00 00 00 00 00 00 00 00 00 00 00`, { ifLeader: true, runningTime: 0, restartInterval: 0 }],
      [`<- 0000  00 00 00 00 00 00 00 11 64 00 00 00 00 00 00 00
   0010  00 00 00 00 00 00 00 00 00 00 00`, { ifLeader: false, runningTime: 0, restartInterval: 0 }],
    ];
    expect(encodeGetTrackerStatusRequest().toString('hex')).toBe(q64.toString('hex'));
    for (const [dump, want] of cases) {
      const bytes = hex(dump);
      const frames = decodeEverySplit(Buffer.concat([q64, bytes]));
      expect(decodeGetTrackerStatusResponse(frames[1]!.body)).toEqual(want);
      expect(encodeGetTrackerStatusResponse(want).toString('hex')).toBe(bytes.toString('hex'));
    }
    expect(() => decodeGetTrackerStatusResponse(Buffer.alloc(16))).toThrow(ProtocolError);
  });
});
