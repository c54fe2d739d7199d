// Where to upload and where to read (§10.1, §10.2): group, storage and store-path choice,
// download/update routing from the facts a file name carries. Pure functions over the model.
import { Errno, StatusError } from '../errors.js';
import type { ReservedSpace } from '../config/values.js';
import { fileRouting, type FileRouting } from '../protocol/file-id.js';
import type { Cluster } from './cluster.js';
import type { Group } from './group.js';
import type { StorageNode } from './storage-node.js';

export interface SelectionPolicy {
  /** 0 round robin, 1 specified group, 2 most free space. */
  storeLookup: number;
  storeGroup: string;
  /** 0 round robin, 1 first by id, 2 by upload_priority. */
  storeServer: number;
  /** 0 round robin, 2 most free path. */
  storePath: number;
  /** 0 round robin among qualifying storages, 1 source first. */
  downloadServer: number;
  reserved: ReservedSpace;
  storageSyncFileMaxDelay: number;
  storageSyncFileMaxTime: number;
}

export function reservedMb(r: ReservedSpace, totalMb: number): number {
  return r.kind === 'mb' ? r.mb : Math.floor(totalMb * r.ratio);
}

/** Group-level reserved-space check (§10.2). */
export function groupHasRoom(g: Group, r: ReservedSpace): boolean {
  // Members that just turned ACTIVE may not have reported their disks yet: unknown space is not
  // "full" (the storage still checks its own path before writing).
  const writable = g.writable();
  if (writable.length && writable.every((s) => s.paths.length === 0)) return true;
  const { totalMb, freeMb } = g.space();
  if (r.kind === 'mb') return freeMb > r.mb;
  return totalMb > 0 && freeMb / totalMb > r.ratio;
}

/** Per-store-path reserved-space check (tracker and storage use the same rule). */
export function pathHasRoom(freeMb: number, totalMb: number, pathCount: number, r: ReservedSpace, needMb = 0): boolean {
  const free = freeMb - needMb;
  if (r.kind === 'mb') return free > r.mb / Math.max(pathCount, 1);
  return totalMb > 0 && free / totalMb > r.ratio;
}

/** The group for an upload (101/106 without a group; 104/107 name one). */
export function chooseStoreGroup(cluster: Cluster, p: SelectionPolicy, named?: string): Group {
  if (named !== undefined) return checkNamedGroup(cluster, p, named);
  if (p.storeLookup === 1) return checkNamedGroup(cluster, p, p.storeGroup);
  const groups = cluster.sortedGroups();
  if (!groups.length) throw new StatusError(Errno.ENOENT, 'no groups');
  // A loop, not filter: this runs for every upload.
  let best: Group | null = null;
  for (const g of groups) {
    if (g.writable().length === 0) continue;
    if (best === null || (p.storeLookup === 2 && g.space().freeMb > best.space().freeMb)) best = g;
  }
  if (best === null) throw new StatusError(Errno.ENOENT, 'no group has an active storage');
  if (p.storeLookup === 2 && groupHasRoom(best, p.reserved)) return best;
  const n = groups.length;
  for (let i = 0; i < n; i++) {
    const g = groups[(cluster.currentWriteGroup + i) % n]!;
    if (g.writable().length && groupHasRoom(g, p.reserved)) {
      if (p.storeLookup === 0) cluster.currentWriteGroup = (cluster.currentWriteGroup + i + 1) % n;
      return g;
    }
  }
  throw new StatusError(Errno.ENOSPC, 'every group is short of space (reserved_storage_space)');
}

function checkNamedGroup(cluster: Cluster, p: SelectionPolicy, name: string): Group {
  const g = cluster.group(name);
  if (!g) throw new StatusError(Errno.ENOENT, `group ${name} not found`);
  if (!g.writable().length) throw new StatusError(Errno.ENOENT, `group ${name} has no active storage`);
  if (!groupHasRoom(g, p.reserved)) throw new StatusError(Errno.ENOSPC, `group ${name} is short of space`);
  return g;
}

/** The storage(s) for an upload in `g` and the store path index the client must echo. */
export function chooseStoreServers(g: Group, p: SelectionPolicy, all: boolean): { servers: StorageNode[]; storePathIndex: number } {
  const writable = g.writable();
  if (!writable.length) throw new StatusError(Errno.ENOENT, `group ${g.name} has no writable storage`);
  let first: StorageNode;
  if (p.storeServer === 1) first = writable[0]!;
  else if (p.storeServer === 2) first = writable.reduce((a, b) => (b.uploadPriority < a.uploadPriority ? b : a));
  else {
    const i = g.currentWriteServer % writable.length;
    first = writable[i]!;
    if (!all) g.currentWriteServer = (i + 1) % writable.length;
  }
  const servers = all ? [first, ...writable.filter((s) => s !== first)] : [first];
  return { servers, storePathIndex: choosePath(first, p) };
}

function choosePath(s: StorageNode, p: SelectionPolicy): number {
  const n = Math.max(s.storePathCount, 1);
  if (!s.paths.length) return 0;
  if (p.storePath === 2) return s.currentWritePath % n;
  for (let i = 0; i < n; i++) {
    const idx = (s.currentWritePath + i) % n;
    const path = s.paths[idx];
    if (!path || pathHasRoom(path.freeMb, path.totalMb, n, p.reserved)) {
      s.currentWritePath = (idx + 1) % n;
      return idx;
    }
  }
  throw new StatusError(Errno.ENOSPC, `no store path of ${s.id} has room`);
}

type FileFacts = FileRouting;

function factsOf(logical: string): FileFacts {
  // Pre-1.12 names carry no facts: no source, timestamp 0, treated as normal (stock).
  return fileRouting(logical) ?? { sourceIp: '', sourceId: '', timestamp: 0, normal: true };
}

function isSource(s: StorageNode, f: FileFacts): boolean {
  return f.sourceId ? s.id === f.sourceId : s.ip === f.sourceIp;
}

function qualifies(s: StorageNode, f: FileFacts, p: SelectionPolicy, now: number): boolean {
  return (
    isSource(s, f) ||
    f.timestamp < now - p.storageSyncFileMaxDelay ||
    s.lastSyncedTimestamp > f.timestamp ||
    (s.lastSyncedTimestamp + 1 >= f.timestamp && now - f.timestamp > p.storageSyncFileMaxTime)
  );
}

/** 102 (one) / 105 (all): storages that surely hold the file. */
export function chooseFetch(cluster: Cluster, p: SelectionPolicy, groupName: string, logical: string, all: boolean, now = Math.floor(Date.now() / 1000)): StorageNode[] {
  const g = cluster.group(groupName);
  if (!g) throw new StatusError(Errno.ENOENT, `group ${groupName} not found`);
  const f = factsOf(logical);
  const allReadable = g.readable();
  if (!allReadable.length) throw new StatusError(Errno.ENOENT, `group ${groupName} has no readable storage`);
  // Members that reported lacking this file are passed over while another can serve it.
  const holding = g.missing.size ? allReadable.filter((s) => !g.missing.lacks(logical, s.id)) : allReadable;
  const readable = holding.length ? holding : allReadable;
  const source = readable.find((s) => isSource(s, f));
  if (!f.normal || p.downloadServer === 1) {
    if (source) return [source];
  } else if (all) {
    const list = readable.filter((s) => qualifies(s, f, p, now));
    if (list.length) return list;
  } else {
    const n = readable.length;
    for (let i = 0; i < n; i++) {
      const idx = (g.currentReadServer + i) % n;
      const s = readable[idx]!;
      if (qualifies(s, f, p, now)) {
        g.currentReadServer = (idx + 1) % n;
        return [s];
      }
    }
  }
  // Fallback: the group's store server if readable.
  const store = storeServerOf(g, p);
  if (store?.readable && readable.includes(store)) return [store];
  // The source lacks it: a member that got it by replication (whatever the sync progress says) is the better bet.
  if (holding.length && holding.length < allReadable.length) return all ? holding : [holding[0]!];
  if (store?.readable) return [store];
  throw new StatusError(Errno.ENOENT, `no storage of ${groupName} holds the file yet`);
}

/** 103: the source if it is writable, else the next writable storage. */
export function chooseUpdate(cluster: Cluster, p: SelectionPolicy, groupName: string, logical: string): StorageNode {
  const g = cluster.group(groupName);
  if (!g) throw new StatusError(Errno.ENOENT, `group ${groupName} not found`);
  const f = factsOf(logical);
  const writable = g.writable();
  const source = writable.find((s) => isSource(s, f));
  if (source) return source;
  const store = storeServerOf(g, p);
  if (store) return store;
  throw new StatusError(Errno.ENOENT, `group ${groupName} has no writable storage`);
}

function storeServerOf(g: Group, p: SelectionPolicy): StorageNode | undefined {
  const writable = g.writable();
  if (!writable.length) return undefined;
  if (p.storeServer === 2) return writable.reduce((a, b) => (b.uploadPriority < a.uploadPriority ? b : a));
  if (p.storeServer === 1) return writable[0];
  return writable[g.currentWriteServer % writable.length];
}
