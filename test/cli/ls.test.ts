// `fdfs ls` against a real tracker and storage holding a few thousand files: the whole list as NDJSON (every
// uploaded file once, no sidecars), the original name kept by `fdfs upload` (and not with --no-keep-name),
// --prefix, --since, --limit, the text form, and the refusals.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { startStorage, startTracker, stopAll, tempDir, waitAllActive, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { spawn } from 'node:child_process';
import { fdfsCommand, ROOT, runCli } from '../helpers/proc.js';
import { NOWHERE, expectParseError, expectPlainFailure, expectUnreachable } from '../helpers/cli-expect.js';

const COUNT = 3000;
let tracker: TrackerHandle;
let storage: StorageHandle;
let client: FdfsClient;
const uploaded = new Set<string>();
let named = '';
let unnamed = '';
const work = tempDir('fdfs-ls-');

interface Line { fileId: string; name: string; size: number; time: number; crc32: string | null; filename?: string }

const t = () => ['--tracker', tracker.address];
const parse = (stdout: string): Line[] => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);

beforeAll(async () => {
  tracker = await startTracker();
  storage = await startStorage({ trackers: [tracker.address] });
  client = new FdfsClient({ trackers: [tracker.address] });
  await waitAllActive(client, [storage]);
  for (let i = 0; i < COUNT; i += 50) {
    const ids = await Promise.all(Array.from({ length: Math.min(50, COUNT - i) }, (_, k) => client.upload(Buffer.from(`file ${i + k}`), { ext: 'txt' })));
    for (const id of ids) uploaded.add(id);
  }
  const file = path.join(work, 'holiday photo.txt');
  writeFileSync(file, 'kept name');
  const up = await runCli(['upload', file, '-q', ...t()]);
  expect(up.code, up.stderr).toBe(0);
  named = up.stdout.trim();
  const off = await runCli(['upload', file, '-q', '--no-keep-name', ...t()]);
  expect(off.code, off.stderr).toBe(0);
  unnamed = off.stdout.trim();
  uploaded.add(named).add(unnamed);
}, 180_000);

afterAll(async () => {
  client?.close();
  await stopAll([storage, tracker]);
});

describe('fdfs ls', () => {
  it('--json: every file once, one object per line, sorted, with size, time and CRC; the kept name', async () => {
    const r = await runCli(['ls', 'group1', '--json', ...t()]);
    expect(r.code, r.stderr).toBe(0);
    const lines = parse(r.stdout);
    expect(lines).toHaveLength(COUNT + 2);
    expect(new Set(lines.map((l) => l.fileId))).toEqual(uploaded);
    expect(lines.map((l) => l.name)).toEqual(lines.map((l) => l.name).sort());
    const one = lines.find((l) => l.fileId === named)!;
    expect(one).toMatchObject({ size: 9, filename: 'holiday photo.txt' });
    expect(one.crc32).toMatch(/^[0-9a-f]{8}$/);
    expect(Math.abs(one.time - Date.now() / 1000)).toBeLessThan(600);
    expect(lines.find((l) => l.fileId === unnamed)!.filename).toBeUndefined();
    // The kept name is ordinary metadata too.
    expect(await client.getMetadata(named)).toEqual({ filename: 'holiday photo.txt' });
  });

  it('--prefix, --since and --limit narrow the list the same way a filter of the whole list does', async () => {
    const whole = parse((await runCli(['ls', 'group1', '--json', ...t()])).stdout);
    const prefixed = parse((await runCli(['ls', 'group1', '--json', '--prefix', 'M00/01', ...t()])).stdout);
    const want = whole.filter((l) => l.name.startsWith('M00/01/'));
    expect(want.length).toBeGreaterThan(0);
    expect(prefixed).toEqual(want);
    const times = [...new Set(whole.map((l) => l.time))].sort();
    const mid = times[Math.floor(times.length / 2)]!;
    const since = parse((await runCli(['ls', 'group1', '--json', '--since', String(mid), ...t()])).stdout);
    expect(since).toEqual(whole.filter((l) => l.time >= mid));
    const future = await runCli(['ls', 'group1', '--json', '--since', '2999-01-01', ...t()]);
    expect(future.code).toBe(0);
    expect(future.stdout).toBe('');
    expect(parse((await runCli(['ls', 'group1', '--json', '--limit', '7', ...t()])).stdout)).toEqual(whole.slice(0, 7));
  });

  it('text: one line per file with ID, size, time, CRC and the kept name', async () => {
    const r = await runCli(['ls', 'group1', '--since', '1h', ...t()]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(COUNT + 2);
    const line = lines.find((l) => l.startsWith(named))!;
    expect(line).toMatch(/^group1\/M00\/\S+\s+9\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+[0-9a-f]{8}\s+holiday photo\.txt$/);
  });

  it('a reader that stops early (ls | head -1) ends it quietly: exit 0, nothing on stderr', async () => {
    const { cmd, args } = fdfsCommand();
    const child = spawn(cmd, [...args, 'ls', 'group1', ...t()], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (b: Buffer) => resolve(b.toString())));
    child.stdout.destroy(); // like head after its line: the pipe closes under a writer with ~300 KB to go
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    clearTimeout(timer);
    expect(first).toMatch(/^group1\/M00\//);
    expect(err).toBe('');
    expect(code).toBe(0);
  });

  it('refuses a bad --since or --prefix (exit 2), an unknown group (one line), and says when no tracker answers', async () => {
    expectPlainFailure(await runCli(['ls', 'group1', '--since', 'yesterday', ...NOWHERE]), 2, /--since "yesterday" is not a time/);
    expectPlainFailure(await runCli(['ls', 'group1', '--prefix', 'm00/zz', ...NOWHERE]), 2, /--prefix "m00\/zz" is not the start of a file name/);
    const nope = await runCli(['ls', 'nosuch', ...t()]);
    expect(nope.code).not.toBe(0);
    expect(nope.stderr.trim().split('\n')).toHaveLength(1);
    expect(nope.stderr).toMatch(/nosuch/);
    expectParseError(await runCli(['ls', ...NOWHERE]), /group/);
    expectUnreachable(await runCli(['ls', 'group1', ...NOWHERE]));
  });
});
