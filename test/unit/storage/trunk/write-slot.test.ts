import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

  // The built module (npm test builds first), run where a file may not grow past 1 KiB: the write stops short.
  it.runIf(process.platform === 'linux')('a short write (no room left) takes the header back, so the slot reads free', () => {
    const file = path.join(dir, 'short');
    const built = fileURLToPath(new URL('../../../../dist/src/storage/trunk/container.js', import.meta.url));
    const script = `
      import { openSync } from 'node:fs';
      import { writeSlotAt } from ${JSON.stringify(built)};
      const fd = openSync(${JSON.stringify(file)}, 'w+');
      try { writeSlotAt(fd, Buffer.alloc(24, 0x11), Buffer.alloc(1200, 0x22), 400); console.log('written'); }
      catch (err) { console.log(err.code); }`;
    // SIGXFSZ ignored, so that the write past the limit fails with EFBIG instead of ending the process.
    const run = spawnSync('bash', ['-c', 'trap "" XFSZ; ulimit -f 1; exec "$0" --input-type=module -e "$1"', process.execPath, script],
      { encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('EFBIG');
    const after = readFileSync(file);
    expect(after.length).toBe(1024);
    expect(after.subarray(400, 424).every((b) => b === 0)).toBe(true); // no header: the slot reads free
    expect(after.subarray(424).every((b) => b === 0x22)).toBe(true);
  });
});
