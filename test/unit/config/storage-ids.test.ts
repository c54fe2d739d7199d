// storage_ids.conf (src/config/storage-ids.ts) and mime.types (src/config/mime-types.ts):
// the spec sample, rw modes, lookups, and file:line errors for bad or duplicate lines.
import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { findStorageId, loadStorageIds, parseStorageIds } from '../../../src/config/storage-ids.js';
import { loadMimeTypes, parseMimeTypes } from '../../../src/config/mime-types.js';
import type { WarnLog } from '../../../src/config/ini.js';
import { ConfigError } from '../../../src/errors.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/conf');
const quiet: WarnLog = { warn: () => {} };

describe('storage_ids.conf', () => {
  it('loads the spec sample: single, dual and IPv6 addresses, ports and rw modes', () => {
    const file = join(FIXTURES, 'storage_ids.conf');
    expect(loadStorageIds(file)).toEqual([
      { id: '100001', groupName: 'group1', hosts: ['192.168.0.196'], port: 23000, rwMode: 'both', file, line: 4 },
      { id: '100002', groupName: 'group1', hosts: ['192.168.0.197', '122.244.141.46'], port: 23000, rwMode: 'both', file, line: 5 },
      { id: '100003', groupName: 'group1', hosts: ['2409:8a20:42d:2f40:587a:4c47:72c0:ad8e'], port: 23001, rwMode: 'none', file, line: 6 },
    ]);
  });

  it('normalises rw aliases and finds entries by address', () => {
    const ids = parseStorageIds('1 g1 10.0.0.1 rw=readonly\n2 g1 10.0.0.2:23001 rw=writeonly\n3 g2 h3.lan rw=ALL\n', '/x');
    expect(ids.map((e) => e.rwMode)).toEqual(['read', 'write', 'both']);
    expect(findStorageId(ids, '10.0.0.2')?.id).toBe('2');
    expect(findStorageId(ids, '10.0.0.2', 23000)).toBeUndefined();
    expect(findStorageId(ids, 'H3.lan', 23000)?.groupName).toBe('g2');
  });

  it('rejects bad lines with file:line', () => {
    const bad: Array<[string, RegExp]> = [
      ['100001 group1', /expected "<id> <group_name>/],
      ['0100 group1 10.0.0.1', /bad storage id "0100"/],
      ['16777216 group1 10.0.0.1', /bad storage id/],
      ['1 group_1 10.0.0.1', /bad group name/],
      ['1 group1 10.0.0.1:http', /bad value/],
      ['1 group1 10.0.0.1 rw=maybe', /bad rw mode "maybe"/],
    ];
    for (const [line, re] of bad) {
      let err: unknown;
      try {
        parseStorageIds(`# header\n${line}\n`, '/etc/fdfs/storage_ids.conf', { log: quiet });
      } catch (e) {
        err = e;
      }
      expect(err, line).toBeInstanceOf(ConfigError);
      expect((err as Error).message, line).toMatch(/^\/etc\/fdfs\/storage_ids\.conf:2: /);
      expect((err as Error).message, line).toMatch(re);
    }
  });

  it('rejects duplicate ids and duplicate addresses, naming the first definition', () => {
    expect(() => parseStorageIds('1 g 10.0.0.1\n1 g 10.0.0.2\n', '/ids')).toThrow('/ids:2: storage id 1 already defined at /ids:1');
    expect(() => parseStorageIds('1 g 10.0.0.1\n2 g 10.0.0.1:23000\n', '/ids')).toThrow(/already used by id 1/);
    expect(parseStorageIds('1 g 10.0.0.1\n2 g 10.0.0.1:23001\n', '/ids')).toHaveLength(2);
  });

  it('warns about unknown options', () => {
    const seen: unknown[] = [];
    parseStorageIds('1 g 10.0.0.1 zone=a\n', '/ids', { log: { warn: (o) => seen.push(o) } });
    expect(seen).toEqual([{ file: '/ids', line: 1, option: 'zone=a' }]);
  });
});

describe('mime.types', () => {
  it('maps extensions to types from the fixture', () => {
    const m = loadMimeTypes(join(FIXTURES, 'mime.types'));
    expect(m.get('jpg')).toBe('image/jpeg');
    expect(m.get('htm')).toBe('text/html');
    expect(m.get('flv')).toBe('video/x-flv');
    expect(m.get('exe')).toBeUndefined();
  });

  it('lower-cases extensions and skips comments and types without extensions', () => {
    const m = parseMimeTypes('# c\napplication/x-empty\ntext/x-Thing  TXZ .abc\n');
    expect([...m]).toEqual([['txz', 'text/x-Thing'], ['abc', 'text/x-Thing']]);
  });
});
