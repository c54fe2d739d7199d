// `fdfs upload` without a server: what it refuses before contacting anything, and how an unreachable
// tracker looks (plain, and as --json's error object); with a real storage, one that dies mid-upload.
// Uploads to real storages: test/integration (spine, binary, api-*), batches: batches-and-names.test.ts.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { fdfsCommand, runCli, type CliResult } from '../helpers/proc.js';
import { startStorage, startTracker, stopAll, tempDir, waitAllActive, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { APPENDER_ID, NOWHERE, expectParseError, expectPlainFailure, expectUnreachable } from '../helpers/cli-expect.js';

describe('fdfs upload', () => {
  it('--prefix needs --slave-of, and --slave-of excludes --appender (exit 2)', async () => {
    expectParseError(await runCli(['upload', '-', '--prefix', '_s', ...NOWHERE], { input: 'x' }), /--slave-of/);
    expectParseError(await runCli(['upload', '-', '--slave-of', APPENDER_ID, '--prefix', '_s', '--appender', ...NOWHERE], { input: 'x' }), /--appender/);
  });

  it('a missing local file: one line, exit 2', async () => {
    expectPlainFailure(await runCli(['upload', '/nonexistent/file.txt', ...NOWHERE]), 2, /^fdfs: cannot read \/nonexistent\/file\.txt: no such file$/);
  });

  it('a bad --tracker address: one line, exit 2', async () => {
    expectPlainFailure(await runCli(['upload', '-', '-t', 'bad:addr:x'], { input: 'x' }), 2, /^fdfs: bad tracker address "bad:addr:x"/);
  });

  it('a bad FDFS_TIMEOUT or --timeout: one line, exit 2', async () => {
    expectPlainFailure(await runCli(['upload', '-', ...NOWHERE], { input: 'x', env: { FDFS_TIMEOUT: 'soon' } }), 2,
      /^fdfs: bad FDFS_TIMEOUT "soon" \(want a number of seconds above 0\)$/);
    expectParseError(await runCli(['upload', '-', '--timeout', '0', ...NOWHERE], { input: 'x' }), /--timeout/);
  });

  it('no tracker answering: exit 4, a hint in text, an error object under --json', async () => {
    expectUnreachable(await runCli(['upload', '-', ...NOWHERE], { input: 'x' }));
    expectUnreachable(await runCli(['upload', '-', '--json', ...NOWHERE], { input: 'x' }), true);
  });

  it('repeatable flags before the files take one value each and leave the files as arguments', async () => {
    // Reached the file check: -t and -m did not swallow the path.
    expectPlainFailure(await runCli(['upload', '-t', '127.0.0.1:1', '-m', 'k=v', '/nonexistent/file.txt']), 2,
      /^fdfs: cannot read \/nonexistent\/file\.txt: no such file$/);
    expectPlainFailure(await runCli(['upload', '--tracker=127.0.0.1:1', '-t', '127.0.0.1:2', '/nonexistent/file.txt']), 2,
      /^fdfs: cannot read \/nonexistent\/file\.txt: no such file$/);
    // Both files reach the upload (the tracker is the first thing that fails).
    expectUnreachable(await runCli(['upload', '-t', '127.0.0.1:1', '-', '-'], { input: 'x' }));
  });
});

describe('fdfs upload, the storage gone mid-upload (real servers)', () => {
  const SIZE = 64 << 20;
  let tracker: TrackerHandle;
  let storage: StorageHandle;
  let work: string;

  beforeAll(async () => {
    tracker = await startTracker();
    storage = await startStorage({ trackers: [tracker.address], conf: { work_threads: 1 } });
    const client = new FdfsClient({ trackers: [tracker.address] });
    try {
      await waitAllActive(client, [storage]);
    } finally {
      client.close();
    }
    work = tempDir('fdfs-upcut-');
    writeFileSync(path.join(work, 'big.bin'), randomBytes(SIZE));
  });

  afterAll(async () => {
    await stopAll([storage, tracker]);
    rmSync(work, { recursive: true, force: true });
  });

  /** Temp files of uploads in progress on the storage that already hold bytes. */
  const uploadsInProgress = () => (readdirSync(path.join(storage.dir, 'data'), { recursive: true }) as string[])
    .filter((n) => n.endsWith('.tmp') && statSync(path.join(storage.dir, 'data', n)).size > 0);

  it('says the storage closed the connection during the upload, with the bytes sent, and that nothing was stored', async () => {
    const { cmd, args } = fdfsCommand();
    const child = spawn(cmd, [...args, 'upload', 'big.bin', '-q', '-t', tracker.address], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
    const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
    await waitFor('the upload under way on the storage', async () => uploadsInProgress().length > 0, 20_000, 2);
    storage.proc.child!.kill('SIGSTOP');
    await storage.proc.kill();
    const r = await done;
    const m = new RegExp(`^fdfs: storage ${storage.address.replace(/\./g, '\\.')} closed the connection during the upload \\((\\d+) of ${SIZE} bytes sent\\); `
      + 'nothing was stored — upload big\\.bin again\\n$').exec(r.stderr);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 1, stdout: '' });
    expect(m, r.stderr).not.toBeNull();
    expect(Number(m![1])).toBeLessThan(SIZE);
  });
});
