// 122 DIR_DIGESTS (fdfs extension; stock answers EINVAL): what one storage holds under one top-level directory
// `Mxx/HH`, as a digest per leaf directory, so two members find the few directories where they differ without
// listing every file (anti-entropy, src/storage/repair/anti-entropy.ts).
//
// request: group[16]  dir (`Mxx/HH`, 6 bytes)
// answer:  one line per leaf directory that holds files, `LL <digest: 16 hex> <file count>\n`, LL sorted.
import { einval, ProtocolError } from '../errors.js';
import { BufReader, BufWriter } from './buf.js';
import { defineCommand } from './command.js';
import { FdfsStorageCmd, GROUP_NAME_MAX_LEN } from './codes.js';

const DIR_LEN = 6;
const DIR_RE = /^M[0-9A-F]{2}\/[0-9A-F]{2}$/;
const LINE_RE = /^([0-9A-F]{2}) ([0-9a-f]{16}) (\d+)$/;

export interface DirDigestsRequest {
  group: string;
  /** `Mxx/HH`: store path and first directory level. */
  dir: string;
}

/** One leaf directory's digest (over its files' names and sizes) and how many files it holds. */
export interface LeafDigest {
  leaf: string;
  digest: string;
  count: number;
}

export function encodeDirDigestsRequest(req: DirDigestsRequest): Buffer {
  if (!DIR_RE.test(req.dir)) throw einval(`DIR_DIGESTS: "${req.dir}" is not a directory like M00/0A`, FdfsStorageCmd.DirDigests);
  return new BufWriter(GROUP_NAME_MAX_LEN + DIR_LEN).fixed(req.group, GROUP_NAME_MAX_LEN).bytes(Buffer.from(req.dir))
    .finish(FdfsStorageCmd.DirDigests);
}

export function decodeDirDigestsRequest(body: Buffer): DirDigestsRequest {
  const cmd = FdfsStorageCmd.DirDigests;
  if (body.length !== GROUP_NAME_MAX_LEN + DIR_LEN) throw einval(`DIR_DIGESTS body of ${body.length} bytes`, cmd);
  const r = new BufReader(body);
  const group = r.fixed(GROUP_NAME_MAX_LEN);
  const dir = r.rest();
  if (!DIR_RE.test(dir)) throw einval(`DIR_DIGESTS: "${dir}" is not a directory like M00/0A`, cmd);
  return { group, dir };
}

export function encodeDirDigestsResponse(leaves: LeafDigest[]): Buffer {
  return Buffer.from(leaves.map((l) => `${l.leaf} ${l.digest} ${l.count}\n`).join(''));
}

export function decodeDirDigestsResponse(body: Buffer): LeafDigest[] {
  return body.toString('utf8').split('\n').filter(Boolean).map((line) => {
    const m = LINE_RE.exec(line);
    if (!m) throw new ProtocolError(`DIR_DIGESTS: bad answer line "${line.slice(0, 80)}"`);
    return { leaf: m[1]!, digest: m[2]!, count: Number(m[3]) };
  });
}

export const DirDigestsCommands = {
  DirDigests: defineCommand({
    cmd: FdfsStorageCmd.DirDigests, name: 'DIR_DIGESTS', headSize: GROUP_NAME_MAX_LEN + DIR_LEN, streamed: false,
    maxBody: GROUP_NAME_MAX_LEN + DIR_LEN, encode: encodeDirDigestsRequest, decode: (b) => decodeDirDigestsRequest(b),
  }),
} as const;
