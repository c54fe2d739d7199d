// Sync mark files (§9.3): the stock seven-line format, atomic rewrite, a half-written file salvaged from its
// first good lines (never blocking a start), an unreadable one ignored, and retirement of a deleted peer's mark.
import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshMark, MarkFile } from '../../../../src/storage/binlog/marks.js';

function dir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'fdfs-mark-'));
}

const STOCK = `binlog_index=0
binlog_offset=1388
need_sync_old=1
sync_old_done=1
until_timestamp=1795290693
scan_row_count=23
sync_row_count=11
`;

describe('MarkFile', () => {
  it('names marks <ip>_<port>.mark (or <id>.mark with storage ids) and round-trips the stock text', async () => {
    const d = dir();
    const m = MarkFile.forPeer(d, { id: '10.77.1.3', ip: '10.77.1.3', port: 23000 }, false);
    expect(path.basename(m.path)).toBe('10.77.1.3_23000.mark');
    expect(path.basename(MarkFile.forPeer(d, { id: '100001', ip: '10.77.1.3', port: 23000 }, true).path)).toBe('100001.mark');
    writeFileSync(m.path, STOCK);
    const loaded = await m.load();
    expect(loaded).toEqual({
      salvaged: false,
      mark: { binlogIndex: 0, binlogOffset: 1388, needSyncOld: true, syncOldDone: true, untilTimestamp: 1795290693, scanRowCount: 23, syncRowCount: 11 },
    });
    await m.save(loaded!.mark);
    expect(readFileSync(m.path, 'utf8')).toBe(STOCK);
    // Written through a temp file: nothing else is left in the directory.
    expect(readdirSync(d)).toEqual(['10.77.1.3_23000.mark']);
  });

  it('has no mark for a new peer', async () => {
    expect(await new MarkFile(dir(), 'x_1.mark').load()).toBeNull();
  });

  it('salvages the position of a half-written mark and never blocks a start', async () => {
    const d = dir();
    const m = new MarkFile(d, '10.0.0.9_23000.mark');
    // Cut in the middle of the fourth line: the complete lines are kept, the torn one ignored.
    writeFileSync(m.path, STOCK.slice(0, STOCK.indexOf('sync_old_done') + 6));
    expect(await m.load()).toEqual({ salvaged: true, mark: freshMark({ binlogOffset: 1388, needSyncOld: true }) });
    // Only the first line: not enough for a position → start over.
    writeFileSync(m.path, 'binlog_index=0\nbinlog_off');
    expect(await m.load()).toBeNull();
    // Garbage (or an empty file after a crash) → start over.
    writeFileSync(m.path, '');
    expect(await m.load()).toBeNull();
    writeFileSync(m.path, '\u0000\u0000\u0000');
    expect(await m.load()).toBeNull();
    // A torn digit on the offset line itself is not trusted either.
    writeFileSync(m.path, 'binlog_index=0\nbinlog_offset=13');
    expect(await m.load()).toBeNull();
  });

  it('retires a deleted peer\'s mark as <name>.mark.<YYYYMMDDhhmmss>', async () => {
    const d = dir();
    const m = new MarkFile(d, '10.77.1.5_23000.mark');
    await m.save(freshMark({ binlogOffset: 7 }));
    expect(await m.retire(new Date(2026, 10, 21, 9, 5, 3))).toBe(true);
    expect(existsSync(m.path)).toBe(false);
    expect(readdirSync(d)).toEqual(['10.77.1.5_23000.mark.20261121090503']);
    expect(await m.retire()).toBe(false);
  });
});
