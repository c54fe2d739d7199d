// fdfs monitor against real processes: a healthy cluster exits 0, a dead tracker or a stopped storage
// does not (and shows why), --json keeps its shape, --watch redraws (in place on a terminal).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { FdfsClient } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { allocHost, startStorage, startTracker, stopAll, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { fdfsCommand, runCli } from '../helpers/proc.js';
import { TmuxPane, tmuxAvailable } from '../helpers/tmux.js';

let tracker: TrackerHandle;
let s1: StorageHandle;
let s2: StorageHandle;
let client: FdfsClient;
const tmux = tmuxAvailable();
const ESC = '\x1b[';

beforeAll(async () => {
  tracker = await startTracker();
  [s1, s2] = await Promise.all([
    startStorage({ trackers: [tracker.address], group: 'group1' }),
    startStorage({ trackers: [tracker.address], group: 'group2' }),
  ]);
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitFor('both storages ACTIVE', async () => {
    const lists = await Promise.all(['group1', 'group2'].map((g) => client.listStorages(g)));
    return lists.every((l) => l.length === 1 && l[0]!.status === StorageStatus.Active);
  });
  await client.upload(Buffer.from('counted'), { ext: 'txt', group: 'group1' });
  // Counters reach the tracker with the storage's next heartbeat.
  await waitFor('the upload counted at the tracker', async () => (await client.listStorages('group1'))[0]?.stats.successUploadCount === 1);
});

afterAll(async () => {
  client?.close();
  TmuxPane.killServer();
  await stopAll([s1, s2, tracker]);
});

describe('fdfs monitor', () => {
  it('a healthy cluster: tables with every storage ACTIVE, a HEALTHY summary, exit 0, no colour when piped', async () => {
    const r = await runCli(['monitor', '-t', tracker.address]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(ESC);
    expect(r.stdout).toMatch(new RegExp(`${tracker.address.replace(/\./g, '\\.')}\\s*│ leader`));
    for (const s of [s1, s2]) expect(r.stdout).toMatch(new RegExp(`${s.group}\\s*│ ${s.address.replace(/\./g, '\\.')}\\s*│ ACTIVE`));
    expect(r.stdout).toMatch(/│ group\s+│ active │ read\/write │/);
    expect(r.stdout).toMatch(/\nHEALTHY {2}1\/1 trackers up, 2 group\(s\), 2\/2 storages ACTIVE/);
  });

  it('--json: the documented shape, with counters and sync lag per storage', async () => {
    const r = await runCli(['monitor', '-t', tracker.address, '--json']);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(Object.keys(v).sort()).toEqual(['groups', 'healthy', 'leader', 'problems', 'source', 'storages', 'summary', 'time', 'trackers']);
    expect(v).toMatchObject({ healthy: true, problems: [], source: tracker.address, leader: tracker.address });
    expect(v.trackers).toEqual([{ address: tracker.address, ok: true, leader: tracker.address, isLeader: true, error: null, groups: 2, storages: 2, notActive: 0 }]);
    expect(v.groups.map((g: { name: string }) => g.name)).toEqual(['group1', 'group2']);
    const g1 = v.storages.find((s: { group: string }) => s.group === 'group1');
    expect(g1).toMatchObject({ ip: s1.host, port: s1.port, status: 'ACTIVE', statusCode: 7, rwMode: 'rw', syncLagSeconds: 0 });
    expect(g1.uploads).toMatchObject({ total: 1, success: 1, bytes: 7 });
    expect(g1.lastHeartBeatTime).toBeGreaterThan(v.time - 60);
    expect(g1.totalMb).toBeGreaterThan(0);
    expect(v.summary).toMatchObject({ trackers: 1, trackersUp: 1, groups: 2, storages: 2, active: 2 });
  });

  it('a listed tracker that is down: shown DOWN, named in the summary, exit 6', async () => {
    const dead = `${allocHost()}:22122`;
    const r = await runCli(['monitor', '-t', tracker.address, '-t', dead]);
    expect(r.code).toBe(6);
    // The problem column wraps at 80 columns; the summary repeats the whole reason.
    expect(r.stdout).toMatch(new RegExp(`${dead.replace(/\./g, '\\.')}\\s*│ DOWN .*│ unreachable`));
    expect(r.stdout).toContain(`tracker ${dead} does not answer: unreachable (connection refused)`);
    expect(r.stdout).toMatch(/UNHEALTHY {2}1\/2 trackers up/);
    const j = JSON.parse((await runCli(['monitor', '-t', dead, '-t', tracker.address, '--json'])).stdout);
    expect(j.healthy).toBe(false);
    expect(j.source).toBe(tracker.address);
    expect(j.problems).toEqual([`tracker ${dead} does not answer: unreachable (connection refused)`]);
    // Nobody answering at all is "unreachable" (4), like every client command.
    expect((await runCli(['monitor', '-t', dead])).code).toBe(4);
  });

  it('--watch redraws a bounded number of times; --json --watch prints one JSON line per refresh', async () => {
    const r = await runCli(['monitor', '-t', tracker.address, '--watch', '0.2', '--count', '3']);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^fdfs monitor /gm)).toHaveLength(3);
    const j = await runCli(['monitor', '-t', tracker.address, '--json', '-w', '0.2', '-n', '2']);
    const lines = j.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(JSON.parse(l).healthy).toBe(true);
  });

  it.skipIf(tmux !== true)(`--watch in a terminal redraws in place, in colour${tmux === true ? '' : ` (skipped: ${tmux})`}`, async () => {
    const { cmd, args } = fdfsCommand();
    const pane = new TmuxPane([cmd, ...args, 'monitor', '-t', tracker.address, '--watch', '0.3', '--count', '100'], { cwd: process.cwd() });
    try {
      await pane.waitFor(/every 0\.3s — Ctrl-C to stop/);
      // Let it refresh a few more times, then look: still one frame, at the top.
      await new Promise((r) => setTimeout(r, 1200));
      const screen = pane.screen();
      expect(screen.match(/fdfs monitor /g), screen).toHaveLength(1);
      expect(screen.split('\n')[0]).toMatch(/^fdfs monitor /);
      expect(screen).toMatch(/HEALTHY/);
      pane.keys('C-c');
      expect(await pane.waitExit()).toBe(0);
    } finally {
      pane.close();
    }
    const coloured = await runCli(['monitor', '-t', tracker.address], { env: { FORCE_COLOR: '1' } });
    expect(coloured.stdout).toContain(`${ESC}32mACTIVE${ESC}39m`);
  });

  it('a stopped storage: OFFLINE in red, UNHEALTHY with the reason, exit 6', async () => {
    await s2.proc.stop();
    await waitFor('group2 storage OFFLINE', async () => (await client.listStorages('group2'))[0]!.status === StorageStatus.Offline);
    const r = await runCli(['monitor', '-t', tracker.address]);
    expect(r.code).toBe(6);
    expect(r.stdout).toMatch(new RegExp(`group2\\s*│ ${s2.address.replace(/\./g, '\\.')}\\s*│ OFFLINE`));
    expect(r.stdout).toMatch(new RegExp(`UNHEALTHY {2}1/1 trackers up, 2 group\\(s\\), 1/2 storages ACTIVE[^\\n]*\\n {2}storage ${s2.address.replace(/\./g, '\\.')} of group2 is OFFLINE`));
    const coloured = await runCli(['monitor', '-t', tracker.address], { env: { FORCE_COLOR: '1' } });
    expect(coloured.stdout).toContain(`${ESC}31mOFFLINE${ESC}39m`);
    const j = JSON.parse((await runCli(['monitor', '-t', tracker.address, '--json'])).stdout);
    expect(j.storages.find((s: { group: string }) => s.group === 'group2').status).toBe('OFFLINE');
    expect(j.healthy).toBe(false);
  });
});

describe('fdfs monitor fits 80 columns (issue 11 item 13)', () => {
  const borderLine = /^[┌├└│].*[┐┤┘│]$/;
  const tableLine = /^[┌├└│]/;
  const HEADERS = ['tracker', 'state', 'problem', 'group', 'active', 'read/write', 'available', 'storage', 'beat', 'sync lag', 'disk used', 'uploads', 'downloads'];
  let t: TrackerHandle;
  let a: StorageHandle;
  let b: StorageHandle;

  beforeAll(async () => {
    // Long group names (16 letters, the most FastDFS allows) and a counted upload on each storage.
    t = await startTracker();
    [a, b] = await Promise.all([
      startStorage({ trackers: [t.address], group: 'thumbnails2024ab', port: 23456 }),
      startStorage({ trackers: [t.address], group: 'originals2024abc', port: 23457 }),
    ]);
    const c = new FdfsClient({ trackers: [t.address] });
    try {
      await waitFor('both ACTIVE', async () => {
        const lists = await Promise.all(['thumbnails2024ab', 'originals2024abc'].map((g) => c.listStorages(g)));
        return lists.every((l) => l.length === 1 && l[0]!.status === StorageStatus.Active);
      });
      for (const g of ['thumbnails2024ab', 'originals2024abc']) await c.upload(Buffer.alloc(300_000, 1), { ext: 'jpg', group: g });
    } finally {
      c.close();
    }
  });

  afterAll(async () => {
    await stopAll([a, b, t]);
  });

  it('piped: no line over 80 columns, every header and storage shown', async () => {
    const r = await runCli(['monitor', '-t', t.address]);
    expect(r.code, r.stdout).toBe(0);
    const long = r.stdout.split('\n').filter((l) => [...l].length > 80);
    expect(long, r.stdout).toEqual([]);
    for (const h of HEADERS) expect(r.stdout).toContain(h);
    for (const s of [a, b]) expect(r.stdout).toMatch(new RegExp(`${s.group} +│ ${s.address.replace(/\./g, '\\.')} +│ ACTIVE`));
  });

  it.skipIf(tmux !== true)(`--watch in an 80-column terminal: whole tables, nothing cut or wrapped${tmux === true ? '' : ` (skipped: ${tmux})`}`, async () => {
    const { cmd, args } = fdfsCommand();
    const pane = new TmuxPane([cmd, ...args, 'monitor', '-t', t.address, '--watch', '0.5', '--count', '100'], { cwd: process.cwd(), cols: 80, rows: 60 });
    try {
      const screen = await pane.waitFor(/every 0\.5s — Ctrl-C to stop/);
      const lines = screen.split('\n');
      // Every table line is whole: it starts and ends with a border (a cut or wrapped line does not).
      const tableLines = lines.filter((l) => tableLine.test(l));
      expect(tableLines.length).toBeGreaterThan(10);
      for (const l of tableLines) expect(l, screen).toMatch(borderLine);
      for (const h of HEADERS) expect(screen).toContain(h);
      for (const s of [a, b]) expect(screen).toContain(s.address);
      expect(screen).toMatch(/HEALTHY/);
      pane.keys('C-c');
      expect(await pane.waitExit()).toBe(0);
    } finally {
      pane.close();
    }
  });
});
