// Smoke test of the single executable (FDFS_BIN, else dist/fdfs from `npm run build:binary`): run from a
// folder outside the project, it serves, uploads, downloads, monitors, plans a cluster and prints help.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { allocHost, tempDir } from '../helpers/cluster.js';
import { ROOT, runCli, ServerProcess } from '../helpers/proc.js';

const bin = path.resolve(ROOT, process.env.FDFS_BIN ?? 'dist/fdfs');
const present = existsSync(bin);
const work = tempDir('fdfs-binary-');
const host = allocHost();
const tracker = `${host}:22122`;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
let server: ServerProcess | null = null;
let saved: string | undefined;
// Outside the project, with no module search path: only what is inside the file can be used.
const run = (args: string[]) => runCli(args, { cwd: work, env: { NODE_PATH: undefined, NODE_OPTIONS: undefined } });

describe.skipIf(!present)(`single executable ${bin}${present ? '' : ' (skipped: not built; run npm run build:binary)'}`, () => {
  beforeAll(() => {
    saved = process.env.FDFS_BIN;
    process.env.FDFS_BIN = bin;
  });

  afterAll(async () => {
    await server?.stop();
    if (saved === undefined) delete process.env.FDFS_BIN;
    else process.env.FDFS_BIN = saved;
  });

  it('is one file that prints its version and a help that lists every command', async () => {
    expect(statSync(bin).isFile()).toBe(true);
    const v = await run(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^fdfs-ts\/\d+\.\d+\.\d+ linux-/);
    const h = await run(['--help']);
    expect(h.code).toBe(0);
    for (const c of ['serve', 'init', 'monitor', 'upload', 'download', 'delete', 'info', 'bench']) expect(h.stdout).toMatch(new RegExp(`^ {2}${c}\\s`, 'm'));
  });

  it('serves, and uploads / downloads / monitors through itself, with /metrics', async () => {
    server = new ServerProcess('binary serve', ['serve', '--bind', host, '--data-dir', path.join(work, 'data')], work);
    await server.start();
    const file = path.join(work, 'payload.bin');
    const data = randomBytes(300_000);
    writeFileSync(file, data);
    const up = await run(['upload', file, '-t', tracker]);
    expect(up.stderr).toBe('');
    const id = up.stdout.trim();
    expect(id).toMatch(/^group1\/M00\/.+\.bin$/);
    const down = await run(['download', id, path.join(work, 'copy.bin'), '-t', tracker]);
    expect(down.code).toBe(0);
    expect(md5(readFileSync(path.join(work, 'copy.bin')))).toBe(md5(data));
    const mon = await run(['monitor', '-t', tracker, '--json']);
    expect(JSON.parse(mon.stdout).healthy).toBe(true);
    expect(mon.code).toBe(0);
    // prom-client is inside too: the embedded default's storage gateway answers /metrics.
    const metrics = await (await fetch(`http://${host}:8888/metrics`)).text();
    expect(metrics).toMatch(/^fdfs_requests_total\{role="storage",command="upload_file",status="0"\} 1$/m);
    // The web console (page and API) and `fdfs ls` are inside too.
    expect(await (await fetch(`http://${host}:8080/`)).text()).toContain('<title>fdfs console</title>');
    const cluster = await (await fetch(`http://${host}:8080/api/cluster`)).json() as { groups: Array<{ name: string }> };
    expect(cluster.groups.map((g) => g.name)).toEqual(['group1']);
    const listed = await run(['ls', 'group1', '--json', '-t', tracker]);
    expect(JSON.parse(listed.stdout.trim())).toMatchObject({ fileId: id, size: data.length, filename: 'payload.bin' });
  });

  it('stores small files through the C store step it carries inside', async () => {
    // The executable wrote its embedded addon out and loaded it (src/native/fastpath.ts); its tracker serves
    // client connections in the addon's query loop.
    expect(server!.output).toMatch(/"fastPath":"on"/);
    expect(server!.output).toMatch(/"queryLoop":"on"/);
    const file = path.join(work, 'small.txt');
    const data = randomBytes(4096);
    writeFileSync(file, data);
    const up = await run(['upload', file, '-t', tracker]);
    expect(up.code).toBe(0);
    const id = up.stdout.trim();
    const down = await run(['download', id, path.join(work, 'small.copy'), '-t', tracker]);
    expect(down.code).toBe(0);
    expect(md5(readFileSync(path.join(work, 'small.copy')))).toBe(md5(data));
  });

  it('plans a cluster from a YAML answers file (lazily loaded modules are inside too)', async () => {
    const answers = path.join(work, 'cluster.yaml');
    writeFileSync(answers, 'trackers: [10.1.0.1:22122]\ngroups:\n  group1: [10.1.0.2:23000]\n');
    const r = await run(['init', '--answers', answers, '--out', path.join(work, 'plan')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(path.join(work, 'plan/10.1.0.2/storage.conf'))).toBe(true);
  });
});
