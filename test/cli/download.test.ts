// `fdfs download` without a server: range flags and file IDs are checked first. With a real storage:
// interrupted downloads and --resume. Other downloads from real storages: test/integration (spine, binary, progress, api-slave).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FdfsClient } from '../../src/client/index.js';
import { fdfsCommand, runCli, type CliResult } from '../helpers/proc.js';
import { restartStorage, startStorage, startTracker, stopAll, tempDir, waitAllActive, waitFor, type StorageHandle, type TrackerHandle } from '../helpers/cluster.js';
import { SAMPLE_ID, NOWHERE, expectParseError, expectPlainFailure, expectUnreachable } from '../helpers/cli-expect.js';

describe('fdfs download', () => {
  it('a negative --offset or --length is a parse error (exit 2)', async () => {
    expectParseError(await runCli(['download', SAMPLE_ID, '-', '--offset', '-1', ...NOWHERE]), /--offset/);
    expectParseError(await runCli(['download', SAMPLE_ID, '-', '--length', '-5', ...NOWHERE]), /--length/);
  });

  it('a malformed file ID: one line naming it, exit 1', async () => {
    expectPlainFailure(await runCli(['download', 'no-group-here', '-', ...NOWHERE]), 1, /^fdfs: bad file id "no-group-here": no group \(EINVAL\)$/);
  });

  it('a good ID reaches for the tracker (exit 4 when nothing answers)', async () => {
    expectUnreachable(await runCli(['download', SAMPLE_ID, '-', ...NOWHERE]));
  });

  it('-t before the ID and destination takes one value: the ID and destination stay arguments', async () => {
    expectUnreachable(await runCli(['download', '-t', '127.0.0.1:1', SAMPLE_ID, '-']));
  });
});

// With a real storage: a download stopped part-way keeps its partial file under a hidden name and
// `--resume` finishes it byte for byte; the storage dying mid-transfer is said as such.
describe('fdfs download, interrupted and resumed (real servers)', () => {
  const SIZE = 64 << 20;
  let tracker: TrackerHandle;
  let storage: StorageHandle;
  let id: string;
  let sum: string;
  let work: string;
  const t = () => ['-t', tracker.address];
  const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

  beforeAll(async () => {
    tracker = await startTracker();
    // One process, so SIGSTOP stalls every connection of the storage.
    storage = await startStorage({ trackers: [tracker.address], conf: { work_threads: 1 } });
    const client = new FdfsClient({ trackers: [tracker.address] });
    try {
      await waitAllActive(client, [storage]);
      const data = randomBytes(SIZE);
      sum = md5(data);
      id = await client.upload(data, { ext: 'bin' });
    } finally {
      client.close();
    }
    work = tempDir('fdfs-resume-');
  });

  afterAll(async () => {
    storage?.proc.child?.kill('SIGCONT');
    await stopAll([storage, tracker]);
    rmSync(work, { recursive: true, force: true });
  });

  const partials = () => readdirSync(work).filter((n) => n.endsWith('.fdfs-partial'));

  /** Start `fdfs download ID DEST`; once the partial file holds some bytes, freeze the storage (SIGSTOP). */
  async function startStalledDownload(dest: string): Promise<{ child: ChildProcess; done: Promise<CliResult> }> {
    const { cmd, args } = fdfsCommand();
    const child = spawn(cmd, [...args, 'download', id, dest, '-q', ...t()], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
    const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code: code ?? (signal ? -1 : 0), stdout, stderr })));
    await waitFor('the first bytes in the partial file', async () => {
      const p = partials()[0];
      return p !== undefined && statSync(path.join(work, p)).size > 0;
    }, 20_000, 2);
    storage.proc.child!.kill('SIGSTOP');
    return { child, done };
  }

  it('Ctrl-C keeps the partial file and says how to resume; --resume completes it byte-identical', async () => {
    const dest = 'copy.bin';
    const { child, done } = await startStalledDownload(dest);
    child.kill('SIGINT');
    const r = await done;
    storage.proc.child!.kill('SIGCONT');
    const m = /^fdfs: download interrupted \(SIGINT\) after (\d+) of (\d+) bytes; the partial file is kept as (\S+) — run `fdfs download --resume (\S+) (\S+)` to continue\n$/.exec(r.stderr);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 130, stderr: expect.stringMatching(/^fdfs: download interrupted/) });
    expect(m, r.stderr).not.toBeNull();
    const [, kept, total, partial, resumeId, resumeDest] = m!;
    expect([Number(total), resumeId, resumeDest]).toEqual([SIZE, id, dest]);
    expect(Number(kept)).toBeGreaterThan(0);
    expect(Number(kept)).toBeLessThan(SIZE);
    expect(existsSync(path.join(work, dest))).toBe(false);
    expect(partials()).toEqual([path.basename(partial!)]);
    expect(statSync(path.join(work, partial!)).size).toBe(Number(kept));

    const resumed = await runCli(['download', '--resume', id, dest, '-q', ...t()], { cwd: work });
    expect({ code: resumed.code, stderr: resumed.stderr }).toEqual({ code: 0, stderr: `fdfs: resuming ${dest} at byte ${kept} of ${SIZE}\n` });
    expect(md5(readFileSync(path.join(work, dest)))).toBe(sum);
    expect(partials()).toEqual([]);
  });

  it('one download per destination: a second one is refused while the first runs; a dead one\'s lock is taken over', async () => {
    const dest = 'twice.bin';
    const { child, done } = await startStalledDownload(dest);
    const second = await runCli(['download', id, dest, '-q', ...t()], { cwd: work });
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`another fdfs download to ${dest} is running \\(pid ${child.pid}\\)`));
    child.kill('SIGKILL');
    await done;
    storage.proc.child!.kill('SIGCONT');
    // The killed download left its lock: a new download takes it over and finishes.
    expect(readdirSync(work)).toContain(`.${dest}.fdfs-lock`);
    const third = await runCli(['download', id, dest, '-q', ...t()], { cwd: work });
    expect({ code: third.code, stderr: third.stderr }).toEqual({ code: 0, stderr: '' });
    expect(md5(readFileSync(path.join(work, dest)))).toBe(sum);
    expect(readdirSync(work).filter((n) => n.startsWith(`.${dest}.`))).toEqual([]);
  });

  it('without --resume a leftover partial file is replaced, not continued', async () => {
    const dest = 'again.bin';
    const { child, done } = await startStalledDownload(dest);
    child.kill('SIGTERM');
    expect((await done).code).toBe(143);
    storage.proc.child!.kill('SIGCONT');
    const [partial] = partials();
    // Spoil the kept bytes: a fresh download must not use them.
    writeFileSync(path.join(work, partial!), Buffer.alloc(1000, 1));
    const r = await runCli(['download', id, dest, '-q', ...t()], { cwd: work });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(md5(readFileSync(path.join(work, dest)))).toBe(sum);
    expect(partials()).toEqual([]);
  });

  it('--resume continues only a partial file of the same content: a changed appender file starts over', async () => {
    const client = new FdfsClient({ trackers: [tracker.address] });
    try {
      const log = await client.uploadAppender(Buffer.from('hello world'), { ext: 'log' });
      const partialFor = async () => {
        const i = await client.info(log, { calcCrc32: false });
        return `.log.txt.${i.size}-${(i.crc32 >>> 0).toString(16).padStart(8, '0')}-${i.createTimestamp}.fdfs-partial`;
      };
      // The bytes an earlier download of this very content left.
      writeFileSync(path.join(work, await partialFor()), 'hello');
      const r = await runCli(['download', '--resume', log, 'log.txt', '-q', ...t()], { cwd: work });
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: 'fdfs: resuming log.txt at byte 5 of 11\n' });
      expect(readFileSync(path.join(work, 'log.txt'), 'utf8')).toBe('hello world');
      // Left for the content before an append: not continued, replaced.
      const stale = await partialFor();
      writeFileSync(path.join(work, stale), 'XXXXXXXXXX');
      await client.append(log, Buffer.from(', again'));
      const again = await runCli(['download', '--resume', log, 'log.txt', '-q', ...t()], { cwd: work });
      expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });
      expect(readFileSync(path.join(work, 'log.txt'), 'utf8')).toBe('hello world, again');
      expect(partials()).toEqual([]);
    } finally {
      client.close();
    }
  });

  it('the storage gone mid-transfer: says so with the bytes received, keeps them, and --resume finishes', async () => {
    const dest = 'cut.bin';
    const { done } = await startStalledDownload(dest);
    await storage.proc.kill();
    const r = await done;
    const m = new RegExp(`^fdfs: storage ${storage.address.replace(/\./g, '\\.')} closed the connection during the transfer \\((\\d+) of ${SIZE} bytes received\\); `
      + `the \\d+ bytes are kept in (\\S+) — run \`fdfs download --resume ${id} ${dest}\` to continue from there\\n$`).exec(r.stderr);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: expect.stringMatching(/closed the connection during the transfer/) });
    expect(m, r.stderr).not.toBeNull();
    expect(existsSync(path.join(work, dest))).toBe(false);
    expect(statSync(path.join(work, m![2]!)).size).toBe(Number(m![1]));
    await restartStorage(storage);
    const client = new FdfsClient({ trackers: [tracker.address] });
    try {
      await waitAllActive(client, [storage]);
    } finally {
      client.close();
    }
    const resumed = await runCli(['download', '--resume', id, dest, '-q', ...t()], { cwd: work });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(md5(readFileSync(path.join(work, dest)))).toBe(sum);
  });
});
