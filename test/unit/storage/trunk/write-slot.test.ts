import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSlotAt } from '../../../../src/storage/trunk/container.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-write-slot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeSlotAt', () => {
  it('puts the header at the slot and the content right after it, leaving the rest of the file alone', () => {
    const file = path.join(dir, 'trunk');
    writeFileSync(file, Buffer.alloc(256, 0xee));
    const header = Buffer.alloc(24, 0x11);
    const content = Buffer.from('the content of a small file');
    const fd = openSync(file, 'r+');
    try {
      writeSlotAt(fd, header, content, 100);
    } finally {
      closeSync(fd);
    }
    const after = readFileSync(file);
    expect(after.length).toBe(256);
    expect(after.subarray(0, 100).every((b) => b === 0xee)).toBe(true);
    expect(after.subarray(100, 124)).toEqual(header);
    expect(after.subarray(124, 124 + content.length)).toEqual(content);
    expect(after.subarray(124 + content.length).every((b) => b === 0xee)).toBe(true);
  });
});
