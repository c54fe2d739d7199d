// `fdfs serve`: a tracker from a stock conf says where it listens, then "ready", and stops cleanly on SIGTERM;
// bad confs and flags are refused in one line. The embedded default and its flags: test/integration/embedded.test.ts.
import { describe, it, expect, afterAll } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, ServerProcess } from '../helpers/proc.js';
import { allocHost, tempDir } from '../helpers/cluster.js';
import { expectParseError, expectPlainFailure } from '../helpers/cli-expect.js';

const dir = tempDir('fdfs-serve-cli-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
