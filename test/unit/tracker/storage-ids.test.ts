// storage_ids.conf on the tracker (StorageIds): lookup by id and address (+port), rw bits, 69 pages; and how
// servers read short (slave) names with peekFileName.
import { describe, it, expect } from 'vitest';
import { parseStorageIds } from '../../../src/config/index.js';
import { peekFileName, decodeFileName } from '../../../src/protocol/file-id.js';
import { StorageIds } from '../../../src/tracker/storage-ids.js';

const ids = new StorageIds(parseStorageIds([
  '100001 group1 10.0.0.1',
  '100002 group1 10.0.0.2,122.1.1.2 rw=read',
  '100003 group2 10.0.0.3:23001 rw=none',
  '100004 group2 10.0.0.3:23002',
].join('\n'), 'storage_ids.conf'));

describe('StorageIds', () => {
  it('finds entries by id and by either address, preferring the exact port', () => {
    expect(ids.byId('100002')?.groupName).toBe('group1');
    expect(ids.byAddress('122.1.1.2')?.id).toBe('100002');
    expect(ids.byAddress('10.0.0.3', 23002)?.id).toBe('100004');
    expect(ids.byAddress('10.0.0.3', 23001)?.id).toBe('100003');
    // Two entries on one host and no port match: ambiguous.
    expect(ids.byAddress('10.0.0.3', 23000)).toBeUndefined();
    expect(ids.byAddress('10.0.0.1', 23000, 'group2')).toBeUndefined();
    expect(ids.byAddress('10.0.0.9')).toBeUndefined();
  });

  it('maps rw modes to the rw_mode bits of the 92 record', () => {
    expect(['100001', '100002', '100003'].map((i) => StorageIds.rwBits(ids.byId(i)!))).toEqual([6, 4, 0]);
  });

  it('pages the 69 lines: ports only when not 23000, rw only when not both', () => {
    expect(ids.page(0)).toEqual({
      totalCount: 4,
      entries: [
        { id: '100001', group: 'group1', host: '10.0.0.1' },
        { id: '100002', group: 'group1', host: '10.0.0.2,122.1.1.2', rwMode: 'read' },
        { id: '100003', group: 'group2', host: '10.0.0.3:23001', rwMode: 'none' },
        { id: '100004', group: 'group2', host: '10.0.0.3:23002' },
      ],
    });
    expect(ids.page(3).entries.map((e) => e.id)).toEqual(['100004']);
    expect(ids.page(9).entries).toEqual([]);
  });
});

describe('peekFileName', () => {
  const normal = 'M00/02/AC/Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk701.txt';
  it('decodes full names like decodeFileName', () => {
    expect(peekFileName(normal)).toEqual(decodeFileName(normal));
  });
  it('reads 37-43 char names as slaves with the master facts, shorter ones as legacy (null)', () => {
    const short = 'M00/02/AC/Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk701_s';
    expect(() => decodeFileName(short)).toThrow();
    const p = peekFileName(short)!;
    expect(p.kind).toBe('slave');
    expect(p.source).toEqual({ ipv4: '10.77.0.3' });
    expect(p.timestamp).toBe(1795289211);
    expect(peekFileName('M00/02/AC/Ck0AA2sB8HuAKOo1AAAAHWMZ9U')).toBeNull();
  });
});
