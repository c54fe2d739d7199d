import { describe, it, expect } from 'vitest';
import {
  decodeTrunkAllocRequest, decodeTrunkFid, decodeTrunkFreeMb, decodeTrunkInfo, decodeTrunkSlotRequest, encodeTrunkAllocRequest,
  encodeTrunkFid, encodeTrunkFreeMb, encodeTrunkInfo, encodeTrunkSlotRequest, TRUNK_INFO_SIZE,
} from '../../../src/protocol/trunk-commands.js';
import { StorageCmd, TrackerCmd } from '../../../src/protocol/codes.js';
import { StatusError } from '../../../src/errors.js';

const body = (packet: Buffer) => packet.subarray(10);
const slot = { storePathIndex: 1, subHigh: 0x0a, subLow: 0xff, fileId: 7, offset: 1280, size: 1024 };

describe('trunk commands (§8.8)', () => {
  it('72/73 carry an i32 trunk file id, 74 an i64 of MB', () => {
    const fid = encodeTrunkFid(5, TrackerCmd.StorageReportTrunkFid);
    expect(fid.toString('hex')).toBe('0000000000000004' + '49' + '00' + '00000005');
    expect(decodeTrunkFid(body(fid))).toBe(5);
    expect(() => decodeTrunkFid(Buffer.from('ffffffff', 'hex'))).toThrow(StatusError);
    expect(decodeTrunkFreeMb(body(encodeTrunkFreeMb(123)))).toBe(123);
  });

  it('the 15-byte trunk info: path, sub dirs, id, offset, size', () => {
    const b = encodeTrunkInfo(slot);
    expect(b).toHaveLength(TRUNK_INFO_SIZE);
    expect(b.toString('hex')).toBe('010aff' + '00000007' + '00000500' + '00000400');
    expect(decodeTrunkInfo(b)).toEqual(slot);
  });

  it('27 is group[16] size path; 28/29 group[16] + trunk info', () => {
    const alloc = encodeTrunkAllocRequest({ group: 'group1', size: 1024, storePathIndex: 1 });
    expect(alloc[8]).toBe(StorageCmd.TrunkAllocSpace);
    expect(body(alloc)).toHaveLength(21);
    expect(decodeTrunkAllocRequest(body(alloc))).toEqual({ group: 'group1', size: 1024, storePathIndex: 1 });
    const confirm = encodeTrunkSlotRequest(StorageCmd.TrunkAllocConfirm, { group: 'group1', slot });
    expect(confirm[8]).toBe(StorageCmd.TrunkAllocConfirm);
    expect(decodeTrunkSlotRequest(body(confirm))).toEqual({ group: 'group1', slot });
    expect(() => decodeTrunkSlotRequest(Buffer.alloc(30))).toThrow(StatusError);
  });
});
