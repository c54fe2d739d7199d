// Parked records (src/storage/sync/parked.ts): a record is parked after PARK_AFTER refusals; a retry round
// drops what went through, keeps what is still refused, and stops at a cut connection without throwing.
import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { SyncFailure } from '../../../../src/errors.js';
import { PARK_AFTER, ParkedRecords } from '../../../../src/storage/sync/parked.js';
import type { BinlogItem } from '../../../../src/storage/binlog/reader.js';

const log = pino({ level: 'silent' });
const item = (n: number): BinlogItem => ({
  rec: null, line: `170000000${n} C M00/00/00/file${n}.bin`, start: { index: 0, offset: n * 40 }, end: { index: 0, offset: n * 40 + 40 },
});

describe('ParkedRecords', () => {
  it('parks after PARK_AFTER refusals, retries, keeps the refused, stops at a cut connection', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-parked-'));
    try {
      const parked = new ParkedRecords(path.join(dir, 'peer.parked'), log);
      for (let i = 1; i < PARK_AFTER; i++) expect(parked.refused(item(1))).toBe(false);
      expect(parked.refused(item(1))).toBe(true);
      for (const n of [1, 2, 3, 4]) await parked.park(item(n), 'ENOSPC');
      expect(await parked.size()).toBe(4);
      expect(await parked.due()).toBe(true);
      const seen: string[] = [];
      await parked.retry(async (rec) => {
        seen.push(rec.filename);
        if (rec.filename.endsWith('file2.bin')) throw new SyncFailure('refused again', 28);
        if (rec.filename.endsWith('file3.bin')) throw new Error('connection closed');
        return 'sent';
      });
      expect(seen).toEqual(['M00/00/00/file1.bin', 'M00/00/00/file2.bin', 'M00/00/00/file3.bin']);
      const left = readFileSync(path.join(dir, 'peer.parked'), 'utf8').trim().split('\n');
      expect(left).toEqual([item(2).line, item(3).line, item(4).line]);
      expect(await parked.due()).toBe(false);
      await parked.retry(async () => 'sent');
      expect(existsSync(path.join(dir, 'peer.parked'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
