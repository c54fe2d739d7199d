// Administrative tracker commands of the client (spec §4.5): delete a storage (checked with 92 on every
// tracker first, then 93 to every tracker), delete an empty group (108 to every tracker), get the leader (95).
import { Errno, StatusError } from '../errors.js';
import { StorageStatus, TrackerCmd, storageStatusName } from '../protocol/codes.js';
import {
  decodeGetLeaderResponse, decodeListStorageResponse, encodeDeleteGroupRequest, encodeDeleteStorageRequest,
  encodeGetLeaderRequest, encodeListStorageRequest,
} from '../protocol/tracker-list.js';
import type { TrackerSet } from './trackers.js';

type Outcome = Array<{ error?: unknown }>;

const errnoOf = (e: unknown): number | undefined => (e instanceof StatusError ? e.errno : undefined);

/**
 * One answer for a command sent to every tracker: success if any tracker did it (or, with `already`,
 * had already done it); ENOENT if every tracker said so; otherwise the first real error.
 */
function merge(results: Outcome, what: string, already = false): void {
  let ok = 0;
  let notFound = 0;
  let first: unknown;
  for (const r of results) {
    const e = errnoOf(r.error);
    if (!r.error || (already && e === Errno.EALREADY)) ok++;
    else if (e === Errno.ENOENT) notFound++;
    else first ??= r.error;
  }
  if (first) throw first;
  if (!ok && notFound) throw new StatusError(Errno.ENOENT, `${what}: not found`);
}

/** 93, as the C client does it: refuse (EBUSY) if any tracker sees the storage ONLINE or ACTIVE. */
export async function deleteStorage(trackers: TrackerSet, group: string, storageId: string): Promise<void> {
  const cmd = TrackerCmd.ServerListStorage;
  const seen = await trackers.each((c) => c.call(encodeListStorageRequest(group, storageId), { cmd, maxBody: 4096 }));
  for (const r of seen) {
    if (r.error) {
      if (errnoOf(r.error) === Errno.ENOENT) continue;
      throw r.error;
    }
    for (const s of decodeListStorageResponse(r.result!)) {
      if (s.status === StorageStatus.Online || s.status === StorageStatus.Active) {
        throw new StatusError(Errno.EBUSY, `storage ${storageId} is ${storageStatusName(s.status)} on tracker ` +
          `${r.tracker.host}:${r.tracker.port}; stop it before deleting it`, TrackerCmd.ServerDeleteStorage);
      }
    }
  }
  const done = await trackers.each((c) => c.call(encodeDeleteStorageRequest(group, storageId), { cmd: TrackerCmd.ServerDeleteStorage }));
  merge(done, `storage ${storageId} in ${group}`, true);
}

/** 108 to every tracker: only a group without storages can go (EBUSY otherwise, said with the storages in the way). */
export async function deleteGroup(trackers: TrackerSet, group: string): Promise<void> {
  const done = await trackers.each((c) => c.call(encodeDeleteGroupRequest(group), { cmd: TrackerCmd.ServerDeleteGroup }));
  try {
    merge(done, `group ${group}`);
  } catch (err) {
    if (errnoOf(err) !== Errno.EBUSY) throw err;
    throw await groupInUse(trackers, group, err as StatusError);
  }
}

/** Why a group cannot go: the storages it still has, and what to do about each. */
async function groupInUse(trackers: TrackerSet, group: string, err: StatusError): Promise<StatusError> {
  const cmd = TrackerCmd.ServerListStorage;
  const list = await trackers.use((c) => c.call(encodeListStorageRequest(group), { cmd, maxBody: 64 << 10 }))
    .then(decodeListStorageResponse, () => null);
  if (!list?.length) {
    return new StatusError(Errno.EBUSY, `group ${group} still has storages; remove them with \`fdfs storage delete ${group} ID\` first`, err.cmd);
  }
  const live = list.filter((s) => s.status === StorageStatus.Online || s.status === StorageStatus.Active);
  const names = list.map((s) => `${s.id || s.ipAddr} (${storageStatusName(s.status)})`).join(', ');
  const one = list.length === 1;
  const remove = one
    ? `remove it with \`fdfs storage delete ${group} ${list[0]!.id || list[0]!.ipAddr}\``
    : `remove each with \`fdfs storage delete ${group} ID\``;
  const todo = live.length ? `stop ${one ? 'it' : 'the running ones'}, then ${remove}` : remove;
  return new StatusError(Errno.EBUSY,
    `group ${group} still has ${list.length} storage${list.length === 1 ? '' : 's'}: ${names}; ${todo}, then delete the group`, err.cmd);
}

/** 95: the leader tracker's address. */
export async function getLeader(trackers: TrackerSet): Promise<{ ip: string; port: number }> {
  const body = await trackers.use((c) => c.call(encodeGetLeaderRequest(), { cmd: TrackerCmd.ServerGetLeader, maxBody: 128 }));
  return decodeGetLeaderResponse(body);
}
