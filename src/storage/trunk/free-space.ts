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
    const k = keyOf(j.block);
    if (j.op === 'A') this.byStart.set(k, { ...j.block });
    else this.byStart.delete(k);
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
   * Take `size` bytes in store path `index`: the journal records that do it (D of the block, A of what is
   * left), already applied; null when no block is large enough.
   */
  take(index: number, size: number): { slot: Block; journal: JournalOp[] } | null {
    let best: Block | null = null;
    for (const b of this.byStart.values()) {
      if (b.storePathIndex !== index || b.size < size) continue;
      if (!best || b.size < best.size || (b.size === best.size && (b.fileId < best.fileId || (b.fileId === best.fileId && b.offset < best.offset)))) best = b;
    }
    if (!best) return null;
    const journal: JournalOp[] = [{ op: 'D', block: { ...best } }];
    if (best.size > size) journal.push({ op: 'A', block: { ...best, offset: best.offset + size, size: best.size - size } });
    for (const j of journal) this.apply(j);
    return { slot: { ...best, size }, journal };
  }

  /** Return a slot; with `merge`, joined with the free blocks right before and after it in its trunk file. */
  release(slot: Block, merge: boolean): JournalOp[] {
    // Freed twice (a delete reported by 29 and replicated by 17): the space is free already.
    for (const b of this.byStart.values()) {
      const sameFile = b.storePathIndex === slot.storePathIndex && b.subHigh === slot.subHigh && b.subLow === slot.subLow && b.fileId === slot.fileId;
      if (sameFile && b.offset < slot.offset + slot.size && slot.offset < b.offset + b.size) return [];
    }
    let merged = { ...slot };
    const journal: JournalOp[] = [];
    if (merge) {
      for (const b of this.byStart.values()) {
        const sameFile = b.storePathIndex === slot.storePathIndex && b.subHigh === slot.subHigh && b.subLow === slot.subLow && b.fileId === slot.fileId;
        if (!sameFile) continue;
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

  /** Undo a `take` whose journal was never written (the slot was not used). */
  untake(journal: JournalOp[]): void {
    for (const j of [...journal].reverse()) this.apply({ op: j.op === 'A' ? 'D' : 'A', block: j.block });
  }
}

/** One trunk binlog line (without the newline). */
export function formatJournal(ts: number, j: JournalOp): string {
  const b = j.block;
  return `${ts} ${j.op} ${b.storePathIndex} ${b.subHigh} ${b.subLow} ${b.fileId} ${b.offset} ${b.size}`;
}

/** Parse trunk binlog text; malformed lines are skipped (a torn last line after a crash). */
export function parseJournal(text: string): JournalOp[] {
  const out: JournalOp[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 8 || (f[1] !== 'A' && f[1] !== 'D')) continue;
    const n = f.slice(2).map(Number);
    if (!n.every((x) => Number.isInteger(x) && x >= 0)) continue;
    out.push({ op: f[1], block: { storePathIndex: n[0]!, subHigh: n[1]!, subLow: n[2]!, fileId: n[3]!, offset: n[4]!, size: n[5]! } });
  }
  return out;
}
