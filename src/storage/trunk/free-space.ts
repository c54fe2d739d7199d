// The trunk server's free trunk space (spec §8.8, §11.5): free blocks per store path, best fit (the smallest
// block that holds the slot, lowest trunk id and offset first), split on allocation, optionally merged with
// free neighbours on release. Rebuilt at start by replaying the trunk binlog (`data/trunk/binlog`, stock
// format: `timestamp A|D store_path sub_high sub_low file_id offset size`, A = a free block appears, D = it
// is taken away), so a store path a stock trunk server left is continued where it stopped.
import type { TrunkInfo } from '../../protocol/trunk-commands.js';

export type Block = TrunkInfo;

export type JournalOp = { op: 'A' | 'D'; block: Block };

const keyOf = (b: Block) => `${b.storePathIndex}/${b.subHigh}/${b.subLow}/${b.fileId}/${b.offset}`;

export class FreeSpace {
  private readonly byStart = new Map<string, Block>();

  /** Apply one journal record (replay, or a change made here). */
  apply(j: JournalOp): void {
    this.applyOwned(j.op, j.op === 'A' ? { ...j.block } : j.block);
  }

  /** apply() for a record read from text: `block` is this map's own from now on when `op` is A. */
  applyOwned(op: 'A' | 'D', block: Block): void {
    if (op === 'A') this.byStart.set(keyOf(block), block);
    else this.byStart.delete(keyOf(block));
  }

  /** Every free block (copies). */
  blocks(): Block[] {
    return [...this.byStart.values()].map((b) => ({ ...b }));
  }

  /** Free bytes, over every store path or one. */
  total(storePathIndex?: number): number {
    let n = 0;
    for (const b of this.byStart.values()) if (storePathIndex === undefined || b.storePathIndex === storePathIndex) n += b.size;
    return n;
  }

  /** The highest trunk file id any block names (0 = none). */
  maxFileId(): number {
    let m = 0;
    for (const b of this.byStart.values()) m = Math.max(m, b.fileId);
    return m;
  }

  /**
   * Take at least `size` bytes in store path `index` from the smallest block that holds them (up to `upTo`
   * bytes when the block is larger: a worker's lease). A rest under `minRest` bytes goes with it (stock's
   * split rule). Applied here; `journal` is what the trunk binlog needs so that the taken block reads as free
   * until its commit (`D slot`): D of the block, A of the rest, A of the slot — nothing when the whole block
   * is taken, since it is already free there. Null when no block is large enough.
   */
  take(index: number, size: number, opts: { minRest?: number; upTo?: number } = {}): { slot: Block; journal: JournalOp[] } | null {
    let best: Block | null = null;
    for (const b of this.byStart.values()) {
      if (b.storePathIndex !== index || b.size < size) continue;
      if (!best || b.size < best.size || (b.size === best.size && (b.fileId < best.fileId || (b.fileId === best.fileId && b.offset < best.offset)))) best = b;
    }
    if (!best) return null;
    let carve = Math.min(best.size, Math.max(size, opts.upTo ?? size));
    if (best.size - carve < (opts.minRest ?? 1)) carve = best.size;
    const whole = { ...best };
    const slot = { ...best, size: carve };
    this.apply({ op: 'D', block: whole });
    if (carve === whole.size) return { slot, journal: [] };
    const rest: JournalOp = { op: 'A', block: { ...whole, offset: whole.offset + carve, size: whole.size - carve } };
    this.apply(rest);
    return { slot, journal: [{ op: 'D', block: whole }, rest, { op: 'A', block: slot }] };
  }

  /** Return a slot; with `merge`, joined with the free blocks right before and after it in its trunk file. */
  release(slot: Block, merge: boolean): JournalOp[] {
    // Freed twice (a delete reported by 29 and replicated by 17): the space is free already.
    for (const b of this.byStart.values()) if (overlap(b, slot)) return [];
    let merged = { ...slot };
    const journal: JournalOp[] = [];
    if (merge) {
      for (const b of this.byStart.values()) {
        if (!sameTrunkFile(b, slot)) continue;
        if (b.offset + b.size === merged.offset || merged.offset + merged.size === b.offset) {
          journal.push({ op: 'D', block: { ...b } });
          merged = { ...merged, offset: Math.min(merged.offset, b.offset), size: merged.size + b.size };
        }
      }
    }
    journal.push({ op: 'A', block: merged });
    for (const j of journal) this.apply(j);
    return journal;
  }

  /** Undo a `take` whose journal could not be written: the block is whole again. */
  undoTake(got: { slot: Block; journal: JournalOp[] }): void {
    const [whole, rest] = got.journal;
    if (rest) this.apply({ op: 'D', block: rest.block });
    this.apply({ op: 'A', block: whole ? whole.block : got.slot });
  }

  /**
   * Make `block` free where no free block covers it yet (the parts already free stay as they are); the parts
   * added. For space whose state is known from a replay (a dead worker's lease), never freeing anything twice.
   */
  addUncovered(block: Block): Block[] {
    let parts = [{ ...block }];
    for (const b of this.byStart.values()) parts = parts.flatMap((p) => minus(p, b));
    for (const p of parts) this.apply({ op: 'A', block: p });
    return parts;
  }

  /** Take `region` out of free space wherever it lies (the parts of blocks outside it stay free); the bytes taken. */
  removeOverlap(region: Block): number {
    let taken = 0;
    for (const b of [...this.byStart.values()]) {
      const outside = minus(b, region);
      if (outside.length === 1 && outside[0] === b) continue;
      this.apply({ op: 'D', block: b });
      for (const p of outside) this.apply({ op: 'A', block: p });
      taken += b.size - outside.reduce((n, p) => n + p.size, 0);
    }
    return taken;
  }

  /** A taken slot that was not used is free again (the trunk binlog has it free already). */
  untake(slot: Block): void {
    this.apply({ op: 'A', block: slot });
  }
}

/** Whether two blocks lie in the same trunk file. */
export function sameTrunkFile(a: Block, b: Block): boolean {
  return a.storePathIndex === b.storePathIndex && a.subHigh === b.subHigh && a.subLow === b.subLow && a.fileId === b.fileId;
}

/** The bytes two blocks share, null when none. */
export function overlap(a: Block, b: Block): Block | null {
  const from = Math.max(a.offset, b.offset);
  const to = Math.min(a.offset + a.size, b.offset + b.size);
  return sameTrunkFile(a, b) && from < to ? { ...a, offset: from, size: to - from } : null;
}

/** The free space a trunk binlog's text describes. */
export function replayJournal(text: string): FreeSpace {
  const free = new FreeSpace();
  scanJournal(text, 0, text.length, (op, block) => free.applyOwned(op, block));
  return free;
}

/** `a` without the bytes of `b` when both lie in one trunk file: zero, one or two pieces. */
export function minus(a: Block, b: Block): Block[] {
  if (!sameTrunkFile(a, b)) return [a];
  const aEnd = a.offset + a.size;
  const bEnd = b.offset + b.size;
  if (bEnd <= a.offset || aEnd <= b.offset) return [a];
  const out: Block[] = [];
  if (a.offset < b.offset) out.push({ ...a, size: b.offset - a.offset });
  if (bEnd < aEnd) out.push({ ...a, offset: bEnd, size: aEnd - bEnd });
  return out;
}

/** Free blocks that touch (same trunk file, one ends where the next starts) joined: the space as it lies on disk. */
export function contiguous(blocks: readonly Block[]): Block[] {
  const sorted = [...blocks].sort((a, b) => a.storePathIndex - b.storePathIndex || a.subHigh - b.subHigh || a.subLow - b.subLow
    || a.fileId - b.fileId || a.offset - b.offset);
  const out: Block[] = [];
  for (const b of sorted) {
    const last = out[out.length - 1];
    if (last && sameTrunkFile(last, b) && last.offset + last.size === b.offset) last.size += b.size;
    else out.push({ ...b });
  }
  return out;
}

/** One trunk binlog line (without the newline). */
export function formatJournal(ts: number, j: JournalOp): string {
  const b = j.block;
  return `${ts} ${j.op} ${b.storePathIndex} ${b.subHigh} ${b.subLow} ${b.fileId} ${b.offset} ${b.size}`;
}

/** Parse trunk binlog text; malformed lines are skipped (a torn last line after a crash). */
export function parseJournal(text: string): JournalOp[] {
  const out: JournalOp[] = [];
  scanJournal(text, 0, text.length, (op, block) => out.push({ op, block }));
  return out;
}

/**
 * Visit every well-formed record of `text` from `start` to `end` in order: eight fields apart by white space —
 * a timestamp, A or D, then six whole decimal numbers. Other lines (a torn last line after a crash) are skipped.
 * Read by hand, without a string or array per line: a compaction replays a binlog of millions of lines.
 */
export function scanJournal(text: string, start: number, end: number, visit: (op: 'A' | 'D', block: Block) => void): void {
  const nums = [0, 0, 0, 0, 0, 0];
  let pos = start;
  while (pos < end) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0 || eol > end) eol = end;
    let i = pos;
    pos = eol + 1;
    // Field 1: the timestamp, any word.
    while (i < eol && isSpace(text.charCodeAt(i))) i++;
    if (i === eol) continue;
    while (i < eol && !isSpace(text.charCodeAt(i))) i++;
    // Field 2: A or D alone.
    while (i < eol && isSpace(text.charCodeAt(i))) i++;
    const opCode = text.charCodeAt(i);
    if ((opCode !== 65 && opCode !== 68) || (i + 1 < eol && !isSpace(text.charCodeAt(i + 1))) || i + 1 > eol) continue;
    i++;
    // Fields 3–8: numbers.
    let count = 0;
    let ok = true;
    for (;;) {
      while (i < eol && isSpace(text.charCodeAt(i))) i++;
      if (i === eol) break;
      if (count === 6) {
        ok = false;
        break;
      }
      let v = 0;
      let digits = 0;
      for (; i < eol; i++) {
        const c = text.charCodeAt(i);
        if (c >= 48 && c <= 57) {
          v = v * 10 + (c - 48);
          digits++;
        } else if (isSpace(c)) break;
        else {
          ok = false;
          break;
        }
      }
      if (!ok || digits === 0) {
        ok = false;
        break;
      }
      nums[count++] = v;
    }
    if (!ok || count !== 6) continue;
    visit(opCode === 65 ? 'A' : 'D', {
      storePathIndex: nums[0]!, subHigh: nums[1]!, subLow: nums[2]!, fileId: nums[3]!, offset: nums[4]!, size: nums[5]!,
    });
  }
}

/** White space as the binlog's readers split on it (`\s` over latin1 text). */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 160;
}
