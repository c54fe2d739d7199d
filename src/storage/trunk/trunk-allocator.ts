// The owner process's trunk space (trunk-space.ts): the free blocks replayed from the trunk binlog, new trunk
// files (sparse, trunk_file_size) when no block fits, and the journal written on commit and release — never
// on reserve, so space reserved by an upload that dies is free again after a restart.
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Errno, StatusError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { trunkContainerName } from '../../protocol/trunk-slot.js';
import { fsStatus, nowSec, type StorageRuntime } from '../runtime.js';
import { FreeSpace, formatJournal, parseJournal, type Block, type JournalOp } from './free-space.js';
import { trunkSettings } from './settings.js';
import { blockKey, type TrunkSpace } from './trunk-space.js';

export class TrunkAllocator implements TrunkSpace {
  private space = new FreeSpace();
  private readonly journalFile: string;
  private lastFileId = 0;
  /** Reserved slots not confirmed yet, by location: the journal records their confirm writes. */
  private readonly held = new Map<string, JournalOp[]>();
  /** A trunk file is being created: allocations wait for it rather than create another. */
  private creating: Promise<void> | null = null;

  constructor(private readonly o: { baseDataDir: string; log: Logger; rt: () => StorageRuntime; isTrunkServer: () => boolean }) {
    this.journalFile = path.join(o.baseDataDir, 'trunk', 'binlog');
  }

  /** Replay the trunk binlog (stock's or ours). */
  load(): void {
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
  }

  available(): boolean {
    const now = this.o.isTrunkServer();
    // Named trunk server: start from the trunk binlog as it is now (a former trunk server may have sent it, 30).
    if (now && !this.wasServer) this.reload();
    this.wasServer = now;
    return now;
  }

  private wasServer = false;

  private reload(): void {
    this.space = new FreeSpace();
    this.held.clear();
    this.load();
  }

  /** Free trunk bytes (all store paths). */
  freeBytes(): number {
    return this.space.total();
  }

  get currentFileId(): number {
    return this.lastFileId;
  }

  private journal(ops: JournalOp[]): void {
    if (!ops.length) return;
    const ts = nowSec();
    mkdirSync(path.dirname(this.journalFile), { recursive: true });
    appendFileSync(this.journalFile, ops.map((j) => formatJournal(ts, j) + '\n').join(''));
  }

  async reserve(index: number, ip: string, slotSize: number): Promise<Block> {
    if (!this.available()) throw new StatusError(Errno.EINVAL, 'this storage is not the trunk server');
    if (index < 0 || index >= this.o.rt().paths.count) throw new StatusError(Errno.EINVAL, `bad store path index ${index}`);
    for (let attempt = 0; attempt < 3; attempt++) {
      const got = this.space.take(index, slotSize);
      if (got) {
        this.held.set(blockKey(got.slot), got.journal);
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

  async commit(slot: Block): Promise<void> {
    const journal = this.held.get(blockKey(slot));
    if (!journal) throw new StatusError(Errno.ENOENT, `no trunk reservation at ${blockKey(slot)}`);
    this.held.delete(blockKey(slot));
    this.journal(journal);
  }

  /** A reservation not confirmed is undone; a confirmed slot (its file deleted) becomes free space. */
  async free(slot: Block): Promise<void> {
    const journal = this.held.get(blockKey(slot));
    if (journal) {
      this.held.delete(blockKey(slot));
      this.space.untake(journal);
      return;
    }
    // Only the trunk server journals frees: a slot freed on two servers could be handed out twice.
    if (!this.available()) return;
    this.journal(this.space.release(slot, trunkSettings(this.o.rt().params.raw).merge));
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
      this.journal([whole]);
      this.space.apply(whole);
      this.o.log.info({ trunkFile: path.join(dir, trunkContainerName(fileId)), size }, 'trunk file created');
      return;
    }
    throw new StatusError(Errno.EEXIST, 'no free trunk file id');
  }
}
