import { describe, it, expect } from 'vitest';
import {
  encodeTrackerClusterStatRequest, decodeTrackerClusterStatRequest, encodeTrackerClusterStatResponse,
  decodeTrackerClusterStatResponse, encodeStorageClusterStatRequest, decodeStorageClusterStatRequest,
  encodeStorageClusterStatResponse, decodeStorageClusterStatResponse, encodeVolumeStatRequest, decodeVolumeStatRequest,
  encodeVolumeStatResponse, decodeVolumeStatResponse,
} from '../../../src/protocol/tracker-cluster-stat.js';
import { ProtocolError, StatusError } from '../../../src/errors.js';
import { wire } from '../../helpers/wire.js';
import { codecCases } from '../../helpers/codec-cases.js';

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

const tracker96 = {
  host: '10.77.0.1:22122', isLeader: true, isActive: true, connectionAllocCount: 256, connectionCurrentCount: 2,
  connectionMaxCount: 18, version: '6.16.1', upTime: 0x6b01efcb, lastHeartbeatTime: 0,
};
const storages97 = {
  useStorageId: false, useTrunkFile: false, storages: [
    { id: '10.77.0.2', host: '10.77.0.2:23000', isTrunkServer: false, status: 1, connectionAllocCount: 0,
      connectionCurrentCount: 0, connectionMaxCount: 0, version: '6.16.1', upTime: 0x6b01efcc, lastHeartbeatTime: 0x6b01f274 },
    { id: '10.77.0.3', host: '10.77.0.3:23000', isTrunkServer: false, status: 7, connectionAllocCount: 64,
      connectionCurrentCount: 0, connectionMaxCount: 16, version: '6.16.1', upTime: 0x6b01efcc, lastHeartbeatTime: 0x6b01f274 },
  ],
};
const volumes98 = {
  useTrunkFile: false,
  groups: [{ groupName: 'group1', totalMb: 258019, freeMb: 76562, reservedMb: 51603, availMb: 24959, trunkFreeMb: 0,
    isDiskAvailable: true, isTrunkAvailable: false }],
};

// The stock tracker leaves stale bytes after the NUL of text fields; we zero-fill them (`generates`).
codecCases('tracker-cluster-stat captures (§12.6)', {}, [
  { name: '96 request (3-byte filter, none set)', fixture: 'tracker-cluster-stat.req', value: {},
    encode: encodeTrackerClusterStatRequest, decode: (b) => decodeTrackerClusterStatRequest(b) },
  { name: '96 answer, stale bytes after the NUL ignored', fixture: 'tracker-cluster-stat.resp', value: [tracker96],
    generates: zeroStale(wire('tracker-cluster-stat.resp'), [[1, 52]]),
    encode: encodeTrackerClusterStatResponse, decode: (b) => decodeTrackerClusterStatResponse(b) },
  { name: '97 answer, two storages', fixture: 'storage-cluster-stat.resp', value: storages97,
    generates: zeroStale(wire('storage-cluster-stat.resp'), [[6, 16], [22, 52], [112, 16], [128, 52]]),
    encode: encodeStorageClusterStatResponse, decode: (b) => decodeStorageClusterStatResponse(b) },
  { name: '97 request, no filter', hex: '00 00 00 00 00 00 00 04 61 00 00 00 00 00', value: {},
    encode: encodeStorageClusterStatRequest, decode: (b) => decodeStorageClusterStatRequest(b) },
  { name: '97 request, trunk server and status != 7', hex: '00 00 00 00 00 00 00 04 61 00 03 21 07 01',
    value: { isTrunkServer: true, status: { op: '!' as const, status: 7 } },
    encode: encodeStorageClusterStatRequest, decode: (b) => decodeStorageClusterStatRequest(b) },
  { name: '98 answer, one group', fixture: 'storage-volume-stat.resp', value: volumes98,
    generates: zeroStale(wire('storage-volume-stat.resp'), [[5, 17]]),
    encode: encodeVolumeStatResponse, decode: (b) => decodeVolumeStatResponse(b) },
  { name: '98 request, disk available', hex: '00 00 00 00 00 00 00 04 62 00 05 01 00 00',
    value: { diskAvailable: true, spaceAvailable: false }, encode: encodeVolumeStatRequest, decode: (b) => decodeVolumeStatRequest(b) },
]);

describe('96 SERVER_TRACKER_CLUSTER_STAT (§12.6)', () => {
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
