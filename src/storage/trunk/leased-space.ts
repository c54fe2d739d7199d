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
      const lease = this.leases.get(index);
      if (lease && lease.size >= slotSize) return this.carve(index, lease, slotSize);
      const inFlight = this.asking.get(index);
      if (inFlight) {
        await inFlight;
        continue;
      }
      if (lease) this.returnLease(index);
      // A whole number of slots of this size: a run of same-sized files leaves no sliver behind.
      const leaseSize = Math.max(1, Math.floor(LEASE_BYTES / slotSize)) * slotSize;
      const ask = this.source.lease(index, ip, slotSize, leaseSize).then((got) => {
        this.leases.set(index, got);
      }).finally(() => this.asking.delete(index));
      this.asking.set(index, ask);
      await ask;
      if (!this.source.isTrunkServer()) return this.remote.reserve(index, ip, slotSize);
    }
  }

  reserveNow(index: number, slotSize: number): Block | null {
    const lease = this.leases.get(index);
    if (this.paused || !this.source.isTrunkServer() || !lease || lease.size < slotSize || this.asking.has(index)) return null;
    return this.carve(index, lease, slotSize);
  }

  private carve(index: number, lease: Block, slotSize: number): Block {
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

/** A block of `of`'s trunk file, built field by field: a spread per upload made V8 build new object shapes (perf). */
function blockAt(of: Block, offset: number, size: number): Block {
  return { storePathIndex: of.storePathIndex, subHigh: of.subHigh, subLow: of.subLow, fileId: of.fileId, offset, size };
}

function sameBlock(a: Block, b: Block): boolean {
  return sameTrunkFile(a, b) && a.offset === b.offset && a.size === b.size;
}
