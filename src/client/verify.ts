// Comparing what the members of a group hold (`fdfs verify`): every member lists its files (120 LIST_FILES) in
// the same order, and the lists are merged as they stream, so memory stays flat for any number of files. A name
// some member lacks, or a size the members disagree on, is a difference; 121 REPAIR_FILES sends the member
// that needs it to fetch the file from its peers.
import { Connection, type ConnectOptions } from '../net/connection.js';
import { FdfsStorageCmd } from '../protocol/codes.js';
import type { ListedFile } from '../protocol/list-files.js';
import {
  decodeRepairFilesResponse, encodeRepairFilesRequest, MAX_REPAIR_NAMES, type RepairFileOutcome,
} from '../protocol/repair-files.js';
import { listFilesFrom } from './list-files.js';

export interface Member {
  id: string;
  ip: string;
  port: number;
}

export interface Difference {
  name: string;
  /** Each member's size of the file, by member address; null where it is missing. */
  sizes: Record<string, number | null>;
  /** The size the name records (normal files), else null. */
  expectedSize: number | null;
  /** Members that should fetch the file again: those without it, or (normal files) with the wrong size. */
  needs: string[];
}

export const addressOf = (m: Member): string => `${m.ip}:${m.port}`;

/**
 * Stream the differences between `members`' lists of `group`. Files younger than `minAge` seconds are left
 * out: replication may still be carrying them. `onChecked` counts the names compared.
 */
export async function* compareMembers(members: Member[], group: string, o: { minAge: number; timeouts: ConnectOptions;
  expectedSize: (name: string) => number | null; onChecked?: () => void }): AsyncGenerator<Difference> {
  const streams = members.map((m) => listFilesFrom(m, group, {}, o.timeouts));
  const heads: Array<ListedFile | null> = await Promise.all(streams.map(async (s) => (await s.next()).value ?? null));
  const newest = Math.floor(Date.now() / 1000) - o.minAge;
  try {
    for (;;) {
      let name: string | null = null;
      for (const h of heads) if (h && (name === null || h.name < name)) name = h.name;
      if (name === null) return;
      const sizes: Record<string, number | null> = {};
      let time = 0;
      for (let i = 0; i < members.length; i++) {
        const h = heads[i];
        if (h && h.name === name) {
          sizes[addressOf(members[i]!)] = h.size;
          time = Math.max(time, h.time);
          heads[i] = (await streams[i]!.next()).value ?? null;
        } else {
          sizes[addressOf(members[i]!)] = null;
        }
      }
      if (time > newest) continue;
      o.onChecked?.();
      const expectedSize = o.expectedSize(name);
      const present = Object.values(sizes).filter((v): v is number => v !== null);
      const needs = Object.entries(sizes)
        .filter(([, v]) => v === null || (expectedSize !== null && v !== expectedSize))
        .map(([k]) => k);
      const disagree = new Set(present).size > 1;
      if (needs.length || disagree) yield { name, sizes, expectedSize, needs };
    }
  } finally {
    await Promise.all(streams.map((s) => s.return(undefined)));
  }
}

/** Have the member at `address` fetch `names` from its peers (121), in batches; outcomes per name. */
export async function repairOn(address: string, group: string, names: string[], timeouts: ConnectOptions):
  Promise<Array<{ name: string; outcome: RepairFileOutcome }>> {
  const [ip, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  const conn = await Connection.connect(ip, port, timeouts);
  try {
    const out: Array<{ name: string; outcome: RepairFileOutcome }> = [];
    for (let i = 0; i < names.length; i += MAX_REPAIR_NAMES) {
      const body = await conn.call(encodeRepairFilesRequest({ group, names: names.slice(i, i + MAX_REPAIR_NAMES) }),
        { cmd: FdfsStorageCmd.RepairFiles, maxBody: 1 << 20 });
      out.push(...decodeRepairFilesResponse(body));
    }
    return out;
  } finally {
    conn.destroy();
  }
}
