// The tracker's JSON API (/api/…) against a real two-group cluster, with fetch: the cluster overview, chart
// series, a file's page (replicas on both members, metadata, a download URL that works), paging through a
// group's files, an upload through the console to a storage gateway (the name kept as metadata), and the
// refusals: bad input 400, unknown things 404, uploads without the secret 401.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { waitFor } from '../helpers/cluster.js';
import { listFilesFrom, listFromAny } from '../../src/client/list-files.js';
import { startConsoleCluster, UPLOAD_SECRET, type ConsoleCluster } from '../helpers/console-cluster.js';

let c: ConsoleCluster;
let textId = '';
const ids: string[] = [];

async function getJson(path: string): Promise<{ status: number; body: any }> {
  const r = await fetch(c.base + path);
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: r.status, body: await r.json() };
}

beforeAll(async () => {
  c = await startConsoleCluster({ trackers: 2 });
  textId = await c.client.upload(Buffer.from('hello console'), { ext: 'txt', group: 'group1', metadata: { filename: 'hello.txt', author: 'ann' } });
  for (let i = 0; i < 7; i++) ids.push(await c.client.upload(Buffer.from(`file ${i}`), { ext: 'bin', group: 'group1' }));
  ids.push(textId);
}, 120_000);

afterAll(async () => {
  await c?.stop();
});

describe('tracker JSON API', () => {
  it('GET / serves the console page; /api/ lists the endpoints', async () => {
    const page = await fetch(c.base + '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<title>fdfs console</title>');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/); // everything inline: no CDN, no extra files
    expect((await getJson('/api/')).body.endpoints).toContain('/api/cluster');
  });

  it('/api/cluster: both trackers, one leader both agree on; two groups; every storage ACTIVE with space and counters', async () => {
    const other = `http://${c.tracker2!.host}:8080`;
    const leader = await waitFor('both consoles show both trackers and the same leader', async () => {
      const views = await Promise.all([c.base, other].map(async (b) => (await fetch(`${b}/api/cluster`)).json() as Promise<any>));
      const addresses = views.map((v) => v.trackers.map((t: { address: string }) => t.address).sort().join(','));
      const leaders = views.map((v) => v.trackers.filter((t: { isLeader: boolean }) => t.isLeader).map((t: { address: string }) => t.address).join(','));
      const want = [c.tracker.address, c.tracker2!.address].sort().join(',');
      return addresses.every((a) => a === want) && leaders[0] && leaders[0] === leaders[1] && views[0].leader === leaders[0] ? leaders[0] : null;
    }, 30_000, 250);
    const { status, body } = await getJson('/api/cluster');
    expect(status).toBe(200);
    expect(body.self).toMatchObject({ address: c.tracker.address, isLeader: leader === c.tracker.address });
    expect(body.groups.map((g: { name: string }) => g.name)).toEqual(['group1', 'group2']);
    const g1 = body.groups[0];
    expect(g1.storages.map((s: { ip: string }) => s.ip).sort()).toEqual([c.storages[0]!.host, c.storages[1]!.host].sort());
    for (const g of body.groups) {
      for (const s of g.storages) {
        expect(s.status).toBe('ACTIVE');
        expect(s.totalMb).toBeGreaterThan(0);
        expect(s).toHaveProperty('lagSeconds');
      }
    }
    // Uploads show up in the counters the storages beat in.
    await waitFor('upload counters reported', async () => {
      const now = (await getJson('/api/cluster')).body;
      return now.groups[0].storages.reduce((n: number, s: { uploads: number }) => n + s.uploads, 0) >= ids.length;
    }, 20_000);
  });

  it('/api/charts: one series per storage, sampled by the tracker', async () => {
    const body = await waitFor('a sample of every storage', async () => {
      const b = (await getJson('/api/charts')).body;
      return Object.keys(b.storages).length === 3 ? b : null;
    }, 30_000);
    expect(body.intervalSec).toBeGreaterThan(0);
    const keys = Object.keys(body.storages).sort();
    expect(keys).toHaveLength(3);
    expect(keys.every((k) => /^group[12]\//.test(k))).toBe(true);
  });

  it('/api/file: where it lives, both replicas, its metadata, and a download URL that serves it', async () => {
    const report = await waitFor('the file on both members', async () => {
      const { body } = await getJson(`/api/file?id=${encodeURIComponent(textId)}`);
      return body.replicas?.every((r: { present: boolean }) => r.present) ? body : null;
    }, 30_000);
    expect(report).toMatchObject({ fileId: textId, group: 'group1', storePath: 'M00', kind: 'normal', size: 13, metadata: { filename: 'hello.txt', author: 'ann' } });
    expect(report.replicas).toHaveLength(2);
    expect(report.crc32).toMatch(/^[0-9a-f]{8}$/);
    const dl = await fetch(c.base + report.url);
    expect(dl.status).toBe(200);
    expect(await dl.text()).toBe('hello console');
  });

  it('/api/groups/G/files pages through the listing without gaps or repeats', async () => {
    // One member's listing holds every file once replication has carried them all.
    for (const id of ids) {
      await waitFor(`${id} on both members`, async () => {
        const { body } = await getJson(`/api/file?id=${encodeURIComponent(id)}`);
        return body.replicas?.every((r: { present: boolean }) => r.present) ? true : null;
      }, 30_000);
    }
    const seen: string[] = [];
    let after = '';
    for (let page = 0; page < 20; page++) {
      const { status, body } = await getJson(`/api/groups/group1/files?limit=3${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      expect(status).toBe(200);
      expect(body.files.length).toBeLessThanOrEqual(3);
      seen.push(...body.files.map((f: { fileId: string }) => f.fileId));
      if (!body.next) break;
      after = body.next;
    }
    expect(seen.sort()).toEqual([...ids].sort());
    const named = (await getJson('/api/groups/group1/files?limit=100')).body.files.find((f: { fileId: string }) => f.fileId === textId);
    expect(named).toMatchObject({ size: 13, filename: 'hello.txt' });
    expect((await getJson('/api/groups/group2/files')).body).toEqual({ group: 'group2', files: [], next: null });
  });

  it('POST /api/upload stores through a storage gateway with the secret, keeping the file name', async () => {
    const form = new FormData();
    form.append('file', new Blob(['from the browser']), 'notes.txt');
    const r = await fetch(`${c.base}/api/upload?group=group2`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${UPLOAD_SECRET}` } });
    expect(r.status).toBe(200);
    const { fileId } = await r.json() as { fileId: string };
    expect(fileId).toMatch(/^group2\/M00\/.+\.txt$/);
    expect((await c.client.downloadToBuffer(fileId)).toString()).toBe('from the browser');
    expect(await c.client.getMetadata(fileId)).toEqual({ filename: 'notes.txt' });
    const again = new FormData();
    again.append('file', new Blob(['no name kept']), 'secret-plan.txt');
    const off = await fetch(`${c.base}/api/upload?group=group2&keep_name=0`, { method: 'POST', body: again, headers: { Authorization: `Bearer ${UPLOAD_SECRET}` } });
    expect(off.status).toBe(200);
    const offId = (await off.json() as { fileId: string }).fileId;
    // No metadata at all: getMetadata answers an empty set (the file exists).
    expect(await c.client.getMetadata(offId)).toEqual({});
    // A raw body names itself with ?filename= (its extension too).
    const raw = await fetch(`${c.base}/api/upload?group=group2&filename=${encodeURIComponent('dir\\raw name.csv')}`, {
      method: 'POST', body: 'a,b\n', headers: { Authorization: `Bearer ${UPLOAD_SECRET}`, 'Content-Type': 'application/octet-stream' },
    });
    expect(raw.status).toBe(200);
    const rawId = (await raw.json() as { fileId: string }).fileId;
    expect(rawId).toMatch(/^group2\/M00\/.+\.csv$/);
    expect(await c.client.getMetadata(rawId)).toEqual({ filename: 'raw name.csv' });
  });

  it('a storage that refuses 120 LIST_FILES is reported as unable to list, and the next member is asked', async () => {
    const [g1a, , g2] = c.storages;
    // group2's storage refuses a listing of group1 as a storage without the extension refuses any.
    const refused = listFilesFrom({ ip: g2!.host, port: g2!.port }, 'group1');
    await expect(refused.next()).rejects.toThrow(/cannot list files/);
    const names: string[] = [];
    for await (const f of listFromAny([{ ip: g2!.host, port: g2!.port }, { ip: g1a!.host, port: g1a!.port }], 'group1', {}, {})) names.push(`group1/${f.name}`);
    expect(names.sort()).toEqual([...ids].sort());
  });

  it('refuses: bad ID 400, unknown group 404, bad paging 400, no upload secret 401, unknown API 404', async () => {
    expect((await getJson('/api/file?id=nonsense')).status).toBe(400);
    expect((await getJson('/api/file')).status).toBe(400);
    const unknown = await getJson('/api/file?id=group9/M00/00/00/wKgFSFvAem6AfpJXAAA2FXv_nRs556.jpg');
    expect(unknown).toMatchObject({ status: 404, body: { error: expect.stringMatching(/group9/) } });
    expect((await getJson('/api/groups/group9/files')).status).toBe(404);
    expect((await getJson('/api/groups/group1/files?limit=0')).status).toBe(400);
    expect((await getJson('/api/groups/group1/files?since=yesterday')).status).toBe(400);
    expect((await getJson('/api/nothing')).status).toBe(404);
    const noAuth = await fetch(`${c.base}/api/upload`, { method: 'POST', body: 'x' });
    expect(noAuth.status).toBe(401);
    // The tracker keeps serving.
    expect((await getJson('/api/cluster')).status).toBe(200);
  });
});
