// fdfs init for real: the wizard driven in a tmux terminal writes exactly what the --yes flags write,
// and those files, untouched, run as a cluster (one tracker, two groups) that takes uploads.
import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { loadClientConfig } from '../../src/config/index.js';
import { allocHost, tempDir, waitFor } from '../helpers/cluster.js';
import { fdfsCommand, runCli, ServerProcess } from '../helpers/proc.js';
import { TmuxPane, tmuxAvailable } from '../helpers/tmux.js';

const work = tempDir('fdfs-init-');
const base = path.join(work, 'data');
const tracker = `${allocHost()}:22122`;
const s1 = `${allocHost()}:23000`;
const s2 = `${allocHost()}:23000`;
const host = (a: string) => a.split(':')[0]!;
const procs: ServerProcess[] = [];
const tmux = tmuxAvailable();

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  TmuxPane.killServer();
});

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

const flagsOut = path.join(work, 'flags');
const yesArgs = (out = flagsOut) => ['init', '--yes', '--out', out, '--base-dir', base, '--tracker', tracker,
  '--storage', `group1=${s1}`, '--storage', `group2=${s2}`, '--http-port', '18888', '--reserved', '1%'];

describe('fdfs init --yes', () => {
  it('writes one folder per host with confs, units and READMEs, and refuses to overwrite without --force', async () => {
    const r = await runCli(yesArgs());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Wrote 14 files/);
    expect(Object.keys(tree(flagsOut)).sort()).toEqual([
      `${host(s1)}/README.md`, `${host(s1)}/client.conf`, `${host(s1)}/fdfs-storage.service`, `${host(s1)}/storage.conf`,
      `${host(s2)}/README.md`, `${host(s2)}/client.conf`, `${host(s2)}/fdfs-storage.service`, `${host(s2)}/storage.conf`,
      `${host(tracker)}/README.md`, `${host(tracker)}/client.conf`, `${host(tracker)}/fdfs-tracker.service`, `${host(tracker)}/tracker.conf`,
      'README.md', 'client.conf',
    ].sort());
    const again = await runCli(yesArgs());
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/is not empty .*add --force to overwrite/);
    const forced = await runCli([...yesArgs(), '--force']);
    expect(forced.code).toBe(0);
  });

  it('checks the answers and says what is wrong', async () => {
    const r = await runCli(['init', '--yes', '--out', path.join(work, 'bad'), '--tracker', tracker, '--storage', `group1=${tracker}`]);
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 2, stderr: expect.stringMatching(/is used twice \(a tracker and storage of group1\)/) });
    const noTty = await runCli(['init', '--out', path.join(work, 'bad')]);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toMatch(/no terminal to ask questions on: pass --yes/);
  });

  it('an answers file gives the same files as the flags', async () => {
    const answers = path.join(work, 'cluster.yaml');
    writeFileSync(answers, [
      `baseDir: ${base}`, `trackers: [${tracker}]`, 'groups:', `  group1: [${s1}]`, `  group2: [${s2}]`,
      'httpPort: 18888', 'reservedStorageSpace: 1%', '',
    ].join('\n'));
    const out = path.join(work, 'answers');
    const r = await runCli(['init', '--answers', answers, '--out', out]);
    expect(r.code).toBe(0);
    expect(tree(out)).toEqual(tree(flagsOut));
  });

  it('the written configs run as a real cluster: a tracker and two groups that take uploads', async () => {
    const conf = (h: string, f: string) => path.join(flagsOut, host(h), f);
    // What the units' ExecStartPre lines do on a host.
    for (const [h, unit] of [[tracker, 'fdfs-tracker.service'], [s1, 'fdfs-storage.service'], [s2, 'fdfs-storage.service']] as const) {
      const pre = /ExecStartPre=\+\/bin\/mkdir -p (.+)/.exec(readFileSync(conf(h, unit), 'utf8'))![1]!;
      for (const d of pre.split(' ')) mkdirSync(d, { recursive: true });
    }
    const t = new ServerProcess('init tracker', ['serve', '--role', 'tracker', '--config', conf(tracker, 'tracker.conf')]);
    procs.push(t);
    await t.start();
    // The two storage "hosts" share this machine's disk: the second gets its own data folder, as on a real host.
    const secondConf = path.join(work, 'storage-2.conf');
    writeFileSync(secondConf, readFileSync(conf(s2, 'storage.conf'), 'utf8').replaceAll(base, `${base}-2`));
    mkdirSync(path.join(`${base}-2`, 'storage'), { recursive: true });
    const a = new ServerProcess('init storage 1', ['serve', '--role', 'storage', '--config', conf(s1, 'storage.conf')]);
    const b = new ServerProcess('init storage 2', ['serve', '--role', 'storage', '--config', secondConf]);
    procs.push(a, b);
    await Promise.all([a.start(), b.start()]);
    const client = new FdfsClient({ trackers: [tracker] });
    try {
      await waitFor('both storages ACTIVE', async () => {
        const groups = await client.listGroups();
        if (groups.length !== 2) return false;
        const all = (await Promise.all(groups.map((g) => client.listStorages(g.groupName)))).flat();
        return all.length === 2 && all.every((s) => s.status === StorageStatus.Active);
      });
      // The README's check step with a host's client.conf: readable by anyone (644, no secret in it), exit 0.
      const hostClient = conf(s1, 'client.conf');
      expect(statSync(hostClient).mode & 0o777).toBe(0o644);
      const check = await runCli(['monitor', '--config', hostClient]);
      expect(check.code, check.stdout + check.stderr).toBe(0);
      // Its tracker HTTP port is the one the plan gave the trackers, and really serves.
      const entryPort = loadClientConfig(hostClient).httpTrackerServerPort;
      expect(entryPort).toBe(8080);
      // Through the CLI with the generated client.conf, into each group.
      const file = path.join(work, 'hello.txt');
      writeFileSync(file, 'hello from fdfs init\n');
      for (const g of ['group1', 'group2']) {
        const up = await runCli(['upload', file, '--config', path.join(flagsOut, 'client.conf'), '--group', g]);
        expect(up.stderr).toBe('');
        expect(up.stdout.trim()).toMatch(new RegExp(`^${g}/M00/`));
        expect((await client.downloadToBuffer(up.stdout.trim())).toString()).toBe('hello from fdfs init\n');
        // Over HTTP too: the tracker's entry (client.conf's http.tracker_server_port) redirects to the storage's gateway (18888).
        const res = await fetch(`http://${host(tracker)}:${entryPort}/${up.stdout.trim()}`);
        expect(res.status).toBe(200);
        expect(await res.text()).toBe('hello from fdfs init\n');
      }
      const metrics = await (await fetch(`http://${host(tracker)}:8080/metrics`)).text();
      expect(metrics).toMatch(/^fdfs_tracker_storages\{group="group2",state="ACTIVE"\} 1$/m);
    } finally {
      client.close();
    }
  });
});

describe.skipIf(tmux !== true)(`fdfs init in a terminal${tmux === true ? '' : ` (skipped: ${tmux})`}`, () => {
  it('asks, rejects bad answers as they are typed, and writes the same files as --yes', async () => {
    const { cmd, args } = fdfsCommand();
    const out = path.join(work, 'wizard');
    const pane = new TmuxPane([cmd, ...args, 'init'], { cwd: work, env: { FDFS_TRACKER: undefined } });
    const answer = async (prompt: RegExp, text: string) => {
      await pane.waitFor(prompt);
      pane.type(text);
    };
    try {
      await answer(/\? Output folder/, out);
      await answer(/\? Data folder on the hosts/, base);
      await answer(/\? Trackers/, '10.0.0.300');
      await pane.waitFor(/"10\.0\.0\.300" is not an IP address or hostname/);
      pane.keys('C-u');
      pane.type(tracker);
      await answer(/\? HTTP port of the trackers/, '');
      await answer(/\? How many groups\?/, '2');
      await answer(/\? Name of group 1/, '');
      await answer(/\? Storages of group1/, tracker);
      await pane.waitFor(/is already a tracker/);
      pane.keys('C-u');
      pane.type(s1);
      await answer(new RegExp(`\\? Store paths of ${s1}`), '');
      await answer(new RegExp(`\\? HTTP download port of ${s1} \\(8888\\)`), '18888');
      await answer(/\? Name of group 2/, 'group1');
      await pane.waitFor(/group1 is already a group/);
      pane.keys('C-u');
      pane.type('group2');
      await answer(/\? Storages of group2/, '');
      await pane.waitFor(/give at least one address/);
      pane.type(s2);
      await answer(new RegExp(`\\? Store paths of ${s2}`), '');
      // The previous storage's answer is the default.
      await answer(new RegExp(`\\? HTTP download port of ${s2} \\(18888\\)`), '');
      await answer(/\? Space to keep free/, '1%');
      await answer(/\? Where should uploads go\?/, '');
      await answer(/\? Require anti-steal tokens/, '');
      await answer(/\? Turn on authentication/, '');
      await answer(/\? Log level/, '');
      await answer(/\? Path of the fdfs executable/, '');
      await answer(/\? Unix user/, '');
      await answer(/\? Folder of the conf files/, '');
      await answer(/\? What now\?[\s\S]*Write the files to/, '');
      expect(await pane.waitExit()).toBe(0);
      expect(pane.screen()).toMatch(/Wrote 14 files/);
    } finally {
      pane.close();
    }
    const ref = path.join(work, 'wizard-ref');
    expect((await runCli(yesArgs(ref))).code).toBe(0);
    expect(tree(out)).toEqual(tree(ref));
  });

  it('refuses 0.0.0.12; at the end goes back with every answer as the default, then saves them as YAML that --answers writes', async () => {
    const { cmd, args } = fdfsCommand();
    const out = path.join(work, 'wizard-saved');
    const yaml = path.join(work, 'saved.yaml');
    const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pane = new TmuxPane([cmd, ...args, 'init'], { cwd: work, cols: 400, env: { FDFS_TRACKER: undefined } });
    const answer = async (prompt: RegExp, text: string) => {
      await pane.waitFor(prompt);
      pane.type(text);
    };
    const pick = async (downs: number) => {
      await pane.waitFor(/\? What now\?[\s\S]*Save these answers/);
      for (let i = 0; i < downs; i++) pane.keys('Down');
      pane.keys('Enter');
    };
    try {
      await answer(/\? Output folder/, out);
      await answer(/\? Data folder on the hosts/, base);
      await answer(/\? Trackers/, '0.0.0.12');
      await pane.waitFor(/0\.0\.0\.12 is in 0\.0\.0\.0\/8/);
      pane.keys('C-u');
      pane.type(tracker);
      await answer(/\? HTTP port of the trackers/, '');
      await answer(/\? How many groups\?/, '2');
      await answer(/\? Name of group 1/, '');
      await answer(/\? Storages of group1/, s1);
      await answer(new RegExp(`\\? Store paths of ${esc(s1)}`), '');
      await answer(new RegExp(`\\? HTTP download port of ${esc(s1)} \\(8888\\)`), '18888');
      await answer(/\? Name of group 2/, '');
      await answer(/\? Storages of group2/, s2);
      await answer(new RegExp(`\\? Store paths of ${esc(s2)}`), '');
      await answer(new RegExp(`\\? HTTP download port of ${esc(s2)} \\(18888\\)`), '');
      await answer(/\? Space to keep free/, '1%');
      await answer(/\? Where should uploads go\?/, '');
      await answer(/\? Require anti-steal tokens/, '');
      await answer(/\? Turn on authentication/, '');
      await answer(/\? Log level/, '');
      await answer(/\? Path of the fdfs executable/, '');
      await answer(/\? Unix user/, '');
      await answer(/\? Folder of the conf files/, '');
      await pick(1);
      // Second round: every default is the answer given before; Enter keeps it.
      await answer(new RegExp(`\\? Output folder \\(${esc(out)}\\)`), '');
      await answer(new RegExp(`\\? Data folder on the hosts.*\\(${esc(base)}\\)`), '');
      await answer(new RegExp(`\\? Trackers.*\\(${esc(tracker)}\\)`), '');
      await answer(/\? HTTP port of the trackers.*\(8080\)/, '');
      await answer(/\? How many groups\?.*\(2\)/, '');
      await answer(/\? Name of group 1 \(group1\)/, '');
      await answer(new RegExp(`\\? Storages of group1.*\\(${esc(s1)}\\)`), '');
      await answer(new RegExp(`\\? Store paths of ${esc(s1)}`), '');
      await answer(new RegExp(`\\? HTTP download port of ${esc(s1)} \\(18888\\)`), '');
      await answer(/\? Name of group 2 \(group2\)/, '');
      await answer(new RegExp(`\\? Storages of group2.*\\(${esc(s2)}\\)`), '');
      await answer(new RegExp(`\\? Store paths of ${esc(s2)}`), '');
      await answer(new RegExp(`\\? HTTP download port of ${esc(s2)} \\(18888\\)`), '');
      await answer(/\? Space to keep free.*\(1%\)/, '');
      await answer(/\? Where should uploads go\?/, '');
      await answer(/\? Require anti-steal tokens/, '');
      await answer(/\? Turn on authentication/, '');
      await answer(/\? Log level/, '');
      await answer(/\? Path of the fdfs executable/, '');
      await answer(/\? Unix user/, '');
      await answer(/\? Folder of the conf files/, '');
      await pick(2);
      await answer(/\? Answers file/, yaml);
      expect(await pane.waitExit()).toBe(0);
      const screen = pane.screen();
      expect(screen).toContain(`Nothing written yet. Your answers are in ${yaml}`);
      expect(screen).toContain(`  fdfs init --answers ${yaml}`);
      expect(screen).toContain(`  fdfs init --yes --out ${out} --tracker ${tracker} --storage group1=${s1} --storage group2=${s2} --base-dir ${base} --http-port 18888 --reserved 1%`);
    } finally {
      pane.close();
    }
    expect(existsSync(out)).toBe(false);
    const r = await runCli(['init', '--answers', yaml]);
    expect(r.code, r.stderr).toBe(0);
    const ref = path.join(work, 'saved-ref');
    expect((await runCli(yesArgs(ref))).code).toBe(0);
    expect(tree(out)).toEqual(tree(ref));
  });
});
