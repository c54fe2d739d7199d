// The owner process's trunk space (trunk-space.ts): the free blocks replayed from the trunk binlog, new trunk
// files (sparse, trunk_file_size) when no block fits. The binlog is written as stock writes it, in the order
// space is taken: a reservation splits its block there and then (D block, A rest, A slot), its commit takes the
// slot (D slot). So after a crash a reserved slot never committed is free, a committed one is taken, whatever
// order concurrent uploads finished in. Workers get leases (lease / giveBack) and carve them alone
// (leased-space.ts), writing the same records for their slots.
import { readFileSync, statSync, unlinkSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Errno, StatusError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { trunkContainerName } from '../../protocol/trunk-slot.js';
import { fsStatus, type StorageRuntime } from '../runtime.js';
import { FreeSpace, minus, overlap, parseJournal, replayJournal, sameTrunkFile, type Block, type JournalOp } from './free-space.js';
import { TrunkJournal } from './trunk-journal.js';
import { occupiedBlocks } from './occupied.js';
import { trunkSettings, trunkUpkeep } from './settings.js';
import { wholeFreeFiles } from './unused-trunks.js';
import { blockKey, type TrunkSpace } from './trunk-space.js';

export class TrunkAllocator implements TrunkSpace {
  private space = new FreeSpace();
  private readonly journalFile: string;
  private readonly journal: TrunkJournal;
  private lastFileId = 0;
  /** Reserved slots not confirmed yet, by location. */
  private readonly held = new Map<string, Block>();
  /** A trunk file is being created: allocations wait for it rather than create another. */
  private creating: Promise<void> | null = null;

  constructor(private readonly o: { baseDataDir: string; log: Logger; rt: () => StorageRuntime; isTrunkServer: () => boolean }) {
    this.journalFile = path.join(o.baseDataDir, 'trunk', 'binlog');
    this.journal = new TrunkJournal(this.journalFile);
  }

  /**
   * Replay the trunk binlog (stock's or ours). fdfs always rebuilds free space from the whole binlog: it keeps no
   * storage_trunk.dat snapshot, so it acts as stock does with trunk_init_reload_from_binlog = true.
   * `checkOccupying` (trunk_init_check_occupying): read the slot header of every free block (reload does).
   */
  load(checkOccupying = false): void {
    let text = '';
    try {
      text = readFileSync(this.journalFile, 'latin1');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const j of parseJournal(text)) {
      this.space.apply(j);
      this.lastFileId = Math.max(this.lastFileId, j.block.fileId);
    }
    if (checkOccupying) this.leaveOutOccupied();
  }

  /**
   * trunk_init_check_occupying: free blocks whose slot header shows a file are not free. Stock only leaves them
   * out of memory and its next save drops them; here the compaction replays the binlog, so they are journaled
   * taken (D) too, and a compaction or a member that takes over the binlog does not bring them back.
   */
  private leaveOutOccupied(): void {
    const bad = occupiedBlocks(this.space.blocks(), (b) => this.trunkFilePath(b));
    if (!bad.length) return;
    const taken: JournalOp[] = bad.map((b) => ({ op: 'D', block: b }));
    for (const j of taken) {
      this.space.apply(j);
      this.o.log.warn({ trunkFile: this.trunkFilePath(j.block), offset: j.block.offset, size: j.block.size }, 'free trunk space holds a file: left out');
    }
    try {
      this.journal.write(taken);
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'trunk binlog: occupied space not journaled (left out in memory only)');
    }
  }

  private trunkFilePath(b: Block): string {
    return path.join(this.o.rt().paths.dirOf(b.storePathIndex, b.subHigh, b.subLow), trunkContainerName(b.fileId));
  }

  available(): boolean {
    const now = this.o.isTrunkServer();
    // Named trunk server: start from the trunk binlog as it is now (a former trunk server may have sent it, 30).
    if (now && !this.wasServer) this.reload();
    this.wasServer = now;
    return now;
  }

  private wasServer = false;
  private everServer = false;

  /**
   * The leases worker processes may still carve from (WorkerPool): a new trunk-server term in this process keeps
   * them out of the free space it replays, where they read free. A worker that saw the role go gave its leases
   * up, but one that did not (the role came back within one state push) still carves from them.
   */
  leasesOut: () => readonly Block[] = () => [];

  private reload(): void {
    this.space = new FreeSpace();
    this.held.clear();
    const upkeep = trunkUpkeep(this.o.rt().params.raw);
    this.load(upkeep.initCheckOccupying);
    let kept = 0;
    for (const lease of this.leasesOut()) kept += this.space.removeOverlap(lease);
    // Leases given up meanwhile stay out of use until a restart: space may leak for a while, never be used twice.
    if (kept) this.o.log.info({ bytes: kept }, 'trunk space lent to workers kept out of the new term\'s free space');
    // Trunk-server start (the first in this process, so no worker holds a lease yet): unused trunk files go.
    if (!this.everServer && upkeep.deleteUnused) this.dropUnusedTrunkFiles();
    this.everServer = true;
  }

  /**
   * delete_unused_trunk_files: every trunk file free from end to end (in memory, so no lease or reservation lies in
   * it) is removed from disk and its blocks journaled taken (D), so it never comes back — a compaction then
   * drops them from the binlog. While trunk_create_file_advance is on, as many are kept as its threshold asks, so
   * the two settings do not undo each other. Synchronous: the compactor calls it with the workers held.
   */
  dropUnusedTrunkFiles(): number {
    const upkeep = trunkUpkeep(this.o.rt().params.raw);
    const keep = upkeep.createAdvance ? upkeep.createThreshold : 0;
    const sizeOf = (b: Block) => statSync(this.trunkFilePath(b), { throwIfNoEntry: false })?.size ?? null;
    let dropped = 0;
    for (const file of wholeFreeFiles(this.space.blocks(), sizeOf)) {
      if (this.space.total() - file.size < keep) break;
      const where = this.trunkFilePath(file);
      // One header read as a last guard: a binlog that calls a slot free while it holds a file keeps its trunk file.
      if (occupiedBlocks([file], () => where).length) {
        this.o.log.warn({ trunkFile: where }, 'trunk file free in the binlog but its first slot holds a file: kept');
        continue;
      }
      try {
        unlinkSync(where);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          this.o.log.warn({ trunkFile: where, err: (err as Error).message }, 'unused trunk file not deleted');
          continue;
        }
      }
      const taken: JournalOp[] = this.space.blocks().filter((b) => sameTrunkFile(b, file)).map((b) => ({ op: 'D', block: b }));
      for (const j of taken) this.space.apply(j);
      try {
        this.journal.write(taken);
      } catch (err) {
        // Not journaled: after a restart the space reads free again and its trunk file is made anew when written.
        this.o.log.warn({ trunkFile: where, err: (err as Error).message }, 'trunk binlog: unused trunk file not journaled');
      }
      dropped++;
      this.o.log.info({ trunkFile: where, size: file.size }, 'unused trunk file deleted');
    }
    return dropped;
  }

  /** The trunk binlog was replaced by its compaction (compactor.ts): write to the new file. */
  reopenJournal(): void {
    this.journal.reopen();
  }

  /** Free trunk bytes (all store paths). */
  freeBytes(): number {
    return this.space.total();
  }

  get currentFileId(): number {
    return this.lastFileId;
  }

  /** A block of at least `slotSize` bytes, split off and journaled (D block, A rest, A slot). */
  private async takeBlock(index: number, ip: string, slotSize: number, upTo: number): Promise<Block> {
    if (!this.available()) throw new StatusError(Errno.EINVAL, 'this storage is not the trunk server');
    if (index < 0 || index >= this.o.rt().paths.count) throw new StatusError(Errno.EINVAL, `bad store path index ${index}`);
    const minRest = trunkSettings(this.o.rt().params.raw).slotMinSize;
    for (let attempt = 0; attempt < 3; attempt++) {
      const got = this.space.take(index, slotSize, { minRest, upTo });
      if (got) {
        try {
          this.journal.write(got.journal);
        } catch (err) {
          this.space.undoTake(got);
          throw fsStatus(err, 'write trunk binlog');
        }
        return got.slot;
      }
      if (!this.creating) {
        this.creating = this.createTrunkFile(index, ip).finally(() => {
          this.creating = null;
        });
      }
      await this.creating;
    }
    throw new StatusError(Errno.ENOSPC, 'no trunk space for this file');
  }

  async reserve(index: number, ip: string, slotSize: number): Promise<Block> {
    const slot = await this.takeBlock(index, ip, slotSize, slotSize);
    this.held.set(blockKey(slot), slot);
    return slot;
  }

  async commit(slot: Block): Promise<void> {
    if (!this.held.has(blockKey(slot))) throw new StatusError(Errno.ENOENT, `no trunk reservation at ${blockKey(slot)}`);
    this.held.delete(blockKey(slot));
    try {
      this.journal.write([{ op: 'D', block: slot }]);
    } catch (err) {
      this.space.untake(slot);
      throw fsStatus(err, 'write trunk binlog');
    }
  }

  /** A reservation not confirmed is undone; a confirmed slot (its file deleted) becomes free space. */
  async free(slot: Block): Promise<void> {
    if (this.held.delete(blockKey(slot))) {
      this.space.untake(slot);
      return;
    }
    // Only the trunk server journals frees: a slot freed on two servers could be handed out twice.
    if (!this.available()) return;
    this.journal.write(this.space.release(slot, trunkSettings(this.o.rt().params.raw).merge));
  }

  /**
   * A worker's lease: a block of at least `slotSize` bytes (up to `leaseSize`), journaled free, that the worker
   * carves into slots itself. What it does not use comes back with giveBack; what a worker that died did not
   * commit comes back with reclaim.
   */
  lease(index: number, ip: string, slotSize: number, leaseSize: number): Promise<Block> {
    return this.takeBlock(index, ip, slotSize, leaseSize);
  }

  /** The unused rest of a lease (already free in the binlog) is free here again. */
  giveBack(block: Block): void {
    if (this.available() && block.size > 0) this.space.untake(block);
  }

  /** One more trunk file in store path `index` (advance creation), after any creation under way. */
  async addTrunkFile(index: number, ip: string): Promise<void> {
    while (this.creating) await this.creating;
    this.creating = this.createTrunkFile(index, ip).finally(() => {
      this.creating = null;
    });
    await this.creating;
  }

  /**
   * The leases of a worker that died: what it never committed is free again now, not only after a restart. The
   * binlog says which of its slots were committed (the worker wrote their records before answering), so the
   * free space a replay gives inside each lease is added back, except what is free here already and what is
   * out now: `busy` (the live workers' leases, which the binlog shows free too) and reservations not confirmed.
   */
  reclaim(leases: readonly Block[], busy: readonly Block[] = []): number {
    if (!leases.length || !this.available()) return 0;
    const replayed = replayJournal(readFileSync(this.journalFile, 'latin1')).blocks();
    let bytes = 0;
    for (const lease of leases) {
      for (const b of replayed) {
        const inside = overlap(b, lease);
        if (!inside) continue;
        let parts = [inside];
        for (const out of [...busy, ...this.held.values()]) parts = parts.flatMap((p) => minus(p, out));
        for (const p of parts) for (const added of this.space.addUncovered(p)) bytes += added.size;
      }
    }
    if (bytes) this.o.log.info({ bytes, leases: leases.length }, 'trunk space a dead worker held is free again');
    return bytes;
  }

  /** A new, empty (sparse) trunk file in store path `index`, its whole space journaled as free. */
  private async createTrunkFile(index: number, ip: string): Promise<void> {
    const rt = this.o.rt();
    const size = trunkSettings(rt.params.raw).trunkFileSize;
    await rt.placement.checkRoom(index, size);
    const { subHigh, subLow } = rt.placement.nextSubdirs(ip);
    const dir = rt.paths.dirOf(index, subHigh, subLow);
    await rt.paths.ensureDir(dir);
    for (let tries = 0; tries < 100; tries++) {
      const fileId = ++this.lastFileId;
      let fh: FileHandle;
      try {
        fh = await open(path.join(dir, trunkContainerName(fileId)), 'wx');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw fsStatus(err, 'create trunk file');
      }
      try {
        await fh.truncate(size);
      } finally {
        await fh.close();
      }
      const whole: JournalOp = { op: 'A', block: { storePathIndex: index, subHigh, subLow, fileId, offset: 0, size } };
      this.journal.write([whole]);
      this.space.apply(whole);
      this.o.log.info({ trunkFile: path.join(dir, trunkContainerName(fileId)), size }, 'trunk file created');
      return;
    }
    throw new StatusError(Errno.EEXIST, 'no free trunk file id');
  }
}
