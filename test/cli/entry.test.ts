// bin/run.js runs the one-file bundle (dist/fdfs.cjs) that `npm run build` writes last, and the compiled tree with
// FDFS_BUNDLE=0 (or when the bundle is older than the tree): both give the same answers. Which one ran is told by a
// preloaded probe that lists, at exit, whether the bundle was loaded.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/proc.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fdfs-entry-'));
const probe = path.join(dir, 'probe.cjs');
writeFileSync(probe, `process.on('exit', () => require('node:fs').writeFileSync(process.env.ENTRY_OUT,
  Object.keys(require.cache).some((f) => f.endsWith('fdfs.cjs')) ? 'bundle' : 'tree'));\n`);

async function run(args: string[], bundle: '0' | undefined): Promise<{ code: number; stdout: string; entry: string }> {
  const out = path.join(dir, `entry-${Math.random().toString(36).slice(2)}`);
  const r = await runCli(args, { env: { NODE_OPTIONS: `--require ${probe}`, ENTRY_OUT: out, FDFS_BUNDLE: bundle } });
  return { code: r.code, stdout: r.stdout, entry: readFileSync(out, 'utf8') };
}

describe.skipIf(!!process.env.FDFS_BIN)('the entry: bundle or compiled tree', () => {
  it('runs the bundle after a build, the tree with FDFS_BUNDLE=0; both answer alike', async () => {
    const id = 'group1/M00/00/00/wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg';
    for (const args of [['--version'], ['info', id, '--offline', '--json']]) {
      const bundled = await run(args, undefined);
      const tree = await run(args, '0');
      expect(bundled.entry).toBe('bundle');
      expect(tree.entry).toBe('tree');
      expect(bundled.code).toBe(0);
      expect(tree.code).toBe(0);
      expect(bundled.stdout).toBe(tree.stdout);
    }
  });
});
