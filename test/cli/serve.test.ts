// `fdfs serve`: a tracker from a stock conf says where it listens, then "ready", and stops cleanly on SIGTERM;
// bad confs and flags are refused in one line. The embedded default and its flags: test/integration/embedded.test.ts.
import { describe, it, expect, afterAll } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fdfsCommand, runCli, ServerProcess } from '../helpers/proc.js';
import { allocHost, tempDir } from '../helpers/cluster.js';
import { expectParseError, expectPlainFailure } from '../helpers/cli-expect.js';
import { TmuxPane, tmuxAvailable } from '../helpers/tmux.js';

const dir = tempDir('fdfs-serve-cli-');
const tmux = tmuxAvailable();
afterAll(() => {
  TmuxPane.killServer();
  rmSync(dir, { recursive: true, force: true });
});

describe('fdfs serve', () => {
  it('--role tracker --config: listening line, "ready", and exit 0 on SIGTERM', async () => {
    const host = allocHost();
    const conf = path.join(dir, 'tracker.conf');
    writeFileSync(conf, `bind_addr = ${host}\nport = 22122\nbase_path = ${dir}\n`);
    const server = new ServerProcess('tracker', ['serve', '--role', 'tracker', '--config', conf]);
    await server.start();
    expect(server.output).toContain(`tracker listening on ${host}:22122`);
    expect(await server.stop()).toBe(0);
    expect(server.output).toContain('fdfs serve: SIGTERM, shutting down');
  });

  it('a missing conf file: one line naming it, exit 5 (config)', async () => {
    expectPlainFailure(await runCli(['serve', '--role', 'tracker', '--config', '/nonexistent/tracker.conf']), 5,
      /^fdfs serve: \/nonexistent\/tracker\.conf: cannot read config file/);
  });

  it('a bad conf value: one line with file:line, exit 5', async () => {
    const conf = path.join(dir, 'bad.conf');
    writeFileSync(conf, `base_path = ${dir}\nport = many\n`);
    expectPlainFailure(await runCli(['serve', '--role', 'tracker', '--config', conf]), 5, new RegExp(`^fdfs serve: ${conf.replace(/[.]/g, '\\.')}:2: `));
  });

  it('flags outside their options are parse errors (exit 2)', async () => {
    expectParseError(await runCli(['serve', '--role', 'bogus']), /--role=bogus to be one of: tracker, storage, all/);
    expectParseError(await runCli(['serve', '--tracker-port', '0']), /--tracker-port/);
  });
});

describe('fdfs serve --config: the role follows the file', () => {
  it('serves a storage.conf as a storage without --role, and refuses a role that does not match the file', async () => {
    const host = allocHost();
    const conf = path.join(dir, 'storage.conf');
    writeFileSync(conf, `group_name = group1\nbind_addr = ${host}\nport = 23000\nbase_path = ${dir}\nstore_path0 = ${dir}\n`
      + `subdir_count_per_path = 4\ntracker_server = ${host}:22122\n`);
    const server = new ServerProcess('storage', ['serve', '--config', conf]);
    await server.start();
    expect(server.output).toContain(`storage group1 listening on ${host}:23000`);
    expect(server.output).not.toContain('tracker listening');
    expect(await server.stop()).toBe(0);
    expectPlainFailure(await runCli(['serve', '--role', 'tracker', '--config', conf]), 2,
      new RegExp(`^fdfs serve: ${conf.replace(/[.]/g, '\\.')} is a storage\\.conf .*use --role storage$`));
  });
});

describe('fdfs serve log lines: human on a terminal, JSON otherwise (issue 11 item 12)', () => {
  const trackerArgs = (host: string, sub: string) => ['serve', '--role', 'tracker', '--bind', host, '--data-dir', path.join(dir, sub), '--no-http'];
  const jsonLine = /^\{"level":\d+,"time":\d+,.*"msg":"tracker listening"\}$/m;

  it.skipIf(tmux !== true)(`on a terminal: "HH:MM:SS INFO: tracker: tracker listening  address=…", no JSON; --log-format json forces JSON${tmux === true ? '' : ` (skipped: ${tmux})`}`, async () => {
    const host = allocHost();
    const { cmd, args } = fdfsCommand();
    const human = new TmuxPane([cmd, ...args, ...trackerArgs(host, 'tty')], { cwd: dir, env: { FDFS_LOG_LEVEL: 'info', FDFS_LOG_FORMAT: undefined } });
    try {
      const screen = await human.waitFor(/^ready$/m);
      expect(screen).toMatch(new RegExp(`^\\[\\d\\d:\\d\\d:\\d\\d\\] INFO: tracker: tracker listening {2}address=${host.replace(/\./g, '\\.')}:22122 queryLoop=(on|off: .+)$`, 'm'));
      expect(screen).not.toMatch(/^\{/m);
      expect(screen).not.toContain('"level"');
      human.keys('C-c');
      expect(await human.waitExit()).toBe(0);
    } finally {
      human.close();
    }
    const forced = new TmuxPane([cmd, ...args, ...trackerArgs(host, 'tty-json'), '--log-format', 'json'],
      { cwd: dir, cols: 400, env: { FDFS_LOG_LEVEL: 'info', FDFS_LOG_FORMAT: undefined } });
    try {
      const screen = await forced.waitFor(/^ready$/m);
      expect(screen).toMatch(jsonLine);
      forced.keys('C-c');
      expect(await forced.waitExit()).toBe(0);
    } finally {
      forced.close();
    }
  });

  it('piped: one JSON object per log line; --log-format pretty forces human lines', async () => {
    const host = allocHost();
    const piped = new ServerProcess('json-log', trackerArgs(host, 'pipe'));
    await piped.start();
    expect(await piped.stop()).toBe(0);
    expect(piped.output).toMatch(jsonLine);
    const logLines = piped.output.split('\n').filter((l) => l.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(0);
    for (const l of logLines) expect(typeof JSON.parse(l).msg).toBe('string');

    const pretty = new ServerProcess('pretty-log', [...trackerArgs(host, 'pipe-pretty'), '--log-format', 'pretty']);
    await pretty.start();
    expect(await pretty.stop()).toBe(0);
    expect(pretty.output).toMatch(new RegExp(`^\\[\\d\\d:\\d\\d:\\d\\d\\] INFO: tracker: tracker listening {2}address=${host.replace(/\./g, '\\.')}:22122 queryLoop=(on|off: .+)$`, 'm'));
    expect(pretty.output).not.toMatch(/^\{/m);
    // Not a terminal: no colour codes even when forced pretty.
    expect(pretty.output).not.toContain('\x1b[');
  });
});

describe('fdfs serve HTTP flags on a tracker (issue 11 item 8)', () => {
  it('storage-only HTTP settings (e.g. FDFS_HTTP_TOKEN_SECRET for every server of a host) are ignored with a warning', async () => {
    const host = allocHost();
    const server = new ServerProcess('tracker-token', ['serve', '--role', 'tracker', '--bind', host, '--data-dir', path.join(dir, 'tt'), '--no-http',
      '--http-token-secret', 'x', '--log-format', 'json']);
    await server.start();
    expect(await server.stop()).toBe(0);
    expect(server.output).toMatch(/^\{"level":40,.*"msg":"--http-token-secret ignored: only a storage has an HTTP gateway"\}$/m);
  });
});
