// Which members reported lacking a file: noted, cleared by a "holds again" report, forgotten after ten minutes.
import { describe, it, expect } from 'vitest';
import { MissingCopies } from '../../../src/tracker/missing-copies.js';

describe('MissingCopies', () => {
  it('remembers a member lacking a name until it holds it again or ten minutes pass', () => {
    let now = 1_000_000;
    const m = new MissingCopies(() => now);
    m.note('M00/00/00/a', 's1', false);
    m.note('M00/00/00/b', 's1', false);
    expect(m.lacks('M00/00/00/a', 's1')).toBe(true);
    expect(m.lacks('M00/00/00/a', 's2')).toBe(false);
    m.note('M00/00/00/a', 's1', true);
    expect(m.lacks('M00/00/00/a', 's1')).toBe(false);
    now += 10 * 60_000 + 1;
    expect(m.lacks('M00/00/00/b', 's1')).toBe(false);
    expect(m.size).toBe(0);
  });

  it('keeps at most 10,000 names, the oldest dropped first', () => {
    const m = new MissingCopies();
    for (let i = 0; i <= 10_000; i++) m.note(`M00/00/00/n${i}`, 's1', false);
    expect(m.size).toBe(10_000);
    expect(m.lacks('M00/00/00/n0', 's1')).toBe(false);
    expect(m.lacks('M00/00/00/n10000', 's1')).toBe(true);
  });
});
