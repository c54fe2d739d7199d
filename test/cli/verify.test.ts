// `fdfs verify GROUP [--repair]` against a real tracker and a two-member group whose copies were changed
// behind the storages' backs: a file (and its metadata) removed from one member, a file truncated on the
// other. verify reports both and exits 6; --repair has each member fetch what it lacks (metadata too) and the
// next verify finds nothing; a file a member deleted itself is never brought back.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { splitFileId } from '../../src/protocol/file-id.js';
import { startStorage, startTwoMemberGroup, stopAll, waitFor, type StorageHandle, type TwoMemberGroup } from '../helpers/cluster.js';
import { fileInfoAt, metadataAt } from '../helpers/storage-direct.js';
import { runCli } from '../helpers/proc.js';

let g: TwoMemberGroup;
const onDisk = (s: StorageHandle, id: string) => path.join(s.dir, 'data', splitFileId(id).logical.slice(4));
const t = () => ['--tracker', g.tracker.address];

beforeAll(async () => {
  g = await startTwoMemberGroup();
});

afterAll(async () => {
  g?.client.close();
  await stopAll([g?.s1, g?.s2, g?.tracker]);
});

async function replicated(content: Buffer, metadata?: Record<string, string>): Promise<string> {
  const id = await g.client.upload(content, { ext: 'bin', metadata });
  for (const s of [g.s1, g.s2]) await waitFor(`replica on ${s.address}`, () => fileInfoAt(s.address, id));
  if (metadata) for (const s of [g.s1, g.s2]) await waitFor(`metadata on ${s.address}`, () => metadataAt(s.address, id));
  return id;
}

describe('fdfs verify', () => {
  it('reports a missing and a truncated copy (exit 6), --repair fetches them, then the members agree', async () => {
    const good = await replicated(randomBytes(500));
    const goneContent = randomBytes(7000);
    const gone = await replicated(goneContent, { owner: 'li' });
    const cutContent = randomBytes(300_000);
    const cut = await replicated(cutContent);
    rmSync(onDisk(g.s2, gone));
    rmSync(`${onDisk(g.s2, gone)}-m`);
    truncateSync(onDisk(g.s1, cut), 1000);

    const check = await runCli(['verify', 'group1', '--min-age', '0', ...t()]);
    expect(check.code, check.stderr).toBe(6);
    expect(check.stdout).toContain(`${gone}  `);
    expect(check.stdout).toMatch(new RegExp(`${gone.replace(/[./]/g, '\\$&')}.*${g.s2.address}: missing`));
    expect(check.stdout).toMatch(new RegExp(`${cut.replace(/[./]/g, '\\$&')}.*${g.s1.address}: 1000 bytes.*its ID says 300000 bytes`));
    expect(check.stdout).not.toContain(good);
    expect(check.stdout).toMatch(/checked \d+ files on 2 members of group1: 2 difference\(s\)/);

    const fix = await runCli(['verify', 'group1', '--min-age', '0', '--repair', ...t()]);
    expect(fix.code, fix.stderr + fix.stdout).toBe(0);
    expect(fix.stdout).toMatch(new RegExp(`repaired\\s+${gone.replace(/[./]/g, '\\$&')} on ${g.s2.address}`));
    expect(fix.stdout).toMatch(new RegExp(`repaired\\s+${cut.replace(/[./]/g, '\\$&')} on ${g.s1.address}`));
    expect(readFileSync(onDisk(g.s2, gone)).equals(goneContent)).toBe(true);
    expect(await metadataAt(g.s2.address, gone)).toEqual({ owner: 'li' });
    expect(readFileSync(onDisk(g.s1, cut)).equals(cutContent)).toBe(true);

    const again = await runCli(['verify', 'group1', '--min-age', '0', '--json', ...t()]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ group: 'group1', differences: 0, unresolved: 0 });
  });

  it('never brings back a file a member deleted itself, even when a peer still holds a copy', async () => {
    const content = randomBytes(2000);
    const id = await replicated(content);
    const keep = path.join(g.s1.dir, 'kept-copy');
    copyFileSync(onDisk(g.s1, id), keep);
    await g.client.delete(id);
    for (const s of [g.s1, g.s2]) await waitFor(`delete on ${s.address}`, async () => (await fileInfoAt(s.address, id)) === null);
    // One member holds it again (as if that member had missed the delete); the other deleted it itself.
    mkdirSync(path.dirname(onDisk(g.s1, id)), { recursive: true });
    copyFileSync(keep, onDisk(g.s1, id));
    const fix = await runCli(['verify', 'group1', '--min-age', '0', '--repair', ...t()]);
    expect(fix.stdout).toMatch(new RegExp(`deleted\\s+${id.replace(/[./]/g, '\\$&')} on ${g.s2.address}`));
    expect(existsSync(onDisk(g.s2, id))).toBe(false);
  });

  it('says there is nothing to compare in a group of one', async () => {
    const lone = await startStorage({ trackers: [g.tracker.address], group: 'group2' });
    try {
      await waitFor('group2 ACTIVE', async () => (await g.client.listStorages('group2').catch(() => []))[0]?.status === 7);
      const r = await runCli(['verify', 'group2', ...t()]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('group2 has 1 ACTIVE member: nothing to compare its files with');
    } finally {
      await stopAll([lone]);
    }
  });

  it('says what is wrong with an unknown group, in one line', async () => {
    const r = await runCli(['verify', 'nosuch', ...t()]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/nosuch/);
  });
});
