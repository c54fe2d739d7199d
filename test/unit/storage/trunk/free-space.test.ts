import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FreeSpace, formatJournal, parseJournal, type Block } from '../../../../src/storage/trunk/free-space.js';
import { slotSizeFor, trunkSettings } from '../../../../src/storage/trunk/settings.js';

const MB4 = 4 * 1024 * 1024;
const file = (fileId: number, offset: number, size: number, storePathIndex = 0): Block => ({ storePathIndex, subHigh: 0, subLow: 0, fileId, offset, size });

function fresh(...blocks: Block[]): FreeSpace {
  const f = new FreeSpace();
  for (const b of blocks) f.apply({ op: 'A', block: b });
  return f;
}

describe('trunk free space', () => {
  it('replays the trunk binlog stock 6.16.1 wrote: the freed slot and the tail are free', () => {
    const text = readFileSync(path.resolve(import.meta.dirname, '../../../fixtures/trunk/stock-trunk-binlog.txt'), 'latin1');
    const f = new FreeSpace();
    for (const j of parseJournal(text)) f.apply(j);
    expect(f.blocks().map((b) => [b.offset, b.size]).sort((a, b) => a[0]! - b[0]!)).toEqual([[466, 147], [717, MB4 - 717]]);
  });

  it('takes the smallest block that fits, splits it, and journals D then A of the rest', () => {
    const f = fresh(file(1, 0, 1000), file(1, 1000, 300), file(2, 0, MB4));
    const got = f.take(0, 256)!;
    expect(got.slot).toEqual(file(1, 1000, 256));
    expect(got.journal).toEqual([{ op: 'D', block: file(1, 1000, 300) }, { op: 'A', block: file(1, 1256, 44) }]);
    expect(f.take(1, 10)).toBeNull();
    expect(f.take(0, MB4 + 1)).toBeNull();
  });

  it('undoes a reservation that was never used', () => {
    const f = fresh(file(1, 0, 1000));
    const got = f.take(0, 400)!;
    f.untake(got.journal);
    expect(f.blocks()).toEqual([file(1, 0, 1000)]);
  });

  it('merges a released slot with free neighbours only when asked, and ignores a second release', () => {
    const split = () => fresh(file(1, 0, 256), file(1, 512, 256));
    const plain = split();
    plain.release(file(1, 256, 256), false);
    expect(plain.blocks()).toHaveLength(3);
    const merged = split();
    const journal = merged.release(file(1, 256, 256), true);
    expect(merged.blocks()).toEqual([file(1, 0, 768)]);
    expect(journal.at(-1)).toEqual({ op: 'A', block: file(1, 0, 768) });
    expect(merged.release(file(1, 256, 256), true)).toEqual([]);
    expect(merged.total()).toBe(768);
  });

  it('formats and parses stock binlog lines, skipping torn ones', () => {
    const line = formatJournal(1796290744, { op: 'A', block: file(1, 466, 147) });
    expect(line).toBe('1796290744 A 0 0 0 1 466 147');
    expect(parseJournal(`${line}\n1796290744 D 0 0 0 1 4\n`)).toEqual([{ op: 'A', block: file(1, 466, 147) }]);
  });

  it('sizes slots as stock: header + content, slot_min_size, alignment', () => {
    const s = trunkSettings({ slot_min_size: '256', trunk_alloc_alignment_size: '256', trunk_file_size: String(MB4) });
    // The IDs stock 6.16.1 wrote with these settings: 333 → 512, 666 → 768, 999 → 1024, 12 → 256.
    expect([333, 666, 999, 12].map((n) => slotSizeFor(n, s))).toEqual([512, 768, 1024, 256]);
    const noAlign = trunkSettings({ slot_min_size: '64' });
    expect([39, 250, 123, 80].map((n) => slotSizeFor(n, noAlign))).toEqual([64, 274, 147, 104]);
    expect(trunkSettings({}).slotMaxSize).toBe(8 * 1024 * 1024);
  });
});
