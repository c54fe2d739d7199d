// A tracker answers ENOENT both for "no such group" and for "the group has no ACTIVE storage" (stock does the
// same; the wire carries only the errno). After such an answer the client asks the group's storages (92) and
// tells the two apart: a group whose storages are all away (starting, re-joining a restarted tracker) is waited
// for a few seconds, then reported as UnavailableError, never as "not found".
import { setTimeout as sleep } from 'node:timers/promises';
import { Errno, StatusError, UnavailableError } from '../errors.js';
import { StorageStatus } from '../protocol/codes.js';
import type { GroupStat, StorageRecord } from '../protocol/tracker-list.js';

/** What a query needs of the group: a storage to read from (fetch, update) or to write to (store). */
export type Need = 'read' | 'write';

export interface GroupLookup {
  listGroups(): Promise<GroupStat[]>;
  listStorages(group: string): Promise<StorageRecord[]>;
}

type GroupState = { kind: 'unknown' } | { kind: 'away'; group: string } | { kind: 'serving' };

/**
 * The state of `group` (or, for an upload without one, of every group) as the tracker sees it now: away = it
 * has storages and none is ACTIVE. ACTIVE storages that may not serve (rw=none in storage_ids.conf) are not
 * away: that lasts, the tracker's answer stands.
 */
async function groupState(lookup: GroupLookup, group: string | undefined): Promise<GroupState> {
  const names = group ? [group] : (await lookup.listGroups()).filter((g) => g.storageCount > 0).map((g) => g.groupName);
  const withMembers: string[] = [];
  for (const name of names) {
    let members: StorageRecord[];
    try {
      members = await lookup.listStorages(name);
    } catch (err) {
      if (err instanceof StatusError && err.errno === Errno.ENOENT) continue;
      throw err;
    }
    if (members.some((m) => m.status === StorageStatus.Active)) return { kind: 'serving' };
    if (members.some((m) => m.status !== StorageStatus.Deleted && m.status !== StorageStatus.IpChanged)) withMembers.push(name);
  }
  return withMembers.length ? { kind: 'away', group: withMembers.join(', ') } : { kind: 'unknown' };
}

export interface RetryOptions {
  /** How long to wait for a storage of the group to come back (ms). */
  waitMs: number;
  /** Between two tries (ms). */
  everyMs?: number;
}

/**
 * Run a tracker query; on ENOENT find out why. Unknown group: StatusError ENOENT saying so. Group known with
 * no ACTIVE storage: try again every `everyMs` for up to `waitMs`, then UnavailableError. Otherwise the answer.
 */
export async function queryWithRetry<T>(lookup: GroupLookup, group: string | undefined, need: Need,
  query: () => Promise<T>, o: RetryOptions): Promise<T> {
  const deadline = Date.now() + o.waitMs;
  for (;;) {
    let refusal: StatusError;
    try {
      return await query();
    } catch (err) {
      if (!(err instanceof StatusError) || err.errno !== Errno.ENOENT) throw err;
      refusal = err;
    }
    const state = await groupState(lookup, group);
    if (state.kind === 'serving') throw refusal;
    if (state.kind === 'unknown') {
      const what = group ? `the tracker knows no group ${group} (fdfs groups lists the groups)` : 'the tracker knows no group with a storage yet';
      throw new StatusError(Errno.ENOENT, what, refusal.cmd);
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const role = need === 'read' ? 'can serve files' : 'can take uploads';
      throw new UnavailableError(
        `no storage of ${state.group} ${role} right now: the group is known but none of its storages is ACTIVE ` +
        `(starting, or re-joining a restarted tracker); try again in a few seconds (fdfs storages ${group ?? 'GROUP'} shows them)`,
        state.group);
    }
    await sleep(Math.min(o.everyMs ?? 250, left));
  }
}
