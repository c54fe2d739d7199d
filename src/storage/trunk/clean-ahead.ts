// The zero space ahead of a slot an upload checked. A worker carves its lease into slots one after another, so
// the slots that follow lie in that space: while the reading is fresh they are not read again, and an upload
// into a trunk file costs one read per lease rather than one per slot (occupied.ts says why slots are read).
import { sameTrunkFile, type Block } from './free-space.js';
import { zeroRunAt } from './occupied.js';

/** How far one read looks ahead of a slot: a worker's whole lease (leased-space.ts). */
export const CLEAN_AHEAD_BYTES = 256 << 10;
/**
 * How long a reading is trusted. What it guards against is a file the old trunk server wrote there reaching this
 * storage by replication meanwhile; a slot handed out later than this is read again.
 */
export const CLEAN_AHEAD_MS = 250;

export class CleanAhead {
  /** The slot last read: its trunk file is the one `start`, `end` are in (null: none). */
  private read: Block | null = null;
  /** [start, end): read as zeros at `at`, and not handed out since. */
  private start = 0;
  private end = 0;
  private at = 0;
  /** When a slot was last read (−∞: never). */
  private checkedAt = -Infinity;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * True when no byte of the slot is non-zero: read now, or inside space read as zeros within CLEAN_AHEAD_MS and
   * not handed out since (the slot is about to be written: the space after it is what stays known).
   */
  slotIsFree(fd: number, slot: Block): boolean {
    const slotEnd = slot.offset + slot.size;
    const now = this.now();
    if (this.covers(slot, slotEnd, now)) {
      this.start = slotEnd;
      return true;
    }
    // Read ahead only when slots are being handed out faster than readings go stale; one now and then is read alone.
    const busy = now - this.checkedAt < CLEAN_AHEAD_MS;
    this.checkedAt = now;
    const run = zeroRunAt(fd, slot.offset, busy ? Math.max(slot.size, CLEAN_AHEAD_BYTES) : slot.size);
    if (run < slot.size) return false;
    this.read = slot;
    this.start = slotEnd;
    this.end = slot.offset + run;
    this.at = now;
    return true;
  }

  /** Nothing is known any more (the trunk files were closed). */
  forget(): void {
    this.read = null;
  }

  private covers(slot: Block, slotEnd: number, now: number): boolean {
    return this.read !== null && sameTrunkFile(slot, this.read) && slot.offset >= this.start && slotEnd <= this.end
      && now - this.at < CLEAN_AHEAD_MS;
  }
}
