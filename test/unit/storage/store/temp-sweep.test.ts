// The sweep of temp files left by an earlier run: only `.<12 chars>.tmp` in data/HH/HH, only older than the
// cut-off, never published files or anything outside the HH/HH directories.
import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempFileName } from '../../../../src/storage/store/file-writer.js';
import { sweepStaleTemps } from '../../../../src/storage/store/temp-sweep.js';
import { tempDir } from '../../../helpers/cluster.js';

const root = tempDir('fdfs-sweep-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

function put(rel: string, content = 'x'): string {
  const p = path.join(root, 'data', rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, content);
  return p;
}

describe('sweepStaleTemps', () => {
  it('removes stale temp files in HH/HH only, and nothing newer than the cut-off', async () => {
    const orphan = put(`00/01/${tempFileName()}`, 'half an upload');
    const orphan2 = put(`FF/FF/${tempFileName()}`);
    const published = put('00/01/wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg');
    const meta = put('00/01/wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg-m');
    const otherTmp = put('00/01/.not-ours.tmp');
    const outside = put(`sync/${tempFileName()}`);
    const badDir = put(`zz/00/${tempFileName()}`);
    const none = await sweepStaleTemps([path.join(root, 'data')], { before: Date.now() - 60_000, pauseMs: 0 });
    expect(none.removed).toBe(0);
    expect(existsSync(orphan)).toBe(true);
    const r = await sweepStaleTemps([path.join(root, 'data')], { before: Date.now() + 1000, pauseMs: 0 });
    expect(r).toMatchObject({ removed: 2, bytes: 'half an upload'.length + 1 });
    expect(r.dirs).toBe(2);
    for (const p of [orphan, orphan2]) expect(existsSync(p)).toBe(false);
    for (const p of [published, meta, otherTmp, outside, badDir]) expect(existsSync(p)).toBe(true);
  });

  it('stops when aborted and copes with a missing data directory', async () => {
    const ac = new AbortController();
    ac.abort();
    const kept = put(`00/02/${tempFileName()}`);
    expect((await sweepStaleTemps([path.join(root, 'data')], { before: Date.now() + 1000, signal: ac.signal })).removed).toBe(0);
    expect(existsSync(kept)).toBe(true);
    expect(await sweepStaleTemps([path.join(root, 'nope')], { before: Date.now() })).toEqual({ dirs: 0, removed: 0, bytes: 0 });
  });
});
