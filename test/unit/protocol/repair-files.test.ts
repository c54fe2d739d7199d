// 121 REPAIR_FILES codec: names in, one outcome line per name out; bad bodies are EINVAL / ProtocolError.
import { describe, it, expect } from 'vitest';
import {
  decodeRepairFilesRequest, decodeRepairFilesResponse, encodeRepairFilesRequest, encodeRepairFilesResponse, MAX_REPAIR_NAMES,
} from '../../../src/protocol/repair-files.js';
import { HEADER_SIZE } from '../../../src/protocol/codes.js';

describe('REPAIR_FILES', () => {
  it('round-trips a request and an answer', () => {
    const names = ['M00/00/01/abc.jpg', 'M01/FF/00/def'];
    const packet = encodeRepairFilesRequest({ group: 'group1', names });
    expect(packet.readUInt8(8)).toBe(121);
    expect(decodeRepairFilesRequest(packet.subarray(HEADER_SIZE))).toEqual({ group: 'group1', names });
    const answer = [{ name: names[0]!, outcome: 'repaired' as const }, { name: names[1]!, outcome: 'deleted' as const }];
    expect(decodeRepairFilesResponse(encodeRepairFilesResponse(answer))).toEqual(answer);
  });

  it('refuses no names, too many, empty ones, and unknown outcomes', () => {
    expect(() => encodeRepairFilesRequest({ group: 'g', names: [] })).toThrow(/1 to/);
    expect(() => encodeRepairFilesRequest({ group: 'g', names: Array(MAX_REPAIR_NAMES + 1).fill('M00/00/00/x') })).toThrow(/1 to/);
    const body = encodeRepairFilesRequest({ group: 'g', names: ['a', 'b'] }).subarray(HEADER_SIZE);
    const withEmpty = Buffer.concat([body, Buffer.from('\n')]);
    expect(() => decodeRepairFilesRequest(withEmpty)).toThrow(/empty/);
    expect(() => decodeRepairFilesResponse(Buffer.from('fixed M00/00/00/x\n'))).toThrow(/bad answer line/);
  });
});
