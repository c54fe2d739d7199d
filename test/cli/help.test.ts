// Help that teaches: every command has a summary and examples, and `fdfs --help` reads as a map of the
// product (how to try it, how to run a cluster, which commands do what).
import { describe, it, expect } from 'vitest';
import { COMMANDS } from '../../commands/index.js';
import { runCli } from '../helpers/proc.js';
import { allocHost } from '../helpers/cluster.js';

describe('help', () => {
  it('every command has a summary and at least one example', () => {
    for (const [id, cmd] of Object.entries(COMMANDS)) {
      if (id === 'help') continue;
      expect(cmd.summary, `${id} summary`).toBeTruthy();
      expect((cmd.examples ?? []).length, `${id} examples`).toBeGreaterThan(0);
    }
  });

  it('fdfs --help is a map: trying it, running a cluster, the command families, then every command', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Try it on one machine: `fdfs serve`/);
    expect(r.stdout).toMatch(/Run a cluster: `fdfs init` plans it/);
    expect(r.stdout).toMatch(/TOPICS\n {2}group {4}Administer a whole group/);
    for (const id of Object.keys(COMMANDS).filter((c) => !c.includes(':'))) expect(r.stdout).toMatch(new RegExp(`^ {2}${id}\\s`, 'm'));
  });

  it('each topic lists its commands, and `fdfs help CMD` is `fdfs CMD --help`', async () => {
    for (const [topic, cmds] of [['storage', ['storage delete']], ['group', ['group delete']], ['meta', ['meta get', 'meta set']]] as const) {
      const r = await runCli([topic, '--help']);
      expect(r.code).toBe(0);
      for (const c of cmds) expect(r.stdout).toContain(c);
    }
    const viaHelp = await runCli(['help', 'exists']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe((await runCli(['exists', '--help'])).stdout);
  });

  it('init and monitor explain themselves with examples', async () => {
    const init = await runCli(['init', '--help']);
    expect(init.stdout).toMatch(/Without prompts: --yes with --tracker and --storage flags, or --answers FILE/);
    expect(init.stdout).toMatch(/\$ fdfs init --yes --out cluster --tracker 10\.0\.0\.1:22122/);
    const mon = await runCli(['monitor', '--help']);
    expect(mon.stdout).toMatch(/Exit code 0 only when every tracker answers and every storage is ACTIVE/);
    expect(mon.stdout).toMatch(/\$ fdfs monitor --watch 5/);
  });

  it('an unreachable tracker: monitor says what to check', async () => {
    const r = await runCli(['monitor', '-t', `${allocHost()}:22122`]);
    expect(r.code).toBe(4);
    // Word-wrapped to 80 columns: read it as one text.
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/Is a tracker running there\? Start one with `fdfs serve`, or name yours with --tracker HOST:PORT/);
  });
});
