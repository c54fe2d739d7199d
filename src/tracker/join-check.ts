// What a JOIN from a storage the tracker does not know yet must show before it is registered: sane sizes, and a
// storage port that accepts connections at the joining address. A stock storage listens before it joins, so
// only a frame that is not a storage (a fuzzed or stray JOIN) is refused instead of leaving a bogus group or member.
import net from 'node:net';
import { Errno, StatusError } from '../errors.js';
import { TrackerCmd } from '../protocol/codes.js';
import type { JoinRequest } from '../protocol/join.js';

/** Stock's limits: at most 256 store paths, 1–256 subdirectories per level. */
const MAX_STORE_PATHS = 256;
const MAX_SUBDIRS = 256;

/** EINVAL for numbers no storage sends. */
export function checkJoinFields(req: JoinRequest): void {
  const bad = (what: string) => new StatusError(Errno.EINVAL, `JOIN with ${what}: not a storage's join, not registered`, TrackerCmd.StorageJoin);
  if (req.storagePort < 1 || req.storagePort > 65535) throw bad(`storage port ${req.storagePort}`);
  if (req.storePathCount < 1 || req.storePathCount > MAX_STORE_PATHS) throw bad(`store_path_count ${req.storePathCount}`);
  if (req.subdirCountPerPath < 1 || req.subdirCountPerPath > MAX_SUBDIRS) throw bad(`subdir_count_per_path ${req.subdirCountPerPath}`);
}

/** Resolves when `ip:port` accepts a TCP connection within `timeoutSec`; ECONNREFUSED otherwise. */
export function checkStorageAnswers(ip: string, port: number, timeoutSec: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: ip, port });
    const fail = (why: string) => {
      sock.destroy();
      reject(new StatusError(Errno.ECONNREFUSED,
        `a new storage ${ip}:${port} does not answer on its storage port (${why}): not registered; start its server before it joins`,
        TrackerCmd.StorageJoin));
    };
    sock.setTimeout(timeoutSec * 1000, () => fail('no answer'));
    sock.once('error', (err) => fail(err.message));
    sock.once('connect', () => {
      sock.destroy();
      resolve();
    });
  });
}
