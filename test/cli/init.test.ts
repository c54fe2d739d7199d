// `fdfs init` without prompts: where the files go (--out, in any spelling, beats the answers file's `out`,
// which is relative to that file) and how it refuses. The wizard and a cluster from the files: test/integration/init.test.ts.
import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/proc.js';
import { tempDir } from '../helpers/cluster.js';
import { expectPlainFailure } from '../helpers/cli-expect.js';

const work = tempDir('fdfs-init-cli-');
const cluster = ['--tracker', '10.0.0.1:22122', '--storage', 'group1=10.0.0.11:23000'];
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('fdfs init', () => {
  it('--yes writes one folder per host and says what to do next', async () => {
    const out = path.join(work, 'flags');
    const r = await runCli(['init', '--yes', '--out', out, ...cluster]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Wrote \\d+ files to ${out.replace(/[.]/g, '\\.')}: 10\\.0\\.0\\.1/ 10\\.0\\.0\\.11/\\nNext: `));
    expect(existsSync(path.join(out, '10.0.0.1', 'tracker.conf'))).toBe(true);
  });

  it('the answers file\'s `out` is relative to the file; --out (or -oDIR, --out=DIR) wins over it', async () => {
    const answers = path.join(work, 'a.json');
    writeFileSync(answers, JSON.stringify({ trackers: ['10.0.0.1:22122'], groups: { group1: ['10.0.0.11:23000'] }, out: 'from-file' }));
    expect((await runCli(['init', '--answers', answers], { cwd: '/' })).code).toBe(0);
    expect(existsSync(path.join(work, 'from-file', '10.0.0.11'))).toBe(true);
    for (const [i, flag] of [['1', ['--out', path.join(work, 'o1')]], ['2', [`-o${path.join(work, 'o2')}`]], ['3', [`--out=${path.join(work, 'o3')}`]]] as const) {
      const r = await runCli(['init', '--answers', answers, ...flag]);
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(path.join(work, `o${i}`, '10.0.0.11'))).toBe(true);
    }
  });

  it('refuses in one line, exit 2: no terminal for the wizard, a bad or unusable address, a non-empty folder without --force', async () => {
    expectPlainFailure(await runCli(['init', '--out', path.join(work, 'x')]), 2, /^fdfs init: no terminal to ask questions on: pass --yes/);
    expectPlainFailure(await runCli(['init', '--yes', '--tracker', '10.0.0.999', '--storage', 'g=10.0.0.5']), 2,
      /^fdfs init: bad address "10\.0\.0\.999"/);
    // Well-formed but no host's address: 0.0.0.0/8, multicast, broadcast.
    expectPlainFailure(await runCli(['init', '--yes', '--tracker', '0.0.0.12', '--storage', 'g=10.0.0.5']), 2,
      /^fdfs init: bad address "0\.0\.0\.12": 0\.0\.0\.12 is in 0\.0\.0\.0\/8 \("this network", not a host\); give the address the other hosts reach this server at$/);
    expectPlainFailure(await runCli(['init', '--yes', '--tracker', '10.0.0.1', '--storage', 'g=224.1.2.3']), 2, /^fdfs init: bad address "224\.1\.2\.3": .*multicast/);
    expectPlainFailure(await runCli(['init', '--yes', '--out', path.join(work, 'flags'), ...cluster]), 2,
      /^fdfs init: .*flags is not empty \(.*\): choose another --out, or add --force to overwrite$/);
  });
});
