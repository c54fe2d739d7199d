// 121 REPAIR_FILES (fdfs extension; stock answers EINVAL): ask one storage to fetch the named files it lacks
// or holds damaged from its group's other members, as `fdfs verify --repair` does after comparing them.
//
// request: group[16]  names joined by '\n' (logical `Mxx/HH/HH/name`, at most MAX_REPAIR_NAMES)
// answer:  one line per name, `<outcome> <name>\n`, in request order.
import { einval, ProtocolError } from '../errors.js';
import { BufReader, BufWriter } from './buf.js';
import { defineCommand } from './command.js';
import { FdfsStorageCmd, GROUP_NAME_MAX_LEN, MAX_LOGIC_FILENAME_LEN } from './codes.js';

export const MAX_REPAIR_NAMES = 500;
const MAX_BODY = GROUP_NAME_MAX_LEN + MAX_REPAIR_NAMES * MAX_LOGIC_FILENAME_LEN;

/**
 * present: already there and good. repaired: fetched from a peer. deleted: this storage deleted it (its binlog
 * says so): not brought back. unavailable: no peer has a good copy now.
 */
export const REPAIR_OUTCOMES = ['present', 'repaired', 'deleted', 'unavailable'] as const;
export type RepairFileOutcome = (typeof REPAIR_OUTCOMES)[number];

export interface RepairFilesRequest {
  group: string;
  names: string[];
}

export function encodeRepairFilesRequest(req: RepairFilesRequest): Buffer {
  const cmd = FdfsStorageCmd.RepairFiles;
  if (!req.names.length || req.names.length > MAX_REPAIR_NAMES) throw einval(`REPAIR_FILES: 1 to ${MAX_REPAIR_NAMES} names`, cmd);
  const names = Buffer.from(req.names.join('\n'));
  return new BufWriter(GROUP_NAME_MAX_LEN + names.length).fixed(req.group, GROUP_NAME_MAX_LEN).bytes(names).finish(cmd);
}

export function decodeRepairFilesRequest(body: Buffer): RepairFilesRequest {
  const cmd = FdfsStorageCmd.RepairFiles;
  if (body.length <= GROUP_NAME_MAX_LEN || body.length > MAX_BODY) throw einval(`REPAIR_FILES body of ${body.length} bytes`, cmd);
  const r = new BufReader(body);
  const group = r.fixed(GROUP_NAME_MAX_LEN);
  const names = r.rest().split('\n');
  if (names.length > MAX_REPAIR_NAMES || names.some((n) => !n || n.length >= MAX_LOGIC_FILENAME_LEN)) {
    throw einval('REPAIR_FILES: empty, too long or too many names', cmd);
  }
  return { group, names };
}

export function encodeRepairFilesResponse(results: Array<{ name: string; outcome: RepairFileOutcome }>): Buffer {
  return Buffer.from(results.map((x) => `${x.outcome} ${x.name}\n`).join(''));
}

export function decodeRepairFilesResponse(body: Buffer): Array<{ name: string; outcome: RepairFileOutcome }> {
  return body.toString('utf8').split('\n').filter(Boolean).map((line) => {
    const sp = line.indexOf(' ');
    const outcome = line.slice(0, sp) as RepairFileOutcome;
    if (sp < 0 || !REPAIR_OUTCOMES.includes(outcome)) throw new ProtocolError(`REPAIR_FILES: bad answer line "${line.slice(0, 80)}"`);
    return { outcome, name: line.slice(sp + 1) };
  });
}

export const RepairFilesCommands = {
  RepairFiles: defineCommand({
    cmd: FdfsStorageCmd.RepairFiles, name: 'REPAIR_FILES', headSize: GROUP_NAME_MAX_LEN + 1, streamed: false, maxBody: MAX_BODY,
    encode: encodeRepairFilesRequest, decode: (b) => decodeRepairFilesRequest(b),
  }),
} as const;
