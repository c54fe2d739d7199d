// The zero space read ahead of a trunk slot (trunk/clean-ahead.ts): the slots a worker carves after it are not
// read again while the reading is fresh; anything else — older readings, space handed out already, another trunk
// file, space past what was read — is read again, so a slot that holds a file is still found.
import { describe, it, expect, afterEach } from 'vitest';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLEAN_AHEAD_BYTES, CLEAN_AHEAD_MS, CleanAhead } from '../../../../src/storage/trunk/clean-ahead.js';
import { zeroRunAt } from '../../../../src/storage/trunk/occupied.js';
import type { Block } from '../../../../src/storage/trunk/free-space.js';

const slotOf = (offset: number, size = 4120, fileId = 1): Block => ({ storePathIndex: 0, subHigh: 0, subLow: 0, fileId, offset, size });
let dir = '';
let fd = -1;
afterEach(() => {
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

/** A sparse 4 MiB trunk file. */
function trunkFile(): number {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-clean-ahead-'));
  fd = openSync(path.join(dir, '000001'), 'w+');
  writeSync(fd, Buffer.from([0]), 0, 1, (4 << 20) - 1);
  return fd;
}

describe('storage: trunk space read ahead of a slot', () => {
  it('counts the zero bytes up to the first one that is not, and past the end as zero', () => {
    const f = trunkFile();
    writeSync(f, Buffer.from([7]), 0, 1, 100_000);
    expect(zeroRunAt(f, 0, 1 << 20)).toBe(100_000);
    expect(zeroRunAt(f, 99_990, 5)).toBe(5);
    expect(zeroRunAt(f, 100_001, 1 << 20)).toBe(1 << 20);
  });

  it('reads a slot alone now and then; while slots go out quickly, reads ahead and trusts it until it is stale', () => {
    const f = trunkFile();
    let now = 1_000_000;
    const ahead = new CleanAhead(() => now);
    expect(ahead.slotIsFree(f, slotOf(0))).toBe(true);
    // The first reading was of that slot alone: a file in the next one is found.
    writeSync(f, Buffer.from('a file'), 0, 6, 4120 + 24);
    now += 10;
    expect(ahead.slotIsFree(f, slotOf(4120))).toBe(false);
    expect(ahead.slotIsFree(f, slotOf(2 * 4120))).toBe(true);
    // That one was read with what follows it: a file landing in the next slot afterwards is not seen while fresh
    // (what the freshness bound is for).
    writeSync(f, Buffer.from('late'), 0, 4, 3 * 4120 + 24);
    now += CLEAN_AHEAD_MS - 11;
    expect(ahead.slotIsFree(f, slotOf(3 * 4120))).toBe(true);
    // Once the reading is stale, the slot is read again and the file found.
    writeSync(f, Buffer.from('another'), 0, 7, 4 * 4120 + 24);
    now += 12;
    expect(ahead.slotIsFree(f, slotOf(4 * 4120))).toBe(false);
  });

  it('reads again a slot handed out before, one in another trunk file, and one past what was read', () => {
    const f = trunkFile();
    const ahead = new CleanAhead(() => 0);
    expect(ahead.slotIsFree(f, slotOf(0))).toBe(true);
    expect(ahead.slotIsFree(f, slotOf(0))).toBe(true);
    writeSync(f, Buffer.from('written'), 0, 7, 24);
    // The same slot again (a failed upload gave it back unwiped): its bytes are read.
    expect(ahead.slotIsFree(f, slotOf(0))).toBe(false);
    expect(ahead.slotIsFree(f, slotOf(4120))).toBe(true);
    writeSync(f, Buffer.from('x'), 0, 1, 8240 + CLEAN_AHEAD_BYTES);
    // Another trunk file id names other space: read (here the same descriptor, so the byte above shows).
    expect(ahead.slotIsFree(f, slotOf(8240 + CLEAN_AHEAD_BYTES - 10, 4120, 2))).toBe(false);
    // Beyond the end of the last reading: read.
    expect(ahead.slotIsFree(f, slotOf(8240 + CLEAN_AHEAD_BYTES - 10))).toBe(false);
  });

  it('stops at data inside the window: a slot reaching it is read and found taken', () => {
    const f = trunkFile();
    const ahead = new CleanAhead(() => 0);
    writeSync(f, Buffer.from('tail of a file'), 0, 14, 10_000);
    expect(ahead.slotIsFree(f, slotOf(0))).toBe(true);
    expect(ahead.slotIsFree(f, slotOf(0))).toBe(true);
    expect(ahead.slotIsFree(f, slotOf(4120))).toBe(true);
    expect(ahead.slotIsFree(f, slotOf(8240))).toBe(false);
  });
});
