// The appender/slave/admin commands without a server: usage errors exit 2 with one line, help lists them.
import { describe, it, expect } from 'vitest';
import { runCli } from '../helpers/proc.js';

const ID = 'group1/M00/00/00/wKgFSGE0xmuEOhDaAAAAAKfH9Eo215.log';
// Nothing listens on port 1: a command that got past its argument checks fails with exit 4.
const nowhere = ['--tracker', '127.0.0.1:1'];

describe('fdfs file and admin commands', () => {
  it('help lists the commands', async () => {
    const help = await runCli(['--help']);
    for (const c of ['append', 'modify', 'truncate', 'regenerate', 'exists', 'groups', 'storages', 'leader']) {
      expect(help.stdout).toMatch(new RegExp(`^\\s+${c}\\s`, 'm'));
    }
    expect(help.stdout).toMatch(/^\s+storage\s/m);
    const topic = await runCli(['storage', '--help']);
    expect(topic.stdout).toContain('storage delete');
  });

  it('rejects bad offsets and sizes before contacting anything (exit 2)', async () => {
    for (const args of [['modify', ID, 'abc', '-'], ['modify', ID, '-1', '-'], ['truncate', ID, '1.5'], ['truncate', ID, 'x']]) {
      const r = await runCli([...args, ...nowhere], { input: 'x' });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const missing = await runCli(['append', ID, '/nonexistent/file', ...nowhere]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
  });

  it('--prefix needs --slave-of and --slave-of excludes --appender', async () => {
    expect((await runCli(['upload', '-', '--prefix', '_s', ...nowhere], { input: 'x' })).code).toBe(2);
    expect((await runCli(['upload', '-', '--slave-of', ID, '--prefix', '_s', '--appender', ...nowhere], { input: 'x' })).code).toBe(2);
    expect((await runCli(['storage', 'delete', 'group1', ...nowhere])).code).toBe(2);
  });

  it('reaches for the tracker once the arguments are fine (exit 4 when nothing answers)', async () => {
    const r = await runCli(['truncate', ID, ...nowhere]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^fdfs: cannot reach tracker 127\.0\.0\.1:1/);
  });
});
