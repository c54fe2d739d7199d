// Continuous anti-entropy (anti_entropy_interval): members compare directory digests and fetch what one of them
// lost behind its back — a copy removed, a copy truncated — without a restart, a read, a scrub or `fdfs verify`;
// a file deleted through fdfs stays deleted. Real tracker + two storages (4×4 directories, a 1 s round).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { splitFileId } from '../../src/protocol/file-id.js';
import { startTwoMemberGroup, stopAll, waitFor, type StorageHandle, type TwoMemberGroup } from '../helpers/cluster.js';
import { fileInfoAt } from '../helpers/storage-direct.js';

let g: TwoMemberGroup;
const onDisk = (s: StorageHandle, id: string) => path.join(s.dir, 'data', splitFileId(id).logical.slice(4));
const integrity = async (s: StorageHandle, event: string): Promise<number> => {
  const text = await (await fetch(`http://${s.host}:8888/metrics`)).text();
  return Number(new RegExp(`fdfs_storage_integrity_total\\{[^}]*event="${event}"[^}]*\\} (\\d+)`).exec(text)?.[1] ?? -1);
};

beforeAll(async () => {
  g = await startTwoMemberGroup({
    storageConf: { anti_entropy_interval: 1, subdir_count_per_path: 4, scrub_interval: 0, 'http.server_port': 8888 },
  });
});

afterAll(async () => {
  g?.client.close();
  await stopAll([g?.s1, g?.s2, g?.tracker]);
});

async function replicated(content: Buffer): Promise<string> {
  const id = await g.client.upload(content, { ext: 'bin' });
  for (const s of [g.s1, g.s2]) await waitFor(`replica on ${s.address}`, () => fileInfoAt(s.address, id));
  return id;
}

describe('anti-entropy', () => {
  it('brings back a copy removed and a copy truncated behind a member\'s back, with nobody reading them', async () => {
    const removed = randomBytes(5000);
    const cut = randomBytes(1024 * 1024 + 3);
    const removedId = await replicated(removed);
    const cutId = await replicated(cut);
    const fetchedBefore = await integrity(g.s1, 'anti_entropy_fetched') + await integrity(g.s2, 'anti_entropy_fetched');
    rmSync(onDisk(g.s1, removedId));
    truncateSync(onDisk(g.s2, cutId), 1000);
    const t0 = Date.now();
    await waitFor('both copies back', async () =>
      existsSync(onDisk(g.s1, removedId)) && readFileSync(onDisk(g.s1, removedId)).equals(removed)
      && readFileSync(onDisk(g.s2, cutId)).equals(cut), 15_000, 100);
    if (process.env.FDFS_TIMINGS) console.log(`anti-entropy time to repair: ${Date.now() - t0} ms`);
    const fetchedAfter = await integrity(g.s1, 'anti_entropy_fetched') + await integrity(g.s2, 'anti_entropy_fetched');
    expect(fetchedAfter - fetchedBefore).toBe(2);
    expect(await integrity(g.s1, 'anti_entropy_rounds')).toBeGreaterThan(0);
    expect(await integrity(g.s1, 'anti_entropy_leaves_differing')).toBeGreaterThan(0);
  });

  it('does not bring back a file deleted through fdfs', async () => {
    const id = await replicated(randomBytes(3000));
    // Old enough to be compared (the 1 s round's minimum age), then deleted through one member.
    await new Promise((r) => setTimeout(r, 1100));
    await g.client.delete(id);
    const rounds = [await integrity(g.s1, 'anti_entropy_rounds'), await integrity(g.s2, 'anti_entropy_rounds')];
    // Two full rounds of both members after the delete: the first may have begun before it.
    await waitFor('two more rounds', async () => (await integrity(g.s1, 'anti_entropy_rounds')) >= rounds[0]! + 2
      && (await integrity(g.s2, 'anti_entropy_rounds')) >= rounds[1]! + 2, 15_000, 200);
    expect(existsSync(onDisk(g.s1, id))).toBe(false);
    expect(existsSync(onDisk(g.s2, id))).toBe(false);
  });
});
