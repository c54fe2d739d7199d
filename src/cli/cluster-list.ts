// Plain-text tables for `fdfs groups` and `fdfs storages`: aligned columns, one row per group or storage,
// nothing that needs a terminal (safe to pipe); --json prints the decoded records instead.
import { storageStatusName } from '../protocol/codes.js';
import type { GroupStat, StorageRecord } from '../protocol/tracker-list.js';

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

export function formatGroups(groups: GroupStat[]): string {
  if (!groups.length) return 'no groups';
  return table(
    ['GROUP', 'STORAGES', 'READABLE', 'WRITABLE', 'PORT', 'PATHS', 'TOTAL MB', 'FREE MB', 'RESERVED MB', 'AVAILABLE MB'],
    groups.map((g) => [g.groupName, String(g.storageCount), String(g.readableServerCount), String(g.writableServerCount),
      String(g.storagePort), String(g.storePathCount), String(g.totalMb), String(g.freeMb), String(g.reservedMb),
      String(Math.max(0, g.freeMb - g.reservedMb))]),
  );
}

const RW: Record<number, string> = { 0: 'none', 2: 'write', 4: 'read', 6: 'both' };

export function formatStorages(list: Array<{ group: string; storage: StorageRecord }>): string {
  if (!list.length) return 'no storages';
  return table(
    ['GROUP', 'ID', 'ADDRESS', 'STATUS', 'RW', 'VERSION', 'PATHS', 'TOTAL MB', 'FREE MB', 'UPLOADS', 'SOURCE'],
    list.map(({ group, storage: s }) => [group, s.id, `${s.ipAddr}:${s.storagePort}`, storageStatusName(s.status),
      RW[s.rwMode] ?? String(s.rwMode), s.version, String(s.storePathCount), String(s.totalMb), String(s.freeMb),
      String(s.stats.successUploadCount ?? 0), s.srcId || '-']),
  );
}
