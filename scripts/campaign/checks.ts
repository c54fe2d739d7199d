// Checks against each member directly (bypassing the tracker's routing): is every acknowledged file there, and
// does it download with the bytes that were acknowledged.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { splitFileId } from '../../src/protocol/file-id.js';
import type { StorageHandle } from '../../test/helpers/cluster.js';
import { downloadAt, missingAt } from '../../test/helpers/storage-direct.js';
import { sha256, type Ledger } from './ledger.js';

/** Downloads in flight at once during a check. */
const CHECKERS = 4;

export interface Damage { lost: number; corrupt: number; detail: string[] }

/** Wait (bounded) until every member holds every id; the ms it took, or null if it did not happen in time. */
export async function waitReplicated(members: StorageHandle[], ids: string[], timeoutMs: number): Promise<number | null> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    let missing = 0;
    for (const s of members) missing += (await missingAt(s.address, ids).catch(() => ids)).length;
    if (missing === 0) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 250));
  }
  return null;
}

/** Download every id from every member: lost = missing or unreadable on some member, corrupt = wrong bytes served. */
export async function checkAll(members: StorageHandle[], ledger: Ledger, ids: string[]): Promise<Damage> {
  const lost = new Set<string>();
  const corrupt = new Set<string>();
  const detail: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: CHECKERS }, async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      await checkOne(id);
    }
  }));
  return { lost: lost.size, corrupt: corrupt.size, detail };

  async function checkOne(id: string): Promise<void> {
    const want = ledger.files.get(id)!.sha;
    for (const s of members) {
      try {
        if (sha256(await downloadAt(s.address, id)) !== want) {
          corrupt.add(id);
          detail.push(`${id} on ${s.address}: wrong bytes served`);
        }
      } catch (err) {
        lost.add(id);
        detail.push(`${id} on ${s.address}: ${(err as Error).message}`);
      }
    }
  }
}

/** Where a member keeps its copy of `id` (store_path0 = the storage's directory). */
export function onDisk(s: StorageHandle, id: string): string {
  return path.join(s.dir, 'data', splitFileId(id).logical.slice(4));
}

/** Does the copy on disk hold the acknowledged bytes? */
export function goodOnDisk(s: StorageHandle, id: string, ledger: Ledger): boolean {
  try {
    return sha256(readFileSync(onDisk(s, id))) === ledger.files.get(id)!.sha;
  } catch {
    return false;
  }
}
