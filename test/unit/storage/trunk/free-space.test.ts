import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { contiguous, FreeSpace, formatJournal, parseJournal, type Block, type JournalOp } from '../../../../src/storage/trunk/free-space.js';
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

  it('takes the smallest block that fits, splits it, and journals D of it, A of the rest, A of the slot', () => {
    const f = fresh(file(1, 0, 1000), file(1, 1000, 300), file(2, 0, MB4));
    const got = f.take(0, 256)!;
    expect(got.slot).toEqual(file(1, 1000, 256));
    expect(got.journal).toEqual([
      { op: 'D', block: file(1, 1000, 300) }, { op: 'A', block: file(1, 1256, 44) }, { op: 'A', block: file(1, 1000, 256) },
    ]);
    expect(f.take(1, 10)).toBeNull();
    expect(f.take(0, MB4 + 1)).toBeNull();
  });

  it('gives the whole block when the rest would be under the minimum (journaling nothing), and leases up to a size', () => {
    const f = fresh(file(1, 0, 1000), file(2, 0, MB4));
    const small = f.take(0, 900, { minRest: 256 })!;
    expect(small).toEqual({ slot: file(1, 0, 1000), journal: [] });
    const lease = f.take(0, 300, { upTo: 1 << 20 })!;
    expect(lease.slot).toEqual(file(2, 0, 1 << 20));
    expect(f.blocks()).toEqual([file(2, 1 << 20, MB4 - (1 << 20))]);
  });

  it('undoes a reservation that was never used', () => {
    const f = fresh(file(1, 0, 1000));
    const got = f.take(0, 400)!;
    f.untake(got.slot);
    expect(f.blocks().sort((a, b) => a.offset - b.offset)).toEqual([file(1, 0, 400), file(1, 400, 600)]);
    const again = fresh(file(1, 0, 1000));
    again.undoTake(again.take(0, 400)!);
    expect(again.blocks()).toEqual([file(1, 0, 1000)]);
  });

  it('joins free blocks that touch in one trunk file, and only those', () => {
    expect(contiguous([file(1, 256, 256), file(1, 0, 256), file(1, 1024, 512), file(2, 512, 100)]))
      .toEqual([file(1, 0, 512), file(1, 1024, 512), file(2, 512, 100)]);
  });

  it('replays to the right free space whatever order concurrent reservations were committed in', () => {
    const f = fresh(file(1, 0, 4096));
    const lines: JournalOp[] = [{ op: 'A', block: file(1, 0, 4096) }];
    const a = f.take(0, 512)!;
    lines.push(...a.journal);
    const b = f.take(0, 1024)!;
    lines.push(...b.journal);
    const c = f.take(0, 256)!;
    lines.push(...c.journal);
    // b and c commit before a; c's upload fails and is never committed (its slot stays free).
    lines.push({ op: 'D', block: b.slot }, { op: 'D', block: a.slot });
    const replayed = new FreeSpace();
    for (const j of parseJournal(lines.map((j) => formatJournal(1, j)).join('\n'))) replayed.apply(j);
    expect(replayed.blocks().map((x) => [x.offset, x.size]).sort((p, q) => p[0]! - q[0]!))
      .toEqual([[1536, 256], [1792, 4096 - 1792]]);
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

  it('reads binlog text by hand as the split-and-Number reading did: same records from the same lines', () => {
    // The earlier reading, kept here as the reference.
    const reference = (text: string): JournalOp[] => text.split('\n').flatMap((line) => {
      const f = line.trim().split(/\s+/);
      if (f.length !== 8 || (f[1] !== 'A' && f[1] !== 'D')) return [];
      const n = f.slice(2).map(Number);
      if (!n.every((x) => Number.isInteger(x) && x >= 0)) return [];
      return [{ op: f[1], block: { storePathIndex: n[0]!, subHigh: n[1]!, subLow: n[2]!, fileId: n[3]!, offset: n[4]!, size: n[5]! } }];
    });
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pieces = ['1796290744', 'A', 'D', 'AD', 'a', 'x', '0', '7', '65536', '4294967295', '67108864', '', '-1', '12x'];
    const gaps = [' ', '  ', '\t', ' \r', '\xa0', ''];
    let records = 0;
    for (let round = 0; round < 300; round++) {
      const lines: string[] = [];
      for (let l = 0; l < 20; l++) {
        if (rand(3) === 0) {
          // A well-formed record, sometimes with odd spacing or cut short.
          const fields = [String(1796290000 + rand(999)), rand(2) ? 'A' : 'D', ...Array.from({ length: 6 }, () => String(rand(1 << 20)))];
          let line = (rand(4) === 0 ? gaps[rand(gaps.length)]! : '') + fields.join(rand(5) === 0 ? gaps[rand(4)]! : ' ');
          if (rand(6) === 0) line = line.slice(0, rand(line.length + 1));
          lines.push(line + (rand(5) === 0 ? '\r' : ''));
        } else {
          lines.push(Array.from({ length: rand(10) }, () => pieces[rand(pieces.length)]!).join(gaps[rand(gaps.length)]!));
        }
      }
      const text = lines.join('\n') + (rand(2) ? '\n' : '');
      const got = parseJournal(text);
      expect(got).toEqual(reference(text));
      records += got.length;
    }
    expect(records).toBeGreaterThan(1000);
    // Only plain decimal numbers count (the reference took "+5", "0x10", "1e3" as numbers; stock writes none).
    expect(parseJournal('1 A 0 0 0 1 0x10 147\n1 D 0 0 0 1 +5 4\n1 A 0 0 0 1 466 147')).toEqual([{ op: 'A', block: file(1, 466, 147) }]);
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
