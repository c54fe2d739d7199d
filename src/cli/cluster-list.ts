// `fdfs groups` and `fdfs storages`: the records they ask for, and plain-text tables of them (aligned columns,
// one row per group or storage, nothing that needs a terminal); --json prints the decoded records instead.
import type { FdfsClient } from '../client/index.js';
import { storageStatusName } from '../protocol/codes.js';
import { stateLegend } from './state-legend.js';
import type { GroupStat, StorageRecord } from '../protocol/tracker-list.js';

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

/** One group's record, or every group's. */
export async function listGroupStats(client: FdfsClient, group?: string): Promise<GroupStat[]> {
  return group ? [await client.listGroup(group)] : client.listGroups();
}

/** The storages of one group (or of every group, asked one group at a time), optionally only `storageId`. */
export async function listStorageRecords(client: FdfsClient, group?: string, storageId?: string): Promise<Array<{ group: string; storage: StorageRecord }>> {
  const groups = group ? [group] : (await client.listGroups()).map((g) => g.groupName);
  const out: Array<{ group: string; storage: StorageRecord }> = [];
  for (const g of groups) {
    for (const s of await client.listStorages(g, storageId)) out.push({ group: g, storage: s });
  }
  return out;
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

/** A storage record as --json prints it: state names as `fdfs monitor --json` gives them, the wire numbers beside. */
export type StorageJson = Omit<StorageRecord, 'status' | 'rwMode'> & { status: string; statusCode: number; rwMode: string; rwModeCode: number };

export function storageJson(s: StorageRecord): StorageJson {
  const rw = `${s.rwMode & 4 ? 'r' : ''}${s.rwMode & 2 ? 'w' : ''}` || '-';
  return { ...s, status: storageStatusName(s.status), statusCode: s.status, rwMode: rw, rwModeCode: s.rwMode };
}

export function formatStorages(list: Array<{ group: string; storage: StorageRecord }>): string {
  if (!list.length) return 'no storages';
  return table(
    ['GROUP', 'ID', 'ADDRESS', 'STATUS', 'RW', 'VERSION', 'PATHS', 'TOTAL MB', 'FREE MB', 'UPLOADS', 'SOURCE'],
    list.map(({ group, storage: s }) => [group, s.id, `${s.ipAddr}:${s.storagePort}`, storageStatusName(s.status),
      RW[s.rwMode] ?? String(s.rwMode), s.version, String(s.storePathCount), String(s.totalMb), String(s.freeMb),
      String(s.stats.successUploadCount ?? 0), s.srcId || '-']),
  ) + `\n${stateLegend(list.map(({ storage }) => storage.status))}`;
}
