// `fdfs verify GROUP [--repair]`: compare what the members of a group hold (src/client/verify.ts), print each
// difference as it is found, and with --repair have the member that needs a file fetch it from its peers.
import type { Writable } from 'node:stream';
import type { FdfsClient } from '../client/index.js';
import { listingMembers } from '../client/list-files.js';
import { addressOf, compareMembers, repairOn, type Difference } from '../client/verify.js';
import { peekFileName } from '../protocol/file-id.js';
import type { RepairFileOutcome } from '../protocol/repair-files.js';

export interface VerifyOptions {
  repair: boolean;
  /** Seconds: younger files may still be replicating and are not compared. */
  minAge: number;
  json: boolean;
  out: Writable;
}

export interface VerifyReport {
  group: string;
  members: string[];
  checked: number;
  differences: number;
  repairs: Array<{ member: string; name: string; outcome: RepairFileOutcome }>;
  /** Differences left after --repair (all of them without it). */
  unresolved: number;
}

function expectedSize(name: string): number | null {
  try {
    const info = peekFileName(name);
    return info?.kind === 'normal' && info.size !== undefined ? info.size : null;
  } catch {
    return null;
  }
}

function describe(group: string, d: Difference): string {
  const where = Object.entries(d.sizes).map(([m, v]) => `${m}: ${v === null ? 'missing' : `${v} bytes`}`).join(', ');
  const want = d.expectedSize === null ? '' : ` (its ID says ${d.expectedSize} bytes)`;
  return `${group}/${d.name}  ${where}${want}`;
}

export async function verifyGroup(client: FdfsClient, group: string, o: VerifyOptions): Promise<VerifyReport> {
  const members = await listingMembers(client, group);
  const timeouts = { connectTimeout: client.options.connectTimeout, networkTimeout: client.options.networkTimeout };
  const report: VerifyReport = { group, members: members.map(addressOf), checked: 0, differences: 0, repairs: [], unresolved: 0 };
  if (members.length < 2) {
    if (!o.json) o.out.write(`${group} has ${members.length} ACTIVE member: nothing to compare its files with\n`);
    return report;
  }
  const toRepair = new Map<string, string[]>();
  for await (const d of compareMembers(members, group, { minAge: o.minAge, timeouts, expectedSize, onChecked: () => report.checked++ })) {
    report.differences++;
    if (!o.json) o.out.write(`${describe(group, d)}\n`);
    for (const m of d.needs) toRepair.set(m, [...(toRepair.get(m) ?? []), d.name]);
    // A size the members disagree on without a size in the name (appender files): nothing to repair from.
    if (!d.needs.length || !o.repair) report.unresolved++;
  }
  if (o.repair) {
    for (const [member, names] of toRepair) {
      for (const r of await repairOn(member, group, names, { ...timeouts, networkTimeout: Math.max(timeouts.networkTimeout ?? 30, 300) })) {
        report.repairs.push({ member, ...r });
        if (r.outcome === 'unavailable') report.unresolved++;
        if (!o.json) o.out.write(`${r.outcome.padEnd(11)} ${group}/${r.name} on ${member}\n`);
      }
    }
  }
  const summary = `checked ${report.checked} files on ${members.length} members of ${group}: ${report.differences} difference(s)`
    + (o.repair ? `, ${report.repairs.filter((r) => r.outcome === 'repaired').length} repaired, ${report.unresolved} left` : '');
  if (!o.json) o.out.write(`${summary}\n`);
  return report;
}
