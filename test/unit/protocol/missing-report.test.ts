// 201 REPORT_MISSING codec: group, flag and names in; bad bodies are EINVAL.
import { describe, it, expect } from 'vitest';
import { decodeMissingReport, encodeMissingReport, MAX_MISSING_NAMES } from '../../../src/protocol/missing-report.js';
import { HEADER_SIZE } from '../../../src/protocol/codes.js';

describe('REPORT_MISSING', () => {
  it('round-trips a report', () => {
    const req = { group: 'group1', held: false, names: ['M00/00/01/abc.jpg', 'M01/FF/00/def'] };
    const packet = encodeMissingReport(req);
    expect(packet.readUInt8(8)).toBe(201);
    expect(decodeMissingReport(packet.subarray(HEADER_SIZE))).toEqual(req);
    expect(decodeMissingReport(encodeMissingReport({ ...req, held: true }).subarray(HEADER_SIZE)).held).toBe(true);
  });

  it('refuses no names, too many, empty ones and a bad flag', () => {
    expect(() => encodeMissingReport({ group: 'g', held: false, names: [] })).toThrow(/1 to/);
    expect(() => encodeMissingReport({ group: 'g', held: false, names: Array(MAX_MISSING_NAMES + 1).fill('x') })).toThrow(/1 to/);
    const body = Buffer.from(encodeMissingReport({ group: 'g', held: false, names: ['a'] }).subarray(HEADER_SIZE));
    expect(() => decodeMissingReport(Buffer.concat([body, Buffer.from('\n')]))).toThrow(/bad flag, or empty/);
    body[16] = 7;
    expect(() => decodeMissingReport(body)).toThrow(/bad flag/);
  });
});
