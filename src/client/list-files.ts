// Listing a group's files (120 LIST_FILES, an fdfs extension): ask the tracker for the group's members, take
// one ACTIVE storage (or the one asked for) and stream its list, one ListedFile at a time, checking the
// trailer so a cut stream is an error rather than a short list.
import { Errno, StatusError } from '../errors.js';
import type { ConnectOptions } from '../net/connection.js';
import { listFilesFrom, type ListOptions } from '../net/list-files.js';
import { StorageStatus } from '../protocol/codes.js';
import type { ListedFile } from '../protocol/list-files.js';
import type { FdfsClient } from './client.js';

export type { ListedFile } from '../protocol/list-files.js';

export { listFilesFrom, type ListOptions };

/** The members a listing may read from: `storage` (id or ip[:port]) when given, else the ACTIVE ones in id order. */
export async function listingMembers(client: FdfsClient, group: string, storage?: string): Promise<Array<{ id: string; ip: string; port: number }>> {
  const members = await client.listStorages(group).catch((err: unknown) => {
    if (err instanceof StatusError && err.errno === Errno.ENOENT) throw new StatusError(Errno.ENOENT, `no group ${group} on the tracker`);
    throw err;
  });
  const picked = storage
    ? members.filter((s) => s.id === storage || s.ipAddr === storage || `${s.ipAddr}:${s.storagePort}` === storage)
    : members.filter((s) => s.status === StorageStatus.Active);
  if (!picked.length) {
    throw new StatusError(Errno.ENOENT, storage ? `no storage "${storage}" in group ${group}` : `no ACTIVE storage in group ${group}`);
  }
  return picked.map((s) => ({ id: s.id, ip: s.ipAddr, port: s.storagePort }));
}

/** Stream `group` from the first of `members` that can list (a stock storage cannot; the next one is asked). */
export async function* listFromAny(members: Array<{ ip: string; port: number }>, group: string, o: ListOptions, timeouts: ConnectOptions): AsyncGenerator<ListedFile> {
  for (let i = 0; i < members.length; i++) {
    try {
      yield* listFilesFrom(members[i]!, group, o, timeouts);
      return;
    } catch (err) {
      // Refused at the request, before any line: safe to ask the next member.
      if (err instanceof StatusError && err.errno === Errno.EOPNOTSUPP && i < members.length - 1) continue;
      throw err;
    }
  }
}

/** Stream the files of `group` from one of its members. */
export async function* listGroupFiles(client: FdfsClient, group: string, o: ListOptions & { storage?: string } = {}): AsyncGenerator<ListedFile> {
  const members = await listingMembers(client, group, o.storage);
  yield* listFromAny(members, group, o, { connectTimeout: client.options.connectTimeout, networkTimeout: client.options.networkTimeout });
}
