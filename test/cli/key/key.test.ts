// `fdfs key create | rotate | retire | list | cluster`: the files they write and their usage errors.
import { describe, it, expect, afterAll } from 'vitest';
import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../helpers/proc.js';
import { tempDir } from '../../helpers/cluster.js';
import { loadClientKey, loadClusterSecrets, parseServerKeys } from '../../../src/security/keys.js';

const dir = tempDir('fdfs-key-cli-');
const keys = path.join(dir, 'keys.conf');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const serverKeys = () => parseServerKeys(readFileSync(keys, 'utf8'), keys);

describe('fdfs key', () => {
  it('create writes the key line and a 0600 client key file that match', async () => {
    const out = path.join(dir, 'app.key');
    const r = await runCli(['key', 'create', 'app', '--rights', 'group1:upload,download', '--keys-file', keys, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(statSync(keys).mode & 0o777).toBe(0o600);
    const k = serverKeys().get('app')!;
    expect(k.rights.toString()).toBe('group1:upload,download');
    expect(k.secrets[0]!.equals(loadClientKey(out).secret)).toBe(true);
  });

  it('create refuses a duplicate id and bad rights in plain words', async () => {
    const dup = await runCli(['key', 'create', 'app', '--rights', 'group1:upload', '--keys-file', keys]);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toMatch(/already exists.*fdfs key rotate app/);
    const bad = await runCli(['key', 'create', 'x', '--rights', 'group1:write', '--keys-file', keys]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/unknown operation "write"/);
  });

  it('rotate keeps the old secret as the previous one; retire drops it; --remove deletes the key', async () => {
    const before = serverKeys().get('app')!.secrets[0]!;
    const out = path.join(dir, 'app2.key');
    expect((await runCli(['key', 'rotate', 'app', '--keys-file', keys, '--out', out])).code).toBe(0);
    const rotated = serverKeys().get('app')!.secrets;
    expect(rotated).toHaveLength(2);
    expect(rotated[0]!.equals(loadClientKey(out).secret)).toBe(true);
    expect(rotated[1]!.equals(before)).toBe(true);
    const listed = await runCli(['key', 'list', '--keys-file', keys]);
    expect(listed.stdout).toMatch(/^app\tgroup1:upload,download\t\(rotating/m);
    expect(listed.stdout).not.toContain(rotated[0]!.toString('hex'));
    expect((await runCli(['key', 'retire', 'app', '--keys-file', keys])).code).toBe(0);
    expect(serverKeys().get('app')!.secrets).toHaveLength(1);
    expect((await runCli(['key', 'retire', 'app', '--remove', '--keys-file', keys])).code).toBe(0);
    expect(serverKeys().has('app')).toBe(false);
    const missing = await runCli(['key', 'rotate', 'nope', '--keys-file', keys]);
    expect(missing.stderr).toMatch(/no key "nope"/);
  });

  it('cluster creates, rotates (two secrets) and retires the cluster secret', async () => {
    const file = path.join(dir, 'cluster.secret');
    expect((await runCli(['key', 'cluster', file])).stdout).toMatch(/Created/);
    const first = loadClusterSecrets(file)[0]!;
    await runCli(['key', 'cluster', file]);
    const two = loadClusterSecrets(file);
    expect(two).toHaveLength(2);
    expect(two[1]!.equals(first)).toBe(true);
    await runCli(['key', 'cluster', file, '--retire']);
    expect(loadClusterSecrets(file)).toHaveLength(1);
  });
});
