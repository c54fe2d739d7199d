// deletedNames: one pass over the binlog files says which names this storage deleted (D, d, renamed away),
// a later create of the same name counting as there again.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deletedNames } from '../../../../src/storage/repair/deleted-names.js';

describe('deletedNames', () => {
  it('finds deletes across binlog files, ignores names not asked for, and un-deletes on a later create', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-deleted-'));
    try {
      writeFileSync(path.join(dir, 'binlog.000'), [
        '100 C M00/00/00/a', '101 C M00/00/00/b', '102 D M00/00/00/a', '103 c M00/00/00/c', '104 d M00/00/00/c', '',
      ].join('\n'));
      writeFileSync(path.join(dir, 'binlog.001'), [
        '105 D M00/00/00/b', '106 C M00/00/00/b', '107 R M00/00/00/e M00/00/00/d', '108 D M00/00/00/z', '',
      ].join('\n'));
      writeFileSync(path.join(dir, 'binlog_index.dat'), 'current_write=1\n');
      const asked = new Set(['M00/00/00/a', 'M00/00/00/b', 'M00/00/00/c', 'M00/00/00/d', 'M00/00/00/e']);
      expect([...await deletedNames(dir, asked)].sort()).toEqual(['M00/00/00/a', 'M00/00/00/c', 'M00/00/00/d']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
