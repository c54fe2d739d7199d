// fdfs init --security required (issue 14 item 5): the written cluster secret, keys file and admin key run as
// they are, the operator's client.conf authenticates, a client without a key is refused.
import { describe, it, expect, afterAll } from 'vitest';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { allocHost, tempDir, waitFor } from '../helpers/cluster.js';
import { runCli, ServerProcess } from '../helpers/proc.js';

const work = tempDir('fdfs-init-sec-');
const host = allocHost();
const out = path.join(work, 'cluster');
const procs: ServerProcess[] = [];

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
});

describe('fdfs init --security required', () => {
  it('writes secrets owner-only, and the files run as a cluster that only the admin key may use', async () => {
    const r = await runCli(['init', '--yes', '--out', out, '--base-dir', path.join(work, 'data'), '--tracker', `${host}:22122`,
      '--storage', `group1=${host}:23000`, '--http-port', '18888', '--reserved', '1%', '--security', 'required',
      '--conf-dir', path.join(out, host)]);
    expect(r.code, r.stderr).toBe(0);
    const hostDir = path.join(out, host);
    for (const f of ['keys.conf', 'cluster.secret', 'admin.key']) expect(statSync(path.join(hostDir, f)).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(out, 'admin.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(hostDir, 'storage.conf'), 'utf8')).toMatch(/^auth_policy = required$/m);
    expect(readFileSync(path.join(out, 'client.conf'), 'utf8')).toMatch(/^auth_key_file = admin\.key$/m);

    for (const role of ['tracker', 'storage'] as const) {
      const p = new ServerProcess(`init ${role}`, ['serve', '--role', role, '--config', path.join(hostDir, `${role}.conf`)]);
      procs.push(p);
      await p.start();
    }
    const file = path.join(work, 'hello.txt');
    writeFileSync(file, 'hello');
    const client = path.join(out, 'client.conf');
    const up = await waitFor('an upload with the admin key', async () => {
      const u = await runCli(['upload', file, '--config', client, '-q']);
      return u.code === 0 ? u : null;
    }, 20_000, 300);
    const id = up.stdout.trim();
    expect((await runCli(['download', id, '-', '--config', client])).stdout).toBe('hello');
    const keyless = await runCli(['download', id, '-', '-t', `${host}:22122`]);
    expect(keyless.code).not.toBe(0);
    expect(keyless.stderr).toMatch(/permission denied \(EACCES\) — the server refused this: use a key that allows it \(--key-file/);
  });
});
