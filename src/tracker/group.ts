// A group as the tracker sees it: its member storages (sorted by id), readable/writable sets,
// round-robin cursors and a change counter that drives member-list notifications.
import { StorageNode } from './storage-node.js';
import { MissingCopies } from './missing-copies.js';

export class Group {
  readonly storages = new Map<string, StorageNode>();
  storagePort = 0;
  storePathCount = 0;
  subdirCountPerPath = 0;
  currentWriteServer = 0;
  currentReadServer = 0;
  /** Bumped on every membership or status change; storages get the member list when it moved. */
  changeCount = 0;
  /** Files members reported lacking (201): fetch answers avoid them meanwhile. */
  readonly missing = new MissingCopies();
  /** Trunk files (trunk-server.ts): the trunk server's id, the previous one, the trunk file id, free trunk MB. */
  readonly trunk = { on: false, serverId: '', lastServerId: '', currentFileId: 0, freeMb: 0 };

  constructor(readonly name: string) {}

  /** Members sorted by id (stock order for lists, briefs and selection). Shared: callers must not mutate it. */
  sorted(): StorageNode[] {
    return this.views().sorted;
  }

  writable(): StorageNode[] {
    return this.views().writable;
  }

  readable(): StorageNode[] {
    return this.views().readable;
  }

  // Every upload and read query asks for these: rebuilt only when membership, a status or an rw mode
  // changed (each bumps changeCount through touch()).
  private memo: { at: number; sorted: StorageNode[]; writable: StorageNode[]; readable: StorageNode[] } | null = null;

  private views(): { sorted: StorageNode[]; writable: StorageNode[]; readable: StorageNode[] } {
    if (this.memo?.at !== this.changeCount) {
      const sorted = [...this.storages.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      this.memo = { at: this.changeCount, sorted, writable: sorted.filter((s) => s.writable), readable: sorted.filter((s) => s.readable) };
    }
    return this.memo;
  }

  /** Space of the member with the least free space among the writable ones (§4.3). */
  space(): { totalMb: number; freeMb: number } {
    // Members that have not reported their disks yet (84 follows the first BEAT) are left out.
    const pool = this.writable().filter((s) => s.paths.length > 0);
    const members = pool.length ? pool : this.sorted().filter((s) => s.paths.length > 0);
    if (!members.length) return { totalMb: 0, freeMb: 0 };
    let min = members[0]!;
    for (const s of members) if (s.freeMb < min.freeMb) min = s;
    return { totalMb: min.totalMb, freeMb: min.freeMb };
  }

  touch(): void {
    this.changeCount++;
  }
}
