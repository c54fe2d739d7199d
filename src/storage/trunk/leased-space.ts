// A worker's trunk space while its storage is the trunk server: the owner lends it a block (a lease, up to
// LEASE_BYTES) and the worker carves slots from it without asking again, writing the binlog records for them
// itself (trunk-journal.ts), as the owner would: the carve records (D block, A rest, A slot) reach the file
// in carve order, with or before the commit (D slot) of any slot, so the binlog replays to the right space
// however uploads interleave. A slot never committed reads free after a crash; the lease's unused rest too.
// Not the trunk server: every call goes to the owner (which asks the trunk server).
import { sameTrunkFile, type Block, type JournalOp } from './free-space.js';
import type { TrunkJournal } from './trunk-journal.js';
import { blockKey, type TrunkSpace } from './trunk-space.js';

/**
 * How much space a worker takes at a time: about 60 uploads of 4 KiB per round trip to the owner, while a
 * freed slot waits at most that many uploads per worker to be used again (the owner lends it next).
 */
export const LEASE_BYTES = 256 << 10;

export interface LeaseSource {
  /** This storage is the trunk server now (leases can be had). */
  isTrunkServer(): boolean;
  /** A block of at least `slotSize` bytes, up to `leaseSize`, already free in the binlog. */
  lease(index: number, ip: string, slotSize: number, leaseSize: number): Promise<Block>;
  /** The unused rest of a lease (free in the binlog once the carves before it are written). */
  giveBack(block: Block): void;
  /** The smallest slot (a rest under it goes with the slot carved before it). */
  slotMinSize(): number;
}

export class LeasedTrunkSpace implements TrunkSpace {
  private readonly leases = new Map<number, Block>();
  private readonly asking = new Map<number, Promise<void>>();
  /** The lease taken over when the current one runs out, asked for while it still lasts. */
  private readonly nextLeases = new Map<number, Block>();
  private readonly prefetching = new Set<number>();
  /** Bumped when the leases are forgotten: a lease asked for before then is not used. */
  private epoch = 0;
  /** Carve records not written yet, in carve order. */
  private pending: JournalOp[] = [];
  /** Slots carved here and not committed or freed yet. */
  private readonly carved = new Set<string>();
  /** Set while the owner compacts the trunk binlog: nothing is written until it resolves. */
  private paused: Promise<void> | null = null;
  private resumePaused: (() => void) | null = null;

  constructor(private readonly remote: TrunkSpace, private readonly source: LeaseSource, private readonly journal: TrunkJournal) {}

  available(): boolean {
    return this.remote.available();
  }

  /** The owner compacts the trunk binlog: write what is pending, then nothing until resume (compactor.ts). */
  pause(): void {
    this.flush();
    this.paused ??= new Promise<void>((resolve) => {
      this.resumePaused = resolve;
    });
  }

  /** The trunk binlog may have been replaced: writes go to the file under its name from now on. */
  resume(): void {
    this.journal.reopen();
    const go = this.resumePaused;
    this.paused = null;
    this.resumePaused = null;
    go?.();
  }

  async reserve(index: number, ip: string, slotSize: number): Promise<Block> {
    while (this.paused) await this.paused;
    if (!this.source.isTrunkServer()) {
      this.drop();
      return this.remote.reserve(index, ip, slotSize);
    }
    for (;;) {
      const lease = this.current(index, slotSize);
      if (lease && lease.size >= slotSize) return this.carve(index, lease, slotSize, ip);
      const inFlight = this.asking.get(index);
      if (inFlight) {
        await inFlight;
        continue;
      }
      if (lease) this.returnLease(index);
      const ask = this.source.lease(index, ip, slotSize, leaseSizeFor(slotSize)).then((got) => {
        this.leases.set(index, got);
      }).finally(() => this.asking.delete(index));
      this.asking.set(index, ask);
      await ask;
      if (!this.source.isTrunkServer()) return this.remote.reserve(index, ip, slotSize);
    }
  }

  reserveNow(index: number, slotSize: number, ip?: string): Block | null {
    if (this.paused || !this.source.isTrunkServer() || this.asking.has(index)) return null;
    const lease = this.current(index, slotSize);
    if (!lease || lease.size < slotSize) return null;
    return this.carve(index, lease, slotSize, ip);
  }

  /** The lease to carve from: the current one, or the next one once the current is too small for `slotSize`. */
  private current(index: number, slotSize: number): Block | undefined {
    const lease = this.leases.get(index);
    if (lease && lease.size >= slotSize) return lease;
    const next = this.nextLeases.get(index);
    if (!next || next.size < slotSize) return lease;
    if (lease) this.returnLease(index);
    this.nextLeases.delete(index);
    this.leases.set(index, next);
    return next;
  }

  /**
   * Ask for the next lease while a quarter of this one is left, so uploads rarely find none at hand (each that
   * does waits for the owner on the full path). Without the uploader's address (a test) nothing is asked early.
   */
  private prefetch(index: number, ip: string | undefined, slotSize: number, left: number): void {
    if (ip === undefined || left >= LEASE_BYTES / 4 || this.prefetching.has(index) || this.nextLeases.has(index) || this.asking.has(index)) return;
    this.prefetching.add(index);
    const epoch = this.epoch;
    this.source.lease(index, ip, slotSize, leaseSizeFor(slotSize)).then((got) => {
      // Demoted meanwhile: the owner reloads the space from the binlog, where this block is still free.
      if (this.source.isTrunkServer() && epoch === this.epoch) this.nextLeases.set(index, got);
    }, () => {
      // the full path asks again when the current lease runs out
    }).finally(() => this.prefetching.delete(index));
  }

  private carve(index: number, lease: Block, slotSize: number, ip?: string): Block {
    let size = slotSize;
    // A rest smaller than this slot goes with it: returned, it would be a free block few files fit, kept apart
    // from its neighbours in the binlog (every lease would leave one).
    if (lease.size - size < Math.max(this.source.slotMinSize(), slotSize)) size = lease.size;
    const slot = blockAt(lease, lease.offset, size);
    if (size === lease.size) {
      this.leases.delete(index);
    } else {
      const rest = blockAt(lease, lease.offset + size, lease.size - size);
      this.pending.push({ op: 'D', block: lease }, { op: 'A', block: rest }, { op: 'A', block: slot });
      this.leases.set(index, rest);
    }
    this.carved.add(blockKey(slot));
    this.prefetch(index, ip, slotSize, lease.size - size);
    return slot;
  }

  async commit(slot: Block): Promise<void> {
    if (!this.carved.has(blockKey(slot))) return this.remote.commit(slot);
    while (this.paused) await this.paused;
    this.commitNow(slot);
  }

  /** A carved slot holds its file: written to the binlog with every carve before it. */
  commitNow(slot: Block): void {
    const last = this.pending[this.pending.length - 1];
    // Its own carve record (A slot) last: with D slot the two cancel out, so neither is written (the binlog
    // replays to the same space, and grows by two lines per upload rather than four).
    if (last?.op === 'A' && sameBlock(last.block, slot)) {
      this.pending.pop();
      this.journal.write(this.pending);
    } else {
      this.journal.write([...this.pending, { op: 'D', block: slot }]);
    }
    this.pending = [];
    this.carved.delete(blockKey(slot));
  }

  async free(slot: Block): Promise<void> {
    if (!this.carved.has(blockKey(slot))) return this.remote.free(slot);
    while (this.paused) await this.paused;
    this.freeNow(slot);
  }

  /** A carved slot not used goes back to the owner. */
  freeNow(slot: Block): void {
    this.carved.delete(blockKey(slot));
    // Its carve record must be in the binlog before the owner may lend the slot again.
    this.flush();
    this.source.giveBack(slot);
  }

  /** Write the pending carve records and return every lease (the worker stops). */
  close(): void {
    for (const index of [...this.leases.keys()]) this.returnLease(index);
    for (const next of this.nextLeases.values()) this.source.giveBack(next);
    this.nextLeases.clear();
  }

  private returnLease(index: number): void {
    const lease = this.leases.get(index);
    this.leases.delete(index);
    if (!lease) return;
    this.flush();
    this.source.giveBack(lease);
  }

  /** No longer the trunk server: what was carved is written, the leases are forgotten (the owner reloads). */
  drop(): void {
    this.nextLeases.clear();
    this.epoch++;
    if (!this.leases.size && !this.pending.length) return;
    this.leases.clear();
    this.flush();
  }

  private flush(): void {
    if (!this.pending.length) return;
    this.journal.write(this.pending);
    this.pending = [];
  }
}

/** A whole number of slots of this size: a run of same-sized files leaves no sliver behind. */
function leaseSizeFor(slotSize: number): number {
  return Math.max(1, Math.floor(LEASE_BYTES / slotSize)) * slotSize;
}

/** A block of `of`'s trunk file, built field by field: a spread per upload made V8 build new object shapes (perf). */
function blockAt(of: Block, offset: number, size: number): Block {
  return { storePathIndex: of.storePathIndex, subHigh: of.subHigh, subLow: of.subLow, fileId: of.fileId, offset, size };
}

function sameBlock(a: Block, b: Block): boolean {
  return sameTrunkFile(a, b) && a.offset === b.offset && a.size === b.size;
}
