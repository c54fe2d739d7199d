// With real servers: batches and --json (issue 11 item 14) — inputs checked before anything is uploaded, each
// local name with its ID in JSON, states by name — and extensions (item 17) — links keep the source's, an
// extension too long for a file ID is reported.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/proc.js';
import { startStorage, startTracker, stopAll, tempDir, waitAllActive, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { expectPlainFailure } from '../helpers/cli-expect.js';
import { FdfsClient } from '../../src/client/index.js';

let tracker: TrackerHandle;
let storage: StorageHandle;
let client: FdfsClient;
let work: string;
const t = () => ['-t', tracker.address];
const uploadCount = async () => (await client.listStorages('group1'))[0]!.stats.successUploadCount ?? 0;

beforeAll(async () => {
  tracker = await startTracker();
  storage = await startStorage({ trackers: [tracker.address] });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, [storage]);
  work = tempDir('fdfs-batch-');
  for (const n of ['a.dat', 'b.dat', 'c.dat']) writeFileSync(path.join(work, n), `content of ${n}`);
  writeFileSync(path.join(work, 'notes.verylongextension'), 'long extension');
  mkdirSync(path.join(work, 'folder'));
});

afterAll(async () => {
  client?.close();
  await stopAll([storage, tracker]);
  rmSync(work, { recursive: true, force: true });
});

describe('upload batches and --json', () => {
  it('a missing or unreadable input refuses the whole batch before any upload, naming each bad one', async () => {
    const before = await uploadCount();
    const r = await runCli(['upload', 'a.dat', 'b.dat', 'missing.jpg', 'folder', 'c.dat', ...t()], { cwd: work });
    expectPlainFailure(r, 2, /^fdfs: cannot upload 2 of 5 files, so nothing was uploaded: missing\.jpg \(no such file\), folder \(not a regular file\)$/);
    expect(await uploadCount()).toBe(before);
  });

  it('--json gives each local name with its file ID', async () => {
    const r = await runCli(['upload', 'a.dat', 'b.dat', '--json', ...t()], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { files: Array<{ file: string; fileId: string }>; fileIds: string[] };
    expect(out.files.map((f) => f.file)).toEqual(['a.dat', 'b.dat']);
    expect(out.fileIds).toEqual(out.files.map((f) => f.fileId));
    for (const f of out.files) expect((await client.downloadToBuffer(f.fileId)).toString()).toBe(`content of ${f.file}`);
  });

  it('--json with a file that fails: the files before it keep their IDs, it has its error, the rest are skipped', async () => {
    // "a b" is no valid extension (no spaces in a file ID): that file fails when its turn comes.
    writeFileSync(path.join(work, 'odd.a b'), 'odd');
    const r = await runCli(['upload', 'a.dat', 'odd.a b', 'c.dat', '--json', ...t()], { cwd: work });
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as { files: Array<Record<string, unknown>>; fileIds: string[] };
    expect(out.files).toEqual([
      { file: 'a.dat', fileId: expect.stringMatching(/^group1\/\S+\.dat$/) },
      { file: 'odd.a b', error: { code: 'FDFS_ERR_USAGE', exit: 2, message: 'bad file extension "a b" (up to 6 of A-Z a-z 0-9 . _ -)' } },
      { file: 'c.dat', skipped: true },
    ]);
    expect(out.fileIds).toEqual([out.files[0]!.fileId]);
    // The same in text: the ID on stdout, the failure and what became of the batch on stderr.
    const plain = await runCli(['upload', 'a.dat', 'odd.a b', 'c.dat', ...t()], { cwd: work });
    expect(plain.code).toBe(2);
    expect(plain.stdout).toMatch(/^group1\/\S+\.dat\n$/);
    expect(plain.stderr).toBe('fdfs: odd.a b: bad file extension "a b" (up to 6 of A-Z a-z 0-9 . _ -) — 1 file(s) before it were uploaded, the 1 after it were not\n');
    // Nothing uploaded at all: the command's own error object, as for one file.
    const none = await runCli(['upload', 'a.dat', 'b.dat', '--json', '-g', 'group9', ...t()], { cwd: work });
    expect(none.code).toBe(3);
    expect(JSON.parse(none.stdout)).toEqual({ error: { code: 'FDFS_ERR_ENOENT', message: expect.stringMatching(/no group group9/) } });
  });

  it('storages --json: states by name like monitor --json, the wire numbers beside them', async () => {
    const r = await runCli(['storages', '--json', ...t()]);
    expect(r.code, r.stderr).toBe(0);
    const [s] = (JSON.parse(r.stdout) as { storages: Array<{ group: string; storage: Record<string, unknown> }> }).storages;
    expect(s!.group).toBe('group1');
    expect(s!.storage).toMatchObject({ ipAddr: storage.host, status: 'ACTIVE', statusCode: 7, rwMode: 'rw', rwModeCode: 6 });
    const mon = JSON.parse((await runCli(['monitor', '--json', ...t()])).stdout) as { storages: Array<{ status: string; statusCode: number; rwMode: string }> };
    expect(mon.storages.map((m) => [m.status, m.statusCode, m.rwMode])).toEqual([[s!.storage.status, s!.storage.statusCode, s!.storage.rwMode]]);
  });
});

describe('extensions', () => {
  it('an extension longer than 6 characters: uploaded without one, and a warning says so', async () => {
    const r = await runCli(['upload', 'notes.verylongextension', '-q', ...t()], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('fdfs: notes.verylongextension: the extension "verylongextension" is longer than 6 characters, so the file ID has none (choose one with --ext)\n');
    expect(r.stdout).toMatch(/^group1\/M00\/\S+\/[\w-]{27}\d{7}\n$/);
    const json = await runCli(['upload', 'notes.verylongextension', '--json', ...t()], { cwd: work });
    expect(json.stderr).toBe('');
    expect((JSON.parse(json.stdout) as { files: Array<{ warning: string }> }).files[0]!.warning).toMatch(/longer than 6 characters/);
    const chosen = await runCli(['upload', 'notes.verylongextension', '--ext', 'txt', '-q', ...t()], { cwd: work });
    expect({ stderr: chosen.stderr, id: chosen.stdout }).toEqual({ stderr: '', id: expect.stringMatching(/\.txt\n$/) });
  });

  it('fdfs link keeps the source file\'s extension unless --ext says otherwise', async () => {
    const src = await client.upload(Buffer.from('to be linked'), { ext: 'jpg' });
    const r = await runCli(['link', src, ...t()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^group1\/M00\/\S+\.jpg\n$/);
    expect((await client.downloadToBuffer(r.stdout.trim())).toString()).toBe('to be linked');
    const png = await runCli(['link', src, '--ext', 'png', ...t()]);
    expect(png.stdout).toMatch(/\.png\n$/);
    const none = await runCli(['link', src, '--ext', '', ...t()]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toMatch(/^group1\/M00\/\S+\/[\w-]{27}\d{7}\n$/);
  });
});
