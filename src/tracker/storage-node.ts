// One storage server as the tracker sees it: identity, status, space, counters, sync progress.
import { StorageStatus, type StorageStatusCode } from '../protocol/codes.js';
import { emptyStorageStats, type StorageStats } from '../protocol/tracker-list.js';

/** rw_mode bits (§4.4): 4 readable, 2 writable. */
export const RwMode = { None: 0, Write: 2, Read: 4, Both: 6 } as const;

export interface PathUsage {
  totalMb: number;
  freeMb: number;
}

/** Key of the status setter: only Cluster.setStatus (which checks storage-status.ts's table) uses it. */
export const SET_STATUS = Symbol('setStatus');

export class StorageNode {
  #status: StorageStatusCode;
  rwMode: number = RwMode.Both;
  version = '';
  joinTime = 0;
  upTime = 0;
  storePathCount = 1;
  subdirCountPerPath = 256;
  uploadPriority = 10;
  currentWritePath = 0;
  paths: PathUsage[] = [];
  /** Counters of the last stat block (the tracker fills its own two timestamps when listing). */
  stats: StorageStats = emptyStorageStats();
  /** A stat block came from the storage itself since this tracker started (not just restored from disk). */
  statsReported = false;
  lastHeartBeatTime = 0;
  lastSourceUpdate = 0;
  lastSyncUpdate = 0;
  /** Source-side timestamp up to which this storage is known to hold the group's files (§8.5.3). */
  lastSyncedTimestamp = 0;
  /** Newest source timestamp received from each peer id (the SYNC_REPORT matrix row). */
  readonly syncFrom = new Map<string, number>();
  syncSrcId = '';
  syncUntilTimestamp = 0;
  /** Byte offset into the tracker changelog this storage has read (77). */
  changelogOffset = 0;
  /** Open JOINed connections from this storage (one per reporter thread). */
  connections = 0;
  /** Its HTTP gateway port as an fdfs storage reported it (200); 0 = unknown (tracker.conf's port applies). */
  httpPort = 0;
  /** Its tls_port as an fdfs storage reported it (201); 0 = none. */
  tlsPort = 0;

  /** A new storage starts INIT; `restored` is the status loaded from storage_servers_new.dat (persistence). */
  constructor(
    readonly id: string,
    public ip: string,
    readonly group: string,
    public port: number,
    restored: StorageStatusCode = StorageStatus.Init,
  ) {
    this.#status = restored;
  }

  get status(): StorageStatusCode {
    return this.#status;
  }

  [SET_STATUS](to: StorageStatusCode): void {
    this.#status = to;
  }

  get totalMb(): number {
    return this.paths.reduce((s, p) => s + p.totalMb, 0);
  }

  get freeMb(): number {
    return this.paths.reduce((s, p) => s + p.freeMb, 0);
  }

  /** Named the group's trunk server by this tracker (trunk-server.ts). */
  isTrunkServer = false;

  get isActive(): boolean {
    return this.status === StorageStatus.Active;
  }

  get readable(): boolean {
    return this.isActive && (this.rwMode & RwMode.Read) !== 0;
  }

  get writable(): boolean {
    return this.isActive && (this.rwMode & RwMode.Write) !== 0;
  }

  /** OFFLINE, ONLINE or ACTIVE: counted as a member that holds data. */
  get available(): boolean {
    return this.status === StorageStatus.Offline || this.status === StorageStatus.Online || this.isActive;
  }

  get address(): string {
    return `${this.ip}:${this.port}`;
  }
}
