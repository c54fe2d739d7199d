import { describe, it, expect } from 'vitest';
import {
  encodeTrackerClusterStatRequest, decodeTrackerClusterStatRequest, encodeTrackerClusterStatResponse,
  decodeTrackerClusterStatResponse, encodeStorageClusterStatRequest, decodeStorageClusterStatRequest,
  encodeStorageClusterStatResponse, decodeStorageClusterStatResponse, encodeVolumeStatRequest, decodeVolumeStatRequest,
  encodeVolumeStatResponse, decodeVolumeStatResponse,
} from '../../../src/protocol/tracker-cluster-stat.js';
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

/** The capture with the stale bytes after each text field's NUL zeroed: what a zero-filling writer sends. */
function zeroStale(pkt: Buffer, fields: Array<[number, number]>): Buffer {
  const out = Buffer.from(pkt);
  for (const [bodyOff, width] of fields) {
    const off = 10 + bodyOff;
    const nul = out.subarray(off, off + width).indexOf(0);
    if (nul !== -1) out.fill(0, off + nul, off + width);
  }
  return out;
}

function errno(fn: () => unknown): number {
  try { fn(); } catch (e) { if (e instanceof StatusError) return e.errno; throw e; }
  throw new Error('expected a StatusError');
}

describe('96 SERVER_TRACKER_CLUSTER_STAT (§12.6)', () => {
  const q = hex('-> 0000  00 00 00 00 00 00 00 03 60 00 00 00 00');
  const r = hex(`
<- 0000  00 00 00 00 00 00 00 5b 64 00 01 31 30 2e 37 37  |.......[d..10.77|
   0010  2e 30 2e 31 3a 32 32 31 32 32 00 30 2e 37 37 2e  |.0.1:22122.0.77.|
   0020  30 2e 33 00 00 00 00 00 00 00 00 00 00 00 00 59  |0.3............Y|
   0030  d8 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01  |................|
   0040  01 00 00 01 00 00 00 00 02 00 00 00 12 36 2e 31  |.............6.1|
   0050  36 2e 31 00 00 00 00 00 00 6b 01 ef cb 00 00 00  |6.1......k......|
   0060  00 00 00 00 00                                   |.....|`);
  const want = {
    host: '10.77.0.1:22122', isLeader: true, isActive: true, connectionAllocCount: 256, connectionCurrentCount: 2,
    connectionMaxCount: 18, version: '6.16.1', upTime: 0x6b01efcb, lastHeartbeatTime: 0,
  };

  it('decodes the capture, ignoring stale bytes after the NUL', () => {
    const frames = decodeEverySplit(Buffer.concat([q, r]));
    expect(decodeTrackerClusterStatRequest(frames[0]!.body)).toEqual({});
    expect(decodeTrackerClusterStatResponse(frames[1]!.body)).toEqual([want]);
  });

  it('encodes the request exactly and the response zero-filled', () => {
    expect(encodeTrackerClusterStatRequest().toString('hex')).toBe(q.toString('hex'));
    expect(encodeTrackerClusterStatResponse([want]).toString('hex')).toBe(zeroStale(r, [[1, 52]]).toString('hex'));
  });

  it('round-trips filters and rejects bad lengths', () => {
    for (const f of [{ isActive: true }, { isLeader: false }, { isActive: false, isLeader: true }]) {
      expect(decodeTrackerClusterStatRequest(encodeTrackerClusterStatRequest(f).subarray(10))).toEqual(f);
    }
    expect([...encodeTrackerClusterStatRequest({ isActive: true, isLeader: true }).subarray(10)]).toEqual([3, 1, 1]);
    expect(errno(() => decodeTrackerClusterStatRequest(Buffer.alloc(2)))).toBe(22);
    expect(() => decodeTrackerClusterStatResponse(Buffer.from([2, ...Buffer.alloc(90)]))).toThrow(ProtocolError);
    expect(decodeTrackerClusterStatResponse(Buffer.from([0]))).toEqual([]);
  });
});

describe('97 SERVER_STORAGE_CLUSTER_STAT (§12.6)', () => {
  const r = dumpAt(`
<- 0000  00 00 00 00 00 00 00 da 64 00 00 00 00 00 00 02  |........d.......|
   0010  31 30 2e 37 37 2e 30 2e 32 00 00 30 2e 37 37 2e  |10.77.0.2..0.77.|
   0020  31 30 2e 37 37 2e 30 2e 32 3a 32 33 30 30 30 00  |10.77.0.2:23000.|
   0030  d8 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01  |................|
   0040  01 00 00 01 00 00 00 00 02 00 00 00 12 36 2e 31  |.............6.1|
   0050  36 2e 31 00 00 01 00 00 00 00 00 00 00 00 00 00  |6.1.............|
   0060  00 00 36 2e 31 36 2e 31 00 00 00 00 00 00 6b 01  |..6.16.1......k.|
   0070  ef cc 00 00 00 00 6b 01 f2 74 31 30 2e 37 37 2e  |......k..t10.77.|
   0080  30 2e 33 00 00 00 00 00 00 00 31 30 2e 37 37 2e  |0.3.......10.77.|
   0090  30 2e 33 3a 32 33 30 30 30 00 00 00 00 00 00 00  |0.3:23000.......|
   00a0  … (zeros) …
   00b0  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 07  |................|
   00c0  00 00 00 40 00 00 00 00 00 00 00 10 36 2e 31 36  |...@........6.16|
   00d0  2e 31 00 00 00 00 00 00 6b 01 ef cc 00 00 00 00  |.1......k.......|
   00e0  6b 01 f2 74                                      |k..t|`, 0xe4);
  const want = {
    useStorageId: false, useTrunkFile: false, storages: [
      { id: '10.77.0.2', host: '10.77.0.2:23000', isTrunkServer: false, status: 1, connectionAllocCount: 0,
        connectionCurrentCount: 0, connectionMaxCount: 0, version: '6.16.1', upTime: 0x6b01efcc, lastHeartbeatTime: 0x6b01f274 },
      { id: '10.77.0.3', host: '10.77.0.3:23000', isTrunkServer: false, status: 7, connectionAllocCount: 64,
        connectionCurrentCount: 0, connectionMaxCount: 16, version: '6.16.1', upTime: 0x6b01efcc, lastHeartbeatTime: 0x6b01f274 },
    ],
  };

  it('decodes the capture and encodes it zero-filled', () => {
    const [f] = decodeEverySplit(r);
    expect(decodeStorageClusterStatResponse(f!.body)).toEqual(want);
    const clean = zeroStale(r, [[6, 16], [22, 52], [112, 16], [128, 52]]);
    expect(encodeStorageClusterStatResponse(want).toString('hex')).toBe(clean.toString('hex'));
  });

  it('encodes the four-byte filter', () => {
    expect(encodeStorageClusterStatRequest().toString('hex')).toBe('0000000000000004610000000000');
    const f = { isTrunkServer: true, status: { op: '!' as const, status: 7 } };
    const body = encodeStorageClusterStatRequest(f).subarray(10);
    expect([...body]).toEqual([3, 0x21, 7, 1]);
    expect(decodeStorageClusterStatRequest(body)).toEqual(f);
    expect(decodeStorageClusterStatRequest(Buffer.from([2, 0x3d, 1, 0]))).toEqual({ status: { op: '=', status: 1 } });
    expect(errno(() => decodeStorageClusterStatRequest(Buffer.from([2, 0x3e, 1, 0])))).toBe(22);
    expect(errno(() => decodeStorageClusterStatRequest(Buffer.alloc(3)))).toBe(22);
    expect(() => decodeStorageClusterStatResponse(Buffer.from([0, 0, 0, 0, 0, 1]))).toThrow(ProtocolError);
  });
});

describe('98 SERVER_STORAGE_VOLUMN_STAT (§12.6)', () => {
  const r = hex(`
<- 0000  00 00 00 00 00 00 00 40 64 00 00 00 00 00 01 67  |.......@d......g|
   0010  72 6f 75 70 31 00 30 2e 32 00 00 30 2e 37 37 2e  |roup1.0.2..0.77.|
   0020  00 00 00 00 00 03 ef e3 00 00 00 00 00 01 2b 12  |..............+.|
   0030  00 00 00 00 00 00 c9 93 00 00 00 00 00 00 61 7f  |..............a.|
   0040  00 00 00 00 00 00 00 00 01 00                    |..........|`);
  const want = {
    useTrunkFile: false,
    groups: [{ groupName: 'group1', totalMb: 258019, freeMb: 76562, reservedMb: 51603, availMb: 24959, trunkFreeMb: 0,
      isDiskAvailable: true, isTrunkAvailable: false }],
  };

  it('decodes the capture and encodes it zero-filled', () => {
    const [f] = decodeEverySplit(r);
    expect(decodeVolumeStatResponse(f!.body)).toEqual(want);
    expect(encodeVolumeStatResponse(want).toString('hex')).toBe(zeroStale(r, [[5, 17]]).toString('hex'));
  });

  it('round-trips filters', () => {
    expect(encodeVolumeStatRequest().subarray(0, 10).toString('hex')).toBe('00000000000000046200');
    for (const f of [{}, { diskAvailable: true }, { trunkAvailable: false, spaceAvailable: true }]) {
      expect(decodeVolumeStatRequest(encodeVolumeStatRequest(f).subarray(10))).toEqual(f);
    }
    expect([...encodeVolumeStatRequest({ diskAvailable: true, spaceAvailable: false }).subarray(10)]).toEqual([5, 1, 0, 0]);
    expect(errno(() => decodeVolumeStatRequest(Buffer.alloc(5)))).toBe(22);
  });

  it('round-trips random responses', () => {
    for (let i = 0; i < 50; i++) {
      const res = {
        useTrunkFile: i % 2 === 0,
        groups: Array.from({ length: i % 4 }, (_, j) => ({
          groupName: `group${j}`, totalMb: i * 1000, freeMb: j, reservedMb: i, availMb: Math.max(0, j - i), trunkFreeMb: i * j,
          isDiskAvailable: j % 2 === 0, isTrunkAvailable: j % 3 === 0,
        })),
      };
      expect(decodeVolumeStatResponse(encodeVolumeStatResponse(res).subarray(10))).toEqual(res);
      const st = {
        useStorageId: i % 3 === 0, useTrunkFile: false,
        storages: Array.from({ length: i % 3 }, (_, j) => ({
          id: `s${j}`, host: `10.0.0.${j}:23000`, isTrunkServer: j === 0, status: j + 1, connectionAllocCount: i,
          connectionCurrentCount: j, connectionMaxCount: i + j, version: '6.16.1', upTime: i * 99, lastHeartbeatTime: i * 100,
        })),
      };
      expect(decodeStorageClusterStatResponse(encodeStorageClusterStatResponse(st).subarray(10))).toEqual(st);
    }
  });
});
