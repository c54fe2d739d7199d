// Anti-steal tokens on real storage gateways (http.anti_steal.* from an #included http.conf): valid, expired,
// forged and absent tokens, the token_check_fail file, and URLs printed by `fdfs token` and the client library.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient, httpToken, httpUrl } from '../../src/client/index.js';
import { StorageStatus } from '../../src/protocol/codes.js';
import { startTracker, startStorage, stopAll, waitFor, tempDir, type TrackerHandle, type StorageHandle } from '../helpers/cluster.js';
import { curl } from '../helpers/http.js';
import { runCli } from '../helpers/proc.js';

const HTTP = 8888;
const SECRET = 'FastDFS1234567890';
let tracker: TrackerHandle;
let strict: StorageHandle;
let lenient: StorageHandle;
let client: FdfsClient;
let id2 = '';
let id3 = '';
const work = tempDir('fdfs-http-token-');
const FAIL = Buffer.from('GIF89a not for you');

beforeAll(async () => {
  const failFile = path.join(work, 'anti-steal.gif');
  writeFileSync(failFile, FAIL);
  const httpConf = (name: string, extra: string) => {
    const f = path.join(work, name);
    writeFileSync(f, `http.anti_steal.check_token = true\nhttp.anti_steal.token_ttl = 900\nhttp.anti_steal.secret_key = ${SECRET}\n${extra}`);
    return f;
  };
  tracker = await startTracker();
  // group2: 403 on failure, URLs must carry the group; group3: the fail file instead.
  strict = await startStorage({ trackers: [tracker.address], group: 'group2',
    conf: { 'http.server_port': HTTP, 'http.url_have_group_name': true, '#include': httpConf('http2.conf', '') } });
  lenient = await startStorage({ trackers: [tracker.address], group: 'group3',
    conf: { 'http.server_port': HTTP, '#include': httpConf('http3.conf', `http.anti_steal.token_check_fail = ${failFile}\n`) } });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitFor('ACTIVE', async () => {
    const groups = await client.listGroups();
    return groups.length === 2 && groups.every((g) => g.writableServerCount === 1);
  });
  id2 = await client.upload(Buffer.from('group two'), { ext: 'txt', group: 'group2' });
  id3 = await client.upload(Buffer.from('group three'), { ext: 'txt', group: 'group3' });
});

afterAll(async () => {
  client?.close();
  await stopAll([strict, lenient, tracker]);
});

const now = () => Math.floor(Date.now() / 1000);
const base = (s: StorageHandle) => `http://${s.host}:${HTTP}`;

describe('anti-steal tokens', () => {
  it('a valid token (the client library\'s URL) is served; ts 0 never expires', async () => {
    const r = await fetch(httpUrl(id2, { base: base(strict), secret: SECRET }));
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('group two');
    expect((await fetch(httpUrl(id2, { base: base(strict), secret: SECRET, ts: 0 }))).status).toBe(200);
    const ts = now();
    const manual = `${base(strict)}/${id2}?ts=${ts}&token=${httpToken(id2, SECRET, ts)}&filename=two.txt`;
    const m = await fetch(manual);
    expect(m.status).toBe(200);
    expect(m.headers.get('content-disposition')).toContain('filename="two.txt"');
  });

  it('403 for a missing, expired, forged or wrong-secret token', async () => {
    const ts = now();
    const cases = [
      `/${id2}`,
      `/${id2}?ts=${ts}`,
      `/${id2}?token=${httpToken(id2, SECRET, ts)}`,
      `/${id2}?token=${httpToken(id2, SECRET, ts - 1000)}&ts=${ts - 1000}`,
      `/${id2}?token=${httpToken(id2, SECRET, ts)}&ts=${ts + 1}`,
      `/${id2}?token=${httpToken(id2, 'guess', ts)}&ts=${ts}`,
      `/${id2}?token=${httpToken(id2, SECRET, ts).toUpperCase()}&ts=${ts}`,
      `/${id2}?token=${httpToken(id3, SECRET, ts)}&ts=${ts}`,
      `/${id2}?token=xyz&ts=${ts}`,
    ];
    for (const c of cases) {
      const r = await fetch(`${base(strict)}${c}`);
      expect(r.status, c).toBe(403);
      expect(await r.text(), c).not.toContain('group two');
    }
  });

  it('url_have_group_name = true: a URL without the group is 404 even with a good token', async () => {
    const u = httpUrl(id2, { base: base(strict), secret: SECRET, groupInPath: false });
    expect((await fetch(u)).status).toBe(404);
  });

  it('serves the token_check_fail file (200, its own type) instead of 403 when configured', async () => {
    const r = await fetch(`${base(lenient)}/${id3}?token=${'0'.repeat(32)}&ts=${now()}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/gif');
    expect(Buffer.from(await r.arrayBuffer()).equals(FAIL)).toBe(true);
    expect(await (await fetch(httpUrl(id3, { base: base(lenient), secret: SECRET }))).text()).toBe('group three');
  });
});

describe('fdfs token', () => {
  it('prints a full URL the gateway accepts (curl), and its parts with --json', async () => {
    const r = await runCli(['token', id2, '--secret', SECRET, '--base', base(strict), '--filename', 'a.txt']);
    expect(r.code).toBe(0);
    const u = r.stdout.trim();
    expect(u).toMatch(new RegExp(`^${base(strict)}/${id2}\\?token=[0-9a-f]{32}&ts=\\d+&filename=a.txt$`));
    const got = await curl(['-f', u]);
    expect(got.stdout.toString()).toBe('group two');
    const j = await runCli(['token', id2, '--secret', SECRET, '--ttl', '900', '--json']);
    const out = JSON.parse(j.stdout) as { url: string; token: string; ts: number; expires: number };
    expect(out.url).toBe(`/${id2}?token=${out.token}&ts=${out.ts}`);
    expect(out.expires).toBe(out.ts + 900);
    expect((await fetch(`${base(strict)}${out.url}`)).status).toBe(200);
  });
});

describe('storage status', () => {
  it('both gateways belong to ACTIVE storages', async () => {
    for (const g of ['group2', 'group3']) expect((await client.listStorages(g))[0]!.status).toBe(StorageStatus.Active);
  });
});
