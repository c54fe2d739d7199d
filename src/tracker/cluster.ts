// The tracker's in-memory cluster model and the storage state machine (§8.6): every status change goes
// through setStatus(), which checks storage-status.ts's table, logs {from, to, reason} and emits 'status'.
import { EventEmitter } from 'node:events';
import { StorageStatus, storageStatusName, type StorageStatusCode } from '../protocol/codes.js';
import { Errno, StatusError } from '../errors.js';
import type { Logger } from '../log.js';
import { emptyStorageStats } from '../protocol/tracker-list.js';
import type { JoinRequest } from '../protocol/join.js';
import { Group } from './group.js';
import { SET_STATUS, StorageNode } from './storage-node.js';
import { canChangeStatus, isActivatable, isAvailable, isBeforeFirstSync } from './storage-status.js';

const S = StorageStatus;

/** A decoded STORAGE_JOIN plus who the tracker takes the storage to be (its id, the IP it connects from). */
export type JoinInfo = Omit<JoinRequest, 'storageId' | 'currentTrackerIp' | 'trackers'> & { id: string; ip: string };

export interface StatusChange {
  node: StorageNode;
  from: number;
  to: number;
  reason: string;
}

/** A member that reported (this run) never having created nor received a file: nothing to sync from it. */
function holdsNoFiles(s: StorageNode): boolean {
  return s.statsReported && s.stats.lastSourceUpdate === 0 && s.stats.lastSyncUpdate === 0 && s.stats.successUploadCount === 0;
}

export class Cluster extends EventEmitter {
  readonly groups = new Map<string, Group>();
  currentWriteGroup = 0;
  /** Changelog lines (DELETED / IP_CHANGED events) as stored in storage_changelog.dat. */
  changelog = '';

  constructor(private readonly log: Logger, private readonly now: () => number = () => Math.floor(Date.now() / 1000)) {
    super();
  }

  /** Groups by name; shared between calls (callers must not mutate it) while the set of groups stays the same. */
  sortedGroups(): Group[] {
    const memo = this.groupsMemo;
    if (memo && memo.length === this.groups.size && memo.every((g) => this.groups.get(g.name) === g)) return memo;
    this.groupsMemo = [...this.groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return this.groupsMemo;
  }

  private groupsMemo: Group[] | null = null;

  group(name: string): Group | undefined {
    return this.groups.get(name);
  }

  /** The group, created empty when new (stock adds it before checking a joining storage's id). */
  ensureGroup(name: string): Group {
    let g = this.groups.get(name);
    if (!g) {
      g = new Group(name);
      this.groups.set(name, g);
      this.log.info({ group: name }, 'new group');
    }
    return g;
  }

  storage(group: string, id: string): StorageNode | undefined {
    return this.groups.get(group)?.storages.get(id);
  }

  /**
   * The one way a storage's status changes: checked against STATUS_TRANSITIONS, logged, one 'status' event.
   * An illegal change is refused with a warning (false); the tracker keeps running. No change: true, silent.
   */
  setStatus(node: StorageNode, to: StorageStatusCode, reason: string): boolean {
    const from = node.status;
    if (from === to) return true;
    const fields = { group: node.group, storage: node.id, from: storageStatusName(from), to: storageStatusName(to), reason };
    if (!canChangeStatus(from, to)) {
      this.log.warn(fields, 'storage status change refused (not a legal transition)');
      return false;
    }
    node[SET_STATUS](to);
    if (to === S.Offline) node.upTime = 0;
    this.groups.get(node.group)?.touch();
    this.log.info(fields, 'storage status');
    this.emit('status', { node, from, to, reason } satisfies StatusChange);
    return true;
  }

  /** STORAGE_JOIN (§8.4): find or create the member and apply the join transitions. */
  join(info: JoinInfo): StorageNode {
    let group = this.groups.get(info.group);
    if (group) {
      const others = group.sorted().filter((s) => s.id !== info.id && s.status !== S.Deleted);
      if (others.length && group.storagePort && group.storagePort !== info.storagePort) {
        throw new StatusError(Errno.EINVAL, `storage port ${info.storagePort} differs from group port ${group.storagePort}`);
      }
      if (others.length && group.subdirCountPerPath && group.subdirCountPerPath !== info.subdirCountPerPath) {
        throw new StatusError(Errno.EINVAL, `subdir_count_per_path ${info.subdirCountPerPath} differs from group's ${group.subdirCountPerPath}`);
      }
    } else {
      group = new Group(info.group);
      this.groups.set(info.group, group);
      this.log.info({ group: info.group }, 'new group');
    }
    group.storagePort = info.storagePort;
    group.subdirCountPerPath = info.subdirCountPerPath;
    group.storePathCount = Math.max(group.storePathCount, info.storePathCount);

    let node = group.storages.get(info.id);
    const isNew = !node;
    if (!node) {
      if (!info.initFlag && info.status > 0) {
        if (info.status === S.Deleted || info.status === S.IpChanged || info.status === S.None) {
          throw new StatusError(Errno.EFAULT, `unknown storage ${info.id} reports status ${info.status}`);
        }
      } else if (!info.initFlag && info.status < 0) {
        throw new StatusError(Errno.EFAULT, `unknown storage ${info.id} reports an invalid status`);
      }
      node = new StorageNode(info.id, info.ip, info.group, info.storagePort);
      group.storages.set(info.id, node);
      group.touch();
    }
    node.ip = info.ip;
    node.port = info.storagePort;
    node.storePathCount = info.storePathCount;
    node.subdirCountPerPath = info.subdirCountPerPath;
    node.uploadPriority = info.uploadPriority;
    node.joinTime = info.joinTime;
    node.upTime = info.upTime;
    node.version = info.version;

    if (isNew) {
      if (!info.initFlag && info.status > 0) {
        // The tracker lost its data: trust the storage, but it must beat before it is ACTIVE again.
        const adopted = (info.status === S.Active ? S.Online : info.status) as StorageStatusCode;
        this.setStatus(node, adopted, 'join: adopted reported status');
      } else {
        node.changelogOffset = this.changelog.length;
        this.log.info({ group: info.group, storage: info.id }, 'new storage');
      }
    } else if (node.status === S.Deleted || node.status === S.IpChanged) {
      node.syncSrcId = '';
      node.syncUntilTimestamp = 0;
      node.changelogOffset = this.changelog.length;
      this.setStatus(node, S.Init, 'join after delete');
    } else if (node.status === S.Offline || node.status === S.Recovery) {
      this.setStatus(node, S.Online, 'join');
    }
    this.emit('changed');
    return node;
  }

  /** BEAT / REPORT_DISK_USAGE / SYNC_REPORT: the storage is alive (§8.6 activation). */
  heartbeat(node: StorageNode): void {
    node.lastHeartBeatTime = this.now();
    if (isActivatable(node.status)) {
      this.setStatus(node, S.Active, 'heartbeat');
    }
  }

  /** The storage's last reporting connection closed. */
  disconnected(node: StorageNode): void {
    // WAIT_SYNC/SYNCING/INIT/DELETED/IP_CHANGED/RECOVERY are kept: they are not about being connected.
    if (isAvailable(node.status)) this.setStatus(node, S.Offline, 'connection closed');
    node.upTime = 0;
  }

  /** Periodic liveness check: ACTIVE without a BEAT for longer than the interval → OFFLINE. */
  checkActive(checkActiveInterval: number): void {
    const now = this.now();
    for (const g of this.groups.values()) {
      for (const s of g.storages.values()) {
        if (s.isActive && now - s.lastHeartBeatTime > checkActiveInterval) {
          this.setStatus(s, S.Offline, `no heartbeat for ${now - s.lastHeartBeatTime} s`);
        }
      }
    }
  }

  /** SYNC_DEST_REQ (87): choose who pushes the existing files to a new member. */
  syncDestReq(node: StorageNode): { srcId: string; until: number } | null {
    const group = this.groups.get(node.group)!;
    const peers = group.sorted().filter((s) => s.id !== node.id && s.available);
    if (!peers.length || peers.every(holdsNoFiles)) {
      // Nothing to copy (a new group): ONLINE now, ACTIVE at its first beat, instead of a bootstrap that
      // waits for the source's next heartbeat. Later files reach it by normal replication (86 names no source).
      if (isBeforeFirstSync(node.status)) this.setStatus(node, S.Online, peers.length ? 'peers hold no files yet' : 'no peers to sync from');
      return null;
    }
    const src = peers.find((s) => s.writable);
    if (!src) throw new StatusError(Errno.ENOENT, 'no active writable peer to sync from yet');
    node.syncSrcId = src.id;
    node.syncUntilTimestamp = this.now();
    this.setStatus(node, S.WaitSync, `sync source ${src.id}`);
    return { srcId: src.id, until: node.syncUntilTimestamp };
  }

  /** SYNC_NOTIFY (88): confirm or clear the sync source. */
  syncNotify(node: StorageNode, srcId: string, until: number): void {
    if (!srcId) {
      if (isBeforeFirstSync(node.status)) this.setStatus(node, S.Online, 'sync notify: no source');
      return;
    }
    const src = this.storage(node.group, srcId);
    if (!src || src.status === S.Deleted || src.status === S.IpChanged) {
      throw new StatusError(Errno.ENOENT, `sync source ${srcId} unknown`);
    }
    if (!node.syncSrcId) {
      node.syncSrcId = srcId;
      node.syncUntilTimestamp = until;
    }
    if (node.status === S.Init) this.setStatus(node, S.WaitSync, `sync notify: source ${srcId}`);
  }

  /** REPORT_STATUS (76) about a destination (or itself): monotonic except DELETED/IP_CHANGED. */
  reportStatus(node: StorageNode, status: StorageStatusCode): void {
    if (status === S.Deleted || status === S.IpChanged) {
      this.setStatus(node, status, 'reported');
      return;
    }
    if (status === S.Recovery) {
      this.setStatus(node, status, 'reported recovery');
      return;
    }
    if (node.status === S.Init || node.status === S.Online || node.status === S.Active || node.status === S.Recovery) return;
    if (status > node.status) this.setStatus(node, status, 'reported by sync source');
    // Its old files are in and its tracker connection is open: serving at once rather than OFFLINE until its
    // next heartbeat (up to heart_beat_interval with the storage running).
    if (node.status === S.Offline && node.connections > 0) this.setStatus(node, S.Active, 'initial sync done; connected');
  }

  /** SERVER_DELETE_STORAGE (93). */
  deleteStorage(groupName: string, id: string): void {
    const node = this.storage(groupName, id);
    if (!node || node.status === S.IpChanged) throw new StatusError(Errno.ENOENT, `storage ${id} not found in ${groupName}`);
    if (node.status === S.Online || node.status === S.Active || node.status === S.Recovery) {
      throw new StatusError(Errno.EBUSY, `storage ${id} is ${storageStatusName(node.status)}; stop it first`);
    }
    if (node.status === S.Deleted) throw new StatusError(Errno.EALREADY, `storage ${id} already deleted`);
    this.setStatus(node, S.Deleted, 'deleted by administrator');
    node.stats = emptyStorageStats();
    this.changelog += `${this.now()} ${groupName} ${id} ${S.Deleted} \n`;
    this.emit('changed');
    for (const s of this.groups.get(groupName)!.storages.values()) {
      if (s.syncSrcId === id) s.syncSrcId = '';
    }
  }

  /** SERVER_DELETE_GROUP (108). */
  deleteGroup(name: string): void {
    const g = this.groups.get(name);
    if (!g) throw new StatusError(Errno.ENOENT, `group ${name} not found`);
    if (g.storages.size) throw new StatusError(Errno.EBUSY, `group ${name} still has ${g.storages.size} storages`);
    this.groups.delete(name);
    this.emit('changed');
  }

  /** SYNC_REPORT (89): record what this storage received from each peer. */
  syncReport(node: StorageNode, entries: Array<{ id: string; timestamp: number }>, useMin: boolean): void {
    const group = this.groups.get(node.group)!;
    for (const e of entries) {
      if (e.timestamp <= 0 || e.id === node.id) continue;
      const peer = group.storages.get(e.id);
      if (!peer || !peer.isActive) continue;
      node.syncFrom.set(e.id, e.timestamp);
    }
    const values = [...node.syncFrom.entries()]
      .filter(([id]) => group.storages.get(id)?.isActive)
      .map(([, ts]) => ts);
    if (values.length) {
      node.lastSyncedTimestamp = useMin ? Math.min(...values) : Math.max(...values);
    }
  }
}
