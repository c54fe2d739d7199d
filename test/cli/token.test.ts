// `fdfs token`: the URL it prints (token vector computed with md5sum), where the secret comes from
// (--secret, $FDFS_HTTP_SECRET, --config client.conf) and its usage errors.
import { describe, it, expect, afterAll } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/proc.js';
import { tempDir } from '../helpers/cluster.js';

const ID = 'group1/M00/02/AC/Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk701.txt';
const SECRET = 'FastDFS1234567890';
// printf '%s' 'M00/02/AC/Ck0AA2sB8HuAKOo1AAAAHWMZ9Uk701.txtFastDFS12345678901795289211' | md5sum
const TOKEN = 'd1d90097ff69dcd7e68f2099f227f407';
const dir = tempDir('fdfs-token-cli-');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fdfs token', () => {
  it('prints the path with token and ts, or a full URL with --base', async () => {
    const r = await runCli(['token', ID, '--secret', SECRET, '--ts', '1795289211']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`/${ID}?token=${TOKEN}&ts=1795289211\n`);
    const full = await runCli(['token', ID, '-s', SECRET, '--ts', '1795289211', '--base', 'http://10.0.0.5:8888', '--filename', 'q.txt']);
    expect(full.stdout).toBe(`http://10.0.0.5:8888/${ID}?token=${TOKEN}&ts=1795289211&filename=q.txt\n`);
  });

  it('takes the secret and ttl from client.conf, or the secret from FDFS_HTTP_SECRET', async () => {
    const conf = path.join(dir, 'client.conf');
    writeFileSync(conf, `tracker_server = 127.0.0.1:22122\nhttp.anti_steal.secret_key = ${SECRET}\nhttp.anti_steal.token_ttl = 120\n`);
    const r = await runCli(['token', ID, '--config', conf, '--ts', '1795289211', '--json']);
    expect(JSON.parse(r.stdout)).toEqual({
      fileId: ID, url: `/${ID}?token=${TOKEN}&ts=1795289211`, token: TOKEN, ts: 1795289211, expires: 1795289211 + 120,
    });
    const e = await runCli(['token', ID, '--ts', '0', '--json'], { env: { FDFS_HTTP_SECRET: SECRET } });
    expect(JSON.parse(e.stdout)).toMatchObject({ ts: 0, expires: null });
  });

  it('exits 2 without a secret, with a bad --base, and non-zero for something that is no file ID', async () => {
    const none = await runCli(['token', ID], { env: { FDFS_HTTP_SECRET: undefined } });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no secret');
    expect((await runCli(['token', ID, '--secret', 's', '--base', 'ftp://x'])).code).toBe(2);
    const bad = await runCli(['token', 'not-an-id', '--secret', 's']);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toBe('');
  });
});
