// 201 REPORT_MISSING (fdfs extension, storage → tracker; a stock tracker answers EINVAL): names of the group
// this storage was asked for and does not hold (held = 0), or holds again after fetching them (held = 1).
//
// request: group[16]  held u8  names joined by '\n' (logical `Mxx/HH/HH/name`, at most MAX_MISSING_NAMES)
// answer:  empty.
import { einval } from '../errors.js';
import { BufReader, BufWriter } from './buf.js';
import { GROUP_NAME_MAX_LEN, MAX_LOGIC_FILENAME_LEN, TrackerCmd } from './codes.js';

export const MAX_MISSING_NAMES = 100;
export const MISSING_REPORT_MAX_BODY = GROUP_NAME_MAX_LEN + 1 + MAX_MISSING_NAMES * MAX_LOGIC_FILENAME_LEN;

export interface MissingReport {
  group: string;
  /** false: this storage lacks the names; true: it holds them again. */
  held: boolean;
  names: string[];
}

export function encodeMissingReport(req: MissingReport): Buffer {
  const cmd = TrackerCmd.FdfsStorageReportMissing;
  if (!req.names.length || req.names.length > MAX_MISSING_NAMES) throw einval(`REPORT_MISSING: 1 to ${MAX_MISSING_NAMES} names`, cmd);
  const names = Buffer.from(req.names.join('\n'));
  return new BufWriter(GROUP_NAME_MAX_LEN + 1 + names.length).fixed(req.group, GROUP_NAME_MAX_LEN).u8(req.held ? 1 : 0).bytes(names)
    .finish(cmd);
}

export function decodeMissingReport(body: Buffer): MissingReport {
  const cmd = TrackerCmd.FdfsStorageReportMissing;
  if (body.length <= GROUP_NAME_MAX_LEN + 1 || body.length > MISSING_REPORT_MAX_BODY) throw einval(`REPORT_MISSING body of ${body.length} bytes`, cmd);
  const r = new BufReader(body);
  const group = r.fixed(GROUP_NAME_MAX_LEN);
  const held = r.u8();
  const names = r.rest().split('\n');
  if (held > 1 || names.length > MAX_MISSING_NAMES || names.some((n) => !n || n.length >= MAX_LOGIC_FILENAME_LEN)) {
    throw einval('REPORT_MISSING: bad flag, or empty, too long or too many names', cmd);
  }
  return { group, held: held === 1, names };
}
